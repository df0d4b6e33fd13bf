"""Where Python dependencies' licenses come from: one ordered chain of
``LicenseSource``s, each asked only about what no earlier one answered:

1. the scanned project's environment: ``--python PATH`` (a virtual environment,
   its ``python`` executable, or a ``site-packages`` folder), else a ``.venv`` or
   ``venv`` inside the repository. ``*.dist-info/METADATA`` (and ``*.egg-info``)
   files are read as text; nothing is imported or run.
2. ragfit's cache in the user's cache directory (``licenses.json``): what earlier
   online look-ups found. A release's metadata never changes; "the newest
   release" is trusted for :data:`LATEST_TTL` seconds.
3. the snapshot shipped with ragfit (``checks/data/license_snapshot.toml``): the
   license of the latest release of the 5,000 most-downloaded PyPI projects,
   dated, written by ``bench/refresh_license_snapshot.py``. It answers for a
   dependency with no exact version or pinned at that release; for an older
   pin it is the answer only when nothing later knows better, and it says
   that it is the latest release's license.
4. online, unless offline: the package index's JSON API (``{index}/{name}/json``)
   for the newest release, and the release's PEP 658 metadata file
   (``<wheel URL>.metadata``) for a pinned older version; a release without
   its own metadata gets the latest release's license, marked as such. Short
   timeouts; the first connection failure stops further look-ups.

Each answer records its source (``environment``, ``cache``, ``snapshot``,
``index``) and, when it is another release's license than the one pinned
(the latest one, or the version installed), that release.

``RAGFIT_INDEX_URL`` sets the index (default ``https://pypi.org/pypi``): tests
point it at a local fake. Nothing here raises for bad input.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from packaging.version import InvalidVersion, Version

from auditor.cache import user_cache_dir
from auditor.licenses.classify import UNKNOWN, LicenseInfo, from_metadata
from auditor.model import ScanError, normalise_name
from auditor.output import atomic_write

__all__ = [
    "DEFAULT_INDEX",
    "INDEX_ENV",
    "CacheSource",
    "EnvironmentSource",
    "IndexSource",
    "LicenseResolution",
    "LicenseSource",
    "Resolved",
    "SnapshotSource",
    "find_site_packages",
    "read_metadata",
    "resolve",
    "resolve_licenses",
]

INDEX_ENV = "RAGFIT_INDEX_URL"
DEFAULT_INDEX = "https://pypi.org/pypi"
CACHE_FILE = "licenses.json"
CACHE_FORMAT = 1
LATEST_TTL = 7 * 24 * 3600
TIMEOUT = 5.0
WORKERS = 8
MAX_METADATA = 4 * 1024 * 1024
MAX_INDEX_JSON = 64 * 1024 * 1024
IN_REPO_ENVIRONMENTS = (".venv", "venv")

# Why a license is unknown, when the cause is the whole scan's, not one package's.
OFFLINE = (
    "offline with no environment to read and nothing cached: pass --python or scan online once"
)
NOT_INSTALLED = "offline and not installed in the environment"


@dataclass(frozen=True)
class Resolved:
    """One dependency's license and where it came from (``environment``,
    ``cache``, ``snapshot``, ``index``), or unknown with ``info.note`` saying why.
    ``repo_wide``: unknown for a reason that is the scan's (offline, index
    unreachable), not the package's. ``release``: the release whose license
    this is, when it is not the one asked for (the latest release for an old
    pin, the installed version); None when it is that release's own."""

    info: LicenseInfo
    source: str | None = None
    repo_wide: bool = False
    release: str | None = None


@dataclass
class LicenseResolution:
    by_key: dict[tuple[str, str | None], Resolved] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    # The site-packages read, as shown to the user (relative inside the repo).
    environment: str | None = None
    seconds: float = 0.0

    def get(self, name: str, version: str | None) -> Resolved:
        return self.by_key.get((normalise_name(name), version), Resolved(UNKNOWN))


# --- the environment ------------------------------------------------------------


