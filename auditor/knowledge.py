"""Load the knowledge tables in ``checks/data`` (``auditor.checks.data``) once."""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    # What kind of model the object is: llm, embedding-model, reranker,
    # classifier, or ``by-name`` (read from the model's name).
    kind: str | None = None
    # Where a base URL is given: the provider then comes from its host.
    url_args: tuple[str | int, ...] = ()
    # An SDK object passed here gives its provider (instructor.from_openai(client)).
    provider_args: tuple[str | int, ...] = ()
    # Trainers: the kind trained when the model argument says nothing, and
    # where the model is given.
    trained: str | None = None
    trained_args: tuple[str | int, ...] = ()
    # The class name (last part) must match: one glob, several kinds of class.
    class_pattern: re.Pattern[str] | None = None
    # `name`: the provider from the model's name (gpt-... is openai, an
    # org/name Hub id is huggingface), for components that take any model.
    provider_from_model: str | None = None


@dataclass(frozen=True)
class SourceProvider:
    """Calls whose provider is chosen by a module setting the file makes
    (openai < 1.0 sends its module-level calls to Azure when ``openai.api_type``
    is ``"azure"``): when ``also`` matches the file's text, each call of ``apis``
    is a call site of ``provider`` too; when ``instead`` matches (the setting
    made once, unconditionally), of ``provider`` alone."""

    apis: frozenset[str]
    provider: str
    also: re.Pattern[str]
    instead: re.Pattern[str] | None = None


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
    # Only on objects of these kinds (``model.generate`` on an LLM).
    kinds: frozenset[str] = frozenset()
    trained: str | None = None
    trained_args: tuple[str | int, ...] = ()
    # Only when one of these keys is in a dict among the arguments
    # (``search(knn=...)``, ``aggregate([{"$vectorSearch": ...}])``).
    contains_key: tuple[str, ...] = ()
    url_args: tuple[str | int, ...] = ()
    # The capability when the file formats prompts with a chat template.
    template_capability: str | None = None
    # The call does not count when this argument condition holds
    # (``wikipedia.page(title, auto_suggest=False)`` fetches a page by its
    # title: no search).
    unless: ArgCondition | None = None


@dataclass(frozen=True)
class MethodEntry:
    """A method call recognised by its name and arguments alone, whatever it is
    called on (a collection passed in as a parameter, a loss tensor)."""

    names: frozenset[str]
    provider: str
    capability: str
    contains_key: tuple[str, ...] = ()
    # The receiver's source must match (``loss.backward()``).
    receiver: re.Pattern[str] | None = None
    trained: str | None = None
    # A string argument must match (SQL with pgvector's distance operators).
    sql: re.Pattern[str] | None = None
    # The arguments' or receiver's source must match (a top-k over scores).
    scores: re.Pattern[str] | None = None
    # The name the result is assigned to must match (``embeddings = model(...)``);
    # such an entry applies to plain function calls too.
    target: re.Pattern[str] | None = None


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


