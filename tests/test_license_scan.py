"""Licenses and infrastructure through the whole pipeline: the sample repository
runbook-search-stack, ``--python``, online look-ups against a local fake index,
and bad infrastructure input."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, FakeIndex, MakeRepo, RunCli, ScanJson, errors_by_path, findings
from rich.console import Console

from auditor.analyse import analysis_kind
from auditor.config import Config
from auditor.engine import Options, audit
from auditor.model import Component, FileFacts
from auditor.reporters.terminal import render_terminal

SAMPLE = FIXTURES / "runbook-search-stack"


def _snapshot_version(name: str) -> str:
    """The latest release the shipped license snapshot records for ``name``."""
    from auditor.knowledge import load_table

    version: str = load_table("license_snapshot")["projects"][name][0]
    return version


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample scanned offline (a copy outside git, so the walk lists files)."""
    root = tmp_path_factory.mktemp("sample") / "runbook-search-stack"
    shutil.copytree(SAMPLE, root)
    report = audit(root, Config(), Options(use_cache=False, jobs=1))
    from auditor.reporters.json import render_json

    data: dict[str, Any] = json.loads(render_json(report))
    return data


def test_sample_components_at_their_lines(sample: dict[str, Any]) -> None:
    found = [
        (c["path"], c["line"], c["kind"], c["name"], c["version"], c["registry"])
        for c in sample["components"]
    ]
    workflow = ".github/workflows/deploy.yml"
    assert found == [
        (workflow, 14, "action", "actions/checkout", "v4", None),
        (workflow, 15, "action", "hashicorp/setup-terraform", "v3", None),
        (workflow, 17, "terraform", "terraform", "1.9.5", None),
        (workflow, 23, "image", "redis", "7.2", None),
        (workflow, 25, "action", "actions/checkout", "v4", None),
        (workflow, 26, "action", "actions/setup-python", "v5", None),
        (".terraform-version", 1, "tool", "terraform", "1.9.5", None),
        (".tool-versions", 1, "tool", "python", "3.11.9", None),
        (".tool-versions", 2, "tool", "terraform", "1.5.7", None),
        ("Dockerfile", 4, "image", "python", "3.11-slim", None),
        ("Dockerfile", 9, "image", "python", "3.11-slim", None),
        (
            "deploy/chart/Chart.yaml",
            7,
            "helm-chart",
            "redis",
            "19.6.4",
            "oci://registry-1.docker.io/bitnamicharts",
        ),
        # The cache service takes its image from the x-cache anchor (line 7).
        ("docker-compose.yml", 7, "image", "redis", "7.4-alpine", None),
        ("docker-compose.yml", 14, "image", "runbook-search-api", "dev", None),
        (
            "docker-compose.yml",
            20,
            "image",
            "elasticsearch/elasticsearch",
            "8.15.0",
            "docker.elastic.co",
        ),
        ("docker-compose.yml", 25, "image", "kibana/kibana", "8.15.0", "docker.elastic.co"),
        ("docker-compose.yml", 27, "image", "mongo", "latest", None),
        ("docker-compose.yml", 29, "image", "bitnami/redis", "7.2.5-debian-12-r0", None),
        ("docker-compose.yml", 31, "image", "hashicorp/vault", "latest", None),
        ("docker-compose.yml", 33, "image", "nginx", "1.27-alpine", None),
        ("infra/main.tf", 2, "terraform", "terraform", ">= 1.6.0", None),
        ("infra/main.tf", 7, "terraform-provider", "hashicorp/aws", "~> 5.60", None),
        ("infra/terraform.Dockerfile", 1, "image", "hashicorp/terraform", "1.9.5", None),
    ]


