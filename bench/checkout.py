#!/usr/bin/env python3
"""Make the benchmark's working copies: one clone per corpus entry, with its
history, at the labelled commit.

For each entry of ``bench/corpus.toml`` (or each ``owner/name@commit`` given on
the command line) this clones a source into ``DEST/owner+name`` and checks out
the commit, detached. The source is, in order:

- ``--mirror DIR``: a folder of bare repositories named ``owner+name`` (the
  ``fetch`` tool's ``/work/.mirror/owner+name/repo`` layout, or
  ``DIR/owner+name`` itself when that is a git directory);
- otherwise ``https://github.com/owner/name`` (``--url-base`` changes the host).

It only runs git: nothing of the repository is built, installed or executed.
Hooks, LFS filters and fsmonitor are switched off for every git call, and the
clone's configuration is our own (a clone never copies the source's).

Snapshots may lack some blobs (the fetch tool leaves out files of 4 MiB and
more). Those files are removed from the index and left out of the work tree,
so ``git ls-files`` does not list them; the script names how many were
missing. A folder that is already at the commit is left alone; one at another
commit is moved there (``--force`` re-clones it).

Usage::

    python bench/checkout.py --mirror /work/.mirror --dest /tmp/ragfit-bench
    python bench/checkout.py --dest /tmp/ragfit-bench owner/name@<40 hex>
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
SAFE_GIT = (
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "filter.lfs.smudge=",
    "-c",
    "filter.lfs.process=",
    "-c",
    "filter.lfs.required=false",
    "-c",
    "advice.detachedHead=false",
)
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)/([A-Za-z0-9][A-Za-z0-9_.-]*)@([0-9a-f]{40})$")


class CheckoutError(Exception):
    """A clone or checkout that failed, with git's last line."""


@dataclass(frozen=True)
class Entry:
    repository: str
    commit: str

    @property
    def folder(self) -> str:
        return self.repository.replace("/", "+")


def git(*args: str, cwd: Path | None = None, check: bool = True) -> str:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_LFS_SKIP_SMUDGE="1")
    done = subprocess.run(
        ["git", *SAFE_GIT, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise CheckoutError(f"git {args[0]}: {last}")
    return done.stdout


def entries_from_corpus(path: Path) -> list[Entry]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    found = []
    for item in data.get("repo", []):
        found.append(Entry(str(item["repository"]), str(item["commit"])))
    return found


def source_for(entry: Entry, mirror: Path | None, url_base: str) -> str:
    if mirror is not None:
        for candidate in (mirror / entry.folder / "repo", mirror / entry.folder):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return str(candidate)
    return f"{url_base.rstrip('/')}/{entry.repository}"


def missing_blobs(dest: Path, commit: str) -> list[str]:
    """Paths of the commit whose blobs the clone lacks."""
    listing = git("ls-tree", "-r", "-z", "--full-tree", commit, cwd=dest)
    blobs: list[tuple[str, str]] = []
    for record in listing.split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        _mode, kind, sha = meta.split()
        if kind == "blob":
            blobs.append((sha, path))
    if not blobs:
        return []
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    done = subprocess.run(
        ["git", *SAFE_GIT, "cat-file", "--batch-check=%(objectname) %(objecttype)"],
        cwd=dest,
        env=env,
        input="".join(f"{sha}\n" for sha, _ in blobs),
        capture_output=True,
        text=True,
        check=False,
    )
    absent = {line.split()[0] for line in done.stdout.splitlines() if line.endswith(" missing")}
    return [path for sha, path in blobs if sha in absent]


def head_of(dest: Path) -> str | None:
    if not (dest / ".git").is_dir():
        return None
    out = git("rev-parse", "--verify", "-q", "HEAD", cwd=dest, check=False).strip()
    return out or None


def checkout(entry: Entry, dest_root: Path, source: str, force: bool) -> str:
    dest = dest_root / entry.folder
    if force and dest.exists():
        shutil.rmtree(dest)
    if head_of(dest) == entry.commit:
        return "already there"
    if not dest.exists():
        git("clone", "--no-checkout", "--quiet", source, str(dest))
    elif head_of(dest) is None:
        raise CheckoutError(f"{dest} exists and is not a git work tree (use --force)")
    if not git("cat-file", "-t", entry.commit, cwd=dest, check=False).strip():
        git("fetch", "--quiet", "origin", entry.commit, cwd=dest)
    absent = missing_blobs(dest, entry.commit)
    # Detach HEAD at the commit, make the index its tree without the absent
    # blobs, then write the work tree from the index.
    git("update-ref", "--no-deref", "HEAD", entry.commit, cwd=dest)
    git("read-tree", "--reset", entry.commit, cwd=dest)
    for start in range(0, len(absent), 200):
        git("update-index", "--force-remove", "--", *absent[start : start + 200], cwd=dest)
    git("checkout-index", "--all", "--force", cwd=dest)
    git("clean", "-fdq", cwd=dest)
    note = f"at {entry.commit[:12]}"
    if absent:
        note += f", {len(absent)} file(s) absent from the source: {', '.join(absent[:3])}"
        if len(absent) > 3:
            note += " ..."
    return note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "entries", nargs="*", help="owner/name@commit (default: every corpus entry)"
    )
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus.toml")
    parser.add_argument("--dest", type=Path, default=Path("/tmp/ragfit-bench"))
    parser.add_argument("--mirror", type=Path, help="folder of bare repositories owner+name")
    parser.add_argument("--url-base", default="https://github.com")
    parser.add_argument("--only", action="append", default=[], help="owner/name (repeatable)")
    parser.add_argument("--force", action="store_true", help="re-clone existing folders")
    args = parser.parse_args(argv)

    entries: list[Entry] = []
    for text in args.entries:
        match = ENTRY.match(text)
        if not match:
            parser.error(f"not owner/name@<40 hex commit>: {text!r}")
        entries.append(Entry(f"{match[1]}/{match[2]}", match[3]))
    if not entries:
        try:
            entries = entries_from_corpus(args.corpus)
        except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
            print(f"checkout: cannot read {args.corpus}: {exc}", file=sys.stderr)
            return 2
    if args.only:
        entries = [e for e in entries if e.repository in args.only or e.folder in args.only]
    args.dest.mkdir(parents=True, exist_ok=True)
    failed = 0
    for entry in entries:
        source = source_for(entry, args.mirror, args.url_base)
        try:
            note = checkout(entry, args.dest, source, args.force)
        except CheckoutError as exc:
            failed += 1
            print(f"{entry.repository}: FAILED {exc}", file=sys.stderr)
            continue
        print(f"{entry.repository}: {note}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
