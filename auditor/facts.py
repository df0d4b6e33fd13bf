"""RepoFacts: everything rules may look at, computed once and on demand."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from auditor.config import Config
from auditor.discover import SourceFile
from auditor.model import CallSite, FileFacts, Prompt, Secret
from auditor.scanners.text import LINE_BREAK

TRAINING_CAPABILITIES = frozenset({"fine-tune", "training"})
RETRIEVAL_CAPABILITIES = frozenset({"vector-store", "retriever", "embedding", "document-loader"})
GENERATION_CAPABILITIES = frozenset({"chat", "completion"})


class RepoFacts:
    def __init__(
        self,
        root: Path,
        config: Config,
        files: list[SourceFile],
        per_file: Mapping[str, FileFacts],
    ) -> None:
        self.root = root
        self.config = config
        self.files = files
        self.per_file = per_file
        self._lines: dict[str, list[str]] = {}

    @functools.cached_property
    def call_sites(self) -> tuple[CallSite, ...]:
        sites = [site for facts in self.per_file.values() for site in facts.call_sites]
        return tuple(sorted(sites, key=lambda s: (s.path, s.line, s.column, s.api)))

    @functools.cached_property
    def prompts(self) -> tuple[Prompt, ...]:
        found = [p for facts in self.per_file.values() for p in facts.prompts]
        return tuple(sorted(found, key=lambda p: (p.path, p.line, p.role)))

    @functools.cached_property
    def secrets(self) -> tuple[Secret, ...]:
        found = [s for facts in self.per_file.values() for s in facts.secrets]
        return tuple(sorted(found, key=lambda s: (s.path, s.line, s.column)))

    @functools.cached_property
    def providers(self) -> tuple[str, ...]:
        return tuple(sorted({site.provider for site in self.call_sites}))

    @functools.cached_property
    def python_files(self) -> int:
        return sum(1 for f in self.files if f.path.endswith((".py", ".pyi", ".ipynb")))

    @functools.cached_property
    def current_approach(self) -> str:
        """What the code does today, from its call sites alone."""
        capabilities = {site.capability for site in self.call_sites}
        trains = bool(capabilities & TRAINING_CAPABILITIES) or any(
            site.fine_tuned for site in self.call_sites
        )
        retrieves = bool(capabilities & RETRIEVAL_CAPABILITIES)
        if trains and retrieves:
            return "hybrid"
        if trains:
            return "fine-tune"
        if retrieves:
            return "rag"
        if capabilities & GENERATION_CAPABILITIES or capabilities:
            return "prompting"
        return "none"

    def text(self, path: str) -> str | None:
        """A file's text (UTF-8, undecodable bytes replaced), or None if unreadable."""
        try:
            return (self.root / path).read_bytes().decode("utf-8", "replace")
        except OSError:
            return None

    def line(self, path: str, line: int) -> str:
        """One line of a file (1-based), or "" when there is no such line."""
        lines = self._lines.get(path)
        if lines is None:
            text = self.text(path)
            lines = LINE_BREAK.split(text) if text is not None else []
            self._lines[path] = lines
        return lines[line - 1] if 0 < line <= len(lines) else ""
