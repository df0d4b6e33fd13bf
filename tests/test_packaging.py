"""The wheel: the rule pack ``checks/`` ships inside it as ``auditor.checks``, with
its data tables, and works from a plain (non-editable) install.

The wheel is built from a copy of the work tree, so that setuptools' in-tree
``build/`` directory (which can hold stale modules) never leaks into it and the
repository is left as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".nox",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".ragfit_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
)
REQUIRED = (
    "auditor/__init__.py",
    "auditor/cli.py",
    "auditor/py.typed",
    "auditor/checks/__init__.py",
    "auditor/checks/data/sdks.toml",
    "auditor/checks/data/deprecated_models.toml",
    "auditor/checks/supply_chain/hardcoded_secret.py",
    "auditor/checks/adaptation/deprecated_model_or_api.py",
)
# pip's words when the package index cannot be reached: a connection error, or
# the build backend (setuptools, fetched first into an isolated build
# environment) not found at all. A missing *dependency* is a real failure.
NETWORK_ERRORS = re.compile(
    r"No matching distribution found for setuptools.*|"
    r"Could not find a version that satisfies the requirement setuptools.*|"
    r".*(?:NewConnectionError|Temporary failure in name resolution|Network is unreachable"
    r"|Name or service not known|Failed to establish a new connection|ConnectTimeoutError"
    r"|Read timed out).*"
)


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return env


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _skip_on_network_error(
    done: subprocess.CompletedProcess[str], what: str, *, index_optional: bool = False
) -> None:
    """Skip when pip failed for want of the package index; other failures stay failures.

    With ``index_optional`` (installing dependencies), a run told to stay off the
    index (``PIP_NO_INDEX``) is skipped too, whatever pip could not find.
    """
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    match = NETWORK_ERRORS.search(output)
    if match:
        pytest.skip(f"{what} needs the package index: pip said: {match.group(0).strip()}")
    if index_optional and os.environ.get("PIP_NO_INDEX"):
        errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
        said = errors[0] if errors else output.strip().splitlines()[-1]
        pytest.skip(f"{what} needs the package index (PIP_NO_INDEX is set): pip said: {said}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE, symlinks=True)
    out = base / "dist"
    done = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."],
        cwd=source,
    )
    _skip_on_network_error(done, "building the wheel (its build backend)")
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = sorted(out.glob("ragfit-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_holds_the_rule_pack_and_its_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in REQUIRED if name not in names]
    assert not missing, f"missing from {wheel.name}: {missing}"
    top_level = {name.split("/", 1)[0] for name in names}
    # The engine and the rule pack live under one import name; no generic
    # top-level `checks` (or `tests`, `fixtures`) lands on sys.path.
    assert top_level - {"auditor"} == {f"ragfit-{wheel.name.split('-')[1]}.dist-info"}


@pytest.mark.slow
def test_wheel_installs_and_runs(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False, symlinks=os.name != "nt")
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    done = _run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        cwd=tmp_path,
    )
    _skip_on_network_error(done, "installing the wheel's dependencies", index_optional=True)
    assert done.returncode == 0, done.stdout + done.stderr

    # The installed copy is used, not this checkout (cwd is elsewhere, no PYTHONPATH).
    where = _run(
        [str(python), "-c", "import auditor.checks.data as d; print(d.__file__)"], tmp_path
    )
    assert where.returncode == 0, where.stderr
    installed = Path(where.stdout.strip()).resolve()
    assert installed.is_relative_to(env_dir.resolve()), installed

    ragfit = str(bin_dir / "ragfit")
    rules = _run([ragfit, "rules"], tmp_path)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "SC007" in rules.stdout
    assert "AD110" in rules.stdout

    explain = _run([ragfit, "explain", "AD110"], tmp_path)
    assert explain.returncode == 0, explain.stderr
    assert explain.stdout.startswith("# AD110 deprecated-model-or-api")
    assert "## How to fix" in explain.stdout

    # A scan loads the SDK table and the deprecation table from the wheel.
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "legacy.py").write_text(
        'import openai\n\nopenai.Completion.create(model="text-davinci-003", prompt="Hello")\n',
        "utf-8",
    )
    scan = _run([ragfit, "scan", str(sample), "--format", "github", "--no-cache"], tmp_path)
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert "file=legacy.py,line=3" in scan.stdout
    assert "AD110" in scan.stdout
