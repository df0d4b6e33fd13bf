"""Load the knowledge tables in ``checks/data`` (``auditor.checks.data``) once."""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CAPABILITIES = frozenset(
    {
        "chat",
        "completion",
        "embedding",
        "fine-tune",
        "training",
        "vector-store",
        "retriever",
        "document-loader",
        "rerank",
        "prompt",
    }
)


def load_table(name: str) -> dict[str, Any]:
    """Read ``checks/data/<name>.toml`` from the installed package."""
    text = resources.files("auditor.checks.data").joinpath(f"{name}.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    return data


@dataclass(frozen=True)
class ArgCondition:
    """``when = {position = 0, keyword = "purpose", equals = [...]}``."""

    equals: tuple[str, ...]
    keyword: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class TypeEntry:
    """A class or factory whose instances ragfit follows."""

    canonical: str
    provider: str
    capability: str | None
    model_args: tuple[str | int, ...]
    when: ArgCondition | None


@dataclass(frozen=True)
class ApiEntry:
    """A call that is a call site (or, for capability ``prompt``, a prompt template)."""

    name: str
    provider: str | None
    capability: str
    model_args: tuple[str | int, ...]
    when: ArgCondition | None
    returns: str | None
    provider_from_model: bool
    provider_keyword: str | None


def _condition(raw: Mapping[str, Any] | None) -> ArgCondition | None:
    if not raw:
        return None
    return ArgCondition(
        equals=tuple(str(v) for v in raw["equals"]),
        keyword=raw.get("keyword"),
        position=raw.get("position"),
    )


def _model_args(raw: Sequence[Any] | None) -> tuple[str | int, ...]:
    return tuple(a if isinstance(a, int) else str(a) for a in (raw or ()))


@dataclass(frozen=True)
class SdkTable:
    types: Mapping[str, tuple[TypeEntry, ...]]
    type_globs: Mapping[str, tuple[TypeEntry, ...]]
    apis: Mapping[str, ApiEntry]
    class_provider: Mapping[str, str]
    roots: frozenset[str]
    # Matches an import of one of ``roots`` at the start of a line.
    import_pattern: re.Pattern[str]
    # `import ROOT` or `from ROOT` anywhere (not only at a line start), or
    # `import_module("ROOT")`: a file without one imports no SDK.
    root_words: tuple[re.Pattern[str], ...]
    # Every module path that leads to a name in the table: ``openai``,
    # ``langchain_core.prompts`` (but not ``langchain_core.documents``).
    import_prefixes: frozenset[str]

    def imports_sdk(self, data: bytes | str, tree: ast.Module | None = None) -> bool:
        """Whether a Python file imports something that leads to a known SDK name
        (``import openai``, ``from openai import OpenAI``, but not
        ``from openai.types import ChatCompletion`` or ``from haystack import
        Document``): only those files are worth libcst's parse.

        ``data``: the decoded text (what the parser sees: no byte-order mark),
        or raw bytes for a cheap estimate. Import lines are found with a regular
        expression; when none leads to an SDK but the text names an SDK's root,
        ``tree`` (the file's ``ast`` module) settles it, so that imports the
        line pattern cannot see (after ``;``, on a line of ``if x: import y``,
        with ``\\r`` line ends, ``importlib.import_module("openai")``) count.
        ``import openai`` written anywhere but at a line start costs that walk."""
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        text = text.removeprefix("\ufeff")
        if not any(pattern.search(text) for pattern in self.root_words):
            return False  # no `import ROOT` / `from ROOT` anywhere
        if self.import_pattern.search(text):
            for match in _IMPORT_LINE.finditer(text):
                if match.group(1) is not None:
                    if self._from_import_leads_to_sdk(match.group(1), match.group(2)):
                        return True
                    continue
                for part in match.group(3).split(","):
                    words = part.split()
                    if words and words[0] in self.import_prefixes:
                        return True
        return tree is not None and self.tree_imports_sdk(tree)

    def tree_imports_sdk(self, tree: ast.Module) -> bool:
        """The same question answered from the ``ast`` tree: what the parser sees."""
        prefixes = self.import_prefixes
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                if any(alias.name in prefixes for alias in node.names):
                    return True
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if (
                    node.level == 0
                    and module in prefixes
                    and (
                        module in self.type_globs
                        or any(
                            alias.name == "*" or f"{module}.{alias.name}" in prefixes
                            for alias in node.names
                        )
                    )
                ):
                    return True
            elif isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                if (
                    name in {"import_module", "__import__"}
                    and isinstance(first, ast.Constant)
                    and first.value in prefixes
                ):
                    return True
        return False

    def _from_import_leads_to_sdk(self, module: str, names_raw: str) -> bool:
        if module not in self.import_prefixes:
            return False
        if module in self.type_globs:
            return True  # any class of langchain_openai, say
        names = _COMMENT.sub("", names_raw).strip("()\\ \t\r\n")
        for part in names.split(","):
            words = part.split()
            if not words:
                continue
            name = words[0]
            if name == "*" or f"{module}.{name}" in self.import_prefixes:
                return True
        return False

    def type_entries(self, name: str) -> tuple[TypeEntry, ...]:
        """The type entries for a qualified name, exact names before globs."""
        exact = self.types.get(name, ())
        module, _, cls = name.rpartition(".")
        if module and cls and not cls.startswith("_"):
            return exact + self.type_globs.get(module, ())
        return exact

    def provider_for(self, entry_provider: str, qualified: str) -> str:
        if entry_provider != "from-class":
            return entry_provider
        cls = qualified.rpartition(".")[2]
        return self.class_provider.get(cls, qualified.split(".", maxsplit=1)[0].replace("_", "-"))


# `from M import a, b` (names in parentheses may span lines), or `import a.b as c, d`.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]*(\([^)]*\)|[^\n;]*)"
    r"|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def _prefixes(names: set[str]) -> frozenset[str]:
    found: set[str] = set()
    for name in names:
        parts = name.split(".")
        found.update(".".join(parts[:cut]) for cut in range(1, len(parts) + 1))
    return frozenset(found)


def _build_import_pattern(roots: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True))
    # `from ROOT...` or `import a, ROOT...` at the start of a (possibly indented) line.
    pattern = (
        rf"^[ \t]*(?:from[ \t]+(?:{alternatives})\b"
        rf"|import[ \t]+(?:[\w.]+[ \t]*(?:as[ \t]+\w+[ \t]*)?,[ \t]*)*(?:{alternatives})\b)"
    )
    return re.compile(pattern, re.MULTILINE)