def find_site_packages(path: Path) -> list[Path]:
    """The ``site-packages`` folders of a virtual environment, of its python
    executable (``bin/python``, ``Scripts/python.exe``), or ``path`` itself when
    it holds ``*.dist-info`` folders. Empty when there is none."""
    try:
        if path.is_file() or (path.is_symlink() and not path.is_dir()):
            path = path.parent.parent  # .venv/bin/python -> .venv
        if not path.is_dir():
            return []
        if any(path.glob("*.dist-info")):
            return [path]
        found = sorted(path.glob("lib/python*/site-packages"))
        found += sorted(path.glob("lib64/python*/site-packages"))
        windows = path / "Lib" / "site-packages"
        if windows.is_dir():
            found.append(windows)
    except OSError:
        return []
    unique: list[Path] = []
    for folder in found:
        if folder.is_dir() and folder.resolve() not in {u.resolve() for u in unique}:
            unique.append(folder)
    return unique


def _distributions(folders: Sequence[Path]) -> dict[str, tuple[str, Path]]:
    """Normalised name -> (version, metadata file) for every installed distribution."""
    found: dict[str, tuple[str, Path]] = {}
    for folder in folders:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            stem, dot, suffix = entry.name.rpartition(".")
            if not dot or suffix not in {"dist-info", "egg-info"}:
                continue
            if suffix == "dist-info":  # name-version.dist-info
                name, _, version = stem.rpartition("-")
                metadata = entry / "METADATA"
            else:  # name-version-pyX.Y.egg-info, or name.egg-info (a develop install)
                name, _, rest = stem.partition("-")
                version = rest.split("-")[0]
                metadata = entry / "PKG-INFO" if entry.is_dir() else entry
            if name:
                found.setdefault(normalise_name(name), (version, metadata))
    return found


def read_metadata(text: str) -> tuple[LicenseInfo, dict[str, str]]:
    """The license in core metadata text (``METADATA``, ``PKG-INFO`` or a PEP 658
    file) and its ``Name`` and ``Version``. Only the headers are read."""
    head = text.replace("\r\n", "\n").split("\n\n", 1)[0]
    if "\0" in head:
        return LicenseInfo(None, None, "unknown", "unreadable metadata (binary)"), {}
    message = email.parser.Parser(policy=email.policy.compat32).parsestr(
        head + "\n\n", headersonly=True
    )
    names = {"name", "version", "metadata-version"}
    fields = {k.lower(): str(v) for k, v in message.items() if k.lower() in names}
    if "name" not in fields and "metadata-version" not in fields:
        return LicenseInfo(None, None, "unknown", "unreadable metadata (no Name header)"), fields
    expression = message.get("License-Expression")
    license_text = message.get("License")
    classifiers = [str(c) for c in message.get_all("Classifier") or []]
    info = from_metadata(
        str(expression) if expression is not None else None,
        _unfold(str(license_text)) if license_text is not None else None,
        classifiers,
    )
    return info, fields


def _unfold(value: str) -> str:
    """A multi-line ``License:`` field: continuation lines lose their indent (and
    the ``|`` that some tools put in front of it)."""
    lines = value.split("\n")
    rest = [line.strip().removeprefix("|") for line in lines[1:]]
    return "\n".join([lines[0], *rest]).strip()


def _same_version(installed: str, wanted: str) -> bool:
    try:
        return Version(installed) == Version(wanted)
    except InvalidVersion:
        return installed == wanted


