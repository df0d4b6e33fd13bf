"""CycloneDX 1.6 JSON: the repository's AI bill of materials.

Built with cyclonedx-python-lib (which pip-audit depends on) and written by its
1.6 JSON serializer:

- ``metadata``: ragfit as the tool, the scanned repository as the component,
  and properties saying how many dependencies the vulnerability audit checked
  and did NOT check;
- ``components``:
  - each declared Python dependency (one per name and version): a ``library``
    with its purl (``pkg:pypi/name@version`` when the version is exact), its
    license (an SPDX expression or a name) and where that came from, the
    digests its lock file records, and where it is declared;
  - each model the code calls: a ``machine-learning-model`` (provider, model
    id, fine-tuned or not, the call sites as evidence);
  - each training set and each knowledge corpus folder: ``data``;
  - images (``container``), Terraform, tools, actions and Helm charts
    (``application``/``platform``), with the license a relicensing event gives
    their version;
- ``services``: the hosted APIs the code calls (``checks/data/services.toml``),
  with their endpoints and the capabilities used;
- ``vulnerabilities``: SC001's findings, each affecting its dependency.

Serial number: a UUID derived from the BOM's content, so the same input gives
the same BOM; the timestamp is ``SOURCE_DATE_EPOCH`` when set, else now.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.model.service import Service
from cyclonedx.model.tool import Tool
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityRating,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from auditor.knowledge import load_table
from auditor.model import Component as InfraComponent
from auditor.model import Dependency, Finding, Report, normalise_name

PREFIX = "ragfit:"
_ALGORITHMS = {
    "md5": HashAlgorithm.MD5,
    "sha1": HashAlgorithm.SHA_1,
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
    "sha3256": HashAlgorithm.SHA3_256,
    "sha3384": HashAlgorithm.SHA3_384,
    "sha3512": HashAlgorithm.SHA3_512,
    "blake2b256": HashAlgorithm.BLAKE2B_256,
    "blake2b384": HashAlgorithm.BLAKE2B_384,
    "blake2b512": HashAlgorithm.BLAKE2B_512,
}
_HEX = re.compile(r"^[0-9a-fA-F]{32,128}$")
_MODEL_CAPABILITIES = frozenset({"chat", "completion", "embedding", "fine-tune", "rerank"})


def _occurrence(owner: str, path: str, line: int) -> Occurrence:
    """Where a component shows up. The bom-ref (unique in the BOM) also makes
    the order of occurrences deterministic: the library sorts on it."""
    return Occurrence(bom_ref=f"{owner}#{path}:{line}", location=path, line=line)


def _prop(name: str, value: object) -> Property:
    return Property(name=PREFIX + name, value=str(value))


@functools.cache
def _services_table() -> dict[str, Any]:
    table: dict[str, Any] = load_table("services").get("services", {})
    return table


def _licenses(text: str | None) -> list[LicenseExpression | DisjunctiveLicense]:
    """An SPDX expression as one; a single SPDX id as an id; anything else as a name."""
    if not text:
        return []
    from auditor.licenses.classify import canonical_expression

    canonical = canonical_expression(text)
    if canonical is None:
        return [DisjunctiveLicense(name=text)]
    if re.fullmatch(r"[A-Za-z0-9.+-]+", canonical) and not canonical.startswith("LicenseRef-"):
        return [DisjunctiveLicense(id=canonical)]
    return [LicenseExpression(canonical)]


def _hashes(digests: Iterable[str]) -> list[HashType]:
    found: list[HashType] = []
    for digest in digests:
        algorithm, _, value = digest.partition(":")
        alg = _ALGORITHMS.get(re.sub(r"[^a-z0-9]", "", algorithm.lower()))
        if alg is not None and _HEX.match(value):
            found.append(HashType(alg=alg, content=value.lower()))
    return found


def _scope(dep: Dependency) -> ComponentScope:
    if dep.group in {"main", "locked"}:
        return ComponentScope.REQUIRED
    return ComponentScope.OPTIONAL


def _dependency_components(report: Report) -> dict[tuple[str, int], Component]:
    """One component per name and version; keyed by every declaring (path, line)."""
    by_key: dict[tuple[str, str], Component] = {}
    by_place: dict[tuple[str, int], Component] = {}
    for dep in report.dependencies:
        if dep.group == "constraint":
            continue
        name = normalise_name(dep.name or dep.url or "unnamed")
        key = (name, dep.version or dep.specifier or dep.url or "")
        component = by_key.get(key)
        if component is None:
            purl = None
            if dep.kind == "pypi" and dep.version:
                purl = PackageURL(type="pypi", name=name, version=dep.version)
            references = []
            if dep.url and dep.kind in {"vcs", "url"}:
                kind = (
                    ExternalReferenceType.VCS
                    if dep.kind == "vcs"
                    else (ExternalReferenceType.DISTRIBUTION)
                )
                # An odd URL is left out rather than break the BOM.
                with contextlib.suppress(Exception):
                    references.append(ExternalReference(type=kind, url=XsUri(dep.url)))
            properties = [_prop("declared-in", f"{dep.path}:{dep.line}"), _prop("kind", dep.kind)]
            if not dep.version and dep.specifier:
                properties.append(_prop("specifier", dep.specifier))
            if dep.license_source:
                properties.append(_prop("license-source", dep.license_source))
            if dep.license_release:
                properties.append(_prop("license-release", dep.license_release))
            if dep.license_category:
                properties.append(_prop("license-category", dep.license_category))
            component = Component(
                type=ComponentType.LIBRARY,
                name=dep.name or name,
                version=dep.version,
                bom_ref=f"pypi:{name}@{key[1]}",
                purl=purl,
                scope=_scope(dep),
                hashes=_hashes(dep.digests),
                licenses=_licenses(dep.license),
                external_references=references,
                properties=properties,
            )
            by_key[key] = component
        else:
            component.hashes.update(_hashes(dep.digests))
            if dep.group in {"main", "locked"}:
                component.scope = ComponentScope.REQUIRED
        by_place[(dep.path, dep.line)] = component
    return by_place


def _model_components(report: Report) -> list[Component]:
    sites: dict[tuple[str, str], list[Any]] = {}
    for site in report.call_sites:
        if site.model and site.capability in _MODEL_CAPABILITIES:
            sites.setdefault((site.provider, site.model), []).append(site)
    out: list[Component] = []
    for (provider, model), found in sorted(sites.items()):
        capabilities = sorted({s.capability for s in found})
        fine_tuned = any(s.fine_tuned for s in found) or model.startswith("ft:")
        out.append(
            Component(
                type=ComponentType.MACHINE_LEARNING_MODEL,
                name=model,
                group=provider,
                bom_ref=f"model:{provider}/{model}",
                properties=[
                    _prop("provider", provider),
                    _prop("fine-tuned", str(fine_tuned).lower()),
                    _prop("capabilities", ",".join(capabilities)),
                ],
                evidence=ComponentEvidence(
                    occurrences=[
                        _occurrence(f"model:{provider}/{model}", s.path, s.line)
                        for s in sorted(
                            {(s.path, s.line): s for s in found}.values(),
                            key=lambda s: (s.path, s.line),
                        )[:50]
                    ]
                ),
            )
        )
    return out


def _data_components(report: Report) -> list[Component]:
    out: list[Component] = []
    for dataset in report.training_data:
        history = report.data_history.get(dataset.path, {})
        properties = [
            _prop("role", "training-data"),
            _prop("format", dataset.format),
            _prop("examples", dataset.examples),
            _prop("approx-tokens", dataset.approx_tokens),
            _prop("split", dataset.split),
        ]
        properties += [_prop(k.replace("_", "-"), v) for k, v in history.items() if v is not None]
        out.append(
            Component(
                type=ComponentType.DATA,
                name=dataset.path,
                bom_ref=f"data:{dataset.path}",
                description=f"Fine-tuning dataset ({dataset.format}, {dataset.examples} examples)",
                properties=properties,
                evidence=ComponentEvidence(
                    occurrences=[_occurrence(f"data:{dataset.path}", dataset.path, dataset.line)]
                ),
            )
        )
    knowledge = dict(report.knowledge)
    for path in knowledge.get("paths") or []:
        properties = [
            _prop("role", "knowledge-corpus"),
            _prop("files", knowledge.get("files", 0)),
            _prop("bytes", knowledge.get("bytes", 0)),
            _prop("approx-tokens", knowledge.get("approx_tokens", 0)),
        ]
        for key in ("commits_90", "commits_365", "last_change"):
            if knowledge.get(key) is not None:
                properties.append(_prop(key.replace("_", "-"), knowledge[key]))
        out.append(
            Component(
                type=ComponentType.DATA,
                name=str(path),
                bom_ref=f"data:{path}",
                description="Knowledge corpus (documents the code loads)",
                properties=properties,
            )
        )
    return out


_INFRA_TYPES = {
    "image": ComponentType.CONTAINER,
    "terraform": ComponentType.APPLICATION,
    "terraform-provider": ComponentType.LIBRARY,
    "tool": ComponentType.APPLICATION,
    "action": ComponentType.APPLICATION,
    "helm-chart": ComponentType.APPLICATION,
}


def _infra_purl(component: InfraComponent) -> PackageURL | None:
    version = component.version if component.version and " " not in component.version else None
    if component.kind == "image":
        namespace, _, name = component.name.rpartition("/")
        qualifiers = {"repository_url": component.registry} if component.registry else {}
        return PackageURL(
            type="docker",
            namespace=namespace or None,
            name=name,
            version=version,
            qualifiers=qualifiers or None,
        )
    if component.kind == "action" and "/" in component.name:
        namespace, _, name = component.name.partition("/")
        return PackageURL(type="github", namespace=namespace, name=name, version=version)
    return None


def _infra_components(report: Report) -> list[Component]:
    relicensed: dict[tuple[str, int], str] = {}
    for finding in report.findings:
        if finding.rule_id == "LC001" and finding.properties.get("new_license"):
            place = (finding.location.path, finding.location.line)
            relicensed[place] = str(finding.properties["new_license"])
    seen: dict[str, Component] = {}
    for item in report.components:
        ref = f"{item.kind}:{item.name}@{item.version or ''}"
        occurrence = _occurrence(ref, item.path, item.line)
        if ref in seen:
            evidence = seen[ref].evidence
            if evidence is not None:
                evidence.occurrences.add(occurrence)
            continue
        properties = [_prop("kind", item.kind)]
        if item.registry:
            properties.append(_prop("registry", item.registry))
        if item.digest:
            properties.append(_prop("digest", item.digest))
        license_text = relicensed.get((item.path, item.line))
        if license_text:
            properties.append(_prop("license-source", "relicensing"))
        seen[ref] = Component(
            type=_INFRA_TYPES.get(item.kind, ComponentType.APPLICATION),
            name=item.name,
            version=item.version,
            bom_ref=ref,
            purl=_infra_purl(item),
            licenses=_licenses(license_text),
            properties=properties,
            evidence=ComponentEvidence(occurrences=[occurrence]),
        )
    return list(seen.values())


def _services(report: Report) -> list[Service]:
    table = _services_table()
    by_provider: dict[str, set[str]] = {}
    for site in report.call_sites:
        if site.provider in table:
            by_provider.setdefault(site.provider, set()).add(site.capability)
    out: list[Service] = []
    for provider, capabilities in sorted(by_provider.items()):
        entry = table[provider]
        out.append(
            Service(
                name=str(entry["name"]),
                bom_ref=f"service:{provider}",
                provider=OrganizationalEntity(name=str(entry["provider"])),
                endpoints=[XsUri(str(url)) for url in entry.get("endpoints", [])],
                authenticated=provider != "ollama",
                x_trust_boundary=provider != "ollama",
                properties=[
                    _prop("provider", provider),
                    _prop("capabilities", ",".join(sorted(capabilities))),
                ],
            )
        )
    return out


_SEVERITIES = (
    (9.0, VulnerabilitySeverity.CRITICAL),
    (7.0, VulnerabilitySeverity.HIGH),
    (4.0, VulnerabilitySeverity.MEDIUM),
    (0.1, VulnerabilitySeverity.LOW),
)


def _vulnerabilities(
    findings: Iterable[Finding], components: Mapping[tuple[str, int], Component]
) -> list[Vulnerability]:
    out: list[Vulnerability] = []
    for finding in findings:
        if finding.rule_id != "SC001":
            continue
        props = finding.properties
        advisory = str(props.get("advisory") or "")
        component = components.get((finding.location.path, finding.location.line))
        if not advisory or component is None:
            continue
        score = props.get("score")
        ratings = []
        if isinstance(score, (int, float)):
            severity = next((s for low, s in _SEVERITIES if score >= low), None)
            ratings.append(
                VulnerabilityRating(
                    score=Decimal(str(score)),
                    severity=severity or VulnerabilitySeverity.NONE,
                    method=VulnerabilityScoreSource.CVSS_V3_1,
                )
            )
        fixed = props.get("fixed")
        source_url = f"https://osv.dev/vulnerability/{advisory}"
        out.append(
            Vulnerability(
                bom_ref=f"vuln:{advisory}@{component.bom_ref.value}",
                id=advisory,
                source=VulnerabilitySource(name="OSV", url=XsUri(source_url)),
                description=finding.message,
                recommendation=f"Upgrade to {fixed}" if fixed else "No fixed version yet",
                ratings=ratings,
                advisories=[VulnerabilityAdvisory(url=XsUri(source_url))],
                affects=[BomTarget(ref=str(component.bom_ref.value))],
                properties=[_prop("aliases", ",".join(props.get("aliases") or []))],
            )
        )
    return out


def _timestamp() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def build_bom(report: Report) -> Bom:
    from auditor import __version__

    root_name = os.path.basename(report.root.rstrip("/\\")) or "repository"
    audit = report.audit
    metadata = BomMetaData(
        timestamp=_timestamp(),
        component=Component(type=ComponentType.APPLICATION, name=root_name, bom_ref="repository"),
        properties=[
            _prop("vulnerability-audit:source", audit.source or "none"),
            _prop("vulnerability-audit:checked", audit.checked),
            _prop("vulnerability-audit:not-checked", audit.not_checked),
            *([_prop("vulnerability-audit:reason", audit.reason)] if audit.reason else []),
            _prop("current-approach", report.current_approach),
            *(
                [_prop("recommendation", report.recommendation.strategy)]
                if report.recommendation is not None
                else []
            ),
        ],
    )
    metadata.tools.tools.add(Tool(vendor="ragfit", name="ragfit", version=__version__))
    dependencies = _dependency_components(report)
    components = list({id(c): c for c in dependencies.values()}.values())
    components += _model_components(report)
    components += _data_components(report)
    components += _infra_components(report)
    bom = Bom(
        metadata=metadata,
        components=components,
        services=_services(report),
        vulnerabilities=_vulnerabilities(report.findings, dependencies),
    )
    root = metadata.component
    assert root is not None
    bom.register_dependency(root, components)
    return bom


def render_cyclonedx(report: Report) -> str:
    """The BOM as CycloneDX 1.6 JSON (``indent=2``, a trailing newline)."""
    bom = build_bom(report)
    bom.serial_number = uuid.UUID(int=0)
    draft = JsonV1Dot6(bom).output_as_string(indent=2)
    digest = hashlib.sha256(draft.encode("utf-8")).hexdigest()
    bom.serial_number = uuid.uuid5(uuid.NAMESPACE_URL, f"ragfit-bom:{digest}")
    text: str = JsonV1Dot6(bom).output_as_string(indent=2)
    return text + "\n"
