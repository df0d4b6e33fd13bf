"""The data ragfit passes between its stages: facts, findings and the report.

Everything here is a plain frozen dataclass. Per-file facts are turned into
JSON-compatible dicts (``to_dict``/``from_dict``) so that they can be cached by
content hash and sent between worker processes without pickle.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

_NAME_SEPARATORS = re.compile(r"[-_.]+")


def normalise_name(name: str) -> str:
    """PEP 503: case, ``-``, ``_`` and ``.`` do not tell package names apart."""
    return _NAME_SEPARATORS.sub("-", name).lower()


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "str": (str,),
    "bool": (bool,),
    "str | None": (str, type(None)),
    "tuple[str, ...]": (tuple,),
}


def _build(cls: type[Any], data: Any) -> Any:
    """``cls(**data)`` after checking each field's type: cached facts are input."""
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__}: not a mapping")
    for name, hint in cls.__annotations__.items():
        allowed = _FIELD_TYPES.get(hint)
        value = data.get(name)
        wrong = not isinstance(value, allowed or object) or (
            hint == "int" and isinstance(value, bool)
        )
        if allowed is not None and name in data and wrong:
            raise TypeError(f"{cls.__name__}.{name}: wrong type")
    return cls(**data)


class Severity(enum.IntEnum):
    """Ordered so that ``--fail-on`` is a comparison."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or note)"
            ) from None


@dataclass(frozen=True)
class Location:
    """A place in the repository: a relative POSIX path and a 1-based region."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int
    detail: str

    def to_dict(self) -> JSON:
        return {"path": self.path, "line": self.line, "detail": self.detail}


