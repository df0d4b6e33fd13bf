"""The dependency surface (summary.dependency_surface) from every lock format, and
SC011, which turns it into a finding when max-dependencies sets a budget."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, MakeRepo, RunCli

from auditor.config import Config, ConfigError, load_config
from auditor.engine import Options, audit
from auditor.scanners.locks import parse_poetry_lock, parse_uv_lock

POETRY_LOCK = """[[package]]
name = "langchain"
version = "0.3.7"
description = ""
optional = false
python-versions = ">=3.9"

[package.dependencies]
pydantic = ">=2.7.4,<3.0.0"
requests = ">=2,<3"
langchain-openai = {version = ">=0.2", optional = true}

[package.extras]
openai = ["langchain-openai (>=0.2)"]

[[package]]
name = "langchain-openai"
version = "0.2.8"
description = ""
optional = true
python-versions = ">=3.9"

[package.dependencies]
openai = ">=1.54.0"
tiktoken = ">=0.7"

[[package]]
name = "openai"
version = "1.54.3"
description = ""
optional = true
python-versions = ">=3.8"

[package.dependencies]
httpx = ">=0.23"

[[package]]
name = "httpx"
version = "0.27.2"
description = ""
optional = false
python-versions = ">=3.8"

[[package]]
name = "tiktoken"
version = "0.8.0"
description = ""
optional = true
python-versions = ">=3.9"

[[package]]
name = "pydantic"
version = "2.9.2"
description = ""
optional = false
python-versions = ">=3.8"

[[package]]
name = "requests"
version = "2.32.3"
description = ""
optional = false
python-versions = ">=3.8"

[[package]]
name = "fastapi"
version = "0.115.5"
description = ""
optional = false
python-versions = ">=3.8"

[package.dependencies]
pydantic = ">=1.7.4"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0"
"""
POETRY_PYPROJECT = """[tool.poetry]
name = "assistant"
version = "0.1.0"
description = ""
authors = []

[tool.poetry.dependencies]
python = "^3.11"
langchain = {version = "0.3.7", extras = ["openai"]}
fastapi = "0.115.5"
"""


def test_poetry_lock_records_dependencies_and_extras() -> None:
    facts = parse_poetry_lock("poetry.lock", POETRY_LOCK)
    requires = {d.name: d.requires for d in facts.dependencies}
    assert requires["langchain"] == ("pydantic", "requests", "openai/langchain-openai")
    assert requires["langchain-openai"] == ("openai", "tiktoken")
    assert requires["httpx"] == ()


def test_uv_lock_records_dependencies_and_optional_ones() -> None:
    text = """version = 1
[[package]]
name = "llama-index"
version = "0.12.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "llama-index-core" },
    { name = "nltk", marker = "python_full_version >= '3.9'" },
]

