"""The per-file fact cache (.ragfit_cache/facts.json) and the process pool."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, GitRepo, MakeRepo, RunCli, git

from auditor import cache as cache_module
from auditor import engine
from auditor.cache import CACHE_DIR, CACHE_FILE, FactCache
from auditor.config import Config
from auditor.discover import discover
from auditor.engine import PARALLEL_MIN_FILES, Options, _analyse_all, audit
from auditor.model import Report


def read_entries(root: Path) -> dict[str, Any]:
    """The cache's entries (the file is a signed header line, then the entries)."""
    raw = (root / CACHE_DIR / CACHE_FILE).read_bytes()
    entries: dict[str, Any] = json.loads(raw.partition(b"\n")[2])["entries"]
    return entries


def write_entries(root: Path, entries: Any, *, signed: bool = True) -> None:
    """Write a cache as this machine would (``signed``), or as a stranger would."""
    cache = FactCache(root, enabled=True)
    # No stamps: every file is read and hashed, so the entries are what is tested.
    body = json.dumps({"entries": entries, "stamps": {}, "written": 0}).encode()
    mac = cache._mac(body) if signed else "0" * 64
    header = json.dumps({"salt": cache.salt, "mac": mac}).encode()
    (root / CACHE_DIR / CACHE_FILE).write_bytes(header + b"\n" + body)


def chat(model: str) -> str:
    return (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        f'reply = client.chat.completions.create(model="{model}", messages=[])\n'
    )


REPO = {
    "app/chat.py": chat("gpt-4o"),
    "app/embed.py": (
        "import openai\n"
        "c = openai.OpenAI()\n"
        'v = c.embeddings.create(model="text-embedding-3-small", input=["a"])\n'
    ),
    "app/legacy.py": chat("gpt-4-32k"),
    "app/util.py": "def add(a, b):\n    return a + b\n",
    "app/broken.py": "import openai\ndef f(:\n",
    "README.md": "# demo\n",
    "requirements.txt": "openai==1.40.0\n",
}
SDK_FILES = 3  # the files the libcst pass parses


def run(root: Path, **options: Any) -> Report:
    return audit(root, Config(), Options(jobs=1, **options))


def summary(report: Report) -> tuple[Any, ...]:
    return (report.call_sites, report.findings, report.errors, report.files)


def test_second_run_parses_nothing(make_repo: MakeRepo) -> None:
    root = make_repo(REPO)
    first = run(root)
    assert (first.parsed_files, first.cached_files) == (SDK_FILES, 0)
    assert (root / CACHE_DIR / CACHE_FILE).is_file()
    second = run(root)
    assert (second.parsed_files, second.cached_files) == (0, len(REPO))
    assert second.files == len(REPO)  # the cache folder is never scanned
    assert summary(second) == summary(first)
    assert [(s.path, s.line, s.model) for s in second.call_sites] == [
        ("app/chat.py", 4, "gpt-4o"),
        ("app/embed.py", 3, "text-embedding-3-small"),
        ("app/legacy.py", 4, "gpt-4-32k"),
    ]
    assert [(e.path, e.kind) for e in second.errors] == [("app/broken.py", "parse-error")]


def test_changing_one_file_reparses_exactly_that_one(make_repo: MakeRepo) -> None:
    root = make_repo(REPO)
    run(root)
    (root / "app/chat.py").write_text(chat("gpt-4o-mini"), "utf-8")
    report = run(root)
    assert (report.parsed_files, report.cached_files) == (1, len(REPO) - 1)
    assert [s.model for s in report.call_sites if s.path == "app/chat.py"] == ["gpt-4o-mini"]
    again = run(root)
    assert (again.parsed_files, again.cached_files) == (0, len(REPO))


