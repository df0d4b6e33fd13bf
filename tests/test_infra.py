"""Infrastructure scanners: compose, Dockerfile, Terraform, version files, workflows."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.model import ScanError
from auditor.scanners.infra import (
    Component,
    parse_compose,
    parse_dockerfile,
    parse_image_reference,
    parse_terraform,
    parse_version_file,
    parse_workflow,
)

DIGEST = "sha256:" + "ab" * 32
SHA = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab"

COMPOSE = f"""\
x-redis: &redis
  image: redis:7.4.0-v1
  restart: always

services:
  cache:
    <<: *redis
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment:
      - discovery.type=single-node
  db:
    image: mongo
  queue:
    image: "redis:${{REDIS_TAG:-7.2.4}}"
  other:
    image: bitnami/redis:${{BITNAMI_TAG}}
  app:
    build: .
    depends_on: [cache, search]
  proxy:
    image: ghcr.io/org/proxy:1.2@{DIGEST}
"""


def test_compose_file() -> None:
    path = "docker-compose.yml"
    components, errors = parse_compose(path, COMPOSE)
    assert errors == []
    assert components == [
        Component("image", "redis", "7.4.0-v1", path, 2),
        Component(
            "image",
            "elasticsearch/elasticsearch",
            "8.15.0",
            path,
            9,
            registry="docker.elastic.co",
        ),
        Component("image", "mongo", "latest", path, 13),
        Component("image", "redis", "7.2.4", path, 15),
        Component("image", "bitnami/redis", "${BITNAMI_TAG}", path, 17),
        Component("image", "org/proxy", "1.2", path, 22, registry="ghcr.io", digest=DIGEST),
    ]


def test_compose_merge_keys_explicit_wins_and_aliased_image() -> None:
    text = """\
x-base: &base
  image: postgres:15
x-img: &img postgres:16
services:
  a:
    <<: [*base]
    image: postgres:17
  b:
    image: *img
"""
    components, errors = parse_compose("compose.yaml", text)
    assert errors == []
    assert components == [
        Component("image", "postgres", "17", "compose.yaml", 7),
        Component("image", "postgres", "16", "compose.yaml", 9),
    ]


def test_compose_unexpected_shapes_are_errors_and_the_rest_is_parsed() -> None:
    text = """\
services:
  bad:
    image: [redis]
  empty:
    image:
  nothing:
  good:
    image: nginx:1.27
"""
    components, errors = parse_compose("compose.yaml", text)
    assert components == [Component("image", "nginx", "1.27", "compose.yaml", 8)]
    assert [e.message for e in errors] == [
        "line 3: image of service 'bad' is a list",
        "line 5: image of service 'empty' is empty",
        "line 6: service 'nothing' is empty",
    ]
    _, errors = parse_compose("compose.yaml", "services: [a, b]\n")
    assert errors == [
        ScanError("compose.yaml", "parse-error", "line 1: services is a list, not a mapping")
    ]
    assert parse_compose("compose.yaml", "") == ([], [])
    assert parse_compose("compose.yaml", "version: '3'\n") == ([], [])


def test_malformed_yaml() -> None:
    text = "services:\n  a:\n    image: redis\n   b: [\n"
    for parse in (parse_compose, parse_workflow):
        components, errors = parse("f.yml", text)
        assert components == []
        assert len(errors) == 1
        assert errors[0].kind == "parse-error"
        assert errors[0].message.startswith("invalid YAML: ")
        assert errors[0].message.endswith("(line 4)")
    _, errors = parse_compose("f.yml", "a: 1\n---\nb: 2\n")
    assert errors[0].message == (
        "invalid YAML: expected a single document in the stream but found another document (line 2)"
    )


DOCKERFILE = (
    """\
# syntax=docker/dockerfile:1
ARG TF_VERSION=1.6.0
ARG PY="3.11"
FROM --platform=$BUILDPLATFORM python:${PY}-slim AS builder
RUN pip install \\
    requests
FROM hashicorp/terraform:${TF_VERSION} AS tf
ARG LATE=9
FROM builder AS test
FROM \\
  --platform=linux/amd64 \\
  gcr.io/distroless/python3@sha256:"""
    + "ab" * 32
    + """
COPY --from=tf /bin/terraform /bin/terraform
FROM scratch
FROM alpine:${LATE:-3.19}
from ubuntu
FROM
"""
)


def test_dockerfile() -> None:
    path = "Dockerfile"
    components, errors = parse_dockerfile(path, DOCKERFILE)
    assert components == [
        Component("image", "python", "3.11-slim", path, 4),
        Component("image", "hashicorp/terraform", "1.6.0", path, 7),
        Component("image", "distroless/python3", None, path, 10, registry="gcr.io", digest=DIGEST),
        Component("image", "alpine", "3.19", path, 15),
        Component("image", "ubuntu", "latest", path, 16),
    ]
    assert errors == [ScanError(path, "parse-error", "line 17: FROM without an image")]


TERRAFORM = """\
# versions
terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket = "state"
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = { source = "registry.terraform.io/hashicorp/random", version = "3.6.2" }
    /* a comment { */
    null = {
      source = "hashicorp/null"
    }
  }
}

