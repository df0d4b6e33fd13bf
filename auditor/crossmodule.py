"""Follow names across modules: the repository-level half.

Each file's analysis is a pure function of its bytes (cacheable, parallel), so
a client built in ``clients.py`` and called in ``app.py`` is unknown to both.
Every Python file records what it offers (SDK objects, factories and classes
bound at module level; string constants) and what it imports from modules
that may be the project's own (:mod:`auditor.scanners.modules`). Here those
are joined: an import is located (relative imports by folder, absolute ones
by the longest dotted-path match, the importer's own package first), followed
through re-exports, and each file that imports an SDK value, or needed as text
a name another module defines (``from config import MODEL`` for ``model=``),
is scanned again with those values known. Rounds repeat while values flow on
(a module that wraps an imported client exports the wrapper), three at most.

Only the files that import such a value are parsed again, and their second
result is cached under their bytes and the values they were given.

Model strings that name their vendor (``"groq/llama-3.1-70b-versatile"``) are
call sites of that vendor in a repository that routes calls through LiteLLM,
``init_chat_model`` or ``instructor.from_provider``, wherever the string is.
"""

from __future__ import annotations

import ast
import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from auditor.knowledge import endpoint_table, sdk_table
from auditor.model import CallSite, Export, FileFacts

ROUNDS = 3
_MODEL_PART = re.compile(r"^[a-z_]+[/:]")
MAX_HOPS = 4
# APIs that take a "vendor/model" string and route it (see find_model_strings).
_ROUTERS = ("litellm", "init_chat_model", "init_embeddings", "from_provider", "LiteLLM")

Read = Callable[[str], "bytes | None"]
CacheGet = Callable[[str, str], "FileFacts | None"]
CachePut = Callable[[str, dict[str, Any]], None]


class _Modules:
    """The repository's Python modules: where an import leads, and what each
    module offers."""

    def __init__(self, per_file: Mapping[str, FileFacts]) -> None:
        self.files = {p for p in per_file if p.endswith((".py", ".pyi"))}
        self.by_dotted: dict[str, list[str]] = {}
        for path in sorted(self.files):
            dotted = _dotted(path)
            parts = dotted.split(".")
            for cut in range(len(parts)):
                self.by_dotted.setdefault(".".join(parts[cut:]), []).append(path)
        self.sdk: dict[str, dict[str, Any]] = {}
        # The modules that offer SDK values: none, and only wanted texts and
        # endpoint texts can travel (most repositories without LLM code).
        self.offering: set[str] = set()
        self.text: dict[str, dict[str, Export]] = {}
        self.imports: dict[str, list[tuple[str, str, str]]] = {}
        self.wants: dict[str, set[tuple[str, str]]] = {}
        for path in self.files:
            self.update(path, per_file[path])

    def update(self, path: str, facts: FileFacts) -> None:
        sdk: dict[str, Any] = {}
        text: dict[str, Export] = {}
        for export in facts.exports:
            if export.kind == "sdk":
                try:
                    sdk[export.name] = json.loads(export.value)
                except ValueError:
                    continue
            elif export.kind == "text":
                text.setdefault(export.name, export)
            elif export.kind == "imports":
                self.imports[path] = _split_imports(export.value)
            elif export.kind == "wants":
                self.wants[path] = {
                    (m, n) for m, _, n in (w.rpartition(":") for w in export.value.split(";")) if m
                }
        self.sdk[path] = sdk
        if sdk:
            self.offering.add(path)
        else:
            self.offering.discard(path)
        self.text[path] = text

    def locate(self, module: str, importer: str) -> str | None:
        """The file a module name leads to from ``importer``, or None."""
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            folder = posixpath.dirname(importer)
            for _ in range(level - 1):
                folder = posixpath.dirname(folder)
            rest = module[level:].replace(".", "/")
            base = posixpath.join(folder, rest) if rest else folder
            for candidate in (f"{base}.py", f"{base}/__init__.py", f"{base}.pyi"):
                relative = candidate.lstrip("/")
                if relative in self.files:
                    return relative
            return None
        found = self.by_dotted.get(module)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        # The candidate nearest the importer (same top folders) wins.
        return max(found, key=lambda p: (_shared(p, importer), -len(p)))

    def value(self, path: str, name: str, hops: int = 0) -> Any:
        """What ``name`` is in module ``path`` (as JSON), following re-exports."""
        if hops > MAX_HOPS:
            return None
        found = self.sdk.get(path, {}).get(name)
        if found is not None:
            return found
        text = self.text.get(path, {}).get(name)
        if text is not None:
            return {"t": "text", "s": text.value, "path": text.path, "line": text.line}
        for module, imported, alias in self.imports.get(path, []):
            if alias == name and imported:
                target = self.locate(module, path)
                if target is not None and target != path:
                    return self.value(target, imported, hops + 1)
        if path.endswith("__init__.py"):  # `from pkg import module`
            sub = self.locate(f".{name}", path)
            if sub is not None and sub != path:
                return self.module_value(sub)
        return None

    def module_value(self, path: str) -> Any:
        members = self.sdk.get(path, {})
        return {"t": "module", "m": dict(members)} if members else None


