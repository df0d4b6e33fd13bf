"""The rule framework: one class per file under ``checks/`` (``auditor.checks``).

A rule declares its id, name, default severity, a one-line message template
and a docstring with the sections ``## What it does``, ``## Why is this bad?``,
``## Example`` and ``## How to fix``. Its ``valid`` and ``invalid`` examples
are small repositories that one parametrised test runs through the whole
pipeline. Rules are found by walking the package, so adding a rule touches
one file.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.model import Finding, Location, Severity

if TYPE_CHECKING:
    from auditor.facts import RepoFacts
    from auditor.verdict.stage import Verdict

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## How to fix")
RULE_ID = re.compile(r"^(AD|SC|LC|RF)\d{3}$")


@dataclass(frozen=True)
class Example:
    """A small repository, ``{path: text}``.

    For an invalid example ``expect`` lists where the rule must fire, as
    ``"path:line"``; the rule must fire there and nowhere else.
    """

    files: Mapping[str, str]
    expect: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    message: ClassVar[str]
    tags: ClassVar[tuple[str, ...]] = ()
    # For security rules: a number in (0, 10] for SARIF's security-severity, in
    # the band of the default severity (error 7-10, warning 4-6.9, note 0.1-3.9).
    security_severity: ClassVar[float | None] = None
    # SARIF's precision: how often a finding is right. Heuristic rules (the
    # verdict's, typosquats) say `medium` or `low`; table look-ups say `high`.
    precision: ClassVar[str] = "high"
    valid: ClassVar[Sequence[Example]] = ()
    invalid: ClassVar[Sequence[Example]] = ()

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterable[Finding]:
        """The findings on ``facts``; the verdict stage's answers are in ``verdict``."""
        raise NotImplementedError

    def finding(
        self,
        location: Location,
        *,
        severity: Severity | None = None,
        properties: Mapping[str, Any] | None = None,
        fingerprint_key: str = "",
        **fmt: object,
    ) -> Finding:
        return Finding(
            rule_id=self.id,
            rule_name=self.name,
            severity=severity if severity is not None else self.severity,
            message=self.message.format(**fmt),
            location=location,
            properties=dict(properties or {}),
            fingerprint_key=fingerprint_key,
        )

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of ``## What it does``."""
        return doc_section(cls.doc(), "## What it does").split("\n\n")[0].replace("\n", " ")

    @classmethod
    def short_description(cls) -> str:
        """The first sentence of :meth:`summary` (SARIF's ``shortDescription``)."""
        return first_sentence(cls.summary()) or cls.name


@dataclass(frozen=True)
class SuppressionUse:
    """One ``# ragfit: ignore[...]`` comment after the scan: the ids it names
    (``*`` for a bare one), those that hid a finding, the ids of the rules
    that ran, and whether every rule ran (a bare comment can only be called
    unused then)."""

    path: str
    line: int
    column: int
    ids: tuple[str, ...]
    hid: frozenset[str]
    ran: frozenset[str]
    all_ran: bool


class SuppressionRule(Rule):
    """A rule about the suppression comments themselves (RF): the engine calls
    :meth:`check_suppressions` once the suppressions have been applied.
    Suppression comments do not apply to these rules' own findings."""

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterable[Finding]:
        return ()

    def check_suppressions(self, uses: Sequence[SuppressionUse]) -> Iterable[Finding]:
        raise NotImplementedError


PRECISIONS = ("very-high", "high", "medium", "low")
# Where each rule's documentation lives in the source tree (SARIF helpUri).
SOURCE_URL = "https://github.com/ragfit/ragfit/blob/main"
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.!?](?=\s+[A-Z`(\"']|$)")


def first_sentence(text: str) -> str:
    """Up to the first full stop that ends a sentence (not one in ``e.g.``)."""
    text = " ".join(text.split())
    found = _SENTENCE_END.search(text)
    return text[: found.end()] if found else text


def help_uri(rule: type[Rule]) -> str:
    """The rule's own file, whose docstring is its documentation."""
    module = rule.__module__
    if module.startswith("auditor.checks."):
        path = "checks/" + module.removeprefix("auditor.checks.").replace(".", "/") + ".py"
        return f"{SOURCE_URL}/{path}"
    return f"{SOURCE_URL}/README.md#rules"


def doc_section(doc: str, heading: str) -> str:
    start = doc.find(heading)
    if start < 0:
        return ""
    body = doc[start + len(heading) :]
    end = body.find("\n## ")
    return (body if end < 0 else body[:end]).strip()


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class in ``auditor.checks``, sorted by id."""
    package = importlib.import_module("auditor.checks")
    found: dict[str, type[Rule]] = {}
    for info in pkgutil.walk_packages(package.__path__, prefix="auditor.checks."):
        if info.name.startswith("auditor.checks.data"):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, Rule)
                and obj is not Rule
                and obj is not SuppressionRule
                and obj.__module__ == module.__name__
            ):
                if obj.id in found:
                    raise RuntimeError(f"duplicate rule id {obj.id}")
                found[obj.id] = obj
    return tuple(found[key] for key in sorted(found))


def rule_by_id(rule_id: str) -> type[Rule] | None:
    wanted = rule_id.strip().upper()
    return next((r for r in all_rules() if r.id == wanted), None)


def matches(rule_id: str, patterns: Iterable[str]) -> bool:
    """True when ``rule_id`` is one of ``patterns`` or starts with one (``SC``, ``AD1``)."""
    return any(rule_id.startswith(p.strip().upper()) for p in patterns if p.strip())


def selected_rules(select: Sequence[str], ignore: Sequence[str]) -> tuple[type[Rule], ...]:
    rules = all_rules()
    if select:
        rules = tuple(r for r in rules if matches(r.id, select))
    return tuple(r for r in rules if not matches(r.id, ignore))


def is_suppression_rule(rule: type[Rule]) -> bool:
    return issubclass(rule, SuppressionRule)


# Every rule id of DESIGN's catalog, implemented or reserved for a later issue:
# `--select`/`--ignore` accept them all, and a pattern matching none is an error.
CATALOG: dict[str, str] = {
    "AD001": "adaptation-strategy",
    "AD101": "fine-tune-on-changing-knowledge",
    "AD102": "knowledge-stuffed-prompt",
    "AD103": "repeated-style-instructions",
    "AD104": "unattributed-high-stakes-answer",
    "AD110": "deprecated-model-or-api",
    "SC001": "known-vulnerability",
    "SC002": "unpinned-dependency",
    "SC003": "typosquat-suspect",
    "SC004": "known-malicious-package",
    "SC005": "extra-index-url",
    "SC006": "unpinned-vcs-dependency",
    "SC007": "hardcoded-secret",
    "SC008": "vulnerability-audit-incomplete",
    "SC009": "sensitive-data-in-training-set",
    "SC010": "exposed-vector-store",
    "SC011": "dependency-budget-exceeded",
    "LC001": "relicensed-component",
    "LC002": "non-open-source-license",
    "LC003": "license-incompatible",
    "LC004": "unknown-license",
    "RF001": "unknown-rule-in-suppression",
    "RF002": "unused-suppression",
}
