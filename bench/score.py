#!/usr/bin/env python3
"""Score ragfit against the labelled real-repository corpus (bench/corpus.toml).

It fetches nothing. Given a folder of working copies, one per corpus entry and
named ``owner+name`` (``bench/checkout.py`` makes them), it runs ragfit on each
(``ragfit scan PATH --format json --offline --no-cache --exit-zero``, one
process per repository with a timeout) and compares the report with the
labels:

- providers: recall and precision, micro-averaged over repositories (every
  expected provider of every repository is one item);
- each capability: recall (repositories labelled with it where ragfit found it)
  and precision (repositories where ragfit found it that are labelled with it);
- current approach, recommendation (the expected strategy or an acceptable
  one), data change, need and stakes: accuracy;
- call sites on the plain libraries (category ``library``): must be 0.

The inventory labels cover the repository's own code but not its tests and
test fixtures, so call sites under test paths are dropped before comparing,
with the same rule as ragfit's ``auditor.verdict.profile.is_test_path``
(the pattern is copied so that the script runs with any interpreter;
tests/test_score.py checks that both agree). On the plain libraries every call
site counts, tests included: they call no model at all.

A working copy at another commit than the labelled one is skipped with a
warning (its labels point at lines that may have moved); ``--any-commit``
scores it anyway. A missing folder is skipped too. A ragfit run that fails or
times out is a miss on every field.

Usage::

    python bench/score.py --repos /tmp/ragfit-bench
    python bench/score.py --repos /tmp/ragfit-bench --ragfit /work/main/.venv/bin/ragfit \\
        --json /tmp/bench-results.json --format markdown
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent

# DESIGN.md's vocabulary.
PROVIDERS = frozenset(
    {
        "openai",
        "openai-compatible",
        "azure-openai",
        "anthropic",
        "google",
        "cohere",
        "mistral",
        "bedrock",
        "huggingface",
        "ollama",
        "litellm",
        "groq",
        "together",
        "langchain",
        "llama-index",
        "haystack",
        "chroma",
        "pinecone",
        "qdrant",
        "weaviate",
        "faiss",
        "milvus",
        "pgvector",
        "lancedb",
        "redis",
        "elasticsearch",
        "opensearch",
        "mongodb",
        # A search API called for context (Tavily, Serper, SerpAPI ...): added
        # to the vocabulary as an additive contract change.
        "web-search",
    }
)
CAPABILITIES = (
    "chat",
    "completion",
    "embedding",
    "fine-tune",
    "training",
    "vector-store",
    "retriever",
    "document-loader",
    "rerank",
)
STRATEGIES = ("rag", "fine-tune", "hybrid", "prompting", "none")
CATEGORIES = ("rag", "fine-tune", "hybrid", "prompting", "library")
DATA_CHANGE = ("frequent", "occasional", "static", "unknown")
NEEDS = ("knowledge", "behavior", "both", "unknown")
STAKES = ("high", "normal")
VERDICT_FIELDS = ("current_approach", "recommendation", "data_change", "need", "stakes")

# Copied from auditor/verdict/profile.py (_TEST_PATH); tests/test_score.py
# asserts that both give the same answers.
TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|testing|__tests__|fixtures)/|(?:^|/)(?:test_[^/]*|[^/]*_test\.py|conftest\.py)$"
)

REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")
AT = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>[1-9][0-9]*)$")
ENTRY_KEYS = {
    "repository": str,
    "commit": str,
    "category": str,
    "domain": str,
    "notebook_heavy": bool,
    "providers": list,
    "capabilities": list,
    "current_approach": str,
    "recommendation": str,
    "acceptable": list,
    "why": str,
    "data_change": str,
    "data_change_basis": str,
    "need": str,
    "stakes": str,
    "evidence": list,
    "notes": str,
}
REQUIRED = {
    "repository",
    "commit",
    "category",
    "domain",
    "notebook_heavy",
    "providers",
    "capabilities",
    "current_approach",
    "recommendation",
    "data_change",
    "data_change_basis",
    "need",
    "stakes",
    "evidence",
}
EVIDENCE_KEYS = {"label", "at", "detail"}


def is_test_path(path: str) -> bool:
    """Tests and their fixtures, as ragfit's verdict sees them."""
    return bool(TEST_PATH.search(path))