def _dotted(path: str) -> str:
    stem = path.rsplit(".", 1)[0]
    if stem.endswith("/__init__") or stem == "__init__":
        stem = stem[: -len("__init__")].rstrip("/")
    return stem.replace("/", ".")


def _shared(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        count += 1
    return count


def _split_imports(value: str) -> list[tuple[str, str, str]]:
    found = []
    for item in value.split(";"):
        parts = item.split(":")
        if len(parts) == 3:
            found.append((parts[0], parts[1], parts[2]))
    return found


def _local_names(
    imports: list[tuple[str, str, str]], externs: Mapping[tuple[str, str], Any]
) -> frozenset[str]:
    """The names the given values are bound to in the importing file:
    ``from m import A as B`` binds B, ``import a.b`` binds a."""
    found = set()
    for module, name, alias in imports:
        if (module, name) in externs:
            found.add(alias or name or module.split(".", 1)[0])
    return frozenset(found)


class _Usage:
    """What a file's code reads, from one walk of its ``ast`` tree: the names,
    the attributes its calls go through on something other than
    ``self``/``cls`` (``svc.client.chat.completions.create()``) and on
    ``self``/``cls``, and the names its classes derive from. An attribute
    counts where a call goes through it or a value is taken from it (``c =
    svc.client``), not where it is only read or handed on
    (``patch.object(llm.client.chat, "create")``, ``llm.client.timeout``)."""

    def __init__(self, tree: ast.AST) -> None:
        self.names: set[str] = set()
        self.foreign: set[str] = set()
        self.own: set[str] = set()
        self.bases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                self.names.add(node.id)
            elif isinstance(node, ast.Call):
                self._chain(node.func)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.Return)):
                if node.value is not None:
                    self._chain(node.value)
            elif isinstance(node, ast.ClassDef):
                for base in node.bases:
                    root = base
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    if isinstance(root, ast.Name):
                        self.bases.add(root.id)

    def _chain(self, node: ast.AST) -> None:
        """The attributes of ``a.b(...).c.d``, each by what it is read on."""
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                receiver = node.value
                if isinstance(receiver, ast.Name) and receiver.id in {"self", "cls"}:
                    self.own.add(node.attr)
                else:
                    self.foreign.add(node.attr)
                node = receiver
            elif isinstance(node, (ast.Await, ast.Subscript)):
                node = node.value
            else:
                return


def _worth_it(
    externs: dict[tuple[str, str], Any],
    text: str,
    usage: _Usage | None = None,
    imports: list[tuple[str, str, str]] | None = None,
) -> dict[tuple[str, str], Any]:
    """The values that can change a call site in ``text``. A project class (or
    instance) travels for the SDK objects it keeps in attributes; its methods'
    calls are its own module's call sites, so an importer gains a call site
    only by reaching one of those attributes: on another object
    (``svc.client.chat...``), or on ``self`` in a class derived from it.
    Without ``.client`` in the text, no; with ``usage`` (the file's tree read
    once), ``self.client`` in a class of the file's own does not count."""
    kept = {}
    for key, value in externs.items():
        if value.get("t") in {"class", "instance"}:
            attrs = value.get("a")
            if not isinstance(attrs, dict) or not any(f".{name}" in text for name in attrs):
                continue
            if usage is not None and not usage.foreign.intersection(attrs):
                local = _local_names(imports or [], {key: value})
                if not (local & usage.bases and usage.own.intersection(attrs)):
                    continue
        kept[key] = value
    return kept


