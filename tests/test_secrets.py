"""SC007: every provider's key shape is found at its exact line and column,
placeholders are not, and the secret never leaves ragfit unredacted."""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import pytest
from conftest import MakeRepo, RunCli, ScanJson
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.cache import CACHE_DIR, CACHE_FILE
from auditor.config import Config
from auditor.engine import Options, audit
from auditor.scanners.text import find_secrets, redact, redact_text

ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    """A random body; with letters in the alphabet, it has a letter and a digit
    (the shape of a real key)."""
    mixed = any(c.isalpha() for c in alphabet) and any(c.isdigit() for c in alphabet)
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(n))
        if not mixed or (any(c.isdigit() for c in body) and any(c.isalpha() for c in body)):
            return body


def make_keys(seed: int) -> dict[str, tuple[str, str, str]]:
    """name -> (kind, key, kind prefix shown by the redaction), fresh random bodies."""
    r = random.Random(seed)
    return {
        "anthropic": ("anthropic-api-key", "sk-ant-api03-" + rand(r, 93) + "AA", "sk-ant-api03-"),
        "anthropic-admin": (
            "anthropic-api-key",
            "sk-ant-admin01-" + rand(r, 90),
            "sk-ant-admin01-",
        ),
        "openai-project": ("openai-api-key", "sk-proj-" + rand(r, 156), "sk-proj-"),
        "openai-service": ("openai-api-key", "sk-svcacct-" + rand(r, 74), "sk-svcacct-"),
        "openai-legacy-marker": (
            "openai-api-key",
            "sk-" + rand(r, 20) + "T3BlbkFJ" + rand(r, 20),
            "sk-",
        ),
        "openai-legacy-48": ("openai-api-key", "sk-" + rand(r, 48), "sk-"),
        "aws-access-key": ("aws-access-key-id", "AKIA" + rand(r, 16, UPPER), "AKIA"),
        "aws-session-key": ("aws-access-key-id", "ASIA" + rand(r, 16, UPPER), "ASIA"),
        "google": ("google-api-key", "AIza" + rand(r, 35), "AIza"),
        "huggingface": ("huggingface-token", "hf_" + rand(r, 34), "hf_"),
        "github-classic": ("github-token", "ghp_" + rand(r, 36), "ghp_"),
        "github-oauth": ("github-token", "gho_" + rand(r, 36), "gho_"),
        "github-fine-grained": (
            "github-token",
            "github_pat_" + rand(r, 22) + "_" + rand(r, 59),
            "github_pat_",
        ),
        "slack-bot": (
            "slack-token",
            "xoxb-"
            + rand(r, 12, string.digits)
            + "-"
            + rand(r, 13, string.digits)
            + "-"
            + rand(r, 24),
            "xoxb-",
        ),
        "slack-webhook": (
            "slack-webhook",
            "https://hooks.slack.com/services/T"
            + rand(r, 8, UPPER)
            + "/B"
            + rand(r, 10, UPPER)
            + "/"
            + rand(r, 24),
            "https://hooks.slack.com/services/",
        ),
        "groq": ("groq-api-key", "gsk_" + rand(r, 52), "gsk_"),
        "pinecone": ("pinecone-api-key", "pcsk_" + rand(r, 6) + "_" + rand(r, 65), "pcsk_"),
        "replicate": ("replicate-api-token", "r8_" + rand(r, 37), "r8_"),
        "langsmith": (
            "langsmith-api-key",
            "lsv2_pt_" + rand(r, 32, HEX) + "_" + rand(r, 10, HEX),
            "lsv2_pt_",
        ),
        "stripe": ("stripe-secret-key", "sk_live_" + rand(r, 99), "sk_live_"),
    }


KEYS = make_keys(1)
AWS_SECRET = rand(random.Random(7), 40, ALNUM + "/+")

