"""The pre-commit hook: the manifest is valid, and a real ``pre-commit try-repo``
installs ragfit from this repository and fails a commit that holds an API key.

``try-repo`` on a work tree copies its staged and modified *tracked* files, but
not untracked ones: a new ``.pre-commit-hooks.yaml`` or README that is not
committed yet would be missing. So the slow test commits a snapshot of the work
tree (tracked and untracked, not ignored files) to a temporary repository and
points ``try-repo`` at that: it installs exactly what a commit of this tree
would give a user.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

# pip's words when the package index cannot be reached: a connection error, or
# the build backend (setuptools, fetched first into an isolated build
# environment) not found at all. A missing *dependency* is a real failure.
NETWORK_ERRORS = re.compile(
    r"No matching distribution found for setuptools.*|"
    r"Could not find a version that satisfies the requirement setuptools.*|"
    r".*(?:NewConnectionError|Temporary failure in name resolution|Network is unreachable"
    r"|Name or service not known|Failed to establish a new connection|ConnectTimeoutError"
    r"|Read timed out).*"
)
SKIPPED_DIRS = {".git", ".venv", ".nox", "venv", "build", "dist", "__pycache__", ".ragfit_cache"}


def _git_env() -> dict[str, str]:
    """The environment without any GIT_* variable of an enclosing git hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="ragfit tests",
        GIT_AUTHOR_EMAIL="tests@ragfit.invalid",
        GIT_COMMITTER_NAME="ragfit tests",
        GIT_COMMITTER_EMAIL="tests@ragfit.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=_git_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _work_tree_files(root: Path) -> list[str]:
    """Tracked and untracked, not ignored files (what `git add -A` would commit)."""
    try:
        listed = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist)
        return [
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file()
            and not any(
                p in SKIPPED_DIRS or p.endswith(".egg-info") for p in path.relative_to(root).parts
            )
        ]
    return [name for name in listed.split("\0") if name]


def snapshot_repo(root: Path, dest: Path) -> Path:
    """A git repository with one commit holding the current work tree of ``root``."""
    dest.mkdir(parents=True)
    for name in _work_tree_files(root):
        source = root / name
        if not source.is_file() or source.is_symlink():
            continue  # deleted in the work tree, or a link
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    _git(dest, "init", "-q")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-q", "-m", "snapshot of the ragfit work tree")
    return dest


def fake_openai_key() -> str:
    """A high-entropy key with a real key's shape, built at run time (never stored)."""
    rng = random.Random(7)
    return "sk-proj-" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(48))


