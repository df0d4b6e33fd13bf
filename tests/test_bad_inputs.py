"""Bad input never stops a scan: each bad file is one `errors` entry, the good call
sites beside it are still reported, nothing is printed on stderr, and no message
carries the file's text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FIXTURES,
    ROOT,
    MakeRepo,
    RunCli,
    ScanJson,
    errors_by_path,
    fake_key,
    sites,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.analyse import analyse
from auditor.model import FileFacts

BAD = FIXTURES / "bad-inputs"
CHAT = "openai.OpenAI.chat.completions.create"
EMBED = "openai.OpenAI.embeddings.create"

GOOD_SITES = [
    ("app.py", 7, 13, "chat", CHAT, "gpt-4o-mini"),
    ("pkg/bom.py", 5, 11, "embedding", EMBED, "text-embedding-3-small"),
    ("pkg/crlf.py", 9, 12, "chat", CHAT, "gpt-4o-mini"),
    ("pkg/latin1_cookie.py", 6, 24, "chat", CHAT, "gpt-4o"),
]
FIXTURE_ERRORS = {
    "broken.py": "parse-error",
    "legacy_py2.py": "parse-error",
    "notebooks/truncated.ipynb": "parse-error",
    "pkg/compiled.py": "binary",
    "pkg/latin1_no_cookie.py": "decode-error",
    "pyproject.toml": "config-error",
}


def assert_no_source_text(root: Path, report: dict[str, Any]) -> None:
    """No error message quotes a line (or a long identifier) of the file it is about."""
    for error in report["errors"]:
        path = root / error["path"]
        if not error["path"] or not path.is_file() or path.is_symlink():
            continue
        text = path.read_bytes().decode("latin-1")
        fragments = {line.strip() for line in text.splitlines() if len(line.strip()) >= 6}
        fragments |= {word for word in text.replace('"', " ").split() if len(word) >= 8}
        leaked = sorted(f for f in fragments if f in error["message"])
        assert leaked == [], (error, leaked)


def copy_fixture(tmp_path: Path) -> Path:
    root = tmp_path / "bad-inputs"
    shutil.copytree(BAD, root)
    return root


# ------------------------------------------------------------- the fixture


def test_fixture_files_are_what_they_claim() -> None:
    assert b"\0" in (BAD / "pkg/compiled.py").read_bytes()
    latin = (BAD / "pkg/latin1_no_cookie.py").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        latin.decode("utf-8")
    assert b"\xe9" in latin
    cookie = (BAD / "pkg/latin1_cookie.py").read_bytes()
    assert cookie.startswith(b"# -*- coding: latin-1 -*-\n") and b"\xe0" in cookie
    assert (BAD / "pkg/bom.py").read_bytes().startswith(b"\xef\xbb\xbf")
    crlf = (BAD / "pkg/crlf.py").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") == 11
    with pytest.raises(json.JSONDecodeError):
        json.loads((BAD / "notebooks/truncated.ipynb").read_text("utf-8"))
    assert b'print "asking the model"' in (BAD / "legacy_py2.py").read_bytes()


def test_scan_of_the_fixture(scan_json: ScanJson, tmp_path: Path) -> None:
    root = tmp_path / "bad-inputs"  # a copy: nothing left in the fixture can matter
    shutil.copytree(BAD, root, symlinks=True)
    report = scan_json(root, expect_code=0)
    errors = errors_by_path(report)
    assert {path: [kind for kind, _ in found] for path, found in errors.items()} == {
        path: [kind] for path, kind in FIXTURE_ERRORS.items()
    }
    assert sites(report) == GOOD_SITES
    assert report["inventory"]["providers"] == ["openai"]
    # Only the recommendation: the broken files cost nothing else.
    assert [(f["rule_id"], f["severity"]) for f in report["findings"]] == [("AD001", "note")]
    assert errors["legacy_py2.py"][0][1] == (
        "invalid Python syntax at line 5, column 1 (this looks like Python 2 code)"
    )
    assert errors["pkg/latin1_no_cookie.py"][0][1] == "not valid UTF-8 and no coding cookie"
    assert errors["pyproject.toml"][0][1].startswith("not valid TOML, default settings used: ")
    assert "line 7" in errors["pyproject.toml"][0][1]
    assert_no_source_text(BAD, report)


def test_call_sites_land_on_the_stored_lines() -> None:
    for path, line, column, *_ in GOOD_SITES:
        data = (BAD / path).read_bytes()
        encoding = "latin-1" if "latin1" in path else "utf-8-sig"
        stored = data.decode(encoding).replace("\r\n", "\n").split("\n")[line - 1]
        assert stored[column - 1 :].startswith("client."), (path, stored)


def test_every_format_survives_the_fixture(run_cli: RunCli) -> None:
    for fmt in ("terminal", "json", "sarif", "markdown", "github"):
        code, out, err = run_cli("scan", BAD, "--format", fmt, "--no-cache")
        assert (code, err) == (0, ""), fmt
        assert "Traceback" not in out
        assert "truncated.ipynb" in out, fmt


# ------------------------------------------------- generated bad inputs

OK_CALL = (
    "import openai\n"
    "client = openai.OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def _deep_files() -> dict[str, str]:
    return {
        "deep/unary.py": "x = " + "-" * 100_000 + "1\n",
        "deep/sum.py": "import openai\nx = " + " + ".join(["a"] * 50_000) + "\n",
        "deep/attributes.py": "import openai\nx = a" + ".b" * 20_000 + "\n",
        "deep/calls.py": "import openai\nx = f" + "()" * 5_000 + "\n",
        "deep/elif.py": "import openai\nif a:\n    pass\n" + "elif a:\n    pass\n" * 5_000,
    }


def test_too_deep_files(tmp_path: Path, make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo({**_deep_files(), "ok.py": OK_CALL})
    report = scan_json(root, expect_code=0)
    errors = errors_by_path(report)
    assert {path: [kind for kind, _ in found] for path, found in errors.items()} == {
        path: ["too-deep"] for path in _deep_files()
    }
    assert sites(report) == [("ok.py", 3, 9, "chat", CHAT, "gpt-4o")]
    assert_no_source_text(root, report)


def test_moderate_nesting_is_fine(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    nested = "x = " + "(" * 100 + "1" + ")" * 100 + "\n"
    root = make_repo({"nested.py": OK_CALL + nested + OK_CALL.splitlines(keepends=True)[2]})
    report = scan_json(root, expect_code=0)
    assert report["errors"] == []
    assert [(s[0], s[1]) for s in sites(report)] == [("nested.py", 3), ("nested.py", 5)]


def test_indentation_past_pythons_limit(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    ifs = "".join("    " * depth + "if x:\n" for depth in range(120)) + "    " * 120 + "pass\n"
    root = make_repo({"ifs.py": "import openai\n" + ifs, "ok.py": OK_CALL})
    report = scan_json(root, expect_code=0)
    errors = errors_by_path(report)
    assert list(errors) == ["ifs.py"]
    assert len(errors["ifs.py"]) == 1
    assert errors["ifs.py"][0][0] in {"parse-error", "too-deep"}
    assert len(sites(report)) == 1


DEEP_LIST = "x = " + "[" * 5_000 + "]" * 5_000 + "\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deeply_nested_brackets_do_not_crash_the_scan(tmp_path: Path, jobs: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ok.py").write_text(OK_CALL, "utf-8")
    (root / "deep.py").write_text(DEEP_LIST, "utf-8")
    for index in range(20):  # enough files for the process pool
        (root / f"m{index}.py").write_text(OK_CALL, "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(root),
            "--no-cache",
            "--jobs",
            jobs,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    report = json.loads(done.stdout)
    assert errors_by_path(report) == {"deep.py": [("too-deep", report["errors"][0]["message"])]}
    assert len(report["inventory"]["call_sites"]) == 21


def test_too_large_with_a_config_file(tmp_path: Path, run_cli: RunCli, make_repo: MakeRepo) -> None:
    root = copy_fixture(tmp_path)
    (root / "big_module.py").write_text("x = 1\n" * 400, "utf-8")  # 2400 bytes
    config = tmp_path / "small.toml"
    config.write_text("max-file-size = 1500\n", "utf-8")
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "--config", config)
    assert (code, err) == (0, "")
    report = json.loads(out)
    errors = errors_by_path(report)
    assert errors["big_module.py"] == [
        (
            "too-large",
            "2400 bytes is over the 1500-byte cap; not parsed (text is still scanned for secrets)",
        )
    ]
    assert sites(report) == GOOD_SITES
    for path, kind in FIXTURE_ERRORS.items():
        if path != "pyproject.toml":
            assert [k for k, _ in errors[path]] == [kind], path


def test_broken_pyproject_is_reported_with_a_config_file(
    tmp_path: Path, scan_json: ScanJson
) -> None:
    config = tmp_path / "ci.toml"
    config.write_text('fail-on = "error"\n', "utf-8")
    report = scan_json(BAD, "--config", str(config))
    assert [k for k, _ in errors_by_path(report).get("pyproject.toml", [])] == ["config-error"]


def test_symlink_loops_and_dangling_links(tmp_path: Path, scan_json: ScanJson) -> None:
    root = copy_fixture(tmp_path)
    try:
        (root / "loop_a.py").symlink_to("loop_b.py")
        (root / "loop_b.py").symlink_to("loop_a.py")
        (root / "self.py").symlink_to("self.py")
        (root / "dangling.py").symlink_to("gone/away.py")
        (root / "pkg" / "cycle").symlink_to("..")
    except OSError as exc:  # pragma: no cover
        pytest.skip(f"symlinks unavailable: {exc}")
    report = scan_json(root, expect_code=0)
    errors = errors_by_path(report)
    expected = {
        **FIXTURE_ERRORS,
        "loop_a.py": "symlink-loop",
        "loop_b.py": "symlink-loop",
        "self.py": "symlink-loop",
        "dangling.py": "broken-symlink",
        "pkg/cycle": "symlink",  # a link to a folder: reported, never followed
    }
    assert {p: [k for k, _ in found] for p, found in errors.items()} == {
        p: [k] for p, k in expected.items()
    }
    assert sites(report) == GOOD_SITES


def test_other_odd_files(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo(
        {
            "empty.py": b"",
            "empty.ipynb": b"",
            "utf16.py": "import openai\n".encode("utf-16"),
            "late_nul.py": b"import openai\n" + b"x = 1\n" * 2000 + b"\0\n",
            "cp1252.py": b"# \x93smart quotes\x94\nx = 1\n",
            "bad_cookie_utf8.py": b"# coding: utf-8\nx = '\xff'\n",
            "notes.txt": b"\0\0\0 binary in a text file is simply not read",
            "image.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "binary.ipynb": b"\0\x01\x02openai",
            "cells_not_list.ipynb": b'{"cells": {"a": 1}, "nbformat": 4}',
            "ok.py": OK_CALL,
            "mac_cr.py": OK_CALL.replace("\n", "\r").encode(),
        }
    )
    report = scan_json(root, expect_code=0)
    errors = errors_by_path(report)
    kinds = {p: [k for k, _ in found] for p, found in errors.items()}
    assert kinds == {
        "empty.ipynb": ["parse-error"],
        "utf16.py": ["binary"],
        "late_nul.py": ["parse-error"],
        "cp1252.py": ["decode-error"],
        "bad_cookie_utf8.py": ["decode-error"],
        "binary.ipynb": ["binary"],
        "cells_not_list.ipynb": ["parse-error"],
    }
    assert [(s[0], s[1], s[2]) for s in sites(report)] == [("mac_cr.py", 3, 9), ("ok.py", 3, 9)]
    assert_no_source_text(root, report)


# ----------------------------------------------------------------- property

NAMES = st.sampled_from(["x.py", "x.ipynb", "x.txt", "pkg/x.pyi", "requirements.txt"])
TOKENS = st.sampled_from(
    [
        "import openai\n",
        "from openai import OpenAI\n",
        "client = OpenAI()\n",
        "client = openai.OpenAI()\n",
        "client.chat.completions.create(",
        "client.embeddings.create(",
        "model=",
        '"gpt-4o"',
        "'",
        '"',
        '"""',
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "=",
        "\n",
        "\r\n",
        "\r",
        "    ",
        "\t",
        "\\",
        "f'{",
        "# ragfit: ignore[SC007]",
        "def f(",
        "class C:\n",
        "lambda: ",
        "async ",
        "await ",
        "x",
        "1",
        "é",
        "\u2028",
        "\x0c",
        "\0",
        "sk-proj-",
        "Qz8N3vR2tY7uK1mW5pX9cB4dF6gH2jL7aS8eD3rT5yU7iO1pZ4",
    ]
)