@dataclass(frozen=True)
class CallSite:
    """One call into an LLM, embedding, vector store or training API."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    provider: str
    capability: str
    api: str
    model: str | None = None
    fine_tuned: bool = False
    # What a training or fine-tuning call trains: ``llm``, ``embedding-model``,
    # ``reranker`` or ``classifier`` (None when unknown or not training).
    trained: str | None = None
    # The host a call goes to when the code names it (a base URL, an HTTP
    # endpoint): kept for ``openai-compatible`` servers and HTTP calls.
    host: str | None = None

    def to_dict(self) -> JSON:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "provider": self.provider,
            "capability": self.capability,
            "api": self.api,
            "model": self.model,
            "fine_tuned": self.fine_tuned,
            "trained": self.trained,
            "host": self.host,
        }

    def to_report(self) -> JSON:
        """The fields of the JSON contract (schema v1)."""
        data = self.to_dict()
        del data["end_line"], data["end_column"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallSite:
        built: CallSite = _build(cls, data)
        return built

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column, self.end_line, self.end_column)


# A chat message's role as SDKs spell it -> the role a Prompt records.
ROLE_NAMES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "model": "assistant",
}


@dataclass(frozen=True)
class Prompt:
    """Prompt text found as a literal or a constant: a fact for the adaptation rules.

    ``role`` is ``system``, ``user``, ``assistant`` (few-shot answers), or
    ``template`` for prompt templates whose role is not stated.
    """

    path: str
    line: int
    role: str
    text: str
    api: str | None = None

    def to_dict(self) -> JSON:
        return {
            "path": self.path,
            "line": self.line,
            "role": self.role,
            "text": self.text,
            "api": self.api,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Prompt:
        built: Prompt = _build(cls, data)
        return built


@dataclass(frozen=True)
class Secret:
    """A credential found in a file. ``redacted`` is the only form ever shown."""

    path: str
    line: int
    column: int
    end_column: int
    kind: str
    redacted: str
    digest: str

    def to_dict(self) -> JSON:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_column": self.end_column,
            "kind": self.kind,
            "redacted": self.redacted,
            "digest": self.digest,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Secret:
        built: Secret = _build(cls, data)
        return built


@dataclass(frozen=True)
class ScanError:
    """A file that could not be read or parsed, or a rule that crashed."""

    path: str
    kind: str
    message: str

    def to_dict(self) -> JSON:
        return {"path": self.path, "kind": self.kind, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScanError:
        built: ScanError = _build(cls, data)
        return built


@dataclass(frozen=True)
class Dependency:
    """One declared dependency, where it is declared.

    ``kind``: ``pypi`` (a name from an index), ``vcs`` (``git+...``), ``url`` (an
    archive) or ``path`` (a local directory or file). ``group``: ``main``,
    ``optional:<extra>``, ``group:<name>`` (PEP 735, Poetry groups), ``dev`` or
    ``constraint`` (a ``-c`` file: limits versions, installs nothing).
    """

    name: str
    specifier: str
    version: str | None
    pinned: bool
    kind: str
    path: str
    line: int
    source: str  # requirements, pyproject, poetry, uv, setup.cfg, pipfile
    group: str = "main"
    extras: tuple[str, ...] = ()
    marker: str | None = None
    url: str | None = None
    ref: str | None = None  # a VCS revision (after `@`)
    hashes: bool = False  # --hash given, or an archive URL with #sha256=
    # A lock file's ``algorithm:hex`` digests of the package's files (CycloneDX).
    digests: tuple[str, ...] = ()
    editable: bool = False
    license: str | None = None
    license_source: str | None = None
    license_category: str | None = None
    # The release whose license ``license`` is, when not this one's own (the
    # latest release's for an old pin, or the installed version's).
    license_release: str | None = None
    # A locked package's own dependencies, from the lock file's graph: names
    # (PEP 503), and ``extra/name`` for those that only an extra installs.
    requires: tuple[str, ...] = ()

    def to_dict(self) -> JSON:
        data = dict(vars(self))
        data["extras"] = list(self.extras)
        data["digests"] = list(self.digests)
        data["requires"] = list(self.requires)
        return data

    def to_report(self) -> JSON:
        """The fields of the JSON contract (schema v1)."""
        return {
            "name": self.name,
            "specifier": self.specifier,
            "version": self.version,
            "pinned": self.pinned,
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "license": self.license,
            "license_source": self.license_source,
            "license_category": self.license_category,
            "license_release": self.license_release,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dependency:
        fields = dict(data)
        fields["extras"] = tuple(fields.get("extras", ()))
        fields["digests"] = tuple(fields.get("digests", ()))
        fields["requires"] = tuple(fields.get("requires", ()))
        built: Dependency = _build(cls, fields)
        return built


@dataclass(frozen=True)
class IndexOption:
    """Where packages come from, other than PyPI alone: ``--index-url``,
    ``--extra-index-url``, ``--find-links``, ``pip.conf``, Poetry sources, uv
    indexes. ``option`` names it as written (``extra-index-url``, ``source``)."""

    path: str
    line: int
    option: str
    url: str

    def to_dict(self) -> JSON:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IndexOption:
        built: IndexOption = _build(cls, data)
        return built


@dataclass(frozen=True)
class Include:
    """A requirements file's ``-r other.txt`` (or ``-c`` when ``constraint``);
    ``target`` is relative to the including file's folder, as written."""

    path: str
    line: int
    target: str
    constraint: bool = False

    def to_dict(self) -> JSON:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Include:
        built: Include = _build(cls, data)
        return built


@dataclass(frozen=True)
class Component:
    """One piece of infrastructure a repository names, and the version it asks for.

    ``kind``: ``image``, ``terraform``, ``terraform-provider``, ``action``,
    ``tool`` or ``helm-chart``. ``version`` is the tag or constraint as written
    (``latest`` for an image without tag or digest), ``None`` when absent.
    ``registry`` is ``None`` for Docker Hub and the public Terraform registry
    (for a Helm chart: its repository).
    """

    kind: str
    name: str
    version: str | None
    path: str
    line: int
    registry: str | None = None
    digest: str | None = None

    def to_dict(self) -> JSON:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Component:
        built: Component = _build(cls, data)
        return built


