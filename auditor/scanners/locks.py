"""Lock files: ``Pipfile.lock``, ``poetry.lock``, ``uv.lock`` and PEP 751 ``pylock.toml``.

Every parser is a pure function of ``(path, text)`` returning the locked packages
as :class:`~auditor.model.Dependency` values (``group="locked"``, ``pinned=True``
when the lock records a version or a commit). Nothing is executed and nothing is
raised: bad input becomes a ``ScanError(path, "parse-error", ...)`` naming the
line (and column when the decoder knows it), and the other entries are still read.

TOML line numbers come from :class:`~auditor.scanners.manifests.TomlLines`; JSON
has no line API, so :func:`_json_key_lines` re-reads the (already validated) JSON
text to find the line of each object key.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditor.model import Dependency, ManifestFacts, ScanError, normalise_name
from auditor.scanners.manifests import TomlLines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["parse_pipfile_lock", "parse_poetry_lock", "parse_pylock", "parse_uv_lock"]

Key = tuple[str, ...]
GROUP = "locked"


# --------------------------------------------------------------------------- helpers


def _never_raises(
    func: Callable[[str, str], ManifestFacts],
) -> Callable[[str, str], ManifestFacts]:
    """A parser bug must not stop a scan: it becomes one error for the file."""

    @functools.wraps(func)
    def wrapper(path: str, text: str) -> ManifestFacts:
        try:
            return func(path, text)
        except Exception as exc:
            reason = f"unexpected error while reading the lock file: {type(exc).__name__}: {exc}"
            return ManifestFacts(errors=[ScanError(path, "parse-error", reason)])

    return wrapper


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float"}
    names |= {list: "an array", dict: "a table", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class _Lock:
    """What the entries of one lock file share, and where errors go."""

    path: str
    source: str
    facts: ManifestFacts

    def error(self, message: str) -> None:
        self.facts.errors.append(ScanError(self.path, "parse-error", message))

    def add(
        self,
        *,
        name: str,
        version: str | None,
        line: int,
        kind: str = "pypi",
        url: str | None = None,
        ref: str | None = None,
        digests: tuple[str, ...] = (),
        marker: str | None = None,
        extras: tuple[str, ...] = (),
        editable: bool = False,
        requires: tuple[str, ...] = (),
    ) -> None:
        self.facts.dependencies.append(
            Dependency(
                name=name,
                specifier=f"=={version}" if version else "",
                version=version or None,
                pinned=bool(version) or bool(ref),
                kind=kind,
                path=self.path,
                line=line,
                source=self.source,
                group=GROUP,
                extras=extras,
                marker=marker,
                url=url,
                ref=ref,
                hashes=bool(digests),
                digests=digests,
                editable=editable,
                requires=requires,
            )
        )


# --------------------------------------------------------------------------- TOML


def _load_toml(lock: _Lock, text: str) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        lock.error(f"invalid TOML: {exc}")
        return None
    except (RecursionError, MemoryError, ValueError) as exc:
        lock.error(f"invalid TOML: {type(exc).__name__}: {exc}")
        return None
    return data


class _Lines:
    """:class:`TomlLines`, built only when a line is asked for that the header
    regex cannot give."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: TomlLines | None = None

    @property
    def full(self) -> TomlLines:
        if self._lines is None:
            self._lines = TomlLines(self.text)
        return self._lines

    @property
    def headers(self) -> dict[Any, int]:
        return dict(self.full.headers)

    def line(self, path: Any, index: int | None = None) -> int:
        return self.full.line(path, index)


