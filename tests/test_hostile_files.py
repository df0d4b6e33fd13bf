"""Files that are not what they seem: symbolic links out of the root, devices,
pipes, where ragfit reads (sources, ``.gitignore``, configuration, the cache,
license metadata, SARIF columns) and where it writes (the cache, ``--output``).

Each case runs in a thread with a deadline: a scan that blocks on a pipe or
reads ``/dev/zero`` for ever fails the test instead of hanging CI.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import GitRepo, MakeRepo, RunCli, git

from auditor.cache import CACHE_DIR, CACHE_FILE
from auditor.config import Config, load_config
from auditor.engine import Options, audit
from auditor.model import Report
from auditor.safeio import (
    UnsafeFile,
    private_dir,
    read_chunks_in_root,
    read_in_root,
    read_regular,
    write_in_dir,
)

pytestmark = pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX only")

KEY = "sk-proj-" + "Vq3LmT8xR2nB6yK1wZ4pJ7cD9fH5sG0aE3uN8iO2kM6t"
CALL = 'from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
DEADLINE = 60


def within_deadline(work: Callable[[], Any]) -> Any:
    """``work()`` in a thread; fails (instead of hanging) when it does not return."""
    done: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert not thread.is_alive(), "blocked or unbounded: did not finish"
    if failed:
        raise failed[0]
    return done[0]


def scan(root: Path, **options: Any) -> Report:
    config, errors = load_config(root)
    opts = Options(jobs=1, extra_errors=tuple(errors), **{"use_cache": False, **options})
    report: Report = within_deadline(lambda: audit(root, config, opts))
    return report


def kinds(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in report.errors:
        found.setdefault(error.path, []).append(error.kind)
    return found


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside every scanned root, with a file the scan must never read
    or change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.py").write_text(f'KEY = "{KEY}"\n', "utf-8")
    (folder / "ragfit.toml").write_text('exclude = ["**"]\n', "utf-8")
    (folder / "victim.txt").write_text("do not touch\n", "utf-8")
    return folder


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# ---------------------------------------------------------------- the safe-open helper


def test_read_in_root_refuses_links_devices_pipes_and_big_files(
    make_repo: MakeRepo, outside: Path
) -> None:
    root = make_repo({"ok.txt": "fine\n", "big.txt": "x" * 100, "pkg/inner.txt": "in\n"})
    (root / "link.txt").symlink_to(outside / "victim.txt")
    (root / "zero").symlink_to("/dev/zero")
    (root / "dir_link").symlink_to(outside)
    (root / "pkg" / "up").symlink_to("..")
    _fifo(root / "pipe")
    assert read_in_root(root, "ok.txt", 10) == b"fine\n"
    assert read_in_root(root, "pkg/inner.txt", 10) == b"in\n"
    cases = {
        "link.txt": "symlink",
        "zero": "symlink",
        "dir_link/victim.txt": "symlink",  # a link on the way, not only at the end
        "pkg/up/ok.txt": "symlink",
        "pipe": "special-file",
        "big.txt": "too-large",
        "missing.txt": "unreadable",
        "../outside/victim.txt": "unreadable",
    }
    for rel, kind in cases.items():
        with pytest.raises(UnsafeFile) as caught:
            within_deadline(lambda rel=rel: read_in_root(root, rel, 50))
        assert caught.value.kind == kind, rel
    with pytest.raises(UnsafeFile) as caught:
        within_deadline(lambda: list(read_chunks_in_root(root, "pipe", 10)))
    assert caught.value.kind == "special-file"


def test_read_regular_follows_links_but_not_to_devices(tmp_path: Path) -> None:
    target = tmp_path / "real.toml"
    target.write_text("a = 1\n", "utf-8")
    (tmp_path / "link.toml").symlink_to(target)
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    assert read_regular(tmp_path / "link.toml", 100) == b"a = 1\n"
    for name, kind in (("zero.toml", "special-file"), ("pipe.toml", "special-file")):
        if name == "pipe.toml":
            _fifo(tmp_path / name)
        with pytest.raises(UnsafeFile) as caught:
            within_deadline(lambda name=name: read_regular(tmp_path / name, 100))
        assert caught.value.kind == kind


def test_private_dir_refuses_a_link_and_writes_never_follow_one(
    tmp_path: Path, outside: Path
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "cachelink").symlink_to(outside)
    with pytest.raises(UnsafeFile) as caught:
        private_dir(root, "cachelink")
    assert caught.value.kind == "symlink"
    (root / "afile").write_text("x", "utf-8")
    with pytest.raises(UnsafeFile):
        private_dir(root, "afile")
    folder = private_dir(root, "mine")
    try:
        (root / "mine" / "out.json").symlink_to(outside / "victim.txt")
        (root / "mine" / ".gitignore").symlink_to(outside / "victim.txt")
        assert write_in_dir(folder, "out.json", b"{}")
        assert not write_in_dir(folder, ".gitignore", b"*\n", replace=False)
    finally:
        os.close(folder)
    assert (outside / "victim.txt").read_text("utf-8") == "do not touch\n"
    assert not (root / "mine" / "out.json").is_symlink()
    assert (root / "mine" / "out.json").read_bytes() == b"{}"


# ---------------------------------------------------------------- the cache


def test_committed_cache_folder_that_is_a_link_is_not_used(
    make_repo: MakeRepo, outside: Path
) -> None:
    root = make_repo({"app.py": CALL})
    (root / CACHE_DIR).symlink_to(outside)
    before = sorted(p.name for p in outside.iterdir())
    report = scan(root, use_cache=True)
    assert sorted(p.name for p in outside.iterdir()) == before  # nothing written there
    assert kinds(report)[CACHE_DIR] == ["symlink", "unsafe-cache"]  # not walked, not used
    assert [s.path for s in report.call_sites] == ["app.py"]


@pytest.mark.parametrize("target", ["outside", "/dev/zero", "fifo"])
def test_committed_cache_file_that_is_a_link(
    make_repo: MakeRepo, outside: Path, target: str
) -> None:
    root = make_repo({"app.py": CALL})
    (root / CACHE_DIR).mkdir()
    facts = root / CACHE_DIR / CACHE_FILE
    if target == "outside":
        facts.symlink_to(outside / "victim.txt")
    elif target == "fifo":
        _fifo(outside / "pipe")
        facts.symlink_to(outside / "pipe")
    else:
        facts.symlink_to(target)
    (root / CACHE_DIR / ".gitignore").symlink_to(outside / "victim.txt")
    for _ in range(2):  # the first run replaces the link, the second reads its own cache
        report = scan(root, use_cache=True)
        assert [s.path for s in report.call_sites] == ["app.py"]
    assert (outside / "victim.txt").read_text("utf-8") == "do not touch\n"
    assert not facts.is_symlink()
    assert report.cached_files == 1


# ---------------------------------------------------------------- what discovery reads


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo", "outside"])
def test_gitignore_that_is_a_link_or_a_pipe(
    make_repo: MakeRepo, outside: Path, target: str
) -> None:
    root = make_repo({"app.py": CALL, "sub/mod.py": CALL})
    for folder in (root, root / "sub"):
        ignore = folder / ".gitignore"
        if target == "fifo":
            _fifo(ignore)
        elif target == "outside":
            (outside / "ignore-all").write_text("*\n", "utf-8")
            ignore.symlink_to(outside / "ignore-all")
        else:
            ignore.symlink_to(target)
    report = scan(root)
    assert [s.path for s in report.call_sites] == ["app.py", "sub/mod.py"]
    expected = "special-file" if target == "fifo" else "symlink"
    assert kinds(report)[".gitignore"] == [expected]


def test_source_files_that_are_devices_pipes_or_links_out(
    make_repo: MakeRepo, outside: Path
) -> None:
    root = make_repo({"app.py": CALL})
    (root / "zero.py").symlink_to("/dev/zero")
    (root / "stdin.py").symlink_to("/dev/stdin")
    (root / "leak.py").symlink_to(outside / "secret.py")
    (root / "pkg").symlink_to(outside)  # a folder out of the root
    _fifo(root / "pipe.py")
    report = scan(root)
    assert report.findings == () or all(f.rule_id != "SC007" for f in report.findings)
    found = kinds(report)
    assert found["pipe.py"] == ["special-file"]
    assert {found[p][0] for p in ("zero.py", "stdin.py", "leak.py", "pkg")} == {"symlink"}
    assert KEY not in json.dumps([e.message for e in report.errors])


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize("name", ["pyproject.toml", "ragfit.toml"])
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo", "outside"])
def test_configuration_that_is_a_link_or_a_pipe(
    make_repo: MakeRepo, outside: Path, name: str, target: str
) -> None:
    root = make_repo({"app.py": CALL, "keys.py": f'KEY = "{KEY}"\n'})
    path = root / name
    if target == "fifo":
        _fifo(path)
    elif target == "outside":
        path.symlink_to(outside / "ragfit.toml")  # exclude = ["**"] must not apply
    else:
        path.symlink_to(target)
    config, errors = within_deadline(lambda: load_config(root))
    assert config == Config()
    assert [(e.path, e.kind) for e in errors] == [(name, "config-error")]
    assert "default settings used" in errors[0].message
    report = scan(root)
    assert [f.rule_id for f in report.findings if f.rule_id == "SC007"] == ["SC007"]


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo", "outside"])
def test_configuration_found_upward_that_is_a_link_or_a_pipe(
    make_repo: MakeRepo, outside: Path, target: str
) -> None:
    """The configuration is looked for up to the repository root (``.git``):
    a file above the scanned folder is read as safely as one in it."""
    top = make_repo({"sub/app.py": CALL, "sub/keys.py": f'KEY = "{KEY}"\n'})
    (top / ".git").mkdir()  # config_folders stops at the first .git
    path = top / "ragfit.toml"
    if target == "fifo":
        _fifo(path)
    elif target == "outside":
        path.symlink_to(outside / "ragfit.toml")  # exclude = ["**"] must not apply
    else:
        path.symlink_to(target)
    (top / "pyproject.toml").write_text('[tool.ragfit]\nexclude = ["**"]\n', "utf-8")
    root = top / "sub"
    config, errors = within_deadline(lambda: load_config(root))
    # The nearest file could not be read: the defaults, not the pyproject next to it.
    assert config == Config()
    assert [(e.path, e.kind) for e in errors] == [("../ragfit.toml", "config-error")]
    assert "not read" in errors[0].message and "default settings used" in errors[0].message
    report = scan(root)
    assert [f.rule_id for f in report.findings if f.rule_id == "SC007"] == ["SC007"]


def test_explicit_config_that_is_a_device_is_a_usage_error(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    root = make_repo({"app.py": CALL})
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    code, out, err = within_deadline(lambda: run_cli("scan", root, "--config", link))
    assert (code, out) == (2, "")
    assert err == f"ragfit: error: {link}: cannot read (not a regular file (a character device))\n"


def test_baseline_that_is_a_pipe_is_a_usage_error(
    make_repo: MakeRepo, run_cli: RunCli, tmp_path: Path
) -> None:
    root = make_repo({"app.py": CALL})
    pipe = _fifo(tmp_path / "baseline.json")
    code, _, err = within_deadline(lambda: run_cli("scan", root, "--baseline", pipe))
    assert code == 2
    assert "not a regular file (a named pipe)" in err


# ---------------------------------------------------------------- license metadata


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo", "outside"])
def test_in_repo_environment_metadata_that_is_a_link(
    make_repo: MakeRepo, outside: Path, target: str
) -> None:
    site = ".venv/lib/python3.11/site-packages"
    root = make_repo(
        {
            "requirements.txt": "redis==5.0.0\n",
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            f"{site}/redis-5.0.0.dist-info/INSTALLER": "pip\n",
        }
    )
    metadata = root / site / "redis-5.0.0.dist-info" / "METADATA"
    if target == "fifo":
        _fifo(metadata)
    elif target == "outside":
        (outside / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: redis\nVersion: 5.0.0\nLicense: GPL-3.0-only\n\n"
        )
        metadata.symlink_to(outside / "METADATA")
    else:
        metadata.symlink_to(target)
    report = scan(root)
    (dep,) = report.dependencies
    assert dep.license is None and dep.license_category in (None, "unknown")
    messages = [e.message for e in report.errors if e.kind == "license-metadata"]
    assert len(messages) == 1 and "not read" in messages[0]


# ---------------------------------------------------------------- where reports go


def test_output_through_a_link_inside_the_repository_is_refused(
    git_repo: GitRepo, run_cli: RunCli, outside: Path
) -> None:
    root = git_repo({"app.py": CALL})
    (root / "report.sarif").symlink_to(outside / "victim.txt")
    git(root, "add", "report.sarif")
    code, _, err = run_cli(
        "scan", root, "--format", "sarif", "--output", root / "report.sarif", "--no-cache"
    )
    assert code == 2
    assert "symbolic link inside the scanned repository" in err
    assert (outside / "victim.txt").read_text("utf-8") == "do not touch\n"


def test_sarif_columns_are_not_read_through_a_link(make_repo: MakeRepo, outside: Path) -> None:
    from auditor.reporters.sarif import _ColumnConverter

    root = make_repo({"wide.py": "x = '🦄'  # y\n"})
    (outside / "wide.py").write_text("x = '🦄'  # y\n", "utf-8")
    (root / "linked.py").symlink_to(outside / "wide.py")
    _fifo(root / "pipe.py")
    columns = _ColumnConverter(str(root))
    assert columns.column("wide.py", 1, 10) == 11  # the unicorn is two UTF-16 units
    assert columns.column("linked.py", 1, 10) == 10  # not read: the column as given
    assert within_deadline(lambda: columns.column("pipe.py", 1, 10)) == 10