@dataclass(frozen=True)
class StoreExposure:
    """A vector store that one file sets up or connects to without authentication.

    ``origin``: ``compose``, ``kubernetes``, ``helm``, ``dockerfile`` or
    ``client`` (code that connects to it), or ``service`` for a Kubernetes
    Service that publishes pods (``labels`` is then its selector). ``name`` is
    the compose service, workload, chart, image or client call. ``reach`` says
    how it is reachable (empty for a Kubernetes workload that only a Service can
    publish; ``labels`` are then its pod labels, ``key=value``), ``auth`` why
    nothing stops a stranger, ``fix`` the setting that turns authentication on.
    ``general``: a general-purpose database, which is a vector store only when
    the repository uses it as one.
    """

    path: str
    line: int
    column: int
    store: str
    title: str
    origin: str
    name: str
    reach: str
    auth: str
    fix: str
    general: bool = False
    labels: tuple[str, ...] = ()

    def to_dict(self) -> JSON:
        data = dict(vars(self))
        data["labels"] = list(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoreExposure:
        fields = dict(data)
        fields["labels"] = tuple(fields.get("labels", ()))
        built: StoreExposure = _build(cls, fields)
        return built


@dataclass
class ManifestFacts:
    """What a manifest parser finds in one file."""

    dependencies: list[Dependency] = field(default_factory=list)
    indexes: list[IndexOption] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)


@dataclass
class PythonFacts:
    """What the code scanners find in one Python file or notebook."""

    call_sites: list[CallSite] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    parsed: bool = False
    exports: list[Export] = field(default_factory=list)


@dataclass(frozen=True)
class DataRef:
    """A file, folder or glob that code loads, reads, writes, trains on or pastes
    into a prompt (see :mod:`auditor.scanners.datarefs` for the roles)."""

    path: str
    line: int
    role: str
    target: str
    detail: str = ""

    def to_dict(self) -> JSON:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataRef:
        built: DataRef = _build(cls, data)
        return built


@dataclass(frozen=True)
class Export:
    """What one module offers the others, for the repository-level pass that
    follows names across modules (:mod:`auditor.crossmodule`).

    ``kind``: ``sdk`` (a module-level name bound to an SDK object, factory or
    class: ``value`` is it as JSON), ``text`` (a string constant: ``value`` is
    the string), ``imports`` (the file's imports of modules that may be the
    project's own, one entry a file: ``module:name:alias`` separated by ``;``,
    ``module`` as written, relative dots kept) or ``wants`` (names imported
    from such modules that the file needed as text: ``module:name`` separated
    by ``;``).
    """

    path: str
    line: int
    name: str
    kind: str
    value: str

    def to_dict(self) -> JSON:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Export:
        built: Export = _build(cls, data)
        return built


DATASET_FORMATS = ("chat", "prompt-completion", "alpaca", "sharegpt")
DATASET_SPLITS = ("train", "validation", "eval")


