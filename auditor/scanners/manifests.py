"""Manifests other than requirements files: ``pyproject.toml`` (PEP 621, PEP 735,
Poetry, uv), ``setup.cfg``, ``Pipfile`` and ``pip.conf``.

Every parser is a pure function of ``(path, text)``: it never executes anything
(no ``setup.py``, no build backend) and never raises. Bad input becomes a
``ScanError(path, "parse-error", ...)`` and the rest of the file is still read.

``tomllib`` gives no line numbers, so :class:`TomlLines` re-reads the TOML text
with a small structural scanner (tables, keys, arrays, inline tables, strings)
to find the line that declares each key and each array element.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

# tomli is tomllib's upstream, compiled with mypyc: about twice as fast on a
# multi-megabyte lock file (a dependency on every Python version for that).
import tomli as tomllib
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from auditor.model import Dependency, Include, IndexOption, ManifestFacts, ScanError
from auditor.scanners.text import LINE_BREAK

__all__ = [
    "TomlLines",
    "parse_pip_conf",
    "parse_pipfile",
    "parse_pyproject",
    "parse_setup_cfg",
]

Key = tuple[str, ...]

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_HASH_FRAGMENT = re.compile(r"(?:^|&)(?:sha256|sha384|sha512)=", re.IGNORECASE)
_PYPI_SIMPLE = frozenset({"https://pypi.org/simple", "https://pypi.python.org/simple"})


# --------------------------------------------------------------------------- lines


def _item(index: int) -> str:
    """The path component of an array element (``[[a]]`` tables and ``[...]`` items)."""
    return f"[{index}]"


class TomlLines:
    """Where things are declared in a TOML document, by key path.

    A key path is a tuple of decoded keys; an array element (or an element of an
    array of tables ``[[a.b]]``) adds ``"[i]"``. ``line(path)`` is the 1-based
    line of the key, ``line(path, i)`` of the array's i-th element; when neither
    is known, the line of the nearest enclosing table header or key, else 1.

    Meant for text that ``tomllib`` has accepted; on anything else it records
    what it can and never raises.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self.headers: dict[Key, int] = {}
        self.keys: dict[Key, int] = {}
        self.elements: dict[Key, list[int]] = {}
        self._array_tables: dict[Key, int] = {}
        # A safety net: on a scanner bug, lines fall back to table headers.
        with contextlib.suppress(Exception):
            self._document()

    # -- queries

    def line(self, path: Key, index: int | None = None) -> int:
        if index is not None:
            items = self.elements.get(path)
            if items is not None and 0 <= index < len(items):
                return items[index]
        probe = path
        while probe:
            if probe in self.keys:
                return self.keys[probe]
            if probe in self.headers:
                return self.headers[probe]
            probe = probe[:-1]
        return 1

    # -- scanning

    def _line_at(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def _peek(self, offset: int = 0) -> str:
        pos = self._pos + offset
        return self._text[pos] if pos < len(self._text) else ""

    def _skip_blank(self, newlines: bool) -> None:
        text, end = self._text, len(self._text)
        while self._pos < end:
            char = text[self._pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self._pos += 1
            elif char == "#":
                stop = text.find("\n", self._pos)
                self._pos = end if stop < 0 else stop
            else:
                return

    def _skip_line(self) -> None:
        stop = self._text.find("\n", self._pos)
        self._pos = len(self._text) if stop < 0 else stop + 1

    def _document(self) -> None:
        table: Key = ()
        end = len(self._text)
        if self._text.startswith("\ufeff"):
            self._pos = 1
        while self._pos < end:
            start = self._pos
            self._skip_blank(newlines=True)
            if self._pos >= end:
                break
            if self._peek() == "[":
                table = self._header(table)
            else:
                line = self._line_at(self._pos)
                key = self._key()
                if key:
                    self._skip_blank(newlines=False)
                    if self._peek() == "=":
                        self._pos += 1
                    path = table + key
                    self.keys.setdefault(path, line)
                    self._value(path)
            self._skip_blank(newlines=False)
            if self._peek() not in ("\n", "\r", ""):
                self._skip_line()
            if self._pos <= start:
                self._pos = start + 1

    def _header(self, table: Key) -> Key:
        line = self._line_at(self._pos)
        array = self._peek(1) == "["
        self._pos += 2 if array else 1
        key = self._key()
        self._skip_blank(newlines=False)
        self._pos += 2 if array else 1
        if not key:
            return table
        # A sub-table of an array of tables belongs to its last element.
        resolved: Key = ()
        for part in key[:-1]:
            resolved += (part,)
            count = self._array_tables.get(resolved)
            if count:
                resolved += (_item(count - 1),)
        resolved += (key[-1],)
        if array:
            count = self._array_tables.get(resolved, 0)
            self._array_tables[resolved] = count + 1
            self.headers.setdefault(resolved, line)
            resolved += (_item(count),)
        self.headers.setdefault(resolved, line)
        return resolved

    def _key(self) -> Key:
        parts: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in ('"', "'"):
                parts.append(self._string())
            else:
                start = self._pos
                while self._peek() and self._peek() in _BARE_KEY:
                    self._pos += 1
                if self._pos == start:
                    return tuple(parts)
                parts.append(self._text[start : self._pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self._pos += 1

    def _string(self) -> str:
        """Read the string at the cursor and return its decoded value."""
        text, start = self._text, self._pos
        quote = text[start]
        triple = text.startswith(quote * 3, start)
        pos = start + (3 if triple else 1)
        end = len(text)
        while pos < end:
            char = text[pos]
            if char == "\\" and quote == '"':
                pos += 2
                continue
            if not triple and char == "\n":
                break
            if char == quote and (not triple or text.startswith(quote * 3, pos)):
                if triple:
                    pos += 3
                    extra = 0  # up to two quotes of the content may touch the closing ones
                    while extra < 2 and pos < end and text[pos] == quote:
                        pos += 1
                        extra += 1
                else:
                    pos += 1
                break
            pos += 1
        self._pos = min(pos, end)
        literal = text[start : self._pos]
        if quote == "'" or "\\" not in literal:
            size = 3 if triple else 1
            body = literal[size:-size] if len(literal) >= 2 * size else literal[size:]
            if triple and body.startswith("\n"):
                body = body[1:]
            return body
        try:
            value = tomllib.loads("k = " + literal)["k"]
        except Exception:
            return literal.strip(quote)
        return value if isinstance(value, str) else literal

    def _value(self, path: Key) -> None:
        self._skip_blank(newlines=False)
        char = self._peek()
        if char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        elif char in ('"', "'"):
            self._string()
        else:
            while self._peek() and self._peek() not in ",]}\n#":
                self._pos += 1

    def _array(self, path: Key) -> None:
        self._pos += 1
        items = self.elements.setdefault(path, [])
        index = 0
        while self._pos < len(self._text):
            start = self._pos
            self._skip_blank(newlines=True)
            char = self._peek()
            if char == "]":
                self._pos += 1
                return
            if char == ",":
                self._pos += 1
                continue
            if char in ("", "}"):
                return
            items.append(self._line_at(self._pos))
            self._value((*path, _item(index)))
            index += 1
            if self._pos <= start:
                self._pos = start + 1

    def _inline_table(self, path: Key) -> None:
        self._pos += 1
        while self._pos < len(self._text):
            start = self._pos
            self._skip_blank(newlines=True)
            char = self._peek()
            if char == "}":
                self._pos += 1
                return
            if char == ",":
                self._pos += 1
                continue
            if char in ("", "]"):
                return
            line = self._line_at(self._pos)
            key = self._key()
            if key:
                self._skip_blank(newlines=False)
                if self._peek() == "=":
                    self._pos += 1
                self.keys.setdefault(path + key, line)
                self._value(path + key)
            if self._pos <= start:
                self._pos = start + 1


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
            reason = f"unexpected error while reading the manifest: {type(exc).__name__}: {exc}"
            return ManifestFacts(errors=[ScanError(path, "parse-error", reason)])

    return wrapper


def _load_toml(path: str, text: str, facts: ManifestFacts) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        facts.errors.append(ScanError(path, "parse-error", f"invalid TOML: {exc}"))
        return None
    except (RecursionError, MemoryError, ValueError) as exc:
        reason = f"invalid TOML: {type(exc).__name__}: {exc}"
        facts.errors.append(ScanError(path, "parse-error", reason))
        return None
    return data


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float"}
    names |= {list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _dotted(key: Key) -> str:
    return ".".join(key)


@dataclass
class _Context:
    """What every dependency of one file shares, and where errors go."""

    path: str
    facts: ManifestFacts
    lines: TomlLines | None = None
    seen: dict[str, int] = field(default_factory=dict)

    def error(self, message: str) -> None:
        error = ScanError(self.path, "parse-error", message)
        if error not in self.facts.errors:  # ``[tool]`` is read for Poetry and for uv
            self.facts.errors.append(error)

    def line(self, key: Key, index: int | None = None) -> int:
        return self.lines.line(key, index) if self.lines is not None else 1

    def table(self, data: dict[str, Any], key: Key) -> dict[str, Any] | None:
        """``data[key...]`` when it is a table; an error when it is something else."""
        value: Any = data
        for depth, part in enumerate(key):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
            if not isinstance(value, dict):
                where = key[: depth + 1]
                self.error(
                    f"[{_dotted(where)}] (line {self.line(where)}): expected a table, "
                    f"got {_type_name(value)}"
                )
                return None
        result: dict[str, Any] = value
        return result


def _split_vcs(url: str) -> tuple[str, str | None]:
    """``git+https://host/repo.git@v1#egg=x`` -> (``git+https://host/repo.git#egg=x``, ``v1``).

    Only an ``@`` in the path counts: ``git+ssh://git@host/repo`` has no ref."""
    base, hash_mark, fragment = url.partition("#")
    scheme_end = base.find("://")
    path_start = base.find("/", scheme_end + 3) if scheme_end >= 0 else 0
    at = base.rfind("@", max(path_start, 0)) if path_start >= 0 else -1
    if at < 0:
        return url, None
    return base[:at] + hash_mark + fragment, base[at + 1 :] or None


def _url_kind(url: str) -> str:
    lowered = url.lower()
    if lowered.startswith(_VCS_SCHEMES):
        return "vcs"
    if lowered.startswith("file:"):
        return "path"
    return "url"


def _has_hash(url: str) -> bool:
    _, _, fragment = url.partition("#")
    return bool(_HASH_FRAGMENT.search(fragment))


def _pin(specifier: SpecifierSet) -> str | None:
    """The version when ``specifier`` is exactly one ``==X`` (no wildcard) or ``===X``."""
    specs = list(specifier)
    if len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator == "===" or (spec.operator == "==" and "*" not in spec.version):
        return spec.version
    return None


def _pep508(
    ctx: _Context,
    text: str,
    *,
    line: int,
    where: str,
    source: str,
    group: str,
) -> Dependency | None:
    """One PEP 508 string as a ``Dependency``, or an error naming where it is."""
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        ctx.error(f"{where} line {line}: invalid requirement {text!r}: {reason}")
        return None
    version = _pin(req.specifier)
    kind, url, ref, hashes = "pypi", None, None, False
    if req.url:
        kind = _url_kind(req.url)
        url = req.url
        if kind == "vcs":
            url, ref = _split_vcs(req.url)
        hashes = _has_hash(req.url)
    return Dependency(
        name=req.name,
        specifier=str(req.specifier),
        version=version,
        pinned=version is not None,
        kind=kind,
        path=ctx.path,
        line=line,
        source=source,
        group=group,
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker is not None else None,
        url=url,
        ref=ref,
        hashes=hashes,
    )


def _where(key: Key) -> str:
    """``[project.optional-dependencies] dev`` for a human."""
    return f"[{_dotted(key[:-1])}] {key[-1]}" if len(key) > 1 else key[0]


def _pep508_array(
    ctx: _Context,
    value: object,
    key: Key,
    group: str,
    *,
    allow_include: bool = False,
) -> None:
    """An array of PEP 508 strings at ``key``."""
    if not isinstance(value, list):
        ctx.error(
            f"{_where(key)} (line {ctx.line(key)}): expected an array of requirement "
            f"strings, got {_type_name(value)}"
        )
        return
    for index, entry in enumerate(value):
        line = ctx.line(key, index)
        if allow_include and isinstance(entry, dict) and "include-group" in entry:
            continue
        if not isinstance(entry, str):
            ctx.error(
                f"{_where(key)} line {line}: expected a requirement string, got {_type_name(entry)}"
            )
            continue
        dep = _pep508(ctx, entry, line=line, where=_where(key), source="pyproject", group=group)
        if dep is not None:
            ctx.facts.dependencies.append(dep)


# --------------------------------------------------------------------------- pyproject


@_never_raises
def parse_pyproject(path: str, text: str) -> ManifestFacts:
    """Dependencies and package indexes declared in a ``pyproject.toml``."""
    facts = ManifestFacts()
    data = _load_toml(path, text, facts)
    if data is None:
        return facts
    ctx = _Context(path, facts, TomlLines(text))
    _pep621(ctx, data)
    _pep735(ctx, data)
    _poetry(ctx, data)
    _uv(ctx, data)
    return facts


def _pep621(ctx: _Context, data: dict[str, Any]) -> None:
    project = ctx.table(data, ("project",))
    if project is None:
        return
    if "dependencies" in project:
        _pep508_array(ctx, project["dependencies"], ("project", "dependencies"), "main")
    optional = ctx.table(data, ("project", "optional-dependencies"))
    for extra, value in (optional or {}).items():
        key = ("project", "optional-dependencies", extra)
        _pep508_array(ctx, value, key, f"optional:{extra}")


def _pep735(ctx: _Context, data: dict[str, Any]) -> None:
    groups = ctx.table(data, ("dependency-groups",))
    for name, value in (groups or {}).items():
        key = ("dependency-groups", name)
        _pep508_array(ctx, value, key, f"group:{name}", allow_include=True)


def _poetry(ctx: _Context, data: dict[str, Any]) -> None:
    poetry = ctx.table(data, ("tool", "poetry"))
    if poetry is None:
        return
    extras_of: dict[str, str] = {}
    extras = ctx.table(data, ("tool", "poetry", "extras"))
    for extra, names in (extras or {}).items():
        for name in names if isinstance(names, list) else ():
            if isinstance(name, str):
                extras_of.setdefault(canonicalize_name(name), extra)
    tables: list[tuple[Key, str]] = [
        (("tool", "poetry", "dependencies"), "main"),
        (("tool", "poetry", "dev-dependencies"), "dev"),
    ]
    groups = ctx.table(data, ("tool", "poetry", "group"))
    for name in groups or {}:
        if ctx.table(data, ("tool", "poetry", "group", name)) is not None:
            tables.append((("tool", "poetry", "group", name, "dependencies"), f"group:{name}"))
    for key, group in tables:
        deps = ctx.table(data, key)
        for name, value in (deps or {}).items():
            if key[-1] == "dependencies" and group == "main" and name.lower() == "python":
                continue
            entries = value if isinstance(value, list) else [value]
            for entry in entries:
                dep = _poetry_dependency(ctx, (*key, name), entry, group, extras_of)
                if dep is not None:
                    ctx.facts.dependencies.append(dep)
    sources = poetry.get("source")
    for index, source in enumerate(sources if isinstance(sources, list) else ()):
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            line = ctx.line(("tool", "poetry", "source", _item(index), "url"))
            # Poetry's priority decides whether PyPI is still searched beside it.
            priority = str(source.get("priority") or "primary").lower()
            option = f"poetry-source:{priority}"
            ctx.facts.indexes.append(IndexOption(ctx.path, line, option, source["url"]))


def _poetry_version(constraint: str) -> str | None:
    """The version of an exact Poetry constraint: ``2.0.1``, ``==2.0.1`` or ``=2.0.1``."""
    text = constraint.strip()
    for prefix in ("==", "="):
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    if not text or "*" in text:
        return None
    try:
        Version(text)
    except InvalidVersion:
        return None
    return text


def _poetry_dependency(
    ctx: _Context,
    key: Key,
    value: object,
    group: str,
    extras_of: dict[str, str],
) -> Dependency | None:
    name = key[-1]
    line = ctx.line(key)
    where = f"[{_dotted(key[:-1])}] {name}"
    kind, url, ref, specifier, marker = "pypi", None, None, "", None
    extras: tuple[str, ...] = ()
    editable = False
    if isinstance(value, str):
        specifier = value.strip()
    elif isinstance(value, dict):
        version = value.get("version", "")
        specifier = version.strip() if isinstance(version, str) else ""
        raw_extras = value.get("extras", [])
        if isinstance(raw_extras, list):
            extras = tuple(sorted(e for e in raw_extras if isinstance(e, str)))
        markers = value.get("markers")
        marker = markers if isinstance(markers, str) else None
        editable = value.get("develop") is True
        if isinstance(value.get("git"), str):
            kind, url = "vcs", value["git"]
            for ref_key in ("rev", "tag", "branch"):
                if isinstance(value.get(ref_key), str):
                    ref = value[ref_key]
                    break
        elif isinstance(value.get("url"), str):
            kind, url = "url", value["url"]
        elif isinstance(value.get("path"), str):
            kind, url = "path", value["path"]
        if value.get("optional") is True and group == "main":
            extra = extras_of.get(canonicalize_name(name))
            if extra is not None:
                group = f"optional:{extra}"
    else:
        ctx.error(
            f"{where} line {line}: expected a version constraint or a table, "
            f"got {_type_name(value)}"
        )
        return None
    version = _poetry_version(specifier) if kind == "pypi" else None
    return Dependency(
        name=name,
        specifier=specifier,
        version=version,
        pinned=version is not None,
        kind=kind,
        path=ctx.path,
        line=line,
        source="poetry",
        group=group,
        extras=extras,
        marker=marker,
        url=url,
        ref=ref,
        hashes=kind == "url" and url is not None and _has_hash(url),
        editable=editable,
    )


def _uv(ctx: _Context, data: dict[str, Any]) -> None:
    uv = ctx.table(data, ("tool", "uv"))
    if uv is None:
        return
    sources = ctx.table(data, ("tool", "uv", "sources"))
    overrides: dict[str, dict[str, Any]] = {}
    for name, value in (sources or {}).items():
        entry = value[0] if isinstance(value, list) and value else value
        if isinstance(entry, dict):
            overrides[canonicalize_name(name)] = entry
    if overrides:
        deps = ctx.facts.dependencies
        for position, dep in enumerate(deps):
            entry = overrides.get(canonicalize_name(dep.name))
            if dep.source == "pyproject" and entry is not None:
                deps[position] = _apply_uv_source(dep, entry)
    indexes = uv.get("index")
    for index, item in enumerate(indexes if isinstance(indexes, list) else []):
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            line = ctx.line(("tool", "uv", "index", _item(index), "url"))
            ctx.facts.indexes.append(IndexOption(ctx.path, line, "uv-index", item["url"]))
    for option in ("index-url", "extra-index-url", "find-links"):
        value = uv.get(option)
        key = ("tool", "uv", option)
        if isinstance(value, str):
            ctx.facts.indexes.append(IndexOption(ctx.path, ctx.line(key), option, value))
        elif isinstance(value, list):
            for index, url in enumerate(value):
                if isinstance(url, str):
                    line = ctx.line(key, index)
                    ctx.facts.indexes.append(IndexOption(ctx.path, line, option, url))


def _apply_uv_source(dep: Dependency, entry: dict[str, Any]) -> Dependency:
    if isinstance(entry.get("git"), str):
        ref = next(
            (entry[k] for k in ("rev", "tag", "branch") if isinstance(entry.get(k), str)), None
        )
        return replace(dep, kind="vcs", url=entry["git"], ref=ref)
    if isinstance(entry.get("url"), str):
        url = entry["url"]
        return replace(dep, kind="url", url=url, ref=None, hashes=_has_hash(url))
    if isinstance(entry.get("path"), str):
        return replace(
            dep, kind="path", url=entry["path"], ref=None, editable=entry.get("editable") is True
        )
    if entry.get("workspace") is True:
        return replace(dep, kind="path", url=None, ref=None)
    return dep


# --------------------------------------------------------------------------- Pipfile


@_never_raises
def parse_pipfile(path: str, text: str) -> ManifestFacts:
    """Dependencies and private sources declared in a ``Pipfile``."""
    facts = ManifestFacts()
    data = _load_toml(path, text, facts)
    if data is None:
        return facts
    ctx = _Context(path, facts, TomlLines(text))
    for table, group in (("packages", "main"), ("dev-packages", "dev")):
        deps = ctx.table(data, (table,))
        for name, value in (deps or {}).items():
            dep = _pipfile_dependency(ctx, (table, name), value, group)
            if dep is not None:
                facts.dependencies.append(dep)
    sources = data.get("source")
    for index, source in enumerate(sources if isinstance(sources, list) else ()):
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str) and url.strip().rstrip("/") not in _PYPI_SIMPLE:
            line = ctx.line(("source", _item(index), "url"))
            facts.indexes.append(IndexOption(path, line, "source", url))
    return facts


def _pipfile_dependency(ctx: _Context, key: Key, value: object, group: str) -> Dependency | None:
    name = key[-1]
    line = ctx.line(key)
    where = f"[{key[0]}] {name}"
    kind, url, ref, marker = "pypi", None, None, None
    extras: tuple[str, ...] = ()
    editable = False
    raw = ""
    if isinstance(value, str):
        raw = value
    elif isinstance(value, dict):
        version = value.get("version", "")
        raw = version if isinstance(version, str) else ""
        raw_extras = value.get("extras", [])
        if isinstance(raw_extras, list):
            extras = tuple(sorted(e for e in raw_extras if isinstance(e, str)))
        markers = value.get("markers")
        marker = markers if isinstance(markers, str) else None
        editable = value.get("editable") is True
        for vcs in ("git", "hg", "svn", "bzr"):
            if isinstance(value.get(vcs), str):
                kind, url = "vcs", value[vcs]
                ref = value["ref"] if isinstance(value.get("ref"), str) else None
                break
        else:
            if isinstance(value.get("file"), str):
                url = value["file"]
                kind = "url" if "://" in url and not url.lower().startswith("file:") else "path"
            elif isinstance(value.get("path"), str):
                kind, url = "path", value["path"]
    else:
        ctx.error(f"{where} line {line}: expected a version or a table, got {_type_name(value)}")
        return None
    raw = raw.strip()
    try:
        specifier = SpecifierSet("" if raw == "*" else raw)
    except InvalidSpecifier:
        ctx.error(f"{where} line {line}: invalid version specifier {raw!r}")
        return None
    version = _pin(specifier) if kind == "pypi" else None
    return Dependency(
        name=name,
        specifier=str(specifier),
        version=version,
        pinned=version is not None,
        kind=kind,
        path=ctx.path,
        line=line,
        source="pipfile",
        group=group,
        extras=extras,
        marker=marker,
        url=url,
        ref=ref,
        hashes=kind == "url" and url is not None and _has_hash(url),
        editable=editable,
    )


# --------------------------------------------------------------------------- INI files


@dataclass
class _IniOption:
    name: str  # as written
    line: int
    # (line, text) for the value on the key's line (when not empty) and each
    # continuation line, stripped; comment lines and blank lines are left out.
    values: list[tuple[int, str]] = field(default_factory=list)
    multiline: bool = False


@dataclass
class _Ini:
    sections: dict[str, list[_IniOption]] = field(default_factory=dict)
    problem: str | None = None


_SECTION = re.compile(r"\[(?P<name>.+)\]")
_OPTION = re.compile(r"(?P<name>.*?)\s*[=:]\s*(?P<value>.*)$")


def _read_ini(text: str) -> _Ini:
    """A configparser-like reading (no interpolation) that keeps line numbers."""
    ini = _Ini()
    section: list[_IniOption] | None = None
    option: _IniOption | None = None
    indent = 0
    # Lines as every other file's (LINE_BREAK): str.splitlines would also break at a
    # form feed or U+2028 and move every later line number down.
    for number, raw in enumerate(LINE_BREAK.split(text.removeprefix("\ufeff")), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        level = len(raw) - len(raw.lstrip())
        if option is not None and level > indent:
            option.values.append((number, stripped))
            option.multiline = True
            continue
        option = None
        header = _SECTION.match(stripped)
        if header:
            section = ini.sections.setdefault(header.group("name"), [])
            continue
        match = _OPTION.match(stripped)
        if section is None or match is None or not match.group("name"):
            if ini.problem is None:
                reason = "no section header" if section is None else "not a 'key = value' line"
                ini.problem = f"line {number}: {reason}"  # its text may hold a credential
            continue
        option = _IniOption(match.group("name"), number)
        indent = level
        if match.group("value"):
            option.values.append((number, match.group("value")))
        section.append(option)
    return ini


def _option_name(name: str) -> str:
    return name.strip().lower().replace("_", "-").removeprefix("--")


def _drop_comment(text: str) -> str:
    return re.split(r"\s#", text, maxsplit=1)[0].strip()


@_never_raises
def parse_setup_cfg(path: str, text: str) -> ManifestFacts:
    """``install_requires`` and ``extras_require`` of a ``setup.cfg`` (read, never run)."""
    facts = ManifestFacts()
    ctx = _Context(path, facts)
    ini = _read_ini(text)
    if ini.problem is not None:
        ctx.error(f"invalid setup.cfg: {ini.problem}")
    for option in ini.sections.get("options", []):
        if _option_name(option.name) == "install-requires":
            _setup_requirements(ctx, option, "[options] install_requires", "main")
    for option in ini.sections.get("options.extras_require", []):
        where = f"[options.extras_require] {option.name}"
        _setup_requirements(ctx, option, where, f"optional:{option.name}")
    return facts


def _setup_requirements(ctx: _Context, option: _IniOption, where: str, group: str) -> None:
    """One ``list-semi`` value: a line per requirement, or ``;``-separated on one line."""
    entries: Iterator[tuple[int, str]]
    if option.multiline:
        entries = ((line, _drop_comment(text)) for line, text in option.values)
    else:
        entries = ((line, part.strip()) for line, text in option.values for part in text.split(";"))
    for line, entry in entries:
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("file:"):
            for target in entry[len("file:") :].split(","):
                if target.strip():
                    ctx.facts.includes.append(Include(ctx.path, line, target.strip()))
            continue
        dep = _pep508(ctx, entry, line=line, where=where, source="setup.cfg", group=group)
        if dep is not None:
            ctx.facts.dependencies.append(dep)


# --------------------------------------------------------------------------- pip.conf

_PIP_SECTIONS = ("global", "install")
_PIP_OPTIONS = ("index-url", "extra-index-url", "find-links", "trusted-host")


@_never_raises
def parse_pip_conf(path: str, text: str) -> ManifestFacts:
    """Package indexes configured in a ``pip.conf`` / ``pip.ini``."""
    facts = ManifestFacts()
    ini = _read_ini(text)
    if ini.problem is not None:
        facts.errors.append(ScanError(path, "parse-error", f"invalid pip.conf: {ini.problem}"))
    for section in _PIP_SECTIONS:
        for option in ini.sections.get(section, []):
            name = _option_name(option.name)
            if name not in _PIP_OPTIONS:
                continue
            for line, value in option.values:
                for token in value.split():
                    if token.startswith("#"):
                        break
                    facts.indexes.append(IndexOption(path, line, name, token))
    return facts
