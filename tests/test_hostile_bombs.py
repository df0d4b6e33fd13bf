"""Inputs crafted to make a parser superlinear, at sizes small enough for CI that
still show the growth: each test counts the work done (entries copied,
characters scanned, nodes read), never seconds. ``bench/parser_bombs.py`` builds
the same inputs at full size and prints time and peak memory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.analyse import analyse
from auditor.scanners import infra, locks, schedules, yamlnodes
from auditor.scanners.text import SECRET_PATTERNS, find_secrets_in_chunks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from parser_bombs import (
    poetry_lock,
    uv_lock,
    yaml_merge_bomb,
    yaml_merge_chain,
)

# ------------------------------------------------------------------------- YAML


@pytest.mark.parametrize("levels", [10, 20, 30])
@pytest.mark.parametrize("workflow", [False, True], ids=["compose", "workflow"])
def test_nested_merge_keys_copy_a_linear_number_of_entries(levels: int, workflow: bool) -> None:
    text = yaml_merge_bomb(levels, workflow=workflow)
    assert len(text) < 1400  # 30 levels: 2**30 mappings for a parser that expands merges
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    copied = yamlnodes.prepare(root, yamlnodes.merge_budget(text))
    # Each level adds one key: the merged entries grow with the levels, not 2**levels.
    assert copied <= 4 * (levels + 1) * (levels + 2)
    path = ".github/workflows/ci.yml" if workflow else "docker-compose.yml"
    facts = analyse(path, text.encode())
    assert facts.errors == ()
    expected = ("action", "actions/checkout") if workflow else ("image", "redis")
    assert [(c.kind, c.name) for c in facts.components] == [expected]


def test_the_deepest_merged_mapping_has_every_key_once() -> None:
    root = yamlnodes.compose(yaml_merge_bomb(30))
    top = yamlnodes.mapping(yamlnodes.mapping(root)["x-m30"][1])
    assert sorted(top, key=lambda k: int(k[1:])) == [f"k{i}" for i in range(31)]


def test_a_long_merge_chain_stops_at_the_budget() -> None:
    text = yaml_merge_chain(40_000)  # about 1,300 links: 850,000 entries if each copied all
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    budget = yamlnodes.merge_budget(text)
    with pytest.raises(yamlnodes.MergeBomb):
        yamlnodes.prepare(root, budget)
    facts = analyse("compose.yaml", text.encode())
    assert [(e.kind, e.message) for e in facts.errors] == [
        ("parse-error", f"invalid YAML: merge keys (<<) copy more than {budget} entries; not read")
    ]


def test_a_short_merge_chain_is_read() -> None:
    text = yaml_merge_chain(2_000)
    facts = analyse("compose.yaml", text.encode())
    assert facts.errors == ()
    assert [c.name for c in facts.components] == ["redis"]


def test_a_recursive_merge_is_cut_off() -> None:
    text = "x: &a\n  k: v\n  <<: *a\nservices:\n  web:\n    <<: *a\n    image: nginx:1\n"
    facts = analyse("compose.yaml", text.encode())
    assert [(c.name, c.line) for c in facts.components] == [("nginx", 7)]


def _aliased_jobs(jobs: int, steps: int) -> str:
    lines = ["x-job: &job", "  runs-on: ubuntu-latest", "  steps:"]
    lines += [f"    - uses: actions/checkout@v{i}" for i in range(steps)]
    lines += ["on:", "  schedule:", "    - cron: '0 3 * * 1'", "jobs:"]
    lines += [f"  j{i}: *job" for i in range(jobs)]
    return "\n".join(lines) + "\n"


def test_a_job_aliased_many_times_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = infra._add_uses

    def counting(*args: Any) -> None:
        calls.append(1)
        original(*args)

    monkeypatch.setattr(infra, "_add_uses", counting)
    text = _aliased_jobs(jobs=400, steps=200)  # 80,000 steps if each alias were read
    components, errors = infra.parse_workflow(".github/workflows/x.yml", text)
    assert errors == []
    assert len(calls) == 1 + 200  # the job's own fields, then each step once
    assert len({(c.name, c.version) for c in components}) == 200


def test_schedules_read_an_aliased_job_once(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    original = schedules.scalar

    def counting(node: Any) -> str | None:
        read.append("x")
        return original(node)

    monkeypatch.setattr(schedules, "scalar", counting)
    found, errors = schedules.find_schedules(".github/workflows/x.yml", _aliased_jobs(400, 200))
    assert errors == []
    assert len(found) == 1
    assert len(read) < 1_000  # 400 aliases of 200 steps would be 160,000


# ------------------------------------------------------------------------- lock files


class CountingStr(str):
    """A string that adds up the characters each ``count`` call scans."""

    scanned = 0

    def count(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        lo = 0 if start is None else start
        hi = len(self) if end is None else end
        CountingStr.scanned += max(0, hi - lo)
        return super().count(sub, start, end)


@pytest.mark.parametrize(
    ("builder", "table"), [(poetry_lock, "package"), (uv_lock, "package")], ids=["poetry", "uv"]
)
@pytest.mark.parametrize("size", [50_000, 200_000])
def test_lock_header_lines_scan_each_character_once(builder: Any, table: str, size: int) -> None:
    text = builder(size)
    CountingStr.scanned = 0
    lines = locks._array_header_lines(CountingStr(text), table)
    assert len(lines) == text.count("[[package]]")
    # One forward pass: the old code counted from the start for every header
    # (quadratic: 2 MB took 16 s, 8 MB 213 s).
    assert CountingStr.scanned <= len(text)


def test_lock_header_lines_are_the_lines_of_the_headers() -> None:
    text = uv_lock(20_000)
    expected = [n for n, line in enumerate(text.split("\n"), 1) if line == "[[package]]"]
    assert locks._array_header_lines(text, "package") == expected


@pytest.mark.parametrize("builder", [poetry_lock, uv_lock], ids=["poetry", "uv"])
def test_lock_files_at_small_sizes_are_read_whole(builder: Any) -> None:
    text = builder(100_000)
    name = "poetry.lock" if builder is poetry_lock else "uv.lock"
    facts = analyse(name, text.encode())
    assert facts.errors == ()
    assert len(facts.dependencies) == text.count("[[package]]")


# ------------------------------------------------------------------------- secrets


def test_private_key_body_never_runs_past_another_header() -> None:
    """The PEM body cannot hold a dash, so a match that starts at one header
    stops at the next ``-----``: headers packed together cost one pass."""
    (pem,) = [p for p in SECRET_PATTERNS if p.kind == "private-key"]
    text = ("-----BEGIN PRIVATE KEY-----" + "A" * 100) * 50
    assert pem.regex.search(text) is None
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" * 4
    real = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----"
    assert pem.regex.search(real) is not None
    dashed = f"-----BEGIN PRIVATE KEY-----\n{body}-{body}\n-----END PRIVATE KEY-----"
    assert pem.regex.search(dashed) is None


def test_a_huge_text_is_scanned_in_bounded_windows() -> None:
    """Windows of about a megabyte, cut at line ends: a key on the last line of a
    200-megabyte file (here 12 MB) is found at its line, in bounded memory."""
    key = "sk-proj-" + "Rt5Yh8Kp2Lm9Qw4Zx7Nc3Vb6Jd1Fg0Hs" + "T2uI8oP4aS6d"
    line = b'{"messages": [{"role": "user", "content": "hello there"}]}\n'
    lines = 12 * 1024 * 1024 // len(line)
    windows: list[int] = []

    def chunks() -> Any:
        block = line * 1024
        for _ in range(lines // 1024):
            windows.append(len(block))
            yield block
        yield f'{{"key": "{key}"}}\n'.encode()

    found = find_secrets_in_chunks("data/train.jsonl", chunks())
    assert [(s.line, s.column, s.kind) for s in found] == [
        ((lines // 1024) * 1024 + 1, 10, "openai-api-key")
    ]
    assert max(windows) <= 1 << 20
