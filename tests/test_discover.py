"""Which files are read: git mode, walk mode with .gitignore, skipped folders,
exclude globs, the size cap, and symlinks (never followed)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import GitRepo, MakeRepo, commit_all, git, write_files

from auditor.config import Config
from auditor.discover import DEFAULT_MAX_FILE_SIZE, Discovery, discover
from auditor.engine import Options, audit

KEY = "sk-proj-" + "R7vQ2mX9tL4kP8wN3zB6cY1hJ5dF0gS2aE7uK9iO3pW4"

VENDORED = {
    ".venv/lib/python3.11/site-packages/openai/__init__.py": "x = 1\n",
    "venv/bin/activate_this.py": "x = 1\n",
    "node_modules/left-pad/index.py": "x = 1\n",
    "lib/site-packages/pkg/mod.py": "x = 1\n",
    "build/lib/app.py": "x = 1\n",
    "dist/app-1.0/app.py": "x = 1\n",
    "src/__pycache__/app.cpython-311.py": "x = 1\n",
    "src/app.egg-info/PKG-INFO.py": "x = 1\n",
    ".tox/py311/x.py": "x = 1\n",
    ".ragfit_cache/facts.json": "{}\n",
    "deep/nested/build/gen.py": "x = 1\n",
}


def paths(found: Discovery) -> list[str]:
    return [f.path for f in found.files]


# ------------------------------------------------------------------ git mode


def test_git_mode_tracked_untracked_ignored_deleted(git_repo: GitRepo) -> None:
    root = git_repo(
        {
            ".gitignore": "*.log\nsecrets/\n",
            "src/app.py": "import openai\n",
            "src/gone.py": "x = 1\n",
            "README.md": "# r\n",
        }
    )
    (root / "src" / "gone.py").unlink()  # still in the index, not in the work tree
    write_files(
        root,
        {
            "src/new.py": "y = 2\n",  # untracked, not ignored
            "debug.log": "log\n",  # ignored
            "secrets/key.py": "k = 1\n",  # ignored folder
        },
    )
    found = discover(root)
    assert found.mode == "git"
    assert paths(found) == [".gitignore", "README.md", "src/app.py", "src/new.py"]
    assert found.errors == []
    assert [f.size for f in found.files if f.path == "src/app.py"] == [len("import openai\n")]


def test_git_mode_tracked_but_ignored_file_is_still_read(git_repo: GitRepo) -> None:
    root = git_repo({"keep.log": "tracked\n"})
    (root / ".gitignore").write_text("*.log\n", "utf-8")
    assert paths(discover(root)) == [".gitignore", "keep.log"]


def test_git_mode_skips_vendored_folders(git_repo: GitRepo) -> None:
    root = git_repo({**VENDORED, "src/app.py": "x = 1\n"})
    git(root, "add", "-f", ".ragfit_cache/facts.json")
    commit_all(root, "add everything")
    assert paths(discover(root)) == ["src/app.py"]


def test_git_mode_in_a_subfolder_lists_relative_paths(git_repo: GitRepo) -> None:
    root = git_repo({"svc/app.py": "x = 1\n", "svc/lib/util.py": "y = 2\n", "other.py": "z\n"})
    found = discover(root / "svc")
    assert found.mode == "git"
    assert paths(found) == ["app.py", "lib/util.py"]


def test_git_mode_unicode_and_space_names(git_repo: GitRepo) -> None:
    root = git_repo({"src/my app/café.py": "x = 1\n", "a b.py": "y\n"})
    assert paths(discover(root)) == ["a b.py", "src/my app/café.py"]


# ----------------------------------------------------------------- walk mode


def test_walk_mode_when_not_a_git_repository(make_repo: MakeRepo) -> None:
    root = make_repo({"a.py": "x\n", "pkg/b.py": "y\n"})
    found = discover(root)
    assert found.mode == "walk"
    assert paths(found) == ["a.py", "pkg/b.py"]


def test_walk_mode_honours_nested_gitignores(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            ".gitignore": "*.log\n/top_only.py\nout/\n",
            "a.py": "",
            "x.log": "",
            "top_only.py": "",
            "out/gen.py": "",
            "sub/.gitignore": "generated.py\n/anchored.py\n*.tmp\n",
            "sub/top_only.py": "",  # the root's /top_only.py is anchored at the root
            "sub/x.log": "",
            "sub/generated.py": "",
            "sub/anchored.py": "",
            "sub/deeper/generated.py": "",  # unanchored: applies below too
            "sub/deeper/anchored.py": "",  # anchored to sub/: not this one
            "sub/deeper/out/gen.py": "",
            "sub/deeper/ok.py": "",
            "sub/scratch.tmp": "",
            "other/generated.py": "",  # sub/.gitignore does not apply here
            "other/y.tmp": "",
        }
    )
    found = discover(root)
    assert found.mode == "walk"
    assert paths(found) == [
        ".gitignore",
        "a.py",
        "other/generated.py",
        "other/y.tmp",
        "sub/.gitignore",
        "sub/deeper/anchored.py",
        "sub/deeper/ok.py",
        "sub/top_only.py",
    ]


def test_walk_mode_matches_git_on_negation(make_repo: MakeRepo, tmp_path: Path) -> None:
    files = {
        ".gitignore": "*.log\n",
        "a.py": "",
        "x.log": "",
        "sub/.gitignore": "!keep.log\n",
        "sub/keep.log": "",
        "sub/other.log": "",
    }
    root = make_repo(files)
    oracle = tmp_path / "oracle"
    shutil.copytree(root, oracle)
    git(oracle, "init", "-q")
    expected = sorted(git(oracle, "ls-files", "--others", "--exclude-standard").split())
    assert expected == [".gitignore", "a.py", "sub/.gitignore", "sub/keep.log"]
    assert paths(discover(root)) == expected


def test_walk_mode_skips_vendored_folders(make_repo: MakeRepo) -> None:
    root = make_repo({**VENDORED, "src/app.py": "x = 1\n"})
    assert paths(discover(root)) == ["src/app.py"]


def test_vendored_names_only_skip_folders(make_repo: MakeRepo) -> None:
    root = make_repo({"build.py": "x\n", "dist": "a file named dist\n", "src/venv.py": "y\n"})
    assert paths(discover(root)) == ["build.py", "dist", "src/venv.py"]


# ------------------------------------------------------------ exclude, size


@pytest.mark.parametrize("use_git", [False, True])
def test_exclude_globs(make_repo: MakeRepo, use_git: bool) -> None:
    root = make_repo(
        {
            "src/app.py": "",
            "src/app.min.py": "",
            "vendor/lib/x.py": "",
            "tests/fixtures/big.py": "",
            "tests/test_app.py": "",
        }
    )
    if use_git:
        git(root, "init", "-q")
    found = discover(root, exclude=["vendor/**", "*.min.py", "tests/fixtures/"])
    assert found.mode == ("git" if use_git else "walk")
    assert paths(found) == ["src/app.py", "tests/test_app.py"]


def test_size_cap(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "at_cap.py": "x" * 100,
            "over.py": "x" * 101,
            "over.ipynb": "x" * 101,
            "requirements-dev.lock": "x" * 101,
            "over.bin": b"\0" * 500,  # not a source file: skipped without a report
            "picture.png": b"\x89PNG" + b"\0" * 500,
        }
    )
    found = discover(root, max_file_size=100)
    assert paths(found) == ["at_cap.py"]
    # Every file over the cap is reported, whatever its kind (a .env, a .bin).
    note = "over the 100-byte cap; not parsed (text is still scanned for secrets)"
    assert sorted((e.path, e.kind, e.message) for e in found.errors) == [
        ("over.bin", "too-large", f"500 bytes is {note}"),
        ("over.ipynb", "too-large", f"101 bytes is {note}"),
        ("over.py", "too-large", f"101 bytes is {note}"),
        ("picture.png", "too-large", f"504 bytes is {note}"),
        ("requirements-dev.lock", "too-large", f"101 bytes is {note}"),
    ]


def test_default_size_cap_is_two_megabytes(make_repo: MakeRepo) -> None:
    assert DEFAULT_MAX_FILE_SIZE == 2 * 1024 * 1024
    root = make_repo({"big.json": b" " * (DEFAULT_MAX_FILE_SIZE + 1), "small.json": b"{}"})
    found = discover(root)
    assert paths(found) == ["small.json"]
    assert [(e.path, e.kind) for e in found.errors] == [("big.json", "too-large")]


# ------------------------------------------------------------------ symlinks


def _symlink(link: Path, target: str | Path) -> None:
    try:
        link.symlink_to(target)
    except OSError as exc:  # pragma: no cover - platforms without symlinks
        pytest.skip(f"symlinks unavailable: {exc}")


@pytest.mark.parametrize("use_git", [False, True])
def test_symlinks_are_never_followed(tmp_path: Path, make_repo: MakeRepo, use_git: bool) -> None:
    outside = make_repo({"secret.py": f'KEY = "{KEY}"\n', "pkg/mod.py": f'K = "{KEY}"\n'})
    root = make_repo({"app.py": "x = 1\n", "real/inside.py": "y = 2\n"})
    _symlink(root / "outside_file.py", outside / "secret.py")
    _symlink(root / "outside_dir", outside / "pkg")
    _symlink(root / "loop_dir", ".")  # a directory symlink loop
    _symlink(root / "real" / "up", "..")
    _symlink(root / "inside_link.py", "real/inside.py")
    _symlink(root / "a.py", "b.py")  # a file symlink loop
    _symlink(root / "b.py", "a.py")
    _symlink(root / "dangling.py", "missing/nowhere.py")
    if use_git:
        git(root, "init", "-q")

    found: list[Discovery] = []
    thread = threading.Thread(target=lambda: found.append(discover(root)), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "discover() hangs on a symlink loop"
    (result,) = found
    assert result.mode == ("git" if use_git else "walk")
    assert paths(result) == ["app.py", "real/inside.py"]
    assert sorted((e.path, e.kind) for e in result.errors) == [
        ("a.py", "symlink-loop"),
        ("b.py", "symlink-loop"),
        ("dangling.py", "broken-symlink"),
        ("inside_link.py", "symlink"),
        ("loop_dir", "symlink"),
        ("outside_dir", "symlink"),
        ("outside_file.py", "symlink"),
        ("real/up", "symlink"),
    ]

    report = audit(root, Config(), Options(use_cache=False, jobs=1))
    assert report.findings == ()  # the key outside the root is never read
    assert report.files == 2


def test_fifo_is_not_read(make_repo: MakeRepo) -> None:
    if not hasattr(os, "mkfifo"):  # pragma: no cover
        pytest.skip("no FIFOs here")
    root = make_repo({"app.py": "x = 1\n"})
    os.mkfifo(root / "pipe.py")
    done: list[Discovery] = []
    thread = threading.Thread(target=lambda: done.append(discover(root)), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert paths(done[0]) == ["app.py"]
