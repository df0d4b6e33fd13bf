"""Find LLM call sites in Python source with libcst and a light name resolver.

What a call really resolves to is worked out from the file itself: imports
and their aliases, module globals, function locals, ``self.`` attributes set
in any method of the class, parameters annotated with a client type, factory
calls and ``with`` targets. Names that merely look like an SDK (a project's
own ``class OpenAI``, a module named ``embeddings``) resolve to nothing.

libcst's metadata providers are not used for names (a scope pass costs several
parses); positions come from ``ast`` when the running Python can parse the
file, matched to libcst's calls in source order and checked by name, and from
libcst's ``PositionProvider`` otherwise.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Union

import libcst as cst

from auditor.knowledge import (
    ApiEntry,
    ArgCondition,
    HttpClient,
    SdkTable,
    TypeEntry,
    endpoint_table,
    sdk_table,
)
from auditor.model import ROLE_NAMES, CallSite, Export, Prompt, PythonFacts, ScanError
from auditor.scanners import pyguard
from auditor.scanners.text import LINE_BREAK

# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Sym:
    """A dotted path reached through an import: ``openai.OpenAI``."""

    qname: str


@dataclass(frozen=True)
class Obj:
    """An object made by an SDK: an ``openai.OpenAI`` client, a vector store."""

    canonical: str
    display: str
    provider: str
    model: str | None = None
    # What kind of model it is (llm, embedding-model, reranker, classifier).
    kind: str | None = None
    # The host its calls go to, when the code names one (a base URL).
    host: str | None = None


@dataclass(frozen=True)
class Alt:
    """A name bound to SDK values of different providers on different paths
    (``if USE_LITELLM: completion = litellm.completion`` / ``else: completion =
    client.chat.completions.create``): a call through it is each of them."""

    values: tuple[Value, ...]


@dataclass(frozen=True)
class Partial:
    """``functools.partial(target, *args, **kwargs)``: calling it calls
    ``target`` with these arguments first."""

    func: cst.BaseExpression
    args: tuple[cst.Arg, ...]


@dataclass(frozen=True)
class ObjPath:
    """An attribute path on an SDK object: ``client.chat.completions``."""

    obj: Obj
    chain: tuple[str, ...]


@dataclass(frozen=True)
class Expr:
    """A literal kept for later: a string, an f-string, a list of messages."""

    node: cst.BaseExpression


@dataclass
class SelfRef:
    """``self`` inside a method: its attributes are the class's."""

    attrs: dict[str, Value]


@dataclass(frozen=True)
class Factory:
    """A project function or method annotated to return an SDK object
    (``def get_client() -> Mistral``): calling it gives that object."""

    obj: Obj


class _Opaque:
    """A name bound to something that is not an SDK (it shadows outer names)."""

    def __repr__(self) -> str:
        return "OPAQUE"


OPAQUE = _Opaque()


