"""load_config: where settings come from, what they parse to, and every error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeRepo

from auditor.config import (
    Config,
    ConfigError,
    check_rule_patterns,
    load_config,
    parse_rule_list,
)
from auditor.discover import DEFAULT_MAX_FILE_SIZE
from auditor.model import ScanError, Severity
from auditor.rules import CATALOG

FULL = """
[tool.ragfit]
select = ["sc", "AD1"]
ignore = ["SC002"]
exclude = ["vendor/**", "*.min.js"]
fail-on = "warning"
max-file-size = 4096
budget-usd = 25000
high-stakes = true
knowledge-paths = ["docs", "handbook"]
training-paths = "data/train.jsonl"

[tool.ragfit.per-path-ignores]
"tests/**" = ["sc007", "AD"]
"legacy/*.py" = "AD110"

[tool.ragfit.pricing]
calls-per-month = 50000

[tool.ragfit.pricing.fine-tune."gpt-4o-mini"]
training-per-million = 2.5
"""


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config, errors = load_config(tmp_path)
    assert errors == []
    assert config == Config()
    assert config.fail_on == "error"
    assert config.fail_threshold is Severity.ERROR
    assert config.max_file_size == DEFAULT_MAX_FILE_SIZE
    assert config.source is None


def test_every_value_parsed(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": '[project]\nname = "x"\n' + FULL})
    config, errors = load_config(root)
    assert errors == []
    assert config.source == "pyproject.toml"
    assert config.select == ("SC", "AD1")
    assert config.ignore == ("SC002",)
    assert config.exclude == ("vendor/**", "*.min.js")
    assert config.fail_on == "warning"
    assert config.fail_threshold is Severity.WARNING
    assert config.max_file_size == 4096
    assert config.budget_usd == 25000.0
    assert isinstance(config.budget_usd, float)
    assert config.high_stakes is True
    assert config.knowledge_paths == ("docs", "handbook")
    assert config.training_paths == ("data/train.jsonl",)
    assert dict(config.per_path_ignores) == {
        "tests/**": ("SC007", "AD"),
        "legacy/*.py": ("AD110",),
    }
    assert config.pricing == {
        "calls-per-month": 50000,
        "fine-tune": {"gpt-4o-mini": {"training-per-million": 2.5}},
    }


def test_fail_on_never_has_no_threshold(make_repo: MakeRepo) -> None:
    root = make_repo({"ragfit.toml": 'fail-on = "never"\n'})
    config, _ = load_config(root)
    assert config.fail_threshold is None


def test_pyproject_without_tool_ragfit_gives_defaults(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 9\n'})
    assert load_config(root) == (Config(), [])


# ---------------------------------------------------------------- precedence


def test_ragfit_toml_wins_over_pyproject(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[tool.ragfit]\nselect = ["AD"]\nfail-on = "note"\n',
            "ragfit.toml": 'select = ["SC"]\n',
        }
    )
    config, errors = load_config(root)
    assert errors == []
    assert config.source == "ragfit.toml"
    assert config.select == ("SC",)
    assert config.fail_on == "error"  # files are not merged: pyproject is not read


def test_ragfit_toml_may_use_a_tool_ragfit_table(make_repo: MakeRepo) -> None:
    root = make_repo({"ragfit.toml": '[tool.ragfit]\nignore = ["AD110"]\n'})
    assert load_config(root)[0].ignore == ("AD110",)


def test_explicit_config_wins_over_both(tmp_path: Path, make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[tool.ragfit]\nselect = ["AD"]\n',
            "ragfit.toml": 'select = ["LC"]\n',
        }
    )
    explicit = tmp_path / "ci-ragfit.toml"
    explicit.write_text('select = ["SC007"]\nmax-file-size = 10\n', "utf-8")
    config, errors = load_config(root, explicit)
    assert errors == []
    assert config.source == str(explicit)
    assert config.select == ("SC007",)
    assert config.max_file_size == 10


def test_explicit_pyproject_reads_its_tool_table(tmp_path: Path, make_repo: MakeRepo) -> None:
    root = make_repo({})
    other = tmp_path / "elsewhere" / "pyproject.toml"
    other.parent.mkdir()
    other.write_text('[project]\nname = "y"\n[tool.ragfit]\nexclude = ["gen/**"]\n', "utf-8")
    config, _ = load_config(root, other)
    assert config.exclude == ("gen/**",)


def test_explicit_config_still_reports_the_broken_repo_pyproject(
    tmp_path: Path, make_repo: MakeRepo
) -> None:
    root = make_repo({"pyproject.toml": "[project\n"})
    explicit = tmp_path / "c.toml"
    explicit.write_text('fail-on = "note"\n', "utf-8")
    config, errors = load_config(root, explicit)
    assert config.fail_on == "note"
    assert [(e.path, e.kind) for e in errors] == [("pyproject.toml", "config-error")]
    assert errors[0].message.startswith("not valid TOML: ")


def test_command_line_overrides_merge() -> None:
    config = Config(select=("AD",), fail_on="warning", exclude=("x",))
    merged = config.merged(select=("SC",), ignore=None, fail_on=None)
    assert merged.select == ("SC",)
    assert merged.fail_on == "warning"
    assert merged.exclude == ("x",)
    assert config.select == ("AD",)  # frozen: the original is untouched


# --------------------------------------------------------------- errors


def test_broken_repo_pyproject_is_an_errors_entry(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": "[tool.ragfit]\nfail-on = \n"})
    config, errors = load_config(root)
    assert config == Config()
    assert len(errors) == 1
    (error,) = errors
    assert isinstance(error, ScanError)
    assert (error.path, error.kind) == ("pyproject.toml", "config-error")
    assert error.message.startswith("not valid TOML, default settings used: ")
    assert "line 2" in error.message


def test_non_utf8_repo_pyproject_is_an_errors_entry(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": b'[project]\nname = "caf\xe9"\n'})
    config, errors = load_config(root)
    assert config == Config()
    assert [(e.path, e.kind, e.message) for e in errors] == [
        ("pyproject.toml", "config-error", "not valid TOML, default settings used: not UTF-8")
    ]


def _error(root: Path, explicit: Path | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(root, explicit)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_explicit_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert _error(tmp_path, missing) == f"{missing}: configuration file not found"


def test_explicit_directory_is_not_a_file(tmp_path: Path) -> None:
    assert _error(tmp_path, tmp_path) == f"{tmp_path}: configuration file not found"


def test_explicit_broken_toml(tmp_path: Path) -> None:
    broken = tmp_path / "c.toml"
    broken.write_text("select = [\n", "utf-8")
    assert _error(tmp_path, broken).startswith(f"{broken}: invalid TOML: ")


def test_explicit_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_bytes(b'exclude = ["caf\xe9"]\n')
    assert _error(tmp_path, bad) == f"{bad}: not UTF-8 text"


def test_broken_ragfit_toml_is_an_errors_entry_and_the_defaults_apply(
    make_repo: MakeRepo,
) -> None:
    # The contract: only a broken file named with --config stops the scan.
    root = make_repo(
        {"ragfit.toml": "select = \n", "pyproject.toml": '[tool.ragfit]\nfail-on = "note"\n'}
    )
    config, errors = load_config(root)
    assert config == Config()
    assert [(e.path, e.kind) for e in errors] == [("ragfit.toml", "config-error")]
    assert errors[0].message.startswith("not valid TOML, default settings used: ")


def test_tool_ragfit_must_be_a_table(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": '[tool]\nragfit = "on"\n'})
    assert "[tool.ragfit] must be a table" in _error(root)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("frobnicate = 1", "pyproject.toml: unknown key `frobnicate` in [tool.ragfit]"),
        (
            "zeta = 1\nalpha = 2",
            "pyproject.toml: unknown keys `alpha`, `zeta` in [tool.ragfit]",
        ),
        ("fail_on = 'error'", "pyproject.toml: unknown key `fail_on` in [tool.ragfit]"),
        ("select = 3", "pyproject.toml: `select` must be a list of strings"),
        ("ignore = ['SC007', 1]", "pyproject.toml: `ignore` must be a list of strings"),
        ("exclude = {a = 1}", "pyproject.toml: `exclude` must be a list of strings"),
        (
            "knowledge-paths = [true]",
            "pyproject.toml: `knowledge-paths` must be a list of strings",
        ),
        (
            "fail-on = 'sometimes'",
            "pyproject.toml: `fail-on` must be one of error, warning, note, never",
        ),
        ("fail-on = 3", "pyproject.toml: `fail-on` must be one of error, warning, note, never"),
        (
            "max-file-size = '2MB'",
            "pyproject.toml: `max-file-size` must be a positive number of bytes",
        ),
        ("max-file-size = 0", "pyproject.toml: `max-file-size` must be a positive number of bytes"),
        (
            "max-file-size = true",
            "pyproject.toml: `max-file-size` must be a positive number of bytes",
        ),
        (
            "max-file-size = 1.5",
            "pyproject.toml: `max-file-size` must be a positive number of bytes",
        ),
        ("budget-usd = -1", "pyproject.toml: `budget-usd` must be a non-negative number"),
        ("budget-usd = 'lots'", "pyproject.toml: `budget-usd` must be a non-negative number"),
        ("budget-usd = false", "pyproject.toml: `budget-usd` must be a non-negative number"),
        ("high-stakes = 'yes'", "pyproject.toml: `high-stakes` must be true or false"),
        ("pricing = 3", "pyproject.toml: `pricing` must be a table"),
        (
            "per-path-ignores = ['tests/**']",
            "pyproject.toml: `per-path-ignores` must be a table of glob = [ids]",
        ),
        (
            "per-path-ignores = {'tests/**' = 7}",
            "pyproject.toml: `per-path-ignores.tests/**` must be a list of strings",
        ),
        (
            "typosquat-allow = [1, 2]",
            "pyproject.toml: `typosquat-allow` must be a list of strings",
        ),
        (
            "typosquat-allow = {reqeusts = true}",
            "pyproject.toml: `typosquat-allow` must be a list of strings",
        ),
    ],
)
def test_value_errors(make_repo: MakeRepo, body: str, message: str) -> None:
    root = make_repo({"pyproject.toml": f"[tool.ragfit]\n{body}\n"})
    assert _error(root) == message


def test_value_errors_name_the_explicit_file(tmp_path: Path) -> None:
    path = tmp_path / "ci.toml"
    path.write_text("colour = 'blue'\n", "utf-8")
    assert _error(tmp_path, path) == f"{path}: unknown key `colour`"


def test_ragfit_toml_errors_name_it(make_repo: MakeRepo) -> None:
    root = make_repo({"ragfit.toml": "budget-usd = -5\n"})
    assert _error(root) == "ragfit.toml: `budget-usd` must be a non-negative number"


def test_typosquat_allow(make_repo: MakeRepo) -> None:
    root = make_repo({"ragfit.toml": 'typosquat-allow = ["acme_requests", "reqeusts"]\n'})
    config, errors = load_config(root)
    assert errors == []
    assert config.typosquat_allow == ("acme_requests", "reqeusts")
    assert Config().typosquat_allow == ()
    one = make_repo({"pyproject.toml": '[tool.ragfit]\ntyposquat-allow = "reqeusts"\n'})
    assert load_config(one)[0].typosquat_allow == ("reqeusts",)


# ------------------------------------------------------------ rule lists


def test_parse_rule_list() -> None:
    assert parse_rule_list(None) is None
    assert parse_rule_list("") == ()
    assert parse_rule_list(" sc007, ad1 ,,LC ") == ("SC007", "AD1", "LC")


def test_check_rule_patterns() -> None:
    known = sorted(CATALOG)
    check_rule_patterns(("SC", "AD1", "LC004", "AD101"), known, "select")
    with pytest.raises(ConfigError) as caught:
        check_rule_patterns(("SC", "XY12"), known, "ignore")
    assert str(caught.value) == "ignore: `XY12` matches no rule (see `ragfit rules`)"
    with pytest.raises(ConfigError):
        check_rule_patterns(("SC0071",), known, "select")