class CorpusError(Exception):
    """A corpus file that does not follow the schema: one line saying where."""


@dataclass(frozen=True)
class Evidence:
    label: str
    path: str
    line: int
    detail: str


@dataclass(frozen=True)
class Entry:
    repository: str
    commit: str
    category: str
    domain: str
    notebook_heavy: bool
    providers: frozenset[str]
    capabilities: frozenset[str]
    current_approach: str
    recommendation: str
    acceptable: frozenset[str]
    why: str
    data_change: str
    data_change_basis: str
    need: str
    stakes: str
    evidence: tuple[Evidence, ...]
    notes: str = ""

    @property
    def folder(self) -> str:
        return self.repository.replace("/", "+")

    def expected(self, name: str) -> str:
        value: str = getattr(self, name)
        return value


def _fail(where: str, message: str) -> CorpusError:
    return CorpusError(f"{where}: {message}")


def _strings(where: str, key: str, value: list[Any], allowed: Iterable[str]) -> frozenset[str]:
    allowed_set = set(allowed)
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise _fail(where, f"{key} must be a list of strings")
        if item not in allowed_set:
            raise _fail(where, f"unknown {key[:-1] if key.endswith('s') else key} {item!r}")
        if item in out:
            raise _fail(where, f"{item!r} is listed twice in {key}")
        out.append(item)
    return frozenset(out)