class Imported(_Opaque):
    """A name imported from a module that may be the project's own (``from
    .config import MODEL``): opaque here; the repository-level pass may give it
    a value (see ``externs`` in :func:`scan_source`)."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Imported) and (other.module, other.name) == (
            self.module,
            self.name,
        )

    def __hash__(self) -> int:
        return hash((self.module, self.name))


@dataclass(frozen=True)
class ClassVal:
    """A project class whose methods build or hand out SDK objects: an
    instance (``svc = LLMService()``) has those attributes."""

    attrs: tuple[tuple[str, Value], ...]


class _Unset:
    """No value given (``None`` is a value: nothing known)."""


UNSET = _Unset()
Value = Union[Sym, Obj, ObjPath, Expr, SelfRef, Factory, Partial, Alt, ClassVal, _Opaque]  # noqa: UP007 - runtime alias on 3.10
Scope = dict[str, Value]

MESSAGE_CLASSES = {
    "SystemMessage": "system",
    "HumanMessage": "user",
    "AIMessage": "assistant",
    "SystemMessagePromptTemplate": "system",
    "HumanMessagePromptTemplate": "user",
    "AIMessagePromptTemplate": "assistant",
    "ChatMessage": "user",
}
SYSTEM_KEYWORDS = ("system", "system_instruction", "system_prompt", "preamble", "instructions")
USER_KEYWORDS = ("prompt", "input", "contents", "inputs", "text_inputs")
TEMPLATE_KEYWORDS = ("template", "prefix", "suffix")
MODEL_NAME_PROVIDERS = (
    (re.compile(r"^(gpt-|o\d|text-embedding-|text-davinci|davinci|babbage|chatgpt)"), "openai"),
    (re.compile(r"^claude"), "anthropic"),
    (re.compile(r"^(gemini|text-bison|chat-bison|textembedding-gecko)"), "google"),
    (re.compile(r"^(command|embed-)"), "cohere"),
    (re.compile(r"^(mistral|mixtral|codestral|open-mistral)"), "mistral"),
)
TRAINED_KINDS = frozenset({"llm", "embedding-model", "reranker", "classifier"})
# What calling a model object does, by its kind.
KIND_CAPABILITY = {"embedding-model": "embedding", "reranker": "rerank"}
# Embeddings in a file: a top-k over scores there is a nearest-neighbour search.
_EMBEDDING_WORDS = ("embed", "encode", "vector")
# An encoder's output pooled into one vector: AutoModel used for embeddings.
_POOLING = ("last_hidden_state", "pooler_output", "mean_pooling", ".mean(dim=1)", "[:, 0]", "[:,0]")
FINE_TUNED_MODEL = re.compile(r"^ft:|:ft-|custom-model/|/fine-tuned|tunedModels/")


def is_fine_tuned(model: str | None) -> bool:
    return bool(model and FINE_TUNED_MODEL.search(model))


# ------------------------------------------------------------ positions

Span = tuple[int, int, int, int]  # line, column (1-based code points), end_line, end_column


def _call_name(func: object) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


class _AstPositions:
    """Spans of calls and string literals, taken from ``ast`` (about 10x cheaper than
    libcst's PositionProvider), matched to libcst's nodes by source order."""

    def __init__(
        self, tree: ast.Module, lines: Sequence[str], calls: list[ast.Call] | None = None
    ) -> None:
        if calls is None:
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
            calls.sort(
                key=lambda n: (
                    n.lineno,
                    n.col_offset,
                    -(n.end_lineno or 0),
                    -(n.end_col_offset or 0),
                )
            )
        self.tree = tree
        self.calls = calls
        self.lines = lines
        self._strings: dict[str, list[int]] | None = None
        self._fstrings: dict[tuple[str, ...], list[int]] = {}

    def window(self, first: int, last: int) -> _AstPositions:
        """The calls that start in lines ``first``..``last`` (a group of whole
        statements), sharing this file's string lines."""
        import bisect

        starts = [c.lineno for c in self.calls]
        low = bisect.bisect_left(starts, first)
        high = bisect.bisect_right(starts, last)
        view = _AstPositions(self.tree, self.lines, self.calls[low:high])
        view._strings = self.strings
        view._fstrings = self._fstrings
        return view

    @property
    def strings(self) -> dict[str, list[int]]:
        """Lines of every string constant, by value: built only for files with prompts."""
        if self._strings is None:
            found: dict[str, list[int]] = {}
            for node in ast.walk(self.tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.setdefault(node.value, []).append(node.lineno)
                elif isinstance(node, ast.JoinedStr):
                    key = tuple(
                        v.value
                        for v in node.values
                        if isinstance(v, ast.Constant) and isinstance(v.value, str)
                    )
                    self._fstrings.setdefault(key, []).append(node.lineno)
            for lines in (*found.values(), *self._fstrings.values()):
                lines.sort()
            self._strings = found
        return self._strings

    def column(self, line: int, byte_offset: int) -> int:
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if text.isascii():
                return byte_offset + 1
            return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1
        return byte_offset + 1

    def matches(self, cst_calls: Sequence[cst.Call]) -> bool:
        return len(cst_calls) == len(self.calls) and all(
            _call_name(a.func) == _call_name(b.func)
            for a, b in zip(cst_calls, self.calls, strict=True)
        )

    def call(self, index: int, node: cst.Call) -> Span:
        found = self.calls[index]
        end_line = found.end_lineno or found.lineno
        return (
            found.lineno,
            self.column(found.lineno, found.col_offset),
            end_line,
            self.column(end_line, found.end_col_offset or 0),
        )

    def string(self, node: cst.CSTNode, value: str, default: int, call: int | None) -> int:
        """The line of the literal holding ``value``; for text built from a literal
        (dedent, an f-string) the first literal containing its first line."""
        found = self.strings.get(value)
        if found:
            return found[0]
        if isinstance(node, cst.FormattedString):
            key = tuple(
                _fstring_text(node, part.value)
                for part in node.parts
                if isinstance(part, cst.FormattedStringText)
            )
            lines = self._fstrings.get(key)
            if lines:
                return lines[0]
        first = next((line.strip() for line in value.splitlines() if line.strip()), "")
        if len(first) >= 8 and "{" not in first:
            lines = [
                line for text, lines in self.strings.items() if first in text for line in lines
            ]
            if lines:
                return min(lines)
        if call is not None and not isinstance(node, _STRING_NODES):
            # A name or expression inside the call (`"content": question`).
            code = _CODE.code_for_node(node).strip()
            for inner in ast.walk(self.calls[call]):
                if isinstance(inner, ast.expr) and inner is not self.calls[call]:
                    line = inner.lineno
                    if 0 < line <= len(self.lines) and self._segment(inner) == code:
                        return line
        return default

    def _segment(self, node: ast.expr) -> str | None:
        if node.lineno != node.end_lineno:
            return None
        raw = self.lines[node.lineno - 1].encode("utf-8")
        return raw[node.col_offset : node.end_col_offset].decode("utf-8", "replace")


class _CstPositions:
    """Spans from libcst's PositionProvider: the fallback for files that the
    running Python's ``ast`` cannot parse (newer grammar)."""

    def __init__(self, module: cst.Module, offset: int = 0) -> None:
        from libcst.metadata import MetadataWrapper, PositionProvider

        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.positions = wrapper.resolve(PositionProvider)
        self.offset = offset  # lines before this module's text (a group of a file)

    def call(self, index: int, node: cst.Call) -> Span:
        pos = self.positions[node]
        return (
            pos.start.line + self.offset,
            pos.start.column + 1,
            pos.end.line + self.offset,
            pos.end.column + 1,
        )

    def string(self, node: cst.CSTNode, value: str, default: int, call: int | None) -> int:
        # Where the text starts: the first literal of an implicit concatenation,
        # not the parenthesis around it.
        while isinstance(node, cst.ConcatenatedString):
            node = node.left
        if isinstance(node, cst.Call) and node.args:  # textwrap.dedent("...")
            node = node.args[0].value
        pos = self.positions.get(node)
        if pos is None:
            return default
        # PositionProvider starts a parenthesised node at its "(": add the line
        # breaks inside the parentheses' own whitespace.
        line = int(pos.start.line) + self.offset
        for paren in getattr(node, "lpar", ()):
            line += _CODE.code_for_node(paren).count("\n")
        return line


_CODE = cst.Module(body=[])
_STRING_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)

Positions = Union[_AstPositions, _CstPositions]  # noqa: UP007 - runtime alias on 3.10

# -------------------------------------------------------------- resolver


@dataclass
class _Match:
    provider: str
    capability: str | None
    api: str
    model: str | None
    model_args: tuple[str | int, ...]
    result: Value | None
    node: cst.Call
    trained: str | None = None
    host: str | None = None


@dataclass
class _ClassCtx:
    attrs: dict[str, Value] = field(default_factory=dict)


def _arg(call: cst.Call, keyword: str | None, position: int | None) -> cst.BaseExpression | None:
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg.value
        elif arg.star:
            return None  # *args: later positions are unknown
        else:
            if position is not None and positional == position:
                return arg.value
            positional += 1
    return None


class Resolver:
    """Turns expressions into values, given the scopes in force."""

    def __init__(self, table: SdkTable, source: str = "") -> None:
        self.table = table
        self.endpoints = endpoint_table()
        # What the file says about how it uses models, for calls whose
        # capability depends on it (a local model's generate() is chat when
        # prompts go through a chat template; AutoModel is an encoder when its
        # output is pooled).
        self.chat_template = "apply_chat_template" in source or "chat_template" in source
        self.pooling = any(word in source for word in _POOLING)
        lowered = source.lower()
        self.embeddings_in_file = any(word in lowered for word in _EMBEDDING_WORDS)
        self.rerank_context = "rerank" in lowered
        # The name each call's result is assigned to, by call node (``x = f()``).
        self.assigned: dict[int, str] = {}
        # Calls whose provider a module setting in this file changes, by API:
        # (provider, whether it replaces the call's own).
        self.switched: dict[str, tuple[str, bool]] = {}
        for switch in table.source_providers:
            if switch.instead is not None and switch.instead.search(source):
                self.switched.update(dict.fromkeys(switch.apis, (switch.provider, True)))
            elif switch.also.search(source):
                self.switched.update(dict.fromkeys(switch.apis, (switch.provider, False)))
        # Values of names imported from the project's other modules, by (module
        # as written, name), from the repository-level pass; and the imported
        # names this file needed as text (a model, a prompt, a URL).
        self.externs: Mapping[tuple[str, str], Value] = {}
        self.wanted: set[tuple[str, str]] = set()
        # Where an imported text came from (its node -> path and line).
        self.origins: dict[int, tuple[str, int]] = {}
        self.module_scope: Scope = {}
        self.scopes: list[Scope] = [self.module_scope]
        self.globals_declared: list[set[str]] = [set()]
        self.code = cst.Module(body=[])
        # What calls resolved to, by node, while the visitor matches calls (None
        # otherwise: the binder's passes see names change). Calls are matched
        # innermost first, so a chain of n calls costs n lookups, not n**2.
        self.memo: dict[int, Value | None] | None = None

    # -- names
    def lookup(self, name: str) -> Value | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def bind(self, scope: Scope, name: str, value: Value | None) -> None:
        """Bind ``name``; an unknown value never hides a known SDK object, and
        an SDK value of another provider joins it (see :class:`Alt`)."""
        if value is None:
            if isinstance(scope.get(name), (Obj, Sym, ObjPath, Alt)):
                return
            value = OPAQUE
        old = scope.get(name)
        if old is not None and old != value:
            joined = self._join(old, value)
            if joined is not None:
                value = joined
        scope[name] = value

    def _join(self, old: Value, new: Value) -> Alt | None:
        olds = old.values if isinstance(old, Alt) else (old,)
        news = new.values if isinstance(new, Alt) else (new,)
        new_providers = {self.provider_of(v) for v in news} - {None}
        if not new_providers:
            return None
        kept = [v for v in olds if self.provider_of(v) not in (None, *new_providers)]
        if not kept:
            return None
        values = tuple(dict.fromkeys((*kept, *news)))
        return Alt(values[-4:])

    def provider_of(self, value: Value) -> str | None:
        """The provider behind an SDK value, or None for anything else."""
        if isinstance(value, Obj):
            return value.provider if value.provider != "http" else None
        if isinstance(value, ObjPath):
            return self.provider_of(value.obj)
        if isinstance(value, Factory):
            return value.obj.provider
        if isinstance(value, Sym):
            api = self.table.apis.get(value.qname)
            if api is not None and api.provider:
                return api.provider
            for entry in self.table.type_entries(value.qname):
                if entry.provider != "from-class":
                    return entry.provider
                return self.table.provider_for(entry.provider, value.qname)
        return None

    def resolve(self, node: cst.BaseExpression, depth: int = 0) -> Value | None:
        memo = self.memo
        if memo is not None and isinstance(node, cst.Call):
            key = id(node)
            if key in memo:
                return memo[key]
            value = self._resolve(node, depth)
            memo[key] = value
            return value
        return self._resolve(node, depth)

    def _resolve(self, node: cst.BaseExpression, depth: int) -> Value | None:
        if depth > 50:
            return None
        if isinstance(node, cst.Name):
            return self.lookup(node.value)
        if isinstance(node, cst.Attribute):
            base = self.resolve(node.value, depth + 1)
            attr = node.attr.value
            if isinstance(base, Alt):
                parts = [_attribute(v, attr) for v in base.values]
                found = tuple(p for p in parts if p is not None)
                return Alt(found) if len(found) > 1 else (found[0] if found else None)
            if isinstance(base, Sym):
                return Sym(f"{base.qname}.{attr}")
            if isinstance(base, Obj):
                return ObjPath(base, (attr,))
            if isinstance(base, ObjPath):
                return ObjPath(base.obj, (*base.chain, attr))
            if isinstance(base, SelfRef):
                return base.attrs.get(attr)
            return None
        if isinstance(node, cst.Call):
            target = self.resolve(node.func, depth + 1)
            if isinstance(target, Factory):
                return target.obj
            if isinstance(target, ClassVal):
                return SelfRef(dict(target.attrs))
            if isinstance(target, Sym) and target.qname == "functools.partial" and node.args:
                first, *rest = node.args
                if first.keyword is None and not first.star:
                    return Partial(first.value, tuple(rest))
            # The target is resolved once: resolving it again inside match()
            # made a chain of n calls cost 2**n.
            match = self.match(node, depth + 1, target=target)
            if match is not None:
                return match.result
            name = _call_name(node.func)
            if name in STRING_HELPERS or name in {"dumps", "encode"} or _is_getenv(node.func):
                # textwrap.dedent("..."), "...".format(...); json.dumps(body).encode()
                return Expr(node)
            if name in {"import_module", "__import__"} and node.args:
                # `litellm = importlib.import_module("litellm")`
                module = self.string(node.args[0].value, strict=True, depth=depth + 1)
                if module and re.fullmatch(r"[\w.]+", module):
                    return Sym(module)
            return None
        if isinstance(node, cst.Await):
            return self.resolve(node.expression, depth + 1)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth + 1)
        if isinstance(node, cst.BooleanOperation):
            # `client or OpenAI()`: the SDK object on either side.
            left = self.resolve(node.left, depth + 1)
            right = self.resolve(node.right, depth + 1)
            return _prefer_sdk(left, right)
        if isinstance(node, cst.IfExp):
            # `AzureOpenAI() if azure else OpenAI()`
            return _prefer_sdk(
                self.resolve(node.body, depth + 1), self.resolve(node.orelse, depth + 1)
            )
        if isinstance(
            node,
            (
                cst.SimpleString,
                cst.ConcatenatedString,
                cst.FormattedString,
                cst.List,
                cst.Tuple,
                cst.Dict,
            ),
        ):
            return Expr(node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return Expr(node)
        return None

    def _subscript(self, node: cst.Subscript, depth: int) -> Value | None:
        """``LOADERS[ext]`` where LOADERS maps keys to SDK classes (or to tuples
        that start with one): the first such value stands for all."""
        base = self.resolve(node.value, depth + 1)
        if not isinstance(base, Expr) or not isinstance(base.node, (cst.Dict, cst.List, cst.Tuple)):
            return None
        elements = (
            [e.value for e in base.node.elements if isinstance(e, cst.DictElement)]
            if isinstance(base.node, cst.Dict)
            else [e.value for e in base.node.elements]
        )
        for element in elements[:50]:
            head = element
            if isinstance(element, (cst.Tuple, cst.List)) and element.elements:
                head = element.elements[0].value
            value = self.resolve(head, depth + 1)
            if isinstance(value, Sym) and self.table.type_entries(value.qname):
                return Expr(element) if head is not element else value
            if _is_sdk(value) if value is not None else False:
                return Expr(element) if head is not element else value
        return None

    def _want(self, bound: Value | None) -> None:
        """A name imported from another module was needed as text: the
        repository-level pass may know it (``from config import MODEL``)."""
        if isinstance(bound, Imported):
            self.wanted.add((bound.module, bound.name))
        elif isinstance(bound, Sym) and "." in bound.qname:
            module, _, name = bound.qname.rpartition(".")
            if module.split(".", 1)[0] not in self.table.roots:
                self.wanted.add((module, name))

    def annotation_type(self, node: cst.BaseExpression | None) -> Obj | None:
        """``client: OpenAI``, ``Optional[OpenAI]``, ``OpenAI | None``, ``"OpenAI"``."""
        if node is None:
            return None
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if isinstance(text, str) and re.fullmatch(r"[\w.]+", text.strip()):
                try:
                    return self.annotation_type(cst.parse_expression(text.strip()))
                except cst.ParserSyntaxError:
                    return None
            return None
        if isinstance(node, cst.Subscript):
            for element in node.slice:
                if isinstance(element.slice, cst.Index):
                    found = self.annotation_type(element.slice.value)
                    if found is not None:
                        return found
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self.annotation_type(node.left) or self.annotation_type(node.right)
        value = self.resolve(node)
        if isinstance(value, Sym):
            for entry in self.table.type_entries(value.qname):
                if entry.when is None:
                    provider = self.table.provider_for(entry.provider, value.qname)
                    return Obj(entry.canonical, value.qname, provider)
        return None

    # -- strings
    def string(self, node: cst.BaseExpression, *, strict: bool, depth: int = 0) -> str | None:
        """The text of a string expression; with ``strict=False`` parts that cannot be
        known become ``{expression}`` placeholders (prompt templates)."""
        if depth > 30:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.ConcatenatedString):
            left = self.string(node.left, strict=strict, depth=depth + 1)
            right = self.string(node.right, strict=strict, depth=depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.FormattedString):
            parts: list[str] = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(_fstring_text(node, part.value))
                elif isinstance(part, cst.FormattedStringExpression):
                    # A part known only in part (`f"{self.api_url}/generate"` where
                    # api_url is f"{host}/api") keeps what is known.
                    inner = self.string(part.expression, strict=strict, depth=depth + 1)
                    if inner is None:
                        if strict:
                            return None
                        inner = "{" + self.code.code_for_node(part.expression) + "}"
                    parts.append(inner)
            return "".join(parts)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                left = self.string(node.left, strict=strict, depth=depth + 1)
                right = self.string(node.right, strict=strict, depth=depth + 1)
                if left is None or right is None:
                    return None
                return left + right
            if isinstance(node.operator, cst.Modulo) and not strict:
                return self.string(node.left, strict=strict, depth=depth + 1)
            return None
        if isinstance(node, (cst.Name, cst.Attribute)):
            bound = self.resolve(node, depth + 1)
            if isinstance(bound, Expr) and bound.node is not node:
                return self.string(bound.node, strict=strict, depth=depth + 1)
            self._want(bound)
            if strict:
                return None
            return "{" + self.code.code_for_node(node) + "}"
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # `os.getenv("HOST") or "http://localhost:11434"`: the fallback.
            right = self.string(node.right, strict=True, depth=depth + 1)
            if right is not None:
                return right
            return self.string(node.left, strict=strict, depth=depth + 1)
        if isinstance(node, cst.Call):
            func = node.func
            name = _call_name(func)
            if _is_getenv(func) and len(node.args) >= 2:
                # os.getenv("MODEL", "gpt-4o"), os.environ.get(...): the default.
                return self.string(node.args[1].value, strict=strict, depth=depth + 1)
            if name in {"dedent", "cleandoc", "strip"} and node.args:
                target = func.value if name == "strip" and isinstance(func, cst.Attribute) else None
                inner = self.string(target or node.args[0].value, strict=strict, depth=depth + 1)
                if inner is None:
                    return None
                import inspect
                import textwrap

                if name == "dedent":
                    return textwrap.dedent(inner)
                return inspect.cleandoc(inner) if name == "cleandoc" else inner.strip()
            if name == "format" and isinstance(func, cst.Attribute):
                return None if strict else self.string(func.value, strict=False, depth=depth + 1)
            if name == "strip" and isinstance(func, cst.Attribute):
                inner = self.string(func.value, strict=strict, depth=depth + 1)
                return inner.strip() if inner is not None else None
            return None
        return None

    # -- calls
    def _condition(self, call: cst.Call, when: ArgCondition | None) -> bool:
        if when is None:
            return True
        node = _arg(call, when.keyword, when.position)
        if node is None:
            return False
        text = self.string(node, strict=True)
        if text is None and isinstance(node, cst.Name) and node.value in {"True", "False", "None"}:
            text = node.value  # a keyword constant: `auto_suggest=False`
        return text in when.equals

    def _model(self, call: cst.Call, args: Sequence[str | int]) -> str | None:
        for spec in args:
            node = _arg(call, spec, None) if isinstance(spec, str) else _arg(call, None, spec)
            if node is not None:
                text = self.string(node, strict=True)
                if text is None:
                    # Trainer(model=model) where model = AutoModel...from_pretrained("x")
                    value = self.resolve(node)
                    if isinstance(value, Obj):
                        return value.model
                return text
        return None

    def _type_match(self, call: cst.Call, qname: str) -> _Match | None:
        cls = qname.rpartition(".")[2]
        for entry in self.table.type_entries(qname):
            if entry.class_pattern is not None and not entry.class_pattern.search(cls):
                continue
            if self._condition(call, entry.when):
                return self._construct(call, qname, entry)
        return None

    def _construct(self, call: cst.Call, qname: str, entry: TypeEntry) -> _Match:
        prov = self.table.provider_for(entry.provider, qname)
        model = self._model(call, entry.model_args)
        host: str | None = None
        for spec in entry.provider_args:
            # instructor.from_openai(client): the wrapped client's provider.
            value = self._arg_value(call, spec)
            if isinstance(value, Obj):
                prov, host = value.provider, value.host
                break
        if entry.url_args:
            # OpenAI(base_url=...), ChatOpenAI(base_url=...): the host decides.
            url = self._url(call, entry.url_args)
            named, url_host = self.endpoints.base_url_provider(url)
            if named is not None:
                prov, host = named, url_host
        if entry.provider_from_model == "name":
            prov = _provider_from_name(model, prov)
        kind = entry.kind
        if kind == "by-name":
            kind = self.table.model_kind(model) or ("embedding-model" if self.pooling else "llm")
        elif kind is not None and entry.canonical == "transformers.Model":
            named_kind = self.table.model_kind(model)
            if kind == "classifier" and (
                named_kind == "reranker" or (named_kind is None and self.rerank_context)
            ):
                kind = "reranker"  # a cross-encoder
        capability = entry.capability
        if capability == "completion" and self.chat_template:
            capability = "chat"
        if capability == "rerank-or-none":
            capability = "rerank" if kind == "reranker" else None
        if entry.when is not None:
            # A factory told apart by an argument: boto3.client("bedrock-runtime").
            qname = f"{qname}({entry.when.equals[0]})"
        trained = None
        if capability == "training":
            trained = self._trained(call, entry.trained_args) or entry.trained
            kind = trained  # `trainer.train()` trains what the trainer was given
        return _Match(
            provider=prov,
            capability=capability,
            api=qname,
            model=model,
            model_args=entry.model_args,
            result=Obj(entry.canonical, qname, prov, model, kind, host),
            node=call,
            trained=trained,
            host=host,
        )

    def _arg_value(self, call: cst.Call, spec: str | int) -> Value | None:
        node = _arg(call, spec, None) if isinstance(spec, str) else _arg(call, None, spec)
        return self.resolve(node) if node is not None else None

    def _url(self, call: cst.Call, specs: Sequence[str | int]) -> str | None:
        for spec in specs:
            node = _arg(call, spec, None) if isinstance(spec, str) else _arg(call, None, spec)
            if node is not None:
                return self.string(node, strict=False)
        return None

    def _trained(self, call: cst.Call, specs: Sequence[str | int]) -> str | None:
        """What kind of model a training call trains, from the model it is given."""
        for spec in specs:
            value = self._arg_value(call, spec)
            if isinstance(value, Obj) and value.kind in TRAINED_KINDS:
                return value.kind
            if isinstance(value, ObjPath) and value.obj.kind in TRAINED_KINDS:
                return value.obj.kind
        return None

    def _has_key(self, call: cst.Call, keys: Sequence[str]) -> bool:
        """Whether one of ``keys`` is a keyword of the call or a key of a dict
        among its arguments (nested, through names bound to literals)."""
        wanted = set(keys)
        stack: list[cst.BaseExpression] = []
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in wanted:
                return True
            stack.append(arg.value)
        seen = 0
        while stack and seen < 500:
            seen += 1
            node = stack.pop()
            if isinstance(node, cst.Name):
                bound = self.lookup(node.value)
                if isinstance(bound, Expr):
                    stack.append(bound.node)
            elif isinstance(node, cst.Dict):
                for item in node.elements:
                    if isinstance(item, cst.DictElement):
                        if self.string(item.key, strict=True) in wanted:
                            return True
                        stack.append(item.value)
                    else:
                        stack.append(item.value)
            elif isinstance(node, (cst.List, cst.Tuple)):
                stack.extend(e.value for e in node.elements)
            elif isinstance(node, cst.Call):
                stack.extend(a.value for a in node.args)
                if (
                    isinstance(node.func, cst.Name)
                    and node.func.value == "dict"
                    and any(a.keyword is not None and a.keyword.value in wanted for a in node.args)
                ):
                    return True
        return False

    def _api_match(
        self,
        call: cst.Call,
        entry: ApiEntry,
        display: str,
        owner: Obj | None,
    ) -> _Match | None:
        if not self._condition(call, entry.when):
            return None
        if entry.unless is not None and self._condition(call, entry.unless):
            return None
        if entry.kinds and (owner is None or owner.kind not in entry.kinds):
            return None
        if entry.contains_key and not self._has_key(call, entry.contains_key):
            return None
        provider = entry.provider or (owner.provider if owner else None) or "unknown"
        model = self._model(call, entry.model_args)
        if model is None and owner is not None:
            model = owner.model
        host = owner.host if owner is not None else None
        capability: str | None = entry.capability
        if entry.template_capability and self.chat_template:
            capability = entry.template_capability
        if capability == "by-kind":
            # An encoder's forward pass embeds; a reranker's scores.
            capability = KIND_CAPABILITY.get(owner.kind or "") if owner is not None else None
            if capability is None:
                return None
        trained = None
        if capability in {"training", "fine-tune"}:
            trained = self._trained(call, entry.trained_args)
            if trained is None and owner is not None and owner.kind in TRAINED_KINDS:
                trained = owner.kind
            trained = trained or entry.trained
            if trained is None and capability == "fine-tune":
                trained = "llm"  # a hosted fine-tuning job trains a language model
            if trained is None:
                trained = self._kind_in_scope()  # accelerator.backward(loss)
        if entry.provider_from_model:
            provider, model = _provider_from_model(
                model,
                self.string(_arg(call, entry.provider_keyword, None) or cst.Name("_"), strict=True)
                if entry.provider_keyword
                else None,
                provider,
            )
        result: Value | None = None
        if entry.returns == "self":
            result = owner
        elif entry.returns:
            kind = owner.kind if owner is not None else None
            result = Obj(entry.returns, entry.returns, provider, model, kind, host)
        return _Match(
            provider, capability, display, model, entry.model_args, result, call, trained, host
        )

    def _http_match(self, call: cst.Call, client: HttpClient, display: str) -> _Match | None:
        """``requests.post(URL, json=body)``: a call site when the URL is an
        endpoint in the table; the model from the body or the URL."""
        url = self._url(call, client.url_args)
        if not url:
            return None
        endpoint = self.endpoints.match(url)
        if endpoint is None:
            return None
        model = endpoint.model
        if model is None:
            for keyword in client.body_args:
                body = _arg(call, keyword, None)
                if body is not None:
                    model = self._body_model(body)
                    if model is not None:
                        break
        return _Match(
            endpoint.provider,
            endpoint.capability,
            display,
            model,
            (),
            None,
            call,
            "llm" if endpoint.capability == "fine-tune" else None,
            endpoint.host,
        )

    def _body_model(self, node: cst.BaseExpression) -> str | None:
        """The "model" of a JSON body: a dict literal, a name bound to one,
        ``json.dumps(...)`` of one, ``.encode()`` of that."""
        for _ in range(6):
            if isinstance(node, cst.Name):
                bound = self.lookup(node.value)
                if not isinstance(bound, Expr):
                    return None
                node = bound.node
            elif isinstance(node, cst.Call):
                name = _call_name(node.func)
                if name == "encode" and isinstance(node.func, cst.Attribute):
                    node = node.func.value
                elif name in {"dumps", "dict"} and node.args:
                    if name == "dict":
                        for arg in node.args:
                            if arg.keyword is not None and arg.keyword.value == "model":
                                return self.string(arg.value, strict=True)
                        return None
                    node = node.args[0].value
                else:
                    return None
            elif isinstance(node, cst.Dict):
                for item in node.elements:
                    if (
                        isinstance(item, cst.DictElement)
                        and self.string(item.key, strict=True) == "model"
                    ):
                        return self.string(item.value, strict=True)
                return None
            else:
                return None
        return None

    def _method_match(self, call: cst.Call, *, functions_only: bool = False) -> _Match | None:
        """A call known by its method name alone (``aggregate`` with a
        ``$vectorSearch`` stage, ``loss.backward()``), or a function of that name
        (``torch.topk(scores, k)``)."""
        func = call.func
        if isinstance(func, cst.Attribute):
            name, receiver_node = func.attr.value, func.value
        elif isinstance(func, cst.Name):
            name, receiver_node = func.value, None
        else:
            return None
        for entry in self.table.methods.get(name, ()):
            if (receiver_node is None or functions_only) and (
                entry.scores is None and entry.target is None
            ):
                continue  # only the top-k and assigned-name rules apply to functions
            if entry.target is not None and not entry.target.search(
                self.assigned.get(id(call), "")
            ):
                continue
            if entry.contains_key and not self._has_key(call, entry.contains_key):
                continue
            if entry.receiver is not None:
                receiver = self.code.code_for_node(receiver_node) if receiver_node else ""
                if not entry.receiver.search(receiver):
                    continue
            if entry.sql is not None and not any(
                entry.sql.search(self.string(a.value, strict=False) or "")
                for a in call.args
                if not a.star
            ):
                continue
            if entry.scores is not None:
                # A top-k over similarity scores of embeddings: the scores in
                # its arguments (or the object it is called on), embeddings in
                # the file.
                if not self.embeddings_in_file:
                    continue
                parts = [self.code.code_for_node(a.value) for a in call.args[:1]]
                if receiver_node is not None:
                    parts.append(self.code.code_for_node(receiver_node))
                if not any(entry.scores.search(part) for part in parts):
                    continue
            trained = entry.trained
            if entry.capability == "training" and trained is None:
                trained = self._kind_in_scope()
            return _Match(
                entry.provider,
                entry.capability,
                f"{entry.provider}:{name}",
                None,
                (),
                None,
                call,
                trained,
            )
        return None

    def _kind_in_scope(self) -> str | None:
        """What a training loop trains: the models bound where it runs (an LLM
        first: next to it, an encoder is more likely a helper)."""
        kinds = {
            value.kind
            for scope in self.scopes
            for value in scope.values()
            if isinstance(value, Obj) and value.kind in TRAINED_KINDS
        }
        for kind in ("llm", "embedding-model", "reranker", "classifier"):
            if kind in kinds:
                return kind
        return None

    def match(
        self, call: cst.Call, depth: int = 0, *, target: Value | _Unset | None = UNSET
    ) -> _Match | None:
        if isinstance(target, _Unset):
            target = self.resolve(call.func, depth + 1)
        found: _Match | None = None
        if isinstance(target, Alt):
            for value in target.values:
                found = self.match(call, depth + 1, target=value)
                if found is not None:
                    return found
            return None
        if isinstance(target, Partial):
            # functools.partial(f, model=...)(...): f with both sets of arguments.
            # Positional arguments first, as Python binds them (partial(f, model=m)(x)
            # is f(x, model=m)); a merge libcst still rejects is no call site.
            both = (*target.args, *call.args)
            keyword = [arg for arg in both if arg.keyword is not None or arg.star == "**"]
            positional = [arg for arg in both if arg.keyword is None and arg.star != "**"]
            try:
                merged = call.with_changes(func=target.func, args=(*positional, *keyword))
            except cst.CSTValidationError:
                return None
            found = self.match(merged, depth + 1)
            if found is not None:
                found.node = call
            return found
        if isinstance(target, Sym):
            found = self._match_sym(call, target.qname)
        elif isinstance(target, ObjPath):
            obj, chain = target.obj, ".".join(target.chain)
            name = f"{obj.canonical}.{chain}"
            client = self.endpoints.clients.get(name)
            if client is not None:
                return self._http_match(call, client, f"{obj.display}.{chain}")
            entry = self.table.apis.get(name)
            if entry is not None:
                found = self._api_match(call, entry, f"{obj.display}.{chain}", obj)
            else:
                found = self._type_match(call, name)
        elif isinstance(target, Obj):
            # Calling the object itself: an encoder's forward pass.
            entry = self.table.apis.get(f"{target.canonical}.__call__")
            if entry is not None:
                found = self._api_match(call, entry, target.display, target)
        if found is None:
            # A module function (np.argsort, torch.topk) only by the top-k rule.
            found = self._method_match(call, functions_only=isinstance(target, Sym))
        return found

    def matches(self, call: cst.Call) -> list[_Match]:
        """Every call site a call is: one per alternative when the name it goes
        through was bound to SDK values of several providers."""
        target = self.resolve(call.func)
        if isinstance(target, Alt):
            found = [self.match(call, target=value) for value in target.values]
            return self._switch([m for m in found if m is not None])
        match = self.match(call, target=target)
        return self._switch([match] if match is not None else [])

    def _switch(self, found: list[_Match]) -> list[_Match]:
        """Apply the file's provider settings (``openai.api_type = "azure"``)."""
        if not self.switched:
            return found
        result: list[_Match] = []
        for match in found:
            switch = self.switched.get(match.api)
            if switch is None or switch[0] == match.provider:
                result.append(match)
                continue
            provider, instead = switch
            if not instead:
                result.append(match)
            result.append(replace(match, provider=provider))
        return result

    def _match_sym(self, call: cst.Call, qname: str) -> _Match | None:
        client = self.endpoints.clients.get(qname)
        if client is not None:
            return self._http_match(call, client, qname)
        canonical = self.endpoints.client_types.get(qname)
        if canonical is not None:  # httpx.AsyncClient(): followed to .post()
            return _Match("http", None, qname, None, (), Obj(canonical, qname, "http"), call)
        entry = self.table.apis.get(qname)
        if entry is not None:
            return self._api_match(call, entry, qname, None)
        found = self._type_match(call, qname)
        if found is not None:
            return found
        parts = qname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            owners = [e for e in self.table.type_entries(prefix) if e.when is None]
            if not owners:
                continue
            owner_entry = owners[0]
            owner = Obj(
                owner_entry.canonical,
                prefix,
                self.table.provider_for(owner_entry.provider, prefix),
            )
            rest = ".".join(parts[cut:])
            name = f"{owner_entry.canonical}.{rest}"
            api = self.table.apis.get(name)
            if api is not None:
                return self._api_match(call, api, qname, owner)
            return self._type_match(call, name)
        return None


