"""--output: atomic for regular files, in place for devices and pipes."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from conftest import MakeRepo, RunCli

from auditor.output import atomic_write


def test_regular_file_is_replaced_atomically_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", "utf-8")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert target.read_text("utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temp left


def test_a_named_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, b"report")
    reader.join(timeout=10)
    assert received == [b"report"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_dev_null_leaves_the_device(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"app.py": "print('hi')\n"})
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", "-o", os.devnull)
    assert (code, out, err) == (0, "", "")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