def _one_of(where: str, key: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise _fail(where, f"{key} {value!r} is not one of {', '.join(allowed)}")
    return value


def _evidence(where: str, items: list[Any]) -> tuple[Evidence, ...]:
    found: list[Evidence] = []
    for number, item in enumerate(items, 1):
        spot = f"{where}, evidence {number}"
        if not isinstance(item, dict):
            raise _fail(spot, "must be a table {label, at, detail}")
        unknown = set(item) - EVIDENCE_KEYS
        if unknown:
            raise _fail(spot, f"unknown key {sorted(unknown)[0]!r}")
        missing = EVIDENCE_KEYS - set(item)
        if missing:
            raise _fail(spot, f"missing key {sorted(missing)[0]!r}")
        if not all(isinstance(item[k], str) for k in EVIDENCE_KEYS):
            raise _fail(spot, "label, at and detail must be strings")
        match = AT.match(item["at"])
        if not match:
            raise _fail(spot, f"'at' must be path:line, got {item['at']!r}")
        if not item["detail"].strip():
            raise _fail(spot, "empty detail")
        found.append(Evidence(item["label"], match["path"], int(match["line"]), item["detail"]))
    return tuple(found)


def _entry(where: str, data: dict[str, Any]) -> Entry:
    unknown = set(data) - set(ENTRY_KEYS)
    if unknown:
        raise _fail(where, f"unknown key {sorted(unknown)[0]!r}")
    missing = REQUIRED - set(data)
    if missing:
        raise _fail(where, f"missing key {sorted(missing)[0]!r}")
    for key, kind in ENTRY_KEYS.items():
        if key in data and not isinstance(data[key], kind):
            raise _fail(where, f"{key} must be a {kind.__name__}")
    repository = data["repository"]
    if not REPOSITORY.match(repository):
        raise _fail(where, f"repository must be owner/name, got {repository!r}")
    where = f"{where} ({repository})"
    if not COMMIT.match(data["commit"]):
        raise _fail(where, "commit must be 40 lower-case hex digits")
    providers = _strings(where, "providers", data["providers"], PROVIDERS)
    capabilities = _strings(where, "capabilities", data["capabilities"], CAPABILITIES)
    acceptable = _strings(where, "acceptable", data.get("acceptable", []), STRATEGIES)
    why = data.get("why", "")
    if acceptable and not why.strip():
        raise _fail(where, "acceptable alternatives need a 'why'")
    recommendation = _one_of(where, "recommendation", data["recommendation"], STRATEGIES)
    if recommendation in acceptable:
        raise _fail(where, f"acceptable repeats the recommendation {recommendation!r}")
    entry = Entry(
        repository=repository,
        commit=data["commit"],
        category=_one_of(where, "category", data["category"], CATEGORIES),
        domain=data["domain"],
        notebook_heavy=data["notebook_heavy"],
        providers=providers,
        capabilities=capabilities,
        current_approach=_one_of(where, "current_approach", data["current_approach"], STRATEGIES),
        recommendation=recommendation,
        acceptable=acceptable,
        why=why,
        data_change=_one_of(where, "data_change", data["data_change"], DATA_CHANGE),
        data_change_basis=data["data_change_basis"],
        need=_one_of(where, "need", data["need"], NEEDS),
        stakes=_one_of(where, "stakes", data["stakes"], STAKES),
        evidence=_evidence(where, data["evidence"]),
        notes=data.get("notes", ""),
    )
    if not entry.data_change_basis.strip():
        raise _fail(where, "empty data_change_basis")
    if entry.category == "library" and (entry.providers or entry.capabilities):
        raise _fail(where, "a plain library has no providers or capabilities")
    labels = (
        {f"provider:{p}" for p in entry.providers}
        | {f"capability:{c}" for c in entry.capabilities}
        | set(VERDICT_FIELDS)
    )
    for item in entry.evidence:
        if item.label not in labels:
            raise _fail(where, f"evidence for {item.label!r}, which is not a label of this entry")
        if item.label.startswith(("provider:", "capability:")) and is_test_path(item.path):
            raise _fail(where, f"evidence for {item.label} in a test path: {item.path}")
    covered = {item.label for item in entry.evidence}
    for label in sorted(labels):
        if label not in covered:
            raise _fail(where, f"no evidence for {label}")
    return entry


def load_corpus(path: Path) -> list[Entry]:
    """Read and check a corpus file; CorpusError names the first problem."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"repo"}
    if unknown:
        raise CorpusError(f"{path}: unknown top-level key {sorted(unknown)[0]!r}")
    items = data.get("repo")
    if not isinstance(items, list) or not items:
        raise CorpusError(f"{path}: no [[repo]] entries")
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        where = f"{path}: repo {number}"
        if not isinstance(item, dict):
            raise CorpusError(f"{where}: not a table")
        entry = _entry(where, item)
        if entry.repository.lower() in seen:
            raise CorpusError(f"{where}: {entry.repository} is listed twice")
        seen.add(entry.repository.lower())
        entries.append(entry)
    return entries


# --------------------------------------------------------------- running


@dataclass
class Outcome:
    """One repository: what ragfit answered, or why it was not scored."""

    entry: Entry
    status: str  # ok | failed | skipped
    message: str = ""
    seconds: float = 0.0
    ragfit_seconds: float | None = None
    head: str | None = None
    call_sites: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    report: dict[str, Any] | None = None

    @property
    def own_sites(self) -> list[dict[str, Any]]:
        return [s for s in self.call_sites if not is_test_path(str(s.get("path", "")))]

    @property
    def providers(self) -> set[str]:
        return {str(s.get("provider")) for s in self.own_sites}

    @property
    def capabilities(self) -> set[str]:
        return {str(s.get("capability")) for s in self.own_sites}


def git_head(path: Path) -> str | None:
    """The working copy's HEAD commit, or None when it is not a git work tree."""
    if not (path / ".git").exists():
        return None
    done = subprocess.run(
        [
            "git",
            "-c",
            "core.fsmonitor=false",
            "-C",
            str(path),
            "rev-parse",
            "--verify",
            "-q",
            "HEAD",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, GIT_TERMINAL_PROMPT="0"),
    )
    head = done.stdout.strip()
    return head if done.returncode == 0 and COMMIT.match(head) else None


def _answers(report: dict[str, Any]) -> dict[str, str]:
    profile = report.get("profile") or {}
    recommendation = report.get("recommendation") or {}

    def level(name: str) -> str:
        part = profile.get(name) or {}
        return str(part.get("level", "?"))

    return {
        "current_approach": str(profile.get("current_approach", "?")),
        "recommendation": str(recommendation.get("strategy", "?")),
        "data_change": level("data_change"),
        "need": level("need"),
        "stakes": level("stakes"),
    }


def run_one(
    entry: Entry,
    repos: Path,
    ragfit: Sequence[str],
    timeout: float,
    any_commit: bool,
) -> Outcome:
    path = repos / entry.folder
    if not path.is_dir():
        return Outcome(entry, "skipped", f"no working copy at {path}")
    head = git_head(path)
    if head is None:
        return Outcome(entry, "skipped", f"{path} is not a git work tree with a HEAD")
    outcome = Outcome(entry, "ok", head=head)
    if head != entry.commit:
        note = f"working copy at {head[:12]}, labels are for {entry.commit[:12]}"
        if not any_commit:
            return Outcome(entry, "skipped", note, head=head)
        outcome.message = note + " (scored anyway)"
    command = [
        *ragfit,
        "scan",
        str(path),
        "--format",
        "json",
        "--offline",
        "--no-cache",
        "--exit-zero",
    ]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        outcome.status = "failed"
        outcome.message = f"timed out after {timeout:g} s"
        outcome.seconds = time.perf_counter() - start
        return outcome
    except OSError as exc:
        outcome.status = "failed"
        outcome.message = f"cannot run ragfit: {exc}"
        return outcome
    outcome.seconds = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        outcome.status = "failed"
        outcome.message = f"ragfit exit {done.returncode}: {last}"
        return outcome
    try:
        report = json.loads(done.stdout)
        inventory = report["inventory"]
        outcome.call_sites = list(inventory["call_sites"])
    except (ValueError, KeyError, TypeError) as exc:
        outcome.status = "failed"
        outcome.message = f"unreadable ragfit report: {exc}"
        return outcome
    outcome.report = report
    outcome.answers = _answers(report)
    seconds = (report.get("summary") or {}).get("seconds")
    outcome.ragfit_seconds = float(seconds) if isinstance(seconds, (int, float)) else None
    return outcome


# --------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Ratio:
    hits: int
    total: int

    def text(self) -> str:
        if not self.total:
            return "-"
        return f"{self.hits}/{self.total} {100.0 * self.hits / self.total:.1f}%"

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass(frozen=True)
class Miss:
    repository: str
    field: str
    expected: str
    got: str


@dataclass
class Table:
    scored: int
    skipped: list[tuple[str, str]]
    failed: list[tuple[str, str]]
    providers_recall: Ratio
    providers_precision: Ratio
    capabilities: dict[str, tuple[Ratio, Ratio]]
    accuracy: dict[str, Ratio]
    library_call_sites: int
    library_repos: int
    misses: list[Miss]
    seconds: list[tuple[str, float, float | None]]


NONE = "-"


def score(outcomes: Sequence[Outcome]) -> Table:
    """The per-field table and every miss for the scored repositories."""
    counted = [o for o in outcomes if o.status in ("ok", "failed")]
    misses: list[Miss] = []
    tp = fn = fp = 0
    cap_expected = dict.fromkeys(CAPABILITIES, 0)
    cap_found = dict.fromkeys(CAPABILITIES, 0)
    cap_both = dict.fromkeys(CAPABILITIES, 0)
    correct = dict.fromkeys(VERDICT_FIELDS, 0)
    library_sites = library_repos = 0
    for outcome in counted:
        entry = outcome.entry
        failed = outcome.status == "failed"
        got_label = f"error: {outcome.message}" if failed else NONE
        providers = outcome.providers
        capabilities = outcome.capabilities
        for provider in sorted(entry.providers | providers):
            if provider in entry.providers and provider in providers:
                tp += 1
            elif provider in entry.providers:
                fn += 1
                misses.append(Miss(entry.repository, "providers", provider, got_label))
            else:
                fp += 1
                misses.append(Miss(entry.repository, "providers", NONE, provider))
        for capability in sorted(entry.capabilities | capabilities):
            expected = capability in entry.capabilities
            found = capability in capabilities
            if capability in cap_expected:
                cap_expected[capability] += expected
                cap_found[capability] += found
                cap_both[capability] += expected and found
            if expected and not found:
                misses.append(Miss(entry.repository, "capability", capability, got_label))
            elif found and not expected:
                misses.append(Miss(entry.repository, "capability", NONE, capability))
        for name in VERDICT_FIELDS:
            want = entry.expected(name)
            got = outcome.answers.get(name, got_label if failed else "?")
            allowed = {want}
            shown = want
            if name == "recommendation" and entry.acceptable:
                allowed |= entry.acceptable
                shown = "|".join([want, *sorted(entry.acceptable)])
            if got in allowed:
                correct[name] += 1
            else:
                misses.append(Miss(entry.repository, name, shown, got))
        if entry.category == "library":
            library_repos += 1
            library_sites += len(outcome.call_sites)
    n = len(counted)
    return Table(
        scored=n,
        skipped=[(o.entry.repository, o.message) for o in outcomes if o.status == "skipped"],
        failed=[(o.entry.repository, o.message) for o in outcomes if o.status == "failed"],
        providers_recall=Ratio(tp, tp + fn),
        providers_precision=Ratio(tp, tp + fp),
        capabilities={
            c: (Ratio(cap_both[c], cap_expected[c]), Ratio(cap_both[c], cap_found[c]))
            for c in CAPABILITIES
        },
        accuracy={name: Ratio(correct[name], n) for name in VERDICT_FIELDS},
        library_call_sites=library_sites,
        library_repos=library_repos,
        misses=misses,
        seconds=[(o.entry.repository, o.seconds, o.ragfit_seconds) for o in counted],
    )


# --------------------------------------------------------------- output


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        return lines
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*headers).rstrip(), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*row).rstrip() for row in rows]
    return out


