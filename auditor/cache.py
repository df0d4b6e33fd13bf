"""Per-file facts cached by content hash in ``.ragfit_cache/facts.json``.

The cache sits inside a repository that may not be trusted: a pull request
could commit a cache that says a file holds no secret. So the file is plain
JSON (never pickle), and it is signed with an HMAC whose key lives outside
the repository, in the user's cache directory. A cache that was not written
on this machine, or was changed since, does not verify and is ignored.

Format: one header line ``{"salt": ..., "mac": ...}``, then a JSON body with
``entries`` (facts by content key), ``stamps`` (path -> size, mtime, ctime,
inode, content key and whether its facts are empty, so that a warm run need not
read unchanged files) and ``written`` (when, in nanoseconds).

A stamp is git's: an edit that keeps the size and puts the modification time
back (``touch -r``, ``os.utime``) still changes the inode's change time, which
no user call can set; and a file changed within :data:`RACY_NS` before the
cache was written is read again whatever its stamp says.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from importlib import resources
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.analyse import ANALYSIS_VERSION, analysis_kind
from auditor.model import FileFacts
from auditor.output import atomic_write

CACHE_DIR = ".ragfit_cache"
CACHE_FILE = "facts.json"
# A file changed within this long before the cache was written may have been
# changed again within the file system's timestamp granularity: its stamp is
# not trusted (git's "racy" rule), and it is read again.
RACY_NS = 2_000_000_000
Stamp = tuple[int, int, int, int]  # size, mtime ns, ctime ns, inode


def _salt() -> str:
    """Entries are valid for one ragfit version and one SDK table."""
    table = resources.files("auditor.checks.data").joinpath("sdks.toml").read_bytes()
    digest = hashlib.blake2b(table, digest_size=8).hexdigest()
    return f"{__version__}:{ANALYSIS_VERSION}:{digest}"


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ragfit"


def _signing_key() -> bytes | None:
    """This machine's key (created on first use), or None when it cannot be kept."""
    path = user_cache_dir() / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(key)
        return key
    except FileExistsError:  # another ragfit made it just now
        try:
            return path.read_bytes() or None
        except OSError:
            return None
    except OSError:
        return None


def _now_ns() -> int:
    """The time the cache is written at (tests move it ahead)."""
    return time.time_ns()


def _changed_at(stamp: Stamp | list[Any]) -> int:
    """The last change a stamp shows: its modification or inode change time."""
    return max(int(stamp[1]), int(stamp[2]))


def content_key(path: str, data: bytes) -> str:
    """What the analysis of a file depends on: its kind (from the name) and bytes;
    for Python, its folder too (``Path(__file__).parent / "docs"`` names a path
    relative to it), and for a dataset its whole path (which split it is)."""
    kind = analysis_kind(path)
    where = ""
    if kind == "python":
        where = path.rpartition("/")[0]
    elif kind == "dataset":
        where = path
    digest = hashlib.blake2b(f"{kind}\0{where}\0".encode(), digest_size=16)
    digest.update(data)
    return digest.hexdigest()


class FactCache:
    def __init__(self, root: Path, enabled: bool) -> None:
        self.dir = root / CACHE_DIR
        self.salt = _salt()
        self.key = _signing_key() if enabled else None
        self.enabled = self.key is not None
        self.entries: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        self.stamps: dict[str, Any] = {}
        self.new_stamps: dict[str, list[Any]] = {}
        self.written = 0
        if self.enabled:
            self._load()

    def _mac(self, body: bytes) -> str:
        assert self.key is not None
        return hmac.new(self.key, self.salt.encode() + b"\0" + body, hashlib.sha256).hexdigest()

    def _load(self) -> None:
        try:
            raw = (self.dir / CACHE_FILE).read_bytes()
            header_line, _, body = raw.partition(b"\n")
            header = json.loads(header_line)
            if not isinstance(header, dict) or header.get("salt") != self.salt:
                return
            if not hmac.compare_digest(str(header.get("mac", "")), self._mac(body)):
                return  # not written here, or changed since: never trusted
            data = json.loads(body)
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and isinstance(data.get("entries"), dict):
            self.entries = data["entries"]
            stamps, written = data.get("stamps"), data.get("written")
            if isinstance(stamps, dict) and isinstance(written, int):
                self.stamps, self.written = stamps, written

    def key_for_stamp(self, path: str, stamp: Stamp) -> tuple[str, bool] | None:
        """The content key recorded for ``path`` when its stamp has not changed,
        and whether that file's facts are empty (most files: nothing found)."""
        recorded = self.stamps.get(path)
        if not isinstance(recorded, list) or len(recorded) != 6:
            return None
        *recorded_stamp, key, empty = recorded
        if recorded_stamp != list(stamp) or not isinstance(key, str):
            return None
        if _changed_at(stamp) >= self.written - RACY_NS or key not in self.entries:
            return None
        return key, empty is True

    def keep(self, key: str) -> None:
        """An entry used without being read (empty facts): it stays in the cache."""
        self.used[key] = self.entries[key]

    def stamp(self, path: str, stamp: Stamp, key: str, empty: bool) -> None:
        self.new_stamps[path] = [*stamp, key, empty]

    def get(self, key: str, path: str) -> FileFacts | None:
        raw = self.entries.get(key)
        if raw is None:
            return None
        try:
            facts = FileFacts.from_dict(raw)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        self.used[key] = raw
        return facts.with_path(path)

    def put(self, key: str, raw: dict[str, Any]) -> None:
        self.used[key] = raw

    def save(self) -> None:
        if not self.enabled:
            return
        racy = any(_changed_at(s) >= self.written - RACY_NS for s in self.new_stamps.values())
        if self.used == self.entries and self.new_stamps == self.stamps and not racy:
            return
        try:
            self.dir.mkdir(exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by ragfit: the cache ignores itself.\n*\n", "utf-8")
            body = json.dumps(
                {"entries": self.used, "stamps": self.new_stamps, "written": _now_ns()},
                separators=(",", ":"),
            ).encode()
            header = json.dumps({"salt": self.salt, "mac": self._mac(body)}).encode()
            atomic_write(self.dir / CACHE_FILE, header + b"\n" + body)
        except OSError:
            pass  # a read-only checkout still gets its report
