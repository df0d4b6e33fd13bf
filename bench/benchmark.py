#!/usr/bin/env python3
"""Time ragfit on large real repositories, beside bandit on the same trees.

For each repository given on the command line:

- count its ``.py`` files;
- ragfit cold, no cache, ``--jobs 1`` and ``--jobs N`` (N = all cores);
- ragfit cold with the cache (``.ragfit_cache/`` deleted first, so the run
  writes it), then warm (the same command again, reading it);
- ``bandit -r . -q -f json -o /dev/null -x ...`` from the repository's root, skipping
  the folders ragfit skips (one process: bandit has no jobs option).

Each figure is the median wall time of ``--runs`` whole processes
(``time.perf_counter`` around ``subprocess.run``), so interpreter start-up and
imports count, as they do for a user. "Cold" means ragfit's own cache is empty;
the operating system's page cache is warm after the first run either way.

The scanned trees are not written to, except ``.ragfit_cache/``, which is
removed at the end (one that existed before is moved aside and put back). The
ragfit reports go to a temporary directory, never into the tree.

Usage::

    python bench/benchmark.py /tmp/bench/crewAI /tmp/bench/sympy --runs 3

See bench/README.md for getting the checkouts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

CACHE_DIR = ".ragfit_cache"
# Folders ragfit never scans (auditor.discover.SKIP_DIRS, copied so that this
# script runs with any interpreter); bandit is told to skip them too, so both
# tools read the same files. bandit's own defaults are kept.
SKIP_DIRS = (
    ".venv",
    "venv",
    "node_modules",
    "site-packages",
    "build",
    "dist",
    ".git",
    ".tox",
    "__pycache__",
    CACHE_DIR,
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".nox",
    ".eggs",
)
BANDIT_DEFAULT_EXCLUDES = (".svn", "CVS", ".bzr", ".hg")


@dataclass
class Result:
    repo: str
    py_files: int = 0
    scanned_py_files: int = 0
    findings: int = 0
    cold_j1: list[float] = field(default_factory=list)
    cold_jn: list[float] = field(default_factory=list)
    cold_cache: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    bandit: list[float] = field(default_factory=list)


def count_py_files(root: Path) -> int:
    """``.py`` files under ``root``, without following symlinks or entering SKIP_DIRS."""
    count = 0
    for _, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        count += sum(1 for name in files if name.endswith(".py"))
    return count


def find_tool(name: str, given: str | None) -> str | None:
    if given:
        return given
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def bandit_excludes() -> str:
    """bandit's ``-x``: globs over the paths it finds under ``.`` (it is run from
    the repository's root, so a folder above the root can never match)."""
    names = (*BANDIT_DEFAULT_EXCLUDES, *SKIP_DIRS, "*.egg-info")
    return ",".join(f"*/{name}/*" for name in names)


def timed(command: list[str], ok: tuple[int, ...] = (0,), cwd: Path | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise SystemExit(
            f"benchmark: `{' '.join(command)}` exited {done.returncode}:\n" + "\n".join(tail)
        )
    return elapsed


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_repo(
    root: Path, *, ragfit: str, bandit: str | None, jobs: int, runs: int, out_dir: Path
) -> Result:
    result = Result(repo=root.name, py_files=count_py_files(root))
    report = out_dir / f"{root.name}.json"
    scan = [ragfit, "scan", str(root), "--format", "json", "--output", str(report)]
    scan += ["--exit-zero", "--offline"]
    cache = root / CACHE_DIR
    saved = out_dir / f"{root.name}.saved-cache"
    had_cache = cache.exists()
    if had_cache:
        shutil.move(str(cache), str(saved))
    try:
        for _ in range(runs):
            result.cold_j1.append(timed([*scan, "--no-cache", "--jobs", "1"]))
            result.cold_jn.append(timed([*scan, "--no-cache", "--jobs", str(jobs)]))
            shutil.rmtree(cache, ignore_errors=True)
            result.cold_cache.append(timed([*scan, "--jobs", str(jobs)]))
            result.warm.append(timed([*scan, "--jobs", str(jobs)]))
        summary = json.loads(report.read_text("utf-8"))["summary"]
        result.scanned_py_files = int(summary["python_files"])
        result.findings = sum(int(n) for n in summary["findings"].values())
        if bandit is not None:
            for _ in range(runs):
                # bandit exits 1 when it reports issues.
                command = [bandit, "-r", ".", "-q", "-f", "json", "-o", os.devnull]
                command += ["-x", bandit_excludes()]
                result.bandit.append(timed(command, ok=(0, 1), cwd=root))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if had_cache:
            shutil.move(str(saved), str(cache))
    return result


def _seconds(value: float) -> str:
    if math.isnan(value):  # not measured
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _ratio(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b) or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def _rate(files: int, seconds: float) -> str:
    if math.isnan(seconds) or seconds == 0:
        return "-"
    return f"{files / seconds:.0f}"


def render(results: list[Result], jobs: int) -> str:
    head = [
        "repo",
        ".py files",
        "scanned",
        "cold -j1",
        f"cold -j{jobs}",
        "cold+cache",
        "warm",
        "bandit",
        "files/s -j1",
        f"files/s -j{jobs}",
        "files/s warm",
        "bandit files/s",
        "cold -j1/bandit",
        f"cold -j{jobs}/bandit",
        "warm/bandit",
    ]
    rows = []
    for r in results:
        cold1, coldn = median(r.cold_j1), median(r.cold_jn)
        cached, warm, band = median(r.cold_cache), median(r.warm), median(r.bandit)
        rows.append(
            [
                r.repo,
                str(r.py_files),
                str(r.scanned_py_files),
                _seconds(cold1),
                _seconds(coldn),
                _seconds(cached),
                _seconds(warm),
                _seconds(band),
                _rate(r.scanned_py_files, cold1),
                _rate(r.scanned_py_files, coldn),
                _rate(r.scanned_py_files, warm),
                _rate(r.py_files, band),
                _ratio(cold1, band),
                _ratio(coldn, band),
                _ratio(warm, band),
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in rows]
    return "\n".join(out)


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    except OSError:
        return "?"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path, help="checkouts to scan")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median; 3)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="N for -jN (all cores)"
    )
    parser.add_argument("--ragfit", help="the ragfit executable (default: beside python)")
    parser.add_argument("--bandit", help="the bandit executable (default: beside python)")
    parser.add_argument("--no-bandit", action="store_true", help="do not run bandit")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write raw timings")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.jobs < 1:
        parser.error("--runs and --jobs must be 1 or more")
    ragfit = find_tool("ragfit", args.ragfit)
    if ragfit is None:
        parser.error("ragfit not found: install it (pip install -e .) or pass --ragfit")
    bandit = None if args.no_bandit else find_tool("bandit", args.bandit)
    if bandit is None and not args.no_bandit:
        parser.error("bandit not found: pip install bandit, or pass --no-bandit")
    for repo in args.repos:
        if not repo.is_dir():
            parser.error(f"{repo}: not a directory")

    print(
        f"# {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {_version([ragfit, '--version'])}, "
        f"{_version([bandit, '--version']) if bandit else 'no bandit'}; "
        f"median of {args.runs} run(s)",
        flush=True,
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="ragfit-bench-") as tmp:
        for repo in args.repos:
            print(f"# {repo} ...", file=sys.stderr, flush=True)
            results.append(
                run_repo(
                    repo.resolve(),
                    ragfit=ragfit,
                    bandit=bandit,
                    jobs=args.jobs,
                    runs=args.runs,
                    out_dir=Path(tmp),
                )
            )
    print(render(results, args.jobs))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
