"""Git history: churn of files, folders and globs from one ``git log``."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from auditor.scanners import history
from auditor.scanners.history import GitHistory, PathChurn, read_history
from tests.conftest import GitRepo, git, write_files

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


def _env(when: datetime) -> dict[str, str]:
    stamp = f"{int(when.timestamp())} +0000"
    return {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }


def commit_at(
    root: Path, when: datetime, files: Mapping[str, str] | None = None, message: str = "c"
) -> None:
    """Write ``files`` and commit everything, dated ``when`` (author and committer)."""
    if files:
        write_files(root, files)
    git(root, "add", "-A")
    subprocess.run(
        ["git", "-C", str(root), "commit", "-q", "--allow-empty", "-m", message],
        check=True,
        capture_output=True,
        env=_env(when),
    )


def days_ago(days: float, hours: float = 1) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


@pytest.fixture
def weekly(git_repo: GitRepo) -> Path:
    """A training set committed once 400 days ago, then a weekly commit to one of
    five pages under ``docs/`` for 52 weeks (the newest an hour before NOW)."""
    root = git_repo({"data/train.jsonl": '{"messages": []}\n'}, commit=False)
    commit_at(root, days_ago(400), message="dataset")
    for week in range(51, -1, -1):
        page = f"docs/page{week % 5}.md"
        commit_at(root, days_ago(7 * week), {page: f"week {week}\n"}, f"week {week}")
    return root


def test_weekly_docs_over_a_year(weekly: Path) -> None:
    found = read_history(weekly, now=NOW)
    assert found.status == "ok" and found.ok
    assert found.now == "2025-06-01T12:00:00+00:00"
    assert found.commits == 52 and found.future_commits == 0  # the dataset is older
    churn = found.churn(["docs"])
    assert churn == PathChurn(
        paths=("docs",),
        commits_90=13,  # weeks 0..12: 84 days ago at most
        commits_365=52,
        last_change="2025-06-01",
        first_change=(NOW - timedelta(days=357, hours=1)).date().isoformat(),
        files_changed_90=5,
    )
    assert found.commits_per_month(["docs"]) == pytest.approx(4.33)
    assert churn.to_dict() == {
        "paths": ["docs"],
        "commits_90": 13,
        "commits_365": 52,
        "last_change": "2025-06-01",
        "first_change": "2024-06-09",
        "files_changed_90": 5,
    }


def test_static_dataset_committed_once_long_ago(weekly: Path) -> None:
    found = read_history(weekly, now=NOW)
    churn = found.churn(["data/train.jsonl"])
    assert churn is not None
    assert (churn.commits_90, churn.commits_365, churn.files_changed_90) == (0, 0, 0)
    # Outside the window: found by one more look-up, not left empty.
    assert churn.last_change == days_ago(400).date().isoformat() == "2024-04-27"
    assert churn.first_change == "2024-04-27"
    assert found.commits_per_month(["data/train.jsonl"]) == 0.0
    # Never committed at all: no date.
    missing = found.churn(["data/other.jsonl"])
    assert missing is not None and missing.last_change is None and missing.commits_365 == 0


def test_file_folder_glob_and_several_paths(weekly: Path) -> None:
    found = read_history(weekly, now=NOW)

    def counts(*paths: str) -> tuple[int, int, int]:
        churn = found.churn(paths)
        assert churn is not None
        return churn.commits_90, churn.commits_365, churn.files_changed_90

    assert counts("docs/page0.md") == (3, 11, 1)  # weeks 0, 5, 10 / 0, 5, ... 50
    assert counts("docs/") == counts("./docs") == counts("docs") == (13, 52, 5)
    assert counts("docs/*.md") == (13, 52, 5)
    assert counts("**/*.md") == (13, 52, 5)
    assert counts("docs/page[01].md") == (6, 22, 2)
    assert counts("docs/page0.md", "docs/page1.md") == (6, 22, 2)  # distinct commits
    assert counts("docs/page0.md", "docs") == (13, 52, 5)  # overlap counted once
    assert counts(".") == (13, 52, 5)
    assert counts("data/*.jsonl") == (0, 0, 0)
    assert counts("doc") == (0, 0, 0)  # a prefix of a folder's name is not the folder
    single = found.churn("docs/page0.md")  # a lone string is one path
    assert single is not None and single.paths == ("docs/page0.md",)


def test_a_subfolder_root_is_a_monorepo_package(git_repo: GitRepo) -> None:
    root = git_repo({}, commit=False)
    commit_at(root, days_ago(30), {"app/docs/a.md": "1", "other/docs/a.md": "1"})
    commit_at(root, days_ago(20), {"app/docs/a.md": "2"})
    commit_at(root, days_ago(10), {"other/docs/a.md": "2", "README.md": "x"})
    found = read_history(root / "app", now=NOW)
    assert found.status == "ok" and found.prefix == "app/" and found.commits == 2
    assert Path(found.toplevel or "").resolve() == root.resolve()
    docs = found.churn(["docs"])
    assert docs is not None and (docs.commits_90, docs.files_changed_90) == (2, 1)
    assert docs.last_change == days_ago(20).date().isoformat()
    everything = found.churn(["."])
    assert everything is not None and everything.commits_90 == 2  # not other/, not README
    outside = found.churn(["README.md"])
    assert outside is not None and outside.commits_90 == 0 and outside.last_change is None


def test_shallow_clone_is_unknown_not_static(weekly: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", weekly.as_uri(), str(clone)],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    found = read_history(clone, now=NOW)
    assert found.status == "shallow"
    assert found.detail == "shallow clone: history is incomplete"
    assert found.churn(["docs"]) is None
    assert found.commits_per_month(["docs"]) is None


def test_plain_folder_and_missing_folder(make_repo: object, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.md").write_text("x")
    found = read_history(plain, now=NOW)
    assert (found.status, found.detail) == ("not-a-repo", "not in a git work tree")
    assert found.churn(["a.md"]) is None
    gone = read_history(tmp_path / "nowhere", now=NOW)
    assert gone.status == "not-a-repo" and "not a folder" in gone.detail


def test_git_missing(weekly: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    found = read_history(weekly, now=NOW)
    assert found.status == "no-git" and "git is not installed" in found.detail
    assert found.churn(["docs"]) is None
    monkeypatch.undo()
    monkeypatch.setattr(history, "GIT_EXECUTABLE", "git-that-does-not-exist")
    assert read_history(weekly, now=NOW).status == "no-git"


def _fake_git(tmp_path: Path, stderr: str, code: int = 128) -> str:
    script = tmp_path / "fake-git"
    script.write_text(f"#!/bin/sh\necho '{stderr}' >&2\nexit {code}\n")
    script.chmod(0o755)
    return str(script)


def test_repository_of_another_user_is_reported(
    weekly: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    message = "fatal: detected dubious ownership in repository at '/x'"
    monkeypatch.setattr(history, "GIT_EXECUTABLE", _fake_git(tmp_path, message))
    found = read_history(weekly, now=NOW)
    assert found.status == "error"
    assert "safe.directory" in found.detail and "\n" not in found.detail
    assert found.churn(["docs"]) is None


def test_git_errors_and_timeouts_never_raise(
    weekly: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    found = read_history(weekly, now=NOW, timeout=0.000001)
    assert found.status == "error" and "longer than" in found.detail
    monkeypatch.setattr(history, "GIT_EXECUTABLE", _fake_git(tmp_path, "fatal: index broken"))
    broken = read_history(weekly, now=NOW)
    assert (broken.status, broken.detail) == ("error", "fatal: index broken")
    monkeypatch.setattr(history, "GIT_EXECUTABLE", str(tmp_path))  # a folder, not a program
    assert read_history(weekly, now=NOW).status in ("error", "no-git")


def test_repository_without_commits(git_repo: GitRepo) -> None:
    root = git_repo({"a.md": "x"}, commit=False)
    found = read_history(root, now=NOW)
    assert (found.status, found.detail) == ("error", "the repository has no commits yet")


def test_names_with_spaces_and_non_ascii_round_trip(git_repo: GitRepo) -> None:
    root = git_repo({}, commit=False)
    names = ["docs/Übersicht café.md", "data/my data.jsonl", "docs/日本語.md"]
    commit_at(root, days_ago(5), dict.fromkeys(names, "x"))
    commit_at(root, days_ago(2), {names[0]: "y"})
    found = read_history(root, now=NOW)
    for name, expected in zip(names, (2, 1, 1), strict=True):
        churn = found.churn([name])
        assert churn is not None and churn.commits_90 == expected, name
    glob = found.churn(["docs/*caf?.md"])
    assert glob is not None and glob.commits_90 == 2
    # The look-up beyond the window takes the same names.
    old = read_history(root, now=NOW + timedelta(days=800))
    churn = old.churn([names[0]])
    assert churn is not None and churn.last_change == days_ago(2).date().isoformat()


def test_renames_count_for_both_names(git_repo: GitRepo) -> None:
    root = git_repo({}, commit=False)
    commit_at(root, days_ago(50), {"docs/old.md": "a\n" * 50})
    commit_at(root, days_ago(40), {"docs/old.md": "b\n" * 50})
    git(root, "mv", "docs/old.md", "docs/new.md")
    commit_at(root, days_ago(30), message="rename")
    commit_at(root, days_ago(20), {"docs/new.md": "c\n" * 50})
    found = read_history(root, now=NOW)

    def commits(path: str) -> int:
        churn = found.churn([path])
        assert churn is not None
        return churn.commits_90

    assert commits("docs/old.md") == 3  # created, edited, renamed away
    assert commits("docs/new.md") == 2  # renamed in, edited
    assert commits("docs") == 4
    folder = found.churn(["docs"])
    assert folder is not None and folder.files_changed_90 == 2


def test_merges_are_counted_once(git_repo: GitRepo) -> None:
    root = git_repo({}, commit=False)
    commit_at(root, days_ago(60), {"docs/a.md": "1"})
    git(root, "checkout", "-q", "-b", "topic")
    commit_at(root, days_ago(50), {"docs/b.md": "1"})
    commit_at(root, days_ago(45), {"docs/b.md": "2"})
    git(root, "checkout", "-q", "-")
    commit_at(root, days_ago(40), {"docs/a.md": "2"})
    subprocess.run(
        ["git", "-C", str(root), "merge", "-q", "--no-ff", "--no-edit", "topic"],
        check=True,
        capture_output=True,
        env=_env(days_ago(30)),
    )
    found = read_history(root, now=NOW)
    churn = found.churn(["docs"])
    assert churn is not None and churn.commits_90 == 4  # not 5: the merge adds nothing
    assert found.commits == 4
    assert churn.last_change == days_ago(40).date().isoformat()


def test_future_dated_commits_do_not_count(git_repo: GitRepo) -> None:
    root = git_repo({}, commit=False)
    commit_at(root, days_ago(10), {"docs/a.md": "1"})
    commit_at(root, NOW + timedelta(days=3), {"docs/a.md": "2"})  # clock skew
    found = read_history(root, now=NOW)
    churn = found.churn(["docs"])
    assert churn is not None and churn.commits_90 == 1
    assert churn.last_change == days_ago(10).date().isoformat()
    assert found.future_commits == 1 and found.commits == 1
    # A naive ``now`` is UTC; another time zone is converted.
    assert read_history(root, now=NOW.replace(tzinfo=None)).now == found.now
    paris = NOW.astimezone(timezone(timedelta(hours=2)))
    assert read_history(root, now=paris).now == found.now


def test_default_now_is_the_current_time(git_repo: GitRepo) -> None:
    root = git_repo({"a.md": "x"})  # committed now
    found = read_history(root)
    churn = found.churn(["a.md"])
    assert found.status == "ok" and churn is not None and churn.commits_90 == 1
    stamp = datetime.fromisoformat(found.now)
    assert abs((stamp - datetime.now(timezone.utc)).total_seconds()) < 600


def _signed_commit(root: Path) -> None:
    """A commit object that claims a PGP signature, as HEAD."""
    tree = git(root, "write-tree").strip()
    parent = git(root, "rev-parse", "HEAD").strip()
    stamp = f"{int(days_ago(1).timestamp())} +0000"
    body = (
        f"tree {tree}\nparent {parent}\n"
        f"author t <t@example.invalid> {stamp}\ncommitter t <t@example.invalid> {stamp}\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n"
        " -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    done = subprocess.run(
        ["git", "-C", str(root), "hash-object", "-t", "commit", "-w", "--stdin"],
        input=body.encode(),
        capture_output=True,
        check=True,
    )
    git(root, "update-ref", "HEAD", done.stdout.decode().strip())


def test_the_scanned_repository_config_runs_nothing(
    git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = git_repo({}, commit=False)
    commit_at(root, days_ago(3), {"docs/a.md": "1"})
    _signed_commit(root)
    marker = tmp_path / "ran"
    trap = tmp_path / "trap.sh"
    trap.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    trap.chmod(0o755)
    for key in ("gpg.program", "core.fsmonitor", "core.pager", "diff.external"):
        git(root, "config", key, str(trap))
    git(root, "config", "log.showSignature", "true")
    # The trap is armed: a plain ``git log`` in this repository runs it.
    subprocess.run(["git", "-C", str(root), "log", "-1"], capture_output=True, check=False)
    assert marker.exists()
    marker.unlink()
    # GIT_DIR pointing elsewhere (as inside a git hook) is not followed either.
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    found = read_history(root, now=NOW)
    assert found.status == "ok", found.detail
    churn = found.churn(["docs"])
    assert churn is not None and churn.commits_90 == 1
    assert not marker.exists()


def test_history_to_dict() -> None:
    found = GitHistory("shallow", "shallow clone: history is incomplete", "2025-06-01T12:00:00")
    assert found.to_dict() == {
        "status": "shallow",
        "detail": "shallow clone: history is incomplete",
        "now": "2025-06-01T12:00:00",
        "days": 365,
        "commits": 0,
        "future_commits": 0,
    }
    assert found.churn(["docs"]) is None


def test_longer_window_reads_older_commits(weekly: Path) -> None:
    found = read_history(weekly, now=NOW, days=500)
    assert found.days == 500 and found.commits == 53
    churn = found.churn(["data"])
    assert churn is not None and (churn.commits_365, churn.first_change) == (0, "2024-04-27")
    assert read_history(weekly, now=NOW, days=30).days == 365  # never shorter than a year
