"""YAML read as nodes (``yaml.compose``), so that every value keeps its line.

Shared by the infrastructure and schedule scanners: a mapping's entries with
``<<`` merge keys followed, a scalar's text, a node's 1-based line, and one
wording for YAML errors.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"


def node_line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def mapping(node: Node | None, seen: frozenset[int] = frozenset()) -> dict[str, tuple[Node, Node]]:
    """A mapping node's entries by key: ``key -> (key node, value node)``.

    ``<<`` merge keys are followed (a mapping or a list of them; explicit keys
    win, then earlier merged mappings); recursive merges are cut off. Anything
    that is not a mapping has no entries.
    """
    if not isinstance(node, MappingNode) or id(node) in seen:
        return {}
    seen = seen | {id(node)}
    merged: dict[str, tuple[Node, Node]] = {}
    explicit: dict[str, tuple[Node, Node]] = {}
    for key, value in node.value:
        if key.tag == MERGE_TAG or (isinstance(key, ScalarNode) and key.value == "<<"):
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                for name, entry in mapping(source, seen).items():
                    merged.setdefault(name, entry)
        elif isinstance(key, ScalarNode):
            explicit[str(key.value)] = (key, value)
    return {**merged, **explicit}


def scalar(node: Node | None) -> str | None:
    """A scalar's text (not null), else ``None``."""
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
        return str(node.value)
    return None


def yaml_error(exc: BaseException) -> str:
    """One line for a YAML document that cannot be read."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot be read"
        if problem.startswith("but ") and exc.context:  # "expected ... but found ..."
            problem = f"{exc.context} {problem}"
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return f"invalid YAML: {problem}{where}"
    if isinstance(exc, RecursionError):
        return "invalid YAML: nested too deeply"
    return f"invalid YAML: {type(exc).__name__}"
