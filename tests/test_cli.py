"""The command line contract: exit codes, one-line errors, selection and suppression,
baselines, --diff-base, --output, formats, rules/explain, entry points."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FIXTURES,
    ROOT,
    GitRepo,
    MakeRepo,
    RunCli,
    ScanJson,
    commit_all,
    fake_key,
    findings,
    git,
)

from auditor import __version__

KEY = fake_key("sk-proj-", 48, seed=1)
KEY2 = fake_key("sk-proj-", 48, seed=2)
GH_TOKEN = fake_key("ghp_", 36, seed=3)

CLEAN = (
    "from openai import OpenAI\n"
    "\n"
    "client = OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
)
# AD110 warning (retired model) on line 4.
RETIRED = CLEAN.replace("gpt-4o-mini", "gpt-4-32k")
# AD110 note (legacy embedding model) on line 4.
LEGACY = (
    "from openai import OpenAI\n"
    "\n"
    "client = OpenAI()\n"
    'vectors = client.embeddings.create(model="text-embedding-ada-002", input=["x"])\n'
)
# SC007 error on line 1.
SECRET = f'OPENAI_KEY = "{KEY}"\n'


def _one_line_error(code: int, out: str, err: str) -> str:
    assert code == 2, (code, out, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith("ragfit: error: "), err
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    return err


# ---------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    ("files", "flags", "expected"),
    [
        pytest.param({"app.py": CLEAN}, (), 0, id="clean"),
        pytest.param({"app.py": CLEAN, "k.py": SECRET}, (), 1, id="error-finding"),
        pytest.param({"k.py": SECRET}, ("--fail-on", "never"), 0, id="error-fail-on-never"),
        pytest.param({"k.py": SECRET}, ("--exit-zero",), 0, id="error-exit-zero"),
        pytest.param({"k.py": SECRET}, ("--fail-on", "note"), 1, id="error-fail-on-note"),
        pytest.param({"app.py": RETIRED}, (), 0, id="warning-default"),
        pytest.param({"app.py": RETIRED}, ("--fail-on", "warning"), 1, id="warning-fail-warning"),
        pytest.param({"app.py": RETIRED}, ("--fail-on", "note"), 1, id="warning-fail-note"),
        pytest.param({"app.py": RETIRED}, ("--fail-on", "error"), 0, id="warning-fail-error"),
        pytest.param({"app.py": LEGACY}, ("--fail-on", "warning"), 0, id="note-fail-warning"),
        pytest.param({"app.py": LEGACY}, ("--fail-on", "note"), 1, id="note-fail-note"),
        pytest.param(
            {"app.py": LEGACY}, ("--fail-on", "note", "--exit-zero"), 0, id="note-exit-zero"
        ),
        pytest.param(
            {"app.py": RETIRED, "pyproject.toml": '[tool.ragfit]\nfail-on = "warning"\n'},
            (),
            1,
            id="config-fail-on-warning",
        ),
        pytest.param(
            {"app.py": RETIRED, "pyproject.toml": '[tool.ragfit]\nfail-on = "warning"\n'},
            ("--fail-on", "error"),
            0,
            id="flag-overrides-config",
        ),
    ],
)
def test_exit_codes(
    make_repo: MakeRepo,
    run_cli: RunCli,
    files: dict[str, str],
    flags: tuple[str, ...],
    expected: int,
) -> None:
    root = make_repo(files)
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", *flags)
    assert (code, err) == (expected, "")
    report = json.loads(out)
    assert report["errors"] == []


def test_severities_behind_the_exit_codes(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo({"w.py": RETIRED, "n.py": LEGACY, "k.py": SECRET})
    report = scan_json(root, "--ignore", "AD001", expect_code=1)
    assert [(f["rule_id"], f["path"], f["line"], f["severity"]) for f in report["findings"]] == [
        ("SC007", "k.py", 1, "error"),
        ("AD110", "n.py", 4, "note"),
        ("AD110", "w.py", 4, "warning"),
    ]
    assert report["summary"]["findings"] == {"error": 1, "warning": 1, "note": 1}


# ------------------------------------------------------------ usage errors


def _broken_config(tmp_path: Path) -> str:
    path = tmp_path / "broken.toml"
    path.write_text('[tool.ragfit\nselect = ["SC"]\n', "utf-8")
    return str(path)


def _not_json_baseline(tmp_path: Path) -> str:
    path = tmp_path / "baseline.json"
    path.write_text("this is not json\n", "utf-8")
    return str(path)


USAGE_CASES: dict[str, tuple[Any, str]] = {
    # name: (function(tmp_path, repo) -> argv, text the message must contain)
    "missing-path": (lambda t, r: ["scan", str(t / "nowhere")], "no such file or directory"),
    "path-is-a-file": (lambda t, r: ["scan", str(r / "app.py")], "not a directory"),
    "unknown-flag": (lambda t, r: ["scan", str(r), "--frobnicate"], "--frobnicate"),
    "unknown-format": (lambda t, r: ["scan", str(r), "--format", "xml"], "xml"),
    "unknown-fail-on": (lambda t, r: ["scan", str(r), "--fail-on", "sometimes"], "sometimes"),
    "config-missing": (
        lambda t, r: ["scan", str(r), "--config", str(t / "missing.toml")],
        "missing.toml",
    ),
    "config-broken-toml": (
        lambda t, r: ["scan", str(r), "--config", _broken_config(t)],
        "invalid TOML",
    ),
    "select-no-rule": (lambda t, r: ["scan", str(r), "--select", "XX999"], "XX999"),
    "ignore-no-rule": (lambda t, r: ["scan", str(r), "--ignore", "SC007,QQ"], "QQ"),
    "jobs-zero": (lambda t, r: ["scan", str(r), "--jobs", "0"], "--jobs"),
    "jobs-not-a-number": (lambda t, r: ["scan", str(r), "--jobs", "many"], "many"),
    "baseline-not-json": (
        lambda t, r: ["scan", str(r), "--baseline", _not_json_baseline(t)],
        "baseline",
    ),
    "vuln-db-missing": (lambda t, r: ["scan", str(r), "--vuln-db", str(t / "osv")], "--vuln-db"),
    "python-missing": (lambda t, r: ["scan", str(r), "--python", str(t / "py")], "--python"),
    "explain-unknown": (lambda t, r: ["explain", "NOPE"], "NOPE"),
}


def test_explain_a_reserved_rule(monkeypatch: pytest.MonkeyPatch, run_cli: RunCli) -> None:
    """Every catalog id is implemented now; a reserved one (no rule class yet)
    still gets one clear line."""
    monkeypatch.setattr("auditor.cli.rule_by_id", lambda rule_id: None)
    code, out, err = run_cli("explain", "LC001")
    assert (code, out) == (2, "")
    assert err == "ragfit: error: LC001 is reserved and not implemented yet\n"


@pytest.mark.parametrize("case", sorted(USAGE_CASES))
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli, case: str
) -> None:
    repo = make_repo({"app.py": CLEAN, "k.py": SECRET})
    build, needle = USAGE_CASES[case]
    argv = build(tmp_path, repo)
    if argv[0] == "scan":
        argv.append("--no-cache")
    err = _one_line_error(*run_cli(*argv))
    assert needle in err
    assert not (repo / ".ragfit_cache").exists()


@pytest.mark.parametrize(
    ("pyproject", "needle"),
    [
        pytest.param("[tool.ragfit]\nfrobnicate = true\n", "`frobnicate`", id="unknown-key"),
        pytest.param(
            '[tool.ragfit]\nselect = ["SC"]\nbogus-one = 1\nbogus-two = 2\n',
            "`bogus-one`, `bogus-two`",
            id="two-unknown-keys",
        ),
        pytest.param('[tool.ragfit]\nfail-on = "sometimes"\n', "`fail-on`", id="fail-on-value"),
        pytest.param('[tool.ragfit]\nmax-file-size = "1MB"\n', "`max-file-size`", id="size-type"),
        pytest.param("[tool.ragfit]\nselect = 7\n", "`select`", id="select-type"),
        pytest.param('[tool.ragfit]\nselect = ["ZZ1"]\n', "ZZ1", id="select-matches-nothing"),
    ],
)
def test_bad_tool_ragfit_in_scanned_repo_exits_2(
    make_repo: MakeRepo, run_cli: RunCli, pyproject: str, needle: str
) -> None:
    root = make_repo({"app.py": CLEAN, "pyproject.toml": pyproject})
    err = _one_line_error(*run_cli("scan", root, "--format", "json", "--no-cache"))
    assert needle in err


def test_diff_base_unknown_ref_in_git_repo(git_repo: GitRepo, run_cli: RunCli) -> None:
    root = git_repo({"app.py": CLEAN})
    err = _one_line_error(
        *run_cli("scan", root, "--diff-base", "not-a-ref", "--format", "json", "--no-cache")
    )
    assert "not-a-ref" in err


def test_diff_base_unknown_ref_message_says_what_is_wrong(
    git_repo: GitRepo, run_cli: RunCli
) -> None:
    root = git_repo({"app.py": CLEAN})
    err = _one_line_error(
        *run_cli("scan", root, "--diff-base", "not-a-ref", "--format", "json", "--no-cache")
    )
    assert "<command>" not in err  # not git's usage hint
    assert re.search(r"no such|unknown revision|bad revision|not a valid", err), err


def test_diff_base_outside_git_says_not_a_git_repository(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"app.py": CLEAN})
    err = _one_line_error(
        *run_cli("scan", root, "--diff-base", "HEAD", "--format", "json", "--no-cache")
    )
    assert "--output" not in err  # not `git diff --no-index` usage text
    assert "not in a git work tree" in err or "not a git repository" in err, err


def test_no_command_prints_help_and_exits_2(run_cli: RunCli) -> None:
    code, out, err = run_cli()
    assert code == 2
    assert "scan" in out and "explain" in out
    assert "Traceback" not in err


# ------------------------------------------------------- select and ignore

MIXED = {
    "app.py": RETIRED,  # AD110 line 4
    "keys.py": SECRET,  # SC007 line 1
}


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        pytest.param(
            (), [("SC007", "keys.py", 1), ("AD001", "app.py", 4), ("AD110", "app.py", 4)], id="all"
        ),
        pytest.param(("--select", "SC"), [("SC007", "keys.py", 1)], id="select-prefix-SC"),
        pytest.param(("--select", "sc007"), [("SC007", "keys.py", 1)], id="select-lowercase"),
        pytest.param(("--select", "AD1"), [("AD110", "app.py", 4)], id="select-prefix-AD1"),
        pytest.param(
            ("--ignore", "SC007"),
            [("AD001", "app.py", 4), ("AD110", "app.py", 4)],
            id="ignore-SC007",
        ),
        pytest.param(("--ignore", "AD"), [("SC007", "keys.py", 1)], id="ignore-prefix-AD"),
        pytest.param(
            ("--select", "SC,AD", "--ignore", "AD110"),
            [("SC007", "keys.py", 1), ("AD001", "app.py", 4)],
        ),
        pytest.param(("--select", "AD0"), [("AD001", "app.py", 4)], id="select-prefix-AD0"),
        pytest.param(("--select", "AD101"), [], id="select-reserved-rule"),
    ],
)
def test_select_and_ignore(
    make_repo: MakeRepo, scan_json: ScanJson, flags: tuple[str, ...], expected: list[Any]
) -> None:
    report = scan_json(make_repo(MIXED), *flags)
    assert sorted(findings(report)) == sorted(expected)


def test_pyproject_ignore_in_scanned_repo(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo({**MIXED, "pyproject.toml": '[tool.ragfit]\nignore = ["SC007"]\n'})
    report = scan_json(root, expect_code=0)
    assert findings(report) == [("AD001", "app.py", 4), ("AD110", "app.py", 4)]


def test_ragfit_toml_select(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo({**MIXED, "ragfit.toml": 'select = ["AD"]\n'})
    assert findings(scan_json(root, expect_code=0)) == [
        ("AD001", "app.py", 4),
        ("AD110", "app.py", 4),
    ]


def test_command_line_select_overrides_config(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo({**MIXED, "pyproject.toml": '[tool.ragfit]\nselect = ["AD"]\n'})
    assert findings(scan_json(root, "--select", "SC", expect_code=1)) == [("SC007", "keys.py", 1)]


def test_per_path_ignores(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo(
        {
            "legacy/old.py": RETIRED,
            "src/new.py": RETIRED,
            "tests/fixtures/keys.py": SECRET,
            "src/keys.py": SECRET,
            "pyproject.toml": (
                '[tool.ragfit.per-path-ignores]\n"legacy/**" = ["AD110"]\n"tests/**" = ["SC"]\n'
            ),
        }
    )
    report = scan_json(root, expect_code=1)
    assert findings(report) == [
        ("AD001", "legacy/old.py", 4),  # the recommendation is placed at the first call
        ("SC007", "src/keys.py", 1),
        ("AD110", "src/new.py", 4),
    ]
    assert report["summary"]["suppressed"] == 2


# ------------------------------------------------------- inline suppression


def test_inline_suppression_in_python(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo(
        {
            "a.py": f'KEY = "{KEY}"  # ragfit: ignore[SC007]\n',
            "b.py": f'KEY = "{KEY2}"  # ragfit: ignore\n',
            "c.py": f'KEY = "{KEY}"  # ragfit:ignore[ sc007 , AD110 ]\n',
            # On the line above, a comment suppresses nothing.
            "d.py": f'# ragfit: ignore[SC007]\nKEY = "{KEY2}"\n',
            # An id for another rule suppresses nothing.
            "e.py": f'KEY = "{KEY}"  # ragfit: ignore[AD110]\n',
        }
    )
    report = scan_json(root, expect_code=1)
    assert findings(report) == [
        ("RF002", "c.py", 1),  # AD110 ran and found nothing there
        ("RF002", "d.py", 1),  # hides nothing on its own line
        ("SC007", "d.py", 2),
        ("SC007", "e.py", 1),
        ("RF002", "e.py", 1),
    ]
    assert report["summary"]["suppressed"] == 3


def test_rule_specific_ignore_keeps_the_other_rule_on_the_same_line(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    line = f'client.chat.completions.create(model="gpt-4-32k", api_key="{KEY}", messages=[])'
    head = "from openai import OpenAI\nclient = OpenAI()\n"
    root = make_repo(
        {
            "a.py": f"{head}{line}  # ragfit: ignore[AD110]\n",
            "b.py": f"{head}{line}  # ragfit: ignore[SC007]\n",
            "c.py": f"{head}{line}  # ragfit: ignore\n",
        }
    )
    report = scan_json(root, expect_code=1)
    assert findings(report) == [("AD001", "a.py", 3), ("SC007", "a.py", 3), ("AD110", "b.py", 3)]
    assert report["summary"]["suppressed"] == 4


@pytest.mark.parametrize(
    ("name", "template"),
    [
        pytest.param("config.yaml", "openai:\n  api_key: {key}  {comment}\n", id="yaml"),
        pytest.param("settings.toml", '[openai]\napi_key = "{key}"  {comment}\n', id="toml"),
        pytest.param(
            "requirements.txt",
            "requests==2.32.3\n"
            "private-lib @ https://x-access-token:{gh}@github.com/acme/lib/archive/v1.tar.gz"
            "  {comment}\n",
            id="requirements",
        ),
        pytest.param("infra/main.tf", 'variable "key" {{\n  default = "{key}"  {comment}\n}}\n'),
    ],
)
@pytest.mark.parametrize("comment", ["# ragfit: ignore[SC007]", "# ragfit: ignore"])
def test_inline_suppression_in_other_files(
    make_repo: MakeRepo, scan_json: ScanJson, name: str, template: str, comment: str
) -> None:
    suppressed = make_repo({name: template.format(key=KEY, gh=GH_TOKEN, comment=comment)})
    report = scan_json(suppressed, "--select", "SC007", expect_code=0)
    assert report["findings"] == []
    assert report["summary"]["suppressed"] == 1
    # The same file without the comment is reported, on line 2.
    plain = make_repo({name: template.format(key=KEY, gh=GH_TOKEN, comment="")})
    assert findings(scan_json(plain, "--select", "SC007", expect_code=1)) == [("SC007", name, 2)]


# ------------------------------------------------------------------ baseline


def test_baseline_written_then_applied(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"app.py": RETIRED, "keys.py": SECRET})
    baseline = tmp_path / "ragfit-baseline.json"
    report_file = tmp_path / "report.json"
    # --write-baseline records the findings and still reports them, with the
    # exit code they deserve (the SC007 error), and writes --output as asked.
    code, out, err = run_cli(
        "scan", root, "--write-baseline", baseline, "--format", "json", "--no-cache",
        "--output", report_file,
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == f"ragfit: wrote a baseline of 3 findings to {baseline}\n"
    assert findings(json.loads(report_file.read_text("utf-8"))) == [
        ("AD001", "app.py", 4),
        ("AD110", "app.py", 4),
        ("SC007", "keys.py", 1),
    ]
    data = json.loads(baseline.read_text("utf-8"))
    assert data["kind"] == "baseline"
    assert sorted((f["rule_id"], f["path"], f["line"]) for f in data["findings"]) == [
        ("AD001", "app.py", 4),
        ("AD110", "app.py", 4),
        ("SC007", "keys.py", 1),
    ]
    assert all(len(f["fingerprint"]) >= 16 for f in data["findings"])
    assert KEY not in baseline.read_text("utf-8")

    # Second run: all three findings are known; an unrelated edit above does not matter.
    (root / "keys.py").write_text(f'"""Keys."""\n\n\nOPENAI_KEY = "{KEY}"\n', "utf-8")
    code, out, err = run_cli("scan", root, "--baseline", baseline, "--format", "json", "--no-cache")
    report = json.loads(out)
    assert (code, err) == (0, "")
    assert report["findings"] == []
    assert report["summary"]["baselined"] == 3

    # A new finding is reported; the baselined ones stay hidden.
    (root / "more.py").write_text(f'OTHER = "{KEY2}"\n', "utf-8")
    code, out, err = run_cli("scan", root, "--baseline", baseline, "--format", "json", "--no-cache")
    report = json.loads(out)
    assert (code, err) == (1, "")
    assert findings(report) == [("SC007", "more.py", 1)]
    assert report["summary"]["baselined"] == 3
    # --baseline only reads: the file is never rewritten by it.
    assert json.loads(baseline.read_text("utf-8")) == data

    # Both: the old baseline hides, the new one records old and new findings.
    refreshed = tmp_path / "refreshed.json"
    code, out, err = run_cli(
        "scan", root, "--baseline", baseline, "--write-baseline", refreshed, "--format", "json",
        "--no-cache",
    )  # fmt: skip
    assert (code, findings(json.loads(out))) == (1, [("SC007", "more.py", 1)])
    assert err == f"ragfit: wrote a baseline of 4 findings to {refreshed}\n"
    assert len(json.loads(refreshed.read_text("utf-8"))["findings"]) == 4


def test_missing_baseline_is_an_error(tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli) -> None:
    """A mistyped --baseline path must not silently turn gating off."""
    root = make_repo({"keys.py": SECRET})
    missing = tmp_path / "no-such-baseline.json"
    err = _one_line_error(*run_cli("scan", root, "--baseline", missing, "--no-cache"))
    assert err == (
        f"ragfit: error: --baseline {missing}: no such file "
        f"(make one with --write-baseline {missing})\n"
    )
    assert not missing.exists()


def test_full_json_report_works_as_a_baseline(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"keys.py": SECRET})
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache")
    assert code == 1
    report_file = tmp_path / "report.json"
    report_file.write_text(out, "utf-8")
    code, out, err = run_cli(
        "scan", root, "--baseline", report_file, "--format", "json", "--no-cache"
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["baselined"] == 1


# ----------------------------------------------------------------- diff-base


def test_diff_base_reports_only_changed_files(git_repo: GitRepo, scan_json: ScanJson) -> None:
    root = git_repo({"old.py": SECRET, "changed.py": "X = 1\n", "sub/app.py": CLEAN})
    (root / "changed.py").write_text(f'X = 1\nTOKEN = "{KEY2}"\n', "utf-8")  # unstaged
    (root / "untracked.py").write_text(f'T = "{KEY}"\n', "utf-8")
    (root / "sub" / "app.py").write_text(RETIRED, "utf-8")
    report = scan_json(root, "--diff-base", "HEAD", "--ignore", "AD001", expect_code=1)
    assert sorted(findings(report)) == [
        ("AD110", "sub/app.py", 4),
        ("SC007", "changed.py", 2),
        ("SC007", "untracked.py", 1),
    ]
    # Without --diff-base the old secret is there too.
    assert ("SC007", "old.py", 1) in findings(scan_json(root))


def test_diff_base_against_an_older_commit(git_repo: GitRepo, scan_json: ScanJson) -> None:
    root = git_repo({"old.py": SECRET})
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "second.py").write_text(f'T = "{KEY2}"\n', "utf-8")
    commit_all(root, "second")
    assert findings(scan_json(root, "--diff-base", base)) == [("SC007", "second.py", 1)]
    assert findings(scan_json(root, "--diff-base", "HEAD")) == []


def test_diff_base_scanning_a_subfolder(git_repo: GitRepo, scan_json: ScanJson) -> None:
    root = git_repo({"svc/a.py": "A = 1\n", "svc/b.py": SECRET, "other.py": "B = 2\n"})
    (root / "svc" / "a.py").write_text(f'A = "{KEY2}"\n', "utf-8")
    (root / "other.py").write_text(f'B = "{KEY}"\n', "utf-8")
    report = scan_json(root / "svc", "--diff-base", "HEAD", expect_code=1)
    assert findings(report) == [("SC007", "a.py", 1)]


# -------------------------------------------------------------------- output


def _untimed(text: str) -> str:
    return re.sub(r"\b\d+\.\d+s\b", "<seconds>", text)


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown", "github"])
def test_output_file_is_written_and_stdout_stays_empty(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli, fmt: str
) -> None:
    root = make_repo({"keys.py": SECRET, "app.py": RETIRED})
    code, direct, _ = run_cli("scan", root, "--format", fmt, "--no-cache")
    assert code == 1
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    target = out_dir / f"report.{fmt}"
    target.write_text("old content\n", "utf-8")
    keep = out_dir / "hard-link-to-old"
    os.link(target, keep)
    code, out, err = run_cli("scan", root, "--format", fmt, "--no-cache", "--output", target)
    assert (code, out, err) == (1, "", "")
    written = target.read_text("utf-8")
    if fmt == "json":
        first, second = json.loads(direct), json.loads(written)
        del first["summary"]["seconds"], second["summary"]["seconds"]
        assert first == second
    else:
        assert _untimed(written) == _untimed(direct)
    # Replaced, not rewritten in place (atomic): the other link keeps the old text,
    # and no temporary file is left behind.
    assert keep.read_text("utf-8") == "old content\n"
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([target.name, keep.name])
    assert not (root / ".ragfit_cache").exists()


def test_terminal_output_file_is_written_atomically(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"keys.py": SECRET})
    target = tmp_path / "report.txt"
    target.write_text("old content\n", "utf-8")
    keep = tmp_path / "hard-link-to-old"
    os.link(target, keep)
    code, out, _ = run_cli("scan", root, "--no-cache", "--output", target)
    assert (code, out) == (1, "")
    assert "SC007" in target.read_text("utf-8")
    assert keep.read_text("utf-8") == "old content\n"


def test_terminal_output_file(tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"keys.py": SECRET})
    target = tmp_path / "report.txt"
    code, out, err = run_cli("scan", root, "--no-cache", "--output", target)
    assert (code, out, err) == (1, "", "")
    text = target.read_text("utf-8")
    assert "SC007" in text and "keys.py" in text
    assert "\x1b[" not in text  # no colour codes in a file


def test_output_into_missing_folder_is_a_usage_error(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"app.py": CLEAN})
    target = tmp_path / "no" / "such" / "dir" / "r.json"
    err = _one_line_error(
        *run_cli("scan", root, "--format", "json", "--no-cache", "--output", target)
    )
    assert "cannot write" in err


def test_terminal_output_into_missing_folder_is_a_usage_error(
    tmp_path: Path, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo({"app.py": CLEAN})
    target = tmp_path / "no" / "such" / "dir" / "r.txt"
    _one_line_error(*run_cli("scan", root, "--no-cache", "--output", target))


# ------------------------------------------------------------------- formats


def test_every_format(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"keys.py": SECRET, "app.py": RETIRED, "broken.py": "def f(:\n"})
    outputs = {}
    for fmt in ("json", "sarif", "markdown", "github", "terminal"):
        code, out, err = run_cli("scan", root, "--format", fmt, "--no-cache", "--ignore", "AD001")
        assert (code, err) == (1, ""), fmt
        outputs[fmt] = out

    report = json.loads(outputs["json"])
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "ragfit", "version": __version__}
    assert report["root"] == str(root.resolve())
    assert report["errors"] == [
        {"path": "broken.py", "kind": "parse-error", "message": report["errors"][0]["message"]}
    ]

    sarif = json.loads(outputs["sarif"])
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in run["results"]
    ) == [("AD110", "app.py"), ("SC007", "keys.py")]
    assert "automationDetails" not in run
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("broken.py" in json.dumps(n) for n in notes)

    assert outputs["markdown"].startswith("## ragfit")
    assert "SC007" in outputs["markdown"]

    lines = outputs["github"].splitlines()
    assert lines and all(line.startswith("::") for line in lines)
    assert any(line.startswith("::error file=keys.py,line=1,") for line in lines)
    assert any(line.startswith("::warning file=app.py,line=4,") for line in lines)
    assert any(line.startswith("::warning file=broken.py::") for line in lines)

    assert "SC007" in outputs["terminal"] and "AD110" in outputs["terminal"]


def test_sarif_category(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"app.py": CLEAN})
    code, out, _ = run_cli(
        "scan",
        root,
        "--format",
        "sarif",
        "--no-cache",
        "--ignore",
        "AD001",
        "--sarif-category",
        "ragfit/backend",
    )
    assert code == 0
    run = json.loads(out)["runs"][0]
    assert run["automationDetails"] == {"id": "ragfit/backend/"}
    assert run["results"] == []


def test_json_output_is_deterministic(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {
            "z.py": SECRET,
            "a/app.py": RETIRED,
            "a/emb.py": LEGACY,
            "m/bad.py": "def f(:\n",
            "m/ok.py": CLEAN,
            "n.ipynb": '{"cells": 3}',
        }
    )
    runs = []
    for _ in range(2):
        code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache")
        assert code == 1
        data = json.loads(out)
        assert isinstance(data["summary"].pop("seconds"), float)
        runs.append(data)
    assert runs[0] == runs[1]
    keys = [(f["path"], f["line"], f["column"], f["rule_id"]) for f in runs[0]["findings"]]
    assert keys == sorted(keys)
    assert [e["path"] for e in runs[0]["errors"]] == ["m/bad.py", "n.ipynb"]


# --------------------------------------------------------- rules and explain


def test_rules_lists_the_rules(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run_cli("rules")
    assert (code, err) == (0, "")
    rows = {line.split()[1]: line for line in out.splitlines() if "│" in line and line.split()[1:2]}
    assert "SC007" in rows and "hardcoded-secret" in rows["SC007"] and "error" in rows["SC007"]
    assert "AD110" in rows and "deprecated-model-or-api" in rows["AD110"]
    assert "note" in rows["AD110"]


def test_explain_prints_the_docs(run_cli: RunCli) -> None:
    code, out, err = run_cli("explain", "sc007")
    assert (code, err) == (0, "")
    assert out.startswith("# SC007 hardcoded-secret (error)\n")
    sections = ["## What it does", "## Why is this bad?", "## Example", "## How to fix"]
    positions = [out.find(s) for s in sections]
    assert all(p > 0 for p in positions)
    assert positions == sorted(positions)


# --------------------------------------------------------------- plain library


def test_plain_library_has_no_llm_use(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A copy: a cache or anything else left in the fixture by a manual scan cannot matter.
    shutil.copytree(FIXTURES / "plain-library", tmp_path / "plain-library")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("scan", "plain-library", "--format", "json", "--no-cache")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["root"] == str((tmp_path / "plain-library").resolve())
    assert report["summary"]["files"] == 10
    assert report["summary"]["python_files"] == 8
    assert report["inventory"]["call_sites"] == []
    assert report["inventory"]["providers"] == []
    assert report["profile"]["current_approach"] == "none"
    assert report["findings"] == []
    assert report["errors"] == []
    assert report["summary"]["findings"] == {"error": 0, "warning": 0, "note": 0}
    assert not (tmp_path / "plain-library" / ".ragfit_cache").exists()  # --no-cache wrote none


def test_plain_library_look_alikes_are_really_there() -> None:
    """The fixture keeps the traps the test above relies on."""
    lib = FIXTURES / "plain-library" / "textkit"
    assert "class OpenAI:" in (lib / "openai.py").read_text("utf-8")
    assert "    import openai\n" in (lib / "openai.py").read_text("utf-8")
    models = (lib / "models.py").read_text("utf-8")
    assert '"gpt-4o"' in models and "session.chat.completions.create(" in models
    assert "OpenAI().create(" in models
    assert "def embed(" in (lib / "embeddings.py").read_text("utf-8")
    assert "vectorstore = " in (lib / "index.py").read_text("utf-8")
    readme = (FIXTURES / "plain-library" / "README.md").read_text("utf-8")
    assert "sk-..." in readme


# ------------------------------------------------------------- entry points


def test_python_dash_m_version_from_the_project() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"ragfit {__version__}\n", "")


JSON_NO_CACHE = ("--format", "json", "--no-cache")


def test_python_dash_m_scan(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "fixtures/plain-library", *JSON_NO_CACHE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["inventory"]["call_sites"] == []


def test_python_dash_m_version_from_anywhere(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, f"ragfit {__version__}\n")


def _console_script() -> Path:
    script = Path(sys.executable).parent / ("ragfit.exe" if os.name == "nt" else "ragfit")
    if not script.exists():
        pytest.skip("the ragfit console script is not installed next to this Python")
    return script


def test_console_script_scans_the_plain_library() -> None:
    done = subprocess.run(
        [str(_console_script()), "scan", "fixtures/plain-library", *JSON_NO_CACHE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    report = json.loads(done.stdout)
    assert report["inventory"]["call_sites"] == []
    assert report["profile"]["current_approach"] == "none"