[package.optional-dependencies]
qdrant = [{ name = "llama-index-vector-stores-qdrant" }]
"""
    (dep,) = parse_uv_lock("uv.lock", text).dependencies
    assert dep.requires == ("llama-index-core", "nltk", "qdrant/llama-index-vector-stores-qdrant")


def surface(root: Path) -> dict[str, object]:
    report = audit(root, Config(select=("SC011",)), Options(use_cache=False, jobs=1))
    return dict(report.dependency_surface)


def test_an_extra_adds_what_it_installs(make_repo: MakeRepo) -> None:
    root = make_repo({"pyproject.toml": POETRY_PYPROJECT, "poetry.lock": POETRY_LOCK})
    assert surface(root) == {
        "direct": 2,
        "locked": 8,
        "lock_files": ["poetry.lock"],
        "graph": "poetry.lock",
        "llm_frameworks": {"packages": 2, "direct": ["langchain"], "brought_in": 6},
        # langchain[openai]: pydantic, requests, langchain-openai, openai, tiktoken, httpx
        "top_direct": [
            {"name": "langchain", "locked": 6, "path": "pyproject.toml", "line": 9},
            {"name": "fastapi", "locked": 1, "path": "pyproject.toml", "line": 10},
        ],
    }
    without_extra = POETRY_PYPROJECT.replace(', extras = ["openai"]', "")
    root = make_repo({"pyproject.toml": without_extra, "poetry.lock": POETRY_LOCK})
    top = surface(root)["top_direct"]
    assert isinstance(top, list) and top[0]["locked"] == 2  # pydantic, requests


def test_a_lock_without_a_graph_says_so(make_repo: MakeRepo, run_cli: RunCli) -> None:
    pipfile_lock = {
        "_meta": {"hash": {"sha256": "0"}},
        "default": {
            "langchain": {"version": "==0.3.7"},
            "langchain-core": {"version": "==0.3.19"},
            "pydantic": {"version": "==2.9.2"},
        },
        "develop": {},
    }
    root = make_repo(
        {
            "Pipfile": '[packages]\nlangchain = "==0.3.7"\n',
            "Pipfile.lock": json.dumps(pipfile_lock, indent=4),
        }
    )
    assert surface(root) == {
        "direct": 1,
        "locked": 3,
        "lock_files": ["Pipfile.lock"],
        "graph": None,
        "llm_frameworks": {"packages": 2, "direct": ["langchain"], "brought_in": None},
        "top_direct": [],
    }
    code, out, _ = run_cli("scan", root, "--offline", "--exit-zero", "--no-cache")
    assert code == 0
    assert (
        "Dependency surface: 1 direct, 3 locked (Pipfile.lock) · 2 from LLM frameworks · "
        "the lock file has no dependency graph"
    ) in " ".join(out.split())


def test_no_lock_file_counts_the_direct_dependencies(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "requirements.txt": (
                "-c constraints.txt\nlangchain-openai==0.2.8\nllama-index-llms-openai\n"
            ),
            "constraints.txt": "urllib3<3\n",
        }
    )
    assert surface(root) == {
        "direct": 2,
        "locked": None,
        "lock_files": [],
        "graph": None,
        "llm_frameworks": {
            "packages": 2,
            "direct": ["langchain-openai", "llama-index-llms-openai"],
            "brought_in": None,
        },
        "top_direct": [],
    }


FIXTURE_SURFACE = {
    "direct": 7,
    "locked": 80,
    "lock_files": ["uv.lock"],
    "graph": "uv.lock",
    "llm_frameworks": {
        "packages": 7,
        "direct": ["langchain", "langchain-openai", "langchain-qdrant", "llama-index-core"],
        "brought_in": 65,
    },
    "top_direct": [
        {"name": "llama-index-core", "locked": 47, "path": "pyproject.toml", "line": 10},
        {"name": "langchain", "locked": 33, "path": "pyproject.toml", "line": 7},
        {"name": "langchain-openai", "locked": 30, "path": "pyproject.toml", "line": 8},
        {"name": "langchain-qdrant", "locked": 30, "path": "pyproject.toml", "line": 9},
        {"name": "fastapi", "locked": 7, "path": "pyproject.toml", "line": 11},
    ],
}


def test_a_real_uv_lock(tmp_path: Path, run_cli: RunCli) -> None:
    repo = tmp_path / "policy"
    shutil.copytree(FIXTURES / "policy-assistant-locked", repo)
    code, out, err = run_cli("scan", repo, "--format", "json", "--offline", "--exit-zero")
    assert code == 0, err
    assert json.loads(out)["summary"]["dependency_surface"] == FIXTURE_SURFACE
    code, out, _ = run_cli("scan", repo, "--format", "markdown", "--offline", "--exit-zero")
    assert (
        "Dependency surface: 7 direct, 80 locked (uv.lock) · 7 from LLM frameworks, whose 4 "
        "direct packages bring in 65 more · most: llama-index-core 47, langchain 33, "
        "langchain-openai 30, langchain-qdrant 30, fastapi 7"
    ) in out


def test_sc011_fires_only_with_a_budget(tmp_path: Path, run_cli: RunCli) -> None:
    repo = tmp_path / "policy"
    shutil.copytree(FIXTURES / "policy-assistant-locked", repo)
    code, out, _ = run_cli("scan", repo, "--format", "json", "--offline", "--select", "SC011")
    assert json.loads(out)["findings"] == []
    with open(repo / "pyproject.toml", "a") as handle:
        handle.write("\n[tool.ragfit]\nmax-dependencies = {direct = 10, locked = 60}\n")
    code, out, _ = run_cli(
        "scan", repo, "--format", "json", "--offline", "--select", "SC011", "--fail-on", "warning"
    )
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert (finding["path"], finding["line"], finding["severity"]) == (
        "pyproject.toml",
        10,
        "warning",
    )
    assert finding["message"] == (
        "80 locked packages, over the budget of 60 (max-dependencies): llama-index-core "
        "brings 47, langchain brings 33, langchain-openai brings 30"
    )
    assert finding["properties"]["count"] == 80
    assert finding["properties"]["surface"] == FIXTURE_SURFACE


@pytest.mark.parametrize(
    "value",
    ["0", "-3", "true", '"many"', "{locked = 0}", "{everything = 10}", "{}", "1.5"],
)
def test_max_dependencies_must_be_a_budget(tmp_path: Path, value: str) -> None:
    (tmp_path / "ragfit.toml").write_text(f"max-dependencies = {value}\n")
    with pytest.raises(ConfigError, match="max-dependencies"):
        load_config(tmp_path)


def test_max_dependencies_forms(tmp_path: Path) -> None:
    (tmp_path / "ragfit.toml").write_text("max-dependencies = 150\n")
    assert load_config(tmp_path)[0].max_dependencies == {"installed": 150}
    (tmp_path / "ragfit.toml").write_text("max-dependencies = {direct = 20, locked = 150}\n")
    assert load_config(tmp_path)[0].max_dependencies == {"direct": 20, "locked": 150}
