"""bench/checkout.py: working copies at a labelled commit from a local mirror,
with history, leaving out blobs the mirror lacks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT, commit_all, git


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_checkout", ROOT / "bench" / "checkout.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_checkout"] = module
    spec.loader.exec_module(module)
    return module


checkout = _load()


@pytest.fixture
def mirror(tmp_path: Path) -> tuple[Path, list[str], str]:
    """A bare mirror ``owner+name/repo`` (the fetch tool's layout) of a
    repository with two commits, whose big data file's blob is missing, as in
    a snapshot that leaves out large files. Returns (mirror root, [first,
    second] commit, the missing blob's path)."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    git(work, "config", "user.name", "ragfit tests")
    git(work, "config", "user.email", "tests@ragfit.invalid")
    git(work, "config", "commit.gpgsign", "false")
    (work / "app.py").write_text("print('one')\n")
    commit_all(work, "first")
    (work / "app.py").write_text("print('two')\n")
    (work / "data").mkdir()
    (work / "data" / "train.jsonl").write_text('{"messages": []}\n' * 3)
    commit_all(work, "second")
    commits = git(work, "rev-list", "--reverse", "HEAD").split()
    root = tmp_path / "mirror"
    bare = root / "example+app" / "repo"
    bare.parent.mkdir(parents=True)
    git(tmp_path, "init", "-q", "--bare", str(bare))
    # A push of a few objects arrives unpacked (transfer.unpackLimit), so one
    # blob can be deleted as a loose object.
    git(work, "push", "-q", str(bare), "HEAD:refs/heads/main")
    blob = git(work, "rev-parse", "HEAD:data/train.jsonl").strip()
    (bare / "objects" / blob[:2] / blob[2:]).unlink()
    return root, commits, "data/train.jsonl"


def test_checkout_at_each_commit_with_history(
    mirror: tuple[Path, list[str], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, (first, second), absent = mirror
    dest = tmp_path / "copies"
    argv = ["--mirror", str(root), "--dest", str(dest)]

    assert checkout.main([*argv, f"example/app@{first}"]) == 0
    copy = dest / "example+app"
    assert capsys.readouterr().out == f"example/app: at {first[:12]}\n"
    assert git(copy, "rev-parse", "HEAD").strip() == first
    assert (copy / "app.py").read_text() == "print('one')\n"
    assert git(copy, "status", "--porcelain") == ""

    assert checkout.main([*argv, f"example/app@{first}"]) == 0
    assert capsys.readouterr().out == "example/app: already there\n"

    # Moving to the second commit: its data file's blob is not in the mirror.
    assert checkout.main([*argv, f"example/app@{second}"]) == 0
    assert capsys.readouterr().out == (
        f"example/app: at {second[:12]}, 1 file(s) absent from the source: {absent}\n"
    )
    assert git(copy, "rev-parse", "HEAD").strip() == second
    assert (copy / "app.py").read_text() == "print('two')\n"
    assert not (copy / absent).exists()
    assert git(copy, "ls-files").split() == ["app.py"]
    # History is there for the data-change answer.
    assert git(copy, "rev-list", "--count", "HEAD").strip() == "2"


def test_bad_entries_and_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        checkout.main(["--dest", str(tmp_path), "example/app"])
    assert stop.value.code == 2
    assert "not owner/name@<40 hex commit>: 'example/app'" in capsys.readouterr().err

    missing = tmp_path / "no-mirror"
    code = checkout.main(
        ["--dest", str(tmp_path / "copies"), "--url-base", str(missing), "example/app@" + "a" * 40]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("example/app: FAILED git clone: ")
    assert len(err.splitlines()) == 1
