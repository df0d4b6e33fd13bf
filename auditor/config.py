"""Configuration: ``[tool.ragfit]`` in ``pyproject.toml``, or ``ragfit.toml``.

A file named with ``--config`` or a ``ragfit.toml`` that cannot be read is a
:class:`ConfigError` (exit 2), and so is an unknown key or a value of the
wrong type anywhere. A scanned repository's own ``pyproject.toml`` that is
not valid TOML only costs an ``errors`` entry: the defaults apply.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.discover import DEFAULT_MAX_FILE_SIZE
from auditor.model import ScanError, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FAIL_ON = ("error", "warning", "note", "never")


class ConfigError(Exception):
    """A configuration problem the user must fix; printed as one line, exit 2."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = "error"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    per_path_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    budget_usd: float | None = None
    high_stakes: bool | None = None
    knowledge_paths: tuple[str, ...] = ()
    training_paths: tuple[str, ...] = ()
    pricing: Mapping[str, Any] = field(default_factory=dict)
    typosquat_allow: tuple[str, ...] = ()  # names SC003 must not flag
    # max-dependencies: package budgets SC011 checks, by what they count
    # (``installed``: locked packages where there is a lock file, else direct ones).
    max_dependencies: Mapping[str, int] = field(default_factory=dict)
    source: str | None = None  # the file the settings came from

    @property
    def fail_threshold(self) -> Severity | None:
        return None if self.fail_on == "never" else Severity.parse(self.fail_on)

    def merged(self, **overrides: Any) -> Config:
        """Command-line values override the file; ``None`` means "not given"."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _strings(key: str, value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _validate(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    known = {
        "select",
        "ignore",
        "exclude",
        "fail-on",
        "max-file-size",
        "per-path-ignores",
        "budget-usd",
        "high-stakes",
        "knowledge-paths",
        "training-paths",
        "pricing",
        "typosquat-allow",
        "max-dependencies",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        names = ", ".join(f"`{k}`" for k in unknown)
        section = " in [tool.ragfit]" if where.endswith("pyproject.toml") else ""
        raise ConfigError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {names}{section}")
    out: dict[str, Any] = {}
    for key in ("select", "ignore"):
        if key in raw:
            out[key] = tuple(s.upper() for s in _strings(key, raw[key], where))
    for key in ("exclude", "knowledge-paths", "training-paths", "typosquat-allow"):
        if key in raw:
            out[key.replace("-", "_")] = _strings(key, raw[key], where)
    if "fail-on" in raw:
        value = raw["fail-on"]
        if value not in FAIL_ON:
            raise ConfigError(f"{where}: `fail-on` must be one of {', '.join(FAIL_ON)}")
        out["fail_on"] = value
    if "max-file-size" in raw:
        value = raw["max-file-size"]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where}: `max-file-size` must be a positive number of bytes")
        out["max_file_size"] = value
    if "per-path-ignores" in raw:
        table = raw["per-path-ignores"]
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: `per-path-ignores` must be a table of glob = [ids]")
        out["per_path_ignores"] = {
            str(glob): tuple(s.upper() for s in _strings(f"per-path-ignores.{glob}", ids, where))
            for glob, ids in table.items()
        }
    if "budget-usd" in raw:
        value = raw["budget-usd"]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: `budget-usd` must be a non-negative number")
        out["budget_usd"] = float(value)
    if "high-stakes" in raw:
        if not isinstance(raw["high-stakes"], bool):
            raise ConfigError(f"{where}: `high-stakes` must be true or false")
        out["high_stakes"] = raw["high-stakes"]
    if "max-dependencies" in raw:
        out["max_dependencies"] = _budgets(raw["max-dependencies"], where)
    if "pricing" in raw:
        if not isinstance(raw["pricing"], dict):
            raise ConfigError(f"{where}: `pricing` must be a table")
        from auditor.verdict.pricing import PricingError, merge

        try:
            merge(raw["pricing"])
        except PricingError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        out["pricing"] = dict(raw["pricing"])
    return out


_BUDGETS = ("direct", "locked", "installed")


def _budgets(value: Any, where: str) -> dict[str, int]:
    """``max-dependencies = 200`` (the installed packages) or a table of
    ``direct``/``locked``/``installed`` budgets."""
    message = (
        f"{where}: `max-dependencies` must be a positive number or a table of "
        "direct, locked and installed budgets"
    )

    def positive(number: Any) -> int:
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise ConfigError(message)
        return number

    if isinstance(value, dict):
        unknown = sorted(set(value) - set(_BUDGETS))
        if unknown or not value:
            raise ConfigError(message)
        return {key: positive(value[key]) for key in _BUDGETS if key in value}
    return {"installed": positive(value)}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    try:
        parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
        return parsed
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _section(data: Mapping[str, Any], path: Path) -> Mapping[str, Any] | None:
    """``[tool.ragfit]`` of a pyproject, or a ragfit.toml's own top level."""
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool", {})
        section = tool.get("ragfit") if isinstance(tool, dict) else None
        if section is not None and not isinstance(section, dict):
            raise ConfigError(f"{path}: [tool.ragfit] must be a table")
        return section
    return data


def load_config(root: Path, explicit: Path | None = None) -> tuple[Config, list[ScanError]]:
    """The configuration for a scan of ``root``, and any ``errors`` entries.

    Only a file named with ``--config`` stops the scan when it is broken; the
    scanned repository's own ``ragfit.toml`` or ``pyproject.toml`` that is not
    valid TOML becomes an ``errors`` entry and the defaults apply. Unknown keys
    and wrong types in a file that parses are always an error (exit 2).
    """
    repo_files: list[tuple[str, dict[str, Any] | None]] = []
    errors: list[ScanError] = []
    for name in ("ragfit.toml", "pyproject.toml"):
        path = root / name
        if not path.is_file():
            continue
        try:
            repo_files.append((name, tomllib.loads(path.read_bytes().decode("utf-8"))))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            used = "" if explicit is not None else ", default settings used"
            message = f"not valid TOML{used}: {_toml_message(exc)}"
            errors.append(ScanError(name, "config-error", message))
            repo_files.append((name, None))
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        section = _section(_read_toml(explicit), explicit)
        return _config(section or {}, str(explicit)), errors
    for name, data in repo_files:  # ragfit.toml first: it is ragfit's own file
        if data is None:
            return Config(), errors
        section = _section(data, root / name)
        if section is not None:
            return _config(section, name), errors
    return Config(), errors


def _toml_message(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


def _config(section: Mapping[str, Any], source: str) -> Config:
    values = _validate(section, source)
    return Config(**values, source=source)


def parse_rule_list(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


def check_rule_patterns(patterns: Sequence[str], known: Sequence[str], where: str) -> None:
    """Every id or prefix must name at least one rule (a typo must not silence a scan)."""
    for pattern in patterns:
        if not any(rule_id.startswith(pattern) for rule_id in known):
            raise ConfigError(f"{where}: `{pattern}` matches no rule (see `ragfit rules`)")
