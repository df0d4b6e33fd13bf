"""Every rule's ``valid`` and ``invalid`` examples, run through the whole pipeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.config import Config
from auditor.engine import Options, audit
from auditor.rules import CATALOG, DOC_SECTIONS, RULE_ID, Example, Rule, all_rules

CASES = [
    pytest.param(rule, example, kind, id=f"{rule.id}-{kind}-{index}")
    for rule in all_rules()
    for kind, examples in (("valid", rule.valid), ("invalid", rule.invalid))
    for index, example in enumerate(examples)
]


def _write(root: Path, example: Example) -> None:
    for name, text in example.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("rule", "example", "kind"), CASES)
def test_rule_example(tmp_path: Path, rule: type[Rule], example: Example, kind: str) -> None:
    _write(tmp_path, example)
    vuln_db = example.config.get("vuln-db")
    options = Options(use_cache=False, jobs=1, vuln_db=tmp_path / str(vuln_db) if vuln_db else None)
    # An example may run other rules beside its own (a suppression of AD110 is
    # only judged when AD110 runs); only its own rule may report. Other keys
    # are configuration settings.
    select = (rule.id, *example.config.get("select", ()))
    settings = {k: v for k, v in example.config.items() if k not in {"vuln-db", "select"}}
    report = audit(tmp_path, Config(select=select, **settings), options)
    assert report.errors == ()
    where = sorted(f"{f.location.path}:{f.location.line}" for f in report.findings)
    assert all(f.rule_id == rule.id for f in report.findings)
    if kind == "valid":
        assert where == []
    else:
        assert where == sorted(example.expect)


def test_every_rule_has_examples_and_docs() -> None:
    rules = all_rules()
    assert [r.id for r in rules] == sorted({r.id for r in rules})
    assert {"SC007", "AD110"} <= {r.id for r in rules}
    for rule in rules:
        assert RULE_ID.match(rule.id), rule.id
        assert CATALOG[rule.id] == rule.name, "rule names are a contract"
        assert rule.valid, f"{rule.id} has no valid example"
        assert rule.invalid, f"{rule.id} has no invalid example"
        assert all(example.expect for example in rule.invalid)
        doc = rule.doc()
        positions = [doc.find(section) for section in DOC_SECTIONS]
        assert all(p >= 0 for p in positions), f"{rule.id} docstring lacks a section"
        assert positions == sorted(positions), f"{rule.id} sections out of order"
        assert rule.summary() and len(rule.summary()) < 400
        assert "{" in rule.message or rule.message
        if "security" in rule.tags:
            assert rule.security_severity is not None
            assert 0 < rule.security_severity <= 10


def test_rule_files_follow_the_one_rule_per_file_layout() -> None:
    for rule in all_rules():
        module = rule.__module__
        assert module.startswith("auditor.checks."), module
        stem = module.rpartition(".")[2]
        assert stem == re.sub(r"(?<!^)(?=[A-Z])", "_", rule.__name__).lower()
        assert stem == rule.name.replace("-", "_")
