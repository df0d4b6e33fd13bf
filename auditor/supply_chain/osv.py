"""An offline OSV vulnerability database for PyPI packages.

``load_osv`` reads an OSV-format directory (recursive ``*.json``/``*.yaml``/``*.yml``)
or an osv.dev ``all.zip`` export, keeps the ``affected[]`` entries of the ``PyPI``
ecosystem and indexes them by PEP 503 name. ``OsvDatabase.match`` evaluates
``versions`` lists and ``ECOSYSTEM`` ranges with PEP 440 ordering, as the OSV
specification describes. Bad content never raises: it is recorded in ``errors``.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import yaml
from cvss import CVSS3, CVSS4  # type: ignore[import-untyped]
from packaging.version import InvalidVersion, Version

from auditor.model import ScanError, normalise_name

__all__ = ["Advisory", "Match", "OsvDatabase", "load_osv", "normalize_name"]

ERROR_KIND = "vuln-db-error"
SUFFIXES = (".json", ".yaml", ".yml")
MAX_FILE_BYTES = 16 * 1024 * 1024
SUMMARY_LIMIT = 200
FALLBACK_SCORES = {"CRITICAL": 9.5, "HIGH": 7.5, "MODERATE": 5.5, "MEDIUM": 5.5, "LOW": 2.5}

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?"
)

# Event kinds, in the order used to break ties between events at one version.
_INTRODUCED, _FIXED, _LAST_AFFECTED, _LIMIT = 0, 1, 2, 3
_EVENT_KINDS = {"introduced": _INTRODUCED, "fixed": _FIXED, "last_affected": _LAST_AFFECTED}
_EVENT_KINDS["limit"] = _LIMIT


# The one PEP 503 normaliser lives in auditor.model; this module's name for it.
normalize_name = normalise_name


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    package: str
    score: float | None
    modified: str
    malicious: bool


@dataclass(frozen=True)
class Match:
    advisory: Advisory
    fixed: str | None


# One event: (kind, version); version None is the "0" introduced event (minus infinity).
_Event = tuple[int, "Version | None", str]


@dataclass
class _Entry:
    """Everything one advisory says about one package (its affected[] entries merged)."""

    advisory: Advisory
    versions: set[Version] = field(default_factory=set)
    ranges: list[tuple[_Event, ...]] = field(default_factory=list)
    fixed: list[tuple[Version, str]] = field(default_factory=list)

    def affects(self, version: Version) -> bool:
        return version in self.versions or any(_in_range(version, r) for r in self.ranges)

    def lowest_fix_above(self, version: Version) -> str | None:
        above = [(fix, text) for fix, text in self.fixed if fix > version]
        return min(above)[1] if above else None


def _in_range(version: Version, events: tuple[_Event, ...]) -> bool:
    """The OSV algorithm over events sorted by version ("0" first)."""
    affected = False
    for kind, at, _ in events:
        if kind == _INTRODUCED:
            if at is None or version >= at:
                affected = True
        elif at is None:
            continue
        elif (kind in (_FIXED, _LIMIT) and version >= at) or (
            kind == _LAST_AFFECTED and version > at
        ):
            affected = False
    return affected


def _parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except (InvalidVersion, TypeError, ValueError):
        return None


def parse_timestamp(text: str) -> datetime | None:
    """An RFC 3339 timestamp as an aware UTC datetime (naive ones are taken as UTC)."""
    found = _TIMESTAMP.fullmatch(text.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):
            return None
        moment -= sign * offset
    return moment


def _text(value: Any) -> str | None:
    """A scalar as text (YAML numbers included); anything else is None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _one_line(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    line = " ".join(value.split())
    if len(line) > SUMMARY_LIMIT:
        line = line[: SUMMARY_LIMIT - 1].rstrip() + "…"
    return line


def _vector_score(kind: str, vector: str) -> float | None:
    try:
        if kind == "CVSS_V3":
            return float(CVSS3(vector).scores()[0])
        return float(CVSS4(vector).base_score)
    except Exception:  # the cvss package raises several exception types
        return None


def _score(data: Mapping[str, Any], affected: list[Mapping[str, Any]]) -> float | None:
    """CVSS v3 first, then v4; the GitHub severity label only when there is no vector."""
    severities: list[Any] = []
    for source in [data, *affected]:
        listed = source.get("severity")
        if isinstance(listed, list):
            severities.extend(listed)
    vectors: dict[str, list[str]] = {"CVSS_V3": [], "CVSS_V4": []}
    for item in severities:
        if isinstance(item, Mapping):
            kind, vector = item.get("type"), item.get("score")
            if kind in vectors and isinstance(vector, str):
                vectors[kind].append(vector.strip())
    if vectors["CVSS_V3"] or vectors["CVSS_V4"]:
        for kind in ("CVSS_V3", "CVSS_V4"):
            for vector in vectors[kind]:
                score = _vector_score(kind, vector)
                if score is not None:
                    return score
        return None
    specific = data.get("database_specific")
    if isinstance(specific, Mapping):
        label = specific.get("severity")
        if isinstance(label, str):
            return FALLBACK_SCORES.get(label.strip().upper())
    return None


def _events(range_: Mapping[str, Any]) -> tuple[_Event, ...]:
    raw = range_.get("events")
    found: list[tuple[int, Version | None, int, str]] = []
    for position, event in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(event, Mapping):
            continue
        for key, value in event.items():
            kind = _EVENT_KINDS.get(key)
            text = _text(value)
            if kind is None or text is None:
                continue
            if kind == _INTRODUCED and text.strip() == "0":
                found.append((kind, None, position, text))
            elif (version := _parse_version(text)) is not None:
                found.append((kind, version, position, text.strip()))
    # Sort by version ("0" first), then by the order written.
    found.sort(key=lambda e: (e[1] is not None, e[1] or Version("0"), e[2]))
    return tuple((kind, version, text) for kind, version, _, text in found)


class OsvDatabase:
    """PyPI advisories indexed by PEP 503 name."""

    def __init__(self) -> None:
        self.errors: list[ScanError] = []
        self._index: dict[str, list[_Entry]] = {}
        self._modified: dict[str, tuple[datetime | None, str]] = {}

    def __len__(self) -> int:
        return len(self._modified)

    @property
    def newest_modified(self) -> datetime | None:
        moments = [moment for moment, _ in self._modified.values() if moment is not None]
        return max(moments, default=None)

    def match(self, name: str, version: str) -> list[Match]:
        """Advisories affecting ``name`` at ``version``, sorted by id."""
        if not isinstance(name, str) or not isinstance(version, str):
            return []
        parsed = _parse_version(version)
        if parsed is None:
            return []
        matches = [
            Match(entry.advisory, entry.lowest_fix_above(parsed))
            for entry in self._index.get(normalize_name(name), [])
            if entry.affects(parsed)
        ]
        return sorted(matches, key=lambda m: m.advisory.id)

    def malicious(self, name: str) -> list[Advisory]:
        """``MAL-`` advisories naming ``name``, whatever versions they list."""
        if not isinstance(name, str):
            return []
        found = [
            e.advisory for e in self._index.get(normalize_name(name), []) if e.advisory.malicious
        ]
        return sorted(found, key=lambda a: a.id)

    # -- loading ----------------------------------------------------------------------------

    def _add(self, where: str, data: Any) -> None:
        if not isinstance(data, Mapping):
            self.errors.append(ScanError(where, ERROR_KIND, "not an OSV advisory object"))
            return
        ident = data.get("id")
        if not isinstance(ident, str) or not ident.strip():
            self.errors.append(ScanError(where, ERROR_KIND, "advisory has no id"))
            return
        ident = ident.strip()
        if data.get("withdrawn"):
            return
        raw_affected = data.get("affected")
        if not isinstance(raw_affected, list):
            raw_affected = []
        affected = [
            entry
            for entry in raw_affected
            if isinstance(entry, Mapping)
            and isinstance(entry.get("package"), Mapping)
            and entry["package"].get("ecosystem") == "PyPI"
            and isinstance(entry["package"].get("name"), str)
            and entry["package"]["name"].strip()
        ]
        if not affected:
            return
        modified = _text(data.get("modified")) or ""
        moment = parse_timestamp(modified)
        previous = self._modified.get(ident)
        if previous is not None:
            # The same advisory twice: keep the newer copy.
            if previous[0] is None or (moment is not None and moment > previous[0]):
                self._drop(ident)
            else:
                return
        raw_aliases = data.get("aliases")
        aliases = tuple(
            sorted(
                {a.strip() for a in raw_aliases if isinstance(a, str) and a.strip() != ident}
                if isinstance(raw_aliases, list)
                else set()
            )
        )
        summary = _one_line(data.get("summary"))
        score = _score(data, affected)
        entries: dict[str, _Entry] = {}
        for item in affected:
            package = normalize_name(item["package"]["name"].strip())
            entry = entries.get(package)
            if entry is None:
                advisory = Advisory(
                    id=ident,
                    aliases=aliases,
                    summary=summary,
                    package=package,
                    score=score,
                    modified=modified,
                    malicious=ident.startswith("MAL-"),
                )
                entry = entries[package] = _Entry(advisory)
            versions = item.get("versions")
            for listed in versions if isinstance(versions, list) else []:
                text = _text(listed)
                parsed = _parse_version(text) if text is not None else None
                if parsed is not None:
                    entry.versions.add(parsed)
            ranges = item.get("ranges")
            for range_ in ranges if isinstance(ranges, list) else []:
                if not isinstance(range_, Mapping) or range_.get("type") != "ECOSYSTEM":
                    continue
                events = _events(range_)
                if events:
                    entry.ranges.append(events)
                entry.fixed.extend(
                    (version, text)
                    for kind, version, text in events
                    if kind == _FIXED and version is not None
                )
        for package, entry in entries.items():
            self._index.setdefault(package, []).append(entry)
        self._modified[ident] = (moment, modified)

    def _drop(self, ident: str) -> None:
        for package, entries in list(self._index.items()):
            kept = [e for e in entries if e.advisory.id != ident]
            if kept:
                self._index[package] = kept
            else:
                del self._index[package]
        del self._modified[ident]

    def _add_bytes(self, where: str, raw: bytes) -> None:
        try:
            text = raw.decode("utf-8-sig")
            if where.lower().endswith(".json"):
                data = json.loads(text)
            else:
                data = yaml.load(text, Loader=_StringLoader)  # a safe loader
        except (UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.errors.append(ScanError(where, ERROR_KIND, f"cannot parse: {reason}"))
            return
        self._add(where, data)


_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringLoader(_BaseLoader):  # type: ignore[misc]
    """A safe YAML loader that keeps numbers and timestamps as written (versions, dates)."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [
            (tag, pattern)
            for tag, pattern in resolvers
            if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _directory_files(root: Path) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in sorted(files):
            if name.lower().endswith(SUFFIXES):
                yield Path(folder, name)


def load_osv(path: Path) -> OsvDatabase:
    """Load a directory, an ``all.zip`` or a single advisory file.

    Raises ``OSError`` only when ``path`` itself cannot be read.
    """
    database = OsvDatabase()
    path = Path(path)
    if path.is_dir():
        os.listdir(path)  # raises OSError when the directory itself is unreadable
        for file in _directory_files(path):
            where = file.relative_to(path).as_posix()
            try:
                if file.stat().st_size > MAX_FILE_BYTES:
                    database.errors.append(ScanError(where, ERROR_KIND, "file too large"))
                    continue
                raw = file.read_bytes()
            except OSError as exc:
                database.errors.append(ScanError(where, ERROR_KIND, f"cannot read: {exc}"))
                continue
            database._add_bytes(where, raw)
        return database
    with path.open("rb") as handle:
        is_zip = zipfile.is_zipfile(handle)
    if not is_zip:
        if path.name.lower().endswith(SUFFIXES):
            database._add_bytes(path.name, path.read_bytes())
        else:
            database.errors.append(ScanError(path.name, ERROR_KIND, "not a zip file"))
        return database
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError) as exc:
        database.errors.append(ScanError(path.name, ERROR_KIND, f"bad zip file: {exc}"))
        return database
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = info.filename
            if info.is_dir() or not name.lower().endswith(SUFFIXES):
                continue
            if info.file_size > MAX_FILE_BYTES:
                database.errors.append(ScanError(name, ERROR_KIND, "file too large"))
                continue
            try:
                with archive.open(info) as member:
                    raw = member.read(MAX_FILE_BYTES + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                NotImplementedError,
                EOFError,
                zlib.error,
            ) as exc:
                database.errors.append(ScanError(name, ERROR_KIND, f"cannot read: {exc}"))
                continue
            database._add_bytes(name, raw)
    return database