@functools.cache
def _model_entry(kind: str) -> TypeEntry:
    return TypeEntry(
        canonical="transformers.Model",
        provider="huggingface",
        capability=None,
        model_args=(0, "pretrained_model_name_or_path", "model_id"),
        when=None,
        kind=kind,
    )


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
    package_provider: Mapping[str, str] = field(default_factory=dict)
    # "vendor/model" and "vendor:model" prefixes -> provider; the ones that
    # count in any string of a repository that routes through LiteLLM.
    model_prefixes: Mapping[str, str] = field(default_factory=dict)
    loose_prefixes: frozenset[str] = frozenset()
    # `module.**`: any class (a capitalised name) at any depth below a module.
    deep_globs: Mapping[str, tuple[TypeEntry, ...]] = field(default_factory=dict)
    methods: Mapping[str, tuple[MethodEntry, ...]] = field(default_factory=dict)
    # Model classes by the end of their name (``LlamaForCausalLM``), per module.
    model_classes: tuple[tuple[str, re.Pattern[str], str], ...] = ()
    # A model's kind from its name (``BAAI/bge-small`` is an embedding model).
    kind_patterns: tuple[tuple[re.Pattern[str], str], ...] = ()
    # Text that makes a file worth the full parse without an SDK import
    # (``$vectorSearch``, ``loss.backward()``).
    markers: tuple[str, ...] = ()
    source_providers: tuple[SourceProvider, ...] = ()
    # type_entries' answers by name (the table never changes once built).
    _entries: dict[str, tuple[TypeEntry, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def imports_sdk(
        self,
        data: bytes | str,
        tree: ast.Module | None = None,
        imports: Sequence[ast.Import | ast.ImportFrom] | None = None,
    ) -> bool:
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
        if tree is not None:
            # The tree settles it: an import line in a docstring (LangChain's
            # usage examples) is not an import.
            dynamic = _DYNAMIC_IMPORT.search(text) is not None
            return self.tree_imports_sdk(tree, dynamic=dynamic, imports=imports)
        if self.import_pattern.search(text):
            for match in _IMPORT_LINE.finditer(text):
                if match.group(1) is not None:
                    if self._from_import_leads_to_sdk(match.group(1), match.group(2)):
                        return True
                    continue
                for part in match.group(3).split(","):
                    words = part.split()
                    if words and self.leads_to_sdk(words[0]):
                        return True
        return tree is not None and self.tree_imports_sdk(tree)

    def worth_parsing(
        self,
        text: str,
        tree: ast.Module | None = None,
        imports: Sequence[ast.Import | ast.ImportFrom] | None = None,
    ) -> bool:
        """Whether a Python file deserves the full parse: it imports an SDK,
        names a marker (``loss.backward()``, ``$vectorSearch``), or imports an
        HTTP library and names an LLM endpoint."""
        if self.imports_sdk(text, tree, imports):
            return True
        if contains_any(text, self.markers):
            return True
        return endpoint_table().worth_parsing(text)

    def tree_imports_sdk(
        self,
        tree: ast.Module,
        *,
        dynamic: bool = True,
        imports: Sequence[ast.Import | ast.ImportFrom] | None = None,
    ) -> bool:
        """The same question answered from the ``ast`` tree: what the parser sees.
        ``dynamic``: whether to look for ``import_module("openai")`` calls too
        (a walk of every expression); without, only statements are visited.
        ``imports``: the tree's import statements, when the caller has them."""
        if not dynamic:
            found = import_statements(tree) if imports is None else imports
            return any(self._statement_imports_sdk(node) for node in found)
        prefixes = self.import_prefixes
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if self._statement_imports_sdk(node):
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

    def _statement_imports_sdk(self, node: ast.stmt) -> bool:
        if isinstance(node, ast.Import):
            return any(self.leads_to_sdk(alias.name) for alias in node.names)
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            return any(self.leads_to_sdk(module, alias.name) for alias in node.names)
        return False

    def _from_import_leads_to_sdk(self, module: str, names_raw: str) -> bool:
        names = _COMMENT.sub("", names_raw).strip("()\\ \t\r\n")
        for part in names.split(","):
            words = part.split()
            if words and self.leads_to_sdk(module, words[0]):
                return True
        return False

    def leads_to_sdk(self, module: str, name: str | None = None) -> bool:
        """Whether ``from module import name`` (or ``import module`` when
        ``name`` is None) can reach a name in the table."""
        if name is None:
            if module in self.import_prefixes:
                return True
            return self._deep_root(module) is not None
        if module not in self.import_prefixes and self._deep_root(module) is None:
            return self._model_class(f"{module}.{name}") != ()
        if name == "*" or module in self.type_globs:
            return True  # any class of langchain_openai, say
        if f"{module}.{name}" in self.import_prefixes:
            return True
        if name[:1].isupper() and self._deep_root(module) is not None:
            # Any class at any depth, as far as the entry's class pattern
            # allows (`langchain_community.tools.**` is search tools only).
            return self.type_entries(f"{module}.{name}") != ()
        return self._model_class(f"{module}.{name}") != ()

    def _deep_root(self, module: str) -> str | None:
        if not self.deep_globs:
            return None
        parts = module.split(".")
        for cut in range(len(parts), 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in self.deep_globs:
                return prefix
        return None

    def type_entries(self, name: str) -> tuple[TypeEntry, ...]:
        """The type entries for a qualified name, exact names before globs."""
        found = self._entries.get(name)
        if found is None:
            found = self._type_entries(name)
            if len(self._entries) < 100_000:
                self._entries[name] = found
        return found

    def _type_entries(self, name: str) -> tuple[TypeEntry, ...]:
        exact = self.types.get(name, ())
        module, _, cls = name.rpartition(".")
        if not module or not cls or cls.startswith("_"):
            return exact
        found = exact + self.type_globs.get(module, ())
        if self.deep_globs and cls[:1].isupper():
            parts = module.split(".")
            for cut in range(len(parts), 0, -1):
                deep = self.deep_globs.get(".".join(parts[:cut]))
                if deep:
                    found += deep
                    break
        if not found and self.model_classes:
            found = self._model_class(name)
        if any(e.class_pattern is not None for e in found):
            found = tuple(
                e for e in found if e.class_pattern is None or e.class_pattern.search(cls)
            )
        return found

    def _model_class(self, name: str) -> tuple[TypeEntry, ...]:
        """``transformers.LlamaForCausalLM.from_pretrained``: a model class by the
        end of its name (hundreds of architectures, one rule each)."""
        owner, _, method = name.rpartition(".")
        if method not in {"from_pretrained", "from_config"}:
            owner = name
        module, _, cls = owner.rpartition(".")
        for root, pattern, kind in self.model_classes:
            if (module == root or module.startswith(root + ".")) and pattern.search(cls):
                return (_model_entry(kind),)
        return ()

    def model_kind(self, model: str | None) -> str | None:
        """The kind of model a name says it is (``BAAI/bge-base-en`` is an
        embedding model), or None."""
        if not model:
            return None
        for pattern, kind in self.kind_patterns:
            if pattern.search(model):
                return kind
        return None

    def provider_for(self, entry_provider: str, qualified: str) -> str:
        if entry_provider != "from-class":
            return entry_provider
        cls = qualified.rpartition(".")[2]
        found = self.class_provider.get(cls)
        if found is not None:
            return found
        root = qualified.split(".", maxsplit=1)[0]
        return self.package_provider.get(root, root.replace("_", "-"))


# `from M import a, b` (names in parentheses may span lines), or `import a.b as c, d`.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]*(\([^)]*\)|[^\n;]*)"
    r"|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")
# A call that imports a module named by a string.
_DYNAMIC_IMPORT = re.compile(r"\b(?:import_module|__import__)\s*\(")
# The blocks of statements each compound statement holds.
_BLOCKS: dict[type, tuple[str, ...]] = {
    ast.FunctionDef: ("body",),
    ast.AsyncFunctionDef: ("body",),
    ast.ClassDef: ("body",),
    ast.If: ("body", "orelse"),
    ast.For: ("body", "orelse"),
    ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"),
    ast.With: ("body",),
    ast.AsyncWith: ("body",),
    ast.Try: ("body", "handlers", "orelse", "finalbody"),
    ast.ExceptHandler: ("body",),
    ast.Match: ("cases",),
    ast.match_case: ("body",),
}
if sys.version_info >= (3, 11):
    _BLOCKS[ast.TryStar] = ("body", "handlers", "orelse", "finalbody")


def import_statements(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The tree's import statements, in source order. Blocks, not nodes, go on
    the stack: a module of 10,000 statements costs a few milliseconds."""
    found: list[ast.Import | ast.ImportFrom] = []
    blocks = _BLOCKS
    stack: list[list[Any]] = [tree.body]
    while stack:
        for node in stack.pop():
            kind = type(node)
            if kind is ast.ImportFrom or kind is ast.Import:
                found.append(node)
                continue
            fields = blocks.get(kind)
            if fields is not None:
                for name in fields:
                    stack.append(getattr(node, name))
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found


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
def _automaton(words: tuple[str, ...]) -> Any:
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(list(words))


def contains_any(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` contains one of ``words``: one pass over the text
    (an Aho-Corasick automaton, built once per word list), not one per word."""
    if not words:
        return False
    return bool(_automaton(words).find_matches_as_indexes(text))


@functools.cache
def sdk_table() -> SdkTable:
    raw = load_table("sdks")
    types: dict[str, list[TypeEntry]] = {}
    globs: dict[str, list[TypeEntry]] = {}
    roots: set[str] = set(raw.get("prefilter", {}).get("extra_roots", []))
    importable: set[str] = set(roots)
    deep: dict[str, list[TypeEntry]] = {}
    for item in raw.get("type", []):
        names = [str(n) for n in item["names"]]
        entry = TypeEntry(
            canonical=str(item.get("canonical", names[0])),
            provider=str(item["provider"]),
            capability=item.get("capability"),
            model_args=_model_args(item.get("model")),
            when=_condition(item.get("when")),
            kind=item.get("kind"),
            url_args=_model_args(item.get("url")),
            provider_args=_model_args(item.get("provider_from_arg")),
            trained=item.get("trained"),
            trained_args=_model_args(item.get("trained_from")),
            class_pattern=re.compile(item["class"]) if item.get("class") else None,
            provider_from_model=item.get("provider_from_model"),
        )
        for name in names:
            roots.add(name.split(".")[0])
            importable.add(name.removesuffix(".**").removesuffix(".*"))
            if name.endswith(".**"):
                deep.setdefault(name[:-3], []).append(entry)
            elif name.endswith(".*"):
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
                kinds=frozenset(item.get("kinds", ())),
                trained=item.get("trained"),
                trained_args=_model_args(item.get("trained_from")),
                contains_key=tuple(item.get("contains_key", ())),
                url_args=_model_args(item.get("url")),
                template_capability=item.get("with_chat_template"),
                unless=_condition(item.get("unless")),
            )
    methods: dict[str, list[MethodEntry]] = {}
    for item in raw.get("method", []):
        receiver = item.get("receiver")
        method = MethodEntry(
            names=frozenset(item["names"]),
            provider=str(item["provider"]),
            capability=str(item["capability"]),
            contains_key=tuple(item.get("contains_key", ())),
            receiver=re.compile(receiver) if receiver else None,
            trained=item.get("trained"),
            sql=re.compile(item["sql"]) if item.get("sql") else None,
            scores=re.compile(item["scores"]) if item.get("scores") else None,
            target=re.compile(item["target"]) if item.get("target") else None,
        )
        for name in method.names:
            methods.setdefault(name, []).append(method)
    model_classes = []
    for item in raw.get("model_class", []):
        pattern = re.compile("(?:" + "|".join(item["suffixes"]) + ")$")
        for module in item["modules"]:
            roots.add(module.split(".")[0])
            importable.add(module)
            model_classes.append((str(module), pattern, str(item["kind"])))
    kinds = tuple(
        (re.compile(str(item["pattern"]), re.IGNORECASE), str(item["kind"]))
        for item in raw.get("model_kind", [])
    )
    prefilter = raw.get("prefilter", {})
    frozen = frozenset(roots)
    return SdkTable(
        types={k: tuple(v) for k, v in types.items()},
        type_globs={k: tuple(v) for k, v in globs.items()},
        apis=apis,
        class_provider=dict(raw.get("class_provider", {})),
        package_provider=dict(raw.get("package_provider", {})),
        model_prefixes=dict(raw.get("model_prefix", {})),
        loose_prefixes=frozenset(raw.get("model_prefix_loose", {}).get("prefixes", ())),
        roots=frozen,
        import_pattern=_build_import_pattern(frozen),
        root_words=_build_root_words(frozen),
        import_prefixes=_prefixes(importable),
        deep_globs={k: tuple(v) for k, v in deep.items()},
        methods={k: tuple(v) for k, v in methods.items()},
        model_classes=tuple(model_classes),
        kind_patterns=kinds,
        markers=tuple(str(m) for m in prefilter.get("markers", ())),
        source_providers=tuple(
            SourceProvider(
                apis=frozenset(str(n) for n in item["apis"]),
                provider=str(item["provider"]),
                also=re.compile(str(item["also"])),
                instead=re.compile(str(item["instead"])) if item.get("instead") else None,
            )
            for item in raw.get("source_provider", [])
        ),
    )


# ------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class Endpoint:
    """What a URL is: who answers, what the call does, and the model when the
    URL names it."""

    provider: str
    capability: str
    host: str | None
    model: str | None = None


@dataclass(frozen=True)
class PathRule:
    pattern: re.Pattern[str]
    capability: str
    provider: str | None
    model: re.Pattern[str] | None
    hosts: tuple[str, ...]


@dataclass(frozen=True)
class HttpClient:
    """An HTTP call: where its URL and its body are."""

    url_args: tuple[str | int, ...]
    body_args: tuple[str, ...]


# scheme://host[:port]/path, with `{...}` standing for what is not known.
_URL = re.compile(r"^(?:[a-zA-Z][\w+.-]*://)?(?P<host>[^/?#]*)(?P<rest>.*)$", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class EndpointTable:
    hosts: tuple[tuple[str, str, str | None], ...]  # (host pattern, provider, capability)
    paths: tuple[PathRule, ...]
    clients: Mapping[str, HttpClient]
    client_types: Mapping[str, str]  # constructor -> canonical type
    markers: tuple[str, ...]
    roots: frozenset[str]

    @functools.cached_property
    def root_phrases(self) -> tuple[str, ...]:
        """``import httpx`` / ``from httpx``: how a file imports an HTTP library
        (``urllib`` only as ``urllib.request``: ``urllib.parse`` sends nothing)."""
        found = ["urllib.request", "from urllib import request"]
        for root in sorted(self.roots - {"urllib"}):
            found += [f"import {root}", f"from {root}"]
        return tuple(found)

    @functools.cached_property
    def request_words(self) -> tuple[str, ...]:
        """What a request looks like in the text (``.post``, ``urlopen``): a file
        with none of them sends none, whatever endpoints it names (a test
        that mocks them)."""
        methods = {name.rpartition(".")[2] for name in self.clients}
        words = {f".{m}" if m.islower() else m for m in methods}
        return tuple(sorted(words | {"urlopen"}))  # from urllib.request import urlopen

    def host_of(self, url: str) -> str | None:
        """The host (with its port) a URL names, or None when it is not known
        (``{BASE_URL}/v1/...``) or there is none."""
        if "://" not in url:
            return None
        found = _URL.match(url)
        host = found.group("host").rpartition("@")[2].lower() if found else ""
        if not host or host.startswith("{"):
            return None
        return host

    def host_provider(self, host: str | None) -> tuple[str | None, str | None]:
        """(provider, capability) of a known host; (None, None) otherwise."""
        if not host:
            return None, None
        name, _, port = host.partition(":")
        name = _PLACEHOLDER.sub("x", name)
        for pattern, provider, capability in self.hosts:
            if pattern.startswith(":"):
                if port and port == pattern[1:]:
                    return provider, capability
            elif _host_matches(pattern, name):
                return provider, capability
        return None, None

    def base_url_provider(self, url: str | None) -> tuple[str | None, str | None]:
        """An SDK client's provider from its base URL: a known host's provider,
        ``openai-compatible`` for another host (kept), None when the URL is
        not known (a setting: the SDK's own default stands)."""
        if not url:
            return None, None
        host = self.host_of(url)
        if host is None:
            return None, None
        provider, _ = self.host_provider(host)
        return provider or "openai-compatible", host

    def match(self, url: str) -> Endpoint | None:
        """What calling ``url`` does, or None when it is not an endpoint in the table."""
        host = self.host_of(url)
        if "://" in url:
            found = _URL.match(url)
            path = found.group("rest") if found else ""
        else:
            path = _PLACEHOLDER.sub("", url, count=1) if url.startswith("{") else url
        provider, capability = self.host_provider(host)
        if capability is not None and provider is not None:
            return Endpoint(provider, capability, host)
        bare_host = (host or "").partition(":")[0]
        for rule in self.paths:
            if rule.hosts and not any(_host_matches(h, bare_host) for h in rule.hosts):
                continue
            if not rule.pattern.search(path):
                continue
            model = None
            if rule.model is not None:
                named = rule.model.search(path)
                if named and "{" not in named.group(1):
                    model = named.group(1)
            chosen = provider or rule.provider or "openai-compatible"
            return Endpoint(chosen, rule.capability, host, model)
        return None

    def worth_parsing(self, text: str) -> bool:
        """An HTTP library imported, an endpoint named and a request made:
        worth the full parse."""
        if not contains_any(text, self.root_phrases):
            return False
        return contains_any(text, self.markers) and contains_any(text, self.request_words)


def _host_matches(pattern: str, host: str) -> bool:
    if "*" in pattern:
        prefix, _, suffix = pattern.partition("*")
        return host.startswith(prefix) and host.endswith(suffix) and len(host) > len(pattern) - 1
    return host == pattern


@functools.cache
def endpoint_table() -> EndpointTable:
    raw = load_table("endpoints")
    hosts = tuple(
        (str(host), str(item["provider"]), item.get("capability"))
        for item in raw.get("host", [])
        for host in item["hosts"]
    )
    paths = tuple(
        PathRule(
            pattern=re.compile(str(item["pattern"])),
            capability=str(item["capability"]),
            provider=item.get("provider"),
            model=re.compile(str(item["model"])) if item.get("model") else None,
            hosts=tuple(item.get("hosts", ())),
        )
        for item in raw.get("path", [])
    )
    clients: dict[str, HttpClient] = {}
    for item in raw.get("client", []):
        client = HttpClient(
            url_args=_model_args(item.get("url")),
            body_args=tuple(str(b) for b in item.get("body", ())),
        )
        for name in item["names"]:
            clients[str(name)] = client
    types = {
        str(name): str(item["canonical"])
        for item in raw.get("client_type", [])
        for name in item["names"]
    }
    roots = frozenset(name.split(".")[0] for name in (*clients, *types))
    return EndpointTable(
        hosts=hosts,
        paths=paths,
        clients=clients,
        client_types=types,
        markers=tuple(str(m) for m in raw.get("prefilter", {}).get("markers", ())),
        roots=roots,
    )