def _is_sdk(value: Value) -> bool:
    """Whether a value is worth following into other modules."""
    if isinstance(value, (Obj, ObjPath, Factory, ClassVal)):
        return not (isinstance(value, Obj) and value.provider == "http")
    if isinstance(value, Alt):
        return any(_is_sdk(v) for v in value.values)
    return False


def value_to_json(value: Value, table: SdkTable) -> Any:
    """A value as JSON for another module's pass (None: not worth sending)."""
    if isinstance(value, Obj):
        return {
            "t": "obj",
            "c": value.canonical,
            "d": value.display,
            "p": value.provider,
            "m": value.model,
            "k": value.kind,
            "h": value.host,
        }
    if isinstance(value, ObjPath):
        return {"t": "path", "o": value_to_json(value.obj, table), "ch": list(value.chain)}
    if isinstance(value, Factory):
        return {"t": "factory", "o": value_to_json(value.obj, table)}
    if isinstance(value, Sym):
        if table.type_entries(value.qname) or value.qname in table.apis:
            return {"t": "sym", "q": value.qname}
        return None
    if isinstance(value, Alt):
        parts = [value_to_json(v, table) for v in value.values]
        kept = [p for p in parts if p is not None]
        return {"t": "alt", "v": kept} if kept else None
    if isinstance(value, (ClassVal, SelfRef)):
        items = value.attrs if isinstance(value, ClassVal) else tuple(value.attrs.items())
        attrs = {k: value_to_json(v, table) for k, v in items if _is_sdk(v)}
        attrs = {k: v for k, v in attrs.items() if v is not None}
        if not attrs:
            return None
        return {"t": "class" if isinstance(value, ClassVal) else "instance", "a": attrs}
    if isinstance(value, Expr):
        return None
    return None


