#!/usr/bin/env python3
"""How often SC003 (typosquat-suspect) flags a legitimate project.

Legitimate names are the PyPI projects ranked just below the popular list
SC003 compares with: the download ranking's ranks 5,001 to 15,000 (popular
but not in `checks/data/popular_packages.toml`, so the rule has to judge
them). Each is put through the rule's own test
(`TyposquatSuspect._resemblance`, with the shipped list), and the script
prints the share flagged and the names. It reproduces the figure quoted in
the rule's documentation (1.2% of 9,986) and in the comment above `TARGETS`
(5.7% when every one of the 5,000 names is a target).

The ranking is hugovk's top-pypi-packages (30 days, 15,000 rows), from
https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json; give
that JSON file, or a text file with one name per line in rank order. It
needs no network itself.

Usage::

    python bench/typosquat_false_alarms.py RANKING [--first 5001] [--last 15000] [--targets N]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.checks.supply_chain import typosquat_suspect as sc003

from auditor.model import normalise_name


def read_ranking(path: Path) -> list[str]:
    text = path.read_text("utf-8")
    if text.lstrip().startswith("{"):
        return [str(row["project"]) for row in json.loads(text)["rows"]]
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("ranking", type=Path, help="top-pypi-packages JSON, or names in rank order")
    parser.add_argument("--first", type=int, default=5001, help="first rank judged (5001)")
    parser.add_argument("--last", type=int, default=15000, help="last rank judged (15000)")
    parser.add_argument(
        "--targets", type=int, default=sc003.TARGETS, help=f"names compared with ({sc003.TARGETS})"
    )
    parser.add_argument("--show", type=int, default=20, help="flagged names to print")
    args = parser.parse_args(argv)
    sc003.TARGETS = args.targets  # the rule reads it when it builds its candidates
    popular = sc003.popular_packages()
    names = read_ranking(args.ranking)[args.first - 1 : args.last]
    judged = [n for n in dict.fromkeys(normalise_name(n) for n in names) if n not in popular.ranks]
    flagged = [
        (name, how)
        for name in judged
        if (how := sc003.TyposquatSuspect._resemblance(name, popular)) is not None
    ]
    share = len(flagged) / len(judged) if judged else 0.0
    print(
        f"ranks {args.first:,}-{args.last:,}: {len(judged):,} names not on the popular list, "
        f"compared with the top {args.targets:,}: {len(flagged):,} flagged ({share:.1%})"
    )
    for name, (_, how) in flagged[: args.show]:
        print(f"  {name}: {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