def test_new_and_deleted_files(make_repo: MakeRepo) -> None:
    root = make_repo(REPO)
    run(root)
    (root / "app/legacy.py").unlink()
    (root / "app/new.py").write_text(chat("o3-mini"), "utf-8")
    report = run(root)
    assert (report.parsed_files, report.cached_files) == (1, len(REPO) - 1)
    assert sorted(s.path for s in report.call_sites) == [
        "app/chat.py",
        "app/embed.py",
        "app/new.py",
    ]
    # The recommendation and the note that nothing was checked for
    # vulnerabilities (no --vuln-db): one each. (openai's license comes from
    # the shipped snapshot, offline.)
    assert [f.rule_id for f in report.findings] == ["AD001", "SC008"]
    # The deleted file's entry is dropped from the cache.
    entries = read_entries(root)
    assert sorted(entry["path"] for entry in entries.values()) == sorted(
        p for p in [*REPO, "app/new.py"] if p != "app/legacy.py"
    )


def test_cache_folder_ignores_itself(git_repo: GitRepo) -> None:
    root = git_repo(REPO)
    run(root)
    ignore = root / CACHE_DIR / ".gitignore"
    assert "*" in ignore.read_text("utf-8").splitlines()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_no_cache_reads_and_writes_nothing(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(REPO)
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache")
    assert (code, err) == (0, "")
    assert not (root / CACHE_DIR).exists()
    expected = json.loads(out)

    # A cache holding false facts for app/chat.py's exact content: --no-cache must not read it.
    run(root)
    cache_file = root / CACHE_DIR / CACHE_FILE
    entries = read_entries(root)
    for entry in entries.values():
        if entry["path"] == "app/chat.py":
            entry["call_sites"] = []
    write_entries(root, entries)
    before = cache_file.read_bytes()
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache")
    result = json.loads(out)
    del result["summary"]["seconds"], expected["summary"]["seconds"]
    assert result == expected
    assert cache_file.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [
        "this is not json",
        '{"salt": "',
        "[]",
        '{"salt": "another version", "mac": ""}\n{"entries": {}}',
        "null",
    ],
)
def test_corrupt_cache_file_is_ignored(make_repo: MakeRepo, content: str) -> None:
    root = make_repo(REPO)
    expected = summary(run(root, use_cache=False))
    (root / CACHE_DIR).mkdir()
    (root / CACHE_DIR / CACHE_FILE).write_text(content, "utf-8")
    report = run(root)
    assert summary(report) == expected
    assert (report.parsed_files, report.cached_files) == (SDK_FILES, 0)
    # ... and replaced by a good one.
    assert (run(root).parsed_files, run(root).cached_files) == (0, len(REPO))


@pytest.mark.parametrize(
    "damage",
    ["list", "missing-keys", "bad-call-site", "bad-suppressions", "string"],
)
def test_corrupt_entries_are_ignored(make_repo: MakeRepo, damage: str) -> None:
    root = make_repo(REPO)
    expected = summary(run(root, use_cache=False))
    run(root)
    entries = read_entries(root)
    for key, entry in entries.items():
        if entry["path"] != "app/chat.py":
            continue
        if damage == "list":
            entries[key] = [entry]
        elif damage == "missing-keys":
            del entry["call_sites"]
        elif damage == "bad-call-site":
            entry["call_sites"] = [{"path": "app/chat.py", "oops": 1}]
        elif damage == "bad-suppressions":
            entry["suppressions"] = [["one", ["SC007"]]]
        else:
            entries[key] = "facts"
    write_entries(root, entries)
    report = run(root)
    assert summary(report) == expected
    assert (report.parsed_files, report.cached_files) == (1, len(REPO) - 1)


def test_cache_entry_with_wrong_types_is_ignored(make_repo: MakeRepo) -> None:
    root = make_repo({"two.py": chat("gpt-4o") + chat("gpt-4o-mini").split("\n", 3)[3]})
    expected = summary(run(root, use_cache=False))
    assert len(expected[0]) == 2
    run(root)
    entries = read_entries(root)
    for entry in entries.values():
        entry["call_sites"][0]["line"] = str(entry["call_sites"][0]["line"])
    write_entries(root, entries)
    report = run(root)
    assert summary(report) == expected
    assert (report.parsed_files, report.cached_files) == (1, 0)


def test_a_cache_not_written_here_is_never_trusted(make_repo: MakeRepo) -> None:
    """A committed (or copied) cache claiming a file is clean must not hide a finding."""
    root = make_repo(REPO)
    expected = summary(run(root, use_cache=False))
    run(root)
    entries = read_entries(root)
    for entry in entries.values():
        entry["call_sites"] = []
        entry["secrets"] = []
    write_entries(root, entries, signed=False)
    report = run(root)
    assert summary(report) == expected
    assert (report.parsed_files, report.cached_files) == (SDK_FILES, 0)