def value_from_json(data: Any) -> Value | None:
    """The inverse of :func:`value_to_json`, plus ``text`` (a string constant of
    another module) and ``module`` (a module's exports, for ``from pkg import
    module``); None for anything malformed."""
    if not isinstance(data, dict):
        return None
    kind = data.get("t")
    try:
        if kind == "obj":
            return Obj(
                str(data["c"]),
                str(data["d"]),
                str(data["p"]),
                _opt(data.get("m")),
                _opt(data.get("k")),
                _opt(data.get("h")),
            )
        if kind == "path":
            obj = value_from_json(data["o"])
            chain = tuple(str(c) for c in data["ch"])
            return ObjPath(obj, chain) if isinstance(obj, Obj) else None
        if kind == "factory":
            obj = value_from_json(data["o"])
            return Factory(obj) if isinstance(obj, Obj) else None
        if kind == "sym":
            return Sym(str(data["q"]))
        if kind == "alt":
            values = tuple(v for v in (value_from_json(x) for x in data["v"]) if v is not None)
            return Alt(values) if len(values) > 1 else (values[0] if values else None)
        if kind in {"class", "instance"}:
            attrs = {str(k): value_from_json(v) for k, v in dict(data["a"]).items()}
            kept = {k: v for k, v in attrs.items() if v is not None}
            if kind == "class":
                return ClassVal(tuple(kept.items()))
            return SelfRef(kept)
        if kind == "text":
            return Expr(cst.SimpleString(_quote(str(data["s"]))))
        if kind == "module":
            members = {str(k): value_from_json(v) for k, v in dict(data["m"]).items()}
            return SelfRef({k: v for k, v in members.items() if v is not None})
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _quote(text: str) -> str:
    """A Python string literal for ``text`` that libcst accepts as a node."""
    return repr(text)


