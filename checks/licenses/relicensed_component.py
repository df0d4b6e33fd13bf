"""LC001 relicensed-component."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.licenses.facts import license_declarations, uses_opentofu
from auditor.licenses.relicensing import (
    Event,
    find_events,
    image_request,
    is_exact,
    python_request,
    resolves_into,
    terraform_request,
)
from auditor.model import Component, Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_COMPOSE_OK = """\
services:
  cache:
    image: valkey/valkey:8.0
  search:
    image: opensearchproject/opensearch:2.17.0
  legacy:
    image: redis:7.2.4-alpine
"""
_COMPOSE_BAD = """\
services:
  cache:
    image: redis:7.4.0
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
  db:
    image: mongo
"""
_TERRAFORM_OK = """\
terraform {
  required_version = "~> 1.5.0"
}
"""
_TERRAFORM_BAD = """\
terraform {
  required_version = ">= 1.6"
}
"""
_WORKFLOW_BAD = """\
on: push
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - uses: hashicorp/setup-terraform@v3
"""


def _full_name(component: Component) -> str:
    return f"{component.registry}/{component.name}" if component.registry else component.name


def _image_ref(component: Component) -> str:
    ref = _full_name(component)
    if component.version is not None:
        ref += f":{component.version}"
    if component.digest is not None:
        ref += f"@{component.digest}"
    return ref


def _version_subject(component: Component) -> str:
    """How a tool version was written: ``required_version ">= 1.6"``,
    ``.terraform-version 1.9.5``, ``terraform_version 1.9.5``."""
    file = component.path.rpartition("/")[2]
    if file.endswith(".tf"):
        return f'required_version "{component.version}"'
    if file == ".tool-versions":
        return f"`.tool-versions` {component.name} {component.version}"
    if file == ".terraform-version":
        return f"`.terraform-version` {component.version}"
    if component.kind == "terraform":  # hashicorp/setup-terraform in a workflow
        return f"setup-terraform terraform_version {component.version}"
    return f"{component.name} {component.version}"


class RelicensedComponent(Rule):
    """
    ## What it does
    Flags a component whose version falls under a license change from open
    source to source-available, proprietary or stronger copyleft terms: an
    image, a Terraform version, a GitHub Action's tool version or a Python
    dependency, pinned or resolving there (`latest`, `redis:7`, `>= 1.6`).

    It reads container images in compose files, Dockerfiles and workflows
    (Redis 7.4+, Elasticsearch and Kibana 7.11+, MongoDB after October 2018,
    HashiCorp's tools), Terraform versions (`required_version`,
    `.terraform-version`, `.tool-versions`, `hashicorp/setup-terraform`) and
    Python dependencies (PySimpleGUI 5, Open WebUI 0.6.6+). The message names
    the old and new license, the date, the last open version and the open
    alternative; the events and their sources are in
    `checks/data/relicensing.toml`.

    A `required_version` in a repository that runs OpenTofu (its setup action,
    image, `.opentofu-version` or `.tofu` files) constrains OpenTofu, and is
    not flagged. Digest-only images and unresolved `${VARIABLES}` have no
    version to compare and are skipped.

    ## Why is this bad?
    A source-available license (BUSL, SSPL, RSAL, Elastic License) forbids some
    uses that open source allowed, typically offering the software as a hosted
    or competing service, and many companies' policies ban it outright. The
    change comes with an ordinary version bump, so a `latest` tag or an open
    version range moves a project onto the new terms without anyone deciding
    to.

    ## Example
    ```yaml
    services:
      cache:
        image: redis:7.4.0
    ```

    Use instead:
    ```yaml
    services:
      cache:
        image: valkey/valkey:8.0
    ```

    ## How to fix
    Move to the open fork (OpenTofu, Valkey, OpenSearch, FreeSimpleGUI ...), or
    pin the last open version, or confirm that the new license allows your
    use and suppress the finding with `# ragfit: ignore[LC001]` on that line.
    """

    id = "LC001"
    name = "relicensed-component"
    severity = Severity.WARNING
    message = (
        "{subject} {verb} {new} since {date} (was {old}); "
        "last open version: {last_open}; alternative: {alternative}"
    )
    tags = ("license", "supply-chain")
    valid = (
        Example({"docker-compose.yml": _COMPOSE_OK, "infra/main.tf": _TERRAFORM_OK}),
        Example(
            {
                "main.tf": _TERRAFORM_BAD,
                ".github/workflows/tofu.yml": _WORKFLOW_BAD.replace(
                    "hashicorp/setup-terraform@v3", "opentofu/setup-opentofu@v1"
                ),
            }
        ),
        Example({"requirements.txt": "PySimpleGUI==4.60.5\nFreeSimpleGUI==5.1.1\n"}),
    )
    invalid = (
        Example(
            {"docker-compose.yml": _COMPOSE_BAD},
            expect=("docker-compose.yml:3", "docker-compose.yml:5", "docker-compose.yml:7"),
        ),
        Example(
            {
                "main.tf": _TERRAFORM_BAD,
                ".terraform-version": "1.7.5\n",
                ".github/workflows/plan.yml": _WORKFLOW_BAD,
            },
            expect=("main.tf:2", ".terraform-version:1", ".github/workflows/plan.yml:6"),
        ),
        Example(
            {"requirements.txt": "PySimpleGUI==5.0.8\nopen-webui\nopen-webui==0.6.5\n"},
            expect=("requirements.txt:1", "requirements.txt:2"),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        tofu = uses_opentofu(facts)
        # Terraform modules repeat one required_version in every module and example:
        # one finding per constraint, at the file nearest the root, names the rest.
        same_constraint: dict[str | None, list[Component]] = {}
        for component in facts.components:
            if component.kind == "terraform" and component.path.endswith(".tf"):
                if not tofu:
                    same_constraint.setdefault(component.version, []).append(component)
                continue
            yield from self._component(component)
        for group in same_constraint.values():
            group.sort(key=lambda c: (c.path.count("/"), c.path, c.line))
            yield from self._component(group[0], also=[f"{c.path}:{c.line}" for c in group[1:]])
        for dep in license_declarations(facts):
            request = python_request(dep.version, dep.specifier)
            if request is None:
                continue
            written = f"{dep.name}=={dep.version}" if dep.version else f"{dep.name}{dep.specifier}"
            for event in find_events("pypi", dep.name):
                if resolves_into(request, event) is not None:
                    yield self._report(
                        event, Location(dep.path, dep.line), f"`{written}`", is_exact(request)
                    )

    def _component(self, component: Component, also: list[str] | None = None) -> Iterator[Finding]:
        if component.kind == "image":
            request = image_request(component.version, component.digest)
            names = [_full_name(component)]
            subject = f"image `{_image_ref(component)}`"
        elif component.kind in {"terraform", "tool"}:
            request = terraform_request(component.version)
            names = [component.name]
            subject = _version_subject(component)
        else:
            return
        if request is None:
            return
        for name in names:
            for event in find_events(component.kind, name):
                if resolves_into(request, event) is not None:
                    location = Location(component.path, component.line)
                    if also:
                        subject += f" (and {len(also)} more .tf files with the same constraint)"
                    yield self._report(event, location, subject, is_exact(request), also or [])

    def _report(
        self,
        event: Event,
        location: Location,
        subject: str,
        exact: bool,
        also: list[str] | None = None,
    ) -> Finding:
        return self.finding(
            location,
            properties={
                "also": also or [],
                "component": event.component,
                "old_license": event.old,
                "new_license": event.new,
                "date": event.date,
                "last_open": event.last_open,
                "alternative": event.alternative,
                "source": event.source,
                "pinned": exact,
            },
            fingerprint_key=f"{event.component}|{subject}",
            subject=f"{event.component}: {subject}",
            verb="is under" if exact else "resolves to a release under",
            new=event.new,
            date=event.date,
            old=event.old,
            last_open=event.last_open,
            alternative=event.alternative,
        )
