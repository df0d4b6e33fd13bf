"""What a Python module offers other modules, and what it imports from them:
the per-file half of following names across modules.

Every Python file gets two cheap facts here (no libcst): its imports of
modules that may be the project's own (the import statements of its ``ast``
tree, or the import lines of a text that does not parse; standard-library
modules left out) and its module-level string constants
(the top of the ``ast`` tree only: ``MODEL = "gpt-4o"``, ``BASE_URL =
os.getenv("BASE_URL", "http://localhost:11434")``, ``class Settings: MODEL =
...``). The Python scanner adds, for files it parses, the SDK objects,
factories and classes bound at module level. :mod:`auditor.crossmodule` joins
them for the whole repository, so each file's analysis stays cacheable and
parallel.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
import sys
from collections.abc import Iterator

from auditor.knowledge import contains_any, import_statements, sdk_table
from auditor.model import DataRef, Export
from auditor.scanners.text import redact_text

# Keep an exported text to this many characters, and at most this many a file.
MAX_TEXT = 50_000
MAX_TEXTS = 400

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}

# `from M import a, b as c` (names in parentheses may span lines) or
# `import a.b as c, d`, at the start of a line (indented too: lazy imports).
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n;#]*)"
    r"|import[ \t]+([^\n#;]+))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def import_links(
    path: str,
    text: str,
    tree: ast.Module | None = None,
    imports: list[ast.Import | ast.ImportFrom] | None = None,
) -> Export | None:
    """The file's imports that may reach the project's own modules, as one
    ``imports`` entry (``module:name:alias`` joined by ``;``), or None.
    ``tree``: the file's ``ast`` module, whose import statements are the
    answer (an import in a docstring's example is not one); without it, the
    import lines of the text."""
    if imports is None and tree is not None:
        imports = import_statements(tree)
    found = _tree_links(imports) if imports is not None else _text_links(text)
    if not found:
        return None
    return Export(path, 1, "", "imports", ";".join(dict.fromkeys(found)))


def _tree_links(imports: list[ast.Import | ast.ImportFrom]) -> list[str]:
    found: list[str] = []
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _may_be_project(alias.name):
                    found.append(f"{alias.name}::{alias.asname or ''}")
            continue
        module = "." * node.level + (node.module or "")
        if not module or not _may_be_project(module):
            continue
        for alias in node.names:
            if alias.name != "*":
                found.append(f"{module}:{alias.name}:{alias.asname or alias.name}")
    return found


def _text_links(text: str) -> list[str]:
    found: list[str] = []
    for match in _IMPORT.finditer(text):
        if match.group(3) is not None:
            for part in match.group(3).split(","):
                words = part.split()
                if not words or not _may_be_project(words[0]):
                    continue
                alias = words[2] if len(words) == 3 and words[1] == "as" else ""
                found.append(f"{words[0]}::{alias}")
            continue
        module = match.group(1)
        if not module or not _may_be_project(module):
            continue
        names = _COMMENT.sub("", match.group(2)).strip("()\\ \t\r\n")
        for part in names.split(","):
            words = part.split()
            if not words or words[0] == "*" or not words[0].isidentifier():
                continue
            alias = words[2] if len(words) == 3 and words[1] == "as" else words[0]
            found.append(f"{module}:{words[0]}:{alias}")
    return found


def _may_be_project(module: str) -> bool:
    if module.startswith("."):
        return True
    root = module.split(".", 1)[0]
    return bool(root) and root not in _STDLIB


def text_exports(path: str, tree: ast.Module) -> list[Export]:
    """Module-level string constants (and those of top-level classes, as
    ``Class.NAME``): models, base URLs, prompts others import."""
    found: list[Export] = []
    for stmt in _top_level(tree.body):
        if isinstance(stmt, ast.ClassDef):
            for inner in stmt.body:
                _constant(path, inner, f"{stmt.name}.", found)
        else:
            _constant(path, stmt, "", found)
        if len(found) >= MAX_TEXTS:
            break
    return found


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run at import: the body, and the bodies of its ``if`` and
    ``try`` blocks (``try: MODEL = settings.model except ...: MODEL = "x"``),
    in source order. Iterative: an ``elif`` chain thousands long (which
    ``ast`` accepts on Python 3.10 and 3.13) nests as deep as it is long."""
    out: list[ast.stmt] = []
    stack: list[Iterator[ast.stmt]] = [iter(body)]
    while stack:
        stmt = next(stack[-1], None)
        if stmt is None:
            stack.pop()
            continue
        out.append(stmt)
        if isinstance(stmt, ast.If):
            stack.append(itertools.chain(stmt.body, stmt.orelse))
        elif isinstance(stmt, ast.Try):
            handlers = (inner for handler in stmt.handlers for inner in handler.body)
            stack.append(itertools.chain(stmt.body, handlers))
    return out


def _constant(path: str, stmt: ast.stmt, prefix: str, found: list[Export]) -> None:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target, value = stmt.target, stmt.value
    else:
        return
    if not isinstance(target, ast.Name):
        return
    text = _text(value)
    if text is not None:
        text = redact_text(text)  # exports are cached: no key is kept whole
        # The line of the literal (a prompt's line, as the prompt finders give it).
        line = getattr(value, "lineno", stmt.lineno)
        found.append(Export(path, line, prefix + target.id, "text", text[:MAX_TEXT]))


def _text(node: ast.expr) -> str | None:
    """A string the expression surely is, or its default: ``"x"``, ``"a" "b"``,
    ``os.getenv("X", "x")``, ``os.environ.get("X", "x")``, ``str(...)`` of
    those; None for anything else. A loop, not recursion: ``str(str(...))``
    may nest thousands deep."""
    while True:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"getenv", "get", "environ_get"} and len(node.args) >= 2:
                base = func.value if isinstance(func, ast.Attribute) else None
                if name == "get" and not (
                    isinstance(base, ast.Attribute) and base.attr == "environ"
                ):
                    return None
                node = node.args[1]
                continue
            if name == "str" and len(node.args) == 1:
                node = node.args[0]
                continue
            return None
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and node.values:
            # os.getenv("MODEL") or "gpt-4o"
            node = node.values[-1]
            continue
        return None


