"""Relicensing events (``checks/data/relicensing.toml``) and whether a component
or dependency falls under one.

Every version request becomes a PEP 440 ``SpecifierSet``: an exact pin is
``==X``, an image tag ``7.2`` or ``7.2-alpine`` floats over ``==7.2.*``,
``latest`` (or a tag with no version such as ``alpine``) admits anything, a
Terraform constraint ``~> 1.5`` is ``~=1.5``. What a request *resolves to* is
the newest version it admits; since that version is not known offline, it is
located among the event's own range boundaries and a stand-in for "the newest
release" (see :func:`resolves_into`). A digest-only image, a variable that was
not resolved or a tag that is not a version is *unknown* and never matched.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from auditor.knowledge import load_table
from auditor.model import normalise_name

# A stand-in for "the newest release": above every real version.
NEWEST = Version("999999")

_LEADING_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")
# Tags that name no version and follow the newest release (redis:alpine).
_FLOATING_WORDS = re.compile(
    r"(latest|stable|alpine|slim|bookworm|bullseye|buster|trixie|jammy|focal|noble|"
    r"edge|main|mainline|nightly|lts|ubi\d*)(?:[-._]|\d|$)",
    re.IGNORECASE,
)
_TERRAFORM_PART = re.compile(r"^(~>|>=|<=|!=|=|>|<)?\s*v?(\d+(?:\.\d+)*)$")


@dataclass(frozen=True)
class Event:
    component: str
    kinds: frozenset[str]
    match: tuple[str, ...]
    affected: tuple[SpecifierSet, ...]
    old: str
    new: str
    date: str
    last_open: str
    alternative: str
    source: str

    def matches(self, kind: str, name: str) -> bool:
        if kind not in self.kinds:
            return False
        if kind == "pypi":
            return normalise_name(name) in {normalise_name(m) for m in self.match}
        return any(fnmatch.fnmatchcase(name.lower(), m.lower()) for m in self.match)

    def contains(self, version: Version) -> bool:
        return any(spec.contains(version, prereleases=True) for spec in self.affected)

    @property
    def open_ended(self) -> bool:
        """Whether the newest release is still under the new license."""
        return self.contains(NEWEST)


@functools.cache
def events() -> tuple[Event, ...]:
    raw = load_table("relicensing")
    found: list[Event] = []
    for item in raw.get("event", []):
        kinds = item["kind"]
        found.append(
            Event(
                component=str(item["component"]),
                kinds=frozenset([kinds] if isinstance(kinds, str) else kinds),
                match=tuple(str(m) for m in item["match"]),
                affected=tuple(SpecifierSet(s) for s in item["affected"]),
                old=str(item["old"]),
                new=str(item["new"]),
                date=str(item["date"]),
                last_open=str(item["last_open"]),
                alternative=str(item["alternative"]),
                source=str(item["source"]),
            )
        )
    return tuple(found)


def find_events(kind: str, name: str) -> list[Event]:
    return [e for e in events() if e.matches(kind, name)]


# --- version requests -------------------------------------------------------------


def _spec(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def exact(version: str) -> SpecifierSet | None:
    """``==version`` (None when it is not a PEP 440 version)."""
    try:
        return SpecifierSet(f"=={Version(version)}")
    except (InvalidVersion, InvalidSpecifier):
        return None


def image_request(tag: str | None, digest: str | None = None) -> SpecifierSet | None:
    """What an image tag asks for. ``8.15.0`` and ``7.4.0-v1`` are exact; ``7``,
    ``7.2`` and ``7.2-alpine`` float over their series; ``latest`` and
    version-less tags (``alpine``) admit any release; a digest-only reference, an
    unresolved ``${VAR}`` or any other tag is unknown (None)."""
    del digest  # a digest pins bytes, not a version we could compare
    if tag is None or "$" in tag or not tag.strip():
        return None
    tag = tag.strip()
    match = _LEADING_VERSION.match(tag)
    if match is None:
        return SpecifierSet() if _FLOATING_WORDS.match(tag) else None
    rest = tag[match.end() :]
    if rest and rest[0] not in "-_+.":
        return None  # 2023a, 7x: not a version we understand
    parts = match.group(1).split(".")
    if len(parts) >= 3:
        return exact(".".join(parts[:4]))
    return _spec(f"=={'.'.join(parts)}.*")


def terraform_request(constraint: str | None) -> SpecifierSet | None:
    """A Terraform version constraint (``>= 1.6, < 2.0``, ``~> 1.5.0``, ``1.5.7``)
    or a version file's value (``latest``)."""
    if constraint is None:
        return None
    text = constraint.strip()
    if text.lower() == "latest":
        return SpecifierSet()
    parts: list[str] = []
    for raw in text.split(","):
        match = _TERRAFORM_PART.match(raw.strip())
        if match is None:
            return None  # latest:^1.5, min-required, ref:..., system
        operator, version = match.group(1) or "=", match.group(2)
        if operator == "~>":
            parts.append(f"~={version}" if "." in version else f">={version}")
        elif operator == "=":
            parts.append(f"=={version}")
        else:
            parts.append(f"{operator}{version}")
    return _spec(",".join(parts))


def python_request(version: str | None, specifier: str) -> SpecifierSet | None:
    """A Python dependency: its exact (or locked) version, else its specifier."""
    if version:
        return exact(version)
    return _spec(specifier)


def is_exact(request: SpecifierSet) -> bool:
    specs = list(request)
    return len(specs) == 1 and specs[0].operator in {"==", "==="} and "*" not in specs[0].version


def _bounds(specs: Sequence[SpecifierSet]) -> set[Version]:
    found: set[Version] = set()
    for spec_set in specs:
        for spec in spec_set:
            found.update(_spec_versions(spec))
    return found


def _spec_versions(spec: Specifier) -> list[Version]:
    try:
        return [Version(spec.version.removesuffix(".*"))]
    except InvalidVersion:
        return []


def resolves_into(request: SpecifierSet, event: Event) -> Version | None:
    """The version ``request`` resolves to when it falls under ``event``, else None.

    The newest admitted version is taken among the event's range boundaries, the
    versions the request names and :data:`NEWEST`: between two consecutive
    boundaries whether a version is affected does not change, so the largest
    admitted candidate is affected exactly when the real newest admitted release
    is (for a request that is one interval, as requests are)."""
    candidates = _bounds(event.affected) | _bounds([request]) | {NEWEST}
    admitted = [c for c in candidates if request.contains(c, prereleases=True)]
    if not admitted:
        return None
    newest = max(admitted)
    return newest if event.contains(newest) else None
