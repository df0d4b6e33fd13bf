"""Crafted inputs that make a careless parser superlinear, at full size: time and peak memory.

Each case runs in a fresh Python process (so one case's memory does not count
against the next) and prints the seconds the parse took and the process's peak
resident memory, beside its size. A linear parser shows time growing with the
input's size, not with its square (or with 2 to the power of its nesting).

    .venv/bin/python bench/parser_bombs.py            # every case, full sizes
    .venv/bin/python bench/parser_bombs.py --quick    # small sizes (a minute)
    .venv/bin/python bench/parser_bombs.py yaml-merge-compose poetry-lock

The Python and notebook cases (libcst, call chains) are in ``python_bombs.py``.
The builders here are also used by ``tests/test_hostile_bombs.py`` at small sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024


# --------------------------------------------------------------------------- builders


def yaml_merge_bomb(levels: int, *, workflow: bool = False) -> str:
    """Each anchor merges the one before it twice: ``<<: [*m{k-1}, *m{k-1}]``.
    1.1 KB at 30 levels; a parser that expands merges copies 2**30 mappings."""
    lines = ["x-m0: &m0", "  k0: v0"]
    for level in range(1, levels + 1):
        lines += [f"x-m{level}: &m{level}", f"  <<: [*m{level - 1}, *m{level - 1}]"]
        lines.append(f"  k{level}: v{level}")
    if workflow:
        lines += [
            "on: push",
            "jobs:",
            "  build:",
            f"    <<: *m{levels}",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - uses: actions/checkout@v4",
        ]
    else:
        lines += ["services:", "  web:", f"    <<: *m{levels}", "    image: redis:7.2"]
    return "\n".join(lines) + "\n"


def yaml_merge_chain(size: int) -> str:
    """A long chain of single merges (each anchor merges the previous one): the
    merged mapping grows by one key per level, quadratic when each level copies."""
    lines = ["x-m0: &m0", "  k0: v0"]
    level = 0
    while sum(len(line) + 1 for line in lines) < size:
        level += 1
        lines += [f"x-m{level}: &m{level}", f"  <<: *m{level - 1}", f"  k{level}: v{level}"]
    lines += ["services:", "  web:", f"    <<: *m{level}", "    image: redis:7.2"]
    return "\n".join(lines) + "\n"


def _hash(i: int, salt: str) -> str:
    import hashlib

    return hashlib.sha256(f"{salt}{i}".encode()).hexdigest()


def poetry_lock(size: int) -> str:
    """A poetry.lock (format 2) of about ``size`` bytes: one ``[[package]]`` per
    package, each with two files and their hashes, as Poetry writes them."""
    parts = []
    total = 0
    i = 0
    while total < size:
        entry = (
            "[[package]]\n"
            f'name = "package-{i}"\n'
            f'version = "1.{i % 100}.{i}"\n'
            f'description = "Package number {i}"\n'
            "optional = false\n"
            'python-versions = ">=3.8"\n'
            "files = [\n"
            f'    {{file = "package_{i}-1.0-py3-none-any.whl", hash = "sha256:{_hash(i, "w")}"}},\n'
            f'    {{file = "package_{i}-1.0.tar.gz", hash = "sha256:{_hash(i, "s")}"}},\n'
            "]\n"
            "\n"
            "[package.dependencies]\n"
            f'package-{i + 1} = ">=1.0"\n'
            "\n"
        )
        parts.append(entry)
        total += len(entry)
        i += 1
    parts.append('[metadata]\nlock-version = "2.0"\npython-versions = "^3.10"\n')
    parts.append(f'content-hash = "{_hash(0, "c")}"\n')
    return "".join(parts)


def uv_lock(size: int) -> str:
    """A uv.lock of about ``size`` bytes (sdist and one wheel per package)."""
    parts = ['version = 1\nrequires-python = ">=3.10"\n\n']
    total = len(parts[0])
    i = 0
    while total < size:
        url = f"https://files.pythonhosted.org/packages/{_hash(i, 'u')[:2]}/package_{i}"
        entry = (
            "[[package]]\n"
            f'name = "package-{i}"\n'
            f'version = "1.{i % 100}.{i}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
            f'sdist = {{ url = "{url}-1.0.tar.gz", hash = "sha256:{_hash(i, "s")}", '
            f"size = {1000 + i} }}\n"
            "wheels = [\n"
            f'    {{ url = "{url}-1.0-py3-none-any.whl", hash = "sha256:{_hash(i, "w")}", '
            f"size = {2000 + i} }},\n"
            "]\n"
            "\n"
        )
        parts.append(entry)
        total += len(entry)
        i += 1
    return "".join(parts)


def pipfile_lock(size: int) -> str:
    """A Pipfile.lock of about ``size`` bytes."""
    packages = {}
    total = 0
    i = 0
    while total < size:
        entry = {
            "hashes": [f"sha256:{_hash(i, 'a')}", f"sha256:{_hash(i, 'b')}"],
            "index": "pypi",
            "markers": "python_version >= '3.8'",
            "version": f"==1.0.{i}",
        }
        packages[f"package-{i}"] = entry
        total += 260
        i += 1
    return json.dumps({"_meta": {"sources": []}, "default": packages, "develop": {}}, indent=4)


def requirements(size: int) -> str:
    """A requirements file of about ``size`` bytes, every line hashed."""
    lines = []
    total = 0
    i = 0
    while total < size:
        line = f"package-{i}==1.0.{i} --hash=sha256:{_hash(i, 'r')}\n"
        lines.append(line)
        total += len(line)
        i += 1
    return "".join(lines)


def ini_file(size: int, name: str) -> str:
    """setup.cfg / pip.conf of about ``size`` bytes (long continuation lists)."""
    head = "[options]\ninstall_requires =\n" if name == "setup.cfg" else "[global]\nfind-links =\n"
    lines = [head]
    total = len(head)
    i = 0
    while total < size:
        line = f"    package-{i}>=1.{i}\n" if name == "setup.cfg" else f"    https://h/{i}\n"
        lines.append(line)
        total += len(line)
        i += 1
    return "".join(lines)


def secrets_text(size: int) -> str:
    """A text file of about ``size`` bytes dense with key prefixes that are not keys."""
    unit = "sk-proj- AKIA hf_ ghp_ xoxb- sk-ant-api03- -----BEGIN PRIVATE KEY----- \\n %3D\n"
    return unit * (size // len(unit) + 1)


# (name, builder of the text at a size, the file name to parse it as, sizes)
Case = tuple[str, Callable[[int], str], str, tuple[int, ...], tuple[int, ...]]
CASES: tuple[Case, ...] = (
    ("yaml-merge-compose", yaml_merge_bomb, "docker-compose.yml", (20, 25, 30), (12, 16)),
    (
        "yaml-merge-workflow",
        lambda n: yaml_merge_bomb(n, workflow=True),
        ".github/workflows/ci.yml",
        (20, 25, 30),
        (12, 16),
    ),
    ("yaml-merge-chain", yaml_merge_chain, "compose.yaml", (MB // 4, MB, 2 * MB), (64_000,)),
    ("poetry-lock", poetry_lock, "poetry.lock", (2 * MB, 8 * MB, 32 * MB), (256_000, MB)),
    ("uv-lock", uv_lock, "uv.lock", (2 * MB, 8 * MB, 32 * MB), (256_000, MB)),
    ("pipfile-lock", pipfile_lock, "Pipfile.lock", (2 * MB, 8 * MB, 32 * MB), (256_000,)),
    ("requirements", requirements, "requirements.txt", (2 * MB, 8 * MB), (256_000,)),
    ("setup-cfg", lambda n: ini_file(n, "setup.cfg"), "setup.cfg", (2 * MB, 8 * MB), (256_000,)),
    ("pip-conf", lambda n: ini_file(n, "pip.conf"), "pip.conf", (2 * MB, 8 * MB), (256_000,)),
    ("secret-prefixes", secrets_text, "notes.md", (2 * MB, 32 * MB), (256_000,)),
)


def _one(name: str, size: int) -> dict[str, float]:
    """Build one input and analyse it as ragfit does (``auditor.analyse.analyse``)."""
    from auditor.analyse import analyse

    case = next(c for c in CASES if c[0] == name)
    text = case[1](size)
    data = text.encode()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    facts = analyse(case[2], data)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "bytes": len(data),
        "seconds": round(seconds, 3),
        "peak_mb": round(peak / 1024, 1),
        "grew_mb": round((peak - baseline) / 1024, 1),
        "dependencies": len(facts.dependencies),
        "components": len(facts.components),
        "errors": len(facts.errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per case")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_one(args.child[0], int(args.child[1]))))
        return 0
    wanted = args.cases or [c[0] for c in CASES]
    print(f"{'case':22} {'size':>10} {'bytes':>10} {'seconds':>9} {'peak MB':>8} {'grew MB':>8}")
    for name, _, _, full, quick in CASES:
        if name not in wanted:
            continue
        for size in quick if args.quick else full:
            command = [sys.executable, __file__, "--child", name, str(size)]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=args.timeout, check=False
                )
            except subprocess.TimeoutExpired:
                print(f"{name:22} {size:>10} {'':>10} {'> ' + str(args.timeout):>9}")
                continue
            if done.returncode != 0:
                tail = (done.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{name:22} {size:>10} failed: {tail}")
                continue
            row = json.loads(done.stdout)
            print(
                f"{name:22} {size:>10} {row['bytes']:>10} {row['seconds']:>9.3f}"
                f" {row['peak_mb']:>8.1f} {row['grew_mb']:>8.1f}"
                f"   deps={row['dependencies']} components={row['components']}"
                f" errors={row['errors']}"
            )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