def _is_getenv(func: cst.BaseExpression) -> bool:
    """``os.getenv``, ``getenv``, ``os.environ.get``, ``environ.get``."""
    if isinstance(func, cst.Name):
        return func.value == "getenv"
    if isinstance(func, cst.Attribute):
        if func.attr.value == "getenv":
            return True
        base = func.value
        return func.attr.value == "get" and _call_name(base) == "environ"
    return False


def _attribute(base: Value, attr: str) -> Value | None:
    if isinstance(base, Sym):
        return Sym(f"{base.qname}.{attr}")
    if isinstance(base, Obj):
        return ObjPath(base, (attr,))
    if isinstance(base, ObjPath):
        return ObjPath(base.obj, (*base.chain, attr))
    if isinstance(base, SelfRef):
        return base.attrs.get(attr)
    return None


def _fstring_text(node: cst.FormattedString, raw: str) -> str:
    """The value of an f-string's literal part: escapes decoded unless raw."""
    text = raw.replace("{{", "{").replace("}}", "}")
    prefix = node.start.rstrip("'\"").lower()
    if "r" in prefix or "\\" not in text:
        return text
    quote = node.end
    try:
        value = ast.literal_eval(quote + text + quote)
    except (SyntaxError, ValueError):
        return text
    return value if isinstance(value, str) else text


STRING_HELPERS = frozenset({"dedent", "cleandoc", "strip", "format"})


def _prefer_sdk(left: Value | None, right: Value | None) -> Value | None:
    for value in (left, right):
        if isinstance(value, (Obj, Sym, Factory)):
            return value
    return left if left is not None else right


def _has_key(resolver: Resolver, node: cst.BaseExpression, key: str) -> bool:
    return isinstance(node, cst.Dict) and any(
        isinstance(item, cst.DictElement) and resolver.string(item.key, strict=True) == key
        for item in node.elements
    )


def _provider_from_model(
    model: str | None, explicit: str | None, default: str
) -> tuple[str, str | None]:
    if explicit:
        prefixes = sdk_table().model_prefixes
        return prefixes.get(explicit.lower(), explicit.lower()), model
    # "anthropic:claude-..." (LangChain) or "openai/gpt-4o" (instructor, LiteLLM);
    # only a known vendor counts, so "meta-llama/Llama-3" stays as it is.
    for separator in (":", "/"):
        prefix, found, rest = (model or "").partition(separator)
        if found and prefix.lower() in sdk_table().model_prefixes:
            return sdk_table().model_prefixes[prefix.lower()], rest
    if model:
        for pattern, provider in MODEL_NAME_PROVIDERS:
            if pattern.search(model):
                return provider, model
    return default, model


def _provider_from_name(model: str | None, default: str) -> str:
    """A component that runs any model (Haystack 1.x's PromptNode): a vendor's
    model name gives the vendor, a Hub id (or no model: the default is a Hub
    model) Hugging Face."""
    if not model:
        return "huggingface"
    for pattern, provider in MODEL_NAME_PROVIDERS:
        if pattern.search(model):
            return provider
    return "huggingface" if "/" in model else default


# ------------------------------------------------------ binding pre-pass


class _Binder:
    """Executes the binding statements of a block, in order, without visiting
    expressions: imports, assignments, ``with`` targets, definitions."""

    def __init__(self, resolver: Resolver) -> None:
        self.r = resolver

    def params(self, scope: Scope, params: cst.Parameters, self_ref: SelfRef | None) -> None:
        ordered = [*params.posonly_params, *params.params]
        for index, param in enumerate(ordered):
            name = param.name.value
            typed = self.r.annotation_type(
                param.annotation.annotation if param.annotation else None
            )
            if typed is not None:
                scope[name] = typed
            elif index == 0 and self_ref is not None:
                scope[name] = self_ref
            elif param.default is not None:
                scope[name] = self._default(param.default)
            else:
                scope[name] = OPAQUE
        for param in params.kwonly_params:
            typed = self.r.annotation_type(
                param.annotation.annotation if param.annotation else None
            )
            if typed is not None:
                scope[param.name.value] = typed
            elif param.default is not None:
                scope[param.name.value] = self._default(param.default)
            else:
                scope[param.name.value] = OPAQUE
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope[star.name.value] = OPAQUE

    def function_value(
        self, func: cst.FunctionDef, self_ref: SelfRef | None = None
    ) -> Value | None:
        """A function that gives an SDK object: by its return annotation
        (``def client() -> OpenAI``) or else by what it returns (``return OpenAI()``,
        ``return self._client``). A factory; with ``@property`` the object itself."""
        typed: Value | None = self.r.annotation_type(
            func.returns.annotation if func.returns else None
        )
        if typed is None:
            typed = self.returned(func, self_ref)
        if not isinstance(typed, Obj):
            return None
        if any(_call_name(d.decorator) in {"property", "cached_property"} for d in func.decorators):
            return typed
        return Factory(typed)

    def class_value(self, cls: cst.ClassDef) -> Value:
        """A project class that extends an SDK class (``class
        CustomPGVectorStore(PGVectorStore)``, ``class FiD(T5ForConditionalGeneration)``)
        is made, loaded and called like it; any other class is opaque."""
        for base in cls.bases:
            if base.keyword is not None:
                continue
            value = self.r.resolve(base.value)
            if isinstance(value, Sym) and self.r.table.type_entries(value.qname):
                return value
        return OPAQUE

    def returned(self, func: cst.FunctionDef, self_ref: SelfRef | None) -> Value | None:
        """The SDK object a function's ``return`` statements give, if one does."""
        returns = list(_returns(_body(func.body)))
        if not returns:
            return None
        scratch: Scope = {}
        self.r.scopes.append(scratch)
        try:
            self.params(scratch, func.params, self_ref)
            self.block(_body(func.body), scratch, self_ref, set())
            for value in returns:
                found = self.r.resolve(value)
                if isinstance(found, Obj):
                    return found
        finally:
            self.r.scopes.pop()
        return None

    def _default(self, node: cst.BaseExpression) -> Value:
        """A parameter's default: a constant (`model=DEFAULT_MODEL`) or an SDK object."""
        value = self.r.resolve(node)
        if isinstance(value, Expr) and self.r.string(value.node, strict=True) is not None:
            return value
        if isinstance(value, Obj):
            return value
        return OPAQUE

    def block(
        self,
        body: Sequence[cst.CSTNode],
        scope: Scope,
        self_ref: SelfRef | None = None,
        global_names: set[str] | None = None,
    ) -> None:
        for stmt in body:
            self.statement(stmt, scope, self_ref, global_names)

    def statement(
        self,
        stmt: cst.CSTNode,
        scope: Scope,
        self_ref: SelfRef | None,
        global_names: set[str] | None,
    ) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, scope, self_ref, global_names)
        elif isinstance(stmt, cst.FunctionDef):
            scope[stmt.name.value] = self.function_value(stmt) or OPAQUE
        elif isinstance(stmt, cst.ClassDef):
            scope[stmt.name.value] = self.class_value(stmt)
        elif isinstance(stmt, (cst.With,)):
            for item in stmt.items:
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    self.r.bind(scope, item.asname.name.value, self.r.resolve(item.item))
            self.block(_body(stmt.body), scope, self_ref, global_names)
        elif isinstance(stmt, cst.If):
            self.block(_body(stmt.body), scope, self_ref, global_names)
            orelse = stmt.orelse
            while orelse is not None:
                self.block(_body(orelse.body), scope, self_ref, global_names)
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        elif isinstance(stmt, cst.Try):
            self.block(_body(stmt.body), scope, self_ref, global_names)
            for handler in stmt.handlers:
                self.block(_body(handler.body), scope, self_ref, global_names)
            for extra in (stmt.orelse, stmt.finalbody):
                if extra is not None:
                    self.block(_body(extra.body), scope, self_ref, global_names)
        elif isinstance(stmt, (cst.For, cst.While)):
            self.block(_body(stmt.body), scope, self_ref, global_names)
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                self.block(_body(case.body), scope, self_ref, global_names)

    def small(
        self,
        small: cst.BaseSmallStatement,
        scope: Scope,
        self_ref: SelfRef | None,
        global_names: set[str] | None,
    ) -> None:
        r = self.r
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                extern = self.r.externs.get((dotted, ""))
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    scope[alias.asname.name.value] = extern or Sym(dotted)
                elif extern is not None and "." in dotted:
                    # `import pkg.clients`: `pkg.clients.llm` is the module's llm.
                    parts = dotted.split(".")
                    nested: Value = extern
                    for part in reversed(parts[1:]):
                        nested = SelfRef({part: nested})
                    scope[parts[0]] = nested
                else:
                    root = dotted.split(".")[0]
                    scope[root] = Sym(root)
        elif isinstance(small, cst.ImportFrom):
            relative = bool(small.relative)
            module = _dotted(small.module) if small.module is not None else ""
            if isinstance(small.names, cst.ImportStar):
                return
            for alias in small.names:
                name = _dotted(alias.name)
                local = (
                    alias.asname.name.value
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                    else name
                )
                written = "." * len(small.relative) + module
                extern = self.r.externs.get((written, name))
                if extern is not None:
                    scope[local] = extern
                elif relative or not module:
                    scope[local] = Imported(written, name)
                else:
                    scope[local] = Sym(f"{module}.{name}")
        elif isinstance(small, cst.Global):
            if global_names is not None:
                global_names.update(n.name.value for n in small.names)
        elif isinstance(small, (cst.Assign, cst.AnnAssign)):
            value_node = small.value
            value: Value | None = r.resolve(value_node) if value_node is not None else None
            if isinstance(small, cst.AnnAssign) and value is None:
                value = r.annotation_type(small.annotation.annotation)
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            for target in targets:
                if isinstance(target, cst.Name):
                    name = target.value
                    dest = (
                        r.module_scope
                        if global_names is not None and name in global_names
                        else scope
                    )
                    r.bind(dest, name, value)
                elif (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and self_ref is not None
                    and isinstance(scope.get(target.value.value), SelfRef)
                ):
                    r.bind(self_ref.attrs, target.attr.value, value)
                elif isinstance(target, (cst.Tuple, cst.List)):
                    values: list[Value | None] = [None] * len(target.elements)
                    if isinstance(value_node, (cst.Tuple, cst.List)) and len(
                        value_node.elements
                    ) == len(target.elements):
                        values = [r.resolve(e.value) for e in value_node.elements]
                    elif isinstance(value, Obj) and values:
                        # `model, tokenizer = FastLanguageModel.from_pretrained(...)`
                        values[0] = value
                    elif (
                        isinstance(value, Expr)
                        and isinstance(value.node, (cst.Tuple, cst.List))
                        and len(value.node.elements) == len(target.elements)
                    ):
                        # `loader_class, args = LOADERS[ext]`
                        values = [r.resolve(e.value) for e in value.node.elements]
                    for element, element_value in zip(target.elements, values, strict=True):
                        if isinstance(element.value, cst.Name):
                            r.bind(scope, element.value.value, element_value)


