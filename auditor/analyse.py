"""Per-file analysis: a pure function of a file's path and bytes.

Every file gets the text scans (secrets, suppression comments). Python files
are checked for syntax with ``ast`` (cheap), and only those that import a
known SDK go through the libcst pass. The result is a :class:`FileFacts`,
which the engine caches by content hash.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import functools
import gc
import io
import re
import tokenize
from collections.abc import Iterator
from typing import Any

from auditor.knowledge import SdkTable, endpoint_table, import_statements, sdk_table
from auditor.model import (
    Component,
    DataRef,
    Dataset,
    FileFacts,
    ManifestFacts,
    PythonFacts,
    ScanError,
    StoreExposure,
)
from auditor.scanners.data import is_dataset_candidate, sniff_dataset
from auditor.scanners.datarefs import find_data_refs, find_prompt_constants
from auditor.scanners.modules import find_model_strings, import_links, text_exports
from auditor.scanners.schedules import find_schedules
from auditor.scanners.storeclients import STORE_CLIENT_TOKENS, find_store_clients
from auditor.scanners.stores import find_stores
from auditor.scanners.text import (
    find_secrets,
    find_suppressions,
    python_comment_lines,
    redact_json,
    scannable_text,
    utf16_encoding,
)
from auditor.scanners.trainconf import python_training_data

# Bump when a change to the scanners changes what they report: old cache
# entries are then ignored.
# 13: the key table and redacted facts (hostile), the verdict's and the inventory's new facts.
# 14: inventory reach: a Wikipedia page fetched by exact title is no search,
#     Haystack web search, openai < 1.0 sent to Azure by `openai.api_type`,
#     `embeddings = model(**batch)` on a model ragfit cannot follow.
ANALYSIS_VERSION = "16"
BINARY_SNIFF = 8192


_MANIFESTS = {
    "Pipfile.lock": "pipfile-lock",
    "poetry.lock": "poetry-lock",
    "uv.lock": "uv-lock",
    "pylock.toml": "pylock",
    "pyproject.toml": "pyproject",
    "setup.cfg": "setup-cfg",
    "Pipfile": "pipfile",
    "pip.conf": "pip-conf",
    "pip.ini": "pip-conf",
}
_REQUIREMENTS_FOLDERS = frozenset({"requirements", "reqs", "requirements.d"})


def is_requirements_file(path: str) -> bool:
    """``requirements*.txt``, ``dev-requirements.in``, ``constraints.txt``, or any
    ``.txt``/``.in`` in a ``requirements/`` folder (pip-tools layouts)."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    if not lower.endswith((".txt", ".in")):
        return False
    stem = lower.rsplit(".", 1)[0]
    if "requirements" in stem or stem.startswith(("constraints", "reqs")):
        return True
    return folder.rpartition("/")[2].lower() in _REQUIREMENTS_FOLDERS


@functools.lru_cache(maxsize=65536)
def analysis_kind(path: str) -> str:
    """What decides how a file is analysed, apart from its bytes (asked several
    times a file: remembered)."""
    name = path.rpartition("/")[2]
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if suffix in {"py", "pyi"}:
        return "python"
    if suffix == "ipynb":
        return "notebook"
    if name in _MANIFESTS:
        return _MANIFESTS[name]
    if is_requirements_file(path):
        return "requirements"
    infra = infra_kind(path)
    if infra is not None:
        return infra
    if is_dataset_candidate(path):
        return "dataset"
    return "text"


def _decode_python(data: bytes) -> tuple[str | None, str]:
    """Decode as Python does: a BOM or coding cookie, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return None, f"cannot decode: {exc.msg}"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        if encoding in {"utf-8", "utf-8-sig"}:
            return None, "not valid UTF-8 and no coding cookie"
        return None, f"not valid {encoding} (from its coding cookie)"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, ""


def decode_python(data: bytes) -> str | None:
    """A Python file's text as the parser sees it, or None when it cannot be decoded."""
    return _decode_python(data)[0]


