"""pip-audit, the online vulnerability backend, run as a subprocess.

``run_pip_audit`` writes exact ``name==version`` pins to a temporary requirements
file and runs ``pip-audit -r FILE --no-deps --disable-pip --format json
--progress-spinner off``. pip-audit exits 1 both for "vulnerabilities found" and
for a fatal error, so the exit code is ignored: parseable JSON on stdout is the
only sign of success. Dependencies pip-audit skipped (``skip_reason``, e.g.
"Dependency not found on PyPI and could not be audited") and pins missing from
its output are reported as *unchecked*, never as clean. ``--strict`` is not
passed, because it turns skips into a failure without JSON.

pip-audit is a dependency of ragfit, and it is run from ragfit's own
environment: ``sys.executable -m pip_audit`` (never a ``pip-audit`` found on
``PATH``, which could be another environment's or another version). The
``command`` argument and the ``RAGFIT_PIP_AUDIT`` environment variable (a
command line, split with ``shlex``) replace it, for tests and for a pinned
pip-audit elsewhere. Nothing is installed and nothing but that command is run.
The function never raises.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from auditor.supply_chain.osv import Advisory, Match, normalize_name

__all__ = ["ENV_COMMAND", "AuditResult", "run_pip_audit"]

ENV_COMMAND = "RAGFIT_PIP_AUDIT"
NOT_INSTALLED = "pip-audit is not installed in ragfit's environment"
NOT_IN_OUTPUT = "not in pip-audit's output"
SUMMARY_LIMIT = 200
ERROR_LIMIT = 300

# PEP 508 names; versions limited to PEP 440 characters, so that a pin can never
# become a requirements-file option, a comment, a marker or a second line.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*")

Key = tuple[str, str]


@dataclass(frozen=True)
class AuditResult:
    """What pip-audit said about each pin.

    Every pin given (keyed by PEP 503 name and the version as given) lands in
    exactly one of ``matches`` (audited; an empty list means no advisory) or
    ``unchecked`` (with the reason). ``error`` is set when the whole run failed.
    """

    matches: dict[tuple[str, str], list[Match]]
    unchecked: dict[tuple[str, str], str]
    error: str | None


class _ShapeError(ValueError):
    pass


def run_pip_audit(
    pins: Sequence[tuple[str, str]],
    *,
    timeout: float = 120.0,
    command: Sequence[str] | None = None,
) -> AuditResult:
    """Audit exact ``(name, version)`` pins with pip-audit; see the module docstring."""
    keys: dict[Key, tuple[str, str]] = {}  # key -> the pin as given (first one wins)
    unchecked: dict[Key, str] = {}
    for name, version in pins:
        key = (normalize_name(name), version)
        if key in keys or key in unchecked:
            continue
        problem = _pin_problem(name, version)
        if problem is None:
            keys[key] = (name, version)
        else:
            unchecked[key] = problem
    if not keys:
        return AuditResult({}, unchecked, None)

    argv, problem = _command(command)
    if argv is None:
        reason = problem or NOT_INSTALLED
        return _failed(keys, unchecked, reason)

    try:
        with tempfile.TemporaryDirectory(prefix="ragfit-pip-audit-") as tmp:
            requirements = Path(tmp) / "requirements.txt"
            requirements.write_text(
                "".join(f"{name}=={version}\n" for name, version in keys.values()),
                encoding="utf-8",
            )
            completed = subprocess.run(
                [
                    *argv,
                    "-r",
                    str(requirements),
                    "--no-deps",
                    "--disable-pip",
                    "--format",
                    "json",
                    "--progress-spinner",
                    "off",
                ],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                check=False,
            )
    except subprocess.TimeoutExpired:
        return _failed(keys, unchecked, f"pip-audit timed out after {timeout:g} seconds")
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return _failed(keys, unchecked, _one_line(f"pip-audit could not be run: {exc}"))

    try:
        found = _parse(completed.stdout)
    except (ValueError, _ShapeError) as exc:
        return _failed(keys, unchecked, _failure_summary(completed, exc))

    matches: dict[Key, list[Match]] = {}
    for key in keys:
        name, version = key
        skip = _lookup_skip(found, name, version)
        vulns = _lookup_vulns(found, name, version)
        if vulns is not None:
            matches[key] = [_to_match(vuln, name, version) for vuln in vulns]
        elif skip is not None:
            unchecked[key] = skip
        else:
            unchecked[key] = NOT_IN_OUTPUT
    return AuditResult(matches, unchecked, None)


def _pin_problem(name: str, version: str) -> str | None:
    if not _NAME.fullmatch(name):
        return f"not a valid package name: {name!r}"
    if not _VERSION.fullmatch(version):
        return f"not an exact version: {version!r}"
    try:
        Version(version)
    except InvalidVersion:
        return f"not a PEP 440 version: {version!r}"
    return None


def _command(command: Sequence[str] | None) -> tuple[list[str] | None, str | None]:
    if command is not None:
        argv = list(command)
        return (argv, None) if argv else (None, "empty pip-audit command")
    override = os.environ.get(ENV_COMMAND, "").strip()
    if override:
        try:
            argv = shlex.split(override)
        except ValueError as exc:
            return None, _one_line(f"{ENV_COMMAND} is not a valid command line: {exc}")
        return (argv, None) if argv else (None, f"{ENV_COMMAND} is empty")
    return _discover(), None


def _discover() -> list[str] | None:
    """pip-audit in this interpreter's environment (ragfit depends on it); None
    when it was removed from there."""
    try:
        spec = importlib.util.find_spec("pip_audit")
    except (ImportError, ValueError):
        spec = None
    return [sys.executable, "-m", "pip_audit"] if spec is not None else None


def _failed(keys: dict[Key, tuple[str, str]], unchecked: dict[Key, str], error: str) -> AuditResult:
    error = _one_line(error)
    return AuditResult({}, {**unchecked, **dict.fromkeys(keys, error)}, error)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= ERROR_LIMIT else line[: ERROR_LIMIT - 3] + "..."


def _failure_summary(completed: subprocess.CompletedProcess[str], exc: Exception) -> str:
    lines = [line.strip() for line in (completed.stderr or "").splitlines() if line.strip()]
    if lines:
        # A traceback's first line says nothing; its last line names the exception.
        detail = lines[-1] if lines[0].startswith("Traceback") else lines[0]
    elif not completed.stdout.strip():
        detail = "no output"
    else:
        detail = f"unexpected output ({exc})"
    return _one_line(f"pip-audit failed (exit {completed.returncode}): {detail}")


# Parsed output: PEP 503 name -> [(version or None, vulns or None, skip reason or None)].
_Found = dict[str, list[tuple["str | None", "list[dict[str, Any]] | None", "str | None"]]]


def _parse(stdout: str) -> _Found:
    data = json.loads(stdout)
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        raise _ShapeError("no 'dependencies' list")
    found: _Found = {}
    for dep in data["dependencies"]:
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
            raise _ShapeError("a dependency without a name")
        version = dep.get("version")
        if version is not None and not isinstance(version, str):
            raise _ShapeError("a version that is not a string")
        skip = dep.get("skip_reason")
        vulns = dep.get("vulns")
        if skip is not None:
            if not isinstance(skip, str):
                raise _ShapeError("a skip_reason that is not a string")
            vulns = None
        elif not isinstance(vulns, list) or version is None:
            raise _ShapeError("a dependency without version and vulns")
        else:
            for vuln in vulns:
                _check_vuln(vuln)
        found.setdefault(normalize_name(dep["name"]), []).append((version, vulns, skip))
    return found


def _check_vuln(vuln: object) -> None:
    if not isinstance(vuln, dict) or not isinstance(vuln.get("id"), str):
        raise _ShapeError("a vulnerability without an id")
    for field in ("fix_versions", "aliases"):
        value = vuln.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _ShapeError(f"{field} is not a list of strings")
    description = vuln.get("description")
    if description is not None and not isinstance(description, str):
        raise _ShapeError("a description that is not a string")


def _same_version(reported: str | None, pinned: str) -> bool:
    if reported is None:
        return False
    if reported == pinned:
        return True
    try:
        return Version(reported) == Version(pinned)
    except InvalidVersion:
        return False


def _lookup_vulns(found: _Found, name: str, version: str) -> list[dict[str, Any]] | None:
    for reported, vulns, _ in found.get(name, []):
        if vulns is not None and _same_version(reported, version):
            return vulns
    return None


def _lookup_skip(found: _Found, name: str, version: str) -> str | None:
    """A skip entry for this pin: same version, or (as pip-audit writes them) no version."""
    entries = [(reported, skip) for reported, _, skip in found.get(name, []) if skip is not None]
    for reported, skip in entries:
        if _same_version(reported, version):
            return skip
    for reported, skip in entries:
        if reported is None:
            return skip
    return None


def _to_match(vuln: dict[str, Any], name: str, version: str) -> Match:
    vuln_id: str = vuln["id"]
    description = vuln.get("description") or ""
    lines = description.strip().splitlines()
    summary = lines[0].strip()[:SUMMARY_LIMIT] if lines else ""
    advisory = Advisory(
        id=vuln_id,
        aliases=tuple(sorted(vuln.get("aliases") or [])),
        summary=summary,
        package=name,
        score=None,
        modified="",
        malicious=vuln_id.startswith("MAL-"),
    )
    return Match(advisory, _fixed(vuln.get("fix_versions") or [], version))


def _fixed(fix_versions: list[str], installed: str) -> str | None:
    """The smallest fix above the installed version, else the first listed, else None."""
    if not fix_versions:
        return None
    current = Version(installed)
    above: list[tuple[Version, str]] = []
    for text in fix_versions:
        try:
            parsed = Version(text)
        except InvalidVersion:
            continue
        if parsed > current:
            above.append((parsed, text))
    return min(above)[1] if above else fix_versions[0]
