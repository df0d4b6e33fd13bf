"""Dependencies across files: -r/-c includes, lock files joined to the direct
dependencies they resolve, and the JSON ``dependencies`` list."""

from __future__ import annotations

from pathlib import Path

from conftest import MakeRepo, ScanJson

from auditor.config import Config
from auditor.discover import discover
from auditor.engine import Options, _analyse_all, audit
from auditor.facts import RepoFacts

POETRY_LOCK = """\
[[package]]
name = "openai"
version = "1.54.4"
description = "The official Python library for the openai API"
optional = false
python-versions = ">=3.8"
files = []

[[package]]
name = "httpx"
version = "0.27.2"
description = "The next generation HTTP client."
optional = false
python-versions = ">=3.8"
files = []
"""

PYPROJECT = """\
[tool.poetry]
name = "support-bot"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
openai = "^1.30"
"""


def _facts(root: Path) -> RepoFacts:
    """The repository facts the engine builds, for properties reports do not show."""
    found = discover(root)
    analysis = _analyse_all(root, found.files, Options(use_cache=False, jobs=1))
    return RepoFacts(root, Config(), found.files, analysis.per_file)


def test_a_lock_file_gives_direct_dependencies_their_version(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    root = make_repo({"pyproject.toml": PYPROJECT, "poetry.lock": POETRY_LOCK})
    report = scan_json(root)
    rows = [
        (d["path"], d["line"], d["name"], d["specifier"], d["version"], d["pinned"])
        for d in report["dependencies"]
    ]
    assert rows == [
        ("poetry.lock", 1, "openai", "==1.54.4", "1.54.4", True),
        ("poetry.lock", 9, "httpx", "==0.27.2", "0.27.2", True),
        ("pyproject.toml", 7, "openai", "^1.30", "1.54.4", False),
    ]
    assert _facts(root).lock_files == ("poetry.lock",)


def test_sc002_is_quiet_with_a_lock_file_and_speaks_without(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    app = {"requirements.txt": "openai>=1.30\n"}
    assert [f["rule_id"] for f in scan_json(make_repo(app), "--select", "SC002")["findings"]] == [
        "SC002"
    ]
    locked = scan_json(make_repo({**app, "poetry.lock": POETRY_LOCK}), "--select", "SC002")
    assert locked["findings"] == []


def test_a_large_lock_file_is_still_seen(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    # Over the size cap for ordinary files, within the lock files' larger cap.
    padding = "# " + "x" * 98 + "\n"
    big = POETRY_LOCK + padding * 300
    root = make_repo({"requirements.txt": "openai>=1.30\n", "poetry.lock": big})
    (root / "ragfit.toml").write_text("max-file-size = 10000\n", "utf-8")
    report = scan_json(root, "--select", "SC002")
    assert report["findings"] == []
    assert [e for e in report["errors"] if e["path"] == "poetry.lock"] == []


def test_constraints_and_include_errors(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "requirements/prod.txt": "-r base.txt\n-c pins.txt\n-r missing.txt\nflask>=3\n",
            "requirements/base.txt": "-r prod.txt\nrequests==2.32.3\n",
            "requirements/pins.txt": "flask==3.0.3\n",
        }
    )
    facts = _facts(root)
    assert facts.constraint_files == frozenset({"requirements/pins.txt"})
    groups = {(d.path, d.name): d.group for d in facts.dependencies}
    assert groups[("requirements/pins.txt", "flask")] == "constraint"
    assert groups[("requirements/prod.txt", "flask")] == "main"
    kinds = sorted((e.path, e.kind) for e in facts.include_errors)
    assert kinds == [
        ("requirements/base.txt", "include-cycle"),
        ("requirements/prod.txt", "include-missing"),
    ]
    report = audit(root, Config(select=("SC002",)), Options(use_cache=False, jobs=1))
    assert [f.rule_id for f in report.findings] == []  # flask is pinned by the constraint


def test_terminal_dependency_summary_counts(make_repo: MakeRepo) -> None:
    from auditor.reporters.terminal import dependency_summary

    osv = Path(__file__).parent / "data" / "osv"
    root = make_repo(
        {
            "requirements.txt": "-c pins.txt\nrequests==2.28.0\nflask>=3\n"
            "tool @ git+https://github.com/acme/tool.git@main\n",
            "pins.txt": "flask==3.0.3\n",
            "poetry.lock": POETRY_LOCK,
        }
    )
    report = audit(root, Config(), Options(use_cache=False, jobs=1, vuln_db=osv))
    assert dependency_summary(report) == (
        "Dependencies: 3 (2 pypi, 1 vcs) · 1 pinned · 1 constraints · 2 locked · 1 vulnerable"
    )
    # What was not checked is in the summary line of every format.
    assert report.audit.sentence() == "2 dependencies not checked for vulnerabilities"
    assert (report.audit.source, report.audit.checked) == ("osv", 3)


def test_included_files_with_any_name_are_read(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "requirements.txt": "-r deps/common.in.txt\n-c pins.cfg\nflask>=3\n",
            "deps/common.in.txt": "-r more.list\nrequests==2.32.3\n",
            "deps/more.list": "httpx==0.27.2\nbad line ===\n",
            "pins.cfg": "flask==3.0.3\n",
        }
    )
    facts = _facts(root)
    assert sorted((d.path, d.name, d.group) for d in facts.dependencies) == [
        ("deps/common.in.txt", "requests", "main"),
        ("deps/more.list", "httpx", "main"),
        ("pins.cfg", "flask", "constraint"),
        ("requirements.txt", "flask", "main"),
    ]
    assert [(e.path, e.kind) for e in facts.include_errors] == [("deps/more.list", "parse-error")]


def test_sc005_on_poetry_sources_by_priority(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    def source(priority: str) -> str:
        return (
            '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n\n'
            '[[tool.poetry.source]]\nname = "acme"\nurl = "https://pkgs.acme.example/simple/"\n'
            f'priority = "{priority}"\n'
        )

    flagged = {}
    for priority in ("supplemental", "explicit", "primary"):
        report = scan_json(make_repo({"pyproject.toml": source(priority)}), "--select", "SC005")
        flagged[priority] = [(f["path"], f["line"]) for f in report["findings"]]
    assert flagged == {
        "supplemental": [("pyproject.toml", 9)],
        "explicit": [],
        "primary": [],
    }


def test_a_manifest_that_is_not_utf8_is_an_error(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo({"requirements.txt": b"caf\xe9-lib==1.0\n", "app.py": "print(1)\n"})
    report = scan_json(root)
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [
        ("requirements.txt", "decode-error")
    ]
    assert report["dependencies"] == []