def _decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8", "replace")


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsers allocate millions of short-lived objects and no cycles worth
    collecting mid-file; pausing the cyclic GC makes a parse 20-30% faster."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def analyse(path: str, data: bytes) -> FileFacts:
    """A file's facts. A scanner's bug on one file is that file's ``errors``
    entry (its keys still found), never the end of the scan: a repository is
    hostile, and in one process (``--jobs 1``) nothing else would catch it."""
    with _gc_paused():
        try:
            return _analyse(path, data)
        except Exception as exc:  # any scanner bug, reported
            error = ScanError(path, "internal-error", f"analysis failed ({type(exc).__name__})")
    try:
        secrets = tuple(find_secrets(path, data.decode("utf-8", "replace")))
    except Exception:  # the entry above already says it
        secrets = ()
    return FileFacts(path, errors=(error,), secrets=secrets)


def analyse_for_cache(path: str, data: bytes) -> dict[str, Any]:
    """``analyse`` as the JSON-ready dict that is cached and sent between
    processes, with every string redacted (prompt text, URLs, names, the path):
    the cache never holds a secret, and a cached run sees what a fresh one sees."""
    return dict(redact_json(analyse(path, data).to_dict()))


def _analyse(path: str, data: bytes) -> FileFacts:
    kind = analysis_kind(path)
    if b"\0" in data[:BINARY_SNIFF]:
        # Binary content, or text with a NUL in it (a UTF-16 .env, a log with a
        # stray NUL): not parsed, but scanned for secrets when it is text.
        scanned = scannable_text(data)
        hits = tuple(find_secrets(path, scanned)) if scanned is not None else ()
        if kind != "text" and utf16_encoding(data) is None:
            error = ScanError(path, "binary", "binary content; not read")
            return FileFacts(path, secrets=hits, errors=(error,))
        if kind != "text":
            error = ScanError(path, "binary", "UTF-16 text; not parsed, scanned for secrets only")
            return FileFacts(path, secrets=hits, errors=(error,))
        return FileFacts(path, secrets=hits)
    if kind == "python":
        text, problem = _decode_python(data)
        if text is None:  # not parsed, but a key in it is still a key
            hits = tuple(find_secrets(path, _decode_text(data), data))
            error = ScanError(path, "decode-error", problem)
            return FileFacts(path, secrets=hits, errors=(error,))
    elif kind in MANIFEST_KINDS:
        try:  # a manifest must be text that pip and the build tools can read
            text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"not valid UTF-8 (byte {exc.start}); dependencies not read"
            hits = tuple(find_secrets(path, _decode_text(data), data))
            return FileFacts(path, secrets=hits, errors=(ScanError(path, "decode-error", message),))
    else:
        text = _decode_text(data)
    secrets = find_secrets(path, text, data)
    suppressions = find_suppressions(text)
    if suppressions and kind == "python":  # only real comments, not docstrings
        comments = python_comment_lines(text)
        if comments is not None:
            suppressions = [s for s in suppressions if s[0] in comments]
    code = PythonFacts()
    refs: list[DataRef] = []
    tree: ast.Module | None = None
    table = sdk_table()
    if kind == "python":
        code, refs, tree = _python(path, text, data, table)
    elif kind == "notebook" and (
        any(root.encode() in data for root in table.roots)
        or any(marker.encode() in data for marker in table.markers)
        or endpoint_table().worth_parsing(text)
    ):
        from auditor.scanners.notebooks import scan_notebook

        code = scan_notebook(path, text)
    elif kind == "notebook":
        code = _notebook_syntax_only(path, text)
    else:
        _training_configs(kind, path, text, code, refs)
    manifest = parse_manifest(kind, path, text) if kind in MANIFEST_KINDS else ManifestFacts()
    schedules, schedule_errors = find_schedules(path, text, tree=tree)
    if kind != "workflow":  # the workflow parser reports a broken workflow once
        manifest.errors.extend(schedule_errors)
    datasets: list[Dataset] = []
    if kind == "dataset":
        found, problems = sniff_dataset(path, text)
        datasets = [found] if found is not None else []
        manifest.errors.extend(problems)
    components, infra_errors = parse_infra(kind, path, text) if kind in INFRA_KINDS else ([], [])
    stores = _stores(kind, path, text, data, tree)
    return FileFacts(
        path=path,
        parsed=code.parsed,
        imports=tuple(code.imports),
        call_sites=tuple(code.call_sites),
        prompts=tuple(code.prompts),
        secrets=tuple(secrets),
        suppressions=tuple(suppressions),
        errors=(*code.errors, *manifest.errors, *infra_errors),
        dependencies=tuple(manifest.dependencies),
        indexes=tuple(manifest.indexes),
        includes=tuple(manifest.includes),
        data_refs=tuple(refs),
        datasets=tuple(datasets),
        schedules=tuple(schedules),
        components=tuple(components),
        stores=tuple(stores),
        exports=tuple(code.exports),
    )


