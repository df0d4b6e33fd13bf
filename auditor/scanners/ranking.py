"""Retrieval written by hand: texts ranked by how many of the question's
keywords they contain, the best of them put into the prompt.

ChatDoctor's retrieval is the pattern, in a few lines of plain Python::

    scores = [0] * len(chunks)
    for i, chunk in enumerate(chunks):
        for keyword in keywords:
            if keyword.lower() in chunk.lower():
                scores[i] = scores[i] + 1
    ranked = [c for _, c in sorted(zip(scores, chunks), reverse=True)]

A name is *keyword-scored* when it grows (``+= 1``, ``x = x + 1``, a
subscript of it) under an ``if`` that tests ``a in b``, or is the ``sum`` of
such tests; a list that receives it (``append((score, chunk))``) or pairs it
(``zip``) is too. A ranking is ``sorted``, ``heapq.nlargest``, ``.sort`` or
``argsort`` of a keyword-scored name (``zip``-ped, ``.items()``, or the
``key``), never one that only indexes with it. Counting words (``counts[word] += 1``
under ``if word in vocabulary``: the subscript is the tested word) is not
scoring texts. The Python scanner reports a ranking as a ``retriever`` call
site only in a file that also calls an LLM.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

_RANKERS = frozenset({"sorted", "nlargest", "argsort"})
_PAIRING = frozenset({"zip", "list", "enumerate", "dict", "tuple"})


def keyword_rankings(tree: ast.Module) -> list[ast.Call]:
    """The calls that rank texts by keyword hits, in source order."""
    found: list[ast.Call] = []
    for nodes in _scopes(tree):
        scored = _scored_names(nodes)
        if not scored:
            continue
        for node in nodes:
            if isinstance(node, ast.Call) and _ranks(node, scored):
                found.append(node)
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found


def _scopes(tree: ast.Module) -> Iterator[list[ast.AST]]:
    """The nodes of the module's code and of each function's, one scope at a
    time (a class's body belongs to the scope around it, its methods are
    scopes of their own); each node is visited once."""
    queue: list[list[ast.stmt]] = [tree.body]
    while queue:
        nodes: list[ast.AST] = []
        stack: list[ast.AST] = list(queue.pop())
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                queue.append(node.body)
                continue
            if isinstance(node, ast.Lambda):
                continue
            nodes.append(node)
            stack.extend(ast.iter_child_nodes(node))
        yield nodes


def _text(node: ast.AST) -> str:
    """The code of an expression, whether it is read or written."""
    return ast.unparse(node)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _membership_lefts(test: ast.AST) -> list[ast.AST] | None:
    """The left operands of ``a in b`` tests in ``test`` (None: there is none)."""
    lefts: list[ast.AST] = [
        n.left
        for n in ast.walk(test)
        if isinstance(n, ast.Compare) and any(isinstance(op, ast.In) for op in n.ops)
    ]
    return lefts or None


def _grown(stmt: ast.stmt, numbers: set[str]) -> tuple[str, ast.AST | None] | None:
    """(name, subscript index) when ``stmt`` adds a number to a name or an item
    of it: a number written out, or any value when the name started as
    numbers (``numbers``: ``scores = [0] * n``, ``score = 0``)."""
    target: ast.AST
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add):
        target = stmt.target
    elif (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.value, ast.BinOp)
        and isinstance(stmt.value.op, ast.Add)
    ):
        target = stmt.targets[0]
        if _text(target) not in {_text(stmt.value.left), _text(stmt.value.right)}:
            return None
    else:
        return None
    added = stmt.value
    if isinstance(stmt, ast.Assign) and isinstance(added, ast.BinOp):
        # x = x + 1: the operand that is not x
        same = _text(added.left) == _text(target)
        added = added.right if same else added.left
    if isinstance(target, ast.Name):
        name, index = target.id, None
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        name, index = target.value.id, target.slice
    else:
        return None
    if not (_number(added) or (name in numbers and _numeric(added))):
        return None  # `items = items + more` under an `in` test: no score
    return name, index


def _number(value: ast.AST) -> bool:
    return (
        isinstance(value, ast.Constant)
        and isinstance(value.value, (int, float))
        and not isinstance(value.value, bool)
    )


_COUNTERS = frozenset({"zeros", "zeros_like", "Counter", "defaultdict"})


def _assigned(node: ast.AST) -> tuple[str, ast.expr] | None:
    """(name, value) of ``name = value``; None for any other node."""
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return node.targets[0].id, node.value
    return None


def _function_call(value: ast.expr) -> tuple[str, ast.Call] | None:
    """(``f``, the call) of a value ``f(...)`` with a plain name; else None."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        return value.func.id, value
    return None


