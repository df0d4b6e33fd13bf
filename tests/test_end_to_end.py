"""Every sample repository through the whole pipeline: the JSON report compared
with a reviewed snapshot, and the SARIF validated and loaded by a real consumer.

Refresh the snapshots after an intended change with
``RAGFIT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_end_to_end.py`` and
review the diff like code.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sarif import loader
from sarif_schema import sarif_errors

from auditor.config import load_config
from auditor.engine import Options, audit
from auditor.reporters.json import render_json
from auditor.reporters.sarif import render_sarif

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots"
FIXTURES = sorted(p.name for p in (ROOT / "fixtures").iterdir() if p.is_dir())


def _scan(tmp_path: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    # A copy outside the project's git work tree: the walk, not git, lists files.
    repo = tmp_path / name
    shutil.copytree(ROOT / "fixtures" / name, repo, symlinks=True)
    config, errors = load_config(repo)
    report = audit(repo, config, Options(use_cache=False, jobs=1, extra_errors=tuple(errors)))
    data = json.loads(render_json(report))
    assert data["root"] == str(repo.resolve())
    data["root"] = f"<fixtures>/{name}"
    data["summary"]["seconds"] = 0.0
    return data, json.loads(render_sarif(report))


def test_every_sample_repository_has_a_snapshot() -> None:
    assert len(FIXTURES) >= 6
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.json")) == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_json_report_matches_the_snapshot(tmp_path: Path, name: str) -> None:
    data, _ = _scan(tmp_path, name)
    snapshot = SNAPSHOTS / f"{name}.json"
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("RAGFIT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text, "utf-8")
    assert json.loads(snapshot.read_text("utf-8")) == data


@pytest.mark.parametrize("name", FIXTURES)
def test_sarif_is_valid_and_loads_in_sarif_tools(tmp_path: Path, name: str) -> None:
    _, sarif = _scan(tmp_path, name)
    assert sarif_errors(sarif) == []
    run = sarif["runs"][0]
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert (tmp_path / name / physical["artifactLocation"]["uri"]).is_file()
        assert physical["region"]["startLine"] >= 1
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]["ragfit/v1"]
    path = tmp_path / f"{name}.sarif"
    path.write_text(json.dumps(sarif), "utf-8")
    assert loader.load_sarif_file(str(path)).get_result_count() == len(run["results"])
