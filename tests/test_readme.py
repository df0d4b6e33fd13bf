"""The README tells the truth: its Quickstart output is what the sample prints
today, its rule table's severities are `ragfit rules`', the files and scripts
it names exist, and neither it nor the tests cite a document the repository
does not hold."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import FIXTURES, ROOT, RunCli

from auditor.rules import all_rules

README = (ROOT / "README.md").read_text("utf-8")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SECONDS = re.compile(r"\b\d+\.\d\ds\b")


def _in_git_checkout() -> bool:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() == "true"


@pytest.mark.skipif(
    not _in_git_checkout(), reason="the sample's answers use this repository's git history"
)
def test_quickstart_output_is_today_s(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Quickstart block, line by line, in the order a terminal 80
    columns wide shows it (the verdict panel is shortened there: `│ ...`).
    The sample is scanned where it is, reading and writing no cache; the
    network is off in tests, as the sample has nothing pip-audit could check
    and its licenses come from the snapshot."""
    block = README[README.index("The first command prints") :]
    block = block[block.index("```\n") + 4 :]
    expected = [line for line in block[: block.index("```")].splitlines() if line != "│ ..."]
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, err = run_cli("scan", FIXTURES / "openai-support-bot", "--no-cache")
    assert (code, err) == (0, "")
    printed = [SECONDS.sub("0.00s", ANSI.sub("", line)).rstrip() for line in out.splitlines()]
    position = 0
    for line in expected:
        wanted = SECONDS.sub("0.00s", line)
        assert wanted in printed[position:], f"README line not printed (in order): {line!r}"
        position = printed.index(wanted, position) + 1


def _readme_rules() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in README.splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"[A-Z]{2}\d{3}", cells[0]):
            rows[cells[0]] = cells[2]
    return rows


def test_rule_table_matches_ragfit_rules() -> None:
    assert _readme_rules() == {rule.id: rule.severity.label for rule in all_rules()}


def test_no_document_outside_the_repository_is_cited() -> None:
    name = "DES" + "IGN"  # the design notes live outside the repository
    assert name not in README
    for path in sorted((ROOT / "tests").glob("*.py")):
        assert name not in path.read_text("utf-8"), path.name


def test_named_files_exist() -> None:
    """Repository paths in backticks and relative links name real files."""
    named = set(re.findall(r"`((?:checks|bench|auditor|tests|fixtures|\.ci)/[\w./-]+)`", README))
    named |= set(re.findall(r"\]\((?!https?:|#)([^)#]+)\)", README))
    assert "checks/data/license_snapshot.toml" in named
    missing = [path for path in sorted(named) if not (ROOT / path).exists()]
    assert missing == []


def test_measured_figures_name_a_script_that_exists() -> None:
    """A figure quoted in the code or the docs names the bench/ script that
    reproduces it, and that script exists."""
    sources = [ROOT / "README.md", ROOT / "bench" / "README.md"]
    sources += sorted((ROOT / "auditor").rglob("*.py")) + sorted((ROOT / "checks").rglob("*.py"))
    cited: set[str] = set()
    for path in sources:
        cited |= set(re.findall(r"bench/[\w-]+\.py", path.read_text("utf-8")))
    assert {"bench/typosquat_false_alarms.py", "bench/secret_entropy.py"} <= cited
    assert [c for c in sorted(cited) if not (ROOT / c).is_file()] == []
    typosquat = (ROOT / "checks/supply_chain/typosquat_suspect.py").read_text("utf-8")
    text = (ROOT / "auditor/scanners/text.py").read_text("utf-8")
    for source, figure in ((typosquat, "1.2%"), (text, "0.16%")):
        at = source.index(figure)  # the paragraph (comment block) that quotes it
        start, end = source.rfind("\n\n", 0, at), source.find("\n\n", at)
        assert "bench/" in source[start:end], figure


def test_the_online_marker_is_gone() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert '"online:' not in pyproject
