#!/usr/bin/env python3
"""Rewrite ``checks/data/popular_packages.toml`` from hugovk's top-pypi-packages.

The list is the 30-day download ranking of PyPI projects (PyPI's BigQuery
download statistics), published at https://hugovk.github.io/top-pypi-packages/.
SC003 typosquat-suspect compares dependency names with it. This script needs
the network, so it is not run by the tests.

Usage::

    python bench/refresh_popular_packages.py [--count 5000]
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

URL = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json"
SOURCE = "https://hugovk.github.io/top-pypi-packages/"
TARGET = Path(__file__).resolve().parent.parent / "checks" / "data" / "popular_packages.toml"
PER_LINE = 8


def render(names: Sequence[str], updated: str) -> str:
    """The TOML text: one ``names`` array in rank order, then a ``[meta]`` table."""
    lines = [
        "# The most-downloaded PyPI projects, most downloaded first (rank = position).",
        "# Written by bench/refresh_popular_packages.py; SC003 typosquat-suspect reads it.",
        "# [meta] (source, date, count) follows the list.",
        "",
        "names = [",
    ]
    for start in range(0, len(names), PER_LINE):
        chunk = names[start : start + PER_LINE]
        lines.append("    " + " ".join(json.dumps(name) + "," for name in chunk))
    lines += [
        "]",
        "",
        "[meta]",
        f'updated = "{updated}"',
        f'source = "{SOURCE}"',
        'description = "PyPI projects ranked by downloads over the last 30 days '
        "(hugovk top-pypi-packages, from PyPI's BigQuery download statistics)\"",
        f"count = {len(names)}",
    ]
    return "\n".join(lines) + "\n"


def fetch(count: int) -> list[str]:
    with urllib.request.urlopen(URL, timeout=30) as response:
        data = json.load(response)
    return [str(row["project"]) for row in data["rows"][:count]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=5000, help="how many names (default 5000)")
    args = parser.parse_args(argv)
    try:
        names = fetch(args.count)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: cannot read {URL}: {exc}", file=sys.stderr)
        return 1
    TARGET.write_text(render(names, datetime.date.today().strftime("%Y-%m")), encoding="utf-8")
    print(f"wrote {len(names)} names to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