# Bytes a YAML file must hold to be read for vector stores (SC010): a store's
# image, or a Kubernetes Service that publishes pods.
_STORE_YAML_TOKENS = (
    b"qdrant",
    b"chroma",
    b"weaviate",
    b"milvus",
    b"redis",
    b"postgres",
    b"pgvector",
    b"timescale",
    b"mongo",
    b"elasticsearch",
    b"opensearch",
    b"LoadBalancer",
    b"NodePort",
    b"externalIPs",
)


def _stores(
    kind: str, path: str, text: str, data: bytes, tree: ast.Module | None
) -> list[StoreExposure]:
    """Vector stores the file starts or connects to with their data open (SC010)."""
    if kind == "python":
        if tree is None or not any(token in data for token in STORE_CLIENT_TOKENS):
            return []
        return find_store_clients(path, tree)
    if kind in {"compose", "dockerfile"} or (
        kind == "text"
        and path.lower().endswith((".yaml", ".yml"))
        and any(token in data for token in _STORE_YAML_TOKENS)
    ):
        return find_stores(kind, path, text)
    return []


MANIFEST_KINDS = frozenset(
    {
        "requirements",
        "pyproject",
        "setup-cfg",
        "pipfile",
        "pip-conf",
        "pipfile-lock",
        "poetry-lock",
        "uv-lock",
        "pylock",
    }
)


def parse_manifest(kind: str, path: str, text: str) -> ManifestFacts:
    """The dependencies, indexes and includes a manifest declares (never runs it)."""
    if kind == "requirements":
        from auditor.scanners.requirements import parse_requirements

        return parse_requirements(path, text)
    if kind.endswith("-lock") or kind == "pylock":
        from auditor.scanners.locks import (
            parse_pipfile_lock,
            parse_poetry_lock,
            parse_pylock,
            parse_uv_lock,
        )

        lock_parser = {
            "pipfile-lock": parse_pipfile_lock,
            "poetry-lock": parse_poetry_lock,
            "uv-lock": parse_uv_lock,
            "pylock": parse_pylock,
        }[kind]
        return lock_parser(path, text)
    from auditor.scanners.manifests import (
        parse_pip_conf,
        parse_pipfile,
        parse_pyproject,
        parse_setup_cfg,
    )

    parser = {
        "pyproject": parse_pyproject,
        "setup-cfg": parse_setup_cfg,
        "pipfile": parse_pipfile,
        "pip-conf": parse_pip_conf,
    }[kind]
    return parser(path, text)


