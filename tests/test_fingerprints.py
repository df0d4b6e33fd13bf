"""Fingerprints name a finding across unrelated edits, so that code review
(SARIF partialFingerprints) and --baseline keep recognising it."""

from __future__ import annotations

from pathlib import Path

from conftest import MakeRepo

from auditor.config import Config
from auditor.engine import Options, audit

LEGACY = 'import openai\n\nopenai.Completion.create(engine="text-davinci-003", prompt="hi")\n'


def fingerprints(root: Path) -> dict[tuple[str, str], str]:
    report = audit(root, Config(ignore=("AD001",)), Options(use_cache=False, jobs=1))
    return {(f.rule_id, f.message): f.fingerprint for f in report.findings}


def test_lines_added_above_keep_every_fingerprint(make_repo: MakeRepo) -> None:
    root = make_repo({"legacy.py": LEGACY})
    before = fingerprints(root)
    assert len(before) == 2  # the retired API and the retired model
    (root / "legacy.py").write_text('"""Docs."""\n\n\n' + LEGACY, "utf-8")
    assert fingerprints(root) == before


def test_a_secret_keeps_its_fingerprint_when_moved_or_reformatted(make_repo: MakeRepo) -> None:
    key = "sk-proj-" + "Qz8N3vR2tY7uK1mW5pX9cB4dF6gH2jL7aS8eD3rT5yU7iO1pZ4"
    root = make_repo({"settings.py": f'KEY = "{key}"\n'})
    before = fingerprints(root)
    (root / "settings.py").write_text(f'import os\n\nAPI_KEY  =  "{key}"  # old\n', "utf-8")
    assert fingerprints(root) == before


def test_equal_findings_on_equal_lines_stay_distinct(make_repo: MakeRepo) -> None:
    root = make_repo({"legacy.py": LEGACY + LEGACY.split("\n", 2)[2]})
    report = audit(root, Config(select=("AD110",)), Options(use_cache=False, jobs=1))
    prints = [f.fingerprint for f in report.findings]
    assert len(prints) == 4
    assert len(set(prints)) == 4


def test_another_file_or_rule_changes_the_fingerprint(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": LEGACY, "b.py": LEGACY})
    report = audit(root, Config(ignore=("AD001",)), Options(use_cache=False, jobs=1))
    assert len({f.fingerprint for f in report.findings}) == len(report.findings) == 4