def test_identical_content_at_two_paths(make_repo: MakeRepo) -> None:
    root = make_repo({"a/client.py": chat("gpt-4o"), "b/copy.py": chat("gpt-4o"), "c.py": "x\n"})
    for attempt in range(2):
        report = run(root)
        assert [(s.path, s.line, s.column) for s in report.call_sites] == [
            ("a/client.py", 4, 9),
            ("b/copy.py", 4, 9),
        ], attempt
    assert (report.parsed_files, report.cached_files) == (0, 3)


def test_identical_bad_content_at_two_paths(make_repo: MakeRepo) -> None:
    root = make_repo({"x/one.py": "def f(:\n", "y/two.py": "def f(:\n"})
    for _ in range(2):
        report = run(root)
        assert [(e.path, e.kind) for e in report.errors] == [
            ("x/one.py", "parse-error"),
            ("y/two.py", "parse-error"),
        ]


def test_same_bytes_with_different_suffixes(make_repo: MakeRepo) -> None:
    root = make_repo({"app.py": chat("gpt-4o"), "snippet.txt": chat("gpt-4o")})
    first = run(root)
    assert [s.path for s in first.call_sites] == ["app.py"]
    second = run(root)
    assert [s.path for s in second.call_sites] == ["app.py"]


def test_results_with_and_without_cache_are_equal(tmp_path: Path, run_cli: RunCli) -> None:
    root = tmp_path / "mixed"
    shutil.copytree(FIXTURES / "notebook-analysis", root)
    shutil.copytree(FIXTURES / "bad-inputs", root / "bad")
    (root / "keys.py").write_text(
        'K = "sk-proj-Ab3Xc9Zq2Lm8Np4Rs7Tu1Vw6Yx5Kd2Ef8Gh3Jk9Lm4Qp7"\n', "utf-8"
    )
    outputs = []
    for flags in (["--no-cache"], [], []):  # uncached, cold cache, warm cache
        code, out, err = run_cli("scan", root, "--format", "json", *flags)
        assert (code, err) == (1, "")
        data = json.loads(out)
        del data["summary"]["seconds"]
        outputs.append(data)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]["inventory"]["call_sites"]) == 7
    # bad/pyproject.toml is not the root's: no config-error, but a broken manifest.
    assert [(e["path"], e["kind"]) for e in outputs[0]["errors"]][-1] == (
        "bad/pyproject.toml",
        "parse-error",
    )
    assert len(outputs[0]["errors"]) == 6


def test_jobs_1_and_2_give_identical_json(
    make_repo: MakeRepo, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {}
    models = ["gpt-4o", "gpt-4o-mini", "gpt-4-32k", "text-davinci-003"]
    for index in range(40):
        files[f"svc{index % 5}/m{index:02d}.py"] = chat(models[index % 4]) + "x = 1\n" * index
    files["svc0/broken.py"] = "import openai\nprint 'x'\n"
    files["svc1/binary.py"] = b"\0\0\0"
    root = make_repo(files)
    assert len(files) > PARALLEL_MIN_FILES

    pools: list[int] = []
    real_parallel = engine._parallel

    def spy(todo: Any, costs: Any, jobs: int) -> Any:
        pools.append(jobs)
        return real_parallel(todo, costs, jobs)

    monkeypatch.setattr(engine, "_parallel", spy)
    outputs = []
    for jobs in ("1", "2"):
        code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "--jobs", jobs)
        assert (code, err) == (0, "")
        data = json.loads(out)
        del data["summary"]["seconds"]
        outputs.append(data)
    assert pools == [2]  # only the second run used the process pool
    assert outputs[0] == outputs[1]
    assert len(outputs[0]["inventory"]["call_sites"]) == 40
    assert [(e["path"], e["kind"]) for e in outputs[0]["errors"]] == [
        ("svc0/broken.py", "parse-error"),
        ("svc1/binary.py", "binary"),
    ]
    assert {f["rule_id"] for f in outputs[0]["findings"]} == {"AD001", "AD110"}
    assert len(outputs[0]["findings"]) == 21  # 20 AD110 and the recommendation