def test_sample_licenses_from_its_venv(sample: dict[str, Any]) -> None:
    found = [
        (d["name"], d["version"], d["license"], d["license_source"], d["license_category"])
        for d in sample["dependencies"]
    ]
    assert found == [
        ("openai", "1.51.0", "Apache-2.0", "environment", "permissive"),
        ("redis", "5.0.8", "MIT", "environment", "permissive"),
        ("elasticsearch", "8.15.1", "Apache-2.0", "environment", "permissive"),
        (
            "pymongo",
            "4.8.0",
            "Apache-2.0",
            "environment",
            "permissive",
        ),  # "Apache License, Version 2.0"
        (
            "packaging",
            "24.1",
            "Apache Software License OR BSD License",
            "environment",
            "permissive",
        ),
        ("certifi", "2024.8.30", "MPL-2.0", "environment", "weak-copyleft"),
        ("pip-api", "0.0.34", "Apache-2.0", "environment", "permissive"),  # a whole license text
        ("ultralytics", "8.2.90", "AGPL-3.0", "environment", "network-copyleft"),
        ("acme-ranker", "0.3.1", None, "environment", "unknown"),
        ("PySimpleGUI", "5.0.8", "Proprietary", "environment", "proprietary"),
        # Not installed (a dev group): the shipped snapshot knows its latest release.
        ("pytest", "8.3.3", "MIT", "snapshot", "permissive"),
    ]
    pytest_entry = next(d for d in sample["dependencies"] if d["name"] == "pytest")
    assert pytest_entry["license_release"] == _snapshot_version("pytest")
    assert {d["license_release"] for d in sample["dependencies"] if d["name"] != "pytest"} == {None}
    # The whole Apache text in pip-api's License field is recognised, never echoed.
    assert "TERMS AND CONDITIONS" not in json.dumps(sample)


def test_sample_license_findings_at_their_lines(sample: dict[str, Any]) -> None:
    license_findings = [f for f in findings(sample) if f[0].startswith("LC")]
    assert license_findings == [
        ("LC001", ".github/workflows/deploy.yml", 17),
        ("LC001", ".terraform-version", 1),
        ("LC001", "docker-compose.yml", 7),
        ("LC001", "docker-compose.yml", 20),
        ("LC001", "docker-compose.yml", 25),
        ("LC001", "docker-compose.yml", 27),
        ("LC001", "docker-compose.yml", 31),
        ("LC001", "infra/main.tf", 2),
        ("LC001", "infra/terraform.Dockerfile", 1),
        ("LC003", "pyproject.toml", 19),
        ("LC004", "pyproject.toml", 20),
        ("LC001", "pyproject.toml", 24),
        ("LC002", "pyproject.toml", 24),
    ]
    messages = {(f["rule_id"], f["path"], f["line"]): f["message"] for f in sample["findings"]}
    assert messages[("LC001", "docker-compose.yml", 7)] == (
        "Redis: image `redis:7.4-alpine` resolves to a release under RSALv2 OR SSPL-1.0 "
        "since 2024-03-20 (was BSD-3-Clause); last open version: 7.2.x; "
        "alternative: Valkey (BSD-3-Clause, Linux Foundation, forked from 7.2.4)"
    )
    assert messages[("LC001", "infra/main.tf", 2)].startswith(
        'Terraform: required_version ">= 1.6.0" resolves to a release under BUSL-1.1 '
        "since 2023-08-10 (was MPL-2.0); last open version: 1.5.7; alternative: OpenTofu"
    )
    assert messages[("LC001", "docker-compose.yml", 20)].startswith(
        "Elasticsearch: image `docker.elastic.co/elasticsearch/elasticsearch:8.15.0` is under"
    )
    assert messages[("LC003", "pyproject.toml", 19)] == (
        "`ultralytics` 8.2.90 is under AGPL-3.0 (network copyleft: offering the project as a "
        "service may require releasing its source), in a project under MIT (pyproject.toml:9)"
    )
    assert messages[("LC002", "pyproject.toml", 24)] == (
        "`PySimpleGUI` 5.0.8 is under a proprietary license: Proprietary "
        "(license from the environment)"
    )
    assert sample["errors"] == []


