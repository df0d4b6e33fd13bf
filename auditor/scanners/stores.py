"""Vector stores that infrastructure files start with their API open to the network (SC010).

``find_stores(kind, path, text)`` reads one file and returns a
:class:`~auditor.model.StoreExposure` for every store it starts whose data
port is reachable from other machines and whose authentication is off, by the
table in ``checks/data/vector_stores.toml`` (images, ports, the settings that
turn authentication on or off):

- compose files: a service whose image is a store's, with a ``ports:`` entry
  for one of its data ports published on all interfaces (no host address, or
  ``0.0.0.0``/``::``; a bare container port is published on a random host
  port, on all interfaces) or ``network_mode: host``. Authentication comes
  from ``environment`` (``${VAR:-default}`` read as its default, ``${VAR}`` as
  set) and ``command``. A service with an ``env_file`` or a mounted
  configuration file of the store could turn it on where this file cannot
  see: it is left out.
- Kubernetes manifests (any YAML with ``apiVersion`` and ``kind``): a Pod,
  Deployment, StatefulSet, DaemonSet, ReplicaSet or Job running a store's
  image; with ``hostNetwork`` or a ``hostPort`` it is reachable itself, else
  the pod's labels are kept and a Service of type ``LoadBalancer`` or
  ``NodePort`` (or with ``externalIPs``) whose selector matches them, in any
  file, publishes it (the rule joins the two).
- Helm values (``values*.yaml``) for the Qdrant, Weaviate and Milvus charts,
  at the top level or under the chart's name: a ``service.type`` of
  ``LoadBalancer``/``NodePort`` (Weaviate's chart defaults to
  ``LoadBalancer``) with ``apiKey`` unset (Qdrant), anonymous access on
  (Weaviate, its default) or ``authorizationEnabled`` not set (Milvus).
- Dockerfiles: a last stage ``FROM`` a store's image that ``EXPOSE``s a data
  port, with nothing in ``ENV``/``CMD`` that turns authentication on: a
  platform that runs the image (a hosted container, a Space) publishes it.

Nothing here raises: a file that cannot be parsed yields nothing (the
infrastructure scanner reports it as a ``parse-error`` already).
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from auditor.knowledge import load_table
from auditor.model import StoreExposure
from auditor.scanners.yamlnodes import mapping, node_line, scalar

__all__ = ["StoreSpec", "auth_problem", "find_stores", "store_for_image", "store_specs"]

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_PUBLIC_SERVICE_TYPES = frozenset({"LoadBalancer", "NodePort"})
_WORKLOAD_KINDS = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
)
# Mount targets that hold a store's own configuration (authentication may be set there).
_CONFIG_TARGETS = (
    "/qdrant/config",
    "/milvus/configs",
    "/usr/share/elasticsearch/config",
    "/usr/share/opensearch/config",
    "/etc/mongo",
    "/usr/local/etc/redis",
    "/redis-stack.conf",
    "/etc/redis",
    "/chroma/config",
)
_COMPOSE_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class StoreSpec:
    """One entry of ``vector_stores.toml``."""

    name: str
    title: str
    images: frozenset[str]
    ports: frozenset[int]
    general: bool
    vector_packages: frozenset[str]
    auth_env: tuple[str, ...]
    auth_args: tuple[str, ...]
    args_env: tuple[str, ...]
    off_env: Mapping[str, tuple[str, ...]]
    on_env: Mapping[str, tuple[str, ...]]
    password_env: tuple[str, ...]
    default_on: bool
    secure_from_major: int | None
    fix: str


@functools.cache
def store_specs() -> tuple[tuple[StoreSpec, ...], frozenset[str]]:
    """The stores, and the passwords that count as defaults (lower case)."""
    data = load_table("vector_stores")
    specs = tuple(
        StoreSpec(
            name=entry["name"],
            title=entry["title"],
            images=frozenset(entry["images"]),
            ports=frozenset(entry["ports"]),
            general=bool(entry.get("general", False)),
            vector_packages=frozenset(entry.get("vector_packages", ())),
            auth_env=tuple(entry.get("auth_env", ())),
            auth_args=tuple(entry.get("auth_args", ())),
            args_env=tuple(entry.get("args_env", ())),
            off_env={k: tuple(v) for k, v in entry.get("off_env", {}).items()},
            on_env={k: tuple(v) for k, v in entry.get("on_env", {}).items()},
            password_env=tuple(entry.get("password_env", ())),
            default_on=entry["default"] == "on",
            secure_from_major=entry.get("secure_from_major"),
            fix=entry["fix"],
        )
        for entry in data["store"]
    )
    return specs, frozenset(p.lower() for p in data["default_passwords"])


def _image_name(ref: str) -> tuple[str, str | None]:
    """``(name, tag)`` of an image reference: registry dropped, ``library/`` dropped."""
    ref = ref.strip().split("@", 1)[0]
    tag: str | None = None
    slash, colon = ref.rfind("/"), ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        ref = rest
    return ref.removeprefix("library/").lower(), tag


def store_for_image(ref: str) -> tuple[StoreSpec, str | None] | None:
    """The store an image runs, and its tag; ``cr.weaviate.io/semitechnologies/weaviate``
    and ``docker.io/qdrant/qdrant:v1.12`` are found by their names."""
    name, tag = _image_name(_COMPOSE_DEFAULT.sub(lambda m: m.group(2) or "", ref))
    specs, _ = store_specs()
    for spec in specs:
        if name in spec.images:
            return spec, tag
    return None


def _major(tag: str | None) -> int | None:
    match = re.match(r"v?([0-9]+)", tag or "")
    return int(match.group(1)) if match else None


def auth_problem(
    spec: StoreSpec, env: Mapping[str, str | None], args: Sequence[str], tag: str | None
) -> str | None:
    """Why authentication is off (``"with POSTGRES_HOST_AUTH_METHOD=trust"``), or None
    when it is on. ``env`` values are as written (``${VAR:-default}`` is read as
    its default, ``${VAR}`` as unknown); ``None`` means set from outside (a
    secret, the host's environment): set, value unknown."""
    _, defaults = store_specs()
    values = {name: (_resolve(raw) if raw is not None else None) for name, raw in env.items()}
    for name, off in spec.off_env.items():
        value = values.get(name)
        if value is not None and value.strip().lower() in off:
            return f"with {name}={value.strip()}"
    for name in spec.password_env:
        value = values.get(name)
        if name in values and value is not None and value.lower() in defaults:
            return f"with a default password in {name}"
    if any(name in env and env[name] != "" for name in spec.auth_env):
        return None
    for name, on in spec.on_env.items():
        if name in values and (values[name] is None or str(values[name]).strip().lower() in on):
            return None
    words = [w for arg in args for w in arg.split()]
    words += [w for name in spec.args_env for w in (env.get(name) or "").split()]
    if any(w.startswith(a) for w in words for a in spec.auth_args):
        return None
    if spec.default_on:
        return None
    major = _major(tag)
    if spec.secure_from_major is not None and (major is None or major >= spec.secure_from_major):
        return None
    return "without authentication"


def find_stores(kind: str, path: str, text: str) -> list[StoreExposure]:
    """The exposed stores ``path`` sets up (see the module docstring); never raises."""
    try:
        if kind == "compose":
            return list(_compose(path, text))
        if kind == "dockerfile":
            return list(_dockerfile(path, text))
        if kind == "text" and path.lower().endswith((".yaml", ".yml")):
            return list(_kubernetes_or_helm(path, text))
    except Exception:  # bad input never stops a scan
        return []
    return []


# --- compose ---------------------------------------------------------------------------


def _load(text: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def _resolve(value: str) -> str | None:
    """A compose value with ``${VAR:-default}`` read as its default; ``None`` when a
    variable without default decides it (set from outside: unknown)."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(2) is None:
            unknown = True
            return ""
        return match.group(2)

    resolved = _COMPOSE_DEFAULT.sub(replace, value)
    return None if unknown else resolved


def _environment(node: Node | None) -> dict[str, str | None]:
    """``environment:`` as a mapping or a ``KEY=VALUE`` list (Kubernetes ``env``
    lists of ``name``/``value`` too), values as written; a key without a value
    is set from outside (``None``)."""
    env: dict[str, str | None] = {}
    if isinstance(node, MappingNode):
        for key, (_, value_node) in mapping(node).items():
            env[key] = scalar(value_node)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, MappingNode):  # Kubernetes: {name: X, value: Y} or valueFrom
                fields = mapping(item)
                name = scalar(fields["name"][1]) if "name" in fields else None
                if name:
                    env[name] = scalar(fields["value"][1]) if "value" in fields else None
                continue
            text = scalar(item)
            if text is None:
                continue
            key, sep, written = text.partition("=")
            env[key.strip()] = written if sep else None
    return env


def _words(node: Node | None) -> list[str]:
    """A command as words: a string (shell-split) or a list."""
    text = scalar(node)
    if text is not None:
        try:
            return shlex.split(text)
        except ValueError:
            return text.split()
    if isinstance(node, SequenceNode):
        return [scalar(item) or "" for item in node.value]
    return []


@dataclass(frozen=True)
class _Port:
    line: int
    column: int
    host_ip: str | None
    target: int | None  # None when a variable decides it


_SHORT_PORT = re.compile(
    r"^(?:(?P<ip>\[[^\]]*\]|[0-9]+(?:\.[0-9]+){3}|localhost|::):)?"
    r"(?:(?P<host>[^:]*):)?(?P<target>[^:/]+)(?:/[a-z]+)?$"
)


def _targets(text: str) -> list[int | None]:
    """Container ports of ``6333`` or ``6333-6334``; ``[None]`` for a variable."""
    low, _, high = text.partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return [None]
    first, last = int(low), int(high or low)
    return list(range(first, min(last, first + 64) + 1))


def _ports(node: Node | None) -> Iterator[_Port]:
    if not isinstance(node, SequenceNode):
        return
    for item in node.value:
        line, column = node_line(item), int(item.start_mark.column) + 1
        if isinstance(item, MappingNode):  # the long syntax
            fields = mapping(item)
            target = scalar(fields["target"][1]) if "target" in fields else None
            host_ip = scalar(fields["host_ip"][1]) if "host_ip" in fields else None
            published = "published" in fields
            mode = scalar(fields["mode"][1]) if "mode" in fields else None
            if target is None or (not published and mode != "host"):
                continue
            for port in _targets(_resolve(target) or ""):
                yield _Port(line, column, host_ip, port)
            continue
        text = scalar(item)
        if text is None:
            continue
        resolved = _COMPOSE_DEFAULT.sub(lambda m: m.group(2) or "0", text.strip())
        match = _SHORT_PORT.match(resolved)
        if match is None:
            continue
        for port in _targets(match.group("target")):
            yield _Port(line, column, match.group("ip"), port)


def _all_interfaces(host_ip: str | None) -> bool:
    return host_ip is None or host_ip.strip("[]") in {"", "0.0.0.0", "::"}


def _mounts_config(node: Node | None) -> bool:
    """Whether a ``volumes:`` entry mounts a store's configuration file or folder."""
    if not isinstance(node, SequenceNode):
        return False
    for item in node.value:
        target = ""
        if isinstance(item, MappingNode):
            fields = mapping(item)
            target = scalar(fields["target"][1]) or "" if "target" in fields else ""
        else:
            parts = (scalar(item) or "").split(":")
            target = parts[1] if len(parts) > 1 else ""
        if target.startswith(_CONFIG_TARGETS) or target.endswith((".conf", ".yaml", ".yml")):
            return True
    return False


def _compose(path: str, text: str) -> Iterator[StoreExposure]:
    root = _load(text)
    services = mapping(root).get("services")
    if services is None:
        return
    for name, (_, service) in mapping(services[1]).items():
        fields = mapping(service)
        image = scalar(fields["image"][1]) if "image" in fields else None
        found = store_for_image(image) if image else None
        if found is None:
            continue
        spec, tag = found
        if "env_file" in fields or _mounts_config(fields.get("volumes", (None, None))[1]):
            continue  # authentication may be set where this file does not show
        env = _environment(fields.get("environment", (None, None))[1])
        args = _words(fields.get("command", (None, None))[1])
        problem = auth_problem(spec, env, args, tag)
        if problem is None:
            continue
        network = scalar(fields["network_mode"][1]) if "network_mode" in fields else None
        if network == "host":
            key = fields["network_mode"][0]
            reach = "runs with network_mode: host (every port on every interface)"
            yield _exposure(path, key, spec, "compose", name, reach, problem)
            continue
        for port in _ports(fields.get("ports", (None, None))[1]):
            if not _all_interfaces(port.host_ip):
                continue
            if port.target is not None and port.target not in spec.ports:
                continue
            shown = port.target if port.target is not None else "its port"
            reach = f"publishes port {shown} on all interfaces"
            yield StoreExposure(
                path, port.line, port.column, spec.name, spec.title, "compose", name,
                reach, problem, _fix(spec, local=True), spec.general,
            )  # fmt: skip
            break


def _fix(spec: StoreSpec, *, local: bool) -> str:
    return f"{spec.fix}, or publish the port on 127.0.0.1 only" if local else spec.fix


def _exposure(  # noqa: PLR0917 - one call per origin, each argument named by position
    path: str,
    node: Node,
    spec: StoreSpec,
    origin: str,
    name: str,
    reach: str,
    problem: str,
    labels: tuple[str, ...] = (),
) -> StoreExposure:
    line, column = node_line(node), int(node.start_mark.column) + 1
    return StoreExposure(
        path, line, column, spec.name, spec.title, origin, name, reach, problem,
        _fix(spec, local=origin == "compose"), spec.general, labels,
    )  # fmt: skip


# --- Kubernetes and Helm ------------------------------------------------------------------

_KUBE_HINT = re.compile(r"^(?:apiVersion|kind)\s*:", re.MULTILINE)
_CHART_KEYS = {"qdrant": "qdrant", "weaviate": "weaviate", "milvus": "milvus"}


def _kubernetes_or_helm(path: str, text: str) -> Iterator[StoreExposure]:
    name = posixpath.basename(path).lower()
    if name.startswith("values") and not _KUBE_HINT.search(text):
        yield from _helm_values(path, text)
        return
    if len(_KUBE_HINT.findall(text)) < 2 or "{{" in text:
        return  # not a manifest, or a Helm template (not YAML until rendered)
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return
    for document in documents:
        fields = mapping(document)
        kind = scalar(fields["kind"][1]) if "kind" in fields else None
        if kind in _WORKLOAD_KINDS:
            yield from _workload(path, kind, fields)
        elif kind == "Service":
            found = _service(path, fields)
            if found is not None:
                yield found
        elif kind == "List" and "items" in fields and isinstance(fields["items"][1], SequenceNode):
            for item in fields["items"][1].value:
                sub = mapping(item)
                sub_kind = scalar(sub["kind"][1]) if "kind" in sub else None
                if sub_kind in _WORKLOAD_KINDS:
                    yield from _workload(path, sub_kind, sub)


def _get(fields: Mapping[str, tuple[Node, Node]], *keys: str) -> Node | None:
    node: Node | None = None
    for key in keys:
        entry = fields.get(key)
        if entry is None:
            return None
        node = entry[1]
        fields = mapping(node)
    return node


def _labels(node: Node | None) -> tuple[str, ...]:
    return tuple(
        sorted(f"{key}={scalar(value) or ''}" for key, (_, value) in mapping(node).items())
    )


def _workload(
    path: str, kind: str, fields: Mapping[str, tuple[Node, Node]]
) -> Iterator[StoreExposure]:
    metadata = mapping(_get(fields, "metadata"))
    name = scalar(metadata["name"][1]) if "name" in metadata else kind
    if kind == "Pod":
        spec, labels = _get(fields, "spec"), _labels(_get(fields, "metadata", "labels"))
    elif kind == "CronJob":
        template = _get(fields, "spec", "jobTemplate", "spec", "template")
        spec, labels = (
            _get(mapping(template), "spec"),
            _labels(_get(mapping(template), "metadata", "labels")),
        )
    else:
        template = _get(fields, "spec", "template")
        spec, labels = (
            _get(mapping(template), "spec"),
            _labels(_get(mapping(template), "metadata", "labels")),
        )
    pod = mapping(spec)
    host_network = scalar(pod["hostNetwork"][1]) if "hostNetwork" in pod else None
    containers = pod.get("containers")
    if containers is None or not isinstance(containers[1], SequenceNode):
        return
    for container in containers[1].value:
        entries = mapping(container)
        if "image" not in entries:
            continue
        image_key, image_node = entries["image"]
        found = store_for_image(scalar(image_node) or "")
        if found is None:
            continue
        store, tag = found
        if "envFrom" in entries or _mounts_config_k8s(entries.get("volumeMounts")):
            continue  # a ConfigMap or Secret may turn authentication on
        env = _environment(entries.get("env", (None, None))[1])
        args = _words(entries.get("command", (None, None))[1])
        args += _words(entries.get("args", (None, None))[1])
        problem = auth_problem(store, env, args, tag)
        if problem is None:
            continue
        reach = ""
        if host_network == "true":
            reach = "runs with hostNetwork: true"
        else:
            for port in _container_ports(entries.get("ports")):
                if port in store.ports:
                    reach = f"binds hostPort {port} on its node"
                    break
        yield _exposure(
            path, image_key, store, "kubernetes", f"{kind} {name}", reach, problem, labels
        )


def _container_ports(entry: tuple[Node, Node] | None) -> Iterator[int]:
    """Container ports that a ``hostPort`` publishes on the node."""
    if entry is None or not isinstance(entry[1], SequenceNode):
        return
    for item in entry[1].value:
        fields = mapping(item)
        host = scalar(fields["hostPort"][1]) if "hostPort" in fields else None
        target = scalar(fields["containerPort"][1]) if "containerPort" in fields else None
        if host and target and target.isdigit():
            yield int(target)


def _mounts_config_k8s(entry: tuple[Node, Node] | None) -> bool:
    if entry is None or not isinstance(entry[1], SequenceNode):
        return False
    for item in entry[1].value:
        fields = mapping(item)
        target = scalar(fields["mountPath"][1]) if "mountPath" in fields else ""
        if target and (target.startswith(_CONFIG_TARGETS) or target.endswith((".conf", ".yaml"))):
            return True
    return False


def _service(path: str, fields: Mapping[str, tuple[Node, Node]]) -> StoreExposure | None:
    spec = mapping(_get(fields, "spec"))
    service_type = scalar(spec["type"][1]) if "type" in spec else "ClusterIP"
    external = "externalIPs" in spec
    if service_type not in _PUBLIC_SERVICE_TYPES and not external:
        return None
    selector = _labels(_get(fields, "spec", "selector"))
    if not selector:
        return None
    metadata = mapping(_get(fields, "metadata"))
    name = scalar(metadata["name"][1]) if "name" in metadata else None
    name = name or "Service"
    key = spec["type"][0] if "type" in spec else fields["kind"][0]
    reach = (
        f"is published by Service {name} of type {service_type}"
        if not external
        else f"is published by Service {name} on external IPs"
    )
    return StoreExposure(
        path, node_line(key), int(key.start_mark.column) + 1, "", "", "service", name, reach,
        "", "", False, selector,
    )  # fmt: skip


def _truthy(node: Node | None) -> bool:
    text = scalar(node)
    if text is not None:
        return text.strip().lower() not in {"", "false", "no", "off", "0", "null", "~"}
    return isinstance(node, MappingNode) and bool(node.value)


def _helm_values(path: str, text: str) -> Iterator[StoreExposure]:
    root = _load(text)
    top = mapping(root)
    sections: list[tuple[str, Mapping[str, tuple[Node, Node]], Node | None]] = []
    for key, chart in _CHART_KEYS.items():
        if key in top:
            sections.append((chart, mapping(top[key][1]), top[key][0]))
    image = scalar(_get(top, "image", "repository"))
    found = store_for_image(image) if image else None
    if found is not None and found[0].name in _CHART_KEYS:
        sections.append((found[0].name, top, None))
    specs, _ = store_specs()
    by_name = {spec.name: spec for spec in specs if not spec.general}
    for chart, values, anchor in sections:
        spec = by_name[chart]
        service = mapping(_get(values, "service"))
        service_type = scalar(service["type"][1]) if "type" in service else None
        if chart == "weaviate" and service_type is None:
            service_type = "LoadBalancer"  # the chart's default
        if service_type not in _PUBLIC_SERVICE_TYPES:
            continue
        problem = _helm_problem(chart, values)
        if problem is None:
            continue
        where = service["type"][0] if "type" in service else anchor
        if where is None:
            continue
        reach = f"is published by the chart's Service of type {service_type}"
        fix = _HELM_FIX[chart]
        yield StoreExposure(
            path, node_line(where), int(where.start_mark.column) + 1, spec.name, spec.title,
            "helm", chart, reach, problem, fix, False,
        )  # fmt: skip


_HELM_FIX = {
    "qdrant": "set apiKey (a value or a secret) in the chart's values",
    "weaviate": (
        "set authentication.anonymous_access.enabled: false and authentication.apikey "
        "in the chart's values"
    ),
    "milvus": ("set common.security.authorizationEnabled: true under extraConfigFiles user.yaml"),
}


def _helm_problem(chart: str, values: Mapping[str, tuple[Node, Node]]) -> str | None:
    if chart == "qdrant":
        if _truthy(_get(values, "apiKey")) or _truthy(_get(values, "config", "service", "api_key")):
            return None
        return "without an API key (apiKey unset)"
    if chart == "weaviate":
        anonymous = _get(values, "authentication", "anonymous_access", "enabled")
        if anonymous is not None and not _truthy(anonymous):
            return None
        return "with anonymous access on"
    extra = _get(values, "extraConfigFiles")
    config = " ".join(scalar(v) or "" for _, (_, v) in mapping(extra).items())
    if re.search(r"authorizationEnabled:\s*true", config):
        return None
    return "without authorization (authorizationEnabled unset)"


# --- Dockerfiles --------------------------------------------------------------------------

_INSTRUCTION = re.compile(r"^\s*([A-Za-z]+)\s+(.*)$")


def _dockerfile(path: str, text: str) -> Iterator[StoreExposure]:
    lines = _joined_lines(text)
    stage: tuple[StoreSpec, str | None, int, str] | None = None  # spec, tag, line, image
    env: dict[str, str | None] = {}
    args: list[str] = []
    exposed: list[tuple[int, int]] = []
    for number, line in lines:
        match = _INSTRUCTION.match(line)
        if match is None:
            continue
        keyword, rest = match.group(1).upper(), match.group(2).strip()
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            found = store_for_image(words[0]) if words else None
            stage = (found[0], found[1], number, words[0]) if found else None
            env, args, exposed = {}, [], []
        elif stage is None:
            continue
        elif keyword == "ENV":
            env.update(_env_instruction(rest))
        elif keyword in {"CMD", "ENTRYPOINT"}:
            args.extend(_exec_words(rest))
        elif keyword == "RUN" and "api_key" in rest.lower():
            env["__run__"] = None  # a RUN step that writes a key somewhere: not judged
        elif keyword == "EXPOSE":
            for word in rest.split():
                port = word.split("/", 1)[0]
                if port.isdigit():
                    exposed.append((number, int(port)))
    if stage is None or "__run__" in env:
        return
    spec, tag, _, image = stage
    problem = auth_problem(spec, env, args, tag)
    if problem is None:
        return
    for number, port in exposed:
        if port in spec.ports:
            reach = f"EXPOSEs port {port} to whatever runs the image"
            yield StoreExposure(
                path, number, 1, spec.name, spec.title, "dockerfile", image, reach, problem,
                spec.fix, spec.general,
            )  # fmt: skip
            return


def _joined_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    parts: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") and not parts:
            continue
        if not parts:
            start = number
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        out.append((start, " ".join(parts)))
        parts = []
    if parts:
        out.append((start, " ".join(parts)))
    return out


def _env_instruction(rest: str) -> dict[str, str | None]:
    """``ENV KEY=value KEY2=value2`` or the old ``ENV KEY value``."""
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    found: dict[str, str | None] = {}
    for word in words:
        key, _, value = word.partition("=")
        found[key] = value
    return found


def _exec_words(rest: str) -> list[str]:
    if rest.startswith("["):
        try:
            import json

            value = json.loads(rest)
            return [str(v) for v in value] if isinstance(value, list) else []
        except ValueError:
            return rest.split()
    return rest.split()