# "vendor/model" or "vendor:model" in quotes (an f-string's literal start too:
# f"azure/{name}").
_MODEL_STRING = re.compile(r"""[fF]?(["'])([a-z_]+)([/:])([\w{][\w.\-:@{}/]*)\1""")
_OPENAI_MODEL = re.compile(r"^(?:gpt|o\d|chatgpt|text-|davinci|ft:|\{)")


@functools.cache
def _model_prefix_words(loose: frozenset[str]) -> tuple[str, ...]:
    """What a vendor-prefixed model string starts with: ``groq/``, and for the
    vendors that also write it so, ``openai:`` and ``anthropic:``."""
    colon = tuple(f"{p}:" for p in ("openai", "azure", "anthropic"))
    slash = tuple(f"{p}/" for p in sorted({"openai", "azure", "anthropic", *loose}))
    return colon + slash


def find_model_strings(path: str, text: str) -> list[DataRef]:
    """Model strings that name their vendor (``"groq/llama-3.1-70b-versatile"``,
    ``f"azure/{name}"``, ``"anthropic:claude-3-5-sonnet"``) as ``model-string``
    references (``target`` the string, ``detail`` the provider). They name a
    provider only in a repository that routes calls through LiteLLM,
    ``init_chat_model`` or ``instructor.from_provider``: the repository-level
    pass decides (:mod:`auditor.crossmodule`)."""
    table = sdk_table()
    if not contains_any(text, _model_prefix_words(table.loose_prefixes)):
        return []
    found: list[DataRef] = []
    for match in _MODEL_STRING.finditer(text):
        prefix, separator, model = match.group(2), match.group(3), match.group(4)
        if prefix not in table.loose_prefixes or "//" in match.group(0):
            continue
        if separator == ":" and prefix in {"ollama", "openai"} and "/" in model:
            continue
        if prefix == "openai" and not _OPENAI_MODEL.search(model):
            continue  # openai/whisper-large-v3, openai/clip-...: Hub ids
        line = text.count("\n", 0, match.start()) + 1
        found.append(
            DataRef(
                path,
                line,
                "model-string",
                f"{prefix}{separator}{model}",
                table.model_prefixes[prefix],
            )
        )
        if len(found) >= 200:
            break
    return found
