"""Per-file facts cached by content hash in ``.ragfit_cache/facts.json``.

The cache sits inside a repository that may not be trusted: a pull request
could commit a cache that says a file holds no secret. So the file is plain
JSON (never pickle), and it is signed with an HMAC whose key lives outside
the repository, in the user's cache directory. A cache that was not written
on this machine, or was changed since, does not verify and is ignored.

Format: one header line ``{"salt": ..., "mac": ...}``, then the entries as JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.analyse import ANALYSIS_VERSION, analysis_kind
from auditor.model import FileFacts
from auditor.output import atomic_write

CACHE_DIR = ".ragfit_cache"
CACHE_FILE = "facts.json"


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


def content_key(path: str, data: bytes) -> str:
    """What the analysis of a file depends on: its kind (from the name) and bytes."""
    digest = hashlib.blake2b(analysis_kind(path).encode() + b"\0", digest_size=16)
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
            entries = json.loads(body)
        except (OSError, ValueError):
            return
        if isinstance(entries, dict):
            self.entries = entries

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
        if not self.enabled or self.used == self.entries:
            return
        try:
            self.dir.mkdir(exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by ragfit: the cache ignores itself.\n*\n", "utf-8")
            body = json.dumps(self.used, separators=(",", ":")).encode()
            header = json.dumps({"salt": self.salt, "mac": self._mac(body)}).encode()
            atomic_write(self.dir / CACHE_FILE, header + b"\n" + body)
        except OSError:
            pass  # a read-only checkout still gets its report