def _check(path: str, data: bytes) -> None:
    facts = analyse(path, data)
    assert isinstance(facts, FileFacts)
    raw = facts.to_dict()
    assert FileFacts.from_dict(json.loads(json.dumps(raw))) == facts
    for site in facts.call_sites:
        assert site.path == path and site.line >= 1 and site.column >= 1
    for error in facts.errors:
        assert error.path == path and error.kind and error.message


@settings(max_examples=300, deadline=None, database=None)
@given(path=NAMES, data=st.binary(max_size=2000))
def test_analyse_never_raises_on_bytes(path: str, data: bytes) -> None:
    _check(path, data)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(path=NAMES, parts=st.lists(TOKENS, max_size=80), encoding=st.sampled_from(["utf-8", "bom"]))
def test_analyse_never_raises_on_python_ish_text(
    path: str, parts: list[str], encoding: str
) -> None:
    data = "".join(parts).encode("utf-8")
    if encoding == "bom":
        data = b"\xef\xbb\xbf" + data
    _check(path, data)
    if path.endswith(".ipynb"):
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": "".join(parts)}
        notebook = json.dumps({"cells": [cell], "nbformat": 4}, indent=1).encode()
        _check(path, notebook)


ODD_LINES = ["x = 1", "\x0c", "# see \u2028 above", "y = 2  # \x85", "s = '\x1c'"]


