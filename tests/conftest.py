"""Shared helpers: temporary repositories, the command line in-process, git."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.model import PythonFacts
from auditor.scanners.python import scan_source

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

Files = Mapping[str, "str | bytes"]
MakeRepo = Callable[..., Path]
RunCli = Callable[..., "tuple[int, str, str]"]
ScanJson = Callable[..., "dict[str, Any]"]
GitRepo = Callable[..., Path]


def write_files(root: Path, files: Files) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root``; text is written as
    UTF-8 with the newlines given (no translation)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """``make_repo({"a.py": "..."})`` -> a fresh folder (not a git repository)."""
    count = 0

    def make(files: Files, name: str | None = None) -> Path:
        nonlocal count
        count += 1
        root = tmp_path / (name or f"repo{count}")
        root.mkdir(parents=True, exist_ok=True)
        return write_files(root, files)

    return make


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """``run_cli("scan", path, ...)`` -> (exit code, stdout, stderr), in-process."""

    def run(*args: str | os.PathLike[str]) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse exits for --version and usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def scan_json(run_cli: RunCli) -> ScanJson:
    """``scan_json(path, *flags)``: a JSON scan with ``--no-cache``; asserts a clean
    run (exit 0 or 1, nothing on stderr) and returns the parsed report."""

    def scan(path: Path, *flags: str, expect_code: int | None = None) -> dict[str, Any]:
        code, out, err = run_cli("scan", path, "--format", "json", "--no-cache", *flags)
        assert code in (0, 1), (code, err)
        if expect_code is not None:
            assert code == expect_code, (code, err)
        assert "Traceback" not in err
        assert err == "", err
        data: dict[str, Any] = json.loads(out)
        return data

    return scan


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(cwd), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return done.stdout


@pytest.fixture
def git_repo(make_repo: MakeRepo) -> GitRepo:
    """``git_repo(files)`` -> a git repository with ``files`` committed (one commit)."""

    def make(files: Files, name: str | None = None, *, commit: bool = True) -> Path:
        root = make_repo(files, name)
        git(root, "init", "-q")
        git(root, "config", "user.name", "ragfit tests")
        git(root, "config", "user.email", "tests@ragfit.invalid")
        git(root, "config", "commit.gpgsign", "false")
        if commit:
            commit_all(root, "initial")
        return root

    return make


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def fake_key(prefix: str, length: int, seed: int, alphabet: str | None = None) -> str:
    """A random key body with a digit and a letter in it (not a real credential)."""
    rng = random.Random(seed)
    alphabet = alphabet or string.ascii_letters + string.digits
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in body) and any(c.isalpha() for c in body):
            return prefix + body


def python() -> str:
    return sys.executable


def errors_by_path(report: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for error in report["errors"]:
        found.setdefault(error["path"], []).append((error["kind"], error["message"]))
    return found


def sites(report: Mapping[str, Any]) -> list[tuple[str, int, int, str, str, str | None]]:
    """(path, line, column, capability, api, model) of every call site."""
    return [
        (s["path"], s["line"], s["column"], s["capability"], s["api"], s["model"])
        for s in report["inventory"]["call_sites"]
    ]


def findings(report: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]]


@pytest.fixture(autouse=True, scope="session")
def _user_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the cache's signing key out of the real home directory."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(autouse=True, scope="session")
def _no_network_audit() -> Iterator[None]:
    """Tests never reach the network: the online audit (pip-audit) is a command
    that fails at once, unless a test sets its own fake."""
    previous = os.environ.get("RAGFIT_PIP_AUDIT")
    os.environ["RAGFIT_PIP_AUDIT"] = (
        f"{sys.executable} -c \"import sys; sys.exit('network disabled in tests')\""
    )
    yield
    if previous is None:
        os.environ.pop("RAGFIT_PIP_AUDIT", None)
    else:
        os.environ["RAGFIT_PIP_AUDIT"] = previous


@pytest.fixture(autouse=True, scope="session")
def _no_network_license_index() -> Iterator[None]:
    """Tests never reach the network: online license look-ups go to a closed
    port on this machine (refused at once), unless a test starts its own fake."""
    previous = os.environ.get("RAGFIT_INDEX_URL")
    os.environ["RAGFIT_INDEX_URL"] = "http://127.0.0.1:9/pypi"
    yield
    if previous is None:
        os.environ.pop("RAGFIT_INDEX_URL", None)
    else:
        os.environ["RAGFIT_INDEX_URL"] = previous


# The scanner tests on sample repositories compare whole lists of these.
CallTuple = tuple[str, int, str, str, str, "str | None", bool]


def scan_fixture(root: Path) -> dict[str, PythonFacts]:
    """Every ``.py`` file of a sample repository through the Python scanner,
    by path relative to ``root``."""
    return {
        path.relative_to(root).as_posix(): scan_source(
            path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")
        )
        for path in sorted(root.rglob("*.py"))
    }


def call_tuples(facts: Mapping[str, PythonFacts]) -> list[CallTuple]:
    """(path, line, provider, capability, api, model, fine_tuned), sorted."""
    return sorted(
        (c.path, c.line, c.provider, c.capability, c.api, c.model, c.fine_tuned)
        for f in facts.values()
        for c in f.call_sites
    )


class FakeIndex:
    """A package index on 127.0.0.1: ``routes`` maps a path to (status, body)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes]] = {}
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                status, body = fake.routes.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def project(
        self, name: str, info: dict[str, object], releases: dict[str, list[object]]
    ) -> None:
        body = json.dumps({"info": info, "releases": releases}).encode()
        self.routes[f"/pypi/{name}/json"] = (200, body)


@pytest.fixture
def fake_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeIndex]:
    fake = FakeIndex()
    fake.thread.start()
    monkeypatch.setenv("RAGFIT_INDEX_URL", f"{fake.url}/pypi")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