def _body(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=body.body)]
    return ()


def _returns(body: Sequence[cst.CSTNode]) -> Iterator[cst.BaseExpression]:
    """The values of a block's ``return`` statements, not those of nested functions."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Return) and small.value is not None:
                    yield small.value
        elif isinstance(stmt, (cst.If, cst.With, cst.For, cst.While, cst.Try)):
            yield from _returns(_body(stmt.body))
            orelse = getattr(stmt, "orelse", None)
            while orelse is not None:
                yield from _returns(_body(orelse.body))
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            if isinstance(stmt, cst.Try):
                for handler in stmt.handlers:
                    yield from _returns(_body(handler.body))
                if stmt.finalbody is not None:
                    yield from _returns(_body(stmt.finalbody.body))


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _module_functions(body: Sequence[cst.CSTNode]) -> Iterator[cst.FunctionDef]:
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            yield stmt
        elif isinstance(stmt, cst.If):
            yield from _module_functions(_body(stmt.body))


# ------------------------------------------------------------ the visitor


class _Visitor:
    def __init__(self, path: str, resolver: Resolver, table: SdkTable) -> None:
        self.path = path
        self.r = resolver
        self.table = table
        self.binder = _Binder(resolver)
        self.calls: list[cst.Call] = []
        self.found: list[tuple[int, _Match]] = []
        self.prompt_nodes: list[tuple[int, str, cst.BaseExpression, str]] = []
        self.imports: set[str] = set()
        self.stack: list[object] = []
        # False while visiting the second and later groups of a file parsed in
        # groups: the module's names were bound by bind_module() beforehand.
        self.bind_on_entry = True
        self.prompts_seen: set[tuple[int, str, str]] = set()
        self.enter: dict[type[cst.CSTNode], Callable[[Any], None]] = {
            cst.Module: self.visit_Module,
            cst.ClassDef: self.visit_ClassDef,
            cst.FunctionDef: self.visit_FunctionDef,
            cst.Lambda: self.visit_Lambda,
            cst.Import: self.visit_Import,
            cst.ImportFrom: self.visit_ImportFrom,
            cst.Call: self.visit_Call,
            cst.Assign: self.visit_Assign,
        }
        self.leave: dict[type[cst.CSTNode], Callable[[Any], None]] = {
            cst.ClassDef: self.leave_ClassDef,
            cst.FunctionDef: self.leave_FunctionDef,
            cst.Lambda: self.leave_Lambda,
            cst.Call: self.leave_Call,
        }
        self.pending: dict[int, int] = {}
        self.call_memo: dict[int, Value | None] = {}
        self.chat_models: set[str] = set()  # pipelines given chat messages

    def start_group(self) -> None:
        """Forget the calls of the previous group of statements (their facts
        were collected): positions are matched per group."""
        self.calls = []
        self.found = []
        self.prompt_nodes = []
        self.call_memo.clear()
        self.r.assigned.clear()

    # scopes
    def visit_Module(self, node: cst.Module) -> None:
        self.call_memo.clear()
        if self.bind_on_entry:
            self.bind_module(node)

    def bind_module(self, node: cst.Module) -> None:
        """Bind the module's names (for a file parsed in groups: one group's)."""
        self.binder.block(node.body, self.r.module_scope, global_names=set())
        # ``global client`` assignments inside module functions (lazy singletons).
        for func in _module_functions(node.body):
            names: set[str] = set()
            scratch: Scope = {}
            self.r.scopes.append(scratch)
            self.binder.params(scratch, func.params, None)
            self.binder.block(_body(func.body), scratch, global_names=names)
            self.r.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.call_memo.clear()
        ctx = _ClassCtx()
        for base in node.bases:
            # A subclass of a project class that holds SDK objects (this
            # module's or another's) has them too: `self.client` in its methods.
            if base.keyword is None and not base.star:
                inherited = self.r.resolve(base.value)
                if isinstance(inherited, ClassVal):
                    ctx.attrs.update(inherited.attrs)
        self_ref = SelfRef(ctx.attrs)
        body = _body(node.body)
        methods = [stmt for stmt in body if isinstance(stmt, cst.FunctionDef)]
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                # Class attributes: `client = OpenAI()`, `client: OpenAI`, `MODEL = "x"`.
                self.binder.block([stmt], ctx.attrs)
        # Twice, so that what one method builds (`self._client = self._build()`)
        # is known to the methods that hand it out (`return self._client`),
        # whatever their order in the class.
        for _ in range(2):
            for method in methods:
                scratch: Scope = {}
                self.r.scopes.append(scratch)
                self.binder.params(scratch, method.params, self_ref)
                self.binder.block(_body(method.body), scratch, self_ref, set())
                self.r.scopes.pop()
                value = self.binder.function_value(method, self_ref)
                if value is not None:
                    ctx.attrs[method.name.value] = value
        if not self.stack and isinstance(self.r.module_scope.get(node.name.value), _Opaque):
            # A module-level class that holds SDK objects: its instances do too.
            held = tuple((k, v) for k, v in ctx.attrs.items() if _is_sdk(v))
            if held:
                self.r.module_scope[node.name.value] = ClassVal(held)
        self.stack.append(ctx)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.call_memo.clear()
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.call_memo.clear()
        parent = self.stack[-1] if self.stack else None
        self_ref = None
        if isinstance(parent, _ClassCtx) and not any(
            _call_name(d.decorator) == "staticmethod" for d in node.decorators
        ):
            self_ref = SelfRef(parent.attrs)
        scope: Scope = {}
        self.r.scopes.append(scope)
        self.binder.params(scope, node.params, self_ref)
        self.binder.block(_body(node.body), scope, self_ref, set())
        self.stack.append(scope)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.call_memo.clear()
        self.stack.pop()
        self.r.scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.call_memo.clear()
        scope: Scope = {}
        self.binder.params(scope, node.params, None)
        self.r.scopes.append(scope)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.call_memo.clear()
        self.r.scopes.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.imports.add(_dotted(alias.name).split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not node.relative and node.module is not None:
            self.imports.add(_dotted(node.module).split(".")[0])

    def visit_Assign(self, node: cst.Assign) -> None:
        """Remember the name a call's result goes to (``embeddings = model(**batch)``)."""
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        if isinstance(value, cst.Call) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Attribute):
                self.r.assigned[id(value)] = target.attr.value
            elif isinstance(target, cst.Name):
                self.r.assigned[id(value)] = target.value

    def visit_Call(self, node: cst.Call) -> None:
        # Numbered in source order (positions are matched by it); matched on
        # the way out, after the calls inside it (see Resolver.memo).
        self.pending[id(node)] = len(self.calls)
        self.calls.append(node)

    def leave_Call(self, node: cst.Call) -> None:
        index = self.pending.pop(id(node))
        self.r.memo = self.call_memo
        try:
            found = self.r.matches(node)
            if not found:
                self._pipeline_messages(node)
        except RecursionError:
            return
        finally:
            self.r.memo = None
        for number, match in enumerate(found):
            self.found.append((index, match))
            # Constructors (capability None) carry system prompts too:
            # GenerativeModel(..., system_instruction=...).
            if number == 0 and match.capability in {"chat", "completion", "prompt", None}:
                self._collect_prompts(index, match)

    def _pipeline_messages(self, node: cst.Call) -> None:
        """A text-generation pipeline called with chat messages is a chat model:
        remember its model, so that its site says chat."""
        target = self.r.resolve(node.func)
        if not (isinstance(target, Obj) and target.canonical == "transformers.Pipeline"):
            return
        first = _arg(node, "text_inputs", 0)
        if first is None:
            return
        messages = self._deref(first)
        if isinstance(messages, (cst.List, cst.Tuple)) and any(
            _has_key(self.r, self._deref(e.value), "role") for e in messages.elements
        ):
            self.chat_models.add(target.model or "")

    # prompts
    def _collect_prompts(self, index: int, match: _Match) -> None:
        call = match.node
        api = match.api
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword == "messages" or (
                keyword is None
                and arg is call.args[0]
                and api.endswith(("from_messages", "FewShotChatMessagePromptTemplate"))
            ):
                self._messages(index, arg.value, api)
            elif keyword in SYSTEM_KEYWORDS:
                self._text(index, arg.value, "system", api)
            elif keyword in TEMPLATE_KEYWORDS:
                self._text(index, arg.value, "template", api)
            elif keyword in USER_KEYWORDS:
                self._text(index, arg.value, "user", api)
            elif keyword == "content" and _call_name(call.func) in MESSAGE_CLASSES:
                self._text(index, arg.value, MESSAGE_CLASSES[_call_name(call.func)], api)
            elif keyword is None and arg is call.args[0] and not arg.star:
                if match.capability == "prompt":
                    role = MESSAGE_CLASSES.get(_call_name(call.func), "template")
                    if api.endswith(".from_template") and isinstance(call.func, cst.Attribute):
                        role = MESSAGE_CLASSES.get(_call_name(call.func.value), "template")
                    self._text(index, arg.value, role, api)
                elif api.endswith(("generate_content", "generate_content_async", "send_message")):
                    self._text(index, arg.value, "user", api)

    def _text(self, index: int, node: cst.BaseExpression, role: str, api: str) -> None:
        resolved = self._deref(node)
        if isinstance(resolved, (cst.List, cst.Tuple)):
            if any(_has_key(self.r, e.value, "role") for e in resolved.elements):
                self._messages(index, resolved, api)
            else:  # content blocks: system=[{"text": "..."}] (Bedrock Converse, Anthropic)
                for part in self._content_parts(resolved):
                    self.prompt_nodes.append((index, role, part, api))
            return
        self.prompt_nodes.append((index, role, node, api))

    def _deref(self, node: cst.BaseExpression) -> cst.BaseExpression:
        seen = 0
        while isinstance(node, cst.Name) and seen < 10:
            value = self.r.lookup(node.value)
            if not isinstance(value, Expr):
                break
            node = value.node
            seen += 1
        return node

    def _messages(self, index: int, node: cst.BaseExpression, api: str, depth: int = 0) -> None:
        node = self._deref(node)
        if depth > 5 or not isinstance(node, (cst.List, cst.Tuple)):
            return
        for element in node.elements:
            value = element.value
            if isinstance(element, cst.StarredElement):
                self._messages(index, value, api, depth + 1)
                continue
            value = self._deref(value)
            if isinstance(value, cst.Dict):
                role, content = "user", None
                for item in value.elements:
                    if not isinstance(item, cst.DictElement):
                        continue
                    key = self.r.string(item.key, strict=True)
                    if key == "role":
                        role = ROLE_NAMES.get(self.r.string(item.value, strict=True) or "", role)
                    elif key in {"content", "parts"}:
                        content = item.value
                if content is not None:
                    for part in self._content_parts(content):
                        self.prompt_nodes.append((index, role, part, api))
            elif isinstance(value, cst.Tuple) and len(value.elements) == 2:
                role_text = self.r.string(value.elements[0].value, strict=True) or ""
                self.prompt_nodes.append(
                    (index, ROLE_NAMES.get(role_text, "user"), value.elements[1].value, api)
                )
            elif isinstance(value, cst.Call):
                cls = _call_name(value.func)
                if isinstance(value.func, cst.Attribute) and cls == "from_template":
                    cls = _call_name(value.func.value)
                message_role = MESSAGE_CLASSES.get(cls)
                text_arg = _arg(value, "content", 0) or _arg(value, "template", 0)
                if message_role is not None and text_arg is not None:
                    self.prompt_nodes.append((index, message_role, text_arg, api))

    def _content_parts(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        node = self._deref(node)
        if isinstance(node, (cst.List, cst.Tuple)):
            parts: list[cst.BaseExpression] = []
            for element in node.elements:
                value = self._deref(element.value)
                if isinstance(value, cst.Dict):
                    for item in value.elements:
                        if isinstance(item, cst.DictElement) and self.r.string(
                            item.key, strict=True
                        ) in {"text", "content"}:
                            parts.append(item.value)
                else:
                    parts.append(value)
            return parts
        return [node]


# ------------------------------------------------------------ the walker

# Fields that never hold code: whitespace, punctuation and operator tokens.
_SKIP_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "comma",
        "equal",
        "semicolon",
        "colon",
        "dot",
        "star",
        "operator",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "asynchronous",
        "trailing_whitespace",
        "first_line",
        "empty_lines",
    }
)
# Where a node's dataclass fields are not in source order (calls must be met in
# the order ``ast`` positions sort them: see _AstPositions).
_SOURCE_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.IfExp: ("body", "test", "orelse"),
    cst.FunctionDef: ("decorators", "name", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.MatchCase: ("pattern", "guard", "body"),
}
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        import dataclasses

        names = _SOURCE_ORDER.get(kind) or tuple(
            f.name
            for f in dataclasses.fields(kind)
            if f.name not in _SKIP_FIELDS and "whitespace" not in f.name
        )
        _FIELDS[kind] = names
    return names


