"""Which files to read.

In a git work tree: ``git ls-files`` (tracked, plus untracked files that are not
ignored). Elsewhere: a walk that honours ``.gitignore`` files at every level.
Either way vendored and virtual-env folders are skipped, symlinks are never
followed (a loop or a dangling link is reported), and files over the size cap
are reported, not read.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from auditor.model import ScanError

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
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
LOCK_NAMES = frozenset({"Pipfile.lock", "poetry.lock", "uv.lock", "pylock.toml", "pdm.lock"})
LOCK_SIZE_FACTOR = 16
# Text that ragfit reads; a file over the cap with one of these is worth a report.
SOURCE_SUFFIXES = frozenset(
    {".py", ".pyi", ".ipynb", ".toml", ".cfg", ".txt", ".in", ".yml", ".yaml", ".tf", ".json"}
)


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
    # Files over the size cap: not read, but a knowledge corpus or a training
    # set still counts their bytes.
    oversized: list[SourceFile] = field(default_factory=list)


def _skipped_dir(parts: Sequence[str]) -> bool:
    return any(part in SKIP_DIRS or part.endswith(".egg-info") for part in parts)


def _git_files(root: Path, untracked: bool = True) -> list[str] | None:
    """Paths from git, relative to ``root``; None when root is not in a work tree.
    ``untracked``: also files git does not track and does not ignore; without
    them, the index's files (tracked and staged): what a commit holds."""
    try:
        inside = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        listed = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                *(["--others", "--exclude-standard"] if untracked else []),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    names = listed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})


class _IgnoreStack:
    """``.gitignore`` files found on the way down, each applying below its folder."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def load(self, directory: Path, rel: str) -> None:
        ignore = directory / ".gitignore"
        try:
            lines = ignore.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            return
        self.specs.append((rel, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """As git decides: the deepest ``.gitignore`` with a matching pattern wins,
        so a nested ``!keep.log`` re-includes what a parent's ``*.log`` ignores."""
        verdict = False
        for base, spec in self.specs:  # root first, deeper folders after
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1 :] if base else rel
            result = spec.check_file(sub + "/" if is_dir else sub)
            if result.include is not None:
                verdict = result.include
        return verdict


def _walk(root: Path, errors: list[ScanError]) -> Iterator[str]:
    ignores = _IgnoreStack()
    ignores.load(root, "")
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
                yield rel  # reported or skipped by the caller
                continue
            if is_dir:
                if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info"):
                    continue
                if not ignores.ignored(rel, True):
                    subdirs.append((rel, Path(entry.path)))
            elif not ignores.ignored(rel, False):
                yield rel
        for rel, path in reversed(subdirs):
            ignores.load(path, rel)
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
    """The files to read under ``root``. ``untracked=False`` (``--tracked-only``,
    the pre-commit hook): in a git work tree, only the files in the index."""
    result = Discovery()
    listed = _git_files(root, untracked)
    if listed is not None:
        result.mode = "git"
        candidates: Iterator[str] | list[str] = listed
    else:
        candidates = _walk(root, result.errors)
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
    base = str(root) + os.sep
    skipped: dict[str, bool] = {}  # by folder: 27k files live in a few hundred
    for rel in candidates:
        folder, _, name = rel.rpartition("/")
        if folder:
            hidden = skipped.get(folder)
            if hidden is None:
                hidden = skipped[folder] = _skipped_dir(folder.split("/"))
            if hidden:
                continue
        if excluded is not None and excluded.match_file(rel):
            continue
        try:
            info = os.lstat(base + rel)  # strings: 10k pathlib joins cost 0.1 s
        except OSError:
            continue  # listed by git but deleted in the work tree
        if stat.S_ISLNK(info.st_mode):
            problem = _symlink_problem(root / rel)
            if problem:
                result.errors.append(ScanError(rel, problem[0], problem[1]))
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        # Lock files of large projects run to megabytes and must not vanish: a
        # missing lock file would make every range look unpinned (SC002).
        # So do training sets (JSONL): their size is what fine-tuning costs.
        big = name in LOCK_NAMES or name.endswith((".jsonl", ".ndjson"))
        limit = max_file_size * LOCK_SIZE_FACTOR if big else max_file_size
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        if info.st_size > limit:
            result.oversized.append(SourceFile(rel, info.st_size, stamp))
            suffix = "." + name.rpartition(".")[2].lower() if "." in name else ""
            if suffix in SOURCE_SUFFIXES or name.startswith("requirements"):
                result.errors.append(
                    ScanError(
                        rel,
                        "too-large",
                        f"{info.st_size} bytes is over the {max_file_size}-byte cap; not read",
                    )
                )
            continue
        result.files.append(SourceFile(rel, info.st_size, stamp))
    result.files.sort(key=lambda f: f.path)
    return result


def _symlink_problem(link: Path) -> tuple[str, str] | None:
    """Symlinks are never followed; loops and dangling links are reported."""
    try:
        os.stat(link)
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            return ("symlink-loop", "symbolic link loop; not followed")
        if exc.errno == errno.ENOENT:
            return ("broken-symlink", "symbolic link to a missing file; not followed")
        return ("unreadable", _os_message(exc))
    return None
