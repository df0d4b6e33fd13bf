"""Knowledge corpora and training data: which files the code loads, pastes or
trains on, and how big they are.

A corpus is what code *uses*: folders and globs handed to document loaders,
files read into prompts, documents globbed by code that calls an LLM. A
library's own documentation is not a corpus unless code loads it. Sizes come
from the file list (no file is read twice); tokens are estimates.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.model import JSON, DataRef, Dataset, Evidence
from auditor.scanners.history import glob_regex, is_glob

# Documents: what a knowledge corpus is made of.
DOC_SUFFIXES = frozenset(
    {
        ".md",
        ".mdx",
        ".markdown",
        ".txt",
        ".rst",
        ".adoc",
        ".org",
        ".tex",
        ".pdf",
        ".html",
        ".htm",
        ".xml",
        ".csv",
        ".tsv",
        ".docx",
        ".doc",
        ".pptx",
        ".xlsx",
        ".epub",
        ".json",
        ".jsonl",
        ".yaml",
        ".yml",
    }
)
# Formats whose bytes are mostly not text: about a fifth of the bytes is text.
PACKED_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".pptx", ".xlsx", ".epub"})
PACKED_TEXT_SHARE = 0.2
CHARS_PER_TOKEN = 4
# Files read by code that are about the project, not knowledge for the model.
_PROJECT_FILES = re.compile(
    r"^(readme|license|licence|changelog|changes|history|contributing|authors|notice|"
    r"copying|version|manifest|requirements)([._-].*)?$",
    re.IGNORECASE,
)


def suffix(path: str) -> str:
    return posixpath.splitext(path)[1].lower()


def approx_file_tokens(path: str, size: int) -> int:
    """Estimated tokens of a document from its size (about 4 characters a
    token; packed formats such as PDF carry about a fifth of their bytes as text)."""
    chars = size * PACKED_TEXT_SHARE if suffix(path) in PACKED_SUFFIXES else size
    return int(-(-chars // CHARS_PER_TOKEN))


def match(target: str, files: Sequence[str]) -> list[str]:
    """The files a target names: itself, everything under a folder, or a glob."""
    target = target.strip("/")
    if target in {"", "."}:
        return []
    if is_glob(target):
        regex = glob_regex(target, inside=False)
        return [f for f in files if regex.fullmatch(f)]
    prefix = target + "/"
    return [f for f in files if f == target or f.startswith(prefix)]


@dataclass(frozen=True)
class Corpus:
    """The knowledge the code loads or pastes: targets, matched files, size."""

    paths: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    bytes: int = 0
    approx_tokens: int = 0
    evidence: tuple[Evidence, ...] = ()

    def to_report(self) -> JSON:
        return {
            "paths": list(self.paths),
            "files": len(self.files),
            "bytes": self.bytes,
            "approx_tokens": self.approx_tokens,
        }


def is_document(path: str) -> bool:
    name = path.rpartition("/")[2]
    return suffix(path) in DOC_SUFFIXES and not _PROJECT_FILES.match(name)


def knowledge_refs(
    refs: Iterable[DataRef], llm_files: set[str], training: set[str]
) -> list[DataRef]:
    """The references that name knowledge: loader targets and pasted files
    always; globs and reads only in files that call an LLM, of documents."""
    chosen: list[DataRef] = []
    for ref in refs:
        if not ref.target or ref.target in training:
            continue
        if ref.role in {"load", "prompt"}:
            chosen.append(ref)
        elif ref.role in {"glob", "read"} and ref.path in llm_files:
            name = ref.target.rpartition("/")[2]
            if _PROJECT_FILES.match(name):
                continue
            folder_glob = ref.role == "glob" and not suffix(name)
            if suffix(ref.target) in DOC_SUFFIXES or folder_glob:
                chosen.append(ref)
    return chosen


def corpus(
    refs: Sequence[DataRef],
    sizes: dict[str, int],
    *,
    configured: Sequence[str] = (),
    exclude: set[str] | None = None,
) -> Corpus:
    """The corpus that ``refs`` (or the configured ``knowledge-paths``) name."""
    names = sorted(sizes)
    exclude = exclude or set()
    targets = list(configured) if configured else sorted({r.target for r in refs})
    files: set[str] = set()
    kept: list[str] = []
    for target in targets:
        found = [f for f in match(target, names) if is_document(f) and f not in exclude]
        if found:
            kept.append(target)
            files.update(found)
    evidence = tuple(
        Evidence(r.path, r.line, f"{_verb(r)} {r.target}") for r in refs if r.target in kept
    )
    ordered = tuple(sorted(files))
    return Corpus(
        paths=tuple(kept),
        files=ordered,
        bytes=sum(sizes[f] for f in ordered),
        approx_tokens=sum(approx_file_tokens(f, sizes[f]) for f in ordered),
        evidence=evidence,
    )


def _verb(ref: DataRef) -> str:
    return {
        "load": f"{ref.detail or 'a loader'} loads",
        "prompt": "pasted into a prompt:",
        "glob": "lists",
        "read": "reads",
    }.get(ref.role, ref.role)


def training_sets(
    datasets: Sequence[Dataset],
    configured: Sequence[str] = (),
) -> list[Dataset]:
    """Training data: datasets recognised by content (evaluation sets left
    out), limited to the configured ``training-paths`` when set."""
    chosen = [d for d in datasets if d.split != "eval"]
    if configured:
        names = [d.path for d in chosen]
        allowed = {f for target in configured for f in match(target, names)}
        return [d for d in chosen if d.path in allowed]
    return chosen
