"""Infrastructure files as facts: container images, Terraform, tool versions, CI actions.

Each parser reads one file's text statically (nothing is run or fetched) and
returns the ``Component`` entries it declares, with exact 1-based lines, and the
problems it met as ``ScanError`` entries. None of them raises: bad input becomes
a ``parse-error`` and the rest of the file is still read.

- ``parse_compose``: ``services.*.image`` of ``docker-compose*.yml`` /
  ``compose*.yaml`` (anchors, aliases and ``<<`` merge keys are followed).
- ``parse_dockerfile``: ``FROM`` images (global ``ARG`` defaults substituted,
  build stages told apart from images).
- ``parse_terraform``: ``terraform { required_version, required_providers }``.
- ``parse_version_file``: ``.terraform-version`` and asdf ``.tool-versions``.
- ``parse_helm_chart``: a Helm ``Chart.yaml``'s ``dependencies`` (chart
  versions, which are not the versions of the software they install).
- ``parse_workflow``: GitHub Actions ``uses:`` (steps and reusable workflows),
  ``docker://`` images, job ``container``/``services`` images and the
  ``terraform_version`` given to ``hashicorp/setup-terraform`` (``latest``, its
  default, at the ``uses:`` line when none is given).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from auditor.model import Component, ScanError
from auditor.scanners.text import LINE_BREAK
from auditor.scanners.yamlnodes import (
    NULL_TAG,
    Once,
    compose,
    mapping,
    node_line,
    scalar,
    yaml_error,
)

__all__ = [
    "Component",
    "parse_compose",
    "parse_dockerfile",
    "parse_helm_chart",
    "parse_image_reference",
    "parse_terraform",
    "parse_version_file",
    "parse_workflow",
]

MAX_ERRORS = 20

_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_SETUP_TERRAFORM = "hashicorp/setup-terraform"
_TERRAFORM_REGISTRY = "registry.terraform.io"


Result = tuple[list[Component], list[ScanError]]


class _Errors:
    """Parse errors of one file, at most ``MAX_ERRORS`` of them plus a count."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: list[ScanError] = []
        self.extra = 0

    def add(self, message: str) -> None:
        if len(self.entries) < MAX_ERRORS:
            self.entries.append(ScanError(self.path, "parse-error", message))
        else:
            self.extra += 1

    def finish(self) -> list[ScanError]:
        if self.extra:
            more = f"and {self.extra} more parse errors"
            return [*self.entries, ScanError(self.path, "parse-error", more)]
        return self.entries


def _guarded(path: str, text: str, parse: Callable[[str, str], Result]) -> Result:
    """``parse(path, text)``, with any unexpected failure turned into a ``ScanError``."""
    try:
        return parse(path, text)
    except Exception as exc:  # bad input never stops a scan
        reason = f"could not parse ({type(exc).__name__})"
        return [], [ScanError(path, "parse-error", reason)]


# --- image references --------------------------------------------------------


def parse_image_reference(ref: str) -> tuple[str | None, str, str | None, str | None]:
    """``(registry, name, tag, digest)`` of a container image reference.

    Docker Hub (``docker.io`` and friends) is registry ``None`` and its
    ``library/`` prefix is dropped. The tag is ``latest`` when neither a tag nor
    a digest is given, ``None`` when only a digest is.
    """
    ref = ref.strip()
    digest: str | None = None
    if "@" in ref:
        ref, _, digest = ref.partition("@")
        digest = digest or None
    tag: str | None = None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :] or None
    registry: str | None = None
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, ref = first, rest
    if registry is not None and registry.lower() in _DOCKER_HUB:
        registry = None
    if registry is None and ref.startswith("library/"):
        ref = ref[len("library/") :]
    if tag is None and digest is None:
        tag = "latest"
    return registry, ref, tag, digest