def render(table: Table, markdown: bool = False) -> str:
    lines: list[str] = []
    extra = []
    if table.skipped:
        extra.append(f"{len(table.skipped)} skipped")
    if table.failed:
        extra.append(f"{len(table.failed)} failed")
    lines.append(
        f"scored {table.scored} repositories" + (f" ({', '.join(extra)})" if extra else "")
    )
    lines.append("")
    rows = [["providers (micro)", table.providers_recall.text(), table.providers_precision.text()]]
    for capability, (recall, precision) in table.capabilities.items():
        rows.append([f"capability {capability}", recall.text(), precision.text()])
    lines += _grid(["inventory", "recall", "precision"], rows, markdown)
    lines.append("")
    rows = [[name, ratio.text()] for name, ratio in table.accuracy.items()]
    rows.append(
        [
            f"call sites on plain libraries ({table.library_repos} repos)",
            str(table.library_call_sites),
        ]
    )
    lines += _grid(["verdict", "accuracy"], rows, markdown)
    lines.append("")
    lines.append(f"misses ({len(table.misses)}):")
    if markdown and table.misses:
        lines.append("")
    if table.misses:
        rows = [[m.repository, m.field, m.expected, m.got] for m in table.misses]
        lines += _grid(["repository", "field", "expected", "got"], rows, markdown)
    for title, items in (("skipped", table.skipped), ("failed", table.failed)):
        if items:
            lines.append("")
            lines.append(f"{title}:")
            lines += [f"  {repo}: {why}" for repo, why in items]
    lines.append("")
    rows = [
        [repo, f"{wall:.2f}", "-" if own is None else f"{own:.2f}"]
        for repo, wall, own in table.seconds
    ]
    lines += _grid(["repository", "wall s", "ragfit s"], rows, markdown)
    total = sum(wall for _, wall, _ in table.seconds)
    lines.append(f"total wall time {total:.1f} s")
    return "\n".join(lines) + "\n"