def _age(root: Path, seconds: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every file look ``seconds`` old, so its stamp is trusted: its
    modification time goes back, and (as the inode change time cannot be set)
    the cache is written ``seconds`` later than now, as by a scan run later."""
    then = time.time_ns() - seconds * 1_000_000_000
    for path in root.rglob("*"):
        if path.is_file() and CACHE_DIR not in path.parts:
            os.utime(path, ns=(then, then))
    later = seconds * 1_000_000_000
    monkeypatch.setattr(cache_module, "_now_ns", lambda: time.time_ns() + later)


def test_warm_run_reads_no_unchanged_file(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(REPO)
    _age(root, 3600, monkeypatch)
    expected = summary(run(root))
    read: list[str] = []
    original = engine._read
    monkeypatch.setattr(engine, "_read", lambda r, p: read.append(p) or original(r, p))
    report = run(root)
    assert summary(report) == expected
    assert (report.parsed_files, report.cached_files, read) == (0, len(REPO), [])

    # An edit changes the file's stamp: it alone is read again.
    chat_file = root / "app" / "chat.py"
    chat_file.write_text(chat("gpt-4.1"), "utf-8")
    report = run(root)
    assert read == ["app/chat.py"]
    assert [s.model for s in report.call_sites if s.path == "app/chat.py"] == ["gpt-4.1"]


def test_racy_edit_with_the_same_size_and_mtime_is_seen(make_repo: MakeRepo) -> None:
    # Edited within the timestamp granularity of the cache write: git's "racy" case.
    root = make_repo({"app.py": chat("gpt-4o")})
    run(root)
    target = root / "app.py"
    before = target.stat()
    target.write_text(chat("gpt-4x"), "utf-8")  # same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size
    report = run(root)
    assert [s.model for s in report.call_sites] == ["gpt-4x"]


def test_same_size_edit_with_its_mtime_put_back_is_seen(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old file, cached and trusted by its stamp, is edited in place at the
    same size and its modification time restored (``touch -r``): the inode
    change time still moved, so the new secret is found without --no-cache."""
    key = "sk-" + "Zq7Xw2Lm9Pa4Rt6Yb1Nc8Vd3Hk5Jf0Gs2Ue7Io4Wy9Ta1BnQ"  # 48 after sk-
    placeholder = "x" * len(key)
    root = make_repo({"settings.py": f'OPENAI_API_KEY = "{placeholder}"\n'})
    _age(root, 3600, monkeypatch)
    assert [f.rule_id for f in run(root).findings] == []
    target = root / "settings.py"
    before = target.stat()
    target.write_text(f'OPENAI_API_KEY = "{key}"\n', "utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    report = run(root)
    assert [(f.rule_id, f.location.path, f.location.line) for f in report.findings] == [
        ("SC007", "settings.py", 1)
    ]


def test_identical_files_whose_facts_depend_on_their_path(make_repo: MakeRepo) -> None:
    """A dataset's split and a `Path(__file__)` reference depend on where the
    file is: identical bytes at two paths must not share cached facts."""
    record = (
        '{"messages": [{"role": "user", "content": "Hi"}, '
        '{"role": "assistant", "content": "Hello!"}]}\n'
    )
    loader = 'from pathlib import Path\nDOCS = (Path(__file__).parent / "docs").glob("*.md")\n'
    root = make_repo(
        {
            "data/train.jsonl": record,
            "evals/golden.jsonl": record,
            "a/load.py": loader,
            "b/load.py": loader,
        }
    )
    for _ in range(2):  # cold, then warm from the cache
        report = run(root)
        assert [(d.path, d.split) for d in report.training_data] == [("data/train.jsonl", "train")]
        per_file = _analyse_all(root, discover(root).files, Options(jobs=1)).per_file
        targets = sorted(r.target for facts in per_file.values() for r in facts.data_refs)
        assert targets == ["a/docs/*.md", "b/docs/*.md"]
        assert {d.split for facts in per_file.values() for d in facts.datasets} == {"train", "eval"}
