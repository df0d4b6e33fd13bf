"""audit(root, options) -> Report: discover, analyse (cached, parallel), run rules."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import itertools
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pathspec

from auditor import __version__
from auditor.analyse import (
    INFRA_KINDS,
    MANIFEST_KINDS,
    analyse_batch,
    analyse_for_cache,
    analysis_kind,
)
from auditor.cache import CACHE_DIR, FactCache, content_key
from auditor.config import Config
from auditor.crossmodule import link_modules
from auditor.discover import DEFAULT_MAX_FILE_SIZE, SourceFile, discover, size_limit
from auditor.escape import clean
from auditor.facts import RepoFacts
from auditor.gitcmd import object_format, run_git, worktree_changes
from auditor.inventory import referenced_training_data
from auditor.knowledge import sdk_table
from auditor.model import (
    Exclusions,
    FileFacts,
    Finding,
    Recommendation,
    Report,
    ScanError,
    Severity,
    sorted_findings,
)
from auditor.output import atomic_write
from auditor.rules import (
    SuppressionRule,
    SuppressionUse,
    all_rules,
    is_suppression_rule,
    selected_rules,
)
from auditor.safeio import UnsafeFile, read_chunks_in_root, read_in_root
from auditor.scanners.text import (
    BINARY_SNIFF,
    MAX_WINDOW,
    WINDOW,
    decode_text,
    find_secrets,
    find_secrets_in_chunks,
    redact_text,
    scannable_text,
    utf16_encoding,
)
from auditor.verdict.stage import Verdict, judge

if TYPE_CHECKING:
    from auditor.verdict.profile import Analysis

# Below this many files to parse, a process pool costs more than it saves.
PARALLEL_MIN_FILES = 16
# Python files without an SDK import (a syntax check each) travel in batches.
CHECK_BATCH = 32

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Options:
    jobs: int | None = None
    use_cache: bool = True
    baseline: frozenset[tuple[str, str]] = frozenset()
    diff_base: str | None = None
    progress: Progress | None = None
    extra_errors: tuple[ScanError, ...] = ()
    vuln_db: Path | None = None  # OSV advisories, a directory or a zip (--vuln-db)
    # Look vulnerabilities up online (pip-audit) when no --vuln-db is given. The
    # command line sets it unless --offline; the library default stays offline.
    online: bool = False
    # --python: the scanned project's environment, read for its licenses.
    python: Path | None = None
    # --isolated: the repository's own suppression comments are not honoured
    # (its configuration files are not read either: see config.load_config).
    isolated: bool = False
    # --require-audit: run the vulnerability audit even when no rule asks for it.
    require_audit: bool = False
    # --tracked-only: in a git work tree, leave untracked files out (pre-commit).
    untracked: bool = True


@dataclass
class _Analysis:
    per_file: dict[str, FileFacts] = field(default_factory=dict)
    parsed: int = 0
    cached: int = 0
    errors: list[ScanError] = field(default_factory=list)


def write_output(path: Path, text: str) -> None:
    """``--output``: written atomically, so a reader never sees half a report."""
    atomic_write(path, text.encode("utf-8"))


def _read(root: Path, path: str, limit: int) -> bytes:
    """A file's bytes: never through a link, never a pipe or a device, never past the cap."""
    return read_in_root(root, path, limit)