def _number_names(nodes: list[ast.AST]) -> set[str]:
    """Names a scope starts as numbers: ``0``, ``[0] * n``, ``[0 for _ in x]``,
    ``np.zeros(n)``, ``Counter()``, ``defaultdict(int)``."""
    found: set[str] = set()
    for node in nodes:
        assigned = _assigned(node)
        if assigned is None:
            continue
        name, value = assigned
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
            value = value.left if isinstance(value.left, ast.List) else value.right
        if isinstance(value, ast.List) and len(value.elts) == 1:
            value = value.elts[0]
        elif isinstance(value, ast.ListComp):
            value = value.elt
        elif isinstance(value, ast.Call):
            func = value.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in _COUNTERS:
                found.add(name)
            continue
        if _number(value):
            found.add(name)
    return found


def _numeric(value: ast.AST) -> bool:
    """Whether an added value can be a number: a number, a name, an attribute,
    a call, an item; not a list, a string or a tuple."""
    if isinstance(value, ast.BinOp):
        return _numeric(value.left) and _numeric(value.right)
    if isinstance(value, ast.Constant):
        return _number(value)
    return isinstance(value, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.UnaryOp))


def _scored_names(nodes: list[ast.AST]) -> set[str]:
    scored: set[str] = set()
    numbers: set[str] | None = None
    for node in nodes:
        if isinstance(node, ast.If):
            lefts = _membership_lefts(node.test)
            if lefts is None:
                continue
            tested = [_text(left) for left in lefts]
            if numbers is None:
                numbers = _number_names(nodes)
            for inner in node.body:
                grown = _grown(inner, numbers)
                if grown is None:
                    continue
                name, index = grown
                if index is not None and _text(index) in tested:
                    continue  # counts[word] += 1 under `if word in vocabulary`
                scored.add(name)
            continue
        assigned = _assigned(node)
        called = _function_call(assigned[1]) if assigned is not None else None
        if assigned is None or called is None or called[0] != "sum":
            continue
        args = called[1].args
        if (
            args
            and isinstance(args[0], (ast.GeneratorExp, ast.ListComp))
            and _membership_lefts(args[0]) is not None
        ):
            scored.add(assigned[0])  # sum(k in text for k in keywords)
    if not scored:
        return scored
    # What receives a score travels with it: `pairs.append((score, chunk))`,
    # `pairs = list(zip(scores, chunks))`.
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)
            and node.args
            and isinstance(node.args[0], (ast.Tuple, ast.List, ast.Dict))
            and _names(node.args[0]) & scored
        ):
            scored.add(node.func.value.id)
            continue
        assigned = _assigned(node)
        called = _function_call(assigned[1]) if assigned is not None else None
        if (
            assigned is not None
            and called is not None
            and called[0] in _PAIRING
            and _names(assigned[1]) & scored
        ):
            scored.add(assigned[0])
    return scored


def _ranks(call: ast.Call, scored: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        name = func.attr
        if name == "sort":
            return isinstance(func.value, ast.Name) and func.value.id in scored
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return False
    if name not in _RANKERS:
        return False
    # The scores must be what is ranked, not an index into it: the iterable
    # (`zip(scores, chunks)`, `pairs`, `scores.items()`) or the sort key.
    position = 1 if name == "nlargest" else 0
    if len(call.args) > position and _ranked(call.args[position], scored):
        return True
    return any(k.arg == "key" and _names(k.value) & scored for k in call.keywords)


def _ranked(iterable: ast.AST, scored: set[str]) -> bool:
    if isinstance(iterable, ast.Name):
        return iterable.id in scored
    if isinstance(iterable, ast.Call):
        func = iterable.func
        if isinstance(func, ast.Name) and func.id in _PAIRING:
            return any(_ranked(arg, scored) for arg in iterable.args)
        if isinstance(func, ast.Attribute) and func.attr in {"items", "keys", "values"}:
            return _ranked(func.value, scored)
    return False
