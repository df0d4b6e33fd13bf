"""pip requirements files (``requirements*.txt``, ``constraints.txt``) as facts.

``parse_requirements`` reads the text the way pip does (line continuations,
comments, options, editable, VCS, URL and path requirements, PEP 508) without
running or fetching anything. It never raises: a line it cannot read becomes a
``parse-error`` entry that names the line number and a short reason, never the
line's text (which may hold a token).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.requirements import Requirement

from auditor.model import Dependency, Include, IndexOption, ManifestFacts, ScanError

__all__ = ["MAX_ERRORS", "parse_requirements"]

MAX_ERRORS = 20
SOURCE = "requirements"

# pip: a comment starts at '#' at the beginning of a line or after whitespace.
_COMMENT = re.compile(r"(?:^|\s)#")
_WHOLE_LINE_COMMENT = re.compile(r"\s*#")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PEP508_AT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_EXTRAS_SUFFIX = re.compile(r"^(.+?)\[([^\]]*)\]$")
_EGG_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?")
# The common lock-file line, ``name==1.2.3``: the same answer packaging gives, faster.
_SIMPLE_PIN = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==(\d+(?:\.\d+)*)$")
_SIMPLE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")

_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps"})
_HASH_NAMES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512", "md5"})
_WHEEL = ".whl"
_SDIST_EXTENSIONS = (".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")
_ARCHIVE_EXTENSIONS = (_WHEEL, *_SDIST_EXTENSIONS)

# Options of a requirements file: canonical long name -> takes a value.
_GLOBAL_OPTIONS: dict[str, bool] = {
    "--requirement": True,
    "--constraint": True,
    "--editable": True,
    "--index-url": True,
    "--extra-index-url": True,
    "--find-links": True,
    "--trusted-host": True,
    "--no-index": False,
    "--pre": False,
    "--prefer-binary": False,
    "--only-binary": True,
    "--no-binary": True,
    "--require-hashes": False,
    "--use-feature": True,
}
_REQUIREMENT_OPTIONS: dict[str, bool] = {
    "--hash": True,
    "--config-settings": True,
    "--global-option": True,
}
_ALL_OPTIONS = {**_GLOBAL_OPTIONS, **_REQUIREMENT_OPTIONS}
_SHORT_OPTIONS = {
    "-r": "--requirement",
    "-c": "--constraint",
    "-e": "--editable",
    "-i": "--index-url",
    "-f": "--find-links",
}
_INDEX_OPTIONS = {
    "--index-url": "index-url",
    "--extra-index-url": "extra-index-url",
    "--find-links": "find-links",
    "--trusted-host": "trusted-host",
}


class _LineError(Exception):
    """A reason (from this module's vocabulary, never the line's text)."""


@dataclass
class _Target:
    """What a requirement line points at, before it becomes a ``Dependency``."""

    name: str
    kind: str
    specifier: str = ""
    version: str | None = None
    pinned: bool = False
    extras: tuple[str, ...] = ()
    marker: str | None = None
    url: str | None = None
    ref: str | None = None
    hashes: bool = False


@dataclass
class _Errors:
    path: str
    entries: list[ScanError] = field(default_factory=list)
    extra: int = 0

    def add(self, line: int, reason: str) -> None:
        if len(self.entries) < MAX_ERRORS:
            self.entries.append(ScanError(self.path, "parse-error", f"line {line}: {reason}"))
        else:
            self.extra += 1

    def finish(self) -> list[ScanError]:
        if self.extra:
            more = f"and {self.extra} more parse errors"
            return [*self.entries, ScanError(self.path, "parse-error", more)]
        return self.entries


def parse_requirements(path: str, text: str) -> ManifestFacts:
    """The dependencies, index options and ``-r``/``-c`` includes of one requirements file."""
    facts = ManifestFacts()
    errors = _Errors(path)
    for number, line, continued in _logical_lines(text):
        try:
            _parse_line(path, number, line, continued, facts)
        except _LineError as error:
            errors.add(number, str(error))
        except Exception:  # bad input never stops a scan
            errors.add(number, "could not be parsed")
    facts.errors = errors.finish()
    return facts


def _logical_lines(text: str) -> list[tuple[int, str, bool]]:
    """(first physical line, text without comment, joined from continuations), as pip
    joins them: a line ending in a backslash continues unless it is a comment line;
    comments are removed after joining."""
    if text.startswith("\ufeff"):
        text = text[1:]
    result: list[tuple[int, str, bool]] = []
    pending: list[str] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.endswith("\\") and not _WHOLE_LINE_COMMENT.match(line):
            if not pending:
                first = number
            pending.append(line[:-1])
            continue
        if pending:
            pending.append(line)
            result.append((first, _strip_comment("".join(pending)), True))
            pending = []
        elif line and not line.isspace():
            result.append((number, _strip_comment(line), False))
    if pending:
        result.append((first, _strip_comment("".join(pending)), True))
    return result


def _strip_comment(line: str) -> str:
    comment = _COMMENT.search(line)
    return line if comment is None else line[: comment.start()]


def _parse_line(path: str, number: int, line: str, continued: bool, facts: ManifestFacts) -> None:
    tokens = line.split()
    if not tokens:
        if continued:
            raise _LineError("line continuation with nothing to continue")
        return
    if tokens[0].startswith("-"):
        _parse_option_line(path, number, tokens, facts)
        return
    split = next((i for i, token in enumerate(tokens) if token.startswith("-")), len(tokens))
    hashes = _requirement_options(tokens[split:])
    target = _classify(" ".join(tokens[:split]))
    facts.dependencies.append(_dependency(path, number, target, hashes, editable=False))


def _parse_option_line(path: str, number: int, tokens: list[str], facts: ManifestFacts) -> None:
    options = _read_options(tokens)
    for position, (name, value) in enumerate(options):
        if name in _REQUIREMENT_OPTIONS:
            raise _LineError("per-requirement option without a requirement")
        if name == "--editable":
            hashes = _requirement_options_parsed(options[position + 1 :])
            target = _classify(value or "")
            if target.kind not in ("path", "vcs"):
                raise _LineError("editable requirement must be a local path or a VCS URL")
            facts.dependencies.append(_dependency(path, number, target, hashes, editable=True))
            return
        if name in ("--requirement", "--constraint"):
            constraint = name == "--constraint"
            facts.includes.append(Include(path, number, value or "", constraint=constraint))
        elif name in _INDEX_OPTIONS:
            facts.indexes.append(IndexOption(path, number, _INDEX_OPTIONS[name], value or ""))


def _read_options(tokens: list[str]) -> list[tuple[str, str | None]]:
    """``[(canonical long name, value)]`` for option tokens; positional leftovers
    are an error, except the ones that follow ``--editable``'s value."""
    result: list[tuple[str, str | None]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not token.startswith("-") or token == "-":
            raise _LineError("unexpected argument after an option")
        value: str | None = None
        if token.startswith("--"):
            name, equals, attached = token.partition("=")
            name = _long_option(name)
            if equals:
                value = attached
        else:
            name = _SHORT_OPTIONS.get(token[:2], "")
            if not name:
                raise _LineError("unknown option")
            if len(token) > 2:
                value = token[2:]
        if _ALL_OPTIONS[name]:
            if value is None:
                if index >= len(tokens):
                    raise _LineError("option needs a value")
                value = tokens[index]
                index += 1
            if not value:
                raise _LineError("option needs a value")
        elif value is not None:
            raise _LineError("option takes no value")
        result.append((name, value))
    return result


def _long_option(name: str) -> str:
    """The option a long name stands for (optparse accepts unique prefixes)."""
    if name in _ALL_OPTIONS:
        return name
    matches = [option for option in _ALL_OPTIONS if option.startswith(name)] if name else []
    if len(matches) != 1 or len(name) < 3:
        raise _LineError("unknown option")
    return matches[0]


def _requirement_options(tokens: list[str]) -> bool:
    """Whether the options after a requirement give a hash; other options are errors."""
    return _requirement_options_parsed(_read_options(tokens)) if tokens else False


def _requirement_options_parsed(options: list[tuple[str, str | None]]) -> bool:
    hashes = False
    for name, value in options:
        if name not in _REQUIREMENT_OPTIONS:
            raise _LineError("option not allowed after a requirement")
        if name == "--hash":
            algorithm, colon, digest = (value or "").partition(":")
            if not colon or not digest or algorithm.lower() not in _HASH_NAMES:
                raise _LineError("malformed hash option")
            hashes = True
    return hashes


def _dependency(path: str, line: int, target: _Target, hashes: bool, editable: bool) -> Dependency:
    return Dependency(
        name=target.name,
        specifier=target.specifier,
        version=target.version,
        pinned=target.pinned,
        kind=target.kind,
        path=path,
        line=line,
        source=SOURCE,
        group="main",
        extras=target.extras,
        marker=target.marker,
        url=target.url,
        ref=target.ref,
        hashes=hashes or target.hashes,
        editable=editable,
    )


def _classify(text: str) -> _Target:
    """A requirement as written (without its options) -> what it points at."""
    text = text.strip()
    if not text:
        raise _LineError("missing requirement")
    simple = _SIMPLE_PIN.match(text)
    if simple:
        version = simple.group(2)
        return _Target(simple.group(1), "pypi", f"=={version}", version, pinned=True)
    if _SIMPLE_NAME.match(text) and not text.lower().endswith(_ARCHIVE_EXTENSIONS):
        return _Target(text, "pypi")
    if _SCHEME.match(text) and not _WINDOWS_PATH.match(text):
        location, marker = _split_marker(text, "; ")
        return _from_location(location, None, (), marker)
    if _PEP508_AT.match(text):
        return _from_pep508(text)
    location, marker = _split_marker(text, ";")
    if _looks_like_path(location):
        extras: tuple[str, ...] = ()
        with_extras = _EXTRAS_SUFFIX.match(location)
        if with_extras:
            location = with_extras.group(1)
            extras = _extras(with_extras.group(2))
        return _from_location(location.strip(), None, extras, marker)
    return _from_pep508(text)


def _split_marker(text: str, separator: str) -> tuple[str, str | None]:
    location, found, marker_text = text.partition(separator)
    if not found or not marker_text.strip():
        return location.strip(), None
    try:
        marker = Marker(marker_text.strip())
    except Exception:
        raise _LineError("invalid environment marker") from None
    return location.strip(), str(marker)


def _looks_like_path(text: str) -> bool:
    return (
        text.startswith((".", "/", "~", "\\"))
        or "/" in text
        or "\\" in text
        or bool(_WINDOWS_PATH.match(text))
        or text.lower().endswith(_ARCHIVE_EXTENSIONS)
    )


def _extras(text: str) -> tuple[str, ...]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not all(_SIMPLE_NAME.match(name) for name in names):
        raise _LineError("invalid extras")
    return tuple(sorted(set(names)))


def _from_pep508(text: str) -> _Target:
    try:
        requirement = Requirement(text)
    except Exception:
        raise _LineError("invalid requirement") from None
    extras = tuple(sorted(requirement.extras))
    marker = str(requirement.marker) if requirement.marker is not None else None
    if requirement.url:
        return _from_location(requirement.url, requirement.name, extras, marker)
    clauses = list(requirement.specifier)
    version: str | None = None
    if len(clauses) == 1:
        clause = clauses[0]
        exact = clause.operator == "==" and "*" not in clause.version
        if exact or clause.operator == "===":
            version = clause.version
    return _Target(
        name=requirement.name,
        kind="pypi",
        specifier=str(requirement.specifier),
        version=version,
        pinned=version is not None,
        extras=extras,
        marker=marker,
    )


def _from_location(
    location: str, name: str | None, extras: tuple[str, ...], marker: str | None
) -> _Target:
    """A URL or a local path (with the name, extras and marker already known, if any)."""
    base, _, fragment = location.partition("#")
    egg, egg_extras, hashed = _fragment(fragment)
    name = name or egg
    extras = extras or egg_extras
    scheme_match = _SCHEME.match(base)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if _WINDOWS_PATH.match(base):
        scheme = ""
    if scheme.startswith(_VCS_PREFIXES):
        url, ref = _split_ref(base)
        repo = _last_segment(url)
        if repo.endswith(".git"):
            repo = repo[:-4]
        if not url[len(scheme) + 1 :].strip("/"):
            raise _LineError("VCS URL without a repository")
        return _Target(
            name or repo, "vcs", extras=extras, marker=marker, url=url, ref=ref, hashes=hashed
        )
    if scheme in _URL_SCHEMES:
        kind = "url"
    elif scheme in ("", "file"):
        kind = "path"
    else:
        raise _LineError("unsupported URL scheme")
    if not base.strip():
        raise _LineError("missing requirement")
    name = name or _name_from_file(_last_segment(base))
    return _Target(name, kind, extras=extras, marker=marker, url=base, hashes=hashed)


def _fragment(fragment: str) -> tuple[str | None, tuple[str, ...], bool]:
    """(``#egg=`` name, its extras, whether an archive hash is given)."""
    egg: str | None = None
    extras: tuple[str, ...] = ()
    hashed = False
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        key = key.strip().lower()
        if key == "egg" and value:
            match = _EGG_NAME.match(value)
            if match is None:
                raise _LineError("invalid #egg= name")
            egg = match.group(1)
            if match.group(2) is not None:
                extras = _extras(match.group(2))
        elif key in _HASH_NAMES and value:
            hashed = True
    return egg, extras, hashed


def _split_ref(url: str) -> tuple[str, str | None]:
    """``git+https://host/repo.git@v1`` -> (``git+https://host/repo.git``, ``v1``): the
    revision is after the last ``@`` of the path, not the ``user@`` of the host."""
    authority = url.find("://")
    if authority >= 0:
        path_start = url.find("/", authority + 3)
        if path_start < 0:
            return url, None
    else:
        path_start = url.find(":") + 1
    head, at, ref = url[path_start:].rpartition("@")
    if not at:
        return url, None
    return url[:path_start] + head, ref or None


def _last_segment(location: str) -> str:
    trimmed = location.replace("\\", "/").rstrip("/")
    segment = trimmed.rpartition("/")[2]
    if segment in (".", "..") or segment.endswith(":"):
        return ""
    return segment


def _name_from_file(filename: str) -> str:
    """``pkg-1.0-py3-none-any.whl`` or ``pkg-1.0.tar.gz`` -> ``pkg``; a folder -> its name."""
    lower = filename.lower()
    if lower.endswith(_WHEEL):
        return filename.split("-", 1)[0]
    for extension in _SDIST_EXTENSIONS:
        if lower.endswith(extension):
            stem = filename[: -len(extension)]
            return stem.rpartition("-")[0] or stem
    return filename