def _build_root_words(roots: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    alternatives = "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True))
    space = r"[ \t\\\r\n\f]"
    # Three patterns, each starting with a literal, search several times faster
    # than one alternation (no leading \b either, for the same reason: a name
    # ending in "import" before an SDK root is harmless, the tree decides).
    return (
        re.compile(
            rf"import{space}+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,{space}*)*(?:{alternatives})\b"
        ),
        re.compile(rf"from{space}+(?:{alternatives})\b"),
        re.compile(rf"import_module\(\s*['\"](?:{alternatives})\b"),
    )


@functools.cache
def sdk_table() -> SdkTable:
    raw = load_table("sdks")
    types: dict[str, list[TypeEntry]] = {}
    globs: dict[str, list[TypeEntry]] = {}
    roots: set[str] = set(raw.get("prefilter", {}).get("extra_roots", []))
    importable: set[str] = set(roots)
    for item in raw.get("type", []):
        names = [str(n) for n in item["names"]]
        entry = TypeEntry(
            canonical=str(item.get("canonical", names[0])),
            provider=str(item["provider"]),
            capability=item.get("capability"),
            model_args=_model_args(item.get("model")),
            when=_condition(item.get("when")),
        )
        for name in names:
            roots.add(name.split(".")[0])
            importable.add(name.removesuffix(".*"))
            if name.endswith(".*"):
                globs.setdefault(name[:-2], []).append(entry)
            else:
                types.setdefault(name, []).append(entry)
    canonicals = {e.canonical for v in (*types.values(), *globs.values()) for e in v}
    apis: dict[str, ApiEntry] = {}
    for item in raw.get("api", []):
        for raw_name in item["names"]:
            name = str(raw_name)
            if not any(name.startswith(c + ".") for c in canonicals):
                roots.add(name.split(".", 1)[0])
                importable.add(name)
            apis[name] = ApiEntry(
                name=name,
                provider=item.get("provider"),
                capability=str(item["capability"]),
                model_args=_model_args(item.get("model")),
                when=_condition(item.get("when")),
                returns=item.get("returns"),
                provider_from_model=item.get("provider_from_model") == "prefix",
                provider_keyword=item.get("provider_keyword"),
            )
    frozen = frozenset(roots)
    return SdkTable(
        types={k: tuple(v) for k, v in types.items()},
        type_globs={k: tuple(v) for k, v in globs.items()},
        apis=apis,
        class_provider=dict(raw.get("class_provider", {})),
        roots=frozen,
        import_pattern=_build_import_pattern(frozen),
        root_words=_build_root_words(frozen),
        import_prefixes=_prefixes(importable),
    )
