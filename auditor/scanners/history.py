"""How often files changed, from the repository's git history.

``read_history(root)`` runs git a few times (``rev-parse`` once, ``git log``
once for the whole window) and keeps, for every file changed in the window,
the commits that touched it. ``GitHistory.churn(paths)`` then answers for any
files, folders or globs from memory; only the date of the last change of paths
that did not change in the window needs one more, bounded ``git log -1``
(cached per question).

Nothing here writes to the repository or reaches the network, and nothing the
scanned repository's configuration names is run: git runs through
:func:`auditor.gitcmd.run_git` (no pager, hooks, fsmonitor, external diff,
textconv, signature checks or remote helpers; a partial clone cannot fetch
missing objects). A git that
is missing, a folder that is not a repository, a repository git refuses
(``safe.directory``), a shallow clone, an error or a timeout each give a status
and a one-line detail: ``read_history`` never raises and ``churn`` then answers
``None`` (the caller reports ``unknown``, never ``static``).

Dates are committer dates; a commit dated after ``now`` (clock skew, or a
``now`` in the past) is not counted and not reported as a change.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from auditor.gitcmd import run_git

__all__ = ["GIT_EXECUTABLE", "GitHistory", "PathChurn", "read_history"]

GIT_EXECUTABLE = "git"

DAY = 86400
RECENT_DAYS = 90
YEAR_DAYS = 365

_HEADER = re.compile(rb"\x1e([0-9a-f]{40,64})\x1f(-?[0-9]+)\Z")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class PathChurn:
    """How often some files or folders changed.

    ``paths``: what was asked (repo-relative POSIX, relative to the scanned
    root). ``commits_90``/``commits_365``: distinct commits touching any of them
    in the 90/365 days up to ``now``. ``last_change``/``first_change``: ISO dates
    (UTC) of the newest and the oldest commit touching them. ``first_change`` is
    the oldest within the history read (``read_history``'s ``days``); when none
    touched them in that window, both are the date of the last change before it,
    or ``None`` when git knows none. ``files_changed_90``: distinct files under
    them changed in the 90 days.
    """

    paths: tuple[str, ...]
    commits_90: int
    commits_365: int
    last_change: str | None
    first_change: str | None
    files_changed_90: int

    @property
    def commits_per_month(self) -> float:
        """Commits per month over the last 90 days."""
        return round(self.commits_90 / 3, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "paths": list(self.paths),
            "commits_90": self.commits_90,
            "commits_365": self.commits_365,
            "last_change": self.last_change,
            "first_change": self.first_change,
            "files_changed_90": self.files_changed_90,
        }


@dataclass(frozen=True)
class _Log:
    """The history read: commit times, and the commits that touched each file."""

    times: tuple[int, ...]  # committer time of each commit, newest first
    files: dict[str, tuple[int, ...]]  # path relative to root -> commit indexes


@dataclass(frozen=True)
class GitHistory:
    """The history of the work tree that holds a scanned root.

    ``status``: ``ok``, ``no-git`` (no git program), ``not-a-repo``, ``shallow``
    (a shallow clone: history is incomplete) or ``error`` (git failed, timed out
    or refused the repository); ``detail`` says why in one line. ``now``: the
    moment used as now (ISO 8601, UTC). ``commits``: commits in the window that
    touched something under the root. ``future_commits``: commits dated after
    ``now``, left out.
    """

    status: str
    detail: str
    now: str
    days: int = YEAR_DAYS
    commits: int = 0
    future_commits: int = 0
    toplevel: str | None = None
    prefix: str = ""
    _log: _Log | None = field(default=None, repr=False, compare=False)
    _root: Path | None = field(default=None, repr=False, compare=False)
    _timeout: float = field(default=20.0, repr=False, compare=False)
    _last: dict[tuple[str, ...], int | None] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def churn(self, paths: Sequence[str]) -> PathChurn | None:
        """Churn of ``paths`` (files, folders or globs such as ``docs/**/*.md``,
        relative to the scanned root); ``None`` unless the status is ``ok``."""
        if self._log is None or self.status != "ok":
            return None
        asked = tuple(paths) if not isinstance(paths, str) else (paths,)
        try:
            return self._churn(asked, self._log)
        except Exception:  # a question never stops a scan
            return None

    def commits_per_month(self, paths: Sequence[str]) -> float | None:
        """Commits per month touching ``paths`` over the last 90 days."""
        churn = self.churn(paths)
        return None if churn is None else churn.commits_per_month

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "detail": self.detail,
            "now": self.now,
            "days": self.days,
            "commits": self.commits,
            "future_commits": self.future_commits,
        }

    def _churn(self, asked: tuple[str, ...], log: _Log) -> PathChurn:
        matchers = [_matcher(p) for p in asked]
        now = _parse_now(self.now)
        recent = now - RECENT_DAYS * DAY
        year = now - YEAR_DAYS * DAY
        touched: set[int] = set()
        files_90 = 0
        for name, indexes in log.files.items():
            if not any(match(name) for match in matchers):
                continue
            touched.update(indexes)
            if any(log.times[i] > recent for i in indexes):
                files_90 += 1
        times = [log.times[i] for i in touched]
        if times:
            last: int | None = max(times)
            first: int | None = min(times)
        else:
            last = first = self._last_before_window(asked)
        return PathChurn(
            paths=asked,
            commits_90=sum(1 for t in times if t > recent),
            commits_365=sum(1 for t in times if t > year),
            last_change=_iso_date(last),
            first_change=_iso_date(first),
            files_changed_90=files_90,
        )

    def _last_before_window(self, asked: tuple[str, ...]) -> int | None:
        """The newest change to ``asked`` older than the window (one ``git log -1``)."""
        if asked in self._last:
            return self._last[asked]
        found: int | None = None
        if self._root is not None and asked:
            until = _parse_now(self.now) - self.days * DAY
            args = ["log", "-1", "--format=%ct", f"--until=@{until}", "--no-renames", "HEAD"]
            done = _git(self._root, [*args, "--", *map(_pathspec, asked)], self._timeout)
            if isinstance(done, subprocess.CompletedProcess) and done.returncode == 0:
                text = done.stdout.decode("ascii", "replace").strip()
                found = int(text) if re.fullmatch(r"-?[0-9]+", text) else None
        self._last[asked] = found
        return found


def read_history(
    root: Path,
    *,
    now: datetime | None = None,
    days: int = YEAR_DAYS,
    timeout: float = 20.0,
) -> GitHistory:
    """The git history of the last ``max(days, 365)`` days under ``root``.

    ``root`` may be a subfolder of a work tree (paths are then relative to it).
    Call once per scan and ask ``churn`` as often as needed. Never raises.
    """
    moment = _utc(now or datetime.now(timezone.utc))
    stamp = moment.isoformat(timespec="seconds")
    days = max(int(days), YEAR_DAYS)
    try:
        return _read(Path(root), moment, stamp, days, timeout)
    except Exception as exc:  # never stop a scan
        return GitHistory("error", f"git history unreadable ({type(exc).__name__})", stamp, days)


def _read(root: Path, moment: datetime, stamp: str, days: int, timeout: float) -> GitHistory:
    if not root.is_dir():
        return GitHistory("not-a-repo", f"{root} is not a folder", stamp, days)
    probe = _git(
        root,
        ["rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository"],
        timeout,
    )
    if isinstance(probe, GitHistory):
        return GitHistory(probe.status, probe.detail, stamp, days)
    if probe.returncode != 0:
        status, detail = _failure(probe.stderr)
        return GitHistory(status, detail, stamp, days)
    # ``--show-prefix`` prints an empty line at the top of the work tree.
    lines = probe.stdout.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) < 3:
        return GitHistory("error", "git rev-parse gave no work tree", stamp, days)
    toplevel, prefix, shallow = lines[0], lines[1], lines[2].strip()
    if shallow == "true":
        return GitHistory(
            "shallow",
            "shallow clone: history is incomplete",
            stamp,
            days,
            toplevel=toplevel,
            prefix=prefix,
        )
    now_ts = int(moment.timestamp())
    since = now_ts - days * DAY
    log = _git(
        root,
        [
            "log",
            "--no-show-signature",
            "--no-color",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--relative",
            "--name-only",
            "-z",
            "--format=%x1e%H%x1f%ct",
            f"--since=@{since}",
            "HEAD",
            "--",
            ".",
        ],
        timeout,
    )
    if isinstance(log, GitHistory):
        return GitHistory(log.status, log.detail, stamp, days)
    if log.returncode != 0:
        status, detail = _failure(log.stderr)
        if "does not have any commits" in detail or "revision 'HEAD'" in detail:
            detail = "the repository has no commits yet"
        return GitHistory("error" if status == "ok" else status, detail, stamp, days)
    parsed, future = _parse_log(log.stdout, since, now_ts)
    count = len({index for indexes in parsed.files.values() for index in indexes})
    return GitHistory(
        "ok",
        f"{count} commits in {days} days",
        stamp,
        days,
        commits=count,
        future_commits=future,
        toplevel=toplevel,
        prefix=prefix,
        _log=parsed,
        _root=root,
        _timeout=timeout,
    )


def _parse_log(data: bytes, since: int, now: int) -> tuple[_Log, int]:
    """``git log -z --name-only --format=%x1e%H%x1f%ct`` output as a ``_Log``.

    Commits after ``now`` and before ``since`` are left out (the first are
    counted); merges list no files, so each change counts once, at the commit
    that made it.
    """
    times: list[int] = []
    files: dict[str, list[int]] = {}
    seen: set[bytes] = set()
    current = -1  # index of the commit whose files follow, -1 when skipped
    first_file = False
    future = 0
    for token in data.split(b"\0"):
        header = _HEADER.match(token)
        if header is not None:
            sha, when = header.group(1), int(header.group(2))
            first_file = True
            if sha in seen or when <= since or when > now:
                future += 1 if when > now and sha not in seen else 0
                seen.add(sha)
                current = -1
                continue
            seen.add(sha)
            current = len(times)
            times.append(when)
            continue
        raw = token[1:] if first_file and token.startswith(b"\n") else token
        first_file = False
        if current < 0 or not raw:
            continue
        name = raw.decode("utf-8", "surrogateescape")
        entry = files.setdefault(name, [])
        if not entry or entry[-1] != current:
            entry.append(current)
    return _Log(tuple(times), {name: tuple(ix) for name, ix in files.items()}), future


# --- running git -------------------------------------------------------------------


def _git(
    root: Path, args: list[str], timeout: float
) -> subprocess.CompletedProcess[bytes] | GitHistory:
    """``git -C root args``; a ``GitHistory`` (status and detail only) when git
    could not run at all."""
    try:
        return run_git(root, args, timeout=timeout, executable=GIT_EXECUTABLE)
    except FileNotFoundError:
        return GitHistory("no-git", "git is not installed (no git program on PATH)", "")
    except subprocess.TimeoutExpired:
        return GitHistory("error", f"git took longer than {timeout:g} s (history skipped)", "")
    except OSError as exc:
        return GitHistory("error", f"git could not run ({exc.strerror or type(exc).__name__})", "")


def _failure(stderr: bytes) -> tuple[str, str]:
    """``(status, one-line detail)`` from a failed git command's error output."""
    text = stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fatal = next((line for line in lines if line.startswith(("fatal:", "error:"))), None)
    detail = fatal or (lines[0] if lines else "git failed")
    lowered = detail.lower()
    if "dubious ownership" in lowered:
        return "error", (
            "git refuses the repository (owned by another user); "
            "allow it with: git config --global --add safe.directory PATH"
        )
    if "not a git repository" in lowered or "must be run in a work tree" in lowered:
        return "not-a-repo", "not in a git work tree"
    return "error", detail[:200]


# --- paths ---------------------------------------------------------------------------


def _clean(path: str) -> str:
    """A repo-relative POSIX path without ``./``, doubled or trailing slashes."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)


def is_glob(path: str) -> bool:
    return any(c in _GLOB_CHARS for c in path)


def glob_regex(pattern: str, *, inside: bool = True) -> re.Pattern[str]:
    """Git's ``:(glob)`` semantics: ``*`` stays within a folder, ``**/`` spans
    folders. ``inside``: a glob that names a folder also covers what is in it
    (as git does); without it only the named paths match."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape("["))
                i += 1
                continue
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            body = body.replace("\\", "\\\\")
            for char in "[&~|":  # literal in a glob; in a regex class they may one day be sets
                body = body.replace(char, "\\" + char)
            bracket = "[" + body.replace("--", "-\\-") + "]"
            try:  # a range such as [z-a] (from a repository's code) is taken literally
                re.compile(bracket)
            except re.error:
                out.append(re.escape("["))
                i += 1
                continue
            out.append(bracket)
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + ("(?:/.*)?" if inside else ""), re.DOTALL)


def _matcher(path: str) -> Callable[[str], bool]:
    clean = _clean(path)
    if not clean:
        return lambda name: True
    if is_glob(clean):
        regex = glob_regex(clean)
        return lambda name: regex.fullmatch(name) is not None
    folder = clean + "/"
    return lambda name: name == clean or name.startswith(folder)


def _pathspec(path: str) -> str:
    clean = _clean(path)
    if not clean:
        return "."
    return f":(glob){clean}" if is_glob(clean) else f":(literal){clean}"


# --- dates -----------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _parse_now(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp).timestamp())


def _iso_date(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=timestamp)
    return moment.date().isoformat()