# Where a key sits in a file: (file name, text before it on its line, text after).
CONTEXTS = [
    ("settings.py", '"""Settings."""\nAPI_KEY = "', '"\n'),
    (".env", "# local only\nAPI_KEY=", "\n"),
    ("config.yaml", "provider:\n  api_key: '", "'  # rotate monthly\n"),
    ("infra/main.tf", 'locals {\n  token = "', '"\n}\n'),
]


@pytest.mark.parametrize("name", sorted(KEYS))
@pytest.mark.parametrize("context", CONTEXTS, ids=[c[0] for c in CONTEXTS])
def test_each_provider_key_is_found_exactly(
    make_repo: MakeRepo, scan_json: ScanJson, name: str, context: tuple[str, str, str]
) -> None:
    kind, key, prefix = KEYS[name]
    path, before, after = context
    root = make_repo({path: before + key + after})
    report = scan_json(root, expect_code=1)
    (finding,) = report["findings"]
    line = before.count("\n") + 1
    column = len(before.rsplit("\n", 1)[-1]) + 1
    assert (finding["rule_id"], finding["path"], finding["line"]) == ("SC007", path, line)
    assert (finding["column"], finding["end_column"]) == (column, column + len(key))
    assert finding["severity"] == "error"
    assert finding["properties"]["kind"] == kind
    redacted = finding["properties"]["redacted"]
    head, ellipsis, tail = redacted.partition("…")
    assert ellipsis == "…"
    assert key.startswith(head) and prefix.startswith(head[: len(prefix)])
    assert tail == (key[-4:] if len(key) - len(head) >= 16 else "")
    assert len(tail) <= (len(key) - len(head)) / 4
    assert redacted in finding["message"]
    assert key not in json.dumps(report, ensure_ascii=False)


def test_aws_secret_access_key(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo(
        {
            "credentials": "[default]\naws_access_key_id = AKIA"
            + rand(random.Random(3), 16, UPPER)
            + f"\naws_secret_access_key = {AWS_SECRET}\n",
        }
    )
    report = scan_json(root, expect_code=1)
    found = [(f["line"], f["column"], f["properties"]["kind"]) for f in report["findings"]]
    assert found == [
        (2, len("aws_access_key_id = ") + 1, "aws-access-key-id"),
        (3, len("aws_secret_access_key = ") + 1, "aws-secret-access-key"),
    ]
    assert report["findings"][1]["properties"]["redacted"] == "…" + AWS_SECRET[-4:]
    assert AWS_SECRET not in json.dumps(report)


PLACEHOLDERS = [
    "sk-...",
    "sk-your-key-here",
    "sk-proj-...",
    "sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "sk-proj-************************************",
    "sk-" + "your0api0key0goes0here0please0000000000000000",
    "sk-ant-api03-<your-key>",
    "sk-ant-api03-" + "x" * 90,
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "hf_" + "ab" * 17,
    "ghp_" + "0123456789" * 4,
    "ghp_${GITHUB_TOKEN}",
    "AIza" + "A" * 35,
    "sk-" + "a" * 48,  # no digit
    "gsk_" + "1" * 52,  # no letter
    "sk_live_" + "dummy" * 6,
    "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
]


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_placeholders_are_not_secrets(placeholder: str) -> None:
    for text in (
        f'API_KEY = "{placeholder}"\n',
        f"export OPENAI_API_KEY={placeholder}\n",
        f"aws_secret_access_key = {placeholder}\n",
    ):
        assert find_secrets("x.py", text) == [], text


def test_look_alikes_are_not_secrets() -> None:
    body = rand(random.Random(11), 48)
    for text in (
        f"whisk-{body}",  # not a word boundary
        f"task-{body}",
        f"sk-{body}X",  # 49 characters: not the 48-character legacy shape
        f"mask_live_{body}",
        f"xAKIA{rand(random.Random(12), 16, UPPER)}",
    ):
        assert find_secrets("notes.md", text + "\n") == [], text


def test_positions_with_bom_crlf_and_wide_characters(
    make_repo: MakeRepo, scan_json: ScanJson, run_cli: RunCli
) -> None:
    key = KEYS["openai-project"][1]
    root = make_repo(
        {
            "bom.py": b"\xef\xbb\xbfX = 1\nK = '" + key.encode() + b"'\n",
            "crlf.env": f"A=1\r\nB=2\r\n\r\nOPENAI_API_KEY={key}\r\n".encode(),
            "wide.py": f"# 🦄 café\nK = ['🦄', \"é\", '{key}']\n",
            "two.py": f"A, B = '{key}', '{KEYS['groq'][1]}'\n",
        }
    )
    report = scan_json(root, expect_code=1)
    assert [(f["path"], f["line"], f["column"]) for f in report["findings"]] == [
        ("bom.py", 2, 6),
        ("crlf.env", 4, 16),
        ("two.py", 1, 9),
        ("two.py", 1, 9 + len(key) + 4),
        ("wide.py", 2, 17),
    ]
    assert len({f["fingerprint"] for f in report["findings"]}) == 5
    # SARIF counts UTF-16 code units: the unicorn before the key is two of them.
    code, out, _ = run_cli("scan", root, "--format", "sarif", "--no-cache")
    assert code == 1
    regions = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0][
            "physicalLocation"
        ]["region"]
        for r in json.loads(out)["runs"][0]["results"]
    }
    assert regions["wide.py"]["startColumn"] == 18
    assert regions["bom.py"]["startColumn"] == 6


