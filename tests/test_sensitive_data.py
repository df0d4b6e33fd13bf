"""SC009: personal data and secrets in training sets and corpora are found at
their exact lines, placeholders are not, large files are sampled the same way
every run, and no raw value ever leaves ragfit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, MakeRepo, RunCli

from auditor.cache import CACHE_DIR
from auditor.config import Config
from auditor.engine import Options, audit
from auditor.scanners import sensitive
from auditor.scanners.sensitive import (
    SAMPLE_WINDOWS,
    find_personal_data,
    scan_file,
    windows,
)

# Fake values with real shapes and valid checksums; no real person's.
EMAIL = "priya.raman" + "@outlook.com"
UK_MOBILE = "+44 7911 " + "123456"
US_PHONE = "(312) 847-" + "2290"
CARD = "4539 1488 " + "0343 6467"
IBAN = "DE44 5001 0517 " + "5407 3249 31"
SSN = "536-90-" + "4399"
NINO = "JG 10 37 " + "95 D"
CPF = "529.982." + "247-25"
DNI = "4829173" + "5S"
CODICE = "MRTMTT91D08" + "F205J"
KEY = "sk-proj-" + "Qz8N3vR2tY7uK1mW5pX9cB4dF6gH2jL7aS8eD3rT5yU7iO1pZ4"
RAW_VALUES = (EMAIL, UK_MOBILE, US_PHONE, CARD, IBAN, SSN, NINO, CPF, DNI, CODICE, KEY)


def kinds_of(text: str) -> list[tuple[str, str]]:
    return [(h.kind, h.type) for h in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"mail me at {EMAIL} today", [("email", "email")]),
        (f"[Priya](mailto:{EMAIL})", [("email", "email")]),
        (f"call {UK_MOBILE}", [("phone", "+44")]),
        (f"or {US_PHONE} after six", [("phone", "+1")]),
        ("tel: 030 901820", [("phone", "+49")]),
        ("call 1-415-867-5309", [("phone", "+1")]),
        (f"card {CARD} expires 04/29", [("payment-card", "visa")]),
        ("amex 3714 496353 98431 is fake but 3782 822463 10005 is a test", []),
        (f"pay to {IBAN}", [("iban", "DE")]),
        (f"SSN {SSN}", [("national-id", "us-ssn")]),
        (f"ssn: {SSN.replace('-', '')}", [("national-id", "us-ssn")]),
        (f"NI number {NINO}", [("national-id", "uk-nino")]),
        ("nino JG103795D", [("national-id", "uk-nino")]),
        (f"CPF {CPF}", [("national-id", "br-cpf")]),
        (f"DNI {DNI}", [("national-id", "es-dni")]),
        (f"codice fiscale {CODICE}", [("national-id", "it-codice-fiscale")]),
        ("Aadhaar 2345 6789 0124", [("national-id", "in-aadhaar")]),
        ("my BSN is 111222333", [("national-id", "nl-bsn")]),
        (f"key {KEY}", [("secret", "openai-api-key")]),
    ],
)
def test_each_kind_is_found_with_its_type(text: str, found: list[tuple[str, str]]) -> None:
    assert kinds_of(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "write to jane@example.com or ops@corp.example or a@b.test",
        "support@brightline.io, noreply@brightline.io, billing+eu@brightline.io",
        "git@github.com:org/repo.git and https://user:secret@host.com/path",
        "icons: logo@2x.png, spinner@3x.webp",
        "call (415) 555-0132 or +1 202 555 0143 or 555-0199",
        "ring 020 7946 0958 or 07700 900123 (drama numbers)",
        "test cards 4242 4242 4242 4242, 4111 1111 1111 1111, 5555555555554444",
        "5500 0000 0000 0004 and 4000 0566 5566 5556",
        "IBAN examples GB82 WEST 1234 5698 7654 32 and DE89 3704 0044 0532 0130 00",
        "SSN samples 123-45-6789 and 078-05-1120, invalid 000-12-3456 and 666-12-3456",
        "NINO sample AB 12 34 56 C and QQ 12 34 56 C",
        "released 2024-03-01, version 1.2.3-4567, build 20240301.1, ip 10.20.30.40",
        "order #4539148803436467 and id=4539148803436467",
        "a table: 1234 5678 9012 3456 7890 1234 5678 9012 3456",
        "a sin of omission 123 456 789",  # 'sin' the word, and no valid SIN anyway
        "HP123456A is a part number, not a NINO without the words that name one",
        # Found on real repositories (see the report of issue 14):
        "call 1-800-371-2541, Fax: 1-888-422-2865",  # toll-free lines, not people
        "**Fax:** 416-927-6100",
        "E-mail: bmo.ombudsman@bmo.com or ombudsman@obsi.ca, all@blendle.com",
        "alice@email.com, John.Doe-123%+@example-domain.com, offers@mycompany.com",
    ],
)
def test_placeholders_and_lookalikes_do_not_count(text: str) -> None:
    assert kinds_of(text) == []


def test_redacted_forms_never_hold_the_value() -> None:
    text = "\n".join(f"value {value}" for value in RAW_VALUES)
    hits = find_personal_data(text)
    assert len(hits) == len(RAW_VALUES)
    for hit in hits:
        for value in RAW_VALUES:
            assert value not in hit.redacted
        digits = [c for c in hit.redacted if c.isdigit()]
        assert len(digits) <= 4


def test_a_stretch_of_text_counts_once() -> None:
    # The IBAN's digits are not a phone number or a card as well.
    assert kinds_of(f"IBAN {IBAN}.") == [("iban", "DE")]


# --- files --------------------------------------------------------------------------------


def _filler(count: int, start: int = 0) -> list[str]:
    return [
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"Question {n}: how do I reset my password?"},
                    {"role": "assistant", "content": "Settings, then Security, then Reset."},
                ]
            }
        )
        for n in range(start, start + count)
    ]


def _record(text: str) -> str:
    return json.dumps(
        {
            "messages": [
                {"role": "user", "content": text},
                {"role": "assistant", "content": "Done."},
            ]
        }
    )


def test_a_small_file_is_read_whole_with_exact_lines(tmp_path: Path) -> None:
    lines = _filler(5)
    lines[2] = _record(f"mail {EMAIL}")
    lines[4] = _record(f"card {CARD}, mail {EMAIL}")
    (tmp_path / "train.jsonl").write_text("\n".join(lines) + "\n")
    size = (tmp_path / "train.jsonl").stat().st_size
    scan = scan_file(tmp_path, "train.jsonl", size)
    assert not scan.sampled
    assert (scan.bytes_scanned, scan.lines_scanned) == (size, 5)
    assert scan.summary() == {
        "payment-card": {
            "count": 1,
            "first_line": 5,
            "types": {"visa": 1},
            "samples": ["visa ****6467"],
        },
        "email": {"count": 2, "first_line": 3, "types": {"email": 2}, "samples": ["p***@o***.com"]},
    }


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_follow_every_line_break(tmp_path: Path, newline: str) -> None:
    lines = _filler(6)
    lines[3] = _record(f"call {UK_MOBILE}")
    (tmp_path / "t.jsonl").write_bytes(newline.join(lines).encode())
    size = (tmp_path / "t.jsonl").stat().st_size
    scan = scan_file(tmp_path, "t.jsonl", size)
    assert scan.kinds["phone"].first_line == 4
    assert scan.lines_scanned == 6


def test_a_large_file_is_sampled_in_fixed_windows_with_exact_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small windows make a 3 MB file "large"; the arithmetic is the same at 1 GB.
    monkeypatch.setattr(sensitive, "FULL_READ_BYTES", 256 * 1024)
    monkeypatch.setattr(sensitive, "WINDOW_BYTES", 16 * 1024)
    lines = _filler(24_000)
    body = "\n".join(lines) + "\n"
    size = len(body.encode())
    parts = windows(size)
    assert len(parts) == SAMPLE_WINDOWS
    assert parts[0][0] == 0 and parts[-1][0] + parts[-1][1] == size

    def line_at(offset: int) -> int:
        return body.encode()[:offset].count(b"\n") + 1

    # A card in the middle of window 20, an e-mail in a gap between windows 5 and 6.
    card_line = line_at(parts[20][0] + parts[20][1] // 2) + 1
    gap_line = line_at((parts[5][0] + parts[5][1] + parts[6][0]) // 2)
    assert line_at(parts[5][0] + parts[5][1]) < gap_line < line_at(parts[6][0])
    lines[card_line - 1] = _record(f"card {CARD}")
    lines[gap_line - 1] = _record(f"mail {EMAIL}")
    body = "\n".join(lines) + "\n"
    (tmp_path / "big.jsonl").write_text(body)
    size = len(body.encode())
    first = scan_file(tmp_path, "big.jsonl", size)
    again = scan_file(tmp_path, "big.jsonl", size)
    assert first.summary() == again.summary()  # the same sample every run
    assert first.sampled
    assert first.bytes_scanned <= SAMPLE_WINDOWS * 16 * 1024
    assert first.bytes_scanned > SAMPLE_WINDOWS * 15 * 1024  # whole lines of every window
    assert first.kinds["payment-card"].first_line == card_line
    assert "email" not in first.kinds  # between two windows: not read, and the finding says so


def test_the_finding_says_how_much_of_a_large_file_was_read(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sensitive, "FULL_READ_BYTES", 64 * 1024)
    monkeypatch.setattr(sensitive, "WINDOW_BYTES", 4 * 1024)
    lines = _filler(4000)
    lines[0] = _record(f"mail {EMAIL}")
    root = make_repo({"data/train.jsonl": "\n".join(lines) + "\n"})
    report = audit(root, Config(select=("SC009",)), Options(use_cache=False, jobs=1))
    (finding,) = report.findings
    size = (root / "data/train.jsonl").stat().st_size
    scanned = finding.properties["bytes_scanned"]
    assert finding.properties["sampled"] is True
    assert finding.properties["bytes_total"] == size
    assert scanned <= SAMPLE_WINDOWS * 4 * 1024
    assert finding.message == (
        f"Training set holds 1 e-mail address (line 1) in the {scanned / 1024**2:.1f} MiB "
        f"sampled of {size / 1024**2:.1f} MiB: a fine-tuned model can repeat them to anyone "
        "who asks"
    )


def test_an_oversized_dataset_is_still_sampled(make_repo: MakeRepo) -> None:
    lines = _filler(3000)
    lines[1500] = _record(f"SSN {SSN}")
    root = make_repo({"data/train.jsonl": "\n".join(lines) + "\n"})
    # 4 KiB cap: a JSONL file over 64 KiB is not read by the analysis at all.
    config = Config(select=("SC009",), max_file_size=4096)
    report = audit(root, config, Options(use_cache=False, jobs=1))
    assert [(f.location.path, f.location.line) for f in report.findings] == [
        ("data/train.jsonl", 1501)
    ]
    assert (root / "data/train.jsonl").stat().st_size > 16 * 4096
    assert report.training_data == ()  # the analysis never read it


def test_parquet_and_the_reading_budget_are_reported_not_silent(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.checks.supply_chain import sensitive_data_in_training_set as rule

    monkeypatch.setattr(rule, "TOTAL_SCAN_BYTES", 10)
    root = make_repo(
        {
            "train.py": (
                "from datasets import load_dataset\n"
                'a = load_dataset("parquet", data_files="data/train.parquet")\n'
                'b = load_dataset("json", data_files="data/more.jsonl")\n'
                'c = load_dataset("json", data_files="data/rest.jsonl")\n'
            ),
            "data/train.parquet": b"PAR1\x00\x00PAR1",
            "data/more.jsonl": _record(f"mail {EMAIL}") + "\n",
            "data/rest.jsonl": _record(f"mail {EMAIL}") + "\n",
        }
    )
    report = audit(root, Config(select=("SC009",)), Options(use_cache=False, jobs=1))
    assert [f.location.path for f in report.findings] == ["data/more.jsonl"]
    assert [(e.path, e.kind, e.message) for e in report.errors] == [
        (
            "data/rest.jsonl",
            "not-read",
            "SC009 stopped after reading 0.0 MiB: 1 more data file(s) not checked for "
            "personal data, from data/rest.jsonl",
        ),
        (
            "data/train.parquet",
            "not-read",
            "train.parquet: Parquet is not read, so it was not checked for personal data",
        ),
    ]


def test_tests_and_documents_no_code_loads_are_not_read(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "tests/fixtures/train.jsonl": _record(f"mail {EMAIL}") + "\n",
            "docs/team.md": f"Reach Priya at {EMAIL}.\n",
        }
    )
    report = audit(root, Config(select=("SC009",)), Options(use_cache=False, jobs=1))
    assert report.findings == ()


# --- the fixture repository ------------------------------------------------------------


def test_helpdesk_fixture_exact_findings(tmp_path: Path) -> None:
    repo = tmp_path / "helpdesk"
    shutil.copytree(FIXTURES / "helpdesk-finetune-pii", repo)
    report = audit(repo, Config(select=("SC009",)), Options(use_cache=False, jobs=1))
    assert report.errors == ()
    got = [
        (f.location.path, f.location.line, f.severity.label, f.message, dict(f.properties))
        for f in report.findings
    ]
    assert got == [
        (
            "data/eval.jsonl",
            2,
            "warning",
            "Evaluation set holds 1 phone number (line 2): they reach every model and log "
            "the evaluation runs through",
            {
                "role": "evaluation",
                "kinds": {
                    "phone": {
                        "count": 1,
                        "first_line": 2,
                        "types": {"+1": 1},
                        "samples": ["+* *** *** **90"],
                    }
                },
                "bytes_total": 476,
                "bytes_scanned": 476,
                "lines_scanned": 3,
                "sampled": False,
            },
        ),
        (
            "data/tickets.csv",
            4,
            "warning",
            "Training set holds 1 national identifier (line 4), 1 e-mail address (line 6): "
            "a fine-tuned model can repeat them to anyone who asks",
            {
                "role": "training",
                "kinds": {
                    "national-id": {
                        "count": 1,
                        "first_line": 4,
                        "types": {"uk-nino": 1},
                        "samples": ["** ** ** *5 D"],
                    },
                    "email": {
                        "count": 1,
                        "first_line": 6,
                        "types": {"email": 1},
                        "samples": ["l***@p***.de"],
                    },
                },
                "bytes_total": 607,
                "bytes_scanned": 607,
                "lines_scanned": 7,
                "sampled": False,
            },
        ),
        (
            "data/train.jsonl",
            4,
            "warning",
            "Training set holds 1 payment card number (line 9), 1 IBAN (line 14), 1 national "
            "identifier (line 16), 2 phone numbers (line 7), 2 e-mail addresses (line 4): a "
            "fine-tuned model can repeat them to anyone who asks",
            {
                "role": "training",
                "kinds": {
                    "payment-card": {
                        "count": 1,
                        "first_line": 9,
                        "types": {"visa": 1},
                        "samples": ["visa ****6467"],
                    },
                    "iban": {
                        "count": 1,
                        "first_line": 14,
                        "types": {"DE": 1},
                        "samples": ["DE**…31"],
                    },
                    "national-id": {
                        "count": 1,
                        "first_line": 16,
                        "types": {"us-ssn": 1},
                        "samples": ["***-**-**99"],
                    },
                    "phone": {
                        "count": 2,
                        "first_line": 7,
                        "types": {"+1": 1, "+44": 1},
                        "samples": ["+** **** ****56", "(***) ***-**90"],
                    },
                    "email": {
                        "count": 2,
                        "first_line": 4,
                        "types": {"email": 2},
                        "samples": ["p***@o***.com", "t***@g***.de"],
                    },
                },
                "bytes_total": 5475,
                "bytes_scanned": 5475,
                "lines_scanned": 18,
                "sampled": False,
            },
        ),
        (
            "kb/api-access.md",
            6,
            "error",
            "Knowledge corpus file holds 1 secret (line 6): retrieval can put them into any answer",
            {
                "role": "corpus",
                "kinds": {
                    "secret": {
                        "count": 1,
                        "first_line": 6,
                        "types": {"huggingface-token": 1},
                        "samples": ["hf_…EaTo"],
                    }
                },
                "bytes_total": 219,
                "bytes_scanned": 219,
                "lines_scanned": 8,
                "sampled": False,
            },
        ),
        (
            "kb/refunds.md",
            10,
            "warning",
            "Knowledge corpus file holds 1 phone number (line 10): retrieval can put them "
            "into any answer",
            {
                "role": "corpus",
                "kinds": {
                    "phone": {
                        "count": 1,
                        "first_line": 10,
                        "types": {"+44": 1},
                        "samples": ["*** **** **67"],
                    }
                },
                "bytes_total": 356,
                "bytes_scanned": 356,
                "lines_scanned": 11,
                "sampled": False,
            },
        ),
    ]


FIXTURE_VALUES = (
    "priya.raman@outlook.com",
    "t.okafor@gmx.de",
    "lena.fischer@posteo.de",
    "7911 123456",
    "847-2290",
    "847 2290",
    "0343 6467",
    "5407 3249 31",
    "536-90-4399",
    "10 37 95",
    "7123 4567",
    "hf_Vq3LmZ8pRt2WxK9nB4cYs7DfGh1JkQ6uEaTo",
)


@pytest.mark.parametrize("form", ["json", "sarif", "markdown", "terminal", "github"])
def test_no_output_and_no_cache_holds_a_raw_value(
    tmp_path: Path, run_cli: RunCli, form: str
) -> None:
    repo = tmp_path / "helpdesk"
    shutil.copytree(FIXTURES / "helpdesk-finetune-pii", repo)
    code, out, err = run_cli("scan", repo, "--format", form, "--offline")
    assert code == 1, err
    assert "SC009" in out
    cache = "".join(p.read_text() for p in (repo / CACHE_DIR).glob("*.json"))
    for value in FIXTURE_VALUES:
        assert value not in out
        assert value not in err
        assert value not in cache