def _image(ref: str, path: str, line: int) -> Component:
    registry, name, tag, digest = parse_image_reference(ref)
    return Component("image", name, tag, path, line, registry=registry, digest=digest)


# --- YAML helpers ---------------------------------------------------------------


def _load_yaml(text: str, errors: _Errors) -> Node | None:
    try:
        return compose(text)
    except (yaml.YAMLError, RecursionError) as exc:
        errors.add(yaml_error(exc))
    return None


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
        return "empty"
    return "a scalar"


def _section(text: str, key: str, errors: _Errors) -> MappingNode | None:
    """The mapping under a top-level ``key`` (``services``, ``jobs``), or None
    when it is absent; a document or section of the wrong shape is an error."""
    root = _load_yaml(text, errors)
    if root is None:
        return None
    if not isinstance(root, MappingNode):
        errors.add(f"line {node_line(root)}: the document is {_kind(root)}, not a mapping")
        return None
    entry = mapping(root).get(key)
    if entry is None:
        return None
    section = entry[1]
    if not isinstance(section, MappingNode):
        errors.add(f"line {node_line(section)}: {key} is {_kind(section)}, not a mapping")
        return None
    return section


# --- docker compose -------------------------------------------------------------

# ``${VAR:-default}`` / ``${VAR-default}``: compose uses the default when VAR is unset.
_COMPOSE_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")


def parse_compose(path: str, text: str) -> Result:
    """The ``services.*.image`` of a compose file; ``line`` is that of the ``image:`` key."""
    return _guarded(path, text, _parse_compose)


def _parse_compose(path: str, text: str) -> Result:
    errors = _Errors(path)
    components: list[Component] = []
    services = _section(text, "services", errors)
    if services is None:
        return components, errors.finish()
    once = Once()
    for name, (key, service) in mapping(services).items():
        if not isinstance(service, MappingNode):
            errors.add(f"line {node_line(key)}: service {name!r} is {_kind(service)}")
            continue
        if not once.first(service):
            continue  # an alias of a service already read names the same image line
        image = mapping(service).get("image")
        if image is None:
            continue  # build: only
        image_key, image_node = image
        ref = scalar(image_node)
        if ref is None or not ref.strip():
            line = node_line(image_key)
            errors.add(f"line {line}: image of service {name!r} is {_kind(image_node)}")
            continue
        ref = _COMPOSE_DEFAULT.sub(lambda m: m.group(1), ref)
        components.append(_image(ref, path, node_line(image_key)))
    return components, errors.finish()


# --- Dockerfile -----------------------------------------------------------------

