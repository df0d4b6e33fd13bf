#!/usr/bin/env python3
"""Time ``sniff_dataset`` on generated fine-tuning files (a script, not a test).

Generates, in memory, a chat JSONL of about ``--mb`` megabytes (system prompt,
user question, assistant answer with dates and amounts), the same records as a
pretty-printed JSON list, and a JSON object of the same size that is not a
dataset; prints the median of ``--runs`` timings of each.

Usage::

    python bench/datasets.py --mb 50 --runs 3
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from auditor.scanners.data import sniff_dataset

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
    "clause",
    "notice",
    "period",
    "payment",
    "balance",
    "update",
    "delivery",
    "request",
    "team",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _records(megabytes: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    records: list[dict[str, object]] = []
    size = 0
    while size < megabytes * 1_000_000:
        answer = (
            f"{_sentence(rng, 40)} On 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} "
            f"you paid ${rng.randint(10, 999)}.\n\n{_sentence(rng, 30)}"
        )
        record = {
            "messages": [
                {"role": "system", "content": "You are a careful support agent. " * 6},
                {"role": "user", "content": _sentence(rng, 25)},
                {"role": "assistant", "content": answer},
            ]
        }
        records.append(record)
        size += len(json.dumps(record)) + 1
    return records


def _time(path: str, text: str, runs: int) -> tuple[float, object]:
    timings = []
    found: object = None
    for _ in range(runs):
        start = time.perf_counter()
        found, _errors = sniff_dataset(path, text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    records = _records(args.mb)
    jsonl = "\n".join(json.dumps(r) for r in records) + "\n"
    pretty = json.dumps(records, indent=2)
    other = json.dumps({"settings": {f"key{i}": r for i, r in enumerate(records)}})
    configs = json.dumps([{"name": f"job{i}", "steps": r} for i, r in enumerate(records)])
    for name, text in (
        ("train.jsonl", jsonl),
        ("train.json", pretty),
        ("settings.json (an object)", other),
        ("jobs.json (a list, no records)", configs),
    ):
        seconds, found = _time(name.split()[0], text, args.runs)
        megabytes = len(text.encode()) / 1e6
        print(f"{name:32} {megabytes:6.1f} MB  {seconds:6.2f} s  {megabytes / seconds:6.1f} MB/s")
        if found is not None:
            print(f"    {found}")


if __name__ == "__main__":
    main()
