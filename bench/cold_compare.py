#!/usr/bin/env python3
"""Cold scans by two builds of ragfit, alternated, on the same trees: did a
change make a cold scan dearer?

``benchmark.py`` times one build against bandit on a quiet machine. This
script answers the question a change to the scanners asks ("at most 10% more
than before"), and is usable on a busy machine: it runs the two builds in
turn (ABBA order, so drift in the machine's load falls on both), each cold
(``--no-cache``) and offline, and reports the median wall time and the median
CPU time (user + system of the scan and the workers it waited for, read with
``wait4``). CPU time is the figure to compare when other work shares the
machine: it does not count time spent waiting for a core. The change of the
fastest runs is printed too: on a shared machine, noise only ever adds time.

Make the "before" build from an older commit in its own virtual environment::

    git worktree add /tmp/before <commit>
    python3 -m venv /tmp/before/.venv && /tmp/before/.venv/bin/pip install -q /tmp/before
    python bench/cold_compare.py /tmp/bench/crewAI /tmp/bench/langchain_community \\
        --before /tmp/before/.venv/bin/ragfit --after .venv/bin/ragfit --rounds 4

Options: ``--jobs N`` (default 1: the whole analysis in the measured process),
``--rounds N`` (each build scans each tree N times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _scan(ragfit: str, tree: Path, jobs: int, output: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one cold scan (CPU: the process and its children)."""
    command = [ragfit, "scan", str(tree), "--format", "json", "--output", str(output)]
    command += ["--exit-zero", "--offline", "--no-cache", "--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{ragfit} failed on {tree} (exit {code}): {stderr.strip()[:300]}")
    # ru_utime/ru_stime of wait4 cover the process and the children it waited for.
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--before", required=True, help="the ragfit executable before the change")
    parser.add_argument("--after", required=True, help="the ragfit executable after the change")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    for tree in args.trees:
        if not tree.is_dir():
            parser.error(f"{tree}: not a folder")
    builds = [("before", args.before), ("after", args.after)]
    timings: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ragfit-cold-") as tmp:
        output = Path(tmp) / "report.json"
        for round_ in range(args.rounds):
            order = builds if round_ % 2 == 0 else builds[::-1]
            for tree in args.trees:
                for name, ragfit in order:
                    wall, cpu = _scan(ragfit, tree, args.jobs, output)
                    timings.setdefault((tree.name, name), []).append((wall, cpu))
                    line = f"{tree.name:24} {name:6} wall {wall:6.2f} s  cpu {cpu:6.2f} s"
                    print(line, flush=True)
    print()
    print(
        "| tree | before wall | after wall | before CPU | after CPU | CPU change "
        "| fastest CPU change |"
    )
    print("|---|---|---|---|---|---|---|")
    for tree in args.trees:
        walls = {n: statistics.median(w for w, _ in timings[(tree.name, n)]) for n, _ in builds}
        cpus = {n: statistics.median(c for _, c in timings[(tree.name, n)]) for n, _ in builds}
        fastest = {n: min(c for _, c in timings[(tree.name, n)]) for n, _ in builds}
        change = (cpus["after"] / cpus["before"] - 1) * 100
        least = (fastest["after"] / fastest["before"] - 1) * 100
        print(
            f"| {tree.name} | {walls['before']:.2f} s | {walls['after']:.2f} s "
            f"| {cpus['before']:.2f} s | {cpus['after']:.2f} s | {change:+.1f}% | {least:+.1f}% |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