def test_not_flagged_in_the_sample(sample: dict[str, Any]) -> None:
    """Open versions, other software and chart versions are left alone."""
    flagged = {(f["path"], f["line"]) for f in sample["findings"] if f["rule_id"] == "LC001"}
    assert (".tool-versions", 2) not in flagged  # terraform 1.5.7: the last MPL release
    assert (".github/workflows/deploy.yml", 23) not in flagged  # redis:7.2
    assert ("docker-compose.yml", 29) not in flagged  # bitnami/redis 7.2.5
    assert ("docker-compose.yml", 14) not in flagged  # the project's own image
    assert ("deploy/chart/Chart.yaml", 7) not in flagged  # a chart version, not Redis's


def test_terminal_shows_license_and_infrastructure_summaries(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    report = audit(root, Config(), Options(use_cache=False, jobs=1))
    buffer = io.StringIO()
    render_terminal(report, Console(file=buffer, width=200, color_system=None))
    text = buffer.getvalue()
    assert (
        "Licenses: 7 permissive, 1 weak-copyleft, 1 network-copyleft, 1 proprietary, 1 unknown"
        in text
    )
    assert (
        "Infrastructure: 4 actions, 1 helm-chart, 12 images, 2 terraform, "
        "1 terraform-provider, 3 tools" in text
    )


def test_no_license_rule_no_license_lookup(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    report = audit(root, Config(select=("SC",)), Options(use_cache=False, jobs=1))
    assert all(d.license is None and d.license_source is None for d in report.dependencies)
    assert all(d.license_category is None for d in report.dependencies)


def test_components_survive_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    cold = audit(root, Config(), Options(jobs=1))
    warm = audit(root, Config(), Options(jobs=1))
    assert warm.cached_files == warm.files and warm.parsed_files == 0
    assert warm.components == cold.components
    assert [f.fingerprint for f in warm.findings] == [f.fingerprint for f in cold.findings]
    # The same compose file elsewhere: a cache hit re-pathed.
    facts = FileFacts(
        "a/docker-compose.yml", components=(Component("image", "redis", "7.4", "a/x.yml", 3),)
    )
    moved = FileFacts.from_dict(facts.to_dict()).with_path("b/compose.yaml")
    assert moved.components == (Component("image", "redis", "7.4", "b/compose.yaml", 3),)
    assert not moved.is_empty


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("docker-compose.yml", "compose"),
        ("deploy/docker-compose.prod.yaml", "compose"),
        ("compose.yaml", "compose"),
        ("compose-dev.yml", "compose"),
        ("composer.yml", "text"),
        ("Dockerfile", "dockerfile"),
        ("build/api.Dockerfile", "dockerfile"),
        ("Dockerfile.dev", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("dockerfile.py", "python"),
        ("infra/main.tf", "terraform"),
        ("infra/main.tf.json", "dataset"),  # JSON: a dataset candidate, not HCL
        (".terraform-version", "version-file"),
        (".tool-versions", "version-file"),
        (".github/workflows/ci.yml", "workflow"),
        ("sub/.github/workflows/ci.yaml", "workflow"),
        (".github/dependabot.yml", "text"),
        ("charts/app/Chart.yaml", "helm"),
        ("values.yaml", "text"),
    ],
)
def test_infrastructure_file_kinds(path: str, kind: str) -> None:
    assert analysis_kind(path) == kind


# --- --python -----------------------------------------------------------------------------


def _venv(root: Path) -> Path:
    site = root / "lib/python3.12/site-packages"
    for name, version, header in [
        ("requests", "2.32.3", "License-Expression: Apache-2.0"),
        ("acme_vector", "2.1.0", "License: BUSL-1.1"),
    ]:
        folder = site / f"{name}-{version}.dist-info"
        folder.mkdir(parents=True)
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n{header}\n\n", "utf-8"
        )
    (root / "bin").mkdir()
    (root / "bin/python").write_text("#!/bin/false\n", "utf-8")
    return root


