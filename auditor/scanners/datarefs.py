"""What data a Python file touches: a cheap ``ast`` pass over every Python file.

The verdict needs to know which folders a repository loads as knowledge, which
files it hands to fine-tuning, which documents it pastes into prompts, and
whether it keeps the sources of its answers. That is read here from calls whose
arguments are literal paths (or names bound to them), never by running code:

- ``load``: a document loader or reader given a path
  (``DirectoryLoader("content")``, ``SimpleDirectoryReader(input_dir="data")``);
- ``remote``: a loader that fetches URLs, sitemaps or services
  (``WebBaseLoader``, ``SitemapLoader``, ``ConfluenceLoader`` ...), and ``fetch``:
  a plain HTTP GET (``requests.get``), which counts only next to other signals;
  live web search (``TavilySearchResults``, ``DuckDuckGoSearchRun``,
  ``SerpAPIWrapper`` ...) is ``remote`` too, with the detail ``web search``;
- ``glob``: a folder listed or globbed (``Path("docs").glob("*.md")``);
- ``read`` / ``write``: ``open``, ``Path.read_text`` / ``write_text`` and the like;
- ``training``: a file given to fine-tuning (``files.create(file=open(x, "rb"),
  purpose="fine-tune")``, ``load_dataset("json", data_files=x)``,
  ``training_file=x``);
- ``prompt``: file text that flows into a prompt (a message ``content``, a
  ``system=`` argument, a template's ``format``), at the line where it enters;
- ``search-tool``: an agent tool that looks things up (``@tool def
  search_docs(...)``): retrieval the model calls itself;
- ``hub``: a published dataset named by its Hub id (``load_dataset("org/name")``,
  ``snapshot_download(repo_id=..., repo_type="dataset")``): fixed data that
  nothing in the repository refreshes, unless something else says so;
- ``upload``: documents users upload at run time (``st.file_uploader``,
  Gradio's ``File``/``UploadButton``, FastAPI's ``UploadFile``,
  ``request.files``): knowledge that changes with every session;
- ``sources``: the code keeps or returns the sources of retrieved text
  (``return_source_documents=True``, ``.source_nodes``, ``metadata["source"]``).

Paths are made relative to the repository root: a literal is taken as relative
to the root (the usual working directory), one built from ``__file__`` as
relative to the file's folder. Absolute paths and paths that leave the root are
dropped: they are not part of the scanned repository.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditor.knowledge import contains_any
from auditor.model import ROLE_NAMES, DataRef, Prompt

__all__ = ["find_data_refs", "find_prompt_constants"]

MAX_REFS = 200

_REMOTE_LOADER = re.compile(
    r"Web|Sitemap|Url|URL|Recursive|Firecrawl|Apify|Spider|Crawl|Confluence|Notion|"
    r"Git[Hh]ub|Slack|GoogleDrive|Drive|Jira|RSS|Feed|Wikipedia|Arxiv|YouTube|S3|GCS|"
    r"AzureBlob|Sharepoint|SharePoint|Zendesk|Intercom|Hubspot|Salesforce|Database|SQL"
)
# Live web search: what the model reads changes with the web.
_WEB_SEARCH = re.compile(
    r"^(?:Tavily\w*|DuckDuckGo\w*|DDGS|SerpAPI\w*|GoogleSerper\w*|GoogleSearch\w*|"
    r"BingSearch\w*|BraveSearch\w*|Exa(?:Search\w*)?|SearxSearch\w*|YouSearch\w*|"
    r"WebSearchTool|TavilyClient)$"
)
# A Hub id: ``org/name`` with no file suffix (``tatsu-lab/alpaca``).
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_UPLOAD_CALLS = frozenset({"file_uploader", "UploadButton"})
# A request handler for uploaded files (``handle_file_upload``,
# ``on_upload``, ``pdf_upload``); code that uploads *to* somewhere
# (``upload_file``, ``upload_to_s3``) is not.
_UPLOAD_HANDLER = re.compile(r"^(?:handle_\w*upload\w*|on_\w*upload\w*|\w+_uploads?)$")
_LOADER_PATH_KEYWORDS = frozenset(
    {
        "path",
        "file_path",
        "input_dir",
        "input_files",
        "dir_path",
        "directory",
        "data_dir",
        "folder",
        "folder_path",
        "source_dir",
        "docs_dir",
    }
)
_TRAINING_KEYWORDS = frozenset(
    {
        "training_file",
        "train_file",
        "train_path",
        "train_data",
        "training_data",
        "dataset_path",
        "train_dataset_path",
    }
)
_DATASET_BUILDERS = frozenset({"json", "csv", "parquet", "text", "arrow"})
_READ_METHODS = frozenset({"read_text", "read_bytes"})
_WRITE_METHODS = frozenset({"write_text", "write_bytes"})
_PANDAS_READERS = frozenset({"read_csv", "read_json", "read_parquet", "read_excel"})
_HTTP_GETS = frozenset({"get", "urlopen", "request"})
_HTTP_MODULES = frozenset({"requests", "httpx", "urllib", "urllib3", "aiohttp"})
_PROMPT_KEYWORDS = frozenset(
    {
        "messages",
        "system",
        "system_prompt",
        "system_instruction",
        "system_message",
        "instructions",
        "prompt",
        "input",
        "contents",
        "content",
        "context",
        "template",
        "preamble",
    }
)
_PROMPT_METHODS = frozenset(
    {
        "create",
        "acreate",
        "invoke",
        "ainvoke",
        "generate_content",
        "send_message",
        "chat",
        "complete",
        "predict",
        "from_messages",
        "from_template",
        "format",
        "format_messages",
        "SystemMessage",
        "HumanMessage",
        "ChatMessage",
        "stream",
    }
)
# An agent tool that looks things up: retrieval the model calls itself.
_SEARCH_TOOL = re.compile(
    r"search|retriev|lookup|look_up|query_(?:docs|kb|knowledge|index)|get_\w*(?:article|doc|page)",
    re.IGNORECASE,
)
_SOURCE_WORDS = frozenset(
    {
        "source_documents",
        "return_source_documents",
        "source_nodes",
        "citations",
        "sources",
        "with_sources",
    }
)


@dataclass
class _Scope:
    names: dict[str, ast.expr] = field(default_factory=dict)
    # Names bound by ``for p in <glob>`` and comprehensions: the glob target.
    items: dict[str, str] = field(default_factory=dict)
    # Names whose value holds file text: the files it came from.
    tainted: dict[str, set[str]] = field(default_factory=dict)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _receiver(func: ast.expr) -> ast.expr | None:
    return func.value if isinstance(func, ast.Attribute) else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# ast.NodeVisitor's dispatch, remembered: the handler of each node type (None:
# visit the children), and the fields of each type that can hold nodes.
_HANDLERS: dict[type, Callable[[Any, Any], Any] | None] = {}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


class _Pass(ast.NodeVisitor):
    """One walk of a file's tree. ``visit`` and ``generic_visit`` do what
    ast.NodeVisitor's do, in the same order, without building a method name
    and walking ``iter_fields`` at every node (a third of the pass's time)."""

    def visit(self, node: ast.AST) -> Any:
        kind = type(node)
        if kind in _HANDLERS:
            handler = _HANDLERS[kind]
        else:
            handler = getattr(_Pass, "visit_" + kind.__name__, None)
            _HANDLERS[kind] = handler
        if handler is None:
            return self.generic_visit(node)
        return handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        kind = type(node)
        names = _NODE_FIELDS.get(kind)
        if names is None:
            names = tuple(f for f in kind._fields if f not in {"ctx", "type_comment"})
            _NODE_FIELDS[kind] = names
        for name in names:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def __init__(self, path: str, llm_file: bool) -> None:
        self.path = path
        self.folder = posixpath.dirname(path)
        self.llm_file = llm_file
        self.scopes: list[_Scope] = [_Scope()]
        self.refs: list[DataRef] = []
        self.seen: set[tuple[int, str, str]] = set()

    # -- results
    def add(self, line: int, role: str, target: str, detail: str = "") -> None:
        key = (line, role, target)
        if key in self.seen or len(self.refs) >= MAX_REFS:
            return
        self.seen.add(key)
        self.refs.append(DataRef(self.path, line, role, target, detail))

    # -- names
    def lookup(self, name: str) -> ast.expr | None:
        for scope in reversed(self.scopes):
            if name in scope.names:
                return scope.names[name]
        return None

    def item(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            if name in scope.items:
                return scope.items[name]
            if name in scope.names:
                return None
        return None

    def taint_of(self, name: str) -> set[str] | None:
        for scope in reversed(self.scopes):
            if name in scope.tainted:
                return scope.tainted[name]
        return None

    # -- paths
    def rel(self, node: ast.expr | None, depth: int = 0) -> tuple[str, str] | None:
        """(base, relative path) of a path expression; base is ``root`` or ``file``."""
        if node is None or depth > 12:
            return None
        text = _string(node)
        if text is not None:
            return ("root", text)
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return ("file", "__file__")
            bound = self.lookup(node.id)
            return self.rel(bound, depth + 1) if bound is not None else None
        if isinstance(node, ast.Attribute):
            if node.attr == "parent":
                inner = self.rel(node.value, depth + 1)
                if inner is None:
                    return None
                base, rel = inner
                if rel == "__file__":
                    return (base, ".")
                return (base, posixpath.join(rel, ".."))
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self.rel(node.left, depth + 1)
            right = self.rel(node.right, depth + 1)
            if left is None or right is None or right[0] != "root" or left[1] == "__file__":
                return None
            return (left[0], posixpath.join(left[1], right[1]))
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name in {"Path", "PurePath", "PosixPath", "join", "joinpath"}:
                parts: list[ast.expr] = list(node.args)
                if name == "joinpath":
                    receiver = _receiver(node.func)
                    if receiver is None:
                        return None
                    parts.insert(0, receiver)
                if name == "join" and not _is_os_path(node.func):
                    return None
                if not parts:
                    return None
                first = self.rel(parts[0], depth + 1)
                if first is None:
                    return None
                base, rel = first
                if rel == "__file__":
                    return first if len(parts) == 1 and name != "join" else None
                for part in parts[1:]:
                    value = self.rel(part, depth + 1)
                    if value is None or value[0] != "root":
                        return None
                    rel = posixpath.join(rel, value[1])
                return (base, rel)
            if name == "open" and node.args:
                return self.rel(node.args[0], depth + 1)
            if name == "dirname" and node.args:
                inner = self.rel(node.args[0], depth + 1)
                if inner is not None and inner[1] == "__file__":
                    return (inner[0], ".")
                if inner is not None:
                    return (inner[0], posixpath.dirname(inner[1]) or ".")
                return None
            if name in {"resolve", "absolute", "expanduser", "abspath", "realpath", "str"}:
                receiver = _receiver(node.func)
                target = receiver if receiver is not None else _first(node)
                return self.rel(target, depth + 1)
        return None

    def target(self, node: ast.expr | None) -> str | None:
        """A repository-relative POSIX path or glob, or None (unknown, absolute,
        outside the root, a URL)."""
        if isinstance(node, ast.Name):
            glob = self.item(node.id)
            if glob is not None:
                return glob
        found = self.rel(node)
        if found is None:
            return None
        base, rel = found
        if rel == "__file__" or "://" in rel or rel.startswith(("/", "~")) or not rel.strip():
            return None
        if re.match(r"^[A-Za-z]:[\\/]", rel):
            return None
        joined = posixpath.join(self.folder, rel) if base == "file" else rel
        normal = posixpath.normpath(joined.replace("\\", "/"))
        if normal == ".." or normal.startswith("../"):
            return None
        return normal

    # -- scopes
    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        scope = self.scopes[-1]
        if isinstance(target, ast.Name):
            scope.names[target.id] = value
            files = self.text_sources(value)
            if files:
                scope.tainted[target.id] = files
            else:
                scope.tainted.pop(target.id, None)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        if not isinstance(node, ast.Lambda) and _UPLOAD_HANDLER.search(node.name):
            self.add(node.lineno, "upload", "", node.name)
        if not isinstance(node, ast.Lambda) and _SEARCH_TOOL.search(node.name):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _call_name(target) in {"tool", "function_tool", "kernel_function"}:
                    self.add(node.lineno, "search-tool", "", node.name)
        self.scopes.append(_Scope())
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        for target in node.targets:
            self._bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name):
            files = self.text_sources(node.value)
            if files:
                self.scopes[-1].tainted.setdefault(node.target.id, set()).update(files)

    def _loop_target(self, target: ast.expr, iterable: ast.expr) -> None:
        if not isinstance(target, ast.Name):
            return
        glob = self.glob_target(iterable)
        if glob is not None:
            self.scopes[-1].items[target.id] = glob

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._loop_target(node.target, node.iter)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind(item.optional_vars, item.context_expr)
        for statement in node.body:
            self.visit(statement)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        for generator in node.generators:
            self.visit(generator.iter)
            self._loop_target(generator.target, generator.iter)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension

    # -- what reads produce
    def glob_target(self, node: ast.expr) -> str | None:
        """``Path(x).glob(p)``, ``glob.glob(p)``, ``os.listdir(x)`` ... as a glob."""
        while isinstance(node, ast.Call) and _call_name(node.func) in {"sorted", "list"}:
            if not node.args:
                return None
            node = node.args[0]
        if not isinstance(node, ast.Call):
            return None
        name = _call_name(node.func)
        receiver = _receiver(node.func)
        if name in {"glob", "iglob", "rglob"} and receiver is not None:
            pattern = _string(node.args[0]) if node.args else None
            if isinstance(receiver, ast.Name) and receiver.id == "glob":
                return self.target(node.args[0]) if node.args else None
            folder = self.target(receiver)
            if folder is None or pattern is None:
                return None
            if name == "rglob":
                pattern = "**/" + pattern
            return posixpath.join(folder, pattern)
        if name in {"listdir", "scandir", "iterdir"}:
            folder = self.target(receiver if name == "iterdir" else _first(node))
            return posixpath.join(folder, "*") if folder is not None else None
        if name == "walk" and node.args:
            folder = self.target(node.args[0])
            return posixpath.join(folder, "**") if folder is not None else None
        return None

    def read_target(self, call: ast.Call) -> str | None:
        """The file a reading call reads, or None."""
        name = _call_name(call.func)
        receiver = _receiver(call.func)
        if name in _READ_METHODS and receiver is not None:
            return self.target(receiver)
        if name == "read" and isinstance(receiver, ast.Call):
            return self.read_target(receiver) if _call_name(receiver.func) == "open" else None
        if name == "read" and isinstance(receiver, ast.Name):
            bound = self.lookup(receiver.id)
            if isinstance(bound, ast.Call) and _call_name(bound.func) == "open":
                return self.read_target(bound)
        if name == "open" and not _writes(call):
            if receiver is not None and not (
                isinstance(receiver, ast.Name) and receiver.id in {"io", "codecs", "os"}
            ):
                return self.target(receiver)
            return self.target(call.args[0]) if call.args else self.target(_keyword(call, "file"))
        if name in _PANDAS_READERS and call.args:
            return self.target(call.args[0])
        return None

    def text_sources(self, node: ast.expr) -> set[str]:
        """The files whose text ``node`` carries (through reads and tainted names)."""
        found: set[str] = set()
        for child in _walk_expr(node):
            if isinstance(child, ast.Name):
                taint = self.taint_of(child.id)
                if taint:
                    found.update(taint)
            elif isinstance(child, ast.Call) and _call_name(child.func) in {
                *_READ_METHODS,
                "read",
            }:
                target = self.read_target(child)
                if target is not None:
                    found.add(target)
        return found

    # -- calls
    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = _call_name(node.func)
        line = node.lineno
        if name.endswith(("Loader", "Reader")) and name[:1].isupper():
            self._loader(node, name)
        elif name in {"glob", "iglob", "rglob", "listdir", "scandir", "iterdir", "walk"}:
            glob = self.glob_target(node)
            if glob is not None:
                self.add(line, "glob", glob, name)
        if name == "open" or name in _READ_METHODS or name in _PANDAS_READERS:
            target = self.read_target(node)
            if target is not None:
                self.add(line, "read", target, name)
        if (name == "open" and _writes(node)) or name in _WRITE_METHODS:
            receiver = _receiver(node.func)
            if name == "open" and receiver is None:
                target = self.target(node.args[0]) if node.args else None
            else:
                target = self.target(receiver)
            if target is not None:
                self.add(line, "write", target, name)
        if name in {"to_json", "to_csv"} and node.args:
            target = self.target(node.args[0])
            if target is not None:
                self.add(line, "write", target, name)
        self._training(node, name)
        if _WEB_SEARCH.match(name):
            self.add(line, "remote", "", f"{name} (web search)")
        if name in _UPLOAD_CALLS or (
            name in {"File", "Files"} and _receiver_name(node.func) in {"gr", "gradio"}
        ):
            self.add(line, "upload", "", name)
        if name in _HTTP_GETS and _http_call(node.func):
            url = _string(node.args[0]) if node.args else None
            self.add(line, "fetch", url or "", name)
        if self.llm_file:
            self._prompt(node, name)
            for keyword in node.keywords:
                if keyword.arg in {"return_source_documents", "with_sources"} and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    self.add(line, "sources", "", keyword.arg)

    def _loader(self, node: ast.Call, name: str) -> None:
        first = node.args[0] if node.args else None
        url = _string(first)
        if _REMOTE_LOADER.search(name) or (url is not None and "://" in url):
            self.add(node.lineno, "remote", url if url and "://" in url else "", name)
            return
        values: list[ast.expr] = [first] if first is not None else []
        values += [k.value for k in node.keywords if k.arg in _LOADER_PATH_KEYWORDS]
        for value in values:
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
            for item in items:
                target = self.target(item)
                if target is not None:
                    self.add(node.lineno, "load", target, name)

    def _training(self, node: ast.Call, name: str) -> None:
        values: list[ast.expr] = []
        if name == "load_dataset":
            builder = _string(node.args[0]) if node.args else _string(_keyword(node, "path"))
            files = _keyword(node, "data_files")
            if builder in _DATASET_BUILDERS and files is not None:
                values.append(files)
            elif builder is not None and (
                builder.startswith((".", "/")) or posixpath.splitext(builder)[1]
            ):
                values.append(node.args[0] if node.args else files or node)
            elif builder is not None and _HUB_ID.match(builder):
                self.add(node.lineno, "hub", builder, name)
        elif name in {"snapshot_download", "hf_hub_download"}:
            repo = _string(_keyword(node, "repo_id")) or (
                _string(node.args[0]) if node.args else None
            )
            if (
                repo is not None
                and _HUB_ID.match(repo)
                and _string(_keyword(node, "repo_type")) == "dataset"
            ):
                self.add(node.lineno, "hub", repo, name)
        elif name in {"from_json", "from_csv", "from_parquet"} and node.args:
            receiver = _receiver(node.func)
            if isinstance(receiver, ast.Name) and receiver.id == "Dataset":
                values.append(node.args[0])
        elif name == "create" and _string(_keyword(node, "purpose")) in {"fine-tune", "fine_tune"}:
            file = _keyword(node, "file")
            if isinstance(file, ast.Tuple) and len(file.elts) >= 2:
                file = file.elts[1]
            if isinstance(file, ast.Call) and _call_name(file.func) == "open" and file.args:
                file = file.args[0]
            if file is not None:
                values.append(file)
        values += [k.value for k in node.keywords if k.arg in _TRAINING_KEYWORDS]
        for value in values:
            if isinstance(value, ast.Dict):
                items: list[ast.expr] = [v for v in value.values if v is not None]
            elif isinstance(value, (ast.List, ast.Tuple)):
                items = list(value.elts)
            else:
                items = [value]
            for item in items:
                if isinstance(item, (ast.List, ast.Tuple)):
                    items.extend(item.elts)
                    continue
                target = self.target(item)
                if target is not None:
                    self.add(node.lineno, "training", target, name)

    def _prompt(self, node: ast.Call, name: str) -> None:
        sinks: list[ast.expr] = [
            k.value for k in node.keywords if k.arg in _PROMPT_KEYWORDS or k.arg is None
        ]
        if name in _PROMPT_METHODS:
            sinks += node.args
        for sink in sinks:
            if isinstance(sink, (ast.List, ast.Tuple, ast.Dict)):
                continue  # its messages are met as dictionaries (visit_Dict)
            files = self.text_sources(sink)
            for target in sorted(files):
                self.add(sink.lineno, "prompt", target, name)

    def visit_Dict(self, node: ast.Dict) -> None:
        self.generic_visit(node)
        if not self.llm_file:
            return
        for key, value in zip(node.keys, node.values, strict=True):
            word = _string(key)
            if word in {"content", "system", "text", "context"}:
                for target in sorted(self.text_sources(value)):
                    self.add(value.lineno, "prompt", target, f"{word!r} of a message")
            elif word in _SOURCE_WORDS:
                self.add(node.lineno, "sources", "", word)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "UploadFile":
            self.add(node.lineno, "upload", "", "UploadFile")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        if node.attr == "files" and _receiver_name(node) == "request":
            self.add(node.lineno, "upload", "", "request.files")
        elif node.attr == "UploadFile":
            self.add(node.lineno, "upload", "", "UploadFile")
        if self.llm_file and node.attr in _SOURCE_WORDS:
            self.add(node.lineno, "sources", "", node.attr)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.generic_visit(node)
        if not self.llm_file:
            return
        key = _string(node.slice)
        if key in _SOURCE_WORDS or (
            key in {"source", "url", "file_path", "page"}
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "metadata"
        ):
            self.add(node.lineno, "sources", "", f"[{key!r}]")


def _receiver_name(node: ast.expr) -> str:
    """``gr`` for ``gr.File``, ``request`` for ``request.files``."""
    owner = node.value if isinstance(node, ast.Attribute) else None
    return owner.id if isinstance(owner, ast.Name) else ""


def _walk_expr(node: ast.expr) -> Iterator[ast.AST]:
    """The nodes of an expression, not descending into lambdas."""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(current))


