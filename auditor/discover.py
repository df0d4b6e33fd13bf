"""Which files to read.

In a git work tree: ``git ls-files`` (tracked, plus untracked files that are not
ignored). Elsewhere: a walk that honours ``.gitignore`` files at every level.
Either way vendored and virtual-env folders are skipped, symlinks are never
followed, and files over the size cap are not parsed; each file left out is
reported (one entry per file, or one per reason with a count and a sample).
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from auditor.gitcmd import run_git
from auditor.model import ScanError
from auditor.safeio import UnsafeFile, read_in_root
from auditor.scanners.text import LINE_BREAK

SKIP_DIRS = frozenset(
    {
        ".venv",
        "venv",
        "node_modules",
        "site-packages",
        "build",
        "dist",
        ".git",
        ".tox",
        "__pycache__",
        ".ragfit_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".nox",
        ".eggs",
    }
)
# Folders skipped without a word: git's own and tools' caches, never content.
QUIET_DIRS = frozenset(
    {".git", "__pycache__", ".ragfit_cache", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
)
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
LOCK_NAMES = frozenset({"Pipfile.lock", "poetry.lock", "uv.lock", "pylock.toml", "pdm.lock"})
LOCK_SIZE_FACTOR = 16
# More files than this skipped for one reason are reported as one entry with a
# count and a sample of paths.
GROUP_AFTER = 10
SAMPLE = 5
MAX_GITIGNORE_BYTES = 1024 * 1024
MAX_GITIGNORE_PATTERNS = 5000


@dataclass(frozen=True)
class SourceFile:
    path: str  # relative, POSIX
    size: int
    # (size, mtime in ns, ctime in ns, inode): lets a warm run skip reading
    # unchanged files. ctime is there because an edit that restores the
    # modification time (``touch -r``, ``os.utime``) cannot restore it.
    stamp: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    mode: str = "walk"
    # Files over the size cap: not parsed, but scanned for secrets, and a
    # knowledge corpus or a training set still counts their bytes.
    oversized: list[SourceFile] = field(default_factory=list)
    # Files left out by the configuration's ``exclude`` globs.
    excluded: list[str] = field(default_factory=list)


def size_limit(path: str, max_file_size: int) -> int:
    """The size cap of one file: lock files and JSONL training sets get
    ``LOCK_SIZE_FACTOR`` times the configured cap (they must not vanish)."""
    name = path.rpartition("/")[2]
    big = name in LOCK_NAMES or name.endswith((".jsonl", ".ndjson"))
    return max_file_size * LOCK_SIZE_FACTOR if big else max_file_size


def _git_files(root: Path, untracked: bool = True) -> list[str] | None:
    """Paths from git, relative to ``root``; None when root is not in a work tree.
    ``untracked``: also files git does not track and does not ignore; without
    them, the index's files (tracked and staged): what a commit holds.

    Runs through :func:`auditor.gitcmd.run_git`: nothing the repository's own
    configuration names (fsmonitor, hooks, filters) is run, and the index is
    never written."""
    try:
        inside = run_git(root, ["rev-parse", "--is-inside-work-tree"], timeout=30)
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return None
        listed = run_git(
            root,
            [
                "ls-files",
                "-z",
                "--cached",
                *(["--others", "--exclude-standard"] if untracked else []),
            ],
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})


class _IgnoreStack:
    """``.gitignore`` files found on the way down, each applying below its folder.

    Kept by folder, so a file is checked against the ignore files of its own
    ancestors only (a repository with thousands of ``.gitignore`` files costs
    the depth of a path per file, not the number of ignore files)."""

    def __init__(self, root: Path, errors: list[ScanError]) -> None:
        self.root = root
        self.errors = errors
        self.specs: dict[str, pathspec.GitIgnoreSpec] = {}

    def load(self, rel: str) -> None:
        name = f"{rel}/.gitignore" if rel else ".gitignore"
        try:
            data = read_in_root(self.root, name, MAX_GITIGNORE_BYTES)
        except UnsafeFile as exc:
            if exc.kind == "too-large":
                self.errors.append(ScanError(name, "too-large", f"{exc}; ignore rules not used"))
            return  # a link or a pipe is reported by the walk itself
        lines = LINE_BREAK.split(data.decode("utf-8", "replace"))
        if len(lines) > MAX_GITIGNORE_PATTERNS:
            message = f"only the first {MAX_GITIGNORE_PATTERNS} of {len(lines)} lines used"
            self.errors.append(ScanError(name, "too-large", message))
            lines = lines[:MAX_GITIGNORE_PATTERNS]
        try:
            self.specs[rel] = pathspec.GitIgnoreSpec.from_lines(lines)
        except Exception:  # a pattern pathspec cannot compile: git would skip it too
            self.specs[rel] = pathspec.GitIgnoreSpec.from_lines(_compilable(lines))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """As git decides: the deepest ``.gitignore`` with a matching pattern wins,
        so a nested ``!keep.log`` re-includes what a parent's ``*.log`` ignores."""
        verdict = False
        parts = rel.split("/")
        for depth in range(len(parts)):  # root first, deeper folders after
            base = "/".join(parts[:depth])
            spec = self.specs.get(base)
            if spec is None:
                continue
            sub = "/".join(parts[depth:])
            result = spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                verdict = result.include
        return verdict