@pytest.mark.parametrize("which", ["dir", "python"])
def test_python_flag_reads_that_environment(
    make_repo: MakeRepo, scan_json: ScanJson, tmp_path: Path, which: str
) -> None:
    repo = make_repo({"requirements.txt": "requests==2.32.3\nacme-vector==2.1.0\n"})
    env = _venv(tmp_path / "elsewhere" / "env")
    target = env if which == "dir" else env / "bin/python"
    report = scan_json(repo, "--offline", "--python", str(target), "--select", "LC")
    assert [(d["name"], d["license"], d["license_source"]) for d in report["dependencies"]] == [
        ("requests", "Apache-2.0", "environment"),
        ("acme-vector", "BUSL-1.1", "environment"),
    ]
    assert findings(report) == [("LC002", "requirements.txt", 2)]
    assert report["findings"][0]["message"] == (
        "`acme-vector` 2.1.0 is under a source-available license, not open source: "
        "BUSL-1.1 (license from the environment)"
    )


def test_python_flag_pointing_at_nothing(make_repo: MakeRepo, run_cli: RunCli) -> None:
    repo = make_repo({"requirements.txt": "requests==2.32.3\n"})
    code, out, err = run_cli("scan", repo, "--python", str(repo / "no-such-venv"))
    assert (code, out) == (2, "")
    assert err == f"ragfit: error: --python {repo / 'no-such-venv'}: no such file or directory\n"