def _externs(modules: _Modules, path: str) -> dict[tuple[str, str], Any]:
    """The values a file's imports have, as far as they are worth a second
    look: SDK values always; a text when the file wanted it, or when it names
    an endpoint and the file imports an HTTP library."""
    imports = modules.imports.get(path, [])
    if not imports:
        return {}
    wants = modules.wants.get(path, set())
    http = endpoint_table()
    uses_http = any(m.split(".", 1)[0] in http.roots for m, _, _ in imports)
    if not modules.offering and not wants and not uses_http:
        return {}  # nothing the file's imports can bring
    found: dict[tuple[str, str], Any] = {}
    for module, name, _ in imports:
        target = modules.locate(module, path)
        if target is None or target == path:
            continue
        value = modules.value(target, name) if name else modules.module_value(target)
        if value is None:
            continue
        if value.get("t") == "text":
            text = str(value.get("s", ""))
            wanted = (module, name) in wants
            if not wanted and not (uses_http and any(m in text for m in http.markers)):
                continue
        found[(module, name)] = value
    return found


def link_modules(
    per_file: dict[str, FileFacts],
    read: Read,
    cache_get: CacheGet | None = None,
    cache_put: CachePut | None = None,
) -> dict[str, FileFacts]:
    """``per_file`` with names followed across modules (see the module
    docstring); files are read again through ``read`` only when they need a
    second look that the cache does not hold."""
    modules = _Modules(per_file)
    given: dict[str, str] = {}
    for _ in range(ROUNDS):
        changed = False
        for path in sorted(modules.imports):
            externs = _externs(modules, path)
            if not externs:
                continue
            digest = json.dumps(sorted((list(k), v) for k, v in externs.items()), sort_keys=True)
            if given.get(path) == digest:
                continue
            given[path] = digest
            facts = _rescan(
                path,
                per_file[path],
                externs,
                digest,
                imports=modules.imports.get(path, []),
                read=read,
                cache_get=cache_get,
                cache_put=cache_put,
            )
            if facts is None:
                continue
            per_file[path] = facts
            modules.update(path, facts)
            changed = True
        if not changed:
            break
    _model_strings(per_file)
    _one_prompt_each(per_file)
    _local_provider(per_file)
    return per_file


def _local_provider(per_file: dict[str, FileFacts]) -> None:
    """Work done in the process (BM25, a top-k, a document converter) in a
    file that calls no provider takes the repository's: the provider of its
    embeddings, else the one it calls most (see the Python scanner's
    ``_local_providers`` for the same rule within a file)."""
    sites = [s for facts in per_file.values() for s in facts.call_sites]
    if not any(s.provider == "local" for s in sites):
        return
    counts: dict[str, int] = {}
    for site in sites:
        if site.provider not in {"local", "http", "web-search"}:
            weight = 1000 if site.capability == "embedding" else 1
            counts[site.provider] = counts.get(site.provider, 0) + weight
    if not counts:
        return
    chosen = max(sorted(counts), key=lambda p: counts[p])
    for path, facts in list(per_file.items()):
        if any(s.provider == "local" for s in facts.call_sites):
            per_file[path] = replace(
                facts,
                call_sites=tuple(
                    replace(s, provider=chosen) if s.provider == "local" else s
                    for s in facts.call_sites
                ),
            )


def _one_prompt_each(per_file: dict[str, FileFacts]) -> None:
    """A prompt constant is one prompt, however many modules send it: the
    module that holds it reports it (with the API it goes to when another
    module sends it and the holder does not say), never once per importer."""
    own: dict[tuple[str, int, str], bool] = {}
    for path, facts in per_file.items():
        for p in facts.prompts:
            if p.path == path:
                key = (p.path, p.line, p.text)
                own[key] = own.get(key, False) or p.api is not None
    seen: set[tuple[str, int, str]] = set()
    sent: set[tuple[str, int, str]] = set()
    for path in sorted(per_file):
        facts = per_file[path]
        kept = []
        for p in facts.prompts:
            key = (p.path, p.line, p.text)
            if p.path != path:
                if key in seen or own.get(key):
                    continue  # the holder (or an earlier importer) reports it
                seen.add(key)
                if key in own:
                    sent.add(key)
            kept.append(p)
        if len(kept) != len(facts.prompts):
            per_file[path] = replace(facts, prompts=tuple(kept))
    if not sent:
        return
    for path, facts in list(per_file.items()):
        kept = [
            p for p in facts.prompts if not (p.path == path and (p.path, p.line, p.text) in sent)
        ]
        if len(kept) != len(facts.prompts):
            per_file[path] = replace(facts, prompts=tuple(kept))