def _walk(node: cst.CSTNode, visitor: _Visitor) -> None:
    """Visit ``node`` and everything below it in source order.

    libcst's own ``visit`` dispatches two methods per node and walks every
    whitespace token: three times the cost of the parse. Only the fields that
    can hold code are followed here, and only five node types are handled.
    """
    kind = type(node)
    handler = visitor.enter.get(kind)
    if handler is not None:
        handler(node)
    for name in _fields(kind):
        child = getattr(node, name)
        if isinstance(child, cst.CSTNode):
            _walk(child, visitor)
        elif isinstance(child, (list, tuple)):
            for item in child:
                if isinstance(item, cst.CSTNode):
                    _walk(item, visitor)
    leave = visitor.leave.get(kind)
    if leave is not None:
        leave(node)


# ------------------------------------------------------------- entry point


LineMap = Callable[[int, int], tuple[int, int]]


MAX_NESTING = 200
_BRACKETS = re.compile(r"[\[\](){}]")


def _bracket_depth(source: str) -> int:
    """The deepest bracket nesting, counting brackets inside strings too: an upper
    bound, which is what a guard needs."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(source):
        if match.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def _error(path: str, kind: str, message: str) -> PythonFacts:
    return PythonFacts(errors=[ScanError(path, kind, message)])


def _looks_like_python2(source: str) -> bool:
    return bool(
        re.search(r"^\s*print\s+[\"'\w]", source, re.MULTILINE)
        or re.search(r"^\s*except\s+\w+\s*,\s*\w+\s*:", source, re.MULTILINE)
        or re.search(r"^\s*exec\s+[\"']", source, re.MULTILINE)
    )


def _syntax_message(line: int | None, column: int | None, source: str) -> str:
    where = f"line {line}" + (f", column {column}" if column else "") if line else "unknown line"
    hint = " (this looks like Python 2 code)" if _looks_like_python2(source) else ""
    return f"invalid Python syntax at {where}{hint}"


def scan_source(
    path: str,
    source: str,
    *,
    line_map: LineMap | None = None,
    table: SdkTable | None = None,
    tree: ast.Module | None = None,
    externs: Mapping[tuple[str, str], Any] | None = None,
) -> PythonFacts:
    """Scan Python text. Never raises for bad input: problems become errors.
    ``tree``: the text's ``ast`` module when the caller has parsed it already.
    ``externs``: values of names this file imports from the project's other
    modules, by (module as written, name), as :func:`value_to_json` gives them
    (from :mod:`auditor.crossmodule`).

    libcst is never handed what would crash or stall it (see
    :mod:`auditor.scanners.pyguard`): a file ``ast`` accepts is measured first
    and parsed in groups of statements when large; one it rejects is parsed in
    a forked child whose death is an ``errors`` entry."""
    table = table or sdk_table()
    ast_error: SyntaxError | None = None
    try:
        tree = tree or pyguard.parse_python(source)
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
            return _error(path, "too-deep", "code is nested too deeply to parse")
        ast_error = exc
    except (RecursionError, MemoryError):
        return _error(path, "too-deep", "code is nested too deeply to parse")
    except ValueError as exc:  # source containing NUL bytes
        return _error(path, "parse-error", f"cannot parse: {exc}")
    if tree is None:
        return _scan_isolated(
            path, source, table, line_map=line_map, ast_error=ast_error, externs=externs
        )
    lines = LINE_BREAK.split(source)
    problem = pyguard.too_costly(tree, lines, len(source))
    if problem is not None:
        return _error(path, "too-deep", problem)
    try:
        return _scan_tree(
            path, source, tree, lines, table=table, line_map=line_map, externs=externs
        )
    except RecursionError:
        return _error(path, "too-deep", "code is nested too deeply to analyse")


def _parse(path: str, source: str, ast_error: SyntaxError | None) -> cst.Module | PythonFacts:
    """libcst's module, or the facts holding the one error that says why not."""
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        if ast_error is not None:
            return _error(
                path,
                "parse-error",
                _syntax_message(ast_error.lineno, ast_error.offset, source),
            )
        return _error(path, "parse-error", _syntax_message(exc.raw_line, exc.raw_column, source))
    except (RecursionError, MemoryError):
        return _error(path, "too-deep", "code is nested too deeply to parse")
    except Exception as exc:  # libcst's native parser may raise other errors
        return _error(path, "parse-error", f"cannot parse: {type(exc).__name__}")


def _scan_isolated(
    path: str,
    source: str,
    table: SdkTable,
    *,
    line_map: LineMap | None,
    ast_error: SyntaxError | None,
    externs: Mapping[tuple[str, str], Any] | None = None,
) -> PythonFacts:
    """A file ``ast`` rejected (newer grammar than this Python, or broken): there
    is no tree to measure, so libcst parses it in a forked child with memory and
    CPU limits; a child that dies is an ``errors`` entry, never a dead scan."""
    # Brackets deeper than CPython allows are never valid Python.
    if _bracket_depth(source) > MAX_NESTING:
        return _error(path, "too-deep", "code is nested too deeply to parse")
    problem = pyguard.too_costly_tokens(source)
    if problem == "code that does not tokenize" and ast_error is not None:
        message = _syntax_message(ast_error.lineno, ast_error.offset, source)
        return _error(path, "parse-error", message)
    if problem is not None:
        return _error(path, "too-deep", problem)

    def work() -> dict[str, Any]:
        facts = _scan_without_tree(
            path, source, table, line_map=line_map, ast_error=ast_error, externs=externs
        )
        return _facts_to_dict(facts)

    try:
        raw = pyguard.run_isolated(work, len(source))
    except pyguard.ChildDied as exc:
        return _error(path, "parse-crash", f"cannot parse: {exc}")
    return _facts_from_dict(raw)


def _scan_without_tree(
    path: str,
    source: str,
    table: SdkTable,
    *,
    line_map: LineMap | None,
    ast_error: SyntaxError | None,
    externs: Mapping[tuple[str, str], Any] | None = None,
) -> PythonFacts:
    module = _parse(path, source, ast_error)
    if isinstance(module, PythonFacts):
        return module
    resolver = _resolver(table, source, externs)
    visitor = _Visitor(path, resolver, table)
    facts = PythonFacts(parsed=True)
    try:
        _walk(module, visitor)
        _collect(facts, visitor, resolver, _CstPositions(module), line_map)
    except RecursionError:
        return _error(path, "too-deep", "code is nested too deeply to analyse")
    facts.imports = sorted(visitor.imports)
    facts.exports = _exports(path, resolver, None)
    _local_providers(facts)
    return facts