def _array_header_lines(text: str, table: str) -> list[int]:
    """1-based lines of each ``[[table]]`` header, in order."""
    pattern = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(table)}[ \t]*\]\][ \t]*(?:#.*)?$", re.M)
    return [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]


def _toml_entries(
    lock: _Lock, data: dict[str, Any], lines: _Lines, table: str
) -> list[tuple[dict[str, Any], str, str | None, int]]:
    """The tables of the array ``[[table]]`` with their name, version and header line.

    Entries that are not tables or have no string ``name`` become errors."""
    if table not in data:
        return []
    value = data[table]
    if not isinstance(value, list):
        lock.error(
            f"{table} (line {lines.line((table,))}): expected an array of tables "
            f"[[{table}]], got {_type_name(value)}"
        )
        return []
    entries = []
    # The usual layout, one `[[table]]` header per entry, by one regex; the full
    # TOML line scanner (slow on a 2 MB uv.lock) only for anything else.
    headers = _array_header_lines(lines.text, table)
    if len(headers) != len(value):
        headers = [
            lines.headers.get((table, f"[{i}]")) or lines.line((table,), i)
            for i in range(len(value))
        ]
    for index, entry in enumerate(value):
        line = headers[index]
        where = f"[[{table}]] #{index + 1} (line {line})"
        if not isinstance(entry, dict):
            lock.error(f"{where}: expected a table, got {_type_name(entry)}")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            lock.error(f"{where}: 'name' should be a non-empty string, got {_type_name(name)}")
            continue
        version = entry.get("version")
        if version is not None and not isinstance(version, str):
            lock.error(f"{where} {name}: 'version' should be a string, got {_type_name(version)}")
            version = None
        entries.append((entry, name, version, line))
    return entries


MAX_DIGESTS = 64  # per package: a wheel per platform adds up, a lock file is not a list of them


def _digests(*values: object) -> tuple[str, ...]:
    """The ``algorithm:hex`` digests in ``hash = "sha256:..."`` / ``hashes = {sha256 =
    "..."}`` entries of tables or lists of tables, and in lists of such strings
    (Pipfile.lock), sorted and without repeats."""
    found: set[str] = set()
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items[: MAX_DIGESTS * 4]:
            if isinstance(item, str) and item:
                found.add(item)
            elif isinstance(item, dict):
                if isinstance(item.get("hash"), str) and item["hash"]:
                    found.add(item["hash"])
                hashes = item.get("hashes")
                if isinstance(hashes, dict):
                    found.update(
                        f"{alg}:{h}" for alg, h in hashes.items() if isinstance(h, str) and h
                    )
    return tuple(sorted(found)[:MAX_DIGESTS])


# --------------------------------------------------------------------------- Pipfile.lock


def _json_key_lines(text: str) -> dict[Key, int]:
    """The 1-based line of each object key in a JSON document, by key path.

    Array elements add ``"[i]"`` to the path. Meant for text ``json`` has accepted;
    with a later duplicate key winning, as ``json.loads`` does. Never raises."""
    found: dict[Key, int] = {}
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    # Each frame: [path, is_object, expecting_key, pending_key, array_index]
    stack: list[list[Any]] = []
    pos, end = 0, len(text)
    with contextlib.suppress(Exception):
        while pos < end:
            char = text[pos]
            if char == '"':
                stop = pos + 1
                while stop < end and text[stop] != '"':
                    stop += 2 if text[stop] == "\\" else 1
                literal = text[pos : stop + 1]
                if stack and stack[-1][1] and stack[-1][2]:
                    frame = stack[-1]
                    key = json.loads(literal)
                    frame[2], frame[3] = False, key
                    found[frame[0] + (key,)] = bisect.bisect_left(newlines, pos) + 1
                pos = stop + 1
                continue
            if char in "{[":
                child: Key = ()
                if stack:
                    frame = stack[-1]
                    child = frame[0] + ((frame[3] if frame[1] else f"[{frame[4]}]"),)
                stack.append([child, char == "{", char == "{", "", 0])
            elif char in "}]":
                if stack:
                    stack.pop()
            elif char == "," and stack:
                frame = stack[-1]
                if frame[1]:
                    frame[2] = True
                else:
                    frame[4] += 1
            pos += 1
    return found


@_never_raises
def parse_pipfile_lock(path: str, text: str) -> ManifestFacts:
    """The packages locked in a ``Pipfile.lock`` (``default`` and ``develop``)."""
    lock = _Lock(path, "pipfile.lock", ManifestFacts())
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        lock.error(f"invalid JSON: {exc.msg} (at line {exc.lineno}, column {exc.colno})")
        return lock.facts
    except (RecursionError, MemoryError, ValueError) as exc:
        lock.error(f"invalid JSON: {type(exc).__name__}: {exc}")
        return lock.facts
    if not isinstance(data, dict):
        lock.error(f"expected a JSON object at the top level, got {_type_name(data)}")
        return lock.facts
    lines = _json_key_lines(text.removeprefix("\ufeff"))
    for section in ("default", "develop"):
        packages = data.get(section)
        if packages is None:
            continue
        if not isinstance(packages, dict):
            line = lines.get((section,), 1)
            lock.error(
                f'"{section}" (line {line}): expected an object of packages, '
                f"got {_type_name(packages)}"
            )
            continue
        for name, entry in packages.items():
            line = lines.get((section, name), lines.get((section,), 1))
            _pipfile_entry(lock, section, name, entry, line)
    return lock.facts


def _pipfile_entry(lock: _Lock, section: str, name: str, entry: object, line: int) -> None:
    where = f'"{section}" {name} (line {line})'
    if not isinstance(entry, dict):
        lock.error(f"{where}: expected an object, got {_type_name(entry)}")
        return
    raw = _str(entry.get("version"))
    version = raw.strip().removeprefix("===").removeprefix("==").strip() if raw else None
    kind, url, ref = "pypi", None, None
    for vcs in ("git", "hg", "svn", "bzr"):
        if isinstance(entry.get(vcs), str):
            kind, url, ref = "vcs", entry[vcs], _str(entry.get("ref"))
            break
    else:
        if isinstance(entry.get("file"), str):
            url = entry["file"]
            remote = "://" in url and not url.lower().startswith("file:")
            kind = "url" if remote else "path"
        elif isinstance(entry.get("path"), str):
            kind, url = "path", entry["path"]
    hashes = entry.get("hashes")
    digests = _digests(hashes) if isinstance(hashes, list) else ()
    raw_extras = entry.get("extras")
    extras = raw_extras if isinstance(raw_extras, list) else []
    lock.add(
        name=name,
        version=version,
        line=line,
        kind=kind,
        url=url,
        ref=ref,
        digests=digests,
        marker=_str(entry.get("markers")),
        extras=tuple(sorted(e for e in extras if isinstance(e, str))),
        editable=entry.get("editable") is True,
    )


# --------------------------------------------------------------------------- poetry.lock

_POETRY_KINDS = {"git": "vcs", "url": "url", "file": "path", "directory": "path"}


@_never_raises
def parse_poetry_lock(path: str, text: str) -> ManifestFacts:
    """The packages locked in a ``poetry.lock`` (``[[package]]`` tables)."""
    lock = _Lock(path, "poetry.lock", ManifestFacts())
    data = _load_toml(lock, text)
    if data is None:
        return lock.facts
    lines = _Lines(text)
    # Lock format 1.x keeps the hashes apart, in [metadata.files].
    metadata = data.get("metadata")
    old_files = metadata.get("files") if isinstance(metadata, dict) else None
    old_files = old_files if isinstance(old_files, dict) else {}
    for entry, name, version, line in _toml_entries(lock, data, lines, "package"):
        kind, url, ref = "pypi", None, None
        source = entry.get("source")
        if source is not None and not isinstance(source, dict):
            lock.error(
                f"[[package]] {name} (line {line}): 'source' should be a table, "
                f"got {_type_name(source)}"
            )
        elif isinstance(source, dict) and source.get("type") in _POETRY_KINDS:
            kind = _POETRY_KINDS[source["type"]]
            url = _str(source.get("url"))
            if kind == "vcs":
                ref = _str(source.get("resolved_reference")) or _str(source.get("reference"))
        digests = _digests(entry.get("files"), old_files.get(name))
        lock.add(
            name=name,
            version=version,
            line=line,
            kind=kind,
            url=url,
            ref=ref,
            digests=digests,
            marker=_str(entry.get("markers")),
            editable=entry.get("develop") is True,
            requires=_poetry_requires(entry),
        )
    return lock.facts


_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _name(text: object) -> str | None:
    """The normalised package name a requirement string or table names."""
    if isinstance(text, dict):
        text = text.get("name")
    if not isinstance(text, str):
        return None
    match = _REQUIREMENT_NAME.match(text)
    return normalise_name(match.group(1)) if match else None


def _poetry_requires(entry: dict[str, Any]) -> tuple[str, ...]:
    """``[package.dependencies]`` (those marked ``optional`` only through the
    extras that name them) and ``[package.extras]``."""
    found: list[str] = []
    dependencies = entry.get("dependencies")
    if isinstance(dependencies, dict):
        for name, spec in dependencies.items():
            optional = isinstance(spec, dict) and spec.get("optional") is True
            if not optional:
                found.append(normalise_name(name))
    extras = entry.get("extras")
    if isinstance(extras, dict):
        for extra, requirements in extras.items():
            if isinstance(requirements, list):
                for requirement in requirements:
                    name = _name(requirement)
                    if name:
                        found.append(f"{normalise_name(str(extra))}/{name}")
    return tuple(dict.fromkeys(found))


def _table_requires(entry: dict[str, Any], key: str = "dependencies") -> tuple[str, ...]:
    """uv's and PEP 751's ``dependencies = [{name = ...}]`` and uv's
    ``[package.optional-dependencies]``."""
    found: list[str] = []
    dependencies = entry.get(key)
    if isinstance(dependencies, list):
        found.extend(n for n in (_name(d) for d in dependencies) if n)
    optional = entry.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, items in optional.items():
            if isinstance(items, list):
                names = (_name(d) for d in items)
                found.extend(f"{normalise_name(str(extra))}/{n}" for n in names if n)
    return tuple(dict.fromkeys(found))


# --------------------------------------------------------------------------- uv.lock


def _split_uv_git(value: str) -> tuple[str, str | None]:
    """``https://host/repo?rev=main#<sha>`` -> (``https://host/repo``, ``<sha>``)."""
    base, _, commit = value.partition("#")
    base = base.partition("?")[0]
    return base, commit or None


@_never_raises
def parse_uv_lock(path: str, text: str) -> ManifestFacts:
    """The packages locked in a ``uv.lock``, without the project itself."""
    lock = _Lock(path, "uv.lock", ManifestFacts())
    data = _load_toml(lock, text)
    if data is None:
        return lock.facts
    lines = _Lines(text)
    for entry, name, version, line in _toml_entries(lock, data, lines, "package"):
        kind, url, ref, editable = "pypi", None, None, False
        source = entry.get("source")
        if source is not None and not isinstance(source, dict):
            lock.error(
                f"[[package]] {name} (line {line}): 'source' should be a table, "
                f"got {_type_name(source)}"
            )
            source = None
        source = source or {}
        if source.get("editable") == "." or source.get("virtual") == ".":
            continue  # the project itself
        if isinstance(source.get("git"), str):
            kind = "vcs"
            url, ref = _split_uv_git(source["git"])
        elif isinstance(source.get("url"), str):
            kind, url = "url", source["url"]
        else:
            for key in ("editable", "virtual", "path", "directory"):
                if isinstance(source.get(key), str):
                    kind, url, editable = "path", source[key], key == "editable"
                    break
        digests = _digests(entry.get("sdist"), entry.get("wheels"))
        lock.add(
            name=name,
            version=version,
            line=line,
            kind=kind,
            url=url,
            ref=ref,
            digests=digests,
            editable=editable,
            requires=_table_requires(entry),
        )
    return lock.facts


# --------------------------------------------------------------------------- pylock.toml


@_never_raises
def parse_pylock(path: str, text: str) -> ManifestFacts:
    """The packages locked in a PEP 751 ``pylock.toml`` (``[[packages]]`` tables)."""
    lock = _Lock(path, "pylock", ManifestFacts())
    data = _load_toml(lock, text)
    if data is None:
        return lock.facts
    lines = _Lines(text)
    for entry, name, version, line in _toml_entries(lock, data, lines, "packages"):
        kind, url, ref, editable = "pypi", None, None, False
        vcs, archive, directory = entry.get("vcs"), entry.get("archive"), entry.get("directory")
        if isinstance(vcs, dict):
            kind = "vcs"
            url = _str(vcs.get("url")) or _str(vcs.get("path"))
            ref = _str(vcs.get("commit-id"))
        elif isinstance(archive, dict):
            url = _str(archive.get("url"))
            kind = "url" if url is not None else "path"
            url = url or _str(archive.get("path"))
        elif isinstance(directory, dict):
            kind, url = "path", _str(directory.get("path"))
            editable = directory.get("editable") is True
        digests = _digests(*(entry.get(key) for key in ("archive", "sdist", "wheels")))
        lock.add(
            name=name,
            version=version,
            line=line,
            kind=kind,
            url=url,
            ref=ref,
            digests=digests,
            marker=_str(entry.get("marker")),
            editable=editable,
            requires=_table_requires(entry),
        )
    return lock.facts
