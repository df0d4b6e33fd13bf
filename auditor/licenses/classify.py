"""What a license string means: SPDX normalisation and a category.

Input is what package metadata holds (``License-Expression``, ``License``,
``Classifier: License :: ...``) or what a project declares about itself
(``pyproject.toml`` ``license``, a LICENSE file). Output is a
:class:`LicenseInfo`: a canonical SPDX expression when there is one, a short
label to show, and one of :data:`CATEGORIES`.

- SPDX expressions are canonicalised with ``packaging.licenses`` (falling back
  to ``license-expression`` on an older ``packaging``) and classified with the
  ScanCode LicenseDB index that ``license-expression`` ships.
- Trove classifiers, common free-text names ("Apache 2.0", "GPLv3+") and the
  first lines of whole license texts come from ``checks/data/licenses.toml``.
- A whole license text is never echoed: it is recognised or it is unknown.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.knowledge import load_table

# From least to most restrictive; "unknown" is outside the order.
CATEGORIES = (
    "public-domain",
    "permissive",
    "weak-copyleft",
    "copyleft",
    "network-copyleft",
    "restricted",
    "source-available",
    "proprietary",
    "unknown",
)
_RANK = {name: rank for rank, name in enumerate(CATEGORIES[:-1])}
NOT_OPEN_SOURCE = frozenset({"restricted", "source-available", "proprietary"})
STRONG_COPYLEFT = frozenset({"copyleft", "network-copyleft"})
OPEN_PERMISSIVE = frozenset({"public-domain", "permissive"})

# ScanCode LicenseDB categories -> ragfit's.
_SCANCODE = {
    "Public Domain": "public-domain",
    "Permissive": "permissive",
    "Copyleft Limited": "weak-copyleft",
    "Copyleft": "copyleft",
    "Free Restricted": "restricted",
    "Source-available": "source-available",
    "Proprietary Free": "proprietary",
    "Commercial": "proprietary",
}
# Copyleft that reaches users over a network (ScanCode calls them "Copyleft").
_NETWORK = re.compile(r"^(agpl-|osl-3\.0)", re.IGNORECASE)
# The longest `License:` value read as a name; longer or multi-line is a text.
MAX_NAME = 100


@dataclass(frozen=True)
class LicenseInfo:
    """A license as ragfit understood it.

    ``spdx``: a canonical SPDX expression, or None. ``label``: what to show (the
    SPDX expression, or a short name such as "BSD License"), None when nothing
    usable was found. ``note``: why it is unknown, when it is.
    """

    spdx: str | None
    label: str | None
    category: str
    note: str = ""

    @property
    def known(self) -> bool:
        return self.category != "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "spdx": self.spdx,
            "label": self.label,
            "category": self.category,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LicenseInfo:
        spdx, label, category, note = (
            data.get("spdx"),
            data.get("label"),
            data.get("category"),
            data.get("note", ""),
        )
        if not all(isinstance(v, (str, type(None))) for v in (spdx, label)):
            raise TypeError("LicenseInfo: spdx and label must be strings or null")
        if category not in CATEGORIES or not isinstance(note, str):
            raise TypeError("LicenseInfo: bad category or note")
        return cls(spdx, label, category, note)


UNKNOWN = LicenseInfo(None, None, "unknown", "no license in the metadata")


@dataclass(frozen=True)
class _Entry:
    spdx: str | None
    category: str | None


@dataclass(frozen=True)
class _Tables:
    classifiers: Mapping[str, _Entry]
    aliases: Mapping[str, _Entry]
    texts: tuple[tuple[re.Pattern[str], bool, str], ...]


def _entry(raw: Mapping[str, Any]) -> _Entry:
    return _Entry(raw.get("spdx"), raw.get("category"))


@functools.cache
def _tables() -> _Tables:
    raw = load_table("licenses")
    return _Tables(
        classifiers={k: _entry(v) for k, v in raw.get("classifiers", {}).items()},
        aliases={k: _entry(v) for k, v in raw.get("aliases", {}).items()},
        texts=tuple(
            (re.compile(item["pattern"], re.DOTALL), bool(item.get("title")), item["spdx"])
            for item in raw.get("text", [])
        ),
    )


@functools.cache
def _scancode_categories() -> dict[str, str]:
    """Lower-case SPDX (and ScanCode ``LicenseRef-``) keys -> ragfit category."""
    from license_expression import get_license_index

    found: dict[str, str] = {}
    for entry in sorted(get_license_index(), key=lambda e: bool(e.get("is_deprecated"))):
        category = _SCANCODE.get(entry.get("category") or "")
        keys = [entry.get("spdx_license_key"), *(entry.get("other_spdx_license_keys") or [])]
        for key in keys:
            if key and category:
                found.setdefault(key.lower(), category)
    return found


def category_of_key(key: str) -> str:
    """The category of one SPDX license id (``MIT``, ``AGPL-3.0-only``, ``BUSL-1.1``)."""
    lower = key.lower()
    if lower.endswith("+"):
        lower = lower[:-1]
    category = _scancode_categories().get(lower) or _scancode_categories().get(key.lower())
    if category == "copyleft" and _NETWORK.match(lower):
        return "network-copyleft"
    if category is None and lower.startswith("licenseref-"):
        if "proprietary" in lower or "commercial" in lower:
            return "proprietary"
        if "public-domain" in lower or "publicdomain" in lower:
            return "public-domain"
    return category or "unknown"


def canonical_expression(text: str) -> str | None:
    """``text`` as a canonical SPDX expression, or None if it is not one."""
    text = text.strip()
    if not text or "\n" in text or len(text) > 500:
        return None
    try:
        from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
    except ImportError:  # packaging < 24.2
        return _canonical_with_license_expression(text)
    try:
        return str(canonicalize_license_expression(text))
    except InvalidLicenseExpression:
        return None


# license-expression's parser keeps state between calls and is not thread-safe
# (concurrent parses fail with AttributeError): the index look-ups run in
# threads, so every use of it holds this lock.
_LICENSING_LOCK = threading.RLock()


@functools.cache
def _licensing() -> Any:
    """license-expression's SPDX parser (built once: it indexes every license key)."""
    from license_expression import get_spdx_licensing

    with _LICENSING_LOCK:
        return get_spdx_licensing()


