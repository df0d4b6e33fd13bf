#!/usr/bin/env python3
"""Python and notebook files built to crash, stall or exhaust ragfit's scanner,
at full size: time and peak memory of a whole scan of each.

Each case is one file in a fresh temporary repository, scanned with
``ragfit scan --format json --no-cache --offline --exit-zero`` in a child
process of its own (``--jobs 1``, so the whole analysis runs in that process;
the crash case runs once more with ``--jobs 2``). The child reports its own
peak resident memory and that of its children (forked parsers); the script
prints the file size, wall time, peak memory, the ratio of peak memory to the
file's size, and what the report says about the file (call sites, errors).

The shapes are those of issue 13, item 3 and the Python part of item 4:

- ``or-chain``: ``import openai`` then a 50 KB ``a or a or ...`` (libcst's
  native parser used to die with SIGSEGV, taking the scan with it);
- ``and-chain``: the same with ``and``;
- ``call-chain-32``: ``f()()()...`` with 32 calls (used to hang: resolution
  was exponential in the chain's length);
- ``method-chain-20``: an ordinary 20-call method chain (used to take 6 s);
- ``call-chain-5000``: 5,000 calls, which Python 3.13's ``ast`` accepts;
- ``subscript-chain``: 2,000 chained subscripts (a minute of libcst's time);
- ``nested-brackets``: 2,000 lines of brackets nested 150 deep;
- ``new-syntax-or-chain``: a PEP 695 alias (``ast`` on 3.11 rejects the file,
  so it has no tree to measure) followed by the 50 KB ``or`` chain;
- ``sdk-calls-2mb``: 2 MB of ordinary OpenAI calls (used to peak at 2.6 GB);
- ``notebook-2mb``: a 2 MB notebook of 349,000 one-line sources (3.3 GB).

Usage::

    python bench/python_bombs.py [--python PATH] [--only NAME ...] [--timeout S] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CALL = (
    "reply = client.chat.completions.create(model='gpt-4o-mini', "
    "messages=[{'role': 'user', 'content': question}])\n"
)


def or_chain(op: str = "or") -> dict[str, str]:
    body = f" {op} ".join(["a"] * 10_000)
    return {"bomb.py": f"import openai\nx = {body}\n"}


def call_chain(count: int) -> dict[str, str]:
    return {"bomb.py": "import openai\nx = f" + "()" * count + "\n"}


def method_chain(count: int) -> dict[str, str]:
    chain = "".join(f".step{i}()" for i in range(count))
    return {"bomb.py": f"import openai\nclient = openai.OpenAI()\nx = client{chain}\n"}


def subscript_chain() -> dict[str, str]:
    return {"bomb.py": "import openai\nx = a" + "[0]" * 2_000 + "\n"}


def nested_brackets() -> dict[str, str]:
    line = "x = " + "f(" * 150 + "a" + ")" * 150 + "\n"
    return {"bomb.py": "import openai\n" + line * 2_000}


def new_syntax_or_chain() -> dict[str, str]:
    body = " or ".join(["a"] * 10_000)
    return {"bomb.py": f"type Alias = int\nimport openai\nx = {body}\n"}


def sdk_calls(size: int = 2 * 1024 * 1024) -> dict[str, str]:
    head = "from openai import OpenAI\nclient = OpenAI()\nquestion = 'hi'\n"
    return {"calls.py": head + CALL * ((size - len(head)) // len(CALL))}


def notebook(lines: int = 349_000) -> dict[str, str]:
    source = ["from openai import OpenAI\n", "client = OpenAI()\n"] + ["x\n"] * lines
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
    data = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return {"bomb.ipynb": json.dumps(data, separators=(",", ":"))}


CASES: dict[str, tuple[Callable[[], dict[str, str]], tuple[str, ...]]] = {
    "or-chain": (or_chain, ("--jobs", "1")),
    "or-chain-j2": (or_chain, ("--jobs", "2")),
    "and-chain": (lambda: or_chain("and"), ("--jobs", "1")),
    "call-chain-32": (lambda: call_chain(32), ("--jobs", "1")),
    "method-chain-20": (lambda: method_chain(20), ("--jobs", "1")),
    "call-chain-5000": (lambda: call_chain(5_000), ("--jobs", "1")),
    "subscript-chain": (subscript_chain, ("--jobs", "1")),
    "nested-brackets": (nested_brackets, ("--jobs", "1")),
    "new-syntax-or-chain": (new_syntax_or_chain, ("--jobs", "1")),
    "sdk-calls-2mb": (sdk_calls, ("--jobs", "1")),
    "notebook-2mb": (notebook, ("--jobs", "1")),
}

# Runs ragfit in this child and prints its peak memory (and its children's).
_CHILD = """
import resource, sys
from auditor.cli import main
code = main(sys.argv[1:])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("PEAK", own, kids, code, file=sys.stderr)
"""


def run_case(name: str, python: str, workdir: Path, timeout: float) -> dict[str, object]:
    build, flags = CASES[name]
    root = workdir / name
    root.mkdir()
    files = build()
    for rel, text in files.items():
        (root / rel).write_text(text, "utf-8")
    size = sum(len(t.encode()) for t in files.values())
    report = workdir / f"{name}.json"
    command = [
        python,
        "-c",
        _CHILD,
        "scan",
        str(root),
        "--format",
        "json",
        "--output",
        str(report),
        "--no-cache",
        "--offline",
        "--exit-zero",
        *flags,
    ]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {
            "case": name,
            "bytes": sum(len(t.encode()) for t in files.values()),
            "seconds": f">{timeout:g}",
            "exit": "killed",
            "peak_mb": "-",
            "peak_per_byte": "-",
            "errors": [f"no report within {timeout:g} s"],
        }
    seconds = time.perf_counter() - started
    peak_kb = children_kb = 0
    for line in done.stderr.splitlines():
        if line.startswith("PEAK "):
            _, own, kids, _code = line.split()
            peak_kb, children_kb = int(own), int(kids)
    result: dict[str, object] = {
        "case": name,
        "bytes": size,
        "seconds": round(seconds, 2),
        "exit": done.returncode,
        "peak_mb": round(max(peak_kb, children_kb) / 1024, 1),
        "peak_per_byte": round(max(peak_kb, children_kb) * 1024 / size, 1),
    }
    if report.exists():
        data = json.loads(report.read_text("utf-8"))
        result["call_sites"] = len(data["inventory"]["call_sites"])
        result["errors"] = [f"{e['kind']}: {e['message']}" for e in data["errors"]]
    else:
        result["errors"] = [done.stderr.strip().splitlines()[-1:] or "no report"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the Python that has ragfit")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="run only these cases")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a case may take")
    args = parser.parse_args()
    names = args.only or list(CASES)
    version = subprocess.run(
        [args.python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"# Python {version} ({args.python}), {os.cpu_count()} cores")
    print("| case | bytes | seconds | peak MB | peak / file | exit | call sites | errors |")
    print("|---|---|---|---|---|---|---|---|")
    results = []
    with tempfile.TemporaryDirectory(prefix="ragfit-bombs-") as tmp:
        for name in names:
            result = run_case(name, args.python, Path(tmp), args.timeout)
            results.append(result)
            errors = "; ".join(str(e) for e in result.get("errors", [])) or "-"
            print(
                f"| {name} | {result['bytes']} | {result['seconds']} | {result['peak_mb']} "
                f"| {result['peak_per_byte']}x | {result['exit']} "
                f"| {result.get('call_sites', '-')} | {errors[:90]} |",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