def _compilable(lines: list[str]) -> list[str]:
    kept = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception:
            continue
        kept.append(line)
    return kept


def _walk(root: Path, errors: list[ScanError], vendored: dict[str, int]) -> Iterator[str]:
    ignores = _IgnoreStack(root, errors)
    ignores.load("")
    pending = [("", root)]
    while pending:
        rel_dir, directory = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            errors.append(ScanError(rel_dir or ".", "unreadable", _os_message(exc)))
            continue
        subdirs: list[tuple[str, Path]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if entry.is_symlink():
                yield rel  # reported by the caller
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info"):
                    if not _quiet(root, rel) and not ignores.ignored(rel, True):
                        vendored[rel] = -1  # not walked: its files are not counted
                    continue
                if not ignores.ignored(rel, True):
                    subdirs.append((rel, Path(entry.path)))
            elif not ignores.ignored(rel, False):
                yield rel
        for rel, path in reversed(subdirs):
            ignores.load(rel)
            pending.append((rel, path))


def _os_message(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def discover(
    root: Path,
    *,
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    untracked: bool = True,
) -> Discovery:
    """The files to read under ``root``, and every file left out, with why.

    Every file that is skipped is accounted for: files over the size cap,
    symbolic links (never followed), pipes and devices, and files in vendored
    or virtual-environment folders become ``errors`` entries (more than
    ``GROUP_AFTER`` for one reason: one entry with the count and a sample);
    files left out by ``exclude`` are listed in ``excluded``.
    ``untracked=False`` (``--tracked-only``, the pre-commit hook): in a git
    work tree, only the files in the index."""
    result = Discovery()
    vendored: dict[str, int] = {}
    listed = _git_files(root, untracked)
    if listed is not None:
        result.mode = "git"
        candidates: Iterator[str] | list[str] = listed
    else:
        candidates = _walk(root, result.errors, vendored)
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    base = str(root) + os.sep
    skipped: dict[str, str | None] = {}  # by folder: 27k files live in a few hundred
    problems: dict[str, list[ScanError]] = {}
    quiet: dict[str, bool] = {}
    for rel in candidates:
        folder = rel.rpartition("/")[0]
        if folder:
            hidden = skipped.get(folder, "")
            if hidden == "":
                hidden = skipped[folder] = _skipped_folder(folder)
            if hidden is not None:
                if hidden not in quiet:  # one lstat per skipped folder, not per file
                    quiet[hidden] = _quiet(root, hidden)
                if not quiet[hidden]:
                    vendored[hidden] = vendored.get(hidden, 0) + 1
                continue
        if excluded is not None and excluded.match_file(rel):
            result.excluded.append(rel)
            continue
        try:
            info = os.lstat(base + rel)  # strings: 10k pathlib joins cost 0.1 s
        except OSError:
            continue  # listed by git but deleted in the work tree
        if stat.S_ISLNK(info.st_mode):
            kind, message = _symlink_problem(root / rel)
            problems.setdefault(kind, []).append(ScanError(rel, kind, message))
            continue
        if not stat.S_ISREG(info.st_mode):
            what = _file_type(info.st_mode)
            message = f"not a regular file ({what}); not read"
            problems.setdefault("special-file", []).append(ScanError(rel, "special-file", message))
            continue
        # Lock files of large projects run to megabytes and must not vanish: a
        # missing lock file would make every range look unpinned (SC002).
        # So do training sets (JSONL): their size is what fine-tuning costs.
        limit = size_limit(rel, max_file_size)
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        if info.st_size > limit:
            result.oversized.append(SourceFile(rel, info.st_size, stamp))
            message = (
                f"{info.st_size} bytes is over the {limit}-byte cap; not parsed "
                "(text is still scanned for secrets)"
            )
            problems.setdefault("too-large", []).append(ScanError(rel, "too-large", message))
            continue
        result.files.append(SourceFile(rel, info.st_size, stamp))
    result.files.sort(key=lambda f: f.path)
    for kind in sorted(problems):
        result.errors.extend(group_errors(kind, problems[kind]))
    if vendored:
        result.errors.append(_vendored_entry(vendored))
    return result


_REASONS = {
    "too-large": "over the size cap; not parsed (text is still scanned for secrets)",
    "symlink": "are symbolic links; not followed",
    "symlink-loop": "are symbolic link loops; not followed",
    "broken-symlink": "are symbolic links to missing files; not followed",
    "special-file": "are not regular files (pipes, devices, sockets); not read",
}


def group_errors(kind: str, entries: list[ScanError]) -> list[ScanError]:
    """The entries for one reason as they are, or one entry with their count and a
    sample of paths when there are more than ``GROUP_AFTER``."""
    if len(entries) <= GROUP_AFTER:
        return entries
    ordered = sorted(e.path for e in entries)
    sample = ", ".join(ordered[:SAMPLE])
    reason = _REASONS.get(kind, f"skipped ({kind})")
    verb = "files" if reason.startswith("are") else "files are"
    message = f"{len(entries)} {verb} {reason}: {sample} and {len(entries) - SAMPLE} more"
    return [ScanError("", kind, message)]


def _vendored_entry(vendored: dict[str, int]) -> ScanError:
    """One entry for the vendored and virtual-environment folders left out."""
    names = sorted(vendored)
    shown = [
        f"{name} ({vendored[name]} files)" if vendored[name] >= 0 else name
        for name in names[:SAMPLE]
    ]
    more = f" and {len(names) - SAMPLE} more" if len(names) > SAMPLE else ""
    counted = sum(count for count in vendored.values() if count > 0)
    head = f"{counted} files in " if counted else ""
    message = f"{head}vendored or virtual-environment folders not read: {', '.join(shown)}{more}"
    return ScanError("", "skipped", message)


def _quiet(root: Path, folder: str) -> bool:
    """Skipped folders that go unreported: git's own and tools' caches, and a
    virtual environment (it has a ``pyvenv.cfg``): never the project's content."""
    if folder.rpartition("/")[2] in QUIET_DIRS:
        return True
    try:
        return stat.S_ISREG(os.lstat(root / folder / "pyvenv.cfg").st_mode)
    except OSError:
        return False


def _skipped_folder(folder: str) -> str | None:
    """The outermost skipped folder (vendored, virtual env, caches) ``folder`` is in."""
    parts = folder.split("/")
    for index, part in enumerate(parts):
        if part in SKIP_DIRS or part.endswith(".egg-info"):
            return "/".join(parts[: index + 1])
    return None


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def _symlink_problem(link: Path) -> tuple[str, str]:
    """Symlinks are never followed; each is reported, loops and dangling links as such."""
    try:
        os.stat(link)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ("symlink-loop", "symbolic link loop; not followed")
        if exc.errno == errno.ENOENT:
            return ("broken-symlink", "symbolic link to a missing file; not followed")
        return ("symlink", f"symbolic link ({_os_message(exc)}); not followed")
    return ("symlink", "symbolic link; not followed")
