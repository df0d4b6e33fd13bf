"""YAML read as nodes (``yaml.compose``), so that every value keeps its line.

Shared by the infrastructure and schedule scanners: a mapping's entries with
``<<`` merge keys followed, a scalar's text, a node's 1-based line, and one
wording for YAML errors.

Aliases make a YAML document a graph whose paths can be exponentially many
(``<<: [*m, *m]`` nested 30 deep is 1 KB); composing it is linear, but a
scanner that expands merges per path, or reads an aliased node once per alias,
is not. So merged entries are computed once per node, in one walk, within an
entry budget linear in the text (:func:`prepare`), and scanners read an aliased
node once (:class:`Once`).
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"


def node_line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class MergeBomb(yaml.YAMLError):
    """``<<`` merge keys that would copy more entries than the document could hold."""


# Merging copies entries (and keeps them: each mapping's merged entries are
# stored once); a document may copy at most one entry per MERGE_BYTES_PER_ENTRY
# bytes of its text, with a floor for small files. Real files copy a few hundred;
# a chain of 100,000 merges in 2 MB would copy five billion.
MERGE_BYTES_PER_ENTRY = 4
MERGE_ENTRIES_MIN = 50_000
_ENTRIES = "_ragfit_entries"  # the merged entries of a mapping node, computed once


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _is_merge(key: Node) -> bool:
    return key.tag == MERGE_TAG or (isinstance(key, ScalarNode) and key.value == "<<")


def prepare(root: Node | None, budget: int) -> int:
    """Compute the merged entries of every mapping reachable from ``root``, each
    once (an alias is the same node, and aliases of aliases are not walked
    again), copying at most ``budget`` entries in all; ``MergeBomb`` past it.
    Returns the entries copied. Linear in the document plus the budget."""
    if root is None:
        return 0
    order: list[MappingNode] = []
    state: dict[int, int] = {}  # id -> 1 while its children are pending, 2 done
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            state[id(node)] = 2
            if isinstance(node, MappingNode):
                order.append(node)
            continue
        if id(node) in state or hasattr(node, _ENTRIES):
            continue
        state[id(node)] = 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    copied = 0
    for node in order:  # merge sources come before the mappings that merge them
        merged: dict[str, tuple[Node, Node]] = {}
        explicit: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if _is_merge(key):
                sources = value.value if isinstance(value, SequenceNode) else [value]
                for source in sources:
                    # A merge of a mapping still being built is a recursive merge: cut off.
                    entries = getattr(source, _ENTRIES, None) if source is not node else None
                    if not entries:
                        continue
                    copied += len(entries)
                    if copied > budget:
                        raise MergeBomb(
                            f"merge keys (<<) copy more than {budget} entries; not read"
                        )
                    for name, entry in entries.items():
                        merged.setdefault(name, entry)
            elif isinstance(key, ScalarNode):
                explicit[str(key.value)] = (key, value)
        copied += len(explicit)
        setattr(node, _ENTRIES, {**merged, **explicit})
    return copied


def compose(text: str) -> Node | None:
    """The first YAML document of ``text`` as nodes, merges resolved within a
    budget linear in the text. Raises ``yaml.YAMLError`` (``MergeBomb`` too)
    and ``RecursionError`` for a document nested too deeply."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    prepare(root, merge_budget(text))
    return root


def compose_all(text: str) -> list[Node]:
    """Every YAML document of ``text`` (as :func:`compose`), one budget for all."""
    budget = merge_budget(text)
    documents: list[Node] = []
    for document in yaml.compose_all(text, Loader=yaml.SafeLoader):
        if document is not None:
            budget -= prepare(document, budget)
            documents.append(document)
    return documents


def merge_budget(text: str) -> int:
    return max(MERGE_ENTRIES_MIN, len(text) // MERGE_BYTES_PER_ENTRY)


def mapping(node: Node | None) -> dict[str, tuple[Node, Node]]:
    """A mapping node's entries by key: ``key -> (key node, value node)``.

    ``<<`` merge keys are followed (a mapping or a list of them; explicit keys
    win, then earlier merged mappings); recursive merges are cut off. Anything
    that is not a mapping has no entries. Computed once per node (by
    :func:`prepare`, which :func:`compose` runs on the whole document)."""
    if not isinstance(node, MappingNode):
        return {}
    entries = getattr(node, _ENTRIES, None)
    if entries is None:
        prepare(node, MERGE_ENTRIES_MIN)
        entries = getattr(node, _ENTRIES)
    found: dict[str, tuple[Node, Node]] = entries
    return found


class Once:
    """Nodes already read: an alias names the same node, and a document of
    aliases (``jobs: {a: *j, b: *j, ...}``) must not make a scanner read one
    big node once per alias."""

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def first(self, node: Node) -> bool:
        """True the first time ``node`` is seen."""
        if id(node) in self._seen:
            return False
        self._seen.add(id(node))
        return True


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
    if isinstance(exc, MergeBomb):
        return f"invalid YAML: {exc}"
    if isinstance(exc, RecursionError):
        return "invalid YAML: nested too deeply"
    return f"invalid YAML: {type(exc).__name__}"
