"""--format cyclonedx: a CycloneDX 1.6 BOM that validates against the official
1.6 JSON schema (the copy cyclonedx-python-lib ships) for every sample, with
dependencies, models, data, services, infrastructure and vulnerabilities."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, MakeRepo, RunCli
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

OSV = Path(__file__).parent / "data" / "osv"
SAMPLES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


def _bom(run_cli: RunCli, root: Path, *flags: str | Path) -> dict[str, Any]:
    code, out, err = run_cli("scan", root, "--format", "cyclonedx", "--no-cache", *flags)
    assert code in (0, 1), err
    assert "Traceback" not in err
    problem = VALIDATOR.validate_str(out)
    assert problem is None, problem
    data: dict[str, Any] = json.loads(out)
    return data


def _copy(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _components(bom: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in bom.get("components", []) if c["type"] == kind}


def _props(item: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("properties", [])}


def test_the_schema_is_the_official_one() -> None:
    """The validator reads the CycloneDX project's own 1.6 schema file."""
    from importlib.resources import files

    schema = json.loads(
        (files("cyclonedx") / "schema" / "_res" / "bom-1.6.SNAPSHOT.schema.json").read_text()
    )
    assert schema["$id"] == "http://cyclonedx.org/schema/bom-1.6.schema.json"
    broken = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "x"}]}
    assert VALIDATOR.validate_str(json.dumps(broken)) is not None


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_sample_validates(tmp_path: Path, run_cli: RunCli, sample: str) -> None:
    bom = _bom(run_cli, _copy(tmp_path, sample), "--offline")
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    assert bom["metadata"]["tools"][0]["name"] == "ragfit"
    assert bom["metadata"]["component"]["name"] == sample
    props = _props(bom["metadata"])
    assert {"ragfit:vulnerability-audit:checked", "ragfit:vulnerability-audit:not-checked"} <= set(
        props
    )


def test_models_data_services_and_dependencies(tmp_path: Path, run_cli: RunCli) -> None:
    root = _copy(tmp_path, "openai-support-bot")
    bom = _bom(run_cli, root, "--offline")
    models = _components(bom, "machine-learning-model")
    assert {"gpt-4o", "text-embedding-3-small", "ft:gpt-4o-mini-2024-07-18:acme::abc123"} <= set(
        models
    )
    fine_tuned = models["ft:gpt-4o-mini-2024-07-18:acme::abc123"]
    assert fine_tuned["group"] == "openai"
    assert _props(fine_tuned)["ragfit:fine-tuned"] == "true"
    assert _props(models["gpt-4o"])["ragfit:fine-tuned"] == "false"
    assert all(o["location"].endswith(".py") for o in models["gpt-4o"]["evidence"]["occurrences"])
    data = _components(bom, "data")
    assert _props(data["data/train.jsonl"])["ragfit:role"] == "training-data"
    services = {s["name"]: s for s in bom["services"]}
    assert services["OpenAI API"]["endpoints"] == ["https://api.openai.com/v1"]
    assert "fine-tune" in _props(services["OpenAI API"])["ragfit:capabilities"]
    libraries = _components(bom, "library")
    assert {"openai", "numpy", "tenacity"} <= set(libraries)
    openai = libraries["openai"]
    assert openai["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert _props(openai)["ragfit:license-source"] in {"snapshot", "cache"}
    assert _props(openai)["ragfit:declared-in"] == "pyproject.toml:11"
    assert "purl" not in openai  # a range: no exact version, no purl
    # The repository depends on every component.
    (root_entry,) = [d for d in bom["dependencies"] if d["ref"] == "repository"]
    assert len(root_entry["dependsOn"]) == len(bom["components"])
    # How much of the vulnerability audit happened (offline: nothing).
    props = _props(bom["metadata"])
    assert props["ragfit:vulnerability-audit:not-checked"] == "3"
    assert props["ragfit:vulnerability-audit:checked"] == "0"


def test_corpus_images_and_tools(tmp_path: Path, run_cli: RunCli) -> None:
    bom = _bom(run_cli, _copy(tmp_path, "handbook-stuffing"), "--offline")
    corpus = _components(bom, "data")["docs/handbook.md"]
    assert _props(corpus)["ragfit:role"] == "knowledge-corpus"
    assert int(_props(corpus)["ragfit:approx-tokens"]) > 2000
    stack = _bom(run_cli, _copy(tmp_path, "runbook-search-stack"), "--offline")
    containers = _components(stack, "container")
    redis = next(c for n, c in containers.items() if n == "redis")
    assert redis["purl"] == "pkg:docker/redis@7.4-alpine"
    # A relicensing event gives the image version its license.
    assert _props(redis)["ragfit:license-source"] == "relicensing"
    assert redis["licenses"]
    apps = _components(stack, "application")
    assert "terraform" in apps
    assert any(n.startswith("hashicorp/") or n == "hashicorp/setup-terraform" for n in apps)


def test_lock_file_hashes_and_purls(make_repo: MakeRepo, run_cli: RunCli) -> None:
    digest = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
    other = "a" * 64
    root = make_repo(
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["certifi"]\n',
            "uv.lock": (
                "version = 1\n\n[[package]]\n"
                'name = "certifi"\nversion = "2024.7.4"\n'
                'source = { registry = "https://pypi.org/simple" }\n'
                f'sdist = {{ url = "https://x/certifi.tar.gz", hash = "sha256:{digest}" }}\n'
                f'wheels = [{{ url = "https://x/certifi.whl", hash = "sha256:{other}" }}]\n'
            ),
        }
    )
    bom = _bom(run_cli, root, "--offline")
    locked = [c for c in bom["components"] if c.get("version") == "2024.7.4"]
    assert len(locked) == 1
    assert locked[0]["purl"] == "pkg:pypi/certifi@2024.7.4"
    assert sorted(h["content"] for h in locked[0]["hashes"]) == sorted([digest, other])
    assert {h["alg"] for h in locked[0]["hashes"]} == {"SHA-256"}


def test_vulnerabilities_from_sc001(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo({"requirements.txt": "requests==2.28.0\nflask==3.0.3\n"})
    bom = _bom(run_cli, root, "--vuln-db", OSV)
    (vuln,) = [v for v in bom["vulnerabilities"] if v["id"] == "PYSEC-2023-74"]
    assert vuln["affects"] == [{"ref": "pypi:requests@2.28.0"}]
    assert vuln["recommendation"] == "Upgrade to 2.31.0"
    assert vuln["ratings"][0]["score"] == 6.1
    assert vuln["ratings"][0]["severity"] == "medium"
    requests = _components(bom, "library")["requests"]
    assert requests["purl"] == "pkg:pypi/requests@2.28.0"
    props = _props(bom["metadata"])
    assert (
        props["ragfit:vulnerability-audit:source"],
        props["ragfit:vulnerability-audit:checked"],
    ) == (
        "osv",
        "2",
    )


def test_the_same_input_gives_the_same_bom(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    root = _copy(tmp_path, "openai-support-bot")
    first, second = _bom(run_cli, root, "--offline"), _bom(run_cli, root, "--offline")
    assert first == second
    assert first["metadata"]["timestamp"] == "2026-01-01T00:00:00+00:00"
    assert first["serialNumber"].startswith("urn:uuid:")