def _canonical_with_license_expression(text: str) -> str | None:
    with _LICENSING_LOCK:
        info = _licensing().validate(text)
    if info.errors or info.invalid_symbols:
        return None
    normalised = info.normalized_expression
    return str(normalised) if normalised else None


def classify_expression(expression: str) -> str:
    """The category of an SPDX expression: ``OR`` takes the least restrictive
    choice, ``AND`` the most restrictive part, ``WITH`` an exception softens a
    copyleft license to weak copyleft."""
    from license_expression import ExpressionError

    with _LICENSING_LOCK:
        try:
            parsed = _licensing().parse(expression, validate=False)
        except (ExpressionError, ValueError, TypeError):
            return "unknown"
        if parsed is None:
            return "unknown"
        return _classify_node(parsed)


def _classify_node(node: Any) -> str:
    from license_expression import LicenseSymbol, LicenseWithExceptionSymbol

    if isinstance(node, LicenseWithExceptionSymbol):
        base = category_of_key(str(node.license_symbol.key))
        if base in STRONG_COPYLEFT:
            return "weak-copyleft"
        return base
    if isinstance(node, LicenseSymbol):
        return category_of_key(str(node.key))
    children = [_classify_node(arg) for arg in getattr(node, "args", ())]
    if not children:
        return "unknown"
    operator = type(node).__name__.upper()
    return _combine(children, choose=operator == "OR")


def _combine(categories: Iterable[str], *, choose: bool) -> str:
    """``choose`` (OR): the least restrictive known; else (AND): the most
    restrictive, unknown when a part is unknown and nothing known is worse than
    copyleft."""
    found = list(categories)
    known = [c for c in found if c != "unknown"]
    if choose:
        return min(known, key=_RANK.__getitem__) if known else "unknown"
    if not known:
        return "unknown"
    worst = max(known, key=_RANK.__getitem__)
    if len(known) < len(found) and _RANK[worst] < _RANK["restricted"]:
        return "unknown"
    return worst