@dataclass(frozen=True)
class Dataset:
    """One fine-tuning dataset file: its format, size and what its answers look like.

    ``line`` is the 1-based line of the first example; ``invalid_lines`` counts
    JSONL lines (records, in a JSON list) that are not JSON or not of
    ``format``. Token counts are estimates (``approx_tokens``); the two shares
    are in [0, 1], rounded to 4 places, and come from a sample (see the module
    docstring). ``split`` is ``train``, ``validation`` or ``eval``: evaluation
    sets are not training data.
    """

    path: str
    line: int
    format: str
    examples: int
    approx_tokens: int
    invalid_lines: int
    answer_tokens_avg: int
    system_tokens_avg: int
    template_share: float
    fact_share: float
    split: str = "train"
    structured_share: float = 0.0
    context_share: float = 0.0

    def to_report(self) -> JSON:
        """The fields of the JSON contract's ``inventory.training_data`` entries."""
        return {
            "path": self.path,
            "format": self.format,
            "examples": self.examples,
            "approx_tokens": self.approx_tokens,
            "invalid_lines": self.invalid_lines,
            "split": self.split,
            "answer_tokens_avg": self.answer_tokens_avg,
            "template_share": round(self.template_share, 2),
            "fact_share": round(self.fact_share, 2),
            "structured_share": round(self.structured_share, 2),
            "context_share": round(self.context_share, 2),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "format": self.format,
            "examples": self.examples,
            "approx_tokens": self.approx_tokens,
            "invalid_lines": self.invalid_lines,
            "answer_tokens_avg": self.answer_tokens_avg,
            "system_tokens_avg": self.system_tokens_avg,
            "template_share": self.template_share,
            "fact_share": self.fact_share,
            "split": self.split,
            "structured_share": self.structured_share,
            "context_share": self.context_share,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dataset:
        """The inverse of ``to_dict``; ``TypeError``/``ValueError`` on a bad entry
        (cached facts are input)."""
        if not isinstance(data, Mapping):
            raise TypeError("Dataset: not a mapping")
        unknown = set(data) - set(_DATASET_FIELDS)
        if unknown:
            raise TypeError(f"Dataset: unknown field {sorted(unknown)[0]!r}")
        for name, kind in _DATASET_FIELDS.items():
            if name not in data:
                if name in {"split", "structured_share", "context_share"}:
                    continue
                raise TypeError(f"Dataset.{name}: missing")
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, kind):
                raise TypeError(f"Dataset.{name}: wrong type")
        for name, kind in _DATASET_FIELDS.items():
            if kind is int and data[name] < 0:
                raise ValueError(f"Dataset.{name}: negative")
        for name in ("template_share", "fact_share", "structured_share", "context_share"):
            if name in data and not 0.0 <= data[name] <= 1.0:
                raise ValueError(f"Dataset.{name}: not in [0, 1]")
        if data["format"] not in DATASET_FORMATS:
            raise ValueError(f"Dataset.format: unknown {data['format']!r}")
        split = data.get("split", "train")
        if split not in DATASET_SPLITS:
            raise ValueError(f"Dataset.split: unknown {split!r}")
        return cls(
            path=data["path"],
            line=data["line"],
            format=data["format"],
            examples=data["examples"],
            approx_tokens=data["approx_tokens"],
            invalid_lines=data["invalid_lines"],
            answer_tokens_avg=data["answer_tokens_avg"],
            system_tokens_avg=data["system_tokens_avg"],
            template_share=float(data["template_share"]),
            fact_share=float(data["fact_share"]),
            split=split,
            structured_share=float(data.get("structured_share", 0.0)),
            context_share=float(data.get("context_share", 0.0)),
        )


_DATASET_FIELDS: dict[str, type | tuple[type, ...]] = {
    "path": str,
    "line": int,
    "format": str,
    "examples": int,
    "approx_tokens": int,
    "invalid_lines": int,
    "answer_tokens_avg": int,
    "system_tokens_avg": int,
    "template_share": (int, float),
    "fact_share": (int, float),
    "split": str,
    "structured_share": (int, float),
    "context_share": (int, float),
}


@dataclass(frozen=True)
class Schedule:
    """One scheduled job.

    ``line``: 1-based line of the timing (the ``cron:`` entry, ``schedule:`` key,
    crontab line, ``OnCalendar=`` line, or the Python expression or keyword that
    sets it). ``cron``: the expression as written (for a systemd timer, the
    ``OnCalendar`` value), ``None`` when the timing is not written as one.
    ``period_days``: the approximate mean interval, ``None`` when unreadable.
    ``runs``: scripts, commands, task or function names it runs, when visible.
    """

    path: str
    line: int
    kind: str
    cron: str | None
    period_days: float | None
    runs: tuple[str, ...]
    purpose: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "kind": self.kind,
            "cron": self.cron,
            "period_days": self.period_days,
            "runs": list(self.runs),
            "purpose": self.purpose,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Schedule:
        """Build from ``to_dict`` output; ``TypeError`` on anything else (a cache
        file is input)."""
        if not isinstance(data, Mapping):
            raise TypeError("Schedule: not a mapping")
        path, line, kind = data.get("path"), data.get("line"), data.get("kind")
        cron, period = data.get("cron"), data.get("period_days")
        runs, purpose = data.get("runs"), data.get("purpose")
        if not isinstance(path, str) or not isinstance(kind, str):
            raise TypeError("Schedule.path/kind: wrong type")
        if not isinstance(purpose, str):
            raise TypeError("Schedule.purpose: wrong type")
        if not isinstance(line, int) or isinstance(line, bool):
            raise TypeError("Schedule.line: wrong type")
        if cron is not None and not isinstance(cron, str):
            raise TypeError("Schedule.cron: wrong type")
        if period is not None and (
            not isinstance(period, (int, float)) or isinstance(period, bool)
        ):
            raise TypeError("Schedule.period_days: wrong type")
        if not isinstance(runs, (list, tuple)) or not all(isinstance(r, str) for r in runs):
            raise TypeError("Schedule.runs: wrong type")
        return cls(
            path=path,
            line=line,
            kind=kind,
            cron=cron,
            period_days=None if period is None else float(period),
            runs=tuple(runs),
            purpose=purpose,
        )