@pytest.mark.parametrize("odd", ODD_LINES, ids=repr)
def test_column_after_characters_that_splitlines_breaks_at(odd: str) -> None:
    call_line = "x = 'ééé'; r = client.chat.completions.create(model='m', messages=[])"
    source = f"import openai\n{odd}\nclient = openai.OpenAI()\n{call_line}\n"
    facts = analyse("a.py", source.encode("utf-8"))
    assert facts.errors == ()
    (site,) = facts.call_sites
    assert (site.line, site.column) == (4, call_line.index("client") + 1)


def test_a_scanner_bug_on_one_file_is_its_errors_entry_in_one_process(
    make_repo: MakeRepo, scan_json: ScanJson, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --jobs 1 no worker stands between a scanner's exception and the
    scan: the file becomes an internal-error entry (its type, not its text),
    its key is still found, and the other files are scanned."""
    import auditor.analyse

    real = auditor.analyse._analyse
    key = fake_key("sk-proj-", 48, 7)

    def buggy(path: str, data: bytes) -> FileFacts:
        if path == "boom.py":
            raise ValueError("a scanner bug, with the file's text: " + data.decode())
        return real(path, data)

    monkeypatch.setattr(auditor.analyse, "_analyse", buggy)
    root = make_repo(
        {
            "boom.py": f'KEY = "{key}"\n',
            "app.py": (
                "from openai import OpenAI\n\n"
                "OpenAI().chat.completions.create(model='gpt-4o', messages=[])\n"
            ),
        }
    )
    report = scan_json(root, "--jobs", "1", "--no-cache")
    assert errors_by_path(report)["boom.py"] == [("internal-error", "analysis failed (ValueError)")]
    assert [
        (f["rule_id"], f["path"], f["line"]) for f in report["findings"] if f["rule_id"] == "SC007"
    ] == [("SC007", "boom.py", 1)]
    assert [s[:2] for s in sites(report)] == [("app.py", 3)]
    assert key not in json.dumps(report)


def test_a_partial_with_keywords_called_with_a_positional_argument() -> None:
    """functools.partial(f, model=...)(x) is f(x, model=...): libcst refuses a
    call whose positional argument follows a keyword, which ended the scan of
    langchain-community (1,200 files) with a traceback."""
    from auditor.scanners.python import scan_source

    source = (
        "import functools\nfrom openai import OpenAI\n\n"
        "create = functools.partial(OpenAI().embeddings.create, model='text-embedding-3-small')\n"
        "create('some text')\n"
        "odd = functools.partial(OpenAI().chat.completions.create, **{'model': 'gpt-4o'})\n"
        "odd([])\n"
    )
    found = scan_source("emb.py", source)
    assert [(s.line, s.capability, s.model) for s in found.call_sites] == [
        (5, "embedding", "text-embedding-3-small"),
        (7, "chat", None),
    ]