def test_python_flag_pointing_at_something_else(make_repo: MakeRepo, run_cli: RunCli) -> None:
    repo = make_repo({"requirements.txt": "requests==2.32.3\n", "notes/readme.txt": "hi\n"})
    code, out, err = run_cli("scan", repo, "--python", str(repo / "notes"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err == (
        f"ragfit: error: --python {repo / 'notes'}: no site-packages found (give a virtual "
        "environment, its python executable or a site-packages folder)\n"
    )


# --- online, against a local fake of the index --------------------------------------


def test_online_licenses_through_the_command_line(
    fake_index: FakeIndex, make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    fake_index.project(
        "requests",
        {"version": "2.32.3", "license": "Apache 2.0", "classifiers": []},
        {"2.32.3": []},
    )
    fake_index.project(
        "acme-gpl",
        {
            "version": "1.0",
            "license": None,
            "classifiers": ["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"],
        },
        {},
    )
    repo = make_repo(
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "1"\nlicense = "Apache-2.0"\n'
            'dependencies = ["requests==2.32.3", "acme-gpl", "ghost==0.1"]\n',
        }
    )
    report = scan_json(repo, "--select", "LC")
    assert [(d["name"], d["license"], d["license_source"]) for d in report["dependencies"]] == [
        ("acme-gpl", "GPL-3.0-only", "index"),  # one line: by name
        ("ghost", None, "index"),  # the index answered: no such project
        ("requests", "Apache-2.0", "index"),
    ]
    assert findings(report) == [("LC003", "pyproject.toml", 5), ("LC004", "pyproject.toml", 5)]
    assert report["findings"][1]["message"] == (
        "1 dependency with an unknown license: ghost (not found on the package index)"
    )


def test_an_unreachable_index_is_one_note(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    """conftest points the index at a closed port: every look-up fails the same way."""
    repo = make_repo(
        {"requirements.txt": "acme-core==2.32.3\nacme-llm>=1.30\nacme-math\nrequests>=2\n"}
    )
    report = scan_json(repo, "--select", "LC")
    assert findings(report) == [("LC004", "requirements.txt", 1)]
    message = report["findings"][0]["message"]
    assert message.startswith(
        "3 dependencies with an unknown license: acme-core, acme-llm, acme-math "
        "(package index unreachable ("
    )
    # A popular project falls back to the shipped snapshot, marked as the latest release's.
    requests = next(d for d in report["dependencies"] if d["name"] == "requests")
    assert (requests["license"], requests["license_source"]) == ("Apache-2.0", "snapshot")
    assert requests["license_release"] == _snapshot_version("requests")


# --- bad infrastructure input ---------------------------------------------------------------


def test_bad_infrastructure_files_are_errors_and_the_scan_goes_on(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    repo = make_repo(
        {
            "docker-compose.yml": "services:\n  cache:\n    image: [redis\n",
            "compose.override.yaml": "- just\n- a list\n",
            "infra/main.tf": 'terraform {\n  required_version = ">= 1.7"\n',
            ".github/workflows/ci.yml": "jobs:\n  build:\n    steps: nope\n",
            "Dockerfile": "FROM hashicorp/terraform:1.8.0\n",
            "Chart.yaml": "dependencies: {name: redis}\n",
            ".tool-versions": "terraform\n",
        }
    )
    report = scan_json(repo, "--offline", "--select", "LC001")
    assert errors_by_path(report) == {
        "docker-compose.yml": [
            (
                "parse-error",
                "invalid YAML: expected ',' or ']', but got '<stream end>' (line 4)",
            )
        ],
        "compose.override.yaml": [("parse-error", "line 1: the document is a list, not a mapping")],
        "infra/main.tf": [("parse-error", "unclosed block (1 brace(s) not closed at the end)")],
        ".github/workflows/ci.yml": [("parse-error", "line 3: steps of job 'build' is not a list")],
        "Chart.yaml": [("parse-error", "line 1: dependencies is a mapping, not a list")],
        ".tool-versions": [("parse-error", "line 1: a tool without a version")],
    }
    # What could be read is still checked: the unclosed block's version, the Dockerfile.
    assert findings(report) == [("LC001", "Dockerfile", 1), ("LC001", "infra/main.tf", 2)]


COMPOSE = """\
x-defaults: &defaults
  restart: always
  image: redis:${REDIS_TAG:-7.4.1}

services:
  cache:
    <<: *defaults
  search:
    <<: *defaults
    image: "docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION:-7.10.2}"
  mirror:
    image: localhost:5000/redis:7.4.2
  pinned:
    image: redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  shouting:
    image: REDIS:7.4.0
  unknown:
    image: redis:${REDIS_TAG}
  fork:
    image: valkey/valkey:8.1  # ragfit: ignore[LC001]
  accepted:
    image: redis:8.0  # ragfit: ignore[LC001]
"""


def test_compose_anchors_variables_and_odd_references(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    repo = make_repo({"docker-compose.yml": COMPOSE})
    report = scan_json(repo, "--offline", "--select", "LC001")
    assert report["errors"] == []
    assert findings(report) == [
        ("LC001", "docker-compose.yml", 3),  # the anchor's image, with its default tag
        ("LC001", "docker-compose.yml", 12),  # a registry with a port
        ("LC001", "docker-compose.yml", 16),  # upper case (invalid for docker, read anyway)
    ]
    assert report["summary"]["suppressed"] == 1
    components = {(c["line"], c["version"], c["digest"] is not None) for c in report["components"]}
    assert (10, "7.10.2", False) in components  # the last Apache-2.0 Elasticsearch
    assert (14, None, True) in components  # digest only: no version to compare
    assert (18, "${REDIS_TAG}", False) in components  # unresolved: never matched


def test_opentofu_repositories_keep_their_required_version(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    files = {
        "main.tf": 'terraform {\n  required_version = ">= 1.6"\n}\n',
        ".tool-versions": "opentofu 1.8.3\n",
    }
    report = scan_json(make_repo(files), "--offline", "--select", "LC001")
    assert findings(report) == []
    del files[".tool-versions"]
    report = scan_json(make_repo(files), "--offline", "--select", "LC001")
    assert findings(report) == [("LC001", "main.tf", 2)]


def test_setup_terraform_without_a_version_installs_the_newest(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    workflow = (
        "on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: hashicorp/setup-terraform@v3\n"
        "      - uses: hashicorp/setup-terraform@v3\n        with:\n"
        "          terraform_version: 1.5.7\n"
    )
    report = scan_json(make_repo({".github/workflows/plan.yml": workflow}), "--offline")
    lc = [f for f in report["findings"] if f["rule_id"] == "LC001"]
    assert [(f["path"], f["line"]) for f in lc] == [(".github/workflows/plan.yml", 6)]
    assert lc[0]["message"].startswith(
        "Terraform: setup-terraform terraform_version latest resolves to a release under BUSL-1.1"
    )


# --- the project's own license ------------------------------------------------------------

MIT_TEXT = (
    "MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge, "
    "to any person obtaining a copy\n"
)
GPL_ENV = {
    ".venv/lib/python3.11/site-packages/acme_gpl-1.0.dist-info/METADATA": (
        "Metadata-Version: 2.1\nName: acme-gpl\nVersion: 1.0\nLicense: GPL-2.0-or-later\n\n"
    ),
}


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"LICENSE": MIT_TEXT}, "LICENSE:1"),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\nversion = "1"\nclassifiers = [\n'
                '    "Programming Language :: Python",\n'
                '    "License :: OSI Approved :: MIT License",\n]\n'
            },
            "pyproject.toml:6",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "x"\nversion = "1"\n'
                'license = {file = "COPYING"}\n',
                "COPYING": MIT_TEXT,
            },
            "pyproject.toml:4",
        ),
        (
            {"pyproject.toml": '[tool.poetry]\nname = "x"\nlicense = "BSD-3-Clause"\n'},
            "pyproject.toml:3",
        ),
    ],
)
def test_project_license_sources(
    make_repo: MakeRepo, scan_json: ScanJson, files: dict[str, str], where: str
) -> None:
    repo = make_repo({**files, **GPL_ENV, "requirements.txt": "acme-gpl==1.0\n"})
    report = scan_json(repo, "--offline", "--select", "LC003")
    assert findings(report) == [("LC003", "requirements.txt", 1)]
    assert report["findings"][0]["message"].endswith(f"({where})")


def test_no_project_license_no_incompatibility(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    repo = make_repo({**GPL_ENV, "requirements.txt": "acme-gpl==1.0\n", "LICENSE": "Ask Bob.\n"})
    assert findings(scan_json(repo, "--offline", "--select", "LC003")) == []


def test_compose_env_file_and_shared_anchors(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    compose = (
        "x-search: &search\n"
        "  image: elasticsearch:${STACK_VERSION}\n"
        "services:\n"
        "  es01:\n    <<: *search\n"
        "  es02:\n    <<: *search\n"
        "  es03:\n    <<: *search\n"
        "  app:\n    image: $APP_IMAGE\n"
        "  unset:\n    image: redis:${NOT_IN_ENV}\n"
    )
    env = (
        "# versions\nexport STACK_VERSION=${STACK_VERSION:-8.11.3}\n"
        "APP_IMAGE='ghcr.io/getsentry/sentry:nightly'  # the product image\n"
    )
    repo = make_repo({"docker/docker-compose.yml": compose, "docker/.env": env})
    report = scan_json(repo, "--offline", "--select", "LC001")
    # One image named once, though three services use the anchor; .env fills the gaps.
    images = [(c["line"], c["registry"], c["name"], c["version"]) for c in report["components"]]
    assert images == [
        (2, None, "elasticsearch", "8.11.3"),
        (11, "ghcr.io", "getsentry/sentry", "nightly"),
        (13, None, "redis", "${NOT_IN_ENV}"),
    ]
    assert findings(report) == [
        ("LC001", "docker/docker-compose.yml", 2),
        ("LC001", "docker/docker-compose.yml", 11),
    ]
    assert report["findings"][1]["message"].startswith(
        "Sentry: image `ghcr.io/getsentry/sentry:nightly` resolves to a release under BUSL-1.1"
    )


def test_terraform_modules_sharing_a_constraint_are_one_finding(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    versions = 'terraform {\n  required_version = ">= 1.5.7"\n}\n'
    repo = make_repo(
        {
            "versions.tf": versions,
            "modules/a/versions.tf": versions,
            "examples/b/versions.tf": versions,
            "examples/c/versions.tf": 'terraform {\n  required_version = "~> 1.5.0"\n}\n',
            "examples/d/main.tf": 'terraform {\n  required_version = "~> 1.9"\n}\n',
        }
    )
    report = scan_json(repo, "--offline", "--select", "LC001")
    assert findings(report) == [("LC001", "examples/d/main.tf", 2), ("LC001", "versions.tf", 2)]
    root = report["findings"][1]
    assert root["message"].startswith(
        'Terraform: required_version ">= 1.5.7" (and 2 more .tf files with the same '
        "constraint) resolves to a release under BUSL-1.1"
    )
    assert root["properties"]["also"] == ["examples/b/versions.tf:2", "modules/a/versions.tf:2"]