def _python(
    path: str, text: str, data: bytes, table: SdkTable
) -> tuple[PythonFacts, list[DataRef], ast.Module | None]:
    """One ``ast`` parse for every file (syntax check, data references,
    schedules: the tree is returned for them); the libcst pass only for files
    that import a known SDK."""
    from auditor.scanners.pyguard import parse_python

    try:
        tree: ast.Module | None = parse_python(text)  # a large file in groups
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    imports = import_statements(tree) if tree is not None else None
    llm_file = table.worth_parsing(text, tree, imports)  # decoded text: no byte-order mark
    code = PythonFacts()
    if llm_file or tree is None:
        # libcst is imported only when a file needs it: warm runs never do. It
        # also confirms a syntax error, since it knows newer grammar than an old
        # interpreter, and reports it in the same words as for SDK files.
        from auditor.scanners.python import scan_source

        code = (
            scan_source(path, text, table=table, tree=tree) if llm_file else scan_source(path, text)
        )
    refs = find_data_refs(path, tree, llm_file=llm_file, text=text) if tree is not None else []
    if tree is not None and not llm_file:
        code.prompts.extend(find_prompt_constants(path, tree))
    # What other modules may import from this one, and what it imports from
    # them (joined for the repository in auditor.crossmodule).
    links = import_links(path, text, tree, imports)
    if links is not None:
        code.exports.append(links)
    if tree is not None:
        code.exports.extend(text_exports(path, tree))
    refs.extend(find_model_strings(path, text))
    if tree is not None:
        refs.extend(python_training_data(path, tree, text))
    return code, refs, tree


_CONFIG_SUFFIXES = (".yaml", ".yml", ".json")
_SHELL_SUFFIXES = (".sh", ".bash", ".mk")
MAX_CONFIG_BYTES = 256 * 1024


def _training_configs(
    kind: str, path: str, text: str, code: PythonFacts, refs: list[DataRef]
) -> None:
    """Training configurations (YAML, JSON) and training commands (shell,
    Makefiles): training call sites and the training data they name."""
    if kind not in {"text", "dataset"} or len(text) > MAX_CONFIG_BYTES:
        return
    name = path.rpartition("/")[2]
    lower = name.lower()
    if lower.endswith(_CONFIG_SUFFIXES):
        from auditor.scanners.trainconf import scan_config

        sites, found = scan_config(path, text)
    elif lower.endswith(_SHELL_SUFFIXES) or name in {"Makefile", "makefile", "GNUmakefile"}:
        from auditor.scanners.trainconf import scan_shell

        sites, found = scan_shell(path, text)
    else:
        return
    code.call_sites.extend(sites)
    refs.extend(found)


def _notebook_syntax_only(path: str, text: str) -> PythonFacts:
    """A notebook with no SDK in it: only whether it is a notebook at all."""
    from auditor.scanners.notebooks import load_cells

    _, error = load_cells(path, text)
    return PythonFacts(errors=[error] if error else [])


def analyse_batch(items: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """Worker entry point: JSON-ready dicts (no pickled classes cross processes)."""
    return [analyse_for_cache(path, data) for path, data in items]


INFRA_KINDS = frozenset({"compose", "dockerfile", "terraform", "version-file", "workflow", "helm"})
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]*)?\.ya?ml")


def infra_kind(path: str) -> str | None:
    """The infrastructure files the ``infra`` scanners read, by name: compose files,
    Dockerfiles, Terraform, tool-version files, GitHub workflows, Helm charts."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    if _COMPOSE_NAME.fullmatch(lower):
        return "compose"
    if lower in {"dockerfile", "containerfile"} or lower.endswith(".dockerfile"):
        return "dockerfile"
    if lower.startswith(("dockerfile.", "containerfile.")):
        return "dockerfile"
    if lower.endswith(".tf"):
        return "terraform"
    if name in {".terraform-version", ".tool-versions"}:
        return "version-file"
    if name == "Chart.yaml":
        return "helm"
    in_workflows = folder == ".github/workflows" or folder.endswith("/.github/workflows")
    if lower.endswith((".yml", ".yaml")) and in_workflows:
        return "workflow"
    return None


def parse_infra(kind: str, path: str, text: str) -> tuple[list[Component], list[ScanError]]:
    """The components an infrastructure file declares (never runs or fetches anything)."""
    from auditor.scanners import infra

    parser = {
        "compose": infra.parse_compose,
        "dockerfile": infra.parse_dockerfile,
        "terraform": infra.parse_terraform,
        "version-file": infra.parse_version_file,
        "workflow": infra.parse_workflow,
        "helm": infra.parse_helm_chart,
    }[kind]
    return parser(path, text)