_ESCAPE_DIRECTIVE = re.compile(r"#\s*escape\s*=\s*([\\`])\s*$", re.IGNORECASE)
_DIRECTIVE = re.compile(r"#\s*[A-Za-z]+\s*=")
_INSTRUCTION = re.compile(r"\s*([A-Za-z]+)(?:\s+(.*))?$", re.DOTALL)
_DOCKER_VARIABLE = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """``(first line, instruction)``: continuations joined, comments dropped."""
    lines = LINE_BREAK.split(text)  # the shared line ends: a form feed is not one
    escape = "\\"
    for raw in lines:  # parser directives come first, before any other line
        if not _DIRECTIVE.match(raw.strip()):
            break
        found = _ESCAPE_DIRECTIVE.match(raw.strip())
        if found:
            escape = found.group(1)
    result: list[tuple[int, str]] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(lines, 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (parts and not stripped):
            continue  # comments, and blank lines inside a continuation
        if not parts:
            start = number
        body = raw.rstrip()
        if body.endswith(escape):
            parts.append(body[: -len(escape)])
            continue
        parts.append(body)
        result.append((start, " ".join(parts).strip()))
        parts = []
    if parts:
        result.append((start, " ".join(parts).strip()))
    return [(line, instruction) for line, instruction in result if instruction]


def _substitute(value: str, variables: dict[str, str]) -> str:
    """Dockerfile variable expansion; an unknown ``$VAR`` stays as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        known = variables.get(name)
        if operator in (":-", "-"):
            empty = known is None or (operator == ":-" and not known)
            return word if empty else str(known)
        if operator in (":+", "+"):
            return word if known is not None else ""
        return match.group(0) if known is None else known

    return _DOCKER_VARIABLE.sub(replace, value)


def _arg_defaults(arguments: str) -> dict[str, str]:
    """``ARG NAME=value [NAME2=value2 ...]``: the defaults given (quotes removed)."""
    found: dict[str, str] = {}
    for match in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S*)", arguments):
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found[match.group(1)] = value
    return found


def parse_dockerfile(path: str, text: str) -> Result:
    """The images of a Dockerfile's ``FROM`` lines (not ``scratch``, not earlier stages)."""
    return _guarded(path, text, _parse_dockerfile)


def _parse_dockerfile(path: str, text: str) -> Result:
    errors = _Errors(path)
    components: list[Component] = []
    global_args: dict[str, str] = {}
    stages: set[str] = set()
    seen_from = False
    for line, instruction in _logical_lines(text):
        match = _INSTRUCTION.match(instruction)
        if match is None:
            continue
        keyword, arguments = match.group(1).upper(), (match.group(2) or "").strip()
        if keyword == "ARG" and not seen_from:
            global_args.update(_arg_defaults(arguments))
            continue
        if keyword != "FROM":
            continue
        seen_from = True
        words = [word for word in arguments.split() if not word.startswith("--")]
        if not words:
            errors.add(f"line {line}: FROM without an image")
            continue
        ref = _substitute(words[0], global_args)
        earlier_stage = ref.lower() in stages
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if not earlier_stage and ref.lower() != "scratch":
            components.append(_image(ref, path, line))
    return components, errors.finish()


# --- Terraform ------------------------------------------------------------------

_HCL_TOKEN = re.compile(
    r"""
    (?P<newline>\n)
    | (?P<space>[ \t\r]+)
    | (?P<comment>(?:\#|//)[^\n]*)
    | (?P<block_comment>/\*.*?(?:\*/|\Z))
    | (?P<heredoc><<-?(?P<marker>[A-Za-z_][A-Za-z0-9_]*)\r?\n)
    | (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<open_string>")
    | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<punct>[{}=,\[\]()])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _string_end(text: str, start: int) -> int | None:
    """The index just past the HCL string that opens at ``text[start]``, or None when
    it is not closed on its line. ``${ ... }`` and ``%{ ... }`` templates may hold
    nested strings and span lines; ``$${`` and ``%%{`` are literal."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
        elif char == '"':
            return position + 1
        elif char == "\n":
            return None
        elif text.startswith(("$${", "%%{"), position):
            position += 3
        elif text.startswith(("${", "%{"), position):
            end = _template_end(text, position + 2)
            if end is None:
                return None
            position = end
        else:
            position += 1
    return None


def _template_end(text: str, position: int) -> int | None:
    depth = 1
    while position < len(text):
        char = text[position]
        if char == '"':
            end = _string_end(text, position)
            if end is None:
                return None
            position = end
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position + 1
        position += 1
    return None


@dataclass
class _Token:
    kind: str
    text: str
    line: int


def _hcl_tokens(text: str, errors: _Errors) -> list[_Token]:
    tokens: list[_Token] = []
    line = 1
    position = 0
    while position < len(text):
        if text[position] == '"':  # strings may hold ${ ... "nested" ... } templates
            end = _string_end(text, position)
            kind = "string" if end is not None else "open_string"
            value = text[position:end] if end is not None else '"'
            if kind == "string":
                tokens.append(_Token(kind, value[1:-1], line))
            else:
                errors.add(f"line {line}: unterminated string")
            line += value.count("\n")
            position += len(value)
            continue
        match = _HCL_TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the ``other`` group matches any character
            break
        kind = match.lastgroup or "other"
        value = match.group(0)
        if kind == "heredoc":  # a heredoc: skip its body up to the closing marker line
            pattern = rf"^[ \t]*{re.escape(match.group('marker'))}[ \t]*\r?$"
            closing = re.compile(pattern, re.MULTILINE).search(text, match.end())
            if closing is None:  # the rest of the file is its body
                errors.add(f"line {line}: unterminated heredoc")
                value = text[position:]
            else:
                value = text[position : closing.end()]
        if kind == "open_string":
            errors.add(f"line {line}: unterminated string")
        elif kind == "string":
            tokens.append(_Token(kind, value[1:-1], line))
        elif kind in ("ident", "punct", "newline"):
            tokens.append(_Token(kind, value, line))
        elif kind in ("heredoc", "other"):
            tokens.append(_Token("other", value, line))
        line += value.count("\n")
        position += len(value)
    return tokens


@dataclass
class _Provider:
    name: str
    line: int
    source: str | None = None
    version: str | None = None
    version_line: int | None = None


def _provider(path: str, provider: _Provider) -> Component:
    source = provider.source or f"hashicorp/{provider.name}"
    parts = source.split("/")
    registry: str | None = None
    if len(parts) == 3:
        registry, source = parts[0], "/".join(parts[1:])
        if registry.lower() == _TERRAFORM_REGISTRY:
            registry = None
    line = provider.version_line or provider.line
    return Component("terraform-provider", source, provider.version, path, line, registry=registry)


def parse_terraform(path: str, text: str) -> Result:
    """``required_version`` and ``required_providers`` of a ``*.tf`` file's ``terraform`` blocks."""
    return _guarded(path, text, _parse_terraform)


def _parse_terraform(path: str, text: str) -> Result:
    errors = _Errors(path)
    components: list[Component] = []
    stack: list[str | _Provider] = []
    statement: list[_Token] = []
    for token in _hcl_tokens(text, errors):
        if token.kind == "newline" or token.text == ",":
            statement = []
            continue
        if token.text == "{":
            header = [t.text for t in statement]
            context = stack[-1] if stack else None
            if not stack and header == ["terraform"]:
                stack.append("terraform")
            elif context == "terraform" and header == ["required_providers"]:
                stack.append("required_providers")
            elif context == "required_providers" and len(header) == 2 and header[1] == "=":
                stack.append(_Provider(header[0], statement[0].line))
            else:
                stack.append("other")
            statement = []
            continue
        if token.text == "}":
            if not stack:
                errors.add(f"line {token.line}: unmatched closing brace")
            elif isinstance(top := stack.pop(), _Provider):
                components.append(_provider(path, top))
            statement = []
            continue
        statement.append(token)
        if token.kind != "string" or len(statement) != 3 or statement[1].text != "=":
            continue
        name, context = statement[0].text, stack[-1] if stack else None
        if context == "terraform" and name == "required_version":
            line = statement[0].line
            components.append(Component("terraform", "terraform", token.text, path, line))
        elif context == "required_providers":  # legacy form: aws = "~> 2.0"
            provider = _Provider(name, statement[0].line, None, token.text, statement[0].line)
            components.append(_provider(path, provider))
        elif isinstance(context, _Provider) and name == "source":
            context.source = token.text
        elif isinstance(context, _Provider) and name == "version":
            context.version, context.version_line = token.text, statement[0].line
    if stack:
        errors.add(f"unclosed block ({len(stack)} brace(s) not closed at the end)")
        for entry in stack:
            if isinstance(entry, _Provider):
                components.append(_provider(path, entry))
    return components, errors.finish()


# --- version files ----------------------------------------------------------------


def parse_version_file(path: str, text: str) -> Result:
    """``.terraform-version`` (one terraform version) or asdf ``.tool-versions``."""
    return _guarded(path, text, _parse_version_file)


def _parse_version_file(path: str, text: str) -> Result:
    errors = _Errors(path)
    components: list[Component] = []
    name = posixpath.basename(path.replace("\\", "/"))
    asdf = name == ".tool-versions"
    if not asdf and name != ".terraform-version":
        errors.add("not a version file (expected .terraform-version or .tool-versions)")
        return components, errors.finish()
    for number, raw in enumerate(LINE_BREAK.split(text), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if not asdf:
            components.append(Component("tool", "terraform", words[0], path, number))
            break  # tfenv reads the first version only
        if len(words) < 2:
            errors.add(f"line {number}: a tool without a version")
            continue
        components.append(Component("tool", words[0], words[1], path, number))
    return components, errors.finish()


# --- GitHub workflows -------------------------------------------------------------


def parse_workflow(path: str, text: str) -> Result:
    """The actions, reusable workflows, images and setup-terraform versions of a workflow."""
    return _guarded(path, text, _parse_workflow)


def _uses(ref: str, path: str, line: int) -> Component | None:
    """A ``uses:`` value as a Component; ``None`` for local (``./``) actions."""
    ref = ref.strip()
    if ref.startswith("docker://"):
        return _image(ref[len("docker://") :], path, line)
    if ref.startswith(("./", "../")) or not ref:
        return None
    target, at, version = ref.partition("@")
    name = "/".join(target.split("/")[:2])
    return Component("action", name, version if at else None, path, line)


def _parse_workflow(path: str, text: str) -> Result:
    errors = _Errors(path)
    components: list[Component] = []
    jobs = _section(text, "jobs", errors)
    if jobs is None:
        return components, errors.finish()
    once = Once()  # a job, steps or step aliased many times is read once
    for job_name, (job_key, job) in mapping(jobs).items():
        if not isinstance(job, MappingNode):
            errors.add(f"line {node_line(job_key)}: job {job_name!r} is {_kind(job)}")
            continue
        if not once.first(job):
            continue
        fields = mapping(job)
        _add_uses(fields, path, errors, components)
        _add_job_images(fields, path, errors, components)
        steps = fields.get("steps")
        if steps is None or not once.first(steps[1]):
            continue
        if not isinstance(steps[1], SequenceNode):
            errors.add(f"line {node_line(steps[0])}: steps of job {job_name!r} is not a list")
            continue
        for step in steps[1].value:
            if not isinstance(step, MappingNode):
                errors.add(f"line {node_line(step)}: a step of job {job_name!r} is not a mapping")
                continue
            if once.first(step):
                _add_uses(mapping(step), path, errors, components)
    return components, errors.finish()


def _add_uses(
    fields: dict[str, tuple[Node, Node]],
    path: str,
    errors: _Errors,
    components: list[Component],
) -> None:
    entry = fields.get("uses")
    if entry is None:
        return
    key, value = entry
    ref = scalar(value)
    if ref is None:
        errors.add(f"line {node_line(key)}: uses is {_kind(value)}, not a string")
        return
    component = _uses(ref, path, node_line(key))
    if component is None:
        return
    components.append(component)
    if component.kind != "action" or component.name.lower() != _SETUP_TERRAFORM:
        return
    with_entry = fields.get("with")
    version = mapping(with_entry[1]).get("terraform_version") if with_entry else None
    if version is None:  # the action's default: the newest Terraform release
        components.append(Component("terraform", "terraform", "latest", path, node_line(key)))
        return
    text = scalar(version[1])
    if text is None:
        errors.add(f"line {node_line(version[0])}: terraform_version is {_kind(version[1])}")
        return
    components.append(Component("terraform", "terraform", text, path, node_line(version[0])))


def _add_job_images(
    fields: dict[str, tuple[Node, Node]],
    path: str,
    errors: _Errors,
    components: list[Component],
) -> None:
    """A job's ``container`` (a string or ``image:``) and ``services.*.image``."""
    holders: list[tuple[Node, Node]] = []
    container = fields.get("container")
    if container is not None:
        holders.append(container)
    services = fields.get("services")
    if services is not None:
        holders.extend(mapping(services[1]).values())
    for holder_key, holder in holders:
        key, value = holder_key, holder
        if isinstance(holder, MappingNode):
            image = mapping(holder).get("image")
            if image is None:
                continue
            key, value = image
        ref = scalar(value)
        if ref is None or not ref.strip():
            errors.add(f"line {node_line(key)}: image is {_kind(value)}, not a string")
            continue
        components.append(_image(ref, path, node_line(key)))


# --- Helm charts --------------------------------------------------------------------


def parse_helm_chart(path: str, text: str) -> Result:
    """A ``Chart.yaml``'s ``dependencies``: name, chart version and repository."""
    return _guarded(path, text, _parse_helm_chart)


def _parse_helm_chart(path: str, text: str) -> Result:
    errors = _Errors(path)
    components: list[Component] = []
    root = _load_yaml(text, errors)
    if root is None:
        return components, errors.finish()
    if not isinstance(root, MappingNode):
        errors.add(f"line {node_line(root)}: the document is {_kind(root)}, not a mapping")
        return components, errors.finish()
    entry = mapping(root).get("dependencies")
    if entry is None or _kind(entry[1]) == "empty":
        return components, errors.finish()
    if not isinstance(entry[1], SequenceNode):
        errors.add(f"line {node_line(entry[0])}: dependencies is {_kind(entry[1])}, not a list")
        return components, errors.finish()
    once = Once()
    for item in entry[1].value:
        if not once.first(item):
            continue
        fields = mapping(item)
        name = scalar(fields["name"][1]) if "name" in fields else None
        if name is None:
            errors.add(f"line {node_line(item)}: a chart dependency without a name")
            continue
        version = scalar(fields["version"][1]) if "version" in fields else None
        repository = scalar(fields["repository"][1]) if "repository" in fields else None
        line = (
            node_line(fields["version"][0]) if "version" in fields else node_line(fields["name"][0])
        )
        components.append(
            Component("helm-chart", name, version, path, line, registry=repository or None)
        )
    return components, errors.finish()


# --- compose .env files ----------------------------------------------------------------

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def parse_env_file(text: str) -> dict[str, str]:
    """``KEY=value`` lines of a compose ``.env`` file (quotes removed, comments and
    ``export`` ignored, ``${VAR:-default}`` in a value replaced by its default)."""
    found: dict[str, str] = {}
    for raw in text.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(raw)
        if match is None:
            continue
        value = match.group(2)
        # A quoted value (a comment may follow it), else up to a " #" comment.
        closing = value.find(value[0], 1) if value[:1] in ("'", '"') else -1
        value = value[1:closing] if closing > 0 else value.split(" #", 1)[0].strip()
        found[match.group(1)] = _COMPOSE_DEFAULT.sub(lambda m: m.group(1), value)
    return found


def resolve_image_variables(component: Component, env: dict[str, str]) -> Component:
    """An image whose reference names ``$VARIABLES``, with the values of the compose
    project's ``.env`` put in (unchanged when a variable is not there)."""
    if component.kind != "image" or "$" not in f"{component.name}{component.version}":
        return component
    ref = component.name
    if component.registry:
        ref = f"{component.registry}/{ref}"
    # A bare "$IMAGE" got the default tag "latest" from the parser: not written.
    if component.version and not ("$" in component.name and component.version == "latest"):
        ref += f":{component.version}"
    if component.digest:
        ref += f"@{component.digest}"
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1) or match.group(2)
        if name not in env:
            missing = True
            return match.group(0)
        return env[name]

    resolved = _VARIABLE.sub(value, ref)
    if missing or not resolved.strip():
        return component
    return _image(resolved, component.path, component.line)
