"""No git command ragfit runs executes anything the scanned repository's git
configuration names.

Each trap is a program that writes a marker file when git runs it: the
repository's own ``core.fsmonitor``, a hook (``post-index-change`` in
``.git/hooks``, in a ``core.hooksPath`` folder), a ``filter.*.clean`` driver, an
external diff, a textconv driver, a pager, settings pulled in through
``include.path`` and ``includeIf``, and an ``ext::`` promisor remote that a
partial clone calls to fetch a missing object. Every trap is first shown to
fire under plain git (so the test can fail); then ragfit scans in every mode
(plain, ``--diff-base``, with a notebook, the history reader) and no marker may
appear.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import GitRepo, RunCli, commit_all, git

from auditor.config import Config
from auditor.engine import Options, audit
from auditor.gitcmd import SAFE_CONFIG, git_environment
from auditor.scanners.history import read_history

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

NOTEBOOK = (
    '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,'
    ' "source": ["from openai import OpenAI\\n", "OpenAI().chat.completions.create('
    'model=\\"gpt-4o\\", messages=[])\\n"]}],'
    ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
)
CALL_LINE = (
    "from openai import OpenAI\n"
    'reply = OpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
)
FILES = {
    "app.py": (
        "from openai import OpenAI\n"
        'reply = OpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
    ),
    "docs/guide.md": "# Guide\n\nHow to use the service.\n",
    "notebooks/explore.ipynb": NOTEBOOK,
    "data/train.jsonl": '{"messages": [{"role": "user", "content": "hi"}]}\n',
    "requirements.txt": "openai==1.51.0\n",
}


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body + "\n", "utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


class Traps:
    """A repository armed with every trap; ``fired()`` lists the markers written."""

    def __init__(self, root: Path, markers: Path) -> None:
        self.root = root
        self.markers = markers

    def fired(self) -> list[str]:
        return sorted(p.name for p in self.markers.iterdir())

    def clear(self) -> None:
        for marker in self.markers.iterdir():
            marker.unlink()


def _config(root: Path, *settings: str) -> None:
    for setting in settings:
        key, _, value = setting.partition("=")
        git(root, "config", key, value)


@pytest.fixture
def traps(git_repo: GitRepo, tmp_path: Path) -> Traps:
    root = git_repo(FILES, "trapped")
    commit_all(root, "docs")
    (root / "docs" / "guide.md").write_text("# Guide\n\nChanged.\n", "utf-8")
    commit_all(root, "docs again")
    markers = tmp_path / "markers"
    markers.mkdir()
    bin_dir = tmp_path / "trap-bin"
    bin_dir.mkdir()

    def mark(name: str, rest: str = "") -> str:
        return str(_script(bin_dir / name, f'touch "{markers}/{name}"\n{rest}'))

    gitdir = root / ".git"
    # Hooks: the default folder, and a core.hooksPath set through includeIf.
    _script(gitdir / "hooks" / "post-index-change", f'touch "{markers}/hook-post-index-change"')
    hooks_path = tmp_path / "hooks-path"
    hooks_path.mkdir()
    _script(hooks_path / "post-index-change", f'touch "{markers}/hooks-path-post-index-change"')
    # Settings pulled in through include.path and includeIf.
    (gitdir / "trap.inc").write_text(
        f"[core]\n\tfsmonitor = {mark('include-fsmonitor')}\n", "utf-8"
    )
    (gitdir / "trap-if.inc").write_text(f"[core]\n\thooksPath = {hooks_path}\n", "utf-8")
    textconv = mark("textconv", 'cat "$1"')
    _config(
        root,
        "include.path=trap.inc",
        f"includeIf.gitdir:{gitdir}.path=trap-if.inc",
        f"filter.trap.clean={mark('filter-clean', 'cat')}",
        f"filter.trap.smudge={mark('filter-smudge', 'cat')}",
        f"diff.external={mark('external-diff')}",
        f"diff.trap.textconv={textconv}",
        f"core.pager={mark('pager', 'cat')}",
        f"core.sshCommand={mark('ssh-command')}",
        f"credential.helper={mark('credential-helper')}",
    )
    (root / ".gitattributes").write_text("*.py filter=trap\n*.md diff=trap\n", "utf-8")
    commit_all(root, "attributes")
    # The work tree differs from HEAD: a stat-dirty tracked file, an untracked one.
    (root / "app.py").write_text(FILES["app.py"] + "# edited\n", "utf-8")
    (root / "new.py").write_text("import anthropic\n", "utf-8")
    armed = Traps(root, markers)
    armed.clear()  # the commits above ran some of them
    return armed


def _plain_git(root: Path, *args: str) -> None:
    """git as a user runs it: the repository's configuration in force."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, check=False)