resource "aws_s3_bucket" "b" {
  version = "not this"
  policy  = <<-EOT
    terraform {
      required_version = "not this either"
    EOT
}
"""


def test_terraform() -> None:
    path = "infra/versions.tf"
    components, errors = parse_terraform(path, TERRAFORM)
    assert errors == []
    assert components == [
        Component("terraform", "terraform", ">= 1.6.0", path, 3),
        Component("terraform-provider", "hashicorp/aws", "~> 5.0", path, 12),
        Component("terraform-provider", "hashicorp/random", "3.6.2", path, 14),
        Component("terraform-provider", "hashicorp/null", None, path, 16),
    ]


def test_terraform_unbalanced_and_unterminated() -> None:
    components, errors = parse_terraform("a.tf", 'terraform {\n  required_version = "1.5\n')
    assert components == []
    assert [e.message for e in errors] == [
        "line 2: unterminated string",
        "unclosed block (1 brace(s) not closed at the end)",
    ]
    _, errors = parse_terraform("a.tf", "}\n")
    assert errors == [ScanError("a.tf", "parse-error", "line 1: unmatched closing brace")]


def test_version_files() -> None:
    assert parse_version_file("infra/.terraform-version", "\n1.7.5\n") == (
        [Component("tool", "terraform", "1.7.5", "infra/.terraform-version", 2)],
        [],
    )
    text = "# asdf\nterraform 1.7.5\npython 3.11.7 3.10.13  # two\nnodejs\n"
    components, errors = parse_version_file(".tool-versions", text)
    assert components == [
        Component("tool", "terraform", "1.7.5", ".tool-versions", 2),
        Component("tool", "python", "3.11.7", ".tool-versions", 3),
    ]
    assert errors == [
        ScanError(".tool-versions", "parse-error", "line 4: a tool without a version")
    ]
    _, errors = parse_version_file("README", "1.0\n")
    assert len(errors) == 1


WORKFLOW = f"""\
name: ci
on:
  push:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  plan:
    runs-on: ubuntu-latest
    container: node:20
    services:
      db:
        image: postgres:16
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: 1.6.6
      - uses: actions/cache@{SHA} # v4.0.2
      - uses: docker://alpine:3.19
      - uses: ./.github/actions/local
      - run: terraform plan
  reuse:
    uses: org/repo/.github/workflows/x.yml@main
"""


def test_workflow() -> None:
    path = ".github/workflows/ci.yml"
    components, errors = parse_workflow(path, WORKFLOW)
    assert errors == []
    assert components == [
        Component("image", "node", "20", path, 9),
        Component("image", "postgres", "16", path, 12),
        Component("action", "actions/checkout", "v4", path, 14),
        Component("action", "hashicorp/setup-terraform", "v3", path, 15),
        Component("terraform", "terraform", "1.6.6", path, 17),
        Component("action", "actions/cache", SHA, path, 18),
        Component("image", "alpine", "3.19", path, 19),
        Component("action", "org/repo", "main", path, 23),
    ]


def test_workflow_unexpected_shapes() -> None:
    text = """\
jobs:
  a:
    steps:
      - uses: [x]
      - just text
      - uses: actions/setup-python@v5
  b: 3
"""
    components, errors = parse_workflow("w.yml", text)
    assert components == [Component("action", "actions/setup-python", "v5", "w.yml", 6)]
    assert [e.message for e in errors] == [
        "line 4: uses is a list, not a string",
        "line 5: a step of job 'a' is not a mapping",
        "line 7: job 'b' is a scalar",
    ]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("redis", (None, "redis", "latest", None)),
        ("docker.io/library/redis:7.4", (None, "redis", "7.4", None)),
        ("library/redis:7", (None, "redis", "7", None)),
        ("bitnami/redis:7.2", (None, "bitnami/redis", "7.2", None)),
        (f"ghcr.io/org/app:1.2@{DIGEST}", ("ghcr.io", "org/app", "1.2", DIGEST)),
        ("localhost:5000/app", ("localhost:5000", "app", "latest", None)),
        ("localhost/app:1", ("localhost", "app", "1", None)),
        (f"redis@{DIGEST}", (None, "redis", None, DIGEST)),
        (
            "quay.io/prometheus/node-exporter:v1.8.2",
            ("quay.io", "prometheus/node-exporter", "v1.8.2", None),
        ),
        (
            "docker.elastic.co/elasticsearch/elasticsearch:8.15.0",
            ("docker.elastic.co", "elasticsearch/elasticsearch", "8.15.0", None),
        ),
        ("", (None, "", "latest", None)),
    ],
)
def test_parse_image_reference(
    ref: str, expected: tuple[str | None, str, str | None, str | None]
) -> None:
    assert parse_image_reference(ref) == expected


PARSERS = [
    (parse_compose, "docker-compose.yml"),
    (parse_dockerfile, "Dockerfile"),
    (parse_terraform, "main.tf"),
    (parse_version_file, ".tool-versions"),
    (parse_version_file, ".terraform-version"),
    (parse_workflow, ".github/workflows/ci.yml"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(), ref=st.text())
def test_parsers_never_raise(text: str, ref: str) -> None:
    for parse, path in PARSERS:
        components, errors = parse(path, text)
        assert all(isinstance(c, Component) for c in components)
        assert all(isinstance(e, ScanError) for e in errors)
    registry, name, _, _ = parse_image_reference(ref)
    assert isinstance(name, str) and (registry is None or isinstance(registry, str))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "services:",
                "jobs:",
                "  a:",
                "    image: x",
                "    uses: a/b@1",
                "  - &x y",
                "<<: *x",
                "    <<: *x",
                "terraform {",
                "}",
                "required_providers {",
                'a = { version = "1" }',
                "FROM a AS b",
                "ARG X=1",
                "\\",
                "[",
                "'",
                '"',
            ]
        )
    ).map("\n".join)
)
def test_parsers_never_raise_on_near_miss_input(text: str) -> None:
    for parse, path in PARSERS:
        parse(path, text)


def test_recursive_merge_key_does_not_loop() -> None:
    text = "services: &s\n  a:\n    <<: *s\n    image: redis\n"
    components, errors = parse_compose("compose.yaml", text)
    assert components == [Component("image", "redis", "latest", "compose.yaml", 4)]
    assert errors == []


def test_terraform_unterminated_heredoc() -> None:
    components, errors = parse_terraform("a.tf", "x = <<EOT\nterraform {\n}\n")
    assert components == []
    assert errors == [ScanError("a.tf", "parse-error", "line 1: unterminated heredoc")]


def test_terraform_strings_with_nested_template_quotes() -> None:
    text = """\
locals {
  dns = "[${join(", ", formatlist("\\"%s\\"", local.ips))}]"
  literal = "$${not_a_template} and %%{ this }"
  multi = "${
    var.a ? "x" : "y"
  }"
}
terraform {
  required_version = ">= 1.6"
}
"""
    components, errors = parse_terraform("main.tf", text)
    assert errors == []
    assert components == [Component("terraform", "terraform", ">= 1.6", "main.tf", 9)]


def test_helm_chart_dependencies() -> None:
    from auditor.scanners.infra import parse_helm_chart

    text = """\