def raw_results(outcomes: Sequence[Outcome], table: Table) -> dict[str, Any]:
    def ratio(r: Ratio) -> dict[str, Any]:
        return {"hits": r.hits, "total": r.total, "value": r.value}

    return {
        "summary": {
            "scored": table.scored,
            "providers": {
                "recall": ratio(table.providers_recall),
                "precision": ratio(table.providers_precision),
            },
            "capabilities": {
                c: {"recall": ratio(r), "precision": ratio(p)}
                for c, (r, p) in table.capabilities.items()
            },
            "accuracy": {name: ratio(r) for name, r in table.accuracy.items()},
            "library_call_sites": table.library_call_sites,
            "misses": [vars(m) for m in table.misses],
        },
        "repositories": [
            {
                "repository": o.entry.repository,
                "commit": o.entry.commit,
                "head": o.head,
                "status": o.status,
                "message": o.message,
                "seconds": round(o.seconds, 3),
                "ragfit_seconds": o.ragfit_seconds,
                "providers": sorted(o.providers),
                "capabilities": sorted(o.capabilities),
                "answers": o.answers,
                "report": None
                if o.report is None
                else {
                    key: o.report.get(key)
                    for key in ("summary", "inventory", "profile", "recommendation", "errors")
                },
            }
            for o in outcomes
        ],
    }


