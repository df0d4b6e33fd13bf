"""The progress bar: on a terminal, for scans with many files to analyse, and
never in machine formats, with --quiet, under CI, or when not a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeRepo


def stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def many_files(make_repo: MakeRepo) -> Path:
    return make_repo({f"notes/n{i:03d}.md": f"note {i}\n" for i in range(260)})


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "NO_COLOR"}}
    env.update(extra)
    return env


def test_bar_on_a_terminal(many_files: Path) -> None:
    err = stderr_on_a_terminal(["scan", str(many_files), "--no-cache", "-j", "1"], _env())
    assert "scanning" in err


@pytest.mark.parametrize(
    ("extra", "env"),
    [
        (["--format", "json"], {}),
        (["--quiet"], {}),
        ([], {"CI": "true"}),
    ],
    ids=["json", "quiet", "ci"],
)
def test_no_bar(many_files: Path, extra: list[str], env: dict[str, str]) -> None:
    args = ["scan", str(many_files), "--no-cache", "-j", "1", *extra]
    assert "scanning" not in stderr_on_a_terminal(args, _env(**env))