apiVersion: v2
name: app
version: 1.0.0
dependencies:
  - name: redis
    version: 19.6.4
    repository: oci://registry-1.docker.io/bitnamicharts
  - name: local-lib
    repository: file://../lib
  - version: 1.0.0
"""
    components, errors = parse_helm_chart("Chart.yaml", text)
    assert components == [
        Component(
            "helm-chart",
            "redis",
            "19.6.4",
            "Chart.yaml",
            6,
            registry="oci://registry-1.docker.io/bitnamicharts",
        ),
        Component("helm-chart", "local-lib", None, "Chart.yaml", 8, registry="file://../lib"),
    ]
    assert errors == [
        ScanError("Chart.yaml", "parse-error", "line 10: a chart dependency without a name")
    ]
    assert parse_helm_chart("Chart.yaml", "dependencies:\n") == ([], [])
    assert parse_helm_chart("Chart.yaml", "- a\n")[1] == [
        ScanError("Chart.yaml", "parse-error", "line 1: the document is a list, not a mapping")
    ]


def test_env_files_and_image_variables() -> None:
    from auditor.scanners.infra import parse_env_file, resolve_image_variables

    env = parse_env_file(
        '# comment\nA=1\nexport B = two  # trailing\nC="x y"\nD=${D:-8.1}\nnot a line\n'
    )
    assert env == {"A": "1", "B": "two", "C": "x y", "D": "8.1"}
    image = Component("image", "redis", "${D}", "c.yml", 3)
    assert resolve_image_variables(image, env) == Component("image", "redis", "8.1", "c.yml", 3)
    whole = Component("image", "$IMG", "latest", "c.yml", 4)
    resolved = resolve_image_variables(whole, {"IMG": "quay.io/org/app@" + DIGEST})
    assert resolved == Component("image", "org/app", None, "c.yml", 4, "quay.io", DIGEST)
    assert resolve_image_variables(image, {}) == image
    assert resolve_image_variables(Component("action", "$X", None, "w.yml", 1), env).name == "$X"