def default_ragfit() -> list[str]:
    beside = Path(sys.executable).parent / "ragfit"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ragfit")
    return [found] if found else [str(beside)]


def select(entries: Sequence[Entry], only: Sequence[str]) -> list[Entry]:
    if not only:
        return list(entries)
    wanted = {name.lower() for name in only}
    chosen = [
        e
        for e in entries
        if {e.repository.lower(), e.folder.lower(), e.repository.split("/")[1].lower()} & wanted
    ]
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Score ragfit against the labelled real-repository corpus."
    )
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.toml")
    parser.add_argument("--repos", type=Path, default=Path("/tmp/ragfit-bench"))
    parser.add_argument(
        "--ragfit",
        help="ragfit command (default: the ragfit beside this Python); may hold arguments",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per repository")
    parser.add_argument(
        "--only", action="append", default=[], help="owner/name, owner+name or name"
    )
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.add_argument(
        "--any-commit",
        action="store_true",
        help="score working copies at another commit than the labelled one (with a warning)",
    )
    args = parser.parse_args(argv)
    try:
        entries = load_corpus(args.corpus)
    except CorpusError as exc:
        print(f"score: {exc}", file=sys.stderr)
        return 2
    entries = select(entries, args.only)
    if not entries:
        print(f"score: no corpus entry matches {', '.join(args.only)}", file=sys.stderr)
        return 2
    if not args.repos.is_dir():
        print(f"score: --repos {args.repos} is not a folder", file=sys.stderr)
        return 2
    ragfit = shlex.split(args.ragfit) if args.ragfit else default_ragfit()
    outcomes = []
    for entry in entries:
        outcome = run_one(entry, args.repos, ragfit, args.timeout, args.any_commit)
        if outcome.message:
            print(f"warning: {entry.repository}: {outcome.message}", file=sys.stderr)
        outcomes.append(outcome)
    table = score(outcomes)
    sys.stdout.write(render(table, markdown=args.format == "markdown"))
    if args.json:
        args.json.write_text(json.dumps(raw_results(outcomes, table), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