@dataclass(frozen=True)
class FileFacts:
    """Everything ragfit learns from one file's bytes: a pure, cacheable value."""

    path: str
    parsed: bool = False
    imports: tuple[str, ...] = ()
    call_sites: tuple[CallSite, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    secrets: tuple[Secret, ...] = ()
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()
    errors: tuple[ScanError, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    indexes: tuple[IndexOption, ...] = ()
    includes: tuple[Include, ...] = ()
    data_refs: tuple[DataRef, ...] = ()
    datasets: tuple[Dataset, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    components: tuple[Component, ...] = ()
    stores: tuple[StoreExposure, ...] = ()
    exports: tuple[Export, ...] = ()

    def to_dict(self) -> JSON:
        data: JSON = {
            "path": self.path,
            "parsed": self.parsed,
            "imports": list(self.imports),
            "suppressions": [[line, list(ids)] for line, ids in self.suppressions],
        }
        for name in _ITEM_FIELDS:
            data[name] = [item.to_dict() for item in getattr(self, name)]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileFacts:
        if not isinstance(data, Mapping):
            raise TypeError("FileFacts: not a mapping")
        if not (data["imports"] or data["suppressions"] or any(data[n] for n in _ITEM_FIELDS)):
            return cls(path=str(data["path"]), parsed=bool(data["parsed"]))  # most files
        items = {
            name: tuple(kind.from_dict(item) for item in data[name])
            for name, kind in _ITEM_FIELDS.items()
        }
        return cls(
            path=data["path"],
            parsed=bool(data["parsed"]),
            imports=tuple(data["imports"]),
            suppressions=tuple((int(line), tuple(ids)) for line, ids in data["suppressions"]),
            **items,
        )

    def with_path(self, path: str) -> FileFacts:
        """The same facts for an identical file at another path (cache hits)."""
        if path == self.path:
            return self
        if self.is_empty:
            return FileFacts(path=path, parsed=self.parsed)
        return FileFacts.from_dict(_repath(self.to_dict(), path))

    @property
    def is_empty(self) -> bool:
        return not (
            self.imports or self.suppressions or any(getattr(self, n) for n in _ITEM_FIELDS)
        )


# FileFacts' tuples of items, each with ``path``, ``to_dict`` and ``from_dict``.
_ITEM_FIELDS: dict[str, Any] = {
    "call_sites": CallSite,
    "prompts": Prompt,
    "secrets": Secret,
    "errors": ScanError,
    "dependencies": Dependency,
    "indexes": IndexOption,
    "includes": Include,
    "data_refs": DataRef,
    "datasets": Dataset,
    "schedules": Schedule,
    "components": Component,
    "stores": StoreExposure,
    "exports": Export,
}


def _repath(data: JSON, path: str) -> JSON:
    data["path"] = path
    for key in _ITEM_FIELDS:
        for item in data[key]:
            if "path" in item:
                item["path"] = path
    return data


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    location: Location
    fingerprint: str = ""
    properties: Mapping[str, Any] = field(default_factory=dict)
    # What identifies this finding apart from its line number; empty means the
    # text of the reported line is used.
    fingerprint_key: str = ""

    def to_dict(self) -> JSON:
        loc = self.location
        return {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity.label,
            "message": self.message,
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "end_line": loc.end_line if loc.end_line is not None else loc.line,
            "end_column": loc.end_column,
            "fingerprint": self.fingerprint,
            "properties": dict(self.properties),
        }

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.column, self.rule_id)


@dataclass(frozen=True)
class Question:
    """One of the profile's four answers: a level, a score in [0, 1], the
    evidence behind it, and the question's own fields (``knowledge``,
    ``behavior``, ``domains``, ``usd``) in ``extra``."""

    level: str
    score: float = 0.0
    evidence: tuple[Evidence, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self, *, score: bool = True) -> JSON:
        data: JSON = {"level": self.level}
        if score:
            data["score"] = round(self.score, 2)
        data.update(self.extra)
        data["evidence"] = [e.to_dict() for e in self.evidence]
        return data


@dataclass(frozen=True)
class Profile:
    """The four questions of DESIGN, answered from the repository."""

    current_approach: str
    data_change: Question
    need: Question
    stakes: Question
    budget: Question

    def to_dict(self) -> JSON:
        return {
            "current_approach": self.current_approach,
            "data_change": self.data_change.to_dict(),
            "need": self.need.to_dict(score=False),
            "stakes": self.stakes.to_dict(score=False),
            "budget": self.budget.to_dict(score=False),
        }


@dataclass(frozen=True)
class Answer:
    """A question as the recommendation puts it: the answer and where it leans."""

    id: str
    question: str
    answer: str
    leans: str  # rag | fine-tune | either
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> JSON:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "leans": self.leans,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Recommendation:
    strategy: str  # rag | fine-tune | hybrid | prompting | none
    confidence: float
    summary: str
    questions: tuple[Answer, ...]
    costs: Mapping[str, Any]

    def to_dict(self) -> JSON:
        return {
            "strategy": self.strategy,
            "confidence": round(self.confidence, 2),
            "summary": self.summary,
            "questions": [q.to_dict() for q in self.questions],
            "costs": dict(self.costs),
        }


@dataclass(frozen=True)
class AuditCoverage:
    """How much of the vulnerability audit happened: the source that answered
    (``osv``, ``pip-audit``, or None when there was none or no rule asked), how
    many dependencies it checked and how many it did NOT check (no exact
    version, not from an index, skipped or failed), with the reason when the
    whole audit did not run. A dependency is one (name, version) declared, or
    one name without an exact version."""

    source: str | None = None
    checked: int = 0
    not_checked: int = 0
    reason: str | None = None

    @property
    def complete(self) -> bool:
        return self.not_checked == 0

    def to_dict(self) -> JSON:
        return {
            "source": self.source,
            "checked": self.checked,
            "not_checked": self.not_checked,
            "reason": self.reason,
        }

    def sentence(self) -> str:
        """``3 dependencies not checked for vulnerabilities``, or empty when complete."""
        if self.complete:
            return ""
        noun = "dependency" if self.not_checked == 1 else "dependencies"
        return f"{self.not_checked} {noun} not checked for vulnerabilities"


@dataclass(frozen=True)
class Exclusions:
    """What the scan left out because of its configuration and its limits, said
    in every format: a repository's own settings (``exclude = ["**"]``,
    ``max-file-size = 1``, ``ignore = ["SC"]``) must not blind a scan silently.

    ``config``: the configuration file the settings came from (``None``: the
    defaults); ``isolated``: ``--isolated`` left the repository's own
    configuration and suppression comments unread. ``files``: files the
    ``exclude`` globs (``patterns``) left out, ``sample`` a few of them;
    ``rules_not_run``: implemented rules that ``select``/``ignore`` turned off;
    ``oversized``: files over ``max_file_size`` (not parsed; text still scanned
    for secrets); ``per_path_ignored`` / ``inline_suppressed``: findings hidden
    by ``per-path-ignores`` and by ``# ragfit: ignore`` comments.
    """

    config: str | None = None
    isolated: bool = False
    patterns: tuple[str, ...] = ()
    files: int = 0
    sample: tuple[str, ...] = ()
    rules_not_run: tuple[str, ...] = ()
    max_file_size: int = 0
    oversized: int = 0
    per_path_ignored: int = 0
    inline_suppressed: int = 0

    def to_dict(self) -> JSON:
        return {
            "config": self.config,
            "isolated": self.isolated,
            "patterns": list(self.patterns),
            "files": self.files,
            "sample": list(self.sample),
            "rules_not_run": list(self.rules_not_run),
            "max_file_size": self.max_file_size,
            "oversized": self.oversized,
            "per_path_ignored": self.per_path_ignored,
            "inline_suppressed": self.inline_suppressed,
        }

    def describe(self) -> list[str]:
        """One sentence per thing left out (empty when nothing was)."""
        where = f" by {self.config}" if self.config else ""
        lines: list[str] = []
        if self.files:
            shown = ", ".join(self.sample)
            rest = self.files - len(self.sample)
            more = f" and {rest} more" if rest > 0 else ""
            globs = ", ".join(self.patterns)
            lines.append(f"{self.files} files excluded{where} (exclude: {globs}): {shown}{more}")
        if self.rules_not_run:
            lines.append(f"rules not run{where}: {', '.join(self.rules_not_run)}")
        if self.oversized:
            lines.append(
                f"{self.oversized} files over the {self.max_file_size}-byte size cap not parsed "
                "(text scanned for secrets only)"
            )
        if self.per_path_ignored:
            lines.append(f"{self.per_path_ignored} findings hidden by per-path-ignores{where}")
        if self.inline_suppressed:
            lines.append(f"{self.inline_suppressed} findings hidden by # ragfit: ignore comments")
        if self.isolated:
            lines.append("--isolated: the repository's own configuration and suppressions not read")
        return lines


@dataclass(frozen=True)
class Report:
    root: str
    version: str
    files: int
    python_files: int
    seconds: float
    call_sites: tuple[CallSite, ...]
    providers: tuple[str, ...]
    current_approach: str
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    suppressed: int = 0
    baselined: int = 0
    parsed_files: int = 0
    cached_files: int = 0
    rules: tuple[str, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    # --vuln-db: how many advisories were read, and the newest one's date.
    vuln_db_advisories: int | None = None
    vuln_db_newest: str | None = None
    profile: Profile | None = None
    recommendation: Recommendation | None = None
    training_data: tuple[Dataset, ...] = ()
    knowledge: Mapping[str, Any] = field(default_factory=dict)
    # Git history of each training set, by path (commits_90, commits_365, last_change).
    data_history: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Infrastructure the repository names (images, Terraform, actions, tools).
    components: tuple[Component, ...] = ()
    # Findings hidden by --baseline: not reported, but --write-baseline keeps them.
    baselined_findings: tuple[Finding, ...] = ()
    # What the vulnerability audit checked and did not (every format says it).
    audit: AuditCoverage = field(default_factory=AuditCoverage)
    # summary.dependency_surface: direct and locked counts, LLM frameworks, the
    # direct dependencies that bring in the most (auditor.supply_chain.surface).
    dependency_surface: Mapping[str, Any] = field(default_factory=dict)
    # What the configuration and the size cap left out (summary.excluded in JSON).
    exclusions: Exclusions = field(default_factory=Exclusions)
    # Training data the code or its configurations name but that is not a
    # dataset file in the repository: (target, source) with source hub, url or
    # file (auditor.inventory.referenced_training_data).
    training_refs: tuple[tuple[str, str], ...] = ()

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def counts(self) -> dict[str, int]:
        return {s.label: self.count(s) for s in sorted(Severity, reverse=True)}

    def providers_by_capability(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for site in self.call_sites:
            row = table.setdefault(site.provider, {})
            row[site.capability] = row.get(site.capability, 0) + 1
        return {p: dict(sorted(caps.items())) for p, caps in sorted(table.items())}


def sorted_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: f.sort_key))