def _resolver(
    table: SdkTable, source: str, externs: Mapping[tuple[str, str], Any] | None
) -> Resolver:
    resolver = Resolver(table, source)
    if externs:
        values: dict[tuple[str, str], Value] = {}
        for key, raw in externs.items():
            value = value_from_json(raw)
            if value is None:
                continue
            if isinstance(value, Expr) and isinstance(raw, dict):
                where = (str(raw.get("path", "")), int(raw.get("line", 1) or 1))
                resolver.origins[id(value.node)] = where
            values[key] = value
        resolver.externs = values
    return resolver


def _exports(path: str, resolver: Resolver, tree: ast.Module | None) -> list[Export]:
    """The module-level SDK values other modules may import, and the imported
    names this file needed as text."""
    import json

    lines: dict[str, int] = {}
    if tree is not None:
        for stmt in tree.body:
            for target in getattr(stmt, "targets", [getattr(stmt, "target", None)]):
                if isinstance(target, ast.Name):
                    lines.setdefault(target.id, stmt.lineno)
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                lines.setdefault(stmt.name, stmt.lineno)
    found: list[Export] = []
    for name, value in resolver.module_scope.items():
        if not _is_sdk(value) and not (
            isinstance(value, Sym) and value_to_json(value, resolver.table) is not None
        ):
            continue
        data = value_to_json(value, resolver.table)
        if data is not None:
            text = json.dumps(data, sort_keys=True, separators=(",", ":"))
            found.append(Export(path, lines.get(name, 1), name, "sdk", text))
    if resolver.wanted:
        wanted = ";".join(sorted(f"{m}:{n}" for m, n in resolver.wanted))
        found.append(Export(path, 1, "", "wants", wanted))
    return found


def _scan_tree(
    path: str,
    source: str,
    tree: ast.Module,
    lines: list[str],
    *,
    table: SdkTable,
    line_map: LineMap | None,
    externs: Mapping[tuple[str, str], Any] | None = None,
) -> PythonFacts:
    resolver = _resolver(table, source, externs)
    visitor = _Visitor(path, resolver, table)
    facts = PythonFacts(parsed=True)
    every_call = _AstPositions(tree, lines)
    if len(source) <= pyguard.CHUNK_THRESHOLD:
        module = _parse(path, source, None)
        if isinstance(module, PythonFacts):
            return module
        _walk(module, visitor)
        positions: Positions = every_call
        if not every_call.matches(visitor.calls):
            positions = _CstPositions(module)
        _collect(facts, visitor, resolver, positions, line_map)
        facts.imports = sorted(visitor.imports)
        facts.exports = _exports(path, resolver, tree)
        _keyword_rankings(path, source, tree, every_call, facts, line_map=line_map)
        _local_providers(facts)
        return facts
    # A large file: groups of top-level statements, parsed one at a time (the
    # parser's working memory is several times the tree it returns), twice:
    # once to bind the module's names, once to visit, so that a function early
    # in the file sees a client made at its end, as in one parse.
    starts = [0, *(m.end() for m in LINE_BREAK.finditer(source))]
    groups = pyguard.chunks(tree, starts, len(source))

    def text(first: int, last: int) -> str:
        end = starts[last] if last < len(starts) else len(source)
        return source[starts[first - 1] : end]

    usable: list[tuple[int, int]] = []
    kept: dict[tuple[int, int], cst.Module] = {}
    kept_bytes = 0
    for first, last in groups:
        if pyguard.chunk_too_large(starts, len(source), first, last):
            message = f"lines {first}-{last}: one statement too large to analyse"
            facts.errors.append(ScanError(path, "too-large", message))
            continue
        module = _parse(path, text(first, last), None)
        if isinstance(module, PythonFacts):
            facts.errors.extend(
                replace(e, message=f"{e.message} (in lines {first}-{last})") for e in module.errors
            )
            continue
        visitor.bind_module(module)
        usable.append((first, last))
        size = len(text(first, last))
        if kept_bytes + size <= pyguard.KEEP_BYTES:
            kept[(first, last)] = module
            kept_bytes += size
        del module
    visitor.bind_on_entry = False
    for first, last in usable:
        module = kept.pop((first, last), None) or cst.parse_module(text(first, last))
        visitor.start_group()
        _walk(module, visitor)
        window = every_call.window(first, last)
        group_positions: Positions = window
        if not window.matches(visitor.calls):
            group_positions = _CstPositions(module, first - 1)
        _collect(facts, visitor, resolver, group_positions, line_map)
        del module
    facts.imports = sorted(visitor.imports)
    facts.exports = _exports(path, resolver, tree)
    _keyword_rankings(path, source, tree, every_call, facts, line_map=line_map)
    _local_providers(facts)
    return facts


def _keyword_rankings(
    path: str,
    source: str,
    tree: ast.Module,
    positions: _AstPositions,
    facts: PythonFacts,
    *,
    line_map: LineMap | None,
) -> None:
    """Texts ranked by keyword hits (see :mod:`auditor.scanners.ranking`) are
    a ``retriever`` in a file that calls an LLM: what the ranking picks is
    the prompt's context."""
    if not any(c.capability in {"chat", "completion"} for c in facts.call_sites):
        return
    if not ("sort" in source or "nlargest" in source):
        return  # no ranking call in the text
    from auditor.scanners.ranking import keyword_rankings

    taken = {(c.line, c.column) for c in facts.call_sites}
    for call in keyword_rankings(tree):
        end_line = call.end_lineno or call.lineno
        start = (call.lineno, positions.column(call.lineno, call.col_offset))
        end = (end_line, positions.column(end_line, call.end_col_offset or 0))
        if line_map is not None:
            start, end = line_map(*start), line_map(*end)
        if start in taken:
            continue
        taken.add(start)
        facts.call_sites.append(
            CallSite(
                path=path,
                line=start[0],
                column=start[1],
                end_line=end[0],
                end_column=end[1],
                provider="local",
                capability="retriever",
                api="local:keyword-ranking",
            )
        )


def _local_providers(facts: PythonFacts) -> None:
    """Retrieval computed in the process (BM25, a top-k over scores) has no
    provider of its own: it takes that of the embeddings the file computes,
    else of the file's other calls; ``local`` when there are none."""
    if not any(c.provider == "local" for c in facts.call_sites):
        return
    others = [c for c in facts.call_sites if c.provider not in {"local", "http"}]
    chosen = next((c.provider for c in others if c.capability == "embedding"), None)
    chosen = chosen or next((c.provider for c in others), None)
    if chosen is None:
        return
    facts.call_sites = [
        replace(c, provider=chosen) if c.provider == "local" else c for c in facts.call_sites
    ]


def _facts_to_dict(facts: PythonFacts) -> dict[str, Any]:
    return {
        "call_sites": [c.to_dict() for c in facts.call_sites],
        "prompts": [p.to_dict() for p in facts.prompts],
        "imports": list(facts.imports),
        "errors": [e.to_dict() for e in facts.errors],
        "parsed": facts.parsed,
        "exports": [e.to_dict() for e in facts.exports],
    }


def _facts_from_dict(raw: dict[str, Any]) -> PythonFacts:
    return PythonFacts(
        call_sites=[CallSite.from_dict(c) for c in raw["call_sites"]],
        prompts=[Prompt.from_dict(p) for p in raw["prompts"]],
        imports=[str(i) for i in raw["imports"]],
        errors=[ScanError.from_dict(e) for e in raw["errors"]],
        parsed=bool(raw["parsed"]),
        exports=[Export.from_dict(e) for e in raw.get("exports", [])],
    )


def _collect(
    facts: PythonFacts,
    visitor: _Visitor,
    resolver: Resolver,
    positions: Positions,
    line_map: LineMap | None,
) -> None:
    """Add the call sites and prompts the visitor found (in one parse or one
    group of a file) to ``facts``."""
    path = visitor.path

    def place(line: int, column: int) -> tuple[int, int]:
        return line_map(line, column) if line_map is not None else (line, column)

    call_lines: dict[int, int] = {}
    visitor.found.sort(key=lambda item: item[0])  # matched innermost first
    visitor.prompt_nodes.sort(key=lambda item: item[0])
    for index, match in visitor.found:
        line, col, end_line, end_col = positions.call(index, match.node)
        call_lines[index] = line
        if match.capability is None or match.capability == "prompt":
            continue
        capability = match.capability
        if (
            capability == "completion"
            and match.api.startswith("transformers.pipeline")
            and (match.model or "") in visitor.chat_models
        ):
            capability = "chat"
        start = place(line, col)
        end = place(end_line, end_col)
        facts.call_sites.append(
            CallSite(
                path=path,
                line=start[0],
                column=start[1],
                end_line=end[0],
                end_column=end[1],
                provider=match.provider,
                capability=capability,
                api=match.api,
                model=match.model,
                fine_tuned=is_fine_tuned(match.model),
                trained=match.trained,
                host=match.host,
            )
        )
    seen = visitor.prompts_seen
    for index, role, node, api in visitor.prompt_nodes:
        text = resolver.string(node, strict=False)
        if not text or not text.strip():
            continue
        target = node
        # `SYSTEM.format(...)`, `TEMPLATE.strip()`: the text is SYSTEM's literal.
        while (
            isinstance(target, cst.Call)
            and isinstance(target.func, cst.Attribute)
            and target.func.attr.value in {"format", "format_map", "strip"}
        ):
            target = target.func.value
        if isinstance(target, cst.Name):
            value = resolver.lookup(target.value)
            if isinstance(value, Expr):
                target = value.node
        origin = resolver.origins.get(id(target))
        if origin is not None:  # a constant imported from another module
            key = (origin[1], role, f"{origin[0]}\0{text}")
            if key not in seen:
                seen.add(key)
                facts.prompts.append(
                    Prompt(path=origin[0], line=origin[1], role=role, text=text, api=api)
                )
            continue
        line = positions.string(target, text, call_lines.get(index, 1), index)
        mapped = place(line, 1)[0]
        key = (mapped, role, text)
        if key in seen:
            continue
        seen.add(key)
        facts.prompts.append(Prompt(path=path, line=mapped, role=role, text=text, api=api))