def _first(call: ast.Call) -> ast.expr | None:
    return call.args[0] if call.args else None


def _writes(call: ast.Call) -> bool:
    mode = _string(call.args[1]) if len(call.args) > 1 else _string(_keyword(call, "mode"))
    if _call_name(call.func) == "open" and isinstance(call.func, ast.Attribute):
        mode = _string(call.args[0]) if call.args else _string(_keyword(call, "mode"))
    return mode is not None and any(flag in mode for flag in "wax")


def _is_os_path(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "path"
    ) or (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"os", "posixpath"}
    )


def _http_call(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "urlopen"
    if isinstance(func, ast.Attribute):
        owner = func.value
        while isinstance(owner, ast.Attribute):
            owner = owner.value
        return isinstance(owner, ast.Name) and owner.id in _HTTP_MODULES
    return False


# A file with none of these words has no data reference: most files of a large
# project are skipped without walking their tree.
# Words that a file holding a data reference must contain, found in one pass
# with an Aho-Corasick automaton (a regular expression of these alternatives
# took a third of a non-LLM repository's scan). A word found where it means
# something else only costs the walk of that file's tree.
_TRIGGER_WORDS = (
    "@tool", "@function_tool", "open(", ".read", "glob(", "Loader", "Reader", "load_dataset",
    "purpose=", "listdir", "scandir", "iterdir", "walk(", "requests.", "httpx.", "urlopen",
    "aiohttp", "write_text", "write_bytes", "to_json", "to_csv", "from_json", "from_csv",
    "from_parquet", "train_file", "training_file", "train_data", "training_data",
    "dataset_path", "train_path", "data_files", "snapshot_download", "hf_hub_download",
    "file_uploader", "UploadFile", "upload", "UploadButton", "request.files", "gr.File",
    "Tavily", "DuckDuckGo", "DDGS", "SerpAPI", "Serper", "GoogleSearch", "BingSearch",
    "BraveSearch", "Exa(", "from exa_py", "import exa_py", "SearxSearch", "WebSearchTool",
)  # fmt: skip


def find_data_refs(
    path: str, tree: ast.Module, *, llm_file: bool, text: str | None = None
) -> list[DataRef]:
    """The data references of one parsed file, in source order. ``llm_file``: the
    file imports an LLM SDK, so prompt sinks and kept sources are looked for.
    ``text``: the source, to skip files that cannot hold a reference."""
    if text is not None and not llm_file and not contains_any(text, _TRIGGER_WORDS):
        return []
    visitor = _Pass(path, llm_file)
    try:
        visitor.visit(tree)
    except RecursionError:
        return []
    return sorted(visitor.refs, key=lambda r: (r.line, r.role, r.target))


# -- prompt constants in modules that call no model (a prompts.py library)

# Names of prompt constants. Lists count only when they hold chat messages, and
# a string only when it is a few words long, so `TEMPLATES` of a web framework
# or a `STYLE` sheet do not.
_PROMPT_NAME = re.compile(
    r"PROMPT|SYSTEM_MSG|SYSTEM_MESSAGE|INSTRUCTION|GUIDE|PERSONA|VOICE|PREAMBLE|EXAMPLES|SHOTS",
    re.IGNORECASE,
)
_SYSTEM_NAME = re.compile(r"SYSTEM|INSTRUCTION|GUIDE|PERSONA|VOICE|PREAMBLE", re.IGNORECASE)
_MIN_PROMPT_CHARS = 40


def _literal_text(node: ast.expr) -> str | None:
    """A string constant, an implicit concatenation, ``dedent("...")`` or ``"..".strip()``."""
    text = _string(node)
    if text is not None:
        return text
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.Call) and _call_name(node.func) in {"dedent", "cleandoc", "strip"}:
        inner = node.args[0] if node.args else _receiver(node.func)
        if inner is not None:
            import inspect
            import textwrap

            text = _literal_text(inner)
            if text is None:
                return None
            name = _call_name(node.func)
            if name == "dedent":
                return textwrap.dedent(text)
            return inspect.cleandoc(text) if name == "cleandoc" else text.strip()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def find_prompt_constants(path: str, tree: ast.Module) -> list[Prompt]:
    """Module-level prompt constants (``SYSTEM_PROMPT = "..."``) and message
    lists (``EXAMPLES = [{"role": "assistant", "content": "..."}]``) of a
    file that calls no model itself: prompt libraries imported elsewhere."""
    found: list[Prompt] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        text = _literal_text(value) if _PROMPT_NAME.search(target.id) else None
        if text is not None and len(text.strip()) >= _MIN_PROMPT_CHARS:
            role = "system" if _SYSTEM_NAME.search(target.id) else "template"
            found.append(Prompt(path, value.lineno, role, text))
            continue
        if isinstance(value, (ast.List, ast.Tuple)):
            for element in value.elts:
                if not isinstance(element, ast.Dict):
                    continue
                fields = {
                    _string(k): v for k, v in zip(element.keys, element.values, strict=True) if k
                }
                role = ROLE_NAMES.get(_string(fields.get("role")) or "", "")
                content = fields.get("content")
                text = _literal_text(content) if content is not None else None
                if role and text and content is not None:
                    found.append(Prompt(path, content.lineno, role, text))
    return found
