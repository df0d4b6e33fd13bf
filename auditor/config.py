"""Configuration: ``[tool.ragfit]`` in ``pyproject.toml``, or ``ragfit.toml``.

The file is found from the scanned path upward to the repository root (the
nearest folder with a ``.git``; without one, the scanned path alone), as ruff
does: in each folder ``ragfit.toml`` first, then a ``pyproject.toml`` that has
a ``[tool.ragfit]`` table; the nearest wins and ``--config`` overrides them
all. Paths and globs in a file found above the scanned path are relative to
that file's folder; they are rebased onto the scanned path (see
:func:`rebase`), and an ``exclude`` pattern that covers the whole scanned
path is not applied, because that path was asked for explicitly.

A file named with ``--config`` or a ``ragfit.toml`` that cannot be read is a
:class:`ConfigError` (exit 2), and so is an unknown key or a value of the
wrong type anywhere. A scanned repository's own ``pyproject.toml`` that is
not valid TOML only costs an ``errors`` entry: the defaults apply.
"""

from __future__ import annotations

import fnmatch
import os
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
    require_audit: bool = False  # an incomplete vulnerability audit fails the run
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
        "require-audit",
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
    if "require-audit" in raw:
        if not isinstance(raw["require-audit"], bool):
            raise ConfigError(f"{where}: `require-audit` must be true or false")
        out["require_audit"] = raw["require-audit"]
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


def config_folders(root: Path) -> list[Path]:
    """The folders to look in, nearest first: ``root`` and its parents up to
    the repository root (a folder with ``.git``); only ``root`` outside git."""
    folders: list[Path] = []
    for folder in (root, *root.parents):
        folders.append(folder)
        if os.path.lexists(folder / ".git"):
            return folders
    return [root]


def load_config(root: Path, explicit: Path | None = None) -> tuple[Config, list[ScanError]]:
    """The configuration for a scan of ``root``, and any ``errors`` entries.

    Only a file named with ``--config`` stops the scan when it is broken; the
    scanned repository's own ``ragfit.toml`` or ``pyproject.toml`` that is not
    valid TOML becomes an ``errors`` entry and the defaults apply. Unknown keys
    and wrong types in a file that parses are always an error (exit 2).
    """
    errors: list[ScanError] = []
    found: tuple[Path, Mapping[str, Any]] | None = None
    broken = False
    for folder in config_folders(root):
        for name in ("ragfit.toml", "pyproject.toml"):
            path = folder / name
            if not path.is_file():
                continue
            shown = _shown(path, root)
            try:
                data = tomllib.loads(path.read_bytes().decode("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                used = "" if explicit is not None else ", default settings used"
                message = f"not valid TOML{used}: {_toml_message(exc)}"
                errors.append(ScanError(shown, "config-error", message))
                if found is None and not broken:
                    broken = True  # the nearest file is broken: nothing above it is used
                continue
            section = _section(data, path)
            if section is not None and found is None and not broken:
                found = (path, section)
        if found is not None or broken:
            break
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        section = _section(_read_toml(explicit), explicit)
        return _config(section or {}, str(explicit)), errors
    if found is None:
        return Config(), errors
    path, section = found
    config = _config(section, _shown(path, root))
    return rebased(config, _relative(root, path.parent)), errors


def _shown(path: Path, root: Path) -> str:
    """A configuration file as the user sees it: relative to the scanned path."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def _relative(root: Path, folder: Path) -> str:
    """``root`` relative to the configuration's folder (POSIX; empty when the same)."""
    try:
        rel = root.relative_to(folder).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel


EVERYTHING = "**"


def rebase(pattern: str, base: str) -> str | None:
    """A gitignore-style pattern relative to a configuration's folder, made
    relative to ``base`` (the scanned path inside that folder): the same
    pattern when it matches at any depth (``*.ipynb``, ``**/gen/``), the part
    below ``base`` when it is anchored (``src/pkg/gen/*`` with base ``src/pkg``
    gives ``/gen/*``), :data:`EVERYTHING` when it covers all of ``base``
    (``fixtures/**`` with base ``fixtures/sample``), and None when it can
    match nothing below ``base``."""
    if not base:
        return pattern
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    prefix = "!" if negated else ""
    directory = body.endswith("/")
    core = body.rstrip("/")
    if not core.startswith("/") and "/" not in core:
        return pattern  # unanchored: matches at any depth, below base too
    parts = core.lstrip("/").split("/")
    index = 0
    for segment in base.split("/"):
        if index >= len(parts):
            return prefix + EVERYTHING  # names a folder above base: all of it
        if parts[index] == "**":
            rest = "/".join(parts[index + 1 :])
            if not rest:
                return prefix + EVERYTHING
            return f"{prefix}**/{rest}" + ("/" if directory else "")
        if not fnmatch.fnmatchcase(segment, parts[index]):
            return None
        index += 1
    rest = "/".join(parts[index:])
    if not rest:
        return prefix + EVERYTHING  # names base itself
    return f"{prefix}/{rest}" + ("/" if directory else "")


def rebased(config: Config, base: str) -> Config:
    """``config`` (from a file ``base`` levels above the scanned path) with its
    paths and globs made relative to the scanned path."""
    if not base:
        return config

    def patterns(values: Sequence[str], *, explicit_wins: bool) -> tuple[str, ...]:
        out: list[str] = []
        for value in values:
            moved = rebase(value, base)
            if moved is None or (explicit_wins and moved.lstrip("!") == EVERYTHING):
                continue
            out.append(moved)
        return tuple(out)

    ignores: dict[str, tuple[str, ...]] = {}
    for glob, ids in config.per_path_ignores.items():
        moved = rebase(glob, base)
        if moved is not None:
            ignores[moved] = ignores.get(moved, ()) + ids
    return replace(
        config,
        exclude=patterns(config.exclude, explicit_wins=True),
        per_path_ignores=ignores,
        knowledge_paths=patterns(config.knowledge_paths, explicit_wins=False),
        training_paths=patterns(config.training_paths, explicit_wins=False),
    )


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
