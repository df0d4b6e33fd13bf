"""The README's verdict section shows a real run: its panel for the bundled
sample is, line for line, what `ragfit scan fixtures/openai-support-bot` prints
on a terminal 80 columns wide.

The sample's data-change answer counts commits in the last 90 and 365 days, so
the scan is run with "now" pinned to a day shortly after the sample's training
data last changed; everything else is the scan as a user runs it.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, RunCli

from auditor.scanners import history

README = (ROOT / "README.md").read_text("utf-8")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
PINNED_NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)


def _in_git_checkout() -> bool:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() == "true"


def _readme_panel() -> list[str]:
    section = README[README.index("## The verdict") :]
    block = section[section.index("This is the panel for the bundled sample") :]
    block = block[block.index("```\n") + 4 :]
    return block[: block.index("```")].splitlines()


def test_the_readme_panel_is_a_whole_panel() -> None:
    lines = _readme_panel()
    assert lines[0].startswith("╭─ Verdict: ") and lines[-1].startswith("╰")
    assert all(len(line) == 80 for line in lines), [line for line in lines if len(line) != 80]
    assert any("Approach" in line and "A year" in line for line in lines)


@pytest.mark.skipif(
    not _in_git_checkout(), reason="the sample's data-change answer uses this repository's history"
)
def test_the_readme_panel_is_what_ragfit_prints(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = history.read_history

    def pinned(root: Path, **kwargs: object) -> history.GitHistory:
        return real(root, now=PINNED_NOW)

    monkeypatch.setattr(history, "read_history", pinned)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, err = run_cli("scan", FIXTURES / "openai-support-bot", "--no-cache")
    assert (code, err) == (0, "")
    printed = [ANSI.sub("", line).rstrip() for line in out.splitlines()]
    expected = [line.rstrip() for line in _readme_panel()]
    start = printed.index(expected[0])
    assert printed[start : start + len(expected)] == expected
