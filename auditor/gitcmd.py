"""Every git command ragfit runs, run so that the scanned repository's own
configuration cannot make git run anything.

A repository's ``.git/config`` (and any file it pulls in with ``include.path``
or ``includeIf``) is read by every git command run inside it, and several keys
name programs: ``core.fsmonitor``, ``core.hooksPath`` and the hooks themselves
(``post-index-change`` runs when a command rewrites the index), filter drivers
(``filter.<name>.clean``), ``diff.external`` and textconv drivers,
``core.pager``, and remote helpers (an ``ext::`` promisor remote runs a shell
command when a partial clone fetches a missing object). :func:`run_git` makes
all of them inert:

- ``-c`` settings on the command line win over every configuration file,
  included ones too: ``core.fsmonitor=false``, ``core.hooksPath=/dev/null``
  (no hook can be found there), ``diff.external=``, ``core.pager=cat``,
  ``protocol.allow=never`` (and each known protocol by name, since
  ``protocol.<name>.allow`` would win over ``protocol.allow``),
  ``safe.bareRepository=explicit`` (a bare repository planted in the scanned
  folder is not picked up), no signature checks, no automatic gc.
- The environment is rebuilt rather than inherited: ``PATH`` and the home
  folder only (so the user's own ``safe.directory`` still counts), then
  ``GIT_CONFIG_NOSYSTEM``, ``GIT_OPTIONAL_LOCKS=0`` (read-only commands never
  write the index, so no index hook fires), ``GIT_ALLOW_PROTOCOL`` naming no
  real protocol (it overrides every ``protocol.*`` setting), ``GIT_NO_LAZY_FETCH``
  (git 2.45+), ``GIT_TERMINAL_PROMPT=0`` and no pager. Inherited ``GIT_DIR``,
  ``GIT_CONFIG_*`` and the like are dropped.
- The commands themselves are plumbing that never reads work-tree content
  through a filter: ``ls-files``, ``diff-index`` (stat-dirty files are listed
  as changed without being hashed), ``rev-parse``, ``log --name-only`` with
  ``--no-ext-diff --no-textconv``; stdin is closed and a timeout applies.

Filter drivers and textconv are keyed by names the repository chooses, so they
cannot be switched off by name: they are avoided by never asking git for
anything that would run them.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from auditor.safeio import UnsafeFile, read_chunks_in_root

__all__ = ["GIT", "SAFE_CONFIG", "git_command", "git_environment", "run_git"]

GIT = "git"

# Protocols git knows by name; ``protocol.<name>.allow`` wins over ``protocol.allow``.
_PROTOCOLS = ("ext", "fd", "file", "git", "http", "https", "ssh", "ftp", "ftps")

SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "core.hooksPath=" + os.devnull,
    "core.pager=cat",
    "core.quotepath=off",
    "core.splitIndex=false",
    "diff.external=",
    "log.showSignature=false",
    "log.showRoot=true",
    "protocol.allow=never",
    *(f"protocol.{name}.allow=never" for name in _PROTOCOLS),
    "safe.bareRepository=explicit",
    "gc.auto=0",
    "maintenance.auto=false",
    "fetch.recurseSubmodules=false",
    "submodule.recurse=false",
)

# Kept from the caller's environment: where programs are, and whose home the
# user's own (trusted) global configuration is in.
_KEPT = ("PATH", "HOME", "XDG_CONFIG_HOME", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP", "USERPROFILE")


def git_environment() -> dict[str, str]:
    """The environment every git command runs with (see the module docstring)."""
    env = {name: os.environ[name] for name in _KEPT if name in os.environ}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_ATTR_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_LAZY_FETCH="1",
        GIT_ALLOW_PROTOCOL="ragfit-none",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        LC_ALL="C",
        LANG="C",
        LANGUAGE="C",
    )
    return env


def git_command(root: Path | str, args: Sequence[str], executable: str = GIT) -> list[str]:
    """``git --no-pager -c ... -C root args``."""
    config = [part for setting in SAFE_CONFIG for part in ("-c", setting)]
    return [executable, "--no-pager", *config, "-C", str(root), *args]


def run_git(
    root: Path | str,
    args: Sequence[str],
    *,
    timeout: float,
    executable: str = GIT,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args`` in ``root`` safely; output as bytes.

    Raises what :func:`subprocess.run` raises when git cannot run
    (``FileNotFoundError`` with no git, ``subprocess.TimeoutExpired``,
    ``OSError``); a git that ran and failed gives a non-zero ``returncode``.
    """
    return subprocess.run(
        git_command(root, args, executable),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=git_environment(),
        timeout=timeout,
        check=False,
    )


def object_format(root: Path | str) -> str:
    """``sha1`` or ``sha256``: how the repository names its objects."""
    try:
        done = run_git(root, ["rev-parse", "--show-object-format"], timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "sha1"
    text = done.stdout.decode("ascii", "replace").strip()
    return text if done.returncode == 0 and text in {"sha1", "sha256"} else "sha1"


def _blob_id(root: Path, rel: str, algorithm: str) -> str | None:
    """The id git would give the work-tree file as it is (no filter), or None."""
    base = Path(root)
    try:
        info = os.lstat(base / rel)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        target = os.fsencode(os.readlink(base / rel))
        digest = hashlib.new(algorithm, b"blob %d\0" % len(target))
        digest.update(target)
        return digest.hexdigest()
    if not stat.S_ISREG(info.st_mode):
        return None
    digest = hashlib.new(algorithm, b"blob %d\0" % info.st_size)
    size = 0
    try:
        for chunk in read_chunks_in_root(base, rel, 1 << 20):
            digest.update(chunk)
            size += len(chunk)
    except UnsafeFile:
        return None
    return digest.hexdigest() if size == info.st_size else None


def _stage_entries(stage: bytes) -> Iterator[tuple[str, str, str]]:
    """``(mode, object id, path)`` of each stage-0 entry of ``ls-files -z --stage``."""
    for record in stage.split(b"\0"):
        head, tab, name = record.partition(b"\t")
        parts = head.split()
        if not tab or len(parts) != 3 or parts[2] != b"0":
            continue
        yield parts[0].decode(), parts[1].decode(), name.decode("utf-8", "surrogateescape")


def worktree_changes(root: Path | str, stage: bytes, algorithm: str = "sha1") -> set[str]:
    """Tracked files whose work-tree content differs from the index (or that are
    gone), found by hashing them here rather than asking git: git would run the
    repository's ``clean`` filter to hash a file whose stat data it does not
    trust. Entries are ``ls-files -z --stage`` output; unmerged paths count as
    changed; submodules are left out."""
    changed: set[str] = set()
    for record in stage.split(b"\0"):
        head, tab, name = record.partition(b"\t")
        parts = head.split()
        if tab and len(parts) == 3 and parts[2] != b"0":
            changed.add(name.decode("utf-8", "surrogateescape"))
    for mode, object_id, path in _stage_entries(stage):
        if mode == "160000":  # a submodule: its own repository
            continue
        if _blob_id(Path(root), path, algorithm) != object_id:
            changed.add(path)
    return changed
