#!/usr/bin/env python3
"""Time and peak memory of SC009 on a 1 GiB training set (a script, not a test).

Writes a small fine-tuning repository under ``--dir`` (default
``/tmp/ragfit-bench-pii``; never inside this repository): ``train.py`` uploads
``data/train.jsonl``, a chat JSONL of ``--gib`` GiB written record by record
(never held in memory). Personal data is planted at three places: the first
records, the middle of the file, and its last record. Then it runs, each as a
whole process like a user would:

- ``ragfit scan DIR --select SC009 --format json --no-cache --offline``
- the same on a copy whose only personal data is in the last record, so that
  the line breaks of the whole file are counted to give its line number (the
  worst case for reading).

For each it prints the wall time, the peak resident memory of the ragfit
process (``ru_maxrss``), the file size, the bytes SC009 scanned and the line
it reported. The file is reused when it exists with the right size
(``--fresh`` rewrites it).

Usage::

    python bench/sensitive_data.py --gib 1 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORDS = [
    "the",
    "customer",
    "account",
    "invoice",
    "refund",
    "policy",
    "within",
    "days",
    "order",
    "shipping",
    "support",
    "contract",
    "notice",
    "period",
    "payment",
    "balance",
    "update",
    "delivery",
    "request",
    "team",
    "password",
    "reset",
    "settings",
    "security",
    "export",
    "project",
    "plan",
    "seat",
    "billing",
]
SYSTEM = "You are the Brightline helpdesk assistant. Be brief and friendly."
# Fake values with valid checksums; no real person's.
PLANTED = (
    "Please refund the card 4539 1488 0343 6467, mail priya.raman@outlook.com",
    "Call me back on +44 7911 123456 about the outage",
    "My SSN is 536-90-4399 if you need it",
)
TRAIN_PY = """from openai import OpenAI

client = OpenAI()
upload = client.files.create(file=open("data/train.jsonl", "rb"), purpose="fine-tune")
client.fine_tuning.jobs.create(training_file=upload.id, model="gpt-4o-mini-2024-07-18")
"""


def _record(rng: random.Random, question: str | None = None) -> bytes:
    ask = question or " ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "?"
    answer = " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "."
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": ask},
        {"role": "assistant", "content": answer},
    ]
    return (json.dumps({"messages": messages}) + "\n").encode()


def write_dataset(path: Path, size: int, *, planted_only_at_end: bool) -> int:
    """A chat JSONL of about ``size`` bytes; returns its number of lines."""
    rng = random.Random(11)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = lines = 0
    middle_done = False
    with open(path, "wb", buffering=8 * 1024 * 1024) as out:
        while written < size:
            question = None
            if not planted_only_at_end and lines == 2:
                question = PLANTED[0]
            elif not planted_only_at_end and not middle_done and written >= size // 2:
                question, middle_done = PLANTED[1], True
            record = _record(rng, question)
            out.write(record)
            written += len(record)
            lines += 1
        out.write(_record(rng, PLANTED[2]))
        lines += 1
    return lines


def prepare(root: Path, size: int, *, end_only: bool, fresh: bool) -> int:
    root.mkdir(parents=True, exist_ok=True)
    (root / "train.py").write_text(TRAIN_PY)
    data = root / "data" / "train.jsonl"
    marker = root / "data" / ".lines"
    if not fresh and data.is_file() and marker.is_file() and data.stat().st_size >= size:
        return int(marker.read_text())
    lines = write_dataset(data, size, planted_only_at_end=end_only)
    marker.write_text(str(lines))
    return lines


def run(root: Path) -> tuple[float, int, dict[str, object]]:
    """(seconds, peak RSS in KiB, the SC009 finding) of one whole ragfit process."""
    command = [
        sys.executable,
        "-m",
        "auditor",
        "scan",
        str(root),
        "--select",
        "SC009",
        "--format",
        "json",
        "--no-cache",
        "--offline",
        "--exit-zero",
    ]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    out = child.stdout.read()
    # wait4 gives this child's own peak resident memory, not a running maximum.
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stdout.close()
    seconds = time.perf_counter() - started
    peak = usage.ru_maxrss
    if child.returncode != 0:
        raise SystemExit(f"ragfit exited {child.returncode}")
    report = json.loads(out)
    findings = [f for f in report["findings"] if f["rule_id"] == "SC009"]
    return seconds, peak, findings[0] if findings else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ragfit-bench-pii"))
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    size = int(args.gib * 1024**3)
    print(
        f"{'case':<22} {'size':>10} {'lines':>10} {'median s':>9} {'peak RSS':>10} "
        f"{'scanned':>10}  reported"
    )
    for case, end_only in (("planted throughout", False), ("planted at the end", True)):
        root = args.dir / case.replace(" ", "-")
        lines = prepare(root, size, end_only=end_only, fresh=args.fresh)
        os.sync()
        times: list[float] = []
        peak = 0
        finding: dict[str, object] = {}
        for _ in range(args.runs):
            seconds, peak, finding = run(root)
            times.append(seconds)
        props = finding.get("properties", {})
        assert isinstance(props, dict)
        kinds = props.get("kinds", {})
        where = ", ".join(f"{k} line {v['first_line']}" for k, v in kinds.items())
        print(
            f"{case:<22} {(root / 'data/train.jsonl').stat().st_size / 1024**3:>8.2f}Gi "
            f"{lines:>10} {statistics.median(times):>9.2f} {peak / 1024:>8.0f}Mi "
            f"{props.get('bytes_scanned', 0) / 1024**2:>8.1f}Mi  {where}"
        )


if __name__ == "__main__":
    main()
