"""Where known vulnerabilities come from: one protocol, one answer.

A ``VulnerabilitySource`` audits exact pins (and, for names with no exact
version, says which names are known to be malicious). Two sources exist: an
offline OSV database (``--vuln-db``) and pip-audit (online). Whichever answered,
the rules read one ``VulnerabilityAudit``; only its ``source`` says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from auditor.model import ScanError, normalise_name
from auditor.supply_chain.osv import ERROR_KIND, Advisory, Match, load_osv
from auditor.supply_chain.pipaudit import run_pip_audit

Key = tuple[str, str]  # (PEP 503 name, the exact version as declared)


@dataclass(frozen=True)
class VulnerabilityAudit:
    """One source's answer. Every pin lands in ``matches`` (checked; an empty
    list means no advisory) or is missing from it (not checked: ``unchecked``
    says why when the source knows). ``error``, when set, says why the source
    checked nothing at all."""

    source: str
    matches: Mapping[Key, Sequence[Match]] = field(default_factory=dict)
    unchecked: Mapping[Key, str] = field(default_factory=dict)
    # Names declared without an exact version that a malicious-package report names.
    malicious: Mapping[str, Sequence[Advisory]] = field(default_factory=dict)
    error: str | None = None
    errors: tuple[ScanError, ...] = ()  # problems with the source's own data
    advisory_count: int | None = None  # how many advisories an offline database holds
    newest: str | None = None  # the date of its newest advisory (ISO)

    def advisories(self, name: str, version: str) -> list[Match] | None:
        """The advisories affecting a pin, or None when it was not checked."""
        found = self.matches.get((normalise_name(name), version))
        return None if found is None else list(found)


class VulnerabilitySource(Protocol):
    name: str

    def audit(self, pins: Sequence[Key], unpinned: Sequence[str]) -> VulnerabilityAudit:
        """Check ``pins`` (name, exact version) and the malicious-package reports
        on ``unpinned`` names. Never raises for bad data or a failed tool."""
        ...


class OsvSource:
    """Advisories from an OSV directory or ``all.zip``, read offline."""

    name = "osv"

    def __init__(self, path: Path) -> None:
        self.path = path

    def audit(self, pins: Sequence[Key], unpinned: Sequence[str]) -> VulnerabilityAudit:
        try:
            database = load_osv(self.path)
        except OSError as exc:
            failure = exc.strerror or type(exc).__name__
            return VulnerabilityAudit(
                self.name,
                error=f"--vuln-db could not be read ({failure})",
                errors=(ScanError("", ERROR_KIND, f"--vuln-db: {failure}"),),
            )
        newest = database.newest_modified
        return VulnerabilityAudit(
            self.name,
            matches={
                (normalise_name(name), version): database.match(name, version)
                for name, version in pins
            },
            malicious={
                normalise_name(name): found
                for name in unpinned
                if (found := database.malicious(name))
            },
            errors=tuple(database.errors),
            advisory_count=len(database),
            newest=newest.date().isoformat() if newest is not None else None,
        )


class PipAuditSource:
    """pip-audit's online answer (it knows nothing about names without a version)."""

    name = "pip-audit"

    def audit(self, pins: Sequence[Key], unpinned: Sequence[str]) -> VulnerabilityAudit:
        result = run_pip_audit(pins)
        return VulnerabilityAudit(
            self.name,
            matches=result.matches,
            unchecked=result.unchecked,
            error=f"no online audit: {result.error}" if result.error else None,
        )


def vulnerability_source(vuln_db: Path | None, online: bool) -> VulnerabilitySource | None:
    """The source a scan uses: a given database (offline data wins), else
    pip-audit when the scan may go online, else none."""
    if vuln_db is not None:
        return OsvSource(vuln_db)
    if online:
        return PipAuditSource()
    return None