CONTROLS = [
    ("include-fsmonitor", ["status"]),
    ("hooks-path-post-index-change", ["add", "new.py"]),  # includeIf's core.hooksPath
    ("filter-clean", ["diff", "--name-only", "HEAD"]),
    ("external-diff", ["diff", "HEAD"]),
    ("textconv", ["log", "-p", "-1", "--", "docs/guide.md"]),
]


@pytest.mark.parametrize(("marker", "command"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_each_trap_fires_under_plain_git(traps: Traps, marker: str, command: list[str]) -> None:
    """The traps are real: plain git runs them (else the tests below prove nothing)."""
    _plain_git(traps.root, *command)
    assert marker in traps.fired()


def test_default_hooks_folder_fires_under_plain_git(traps: Traps) -> None:
    # Without includeIf's core.hooksPath, .git/hooks is where git looks.
    gitdir = traps.root / ".git"
    _plain_git(traps.root, "config", "--remove-section", f"includeIf.gitdir:{gitdir}")
    _plain_git(traps.root, "add", "new.py")
    assert "hook-post-index-change" in traps.fired()


def test_no_trap_fires_in_any_scan_mode(traps: Traps, run_cli: RunCli) -> None:
    root = traps.root
    for flags in ([], ["--diff-base", "HEAD~1"], ["--diff-base", "HEAD"], ["--no-cache"]):
        code, out, err = run_cli("scan", root, "--format", "json", "--offline", *flags)
        assert code in (0, 1), err
        assert '"notebooks/explore.ipynb"' in out or flags[:1] == ["--diff-base"]
        assert traps.fired() == [], flags
    history = read_history(root)
    assert history.ok, history.detail
    assert history.churn(["docs"]) is not None
    assert traps.fired() == []
    # The index was never written: git's own view of the work tree is unchanged.
    assert "new.py" not in git(root, "ls-files")


def test_the_scan_reads_git_not_the_walk(traps: Traps) -> None:
    report = audit(traps.root, Config(), Options(use_cache=False, jobs=1))
    paths = {site.path for site in report.call_sites}
    assert {"app.py", "notebooks/explore.ipynb"} <= paths
    assert traps.fired() == []


def _partial_clone_with_ext_remote(git_repo: GitRepo, tmp_path: Path) -> tuple[Path, Path]:
    """A repository that believes it is a partial clone of an ``ext::`` remote
    (which runs a shell command), with one tree object missing: a git that
    needs that tree fetches it from the remote, and so runs the command."""
    root = git_repo({"docs/a.md": "one\n", "app.py": "x = 1\n"}, "partial")
    (root / "docs" / "a.md").write_text("two\n", "utf-8")
    commit_all(root, "second")
    marker = tmp_path / "ext-remote-ran"
    _config(
        root,
        "core.repositoryformatversion=1",
        "extensions.partialClone=origin",
        f"remote.origin.url=ext::sh -c touch% {marker}",
        "remote.origin.promisor=true",
        "remote.origin.fetch=+refs/heads/*:refs/remotes/origin/*",
        "protocol.ext.allow=always",
        "protocol.allow=always",
    )
    first = git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    tree = git(root, "rev-parse", f"{first}^{{tree}}").strip()
    (root / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    return root, marker


def test_ext_promisor_remote_fires_under_plain_git(git_repo: GitRepo, tmp_path: Path) -> None:
    root, marker = _partial_clone_with_ext_remote(git_repo, tmp_path)
    _plain_git(root, "log", "--name-only", "--format=%H")
    assert marker.exists()


def test_ext_promisor_remote_never_runs(git_repo: GitRepo, tmp_path: Path, run_cli: RunCli) -> None:
    root, marker = _partial_clone_with_ext_remote(git_repo, tmp_path)
    history = read_history(root)  # needs the missing tree: git must not fetch it
    assert not marker.exists()
    assert history.status in {"ok", "error"}
    for flags in ([], ["--diff-base", "HEAD~1"]):
        code, _, err = run_cli("scan", root, "--format", "json", "--offline", *flags)
        # Comparing with a commit whose tree is missing cannot be done offline:
        # one line, exit 2, and nothing fetched.
        assert code in (0, 1) or err.startswith("ragfit: error: --diff-base HEAD~1: "), err
        assert err.count("\n") <= 1
        assert not marker.exists(), flags


def test_a_bare_repository_planted_in_the_scanned_folder_is_not_used(
    make_repo: GitRepo, tmp_path: Path
) -> None:
    """A folder laid out as a bare repository (HEAD, objects/, refs/, a config
    with an fsmonitor) is not a repository to ragfit: safe.bareRepository=explicit."""
    root = make_repo({"app.py": "x = 1\n"}, "bare")
    subprocess.run(["git", "init", "-q", "--bare", str(root)], check=True)
    marker = tmp_path / "bare-fsmonitor"
    hook = _script(tmp_path / "fsmonitor", f'touch "{marker}"')
    subprocess.run(
        ["git", "--git-dir", str(root), "config", "core.fsmonitor", str(hook)], check=True
    )
    report = audit(root, Config(), Options(use_cache=False, jobs=1))
    assert report.files >= 1
    assert not marker.exists()


def test_diff_base_is_never_an_option(git_repo: GitRepo, run_cli: RunCli, tmp_path: Path) -> None:
    root = git_repo({"app.py": "x = 1\n"})
    target = tmp_path / "written-by-git"
    code, _, err = run_cli("scan", root, f"--diff-base=--output={target}")
    assert code == 2
    assert err.startswith("ragfit: error: --diff-base")
    assert not target.exists()


def test_the_environment_is_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_DIR", "/somewhere/else")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.fsmonitor")
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "/bin/false")
    env = git_environment()
    assert "GIT_DIR" not in env and "GIT_CONFIG_COUNT" not in env
    assert "GIT_EXTERNAL_DIFF" not in env
    assert env["GIT_CONFIG_NOSYSTEM"] == "1"
    assert env["GIT_OPTIONAL_LOCKS"] == "0"
    assert env["GIT_NO_LAZY_FETCH"] == "1"
    assert env["GIT_ALLOW_PROTOCOL"] == "ragfit-none"
    assert "core.fsmonitor=false" in SAFE_CONFIG
    assert "protocol.ext.allow=never" in SAFE_CONFIG


def test_diff_base_never_hashes_the_work_tree_through_a_filter(
    git_repo: GitRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    """A file changed right after the index was written is "racily clean": git
    re-reads it, through its ``clean`` filter, even in ``diff-index`` (the first
    fix used it). ragfit hashes the work tree itself."""
    root = git_repo({"app.py": CALL_LINE, "lib.py": "x = 1\n"}, "racy")
    marker = tmp_path / "clean-ran"
    clean = _script(tmp_path / "clean", f'touch "{marker}"\ncat')
    git(root, "config", "filter.t.clean", str(clean))
    (root / ".gitattributes").write_text("* filter=t\n", "utf-8")
    (root / "app.py").write_text(CALL_LINE + "# edited\n", "utf-8")
    # The index no newer than lib.py: its entry is racily clean, so git re-reads it.
    then = (root / "lib.py").stat().st_mtime_ns
    os.utime(root / ".git" / "index", ns=(then, then))
    _plain_git(root, "diff-index", "--name-only", "HEAD")
    assert marker.exists()  # the trap is real
    marker.unlink()
    code, out, err = run_cli(
        "scan", root, "--format", "json", "--no-cache", "--offline", "--diff-base", "HEAD"
    )
    assert code in (0, 1), err
    assert not marker.exists()
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert "lib.py" not in paths  # unchanged content: not a changed file


def test_changed_files_are_found_without_git_reading_the_work_tree(git_repo: GitRepo) -> None:
    from auditor.engine import _changed_files

    root = git_repo({"a.py": "a\n", "b.py": "b\n", "c.py": "c\n", "d.py": "d\n"}, "changes")
    (root / "a.py").write_text("a2\n", "utf-8")  # unstaged
    (root / "b.py").write_text("b2\n", "utf-8")
    git(root, "add", "b.py")  # staged
    (root / "c.py").unlink()  # deleted
    (root / "new.py").write_text("n\n", "utf-8")  # untracked
    os.symlink("d.py", root / "link.py")
    git(root, "add", "link.py")
    commit_all(root, "second")
    (root / "e.py").write_text("e\n", "utf-8")
    assert _changed_files(root, "HEAD~1") == {"a.py", "b.py", "c.py", "new.py", "link.py", "e.py"}
    assert _changed_files(root, "HEAD") == {"e.py"}