def from_spdx(expression: str) -> LicenseInfo | None:
    """A valid SPDX expression as a LicenseInfo, else None."""
    canonical = canonical_expression(expression)
    if canonical is None:
        return None
    category = classify_expression(canonical)
    note = "" if category != "unknown" else f"{canonical}: not in the license index"
    return LicenseInfo(canonical, canonical, category, note)


def _alias_key(text: str) -> str:
    key = re.sub(r"[\s,_]+", " ", text.strip().lower()).strip(" .;")
    return key.removeprefix("the ")


def from_name(text: str) -> LicenseInfo | None:
    """A short license name: an SPDX expression or a known alias; None if neither."""
    found = from_spdx(text)
    if found is not None:
        return found
    entry = _tables().aliases.get(_alias_key(text))
    if entry is None:
        return None
    if entry.spdx is not None:
        return LicenseInfo(entry.spdx, entry.spdx, classify_expression(entry.spdx))
    return LicenseInfo(None, _short(text), entry.category or "unknown")


def from_text(text: str) -> LicenseInfo | None:
    """A whole license text, recognised by its first lines; None if not recognised."""
    flat = re.sub(r"\s+", " ", text.lower()).strip()
    for pattern, title, spdx in _tables().texts:
        window = flat[:300] if title else flat[:4000]
        if pattern.search(window):
            return LicenseInfo(spdx, spdx, classify_expression(spdx))
    return None


def from_classifiers(classifiers: Iterable[str]) -> LicenseInfo | None:
    """``License ::`` trove classifiers; several are read as a choice (``OR``)."""
    infos: list[LicenseInfo] = []
    for classifier in classifiers:
        parts = [p.strip() for p in classifier.split("::")]
        if len(parts) < 2 or parts[0] != "License":
            continue
        entry = _tables().classifiers.get(" :: ".join(parts[1:]))
        if entry is None:
            continue
        if entry.spdx is not None:
            infos.append(LicenseInfo(entry.spdx, entry.spdx, classify_expression(entry.spdx)))
        else:
            infos.append(LicenseInfo(None, parts[-1], entry.category or "unknown"))
    infos = [i for i in infos if i.known]
    if not infos:
        return None
    if len(infos) == 1:
        return infos[0]
    category = _combine([i.category for i in infos], choose=True)
    spdx_parts = [i.spdx for i in infos]
    if all(spdx_parts):
        expression = " OR ".join(sorted({str(p) for p in spdx_parts}))
        return LicenseInfo(expression, expression, category)
    label = " OR ".join(sorted({i.label or "" for i in infos}))
    return LicenseInfo(None, label, category)


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 60 else one_line[:57] + "..."


def _is_placeholder(text: str) -> bool:
    return _alias_key(text) in {"", "unknown", "none", "n/a", "na", "null", "see license file"}


def from_free_text(text: str) -> LicenseInfo:
    """A ``License:`` value or a project's ``license = {text = ...}``: a short
    name, or a whole license text. Unrecognised text is never echoed; a short
    unrecognised name is shown as written (shortened), category unknown."""
    text = text.strip()
    if _is_placeholder(text):
        return UNKNOWN
    if "\n" in text or len(text) > MAX_NAME:
        found = from_text(text)
        return found or LicenseInfo(None, None, "unknown", "license text not recognised")
    found = from_name(text)
    if found is not None:
        return found
    return LicenseInfo(None, _short(text), "unknown", f"license {_short(text)!r} not recognised")


def from_metadata(
    expression: str | None, license_text: str | None, classifiers: Iterable[str]
) -> LicenseInfo:
    """Core metadata's fields in PEP 639's order: ``License-Expression``, then a
    recognisable ``License``, then classifiers; a ``License`` that names nothing
    known comes last, so its note explains the unknown."""
    if expression and expression.strip():
        found = from_spdx(expression)
        if found is not None:
            return found
        license_text = license_text or expression
    from_field = from_free_text(license_text) if license_text else UNKNOWN
    if from_field.known:
        return from_field
    from_trove = from_classifiers(classifiers)
    if from_trove is not None:
        return from_trove
    return from_field