def _analyse_all(
    root: Path,
    files: list[SourceFile],
    options: Options,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> _Analysis:
    result = _Analysis()
    cache = FactCache(root, options.use_cache)
    if cache.problem is not None:
        result.errors.append(ScanError(CACHE_DIR, cache.problem[0], cache.problem[1]))
    todo: list[tuple[str, bytes, str]] = []
    stamps: dict[str, tuple[int, int, int, int]] = {}
    for source in files:
        path = source.path
        known = cache.key_for_stamp(path, source.stamp)
        if known is not None:  # unchanged since the cache was written: not even read
            key, empty = known
            if empty:  # nothing to report for this file
                cache.keep(key)
                cache.stamp(path, source.stamp, key, True)
                result.cached += 1
                continue
            hit = cache.get(key, path)
            if hit is not None:
                cache.stamp(path, source.stamp, key, False)
                result.per_file[path] = hit
                result.cached += 1
                continue
        try:
            data = _read(root, path, size_limit(path, max_file_size))
        except UnsafeFile as exc:
            result.errors.append(ScanError(path, exc.kind, f"{exc.message}; not read"))
            continue
        key = content_key(path, data)
        hit = cache.get(key, path)
        if hit is not None:
            cache.stamp(path, source.stamp, key, hit.is_empty)
            result.per_file[path] = hit
            result.cached += 1
        else:
            stamps[path] = source.stamp
            todo.append((path, data, key))
    total = len(todo)
    jobs = options.jobs or os.cpu_count() or 1
    if options.progress is not None:
        options.progress(0, total)
    raw_results: Iterable[tuple[str, str, dict[str, Any]]]
    # What each file costs (an SDK pre-check of every Python file) matters
    # only to schedule workers.
    costs = [_cost(path, data) for path, data, _ in todo] if jobs > 1 else []
    if jobs > 1 and sum(costs) >= 2 * PARALLEL_MIN_FILES:
        raw_results = _parallel(todo, costs, jobs)
    else:
        raw_results = ((p, k, analyse_for_cache(p, d)) for p, d, k in todo)
    for done, (path, key, raw) in enumerate(raw_results, start=1):
        facts = FileFacts.from_dict(raw).with_path(path)
        result.per_file[path] = facts
        result.parsed += int(facts.parsed)
        cache.put(key, raw)
        cache.stamp(path, stamps[path], key, facts.is_empty)
        if options.progress is not None:
            options.progress(done, total)
    # Names followed across modules (a client made in one, called in another).
    result.per_file = link_modules(
        dict(result.per_file),
        lambda p: _read_or_none(root, p, size_limit(p, max_file_size)),
        cache.get,
        cache.put,
    )
    cache.save()
    return result


def _read_or_none(root: Path, path: str, limit: int) -> bytes | None:
    try:
        return _read(root, path, limit)
    except OSError:  # UnsafeFile included: a link or a device is not read
        return None


def _cost(path: str, data: bytes) -> int:
    """2: a file to parse with libcst; 1: a syntax check or a manifest to parse;
    0: a text scan."""
    kind = analysis_kind(path)
    if kind == "notebook" or (kind == "python" and sdk_table().imports_sdk(data)):
        # (an estimate for scheduling: HTTP and marker files count as 1)
        return 2
    return 1 if kind == "python" or kind in MANIFEST_KINDS or kind in INFRA_KINDS else 0


def _parallel(
    todo: list[tuple[str, bytes, str]], costs: list[int], jobs: int
) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """Files to parse go to the workers one by one, largest first (so that no big
    file finishes last on its own), then the syntax checks in batches; text
    files (a secret scan) are done here meanwhile rather than copied to a worker."""
    parse = sorted((i for i, c in zip(todo, costs, strict=True) if c == 2), key=_size)
    check = [i for i, c in zip(todo, costs, strict=True) if c == 1]
    batches = [[item] for item in parse]
    batches += [check[i : i + CHECK_BATCH] for i in range(0, len(check), CHECK_BATCH)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(analyse_batch, [(p, d) for p, d, _ in b]) for b in batches]
        for (path, data, key), cost in zip(todo, costs, strict=True):
            if cost == 0:
                yield path, key, analyse_for_cache(path, data)
        for batch, future in zip(batches, futures, strict=True):
            try:
                outputs = future.result()
            except Exception as exc:  # a worker that died: analyse here, one at a time
                outputs = [_analyse_safely(p, d, exc) for p, d, _ in batch]
            for (path, _, key), raw in zip(batch, outputs, strict=True):
                yield path, key, raw


def _size(item: tuple[str, bytes, str]) -> int:
    return -len(item[1])


def _analyse_safely(path: str, data: bytes, cause: BaseException) -> dict[str, Any]:
    """A file whose worker died (or whose batch shared a dead worker): analysed
    again in a forked child of its own, so that a file that kills its process
    becomes an ``errors`` entry instead of killing this one."""
    from auditor.scanners.pyguard import ChildDied, run_isolated

    try:
        raw: dict[str, Any] = run_isolated(lambda: analyse_for_cache(path, data), len(data))
        return raw
    except ChildDied as exc:
        error = ScanError(path, "internal-error", f"analysis crashed: {exc}")
    except Exception:
        error = ScanError(path, "internal-error", f"analysis failed ({type(cause).__name__})")
    return FileFacts(path, errors=(error,)).to_dict()


def _scan_oversized(root: Path, oversized: list[SourceFile]) -> _Analysis:
    """Files over the size cap are not parsed, but a key in a 200 MB ``.jsonl``
    or a 3 MB ``.env`` is still a key: text files are scanned for secrets in
    bounded windows (binary files are left alone)."""
    result = _Analysis()
    for source in oversized:
        try:
            chunks = read_chunks_in_root(root, source.path, WINDOW)
            head = next(chunks, b"")
            if scannable_text(head[:BINARY_SNIFF]) is None:
                continue  # binary: the generator closes the file when collected
            utf16 = utf16_encoding(head)
            if utf16 is not None:  # rare and small enough: decoded whole, still bounded
                data = head + b"".join(itertools.islice(chunks, MAX_WINDOW // WINDOW))
                secrets = find_secrets(source.path, decode_text(data))
            else:
                secrets = find_secrets_in_chunks(source.path, itertools.chain([head], chunks))
        except UnsafeFile as exc:
            result.errors.append(ScanError(source.path, exc.kind, f"{exc.message}; not read"))
            continue
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            result.errors.append(ScanError(source.path, "unreadable", reason))
            continue
        if secrets:
            result.per_file[source.path] = FileFacts(source.path, secrets=tuple(secrets))
    return result


def _changed_files(root: Path, base: str) -> set[str]:
    """Files changed since ``base`` (committed, staged, unstaged or untracked).

    Never asks git to look at the work tree's content: that would run the
    scanned repository's ``clean`` filter on every file whose stat data is not
    trusted (``git diff``, and even ``diff-index`` on a racily clean index). So
    git compares trees and the index only (``diff-tree``, ``diff-index
    --cached``, ``ls-files``), and ragfit hashes the work tree's tracked files
    itself, unfiltered, through ``auditor.safeio``: a file that a filter would
    have normalised counts as changed, which only reports more."""
    if base.startswith("-") or "\0" in base:  # never an option to git
        raise ValueError(f"--diff-base {base}: no such commit, branch or tag")
    try:
        inside = run_git(
            root, ["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"], timeout=60
        )
        if inside.returncode != 0:
            probe = run_git(root, ["rev-parse", "--is-inside-work-tree"], timeout=60)
            if probe.returncode != 0:
                raise ValueError(f"--diff-base {base}: {root} is not in a git work tree")
            raise ValueError(f"--diff-base {base}: no such commit, branch or tag")
        commit = inside.stdout.decode("ascii", "replace").strip()
        head = run_git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], timeout=60)
        commands = [
            ["ls-files", "-z", "--others", "--exclude-standard"],
            ["ls-files", "-z", "--stage"],
        ]
        if head.returncode == 0:
            commands += [
                ["diff-tree", "-r", "-z", "--name-only", "--relative", "--no-renames",
                 "--no-ext-diff", "--no-textconv", commit, "HEAD", "--"],
                ["diff-index", "--cached", "-z", "--name-only", "--relative", "--no-renames",
                 "--no-ext-diff", "--no-textconv", "HEAD", "--"],
            ]  # fmt: skip
        changed: set[str] = set()
        stage = b""
        for command in commands:
            done = run_git(root, command, timeout=60)
            if done.returncode != 0:
                lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
                fatal = (line for line in lines if line.startswith(("fatal:", "error:")))
                detail = next(fatal, lines[0] if lines else "git failed")
                raise ValueError(f"--diff-base {base}: {detail}")
            if command[1:3] == ["-z", "--stage"]:
                stage = done.stdout
                continue
            changed.update(
                n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n
            )
        changed.update(worktree_changes(root, stage, object_format(root)))
    except (OSError, subprocess.SubprocessError) as exc:
        raise ValueError(f"--diff-base {base}: git could not run ({type(exc).__name__})") from None
    return changed


def _fingerprints(findings: list[Finding], facts: RepoFacts) -> list[Finding]:
    """A hash of the rule, the path and what was found (the line's text, or the
    rule's own key), numbered among equals: stable across unrelated edits."""
    seen: Counter[str] = Counter()
    out: list[Finding] = []
    for finding in sorted_findings(findings):
        loc = finding.location
        key = finding.fingerprint_key or " ".join(facts.line(loc.path, loc.line).split())
        base = f"{finding.rule_id}|{loc.path}|{key}"
        seen[base] += 1
        raw = f"{base}|{seen[base]}".encode("utf-8", "surrogatepass")  # undecodable names too
        digest = hashlib.sha256(raw).hexdigest()[:20]
        out.append(replace(finding, fingerprint=digest))
    return out


PathIgnores = list[tuple[pathspec.GitIgnoreSpec, tuple[str, ...]]]


def _path_ignores(per_path: Mapping[str, tuple[str, ...]]) -> PathIgnores:
    return [(pathspec.GitIgnoreSpec.from_lines([glob]), ids) for glob, ids in per_path.items()]


def _inline(
    finding: Finding, facts: RepoFacts, *, honoured: bool = True
) -> tuple[int, tuple[str, ...]] | None:
    """The ``# ragfit: ignore[...]`` comment on the reported line that names the
    finding's rule (or is bare), if any. ``honoured`` off (``--isolated``): the
    repository's own comments hide nothing."""
    file_facts = facts.per_file.get(finding.location.path) if honoured else None
    if file_facts is not None:
        for line, ids in file_facts.suppressions:
            if line == finding.location.line and ("*" in ids or finding.rule_id in ids):
                return line, ids
    return None


def _path_ignored(finding: Finding, per_path: PathIgnores) -> bool:
    """``per-path-ignores`` of the configuration."""
    return any(
        spec.match_file(finding.location.path) and any(finding.rule_id.startswith(i) for i in ids)
        for spec, ids in per_path
    )


def _suppression_uses(
    facts: RepoFacts,
    hid: Mapping[tuple[str, int], set[str]],
    ran: frozenset[str],
    all_ran: bool,
) -> list[SuppressionUse]:
    """Every suppression comment of the scan, with what it hid."""
    from auditor.scanners.text import SUPPRESSION

    uses: list[SuppressionUse] = []
    for path in sorted(facts.per_file):
        for line, ids in facts.per_file[path].suppressions:
            match = SUPPRESSION.search(facts.line(path, line))
            column = match.start() + 1 if match is not None else 1
            used = frozenset(hid.get((path, line), set()))
            uses.append(SuppressionUse(path, line, column, ids, used, ran, all_ran))
    return uses


def _verdict(verdict: Verdict, errors: list[ScanError]) -> tuple[Analysis, Recommendation] | None:
    """The profile and the recommendation; a crash is reported, not fatal."""
    try:
        return verdict.analysis, verdict.recommendation
    except Exception as exc:  # the rest of the report must still be written
        errors.append(
            ScanError("", "profile-error", f"the profile crashed: {type(exc).__name__}: {exc}")
        )
        return None


def audit(root: Path, config: Config, options: Options | None = None) -> Report:
    options = options or Options()
    started = time.perf_counter()
    root = root.resolve()
    found = discover(
        root,
        exclude=config.exclude,
        max_file_size=config.max_file_size,
        untracked=options.untracked,
    )
    analysis = _analyse_all(root, found.files, options, config.max_file_size)
    big = _scan_oversized(root, found.oversized)
    analysis.per_file.update(big.per_file)
    analysis.errors.extend(big.errors)
    facts = RepoFacts(
        root,
        config,
        found.files,
        analysis.per_file,
        vuln_db=options.vuln_db,
        online=options.online,
        oversized=found.oversized,
        python=options.python,
    )
    errors = [*options.extra_errors, *found.errors, *analysis.errors, *facts.include_errors]
    # A broken pyproject.toml is one problem: the configuration loader's entry says it.
    config_broken = {e.path for e in options.extra_errors if e.kind == "config-error"}
    for path in sorted(analysis.per_file):
        errors.extend(
            e
            for e in analysis.per_file[path].errors
            if not (e.path in config_broken and e.kind == "parse-error")
        )

    judged = judge(facts)
    verdict = _verdict(judged, errors)
    findings: list[Finding] = []
    rules = selected_rules(config.select, config.ignore)
    for rule_class in rules:
        try:
            findings.extend(rule_class().check(facts, judged))
        except Exception as exc:  # one broken rule must not stop the scan
            errors.append(
                ScanError("", "rule-error", f"{rule_class.id} crashed: {type(exc).__name__}")
            )
    findings = [replace(f, severity=Severity(f.severity)) for f in findings]
    findings = _fingerprints(findings, facts)
    kept: list[Finding] = []
    baselined: list[Finding] = []
    suppressed = 0
    hidden: Counter[str] = Counter()
    changed = _changed_files(root, options.diff_base) if options.diff_base else None
    per_path = _path_ignores(config.per_path_ignores)
    hid: dict[tuple[str, int], set[str]] = {}
    candidates: list[Finding] = []
    for finding in findings:
        comment = _inline(finding, facts, honoured=not options.isolated)
        if comment is not None:  # what each comment hid, whatever --diff-base shows
            hid.setdefault((finding.location.path, comment[0]), set()).add(
                "*" if "*" in comment[1] else finding.rule_id
            )
        if changed is not None and finding.location.path not in changed:
            continue
        if comment is not None or _path_ignored(finding, per_path):
            suppressed += 1
            hidden["inline" if comment is not None else "per-path"] += 1
        else:
            candidates.append(finding)
    # The suppression comments themselves (RF rules), once they have been applied.
    ran = frozenset(r.id for r in rules if not is_suppression_rule(r))
    all_ran = len(ran) == sum(1 for r in all_rules() if not is_suppression_rule(r))
    # --isolated: the repository's comments are not read, so none is "unused".
    uses = [] if options.isolated else _suppression_uses(facts, hid, ran, all_ran)
    notes: list[Finding] = []
    for rule_class in rules:
        if not is_suppression_rule(rule_class):
            continue
        rule = rule_class()
        assert isinstance(rule, SuppressionRule)
        try:
            notes.extend(rule.check_suppressions(uses))
        except Exception as exc:
            errors.append(
                ScanError("", "rule-error", f"{rule_class.id} crashed: {type(exc).__name__}")
            )
    for note in _fingerprints(notes, facts):
        if changed is not None and note.location.path not in changed:
            continue
        if _path_ignored(note, per_path):
            suppressed += 1
            hidden["per-path"] += 1
        else:
            candidates.append(note)
    for finding in candidates:
        if (finding.rule_id, finding.fingerprint) in options.baseline:
            baselined.append(finding)
        else:
            kept.append(finding)
    # A database given with --vuln-db is always read: the report gives its size and age.
    audit = facts.vulnerability_audit if options.vuln_db else facts.vulnerability_audit_if_read
    coverage = facts.audit_coverage(run=options.require_audit or options.vuln_db is not None)
    errors.extend(facts.vulnerability_errors)  # after the rules: they read the source
    errors.extend(facts.license_errors)  # likewise for the environment's metadata
    errors.extend(facts.rule_errors)  # files rules read themselves (SC009)
    surface = _surface(facts, errors)
    exclusions = Exclusions(
        config=config.source,
        isolated=options.isolated,
        patterns=tuple(config.exclude),
        files=len(found.excluded),
        sample=tuple(found.excluded[:EXCLUDED_SAMPLE]),
        rules_not_run=tuple(sorted({r.id for r in all_rules()} - {r.id for r in rules})),
        max_file_size=config.max_file_size,
        oversized=len(found.oversized),
        per_path_ignored=hidden["per-path"],
        inline_suppressed=hidden["inline"],
    )
    report = Report(
        root=str(root),
        version=__version__,
        files=len(found.files),
        python_files=facts.python_files,
        seconds=time.perf_counter() - started,
        call_sites=facts.call_sites,
        providers=facts.providers,
        current_approach=verdict[0].profile.current_approach if verdict else facts.current_approach,
        findings=sorted_findings(kept),
        errors=tuple(sorted(errors, key=lambda e: (e.path, e.kind, e.message))),
        suppressed=suppressed,
        baselined=len(baselined),
        baselined_findings=tuple(baselined),
        parsed_files=analysis.parsed,
        cached_files=analysis.cached,
        rules=tuple(r.id for r in rules),
        dependencies=facts.reported_dependencies,
        profile=verdict[0].profile if verdict else None,
        recommendation=verdict[1] if verdict else None,
        training_data=tuple(verdict[0].training) if verdict else (),
        training_refs=referenced_training_data(
            facts.data_refs,
            facts.call_sites,
            [d.path for d in (verdict[0].training if verdict else facts.datasets)],
            [f.path for f in found.files],
        ),
        knowledge=(
            {**verdict[0].corpus.to_report(), **verdict[0].history.get("knowledge", {})}
            if verdict
            else {}
        ),
        data_history=verdict[0].history if verdict else {},
        vuln_db_advisories=audit.advisory_count if audit is not None else None,
        vuln_db_newest=audit.newest if audit is not None else None,
        components=facts.components,
        audit=coverage,
        dependency_surface=surface,
        exclusions=exclusions,
    )
    return scrub(report)


def _surface(facts: RepoFacts, errors: list[ScanError]) -> dict[str, Any]:
    """``summary.dependency_surface``; a crash is reported, not fatal."""
    try:
        return facts.dependency_surface.to_dict()
    except Exception as exc:
        errors.append(ScanError("", "internal-error", f"dependency surface: {type(exc).__name__}"))
        return {}


EXCLUDED_SAMPLE = 5


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean(redact_text(value))
    if isinstance(value, enum.Enum) or value is None or isinstance(value, (int, float)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _scrub_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_scrub_value(item) for item in value)
    if isinstance(value, list):
        return [_scrub_value(item) for item in value]
    if isinstance(value, Mapping):
        return {_scrub_value(k): _scrub_value(v) for k, v in value.items()}
    return value


def scrub(report: Report) -> Report:
    """Every string of the report through one step, whatever the format: secrets
    redacted (in messages, names, paths, URLs: ``auditor.scanners.text.redact_text``),
    then control characters and undecodable bytes of file names escaped
    (``auditor.escape.clean``). What leaves ragfit is what this returns."""
    scrubbed: Report = _scrub_value(report)
    return scrubbed