def test_manifest_validates() -> None:
    done = subprocess.run(
        [str(PRE_COMMIT), "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _try_repo(hook_repo: Path, target: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = _git_env()
    env["PRE_COMMIT_HOME"] = str(home)
    env.pop("PRE_COMMIT", None)
    env.pop("PYTHONPATH", None)
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(hook_repo), "ragfit", "--all-files", "--color=never"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _skip_if_offline(done: subprocess.CompletedProcess[str], home: Path) -> None:
    """Skip when the hook environment could not be installed for want of the index."""
    output = done.stdout + done.stderr
    log = home / "pre-commit.log"
    if log.is_file():
        output += log.read_text("utf-8", "replace")
    if "Installing environment" not in output or "CalledProcessError" not in output:
        return
    match = NETWORK_ERRORS.search(output)
    if match:
        pytest.skip(
            "pre-commit could not install the hook environment (no package index?): "
            f"pip said: {match.group(0).strip()}"
        )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot_repo(ROOT, tmp_path_factory.mktemp("hook") / "hook-repo")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit home for the module: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_try_repo_passes_clean_and_fails_on_a_key(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    home = pre_commit_home
    target = tmp_path / "target"
    target.mkdir()
    _git(target, "init", "-q")
    (target / "app.py").write_text('import os\n\nKEY = os.environ["OPENAI_API_KEY"]\n', "utf-8")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "clean")

    clean = _try_repo(hook_repo, target, home)
    _skip_if_offline(clean, home)
    clean_out = clean.stdout + clean.stderr
    assert clean.returncode == 0, clean_out
    assert re.search(r"^ragfit\.+Passed$", clean_out, re.MULTILINE), clean_out

    key = fake_openai_key()
    (target / "settings.py").write_text(f'OPENAI_API_KEY = "{key}"\n', "utf-8")
    _git(target, "add", "settings.py")
    dirty = _try_repo(hook_repo, target, home)
    dirty_out = dirty.stdout + dirty.stderr
    assert dirty.returncode == 1, dirty_out
    assert re.search(r"^ragfit\.+Failed$", dirty_out, re.MULTILINE), dirty_out
    assert "SC007" in dirty_out
    assert "settings.py:1:" in dirty_out
    assert key not in dirty_out
    assert key[8:] not in dirty_out
    # The hook wrote nothing that git tracks (its cache ignores itself).
    assert _git(target, "status", "--porcelain") == "A  settings.py\n"


def _readme_hook_config(hook_repo: Path) -> str:
    """The README's `.pre-commit-config.yaml`, followed as written: `rev:` is the
    hash its `git ls-remote` command prints, run against the hook repository
    (a local snapshot standing in for the URL, which tests cannot reach)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## pre-commit") :]
    section = section[: section.index("\n## ", 1)]
    config = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    command = re.search(r"`git ls-remote (\S+) (\S+)`", section)
    assert config is not None and command is not None, "README: pre-commit snippet moved"
    url, ref = command.group(1), command.group(2)
    printed = _git(hook_repo, "ls-remote", str(hook_repo), ref)
    rev = printed.split()[0]
    assert re.fullmatch(r"[0-9a-f]{40}", rev), printed
    text = config.group(1)
    assert f"repo: {url}" in text
    text = text.replace(f"repo: {url}", f"repo: {hook_repo}")
    return re.sub(r"rev: [0-9a-f]{40}", f"rev: {rev}", text)


def _commit(target: Path, home: Path, message: str) -> subprocess.CompletedProcess[str]:
    """`git commit` in ``target``, with the hook installed by `pre-commit install`."""
    env = _git_env()
    env["PRE_COMMIT_HOME"] = str(home)
    env.pop("PYTHONPATH", None)
    env["NO_COLOR"] = "1"
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_readme_config_audits_what_the_commit_holds(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    """The README's instructions, followed in a new repository: a real `git
    commit` runs the hook; an untracked scratch file with a key does not fail
    it, a staged one does; offline, PyQt5 (GPL) in an MIT project is LC003."""
    target = tmp_path / "project"
    target.mkdir()
    _git(target, "init", "-q")
    (target / ".pre-commit-config.yaml").write_text(_readme_hook_config(hook_repo), "utf-8")
    (target / "pyproject.toml").write_text(
        '[project]\nname = "desk"\nversion = "1.0"\nlicense = "MIT"\n'
        'dependencies = ["PyQt5==5.15.2"]\n\n[tool.ragfit]\nfail-on = "warning"\n',
        "utf-8",
    )
    (target / "app.py").write_text("import os\n\nKEY = os.environ['OPENAI_API_KEY']\n", "utf-8")
    env = _git_env()
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    installed = subprocess.run(
        [str(PRE_COMMIT), "install"], cwd=target, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(target, "add", "-A")
    key = fake_openai_key()
    (target / "scratch.py").write_text(f'KEY = "{key}"\n', "utf-8")  # untracked

    gpl = _commit(target, pre_commit_home, "first")
    _skip_if_offline(gpl, pre_commit_home)
    out = gpl.stdout + gpl.stderr
    assert gpl.returncode == 1, out  # LC003 is a warning, and fail-on is warning
    assert re.search(r"^ragfit\.+Failed$", out, re.MULTILINE), out
    assert re.search(r"^pyproject\.toml:5:\d+: LC003 `PyQt5` 5\.15\.2 is under GPL-3\.0", out, re.M)
    assert "scratch.py" not in out and "SC007" not in out  # untracked: not in the commit

    (target / "pyproject.toml").write_text(
        '[project]\nname = "desk"\nversion = "1.0"\nlicense = "MIT"\ndependencies = []\n',
        "utf-8",
    )
    _git(target, "add", "pyproject.toml")
    clean = _commit(target, pre_commit_home, "clean")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert _git(target, "status", "--porcelain") == "?? scratch.py\n"

    _git(target, "add", "scratch.py")  # now the commit would hold the key
    dirty = _commit(target, pre_commit_home, "key")
    out = dirty.stdout + dirty.stderr
    assert dirty.returncode == 1, out
    assert "scratch.py:1:" in out and "SC007" in out
    assert key not in out
