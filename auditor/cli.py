"""The command line: ``ragfit scan | rules | explain``.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it;
2 a usage, configuration or I/O error, printed as one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from auditor import __version__
from auditor.config import (
    FAIL_ON,
    Config,
    ConfigError,
    check_rule_patterns,
    load_config,
    parse_rule_list,
)
from auditor.escape import one_line
from auditor.model import Report, ScanError
from auditor.rules import CATALOG, all_rules, rule_by_id
from auditor.safeio import UnsafeFile, read_regular
from auditor.scanners.text import redact_text

FORMATS = ("terminal", "json", "sarif", "markdown", "github", "cyclonedx")
STATISTICS_FORMATS = ("terminal", "json")
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, exit 2 (argparse prints the whole usage otherwise).
        self.exit(EXIT_ERROR, f"ragfit: error: {message} (see `ragfit {self._verb()}--help`)\n")

    def _verb(self) -> str:
        name = self.prog.split()
        return f"{name[1]} " if len(name) > 1 else ""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ragfit",
        description="Audit a repository's LLM usage: RAG or fine-tuning, supply chain, licenses.",
    )
    parser.add_argument("--version", action="version", version=f"ragfit {__version__}")
    verbs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scan = verbs.add_parser("scan", help="audit a repository")
    scan.add_argument("path", nargs="?", default=".", help="repository to scan (default: .)")
    scan.add_argument("--format", choices=FORMATS, default="terminal")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    scan.add_argument("--select", metavar="IDS", help="only these rules (ids or prefixes)")
    scan.add_argument("--ignore", metavar="IDS", help="skip these rules (ids or prefixes)")
    scan.add_argument("--fail-on", choices=FAIL_ON, help="lowest severity that fails (error)")
    scan.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    scan.add_argument("--offline", action="store_true", help="never use the network")
    scan.add_argument("--vuln-db", metavar="PATH", help="OSV advisories (directory or zip)")
    scan.add_argument("--python", metavar="PATH", help="the project's environment (licenses)")
    scan.add_argument("--config", metavar="FILE", help="configuration file")
    scan.add_argument(
        "--isolated",
        action="store_true",
        help="ignore the repository's own configuration and suppression comments",
    )
    scan.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes")
    scan.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    scan.add_argument("--baseline", metavar="FILE", help="hide findings recorded in FILE")
    scan.add_argument(
        "--write-baseline", metavar="FILE", help="record the current findings in FILE"
    )
    scan.add_argument("--diff-base", metavar="REF", help="only files changed since REF")
    scan.add_argument("--quiet", "-q", action="store_true", help="findings and summary only")
    scan.add_argument("--sarif-category", metavar="NAME", help="SARIF automationDetails id")
    scan.add_argument(
        "--tracked-only",
        action="store_true",
        help="git work trees: only tracked and staged files (what a commit holds)",
    )
    scan.add_argument(
        "--statistics", action="store_true", help="count findings per rule instead of listing them"
    )
    scan.add_argument(
        "--require-audit",
        action="store_true",
        default=None,
        help="fail when any dependency could not be checked for vulnerabilities",
    )
    rules = verbs.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("terminal", "json"), default="terminal")
    explain = verbs.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("rule_id", metavar="ID")
    return parser


def _fail(message: str) -> int:
    # One line whatever it quotes: a configuration key with a line break in it
    # must not start a line of its own (``::error ...::`` is a CI command).
    sys.stderr.write(f"ragfit: error: {one_line(redact_text(message))}\n")
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(sys.stdout, args.format)
        if args.command == "explain":
            return _explain(args.rule_id, sys.stdout)
        parser.print_help()
        return EXIT_ERROR
    except (ConfigError, UsageError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:
        return EXIT_ERROR


def _rules(out: TextIO, fmt: str = "terminal") -> int:
    """The rule table; ``--format json`` lists each rule's id, name, default
    severity, summary, tags, precision and documentation URL."""
    if fmt == "json":
        import json

        from auditor.rules import help_uri

        rows = [
            {
                "id": rule.id,
                "name": rule.name,
                "severity": rule.severity.label,
                "summary": rule.summary(),
                "tags": list(rule.tags),
                "precision": rule.precision,
                "help_uri": help_uri(rule),
            }
            for rule in all_rules()
        ]
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="ragfit rules", show_lines=False)
    for column in ("id", "name", "severity", "summary"):
        table.add_column(column)
    for rule in all_rules():
        # Text cells are never read as markup: a summary may hold `[...]`.
        table.add_row(*(Text(c) for c in (rule.id, rule.name, rule.severity.label, rule.summary())))
    Console(file=out, soft_wrap=False).print(table)
    return EXIT_OK


def _explain(rule_id: str, out: TextIO) -> int:
    rule = rule_by_id(rule_id)
    if rule is None:
        if rule_id.upper() in CATALOG:
            raise UsageError(f"{rule_id.upper()} is reserved and not implemented yet")
        raise UsageError(f"unknown rule `{rule_id}` (see `ragfit rules`)")
    out.write(f"# {rule.id} {rule.name} ({rule.severity.label})\n\n{rule.doc()}\n")
    return EXIT_OK


def _config_for(args: argparse.Namespace, root: Path) -> tuple[Config, list[ScanError]]:
    explicit = Path(args.config) if args.config else None
    config, errors = load_config(root, explicit, isolated=args.isolated)
    config = config.merged(
        select=parse_rule_list(args.select),
        ignore=parse_rule_list(args.ignore),
        fail_on=args.fail_on,
        require_audit=args.require_audit,
    )
    for where, patterns in (("select", config.select), ("ignore", config.ignore)):
        check_rule_patterns(patterns, sorted(CATALOG), where)
    return config, errors


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """A scan allocates millions of short-lived objects without cycles (syntax
    trees): at the default threshold the cycle collector walks the live heap
    over and over for nothing (2 of crewAI's 30 seconds). What start-up built
    is frozen out of its sight and it runs less often; both are undone after
    (the tests call the CLI in one process)."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _scan(args: argparse.Namespace) -> int:
    from auditor.engine import Options, audit

    root = Path(args.path)
    if not root.exists():
        raise UsageError(f"{args.path}: no such file or directory")
    if not root.is_dir():
        raise UsageError(f"{args.path}: not a directory (ragfit scans a repository)")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    if args.statistics and args.format not in STATISTICS_FORMATS:
        raise UsageError(f"--statistics works with --format terminal or json, not {args.format}")
    for flag, value in (("--vuln-db", args.vuln_db), ("--python", args.python)):
        if value is not None and not Path(value).exists():
            raise UsageError(f"{flag} {value}: no such file or directory")
    python = _python_environment(args.python)
    config, config_errors = _config_for(args, root.resolve())
    baseline = _read_baseline(Path(args.baseline)) if args.baseline else None

    progress, finish = _progress(args)
    try:
        with _fewer_collections():
            report = audit(
                root,
                config,
                Options(
                    jobs=args.jobs,
                    use_cache=not args.no_cache,
                    baseline=baseline or frozenset(),
                    diff_base=args.diff_base,
                    progress=progress,
                    extra_errors=tuple(config_errors),
                    vuln_db=Path(args.vuln_db) if args.vuln_db else None,
                    online=not args.offline,
                    python=python,
                    isolated=args.isolated,
                    require_audit=config.require_audit,
                    untracked=not args.tracked_only,
                ),
            )
    except ValueError as exc:  # --diff-base with an unknown ref
        raise UsageError(str(exc)) from None
    finally:
        finish()

    if args.write_baseline:
        from auditor.reporters.json import render_baseline

        written = render_baseline(report)
        _write(Path(args.write_baseline), written, Path(args.path))
        count = len(report.findings) + len(report.baselined_findings)
        sys.stderr.write(f"ragfit: wrote a baseline of {count} findings to {args.write_baseline}\n")
    _emit(report, args)
    if args.vuln_db:
        _vuln_db_notice(report, sys.stderr)
    if config.require_audit and not report.audit.complete:
        # Asked for explicitly, so it fails the run even with --exit-zero.
        why = f" ({report.audit.reason})" if report.audit.reason else ""
        sys.stderr.write(
            f"ragfit: the vulnerability audit is incomplete: {report.audit.sentence()}{why}"
            " (require-audit)\n"
        )
        return EXIT_FINDINGS
    threshold = config.fail_threshold
    if args.exit_zero or threshold is None:
        return EXIT_OK
    return EXIT_FINDINGS if any(f.severity >= threshold for f in report.findings) else EXIT_OK


STALE_DAYS = 30


def _python_environment(value: str | None) -> Path | None:
    """``--python``: a virtual environment, its python, or a site-packages folder."""
    if value is None:
        return None
    from auditor.licenses.sources import find_site_packages

    path = Path(value)
    if not find_site_packages(path):
        raise UsageError(
            f"--python {value}: no site-packages found "
            "(give a virtual environment, its python executable or a site-packages folder)"
        )
    return path


def _vuln_db_notice(report: Report, out: TextIO) -> None:
    """How many advisories were read and how fresh they are (a stale database
    misses the newest advisories: say so rather than look clean)."""
    from datetime import date

    count = report.vuln_db_advisories
    if count is None:
        return
    newest = report.vuln_db_newest
    out.write(f"ragfit: {count} advisories read, newest {newest or 'undated'}\n")
    if newest is not None:
        age = (date.today() - date.fromisoformat(newest)).days
        if age > STALE_DAYS:
            out.write(
                f"ragfit: warning: the vulnerability database is {age} days old; "
                "refresh it to see recent advisories\n"
            )


def _read_baseline(path: Path) -> frozenset[tuple[str, str]]:
    """``--baseline`` only reads: a missing file is an error (a mistyped path
    must not quietly turn gating off); ``--write-baseline`` makes one."""
    from auditor.reporters.json import read_baseline_fingerprints

    if not path.exists():
        raise UsageError(f"--baseline {path}: no such file (make one with --write-baseline {path})")
    try:
        text = read_regular(path, MAX_BASELINE_BYTES).decode("utf-8")
    except UnsafeFile as exc:
        raise UsageError(f"--baseline {path}: cannot read ({exc})") from None
    except UnicodeDecodeError:
        raise UsageError(f"--baseline {path}: cannot read (not UTF-8)") from None
    try:
        return frozenset(read_baseline_fingerprints(text))
    except ValueError as exc:
        raise UsageError(f"--baseline {path}: {exc}") from None


MAX_BASELINE_BYTES = 256 * 1024 * 1024


def _write(path: Path, text: str, root: Path | None = None) -> None:
    from auditor.engine import write_output

    if root is not None and path.is_symlink() and _inside(path, root):
        # A link committed to the scanned repository where the report goes:
        # writing through it could overwrite anything the link names.
        raise UsageError(f"{path}: a symbolic link inside the scanned repository; not written")
    try:
        write_output(path, text)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.absolute().parent.resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return False
    return True


def _emit(report: Report, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt == "terminal" and not args.statistics:
        from rich.console import Console

        from auditor.reporters.terminal import render_terminal

        console = Console()
        if args.output is None and console.is_terminal:
            render_terminal(report, console, quiet=args.quiet)
            return
        # A pipe or a file: one unwrapped `path:line:col: ID message` line per finding.
        from auditor.reporters.plain import render_plain

        text = render_plain(report, quiet=args.quiet)
    else:
        text = _render(report, fmt, args)
    if args.output:
        _write(Path(args.output), text, Path(args.path))
    else:
        # Bytes, so that every format is UTF-8 whatever the locale says.
        sys.stdout.flush()
        raw = getattr(sys.stdout, "buffer", None)
        if raw is not None:
            raw.write(text.encode("utf-8"))
            raw.flush()
        else:  # a text-only stream (tests capture into one)
            sys.stdout.write(text)
            sys.stdout.flush()


def _render(report: Report, fmt: str, args: argparse.Namespace) -> str:
    if args.statistics:
        from auditor.reporters.plain import render_statistics, statistics

        if fmt == "json":
            import json

            rows = [
                {"rule_id": rule_id, "name": name, "severity": severity.label, "count": count}
                for count, rule_id, name, severity in statistics(report.findings)
            ]
            return json.dumps(rows, indent=2) + "\n"
        return render_statistics(report)
    if fmt == "json":
        from auditor.reporters.json import render_json

        return render_json(report)
    if fmt == "sarif":
        from auditor.reporters.sarif import render_sarif

        return render_sarif(report, category=args.sarif_category)
    if fmt == "markdown":
        from auditor.reporters.markdown import render_markdown

        return render_markdown(report)
    if fmt == "cyclonedx":
        from auditor.reporters.cyclonedx import render_cyclonedx

        return render_cyclonedx(report)
    from auditor.reporters.github import render_github

    return render_github(report)


def _progress(
    args: argparse.Namespace,
) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress bar on a terminal, for the terminal format only."""
    if args.format != "terminal" or args.quiet or not sys.stderr.isatty() or os.environ.get("CI"):
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("scanning", total=None)
    started = [False]

    def update(done: int, total: int) -> None:
        if total < 200:  # short scans finish before a bar would help
            return
        if not started[0]:
            bar.start()
            started[0] = True
        bar.update(task, completed=done, total=total)

    def finish() -> None:
        if started[0]:
            bar.stop()

    return update, finish
