"""The scanned project's own license, for LC003 license-incompatible.

Read, in order, from the root ``pyproject.toml`` (PEP 639 ``license = "MIT"``,
the older ``license = {text = ...}`` / ``{file = ...}``, Poetry's ``license``,
then ``License ::`` classifiers) and else from a LICENSE file at the root,
recognised by its first lines. Nothing is echoed from a license text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from auditor.licenses.classify import LicenseInfo, from_classifiers, from_free_text, from_text
from auditor.scanners.manifests import TomlLines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LICENSE_FILES = (
    "LICENSE",
    "LICENSE.txt",
    "LICENSE.md",
    "LICENSE.rst",
    "LICENCE",
    "LICENCE.txt",
    "LICENCE.md",
    "COPYING",
    "COPYING.txt",
)


@dataclass(frozen=True)
class ProjectLicense:
    info: LicenseInfo
    path: str
    line: int
    how: str  # "pyproject license", "pyproject classifiers", "LICENSE file"


def _table(data: Any, *keys: str) -> dict[str, Any] | None:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, dict) else None


def find_project_license(
    files: Collection[str], read: Callable[[str], str | None]
) -> ProjectLicense | None:
    """The project's license and where it is declared, or None when it says nothing
    that can be understood."""
    found = _from_pyproject(files, read)
    if found is not None:
        return found
    for name in LICENSE_FILES:
        if name not in files:
            continue
        text = read(name)
        info = from_text(text) if text else None
        if info is not None:
            return ProjectLicense(info, name, 1, "LICENSE file")
    return None


def _from_pyproject(
    files: Collection[str], read: Callable[[str], str | None]
) -> ProjectLicense | None:
    if "pyproject.toml" not in files:
        return None
    text = read("pyproject.toml")
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    lines = TomlLines(text)
    project = _table(data, "project") or {}
    for where, value in (
        (("project", "license"), project.get("license")),
        (("tool", "poetry", "license"), (_table(data, "tool", "poetry") or {}).get("license")),
    ):
        info = _declared(value, files, read)
        if info is not None and info.known:
            return ProjectLicense(info, "pyproject.toml", lines.line(where), "pyproject license")
    classifiers = project.get("classifiers")
    if isinstance(classifiers, list):
        strings = [c for c in classifiers if isinstance(c, str)]
        info = from_classifiers(strings)
        if info is not None:
            index = next(i for i, c in enumerate(classifiers) if str(c).startswith("License"))
            line = lines.line(("project", "classifiers"), index)
            return ProjectLicense(info, "pyproject.toml", line, "pyproject classifiers")
    return None


def _declared(
    value: object, files: Collection[str], read: Callable[[str], str | None]
) -> LicenseInfo | None:
    if isinstance(value, str):
        return from_free_text(value)
    if isinstance(value, dict):
        text = value.get("text")
        if isinstance(text, str):
            return from_free_text(text)
        file = value.get("file")
        if isinstance(file, str) and file in files:
            content = read(file)
            return from_text(content) if content else None
    return None