def _rescan(
    path: str,
    facts: FileFacts,
    externs: dict[tuple[str, str], Any],
    digest: str,
    *,
    imports: list[tuple[str, str, str]],
    read: Read,
    cache_get: CacheGet | None,
    cache_put: CachePut | None,
) -> FileFacts | None:
    data = read(path)
    if data is None:
        return None
    key = hashlib.blake2b(
        b"crossmodule\0" + path.encode() + b"\0" + digest.encode() + b"\0" + data,
        digest_size=16,
    ).hexdigest()
    if cache_get is not None:
        hit = cache_get(key, path)
        if hit is not None:
            return hit
    from auditor.analyse import decode_python
    from auditor.scanners.pyguard import parse_python
    from auditor.scanners.python import scan_source

    text = decode_python(data)
    if text is None:
        return None
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    externs = _worth_it(externs, text)
    if not externs:
        return None
    usage = _Usage(tree)
    externs = _worth_it(externs, text, usage, imports)
    if not externs or not usage.names & _local_names(imports, externs):
        # Imported only to be re-exported (a package's __init__) or not used:
        # the names cannot change a call site, and libcst's parse (the dear
        # half of a scan) is skipped. Annotations count as uses: a parameter
        # typed with an imported wrapper is how its calls are followed.
        return None
    code = scan_source(path, text, tree=tree, externs=externs)
    if code.errors:
        return None
    kept = tuple(e for e in facts.exports if e.kind in {"imports", "text"})
    updated = replace(
        facts,
        parsed=True,
        call_sites=tuple(code.call_sites),
        prompts=tuple(
            {(p.path, p.line, p.role, p.text): p for p in (*facts.prompts, *code.prompts)}.values()
        ),
        exports=kept + tuple(code.exports),
    )
    # What is cached and returned is redacted as the per-file analysis is (the
    # cache never holds a secret; a cached run sees what a fresh one sees).
    from auditor.scanners.text import redact_json

    clean = FileFacts.from_dict(dict(redact_json(updated.to_dict()))).with_path(path)
    prompts = {(p.path, p.line, p.role, p.text): p for p in clean.prompts}
    clean = replace(clean, prompts=tuple(prompts.values()))
    if cache_put is not None:
        cache_put(key, clean.to_dict())
    return clean


def _model_strings(per_file: dict[str, FileFacts]) -> None:
    """Vendor-prefixed model strings become call sites when the repository
    routes calls by such strings (LiteLLM, init_chat_model, from_provider)."""
    routes = any(
        site.provider == "litellm" or any(r in site.api for r in _ROUTERS)
        for facts in per_file.values()
        for site in facts.call_sites
    )
    if not routes:
        return
    prefixes = sdk_table().model_prefixes
    used = {
        (site.provider, site.model)
        for facts in per_file.values()
        for site in facts.call_sites
        if site.model
    }
    for path, facts in list(per_file.items()):
        strings = [r for r in facts.data_refs if r.role == "model-string"]
        if not strings:
            continue
        known = {(s.line, s.provider) for s in facts.call_sites}
        added: list[CallSite] = []
        for ref in strings:
            if ref.detail not in prefixes.values() or (ref.line, ref.detail) in known:
                continue
            model = _MODEL_PART.sub("", ref.target, count=1)
            if (ref.detail, model) in used:
                continue  # the call that takes this string names it already
            capability = "embedding" if "embed" in model.lower() else "chat"
            added.append(
                CallSite(
                    path=path,
                    line=ref.line,
                    column=1,
                    end_line=ref.line,
                    end_column=1,
                    provider=ref.detail,
                    capability=capability,
                    api="model-string",
                    model=None if "{" in model else model,
                )
            )
            known.add((ref.line, ref.detail))
        if added:
            per_file[path] = replace(facts, call_sites=(*facts.call_sites, *added))
