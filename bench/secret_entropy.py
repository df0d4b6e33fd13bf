#!/usr/bin/env python3
"""How many genuine AWS access key ids an entropy floor would drop.

SC007 skips candidates whose random part has low Shannon entropy (bits per
character, ``auditor.scanners.text.entropy``): placeholders such as
``AKIAAAAAAAAAAAAAAAAA`` are not keys. An AWS key id has only 16 random
characters from 36 (``[A-Z0-9]``), so some genuine ones have low entropy by
chance. This script draws random key ids (the shape AWS issues: ``AKIA`` and
16 characters chosen uniformly) and prints the share below each floor. With
the default seed and count it reproduces the figure quoted in
``auditor/scanners/text.py``: about 0.16% below 3.0 bits, and 0.0015% (3 in
200,000) below the 2.5 bits the pattern uses.

Usage::

    python bench/secret_entropy.py [--count 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.scanners.text import entropy

ALPHABET = string.ascii_uppercase + string.digits
FLOORS = (2.5, 2.75, 3.0, 3.25)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=200_000, help="key ids to draw")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    values = [entropy("".join(rng.choice(ALPHABET) for _ in range(16))) for _ in range(args.count)]
    print(f"{args.count:,} random AWS key id bodies (16 characters of [A-Z0-9])")
    for floor in FLOORS:
        below = sum(1 for v in values if v < floor)
        print(f"  below {floor:.2f} bits: {below:>7,} ({below / args.count:.2%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