def test_same_key_in_two_files(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    key = KEYS["huggingface"][1]
    root = make_repo({"a.py": f"T = '{key}'\n", "b/c.py": f"\n\nT = '{key}'\n"})
    report = scan_json(root, expect_code=1)
    assert [(f["path"], f["line"], f["column"]) for f in report["findings"]] == [
        ("a.py", 1, 6),
        ("b/c.py", 3, 6),
    ]


# -------------------------------------------------------- never printed


def _unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize("fmt", ["terminal", "json", "sarif", "markdown", "github"])
def test_no_format_prints_a_secret(
    make_repo: MakeRepo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    files: dict[str, str | bytes] = {
        f"keys/{name}.py": f'KEY = "{key}"\n' for name, (_, key, _) in KEYS.items()
    }
    files["keys/aws.cfg"] = f"aws_secret_access_key = {AWS_SECRET}\n"
    # A secret in a file that cannot be parsed, and one in a notebook output.
    files["broken.py"] = f'TOKEN = "{KEYS["github-classic"][1]}"\ndef f(:\n'
    root = make_repo(files)
    code, out, err = run_cli("scan", root, "--format", fmt, "--no-cache")
    assert code == 1
    assert "Traceback" not in err
    texts = [out, err]
    if fmt == "markdown":
        texts.append(_unescape_markdown(out))
    if fmt in {"json", "sarif"}:
        texts.append(json.dumps(json.loads(out), ensure_ascii=False))
    secrets = [key for _, key, _ in KEYS.values()] + [AWS_SECRET]
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"{fmt} leaks {secret[:6]}…"
            # Not even the middle of it.
            assert secret[len(secret) // 3 : len(secret) // 3 + 12] not in text
    report = audit(root, Config(), Options(use_cache=False, jobs=1))
    visible = texts[-1] if len(texts) > 2 else out
    for finding in report.findings:
        redacted = finding.properties["redacted"]
        assert redacted in visible, (fmt, redacted)
    assert len(report.findings) == len(KEYS) + 2


def test_baseline_and_cache_hold_no_secret(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    key = KEYS["anthropic"][1]
    root = make_repo({"app.py": f'KEY = "{key}"\n'})
    baseline = tmp_path / "baseline.json"
    code, _, err = run_cli("scan", root, "--format", "json", "--write-baseline", baseline)
    assert code == 1
    assert key not in err
    assert key not in baseline.read_text("utf-8")
    cache = (root / CACHE_DIR / CACHE_FILE).read_text("utf-8")
    assert key not in cache
    assert key[13:30] not in cache


def test_redact_text_replaces_every_key() -> None:
    keys = [key for _, key, _ in KEYS.values()]
    text = "error near " + " and ".join(keys)
    cleaned = redact_text(text)
    for key in keys:
        assert key not in cleaned
    assert cleaned.startswith("error near ")


# -------------------------------------------------------------- property


@settings(max_examples=300, deadline=None, database=None)
@given(seed=st.integers(0, 2**32), name=st.sampled_from(sorted(KEYS)))
def test_redaction_shows_at_most_a_quarter_of_the_random_part(seed: int, name: str) -> None:
    kind, key, prefix = make_keys(seed)[name]
    found = find_secrets("x.py", f'KEY = "{key}"\n')
    assert [s.kind for s in found] == [kind]
    redacted = found[0].redacted
    head, _, tail = redacted.partition("…")
    assert key.startswith(head) and key.endswith(tail)
    body = key[len(prefix) :]
    revealed = max(0, len(head) - len(prefix)) + len(tail)
    assert revealed <= len(body) / 4, (redacted, len(body))
    assert redact_text(f"x {key} y") == f"x {redacted} y"


@settings(max_examples=300, deadline=None, database=None)
@given(value=st.text(alphabet=ALNUM + "-_/+", min_size=1, max_size=200), show=st.integers(0, 40))
def test_redact_never_returns_the_value(value: str, show: int) -> None:
    out = redact(value, show)
    head, sep, tail = out.partition("…")
    assert sep == "…"
    # The public prefix, never more than half the value ...
    assert head == value[: min(show, len(value) // 2)]
    # ... then at most a quarter of the rest.
    rest = value[len(head) :]
    assert tail in ("", rest[-4:])
    assert len(tail) <= len(rest) / 4
    if len(value) >= 2:
        assert value not in out


@pytest.mark.parametrize(
    ("value", "show", "expected"),
    [
        ("sk_live_" + "Ab3Xc9Zq2Lm8Np4Rs7Tu1Vw6", 8, "sk_live_…1Vw6"),
        ("xoxb-" + "1234567-89012-aBcDeFgH", 5, "xoxb-…eFgH"),
        ("A1b2C3d4E5f6G7h8I9j0K1l2", 0, "…K1l2"),
        ("AKIA" + "Z9Y8X7W6V5U4T", 4, "AKIA…"),  # a rest under 16 characters shows nothing
    ],
)
def test_redact_shows_the_prefix_and_at_most_a_quarter_of_the_rest(
    value: str, show: int, expected: str
) -> None:
    assert redact(value, show) == expected


DASHED = {
    # Real keys of these kinds use the base64url alphabet, dashes and underscores included.
    "google-api-key": "AIza" + rand(random.Random(21), 34) + "-",
    "anthropic-api-key": "sk-ant-api03-" + rand(random.Random(22), 80) + "-QzWxAbCdEfAA",
    "openai-api-key": "sk-proj-" + rand(random.Random(23), 130) + "-kQevcHhEIXGaDbGgRMuBHcfv",
}


@pytest.mark.parametrize("kind", sorted(DASHED))
def test_keys_with_a_dash_in_the_body_are_found(kind: str) -> None:
    key = DASHED[kind]
    found = find_secrets("app.py", f'KEY = "{key}"\n')
    assert [(s.kind, s.column, s.end_column) for s in found] == [(kind, 8, 8 + len(key))]


def test_redact_example_from_the_docstring() -> None:
    assert redact("sk-proj-" + "A1b2C3d4" * 6, 8) == "sk-proj-…C3d4"
    assert redact("AKIA" + "Z9Y8X7W6V5U4T3S2", 4) == "AKIA…T3S2"
