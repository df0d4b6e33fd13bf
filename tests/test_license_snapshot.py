"""The shipped license snapshot: offline answers for popular projects, each
saying where it came from and whether it is the latest release's license."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import FakeIndex, MakeRepo, ScanJson, findings

from auditor.knowledge import load_table
from auditor.licenses import classify
from auditor.licenses.sources import SnapshotSource, resolve_licenses

SNAPSHOT = load_table("license_snapshot")
MIT_PROJECT = '[project]\nname = "desk"\nversion = "1.0"\nlicense = "MIT"\n'


def test_the_snapshot_is_dated_compact_and_covers_the_popular_list() -> None:
    meta, projects = SNAPSHOT["meta"], SNAPSHOT["projects"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["updated"])
    assert meta["count"] == len(projects) >= 4900
    popular = load_table("popular_packages")["names"]
    assert set(projects) <= set(popular)
    for name, value in projects.items():
        version, spdx, *rest = value
        assert isinstance(version, str) and version, name
        assert isinstance(spdx, str), name
        assert rest == [] or (len(rest) == 1 and rest[0] and not spdx), name
    known = sum(1 for value in projects.values() if value[1] or len(value) > 2)
    assert known / len(projects) > 0.9
    # The size a wheel can carry: one short line per project.
    path = Path(__file__).parents[1] / "checks" / "data" / "license_snapshot.toml"
    assert path.stat().st_size < 400_000


def test_snapshot_answers_say_which_release(tmp_path: Path) -> None:
    latest = SNAPSHOT["projects"]["pyqt5"][0]
    result = resolve_licenses(
        [("PyQt5", latest), ("pyqt5", "5.15.2"), ("pyqt5", None), ("acme-private", "1.0")],
        root=tmp_path,
    )
    exact = result.get("pyqt5", latest)
    assert (exact.info.spdx, exact.source, exact.release) == ("GPL-3.0-only", "snapshot", None)
    old = result.get("pyqt5", "5.15.2")
    assert (old.info.spdx, old.info.category, old.source) == (
        "GPL-3.0-only",
        "copyleft",
        "snapshot",
    )
    assert old.release == latest
    assert old.info.note.startswith(f"license of the latest release, {latest} (snapshot of ")
    assert result.get("pyqt5", None).release == latest
    private = result.get("acme-private", "1.0")
    assert (private.source, private.info.category, private.repo_wide) == (None, "unknown", True)


def test_online_the_index_comes_before_the_snapshot_for_unpinned_names(
    fake_index: FakeIndex, tmp_path: Path
) -> None:
    """A project may have changed its license since the snapshot: online, an
    unpinned name asks the index; the snapshot answers when the index cannot."""
    fake_index.project("redis", {"version": "99.0", "license": "SSPL-1.0", "classifiers": []}, {})
    result = resolve_licenses([("redis", None), ("six", None)], root=tmp_path, online=True)
    redis = result.get("redis", None)
    assert (redis.info.spdx, redis.source, redis.release) == ("SSPL-1.0", "index", "99.0")
    six = result.get("six", None)  # the fake index has no `six`
    assert six.source == "snapshot"


def test_snapshot_source_alone() -> None:
    answers = SnapshotSource().lookup([("requests", None), ("acme-private", None)])
    assert set(answers.found) == {("requests", None)}
    assert answers.found[("requests", None)].info.category == "permissive"
    assert SnapshotSource(online=True).lookup([("requests", None)]).found == {}


def test_gpl_dependency_in_an_mit_project_is_caught_offline(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    """The pre-commit hook runs offline with no environment: the snapshot still
    knows that PyQt5 is GPL, and says it is the latest release's license."""
    latest = SNAPSHOT["projects"]["pyqt5"][0]
    repo = make_repo(
        {
            "pyproject.toml": MIT_PROJECT + 'dependencies = ["PyQt5==5.15.2", "requests"]\n',
            "desk/app.py": "from PyQt5 import QtWidgets\n",
        }
    )
    report = scan_json(repo, "--offline", "--select", "LC")
    assert findings(report) == [("LC003", "pyproject.toml", 5)]
    assert report["findings"][0]["message"] == (
        f"`PyQt5` 5.15.2 is under GPL-3.0-only (the license of {latest}) (strong copyleft: "
        "distributing the project may require releasing it under it), in a project under MIT "
        "(pyproject.toml:4)"
    )
    deps = {d["name"]: d for d in report["dependencies"]}
    assert (deps["PyQt5"]["license_source"], deps["PyQt5"]["license_release"]) == (
        "snapshot",
        latest,
    )
    assert deps["requests"]["license_source"] == "snapshot"


def test_license_expressions_classify_safely_in_threads() -> None:
    """license-expression's parser is shared: the index's worker threads used to
    crash it (AttributeError) when they classified at the same time."""
    expressions = [
        "Apache-2.0 OR BSD-2-Clause",
        "GPL-3.0-only WITH Classpath-exception-2.0",
        "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0",
        "LGPL-2.1-or-later",
    ] * 300
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(classify.classify_expression, expressions))
    assert found == [classify.classify_expression(e) for e in expressions]
    assert set(found) == {"permissive", "weak-copyleft"}
