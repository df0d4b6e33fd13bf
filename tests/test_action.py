"""The GitHub Action (action.yml, composite): its shell steps run here as the
runner would run them (``bash --noprofile --norc -eo pipefail``), with a fake
GitHub environment: GITHUB_ACTION_PATH (a snapshot of this checkout),
GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_PATH and
RUNNER_TEMP. The upload step (another action) is checked for its wiring."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, fake_key
from test_precommit import NETWORK_ERRORS, ROOT, snapshot_repo

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


class FakeRunner:
    """Runs an action's `run:` steps in order, keeping outputs and PATH like the runner."""

    def __init__(self, tmp: Path, action_path: Path, workspace: Path) -> None:
        self.action_path = action_path
        self.workspace = workspace
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        self.summary = tmp / "step-summary.md"
        self.summary.touch()
        self.path_file = tmp / "github-path"
        self.path_file.touch()
        self.outputs: dict[str, dict[str, str]] = {}

    def expression(self, text: str, inputs: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("inputs."):
                return inputs[name.removeprefix("inputs.")]
            if name == "github.workspace":
                return str(self.workspace)
            found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", name)
            if found:
                return self.outputs.get(found.group(1), {}).get(found.group(2), "")
            raise AssertionError(f"expression the fake runner does not know: {name}")

        return EXPRESSION.sub(value, text)

    def run(self, step: dict[str, Any], inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
        assert step["shell"] == "bash"
        output = self.temp / f"output-{len(self.outputs)}"
        output.touch()
        extra_path = [p for p in self.path_file.read_text("utf-8").splitlines() if p]
        env = {
            **os.environ,
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_ACTION_PATH": str(self.action_path),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_PATH": str(self.path_file),
            "RUNNER_TEMP": str(self.temp),
            "PATH": os.pathsep.join([*reversed(extra_path), os.environ["PATH"]]),
        }
        env.pop("VIRTUAL_ENV", None)
        for key, raw in (step.get("env") or {}).items():
            env[key] = self.expression(str(raw), inputs)
        cwd = self.expression(step.get("working-directory", str(self.workspace)), inputs)
        script = self.temp / "step.sh"
        script.write_text(step["run"], "utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        written = dict(
            line.split("=", 1) for line in output.read_text("utf-8").splitlines() if "=" in line
        )
        self.outputs[step.get("id", f"step{len(self.outputs)}")] = written
        return done


def _inputs(**given: str) -> dict[str, str]:
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in given.items()})
    return values


def _step(name: str) -> dict[str, Any]:
    return next(step for step in STEPS if step["name"] == name)


def test_the_action_s_shape() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"path", "fail-on", "args", "sarif-category"}
    assert [s["name"] for s in STEPS] == [
        "Install ragfit",
        "Scan",
        "Upload SARIF",
        "Fail on findings",
    ]
    upload = _step("Upload SARIF")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"
    assert upload["with"]["category"] == "${{ inputs.sarif-category }}"
    assert "always()" in upload["if"]
    # Inputs reach scripts through env only: no expression inside a script.
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]


@pytest.mark.slow
def test_the_steps_run_with_a_fake_github_environment(tmp_path: Path) -> None:
    action_path = snapshot_repo(ROOT, tmp_path / "action")
    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURES / "openai-support-bot", workspace / "bot")
    runner = FakeRunner(tmp_path, action_path, workspace)
    inputs = _inputs(path="bot", args="--offline --ignore AD001", python=sys.executable)

    installed = runner.run(_step("Install ragfit"), inputs)
    output = installed.stdout + installed.stderr
    if installed.returncode != 0 and NETWORK_ERRORS.search(output):
        pytest.skip(f"the install step needs the package index: {NETWORK_ERRORS.search(output)}")
    assert installed.returncode == 0, output
    assert "ragfit 0.1.0" in installed.stdout
    venv_bin = runner.temp / "ragfit-venv" / "bin"
    assert runner.path_file.read_text("utf-8") == f"{venv_bin}\n"

    scanned = runner.run(_step("Scan"), inputs)
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
    sarif_file = runner.outputs["scan"]["sarif-file"]
    assert runner.outputs["scan"]["exit-code"] == "0"  # warnings and notes: below fail-on error
    sarif = json.loads(Path(sarif_file).read_text("utf-8"))
    run = sarif["runs"][0]
    assert run["automationDetails"] == {"id": "ragfit/"}
    rule_ids = {r["ruleId"] for r in run["results"]}
    assert "AD110" in rule_ids and "AD001" not in rule_ids  # the extra args were passed
    summary = runner.summary.read_text("utf-8")
    assert summary.startswith("## ragfit\n")
    assert (
        "| 🟡 warning | AD110 (deprecated-model-or-api) | support\\_bot/legacy.py:19 |" in summary
    )
    assert "**3 dependencies not checked for vulnerabilities**" in summary
    passed = runner.run(_step("Fail on findings"), inputs)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    # A key in the workspace: the SARIF still comes (for the upload), then the job fails.
    key = fake_key("sk-proj-", 48, seed=41)
    (workspace / "bot" / "settings.py").write_text(f'OPENAI_API_KEY = "{key}"\n', "utf-8")
    scanned = runner.run(_step("Scan"), inputs)
    assert scanned.returncode == 0, scanned.stdout + scanned.stderr
    assert runner.outputs["scan"]["exit-code"] == "1"
    sarif = json.loads(Path(runner.outputs["scan"]["sarif-file"]).read_text("utf-8"))
    assert "SC007" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert key not in runner.summary.read_text("utf-8")
    failed = runner.run(_step("Fail on findings"), inputs)
    assert failed.returncode == 1
    assert failed.stdout.startswith("::error title=ragfit::findings at or above fail-on (error)")

    # A usage error (a bad extra argument) fails the scan step itself, with one line.
    broken = runner.run(_step("Scan"), _inputs(path="bot", args="--select XY9"))
    assert broken.returncode == 2
    assert broken.stderr.strip().endswith("`XY9` matches no rule (see `ragfit rules`)")
