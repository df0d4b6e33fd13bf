#!/usr/bin/env python3
"""Rewrite ``checks/data/license_snapshot.toml``: the license of the latest
release of the most-downloaded PyPI projects, for license look-ups offline.

The project list is ``checks/data/popular_packages.toml`` (the download ranking
SC003 uses; ``bench/refresh_popular_packages.py`` refreshes it). For each
project the script reads the package index's JSON API (``/pypi/NAME/json``:
``info.version``, ``info.license_expression``, ``info.license`` and the
``License ::`` classifiers), classifies it with ragfit's own code
(``auditor.licenses.classify.from_metadata``) and keeps, per project:

- ``[version, spdx]`` when the license is an SPDX expression, or
- ``[version, "", [classifiers]]`` when only classifiers name it (for example
  "OSI Approved :: BSD License", which names no single SPDX id), or
- ``[version, ""]`` when the latest release declares nothing recognisable.

It needs the network, so no test runs it. It is polite and resumable: at most
``--workers`` requests at a time (default 4), a timeout per request, a pause
between retries, and every answer is appended to a progress file
(``--state``, default ``/tmp/ragfit-license-snapshot.jsonl``) as it arrives,
so an interrupted run picks up where it stopped. ``--fresh`` starts over.

Usage::

    python bench/refresh_license_snapshot.py [--count 5000] [--workers 4]
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from auditor.knowledge import load_table  # noqa: E402
from auditor.licenses.classify import from_metadata  # noqa: E402

INDEX = "https://pypi.org/pypi"
TARGET = HERE.parent / "checks" / "data" / "license_snapshot.toml"
STATE = Path("/tmp/ragfit-license-snapshot.jsonl")
USER_AGENT = "ragfit license snapshot (bench/refresh_license_snapshot.py)"
TIMEOUT = 20.0
RETRIES = 3
MAX_BODY = 64 * 1024 * 1024


def fetch(name: str, index: str) -> dict[str, Any]:
    """One project's entry: ``{"name", "version", "spdx", "classifiers"}``, or
    ``{"name", "missing": reason}`` when the index has no such project."""
    url = f"{index.rstrip('/')}/{urllib.parse.quote(name)}/json"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    for attempt in range(RETRIES):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                data = json.loads(response.read(MAX_BODY))
            break
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return {"name": name, "missing": "not on the index"}
            if attempt == RETRIES - 1:
                raise
        except (urllib.error.URLError, TimeoutError, OSError):
            if attempt == RETRIES - 1:
                raise
        time.sleep(2.0 * (attempt + 1))
    info = data.get("info") or {}
    classifiers = [
        c
        for c in info.get("classifiers") or []
        if isinstance(c, str) and c.startswith("License ::")
    ]
    license_text = info.get("license") if isinstance(info.get("license"), str) else None
    expression = info.get("license_expression")
    found = from_metadata(
        expression if isinstance(expression, str) else None, license_text, classifiers
    )
    entry: dict[str, Any] = {"name": name, "version": str(info.get("version") or "")}
    if found.spdx:
        entry["spdx"] = found.spdx
    elif found.known:
        entry["classifiers"] = [c.removeprefix("License :: ") for c in classifiers]
    return entry


def read_state(path: Path) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return done
    for line in path.read_text("utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line cut short by an interruption
        if isinstance(row, dict) and isinstance(row.get("name"), str):
            done[row["name"]] = row
    return done


def render(names: Sequence[str], rows: Mapping[str, Mapping[str, Any]], updated: str) -> str:
    lines = [
        "# The license of the latest release of the most-downloaded PyPI projects,",
        "# for license look-ups offline (after the scanned environment and the cache).",
        "# Written by bench/refresh_license_snapshot.py from the index's JSON API.",
        '# name = [latest version, SPDX expression or "", optional License :: classifiers]',
        "",
        "[meta]",
        f'updated = "{updated}"',
        'source = "https://pypi.org/pypi/NAME/json (info.license_expression, info.license, '
        'License :: classifiers)"',
        'projects = "checks/data/popular_packages.toml"',
    ]
    kept = [n for n in names if n in rows and "missing" not in rows[n]]
    lines += [f"count = {len(kept)}", "", "[projects]"]
    for name in kept:
        row = rows[name]
        value: list[Any] = [row["version"], row.get("spdx", "")]
        if row.get("classifiers"):
            value.append(row["classifiers"])
        lines.append(f"{json.dumps(name)} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=5000, help="how many projects (5000)")
    parser.add_argument("--workers", type=int, default=4, help="requests at a time (4)")
    parser.add_argument("--index", default=INDEX, help=f"JSON API base ({INDEX})")
    parser.add_argument("--state", type=Path, default=STATE, help="progress file (resumable)")
    parser.add_argument("--fresh", action="store_true", help="ignore the progress file")
    parser.add_argument("--output", type=Path, default=TARGET, help="the TOML to write")
    args = parser.parse_args(argv)
    names = [str(n) for n in load_table("popular_packages")["names"][: args.count]]
    if args.fresh:
        args.state.unlink(missing_ok=True)
    done = read_state(args.state)
    todo = [n for n in names if n not in done]
    print(f"{len(names)} projects, {len(done)} already fetched, {len(todo)} to fetch")
    lock = threading.Lock()
    failures: list[str] = []

    def one(name: str) -> None:
        try:
            row = fetch(name, args.index)
        except Exception as exc:  # keep going; a re-run retries it
            with lock:
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
            return
        with lock, args.state.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row) + "\n")
            done[name] = row
            if len(done) % 250 == 0:
                print(f"  {len(done)} / {len(names)}", flush=True)

    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        list(pool.map(one, todo))
    if failures:
        print(f"{len(failures)} failed (run again to retry):", *failures[:10], sep="\n  ")
    args.output.write_text(render(names, done, datetime.date.today().isoformat()), "utf-8")
    known = sum(1 for r in done.values() if r.get("spdx") or r.get("classifiers"))
    print(f"wrote {args.output}: {known} of {len(done)} projects with a recognisable license")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