def _read_file(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(MAX_METADATA)
    return data.decode("utf-8", "replace")


# --- the cache -------------------------------------------------------------------


def _cache_path() -> Path:
    return user_cache_dir() / CACHE_FILE


def _load_cache() -> dict[str, Any]:
    try:
        data = json.loads(_cache_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _cache_key(name: str, version: str | None) -> str:
    return f"{name}=={version}" if version else name


def _from_cache(
    entries: Mapping[str, Any], name: str, version: str | None
) -> tuple[LicenseInfo, str | None] | None:
    """The cached license and, when it is another release's, that release."""
    raw = entries.get(_cache_key(name, version))
    if not isinstance(raw, dict):
        return None
    fetched = raw.get("fetched")
    release = raw.get("release")
    stale = not isinstance(fetched, (int, float)) or time.time() - fetched > LATEST_TTL
    # The latest release's license stands in for an old pin only while fresh.
    if (version is None or release is not None) and stale:
        return None
    try:
        return LicenseInfo.from_dict(raw), release if isinstance(release, str) else None
    except TypeError:
        return None


def _save_cache(new: Mapping[str, tuple[LicenseInfo, str | None]]) -> None:
    if not new:
        return
    entries = _load_cache()
    now = time.time()
    for key, (info, release) in new.items():
        entries[key] = {**info.to_dict(), "fetched": now, "release": release}
    body = json.dumps({"format": CACHE_FORMAT, "entries": entries}, sort_keys=True)
    try:
        path = _cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, body.encode("utf-8"))
    except OSError:
        pass  # a read-only home still gets its report


# --- the index -------------------------------------------------------------------


class _Unreachable(Exception):
    """The index cannot be reached at all: stop asking it."""


class _Index:
    def __init__(self, base: str, timeout: float) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.down = threading.Event()
        self.failure: str | None = None

    def _get(self, url: str, limit: int) -> bytes | None:
        """The body, None for a 404; ``_Unreachable`` when the index is down."""
        if self.down.is_set():
            raise _Unreachable(self.failure or "unreachable")
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            return None
        request = urllib.request.Request(url, headers={"User-Agent": "ragfit license lookup"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read(limit))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise _Lookup(f"HTTP {exc.code} from the index") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            self.failure = f"{type(reason).__name__}: {reason}"[:200]
            self.down.set()
            raise _Unreachable(self.failure) from None

    def lookup(self, name: str, version: str | None) -> tuple[LicenseInfo, str | None]:
        """The license of ``version`` (the newest release when None), and the
        release it belongs to when that is not ``version``."""
        body = self._get(f"{self.base}/{urllib.parse.quote(name)}/json", MAX_INDEX_JSON)
        if body is None:
            return LicenseInfo(None, None, "unknown", "not found on the package index"), None
        try:
            data = json.loads(body)
            info = data["info"]
        except (ValueError, KeyError, TypeError):
            raise _Lookup("the index's answer is not its JSON API") from None
        if not isinstance(info, dict):
            raise _Lookup("the index's answer is not its JSON API")
        latest_version = info.get("version")
        latest = from_metadata(
            _text(info.get("license_expression")),
            _text(info.get("license")),
            [c for c in info.get("classifiers") or [] if isinstance(c, str)],
        )
        if version is None or (
            isinstance(latest_version, str) and _same_version(latest_version, version)
        ):
            release = (
                latest_version if version is None and isinstance(latest_version, str) else None
            )
            return latest, release
        found = self._release_metadata(data, version)
        if found.known or not latest.known or not isinstance(latest_version, str):
            return found, None
        # No metadata of its own (an old release, a removed version): the
        # project's latest metadata, marked as the latest release's.
        return latest, latest_version

    def _release_metadata(self, data: Mapping[str, Any], version: str) -> LicenseInfo:
        releases = data.get("releases")
        files = releases.get(version) if isinstance(releases, dict) else None
        if not isinstance(files, list) or not files:
            return LicenseInfo(None, None, "unknown", f"version {version} not on the index")
        wheels = [
            f
            for f in files
            if isinstance(f, dict)
            and isinstance(f.get("url"), str)
            and str(f.get("filename", f.get("url"))).endswith(".whl")
        ]
        if not wheels:
            return LicenseInfo(None, None, "unknown", f"no wheel metadata for {version}")
        body = self._get(str(wheels[0]["url"]) + ".metadata", MAX_METADATA)
        if body is None:
            return LicenseInfo(None, None, "unknown", f"no published metadata for {version}")
        info, _ = read_metadata(body.decode("utf-8", "replace"))
        return info


class _Lookup(Exception):
    """One package's look-up failed (the index answered, but not usefully)."""


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def index_url() -> str:
    return os.environ.get(INDEX_ENV) or DEFAULT_INDEX


# --- the chain ---------------------------------------------------------------------

Key = tuple[str, str | None]  # (PEP 503 name, exact version or None)


@dataclass
class Answers:
    """What one source said. ``found``: final answers. ``near``: the license of
    another version (installed at a different version), used when no later
    source answers. ``unknown``: why the source could not tell, kept when
    nothing better comes; a later source's reason replaces an earlier one's."""

    found: dict[Key, Resolved] = field(default_factory=dict)
    near: dict[Key, Resolved] = field(default_factory=dict)
    unknown: dict[Key, Resolved] = field(default_factory=dict)


class LicenseSource(Protocol):
    name: str  # what a dependency's ``license_source`` records

    def lookup(self, keys: Sequence[Key]) -> Answers:
        """Answer what it can about ``keys``; never raises for bad input."""
        ...


class EnvironmentSource:
    """The scanned project's installed distributions (their metadata, as text)."""

    name = "environment"

    def __init__(self, folders: Sequence[Path], root: Path) -> None:
        self.folders = list(folders)
        self.root = root
        self.errors: list[ScanError] = []
        # The site-packages read, as shown to the user (relative inside the repo).
        self.shown = _display(self.folders[0], root) if self.folders else None

    def lookup(self, keys: Sequence[Key]) -> Answers:
        answers = Answers()
        installed = _distributions(self.folders)
        read: dict[Path, LicenseInfo] = {}
        for key in keys:
            name, version = key
            if name not in installed:
                continue
            found_version, metadata = installed[name]
            if metadata not in read:
                read[metadata] = _read_installed(metadata, self.root, self.errors)
            if version is None or _same_version(found_version, version):
                answers.found[key] = Resolved(read[metadata], self.name)
            else:  # installed at another version: that version's license
                answers.near[key] = Resolved(read[metadata], self.name, release=found_version)
        return answers


class CacheSource:
    """What earlier online look-ups found (the user's cache directory)."""

    name = "cache"

    def lookup(self, keys: Sequence[Key]) -> Answers:
        entries = _load_cache()
        answers = Answers()
        for key in keys:
            cached = _from_cache(entries, *key)
            if cached is None:
                continue
            info, release = cached
            resolved = Resolved(info, self.name, release=release)
            # The latest release's license for an old pin: only if nothing later knows.
            (answers.near if key[1] is not None and release else answers.found)[key] = resolved
        return answers


SNAPSHOT_TABLE = "license_snapshot"


@functools.cache
def _snapshot() -> tuple[str, dict[str, tuple[str, LicenseInfo]]]:
    """The shipped snapshot: its date, and name -> (latest version, license)."""
    from auditor.knowledge import load_table
    from auditor.licenses.classify import from_classifiers, from_spdx

    try:
        raw = load_table(SNAPSHOT_TABLE)
    except (OSError, ValueError):
        return "", {}
    updated = str(raw.get("meta", {}).get("updated", ""))
    table: dict[str, tuple[str, LicenseInfo]] = {}
    for name, value in (raw.get("projects") or {}).items():
        if not isinstance(value, list) or len(value) < 2:
            continue
        version, spdx = str(value[0]), str(value[1])
        info: LicenseInfo | None = from_spdx(spdx) if spdx else None
        if info is None and len(value) > 2 and isinstance(value[2], list):
            info = from_classifiers(f"License :: {c}" for c in value[2])
        note = f"the latest release ({version}) declares no recognisable license"
        table[normalise_name(name)] = (version, info or _unknown(note))
    return updated, table


class SnapshotSource:
    """The licenses of the most-downloaded projects' latest releases, shipped
    with ragfit and dated: offline answers for the usual dependencies. Online,
    a dependency without an exact version asks the index first (a project may
    have changed its license since the snapshot) and falls back to this."""

    name = "snapshot"

    def __init__(self, online: bool = False) -> None:
        self.online = online

    def lookup(self, keys: Sequence[Key]) -> Answers:
        updated, table = _snapshot()
        answers = Answers()
        for key in keys:
            name, version = key
            entry = table.get(name)
            if entry is None:
                continue
            latest, info = entry
            if not info.known:
                answers.unknown[key] = Resolved(info)
                continue
            if version is not None and _same_version(latest, version):
                answers.found[key] = Resolved(info, self.name)
            elif version is None:
                resolved = Resolved(info, self.name, release=latest)
                (answers.near if self.online else answers.found)[key] = resolved
            else:
                note = f"license of the latest release, {latest} (snapshot of {updated})"
                marked = LicenseInfo(info.spdx, info.label, info.category, note)
                answers.near[key] = Resolved(marked, self.name, release=latest)
        return answers


class IndexSource:
    """The package index, online; what it finds is written to the cache."""

    name = "index"

    def __init__(self, base: str, timeout: float) -> None:
        self.index = _Index(base, timeout)

    def lookup(self, keys: Sequence[Key]) -> Answers:
        answers = Answers()
        fetched: dict[str, tuple[LicenseInfo, str | None]] = {}

        def one(key: Key) -> tuple[Resolved, bool]:
            try:
                info, release = self.index.lookup(*key)
            except _Unreachable as exc:
                note = f"package index unreachable ({exc})"
                return Resolved(_unknown(note), None, repo_wide=True), False
            except _Lookup as exc:
                return Resolved(_unknown(str(exc))), False
            if info.known:
                if release is not None and key[1] is not None:
                    note = f"license of the latest release, {release} (no metadata for {key[1]})"
                    info = LicenseInfo(info.spdx, info.label, info.category, note)
                fetched[_cache_key(*key)] = (info, release if key[1] is not None else None)
            return Resolved(info, self.name, release=release), info.known

        with ThreadPoolExecutor(max_workers=min(WORKERS, len(keys))) as pool:
            for key, (resolved, known) in zip(keys, pool.map(one, keys), strict=True):
                (answers.found if known else answers.unknown)[key] = resolved
        _save_cache(fetched)
        return answers


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"--python {path.name}"


def environment_folders(root: Path, python: Path | None) -> list[Path]:
    """``--python``'s site-packages, else those of a ``.venv`` or ``venv`` in the repository."""
    if python is not None:
        return find_site_packages(python)
    for name in IN_REPO_ENVIRONMENTS:
        folders = find_site_packages(root / name)
        if folders:
            return folders
    return []


def resolve(
    keys: Sequence[Key], chain: Sequence[LicenseSource], default: Resolved
) -> dict[Key, Resolved]:
    """Ask each source in turn about the keys no earlier source answered; what
    none answered gets its nearest answer, else the last reason, else ``default``."""
    by_key: dict[Key, Resolved] = {}
    near: dict[Key, Resolved] = {}
    unknown: dict[Key, Resolved] = {}
    pending = list(keys)
    for source in chain:
        if not pending:
            break
        answers = source.lookup(pending)
        by_key.update(answers.found)
        for key, resolved in answers.near.items():
            near.setdefault(key, resolved)
        unknown.update(answers.unknown)
        pending = [key for key in pending if key not in answers.found]
    for key in pending:
        by_key[key] = near.get(key) or unknown.get(key) or default
    return by_key


def resolve_licenses(
    wanted: Iterable[tuple[str, str | None]],
    *,
    root: Path,
    python: Path | None = None,
    online: bool = False,
    timeout: float = TIMEOUT,
) -> LicenseResolution:
    """The license of each ``(name, exact version or None)``; see the module docstring."""
    started = time.perf_counter()
    keys = sorted({(normalise_name(n), v) for n, v in wanted}, key=lambda k: (k[0], k[1] or ""))
    environment = EnvironmentSource(environment_folders(root, python), root)
    chain: list[LicenseSource] = [environment, CacheSource(), SnapshotSource(online)]
    if online:
        chain.append(IndexSource(index_url(), timeout))
    # Offline, what no source knows is unknown for a reason that is the scan's.
    note = NOT_INSTALLED if environment.folders else OFFLINE
    by_key = resolve(keys, chain, Resolved(_unknown(note), None, repo_wide=True))
    return LicenseResolution(
        by_key=by_key,
        errors=environment.errors,
        environment=environment.shown,
        seconds=time.perf_counter() - started,
    )


def _unknown(note: str) -> LicenseInfo:
    return LicenseInfo(None, None, "unknown", note)


def _read_installed(metadata: Path, root: Path, errors: list[ScanError]) -> LicenseInfo:
    where = _display(metadata, root)
    try:
        text = _read_file(metadata)
    except OSError as exc:
        message = f"{where}: cannot read ({exc.strerror or type(exc).__name__})"
        errors.append(ScanError("", "license-metadata", message))
        return _unknown("unreadable metadata")
    info, _ = read_metadata(text)
    if info.note.startswith("unreadable metadata"):
        errors.append(ScanError("", "license-metadata", f"{where}: {info.note}"))
    return info
