"""Configuration found from the scanned path upward to the repository root:
the nearest file wins, --config overrides, and globs from a file above the
scanned folder are rebased onto it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GitRepo, RunCli, ScanJson, fake_key, findings

from auditor.config import EVERYTHING, config_folders, load_config, rebase

KEY = fake_key("sk-proj-", 48, seed=21)
SECRET = f'KEY = "{KEY}"\n'
RETIRED = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4-32k", messages=[])\n'
)


def test_a_subfolder_scan_reads_the_repository_configuration(
    git_repo: GitRepo, scan_json: ScanJson
) -> None:
    root = git_repo(
        {
            "pyproject.toml": '[tool.ragfit]\nignore = ["SC007"]\nfail-on = "warning"\n',
            "services/api/app.py": SECRET + RETIRED,
            "services/api/pyproject.toml": '[project]\nname = "api"\nversion = "1"\n',
        }
    )
    # The subfolder's pyproject.toml has no [tool.ragfit]: the search goes on up.
    report = scan_json(root / "services" / "api", expect_code=1)  # fail-on warning
    assert {f["rule_id"] for f in report["findings"]} == {"AD001", "AD110"}
    config, errors = load_config(root / "services" / "api")
    assert (config.source, errors) == ("../../pyproject.toml", [])


def test_the_nearest_file_wins_and_config_flag_overrides(
    git_repo: GitRepo, scan_json: ScanJson, tmp_path: Path
) -> None:
    root = git_repo(
        {
            "ragfit.toml": 'ignore = ["SC007"]\n',
            "pkg/ragfit.toml": 'select = ["SC007"]\n',
            "pkg/keys.py": SECRET + RETIRED,
        }
    )
    assert findings(scan_json(root / "pkg")) == [("SC007", "keys.py", 1)]
    explicit = tmp_path / "mine.toml"
    explicit.write_text('select = ["AD110"]\n', "utf-8")
    report = scan_json(root / "pkg", "--config", str(explicit))
    assert findings(report) == [("AD110", "keys.py", 5)]


def test_the_search_stops_at_the_repository_root(
    git_repo: GitRepo, tmp_path: Path, scan_json: ScanJson
) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "ragfit.toml").write_text('select = ["AD110"]\n', "utf-8")
    root = git_repo({"keys.py": SECRET}, "outer/repo")
    assert config_folders(root) == [root]
    assert findings(scan_json(root)) == [("SC007", "keys.py", 1)]  # outer config not used
    # Outside git only the scanned folder itself is read.
    plain = tmp_path / "outer" / "plain"
    plain.mkdir()
    (plain / "keys.py").write_text(SECRET, "utf-8")
    assert config_folders(plain) == [plain]


def test_globs_are_rebased_onto_the_scanned_folder(git_repo: GitRepo, scan_json: ScanJson) -> None:
    root = git_repo(
        {
            "pyproject.toml": (
                "[tool.ragfit]\n"
                'exclude = ["src/pkg/generated/**", "fixtures/**", "*.ipynb"]\n'
                "[tool.ragfit.per-path-ignores]\n"
                '"src/pkg/tests/**" = ["SC007"]\n'
            ),
            "src/pkg/generated/keys.py": SECRET,
            "src/pkg/tests/keys.py": SECRET,
            "src/pkg/app.py": SECRET,
            "fixtures/sample/keys.py": SECRET,
        }
    )
    report = scan_json(root / "src" / "pkg", "--select", "SC007")
    assert findings(report) == [("SC007", "app.py", 1)]
    assert report["summary"]["suppressed"] == 1  # tests/keys.py, by per-path-ignores
    # An exclude that covers the whole scanned folder is not applied: it was asked for.
    assert findings(scan_json(root / "fixtures" / "sample", "--select", "SC007")) == [
        ("SC007", "keys.py", 1)
    ]


@pytest.mark.parametrize(
    ("pattern", "base", "expected"),
    [
        ("*.ipynb", "src/pkg", "*.ipynb"),
        ("tests/", "src", "tests/"),  # no inner slash: any depth
        ("src/pkg/gen/*.py", "src/pkg", "/gen/*.py"),
        ("/src/pkg/gen/", "src/pkg", "/gen/"),
        ("src/*/gen/**", "src/pkg", "/gen/**"),
        ("src/**/gen/*.py", "src/pkg", "**/gen/*.py"),
        ("fixtures/**", "fixtures/sample", EVERYTHING),
        ("fixtures", "fixtures/sample", "fixtures"),
        ("fixtures/sample", "fixtures/sample", EVERYTHING),
        ("docs/a.md", "src", None),
        ("!src/pkg/keep.py", "src/pkg", "!/keep.py"),
        ("src/pkg/x.py", "", "src/pkg/x.py"),
    ],
)
def test_rebase(pattern: str, base: str, expected: str | None) -> None:
    assert rebase(pattern, base) == expected


def test_a_broken_file_above_is_an_error_entry(git_repo: GitRepo, run_cli: RunCli) -> None:
    root = git_repo({"pyproject.toml": "[tool.ragfit\n", "sub/app.py": "x = 1\n"})
    config, errors = load_config(root / "sub")
    assert config.source is None
    assert [(e.path, e.kind) for e in errors] == [("../pyproject.toml", "config-error")]
