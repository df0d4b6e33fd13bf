"""Keep libcst's native parser from crashing or hanging a scan.

libcst parses with a native (Rust) PEG parser. Three shapes of Python that
CPython's own parser accepts hurt it:

- **depth**: ``a or a or ...`` is one flat ``BoolOp`` for ``ast`` but a chain of
  nested ``BooleanOperation`` nodes for libcst; near 8,000 of them the native
  stack overflows and the process dies with SIGSEGV (no exception to catch).
  Implicit string concatenation (``"a" "b" ...``) nests the same way.
- **time**: left-recursive chains (``a + a + ...``, ``a.b.c...``, ``f()()...``,
  ``a[0][0]...``, ``a.b().c()...``) and nested brackets cost time quadratic in
  their length: 2,000 chained subscripts take about a minute.
- **memory**: the parser's working memory for a whole module is about 700
  times its size (a 2 MB file of SDK calls: 1.3 GB), several times the tree it
  returns.

So before libcst sees a file that ``ast`` accepted, :func:`measure` walks the
``ast`` tree once (iteratively) and returns the deepest nesting libcst would
build and a cost: the sum, over every expression node, of its depth inside its
expression, which grows with the square of a chain's length and linearly with
ordinary code. A file over :data:`MAX_DEPTH`, or whose cost exceeds a budget
proportional to its size, is reported as an ``errors`` entry instead of being
parsed. Large files are parsed a group of top-level statements at a time
(:func:`chunks`), so the parser's working memory is bounded by a group, not
the file.

A file ``ast`` rejects (newer grammar than the running Python, or broken) has
no tree to measure: :func:`run_isolated` parses it in a forked child with
memory and CPU limits, and a child that dies becomes an ``errors`` entry.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import json
import os
import re
import signal
from collections.abc import Callable, Sequence
from typing import Any

# The deepest nesting libcst is given (the native parser dies near 8,000).
MAX_DEPTH = 1000
# The cost budget of a file: a floor, plus this much per byte. Ordinary code
# costs under one unit a byte; a 300-term chain alone costs 45,000.
COST_FLOOR = 250_000
COST_PER_BYTE = 4
# Files larger than this are parsed in groups of top-level statements of about
# CHUNK_BYTES each, to bind module names, then visited. The trees of the first
# KEEP_BYTES of source are kept for the visit (a libcst tree is about 300
# times its source: some 60 MB); later groups are parsed a second time.
CHUNK_THRESHOLD = 64 * 1024
CHUNK_BYTES = 32 * 1024
KEEP_BYTES = 3 * CHUNK_THRESHOLD
# One top-level statement larger than this is not given to libcst at all.
MAX_STATEMENT_BYTES = 1024 * 1024
# Limits of the child that parses a file ``ast`` rejected.
CHILD_CPU_SECONDS = 20
CHILD_MEMORY_FLOOR = 1024 * 1024 * 1024
CHILD_MEMORY_PER_BYTE = 1200

# A string literal token, prefixes included (an upper bound on the pieces of an
# implicit concatenation when counted over the lines the constant spans).
_STRING_TOKEN = re.compile(
    r"""[rRbBuUfFtT]{0,2}(?:'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""""
    r"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""",
    re.DOTALL,
)


def _pieces(node: ast.expr, lines: Sequence[str]) -> int:
    """How many literals an ``ast`` string constant was concatenated from (at
    least 1; an upper bound for a long one, counted over the lines it spans)."""
    start = node.lineno
    end = node.end_lineno or start
    if end == start and (node.end_col_offset or 0) - node.col_offset < 120:
        return 1
    text = "\n".join(lines[start - 1 : end])
    quotes = (text.count('"') + text.count("'")) // 2
    if quotes <= 8:  # most docstrings: a bound without the regex
        return max(1, quotes)
    return max(1, sum(1 for _ in _STRING_TOKEN.finditer(text)))


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    found = _CHILD_FIELDS.get(kind)
    if found is None:
        fields: tuple[str, ...] = getattr(kind, "_fields", ())
        found = tuple(f for f in fields if f not in {"ctx", "type_comment", "kind"})
        _CHILD_FIELDS[kind] = found
    return found


def measure(tree: ast.Module, lines: Sequence[str]) -> tuple[int, int]:
    """``(depth, cost)`` of the libcst tree ``tree`` implies (see the module
    docstring). Iterative, so a deep tree cannot exhaust the Python stack here;
    stops once the depth passes :data:`MAX_DEPTH`. About 0.7 µs a node: a
    twentieth of libcst's parse."""
    deepest = 0
    cost = 0
    # (node, depth, depth inside the enclosing expression)
    stack: list[tuple[ast.AST, int, int]] = [(tree, 0, 0)]
    pop, push = stack.pop, stack.append
    expr, bool_op, constant, joined = ast.expr, ast.BoolOp, ast.Constant, ast.JoinedStr
    known = _CHILD_FIELDS
    while stack:
        node, depth, inner = pop()
        kind = type(node)
        step = 1
        if kind is bool_op:
            # libcst nests `a or b or c` as ((a or b) or c): a level per operand.
            step = len(node.values)  # type: ignore[attr-defined]
            cost += step * inner + step * step // 2
        elif (kind is constant and isinstance(node.value, (str, bytes))) or kind is joined:  # type: ignore[attr-defined]
            # "a" "b" "c": libcst nests a ConcatenatedString per extra literal.
            step = _pieces(node, lines)  # type: ignore[arg-type]
            if step > 1:
                cost += step * inner + step * step // 2
        if depth + step > deepest:
            deepest = depth + step
            if deepest > MAX_DEPTH:
                return deepest, cost
        if isinstance(node, expr):
            inner += step
            cost += inner
        else:
            inner = 0
        below = depth + step
        for name in known.get(kind) or _child_fields(kind):
            child = getattr(node, name, None)
            if type(child) is list:
                for item in child:
                    if isinstance(item, ast.AST):
                        push((item, below, inner))
            elif isinstance(child, ast.AST):
                push((child, below, inner))
    return deepest, cost


def too_costly(tree: ast.Module, lines: Sequence[str], size: int) -> str | None:
    """Why libcst must not parse this file, or None when it may."""
    depth, cost = measure(tree, lines)
    if depth > MAX_DEPTH:
        return f"code is nested too deeply to parse (more than {MAX_DEPTH} levels)"
    if cost > COST_FLOOR + COST_PER_BYTE * size:
        return "code has expression chains too long to parse in reasonable time"
    return None


# Tokens that can start one more level of nesting in libcst's tree.
_NESTING_TOKENS = frozenset(
    {
        *("(", "[", "{", ".", "+", "-", "*", "/", "//", "%", "@", "**", "<<", ">>"),
        *("&", "|", "^", "~", "<", ">", "<=", ">=", "==", "!=", ":="),
        *("or", "and", "not", "if", "else", "lambda", "await", "in", "is"),
    }
)


def too_costly_tokens(source: str) -> str | None:
    """The same question for a file ``ast`` rejected (so there is no tree),
    from its tokens: each logical line with ``k`` tokens that can nest costs
    ``k * k / 2`` and may be ``k`` deep. An upper bound, which is what a guard
    needs; a file that does not even tokenize is refused (libcst's tokenizer
    would fail on it too)."""
    import io
    import tokenize

    count = deepest = cost = 0
    try:
        lines = io.StringIO(source, newline=None)
        for token in tokenize.generate_tokens(lines.readline):
            if token.type == tokenize.NEWLINE:
                cost += count * count // 2
                count = 0
            elif token.string in _NESTING_TOKENS or token.type == tokenize.STRING:
                count += 1
                if count > deepest:
                    deepest = count
                    if deepest > MAX_DEPTH:
                        break
    except (SyntaxError, tokenize.TokenError, ValueError):
        return "code that does not tokenize"
    cost += count * count // 2
    if deepest > MAX_DEPTH:
        return f"code is nested too deeply to parse (more than {MAX_DEPTH} levels)"
    if cost > COST_FLOOR + COST_PER_BYTE * len(source):
        return "code has expression chains too long to parse in reasonable time"
    return None


def chunks(tree: ast.Module, line_starts: Sequence[int], size: int) -> list[tuple[int, int]]:
    """Groups of whole top-level statements as ``(first line, last line)``
    (1-based, inclusive), each about :data:`CHUNK_BYTES`, covering every line.
    A cut is made only at a line where a statement starts and the previous one
    has ended, so each group parses on its own."""
    total_lines = len(line_starts)
    starts: list[int] = []
    previous_end = 0
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        if first > previous_end and first > 1:
            starts.append(first)
        previous_end = max(previous_end, stmt.end_lineno or stmt.lineno)
    groups: list[tuple[int, int]] = []
    begin = 1
    for line in starts:
        offset_begin = line_starts[begin - 1]
        offset_cut = line_starts[line - 1]
        if offset_cut - offset_begin >= CHUNK_BYTES:
            groups.append((begin, line - 1))
            begin = line
    groups.append((begin, total_lines))
    return groups


def chunk_too_large(line_starts: Sequence[int], size: int, first: int, last: int) -> bool:
    end = line_starts[last] if last < len(line_starts) else size
    return end - line_starts[first - 1] > MAX_STATEMENT_BYTES


# Sources larger than this are parsed by ``ast`` in groups of top-level
# statements too: CPython's parser needs 150 to 850 times a module's size
# while it works, and a group's worth is enough.
AST_GROUP_THRESHOLD = 256 * 1024
AST_GROUP_BYTES = 64 * 1024
_CONTINUATIONS = frozenset({"else", "elif", "except", "finally"})


def parse_python(source: str) -> ast.Module:
    """``ast.parse(source)``, with the same tree and the same errors, but for a
    large source one group of top-level statements at a time, so that the
    parser's working memory is bounded by a group. Each group is parsed after
    as many blank lines as precede it, so line numbers are the file's.

    A group ends before a line that starts in column 0 with a name or ``@``
    (not ``else``/``elif``/``except``/``finally``); the cut is a statement's
    start only if the group before it parses, since a cut inside a string, a
    bracket, a continued line or a decorated definition leaves that group
    unfinished. A cut that fails moves on to the next such line; after
    :data:`MAX_FAILED_CUTS` in a row, or without such lines (``\r`` line ends),
    the tokenizer finds the statements instead."""
    if len(source) <= AST_GROUP_THRESHOLD:
        return ast.parse(source)
    offsets = [0]
    offsets.extend(m.end() for m in _LINE_END.finditer(source))
    candidates = [m.start() for m in _TOP_LEVEL_START.finditer(source)]
    if not candidates:
        return _parse_in_groups(source, offsets, _statement_starts(source))
    body: list[ast.stmt] = []
    first = 1  # the line the current group starts on
    failures = 0
    for start in candidates:
        if start - offsets[first - 1] < AST_GROUP_BYTES:
            continue
        line = bisect.bisect_right(offsets, start)  # 1-based: offsets[line - 1] == start
        try:
            tree = ast.parse("\n" * (first - 1) + source[offsets[first - 1] : start])
        except SyntaxError:
            failures += 1
            if failures > MAX_FAILED_CUTS:
                return _parse_in_groups(source, offsets, _statement_starts(source))
            continue
        body.extend(tree.body)
        first, failures = line, 0
    if first == 1:
        return ast.parse(source)
    try:
        body.extend(ast.parse("\n" * (first - 1) + source[offsets[first - 1] :]).body)
    except SyntaxError:
        return ast.parse(source)  # the error as the whole file gives it
    return ast.Module(body=body, type_ignores=[])


# A line that may start a top-level statement: see parse_python.
_TOP_LEVEL_START = re.compile(r"^(?!(?:else|elif|except|finally)\b)[A-Za-z_@]", re.MULTILINE)
MAX_FAILED_CUTS = 16


def _parse_in_groups(source: str, offsets: list[int], starts: list[int]) -> ast.Module:
    """``ast.parse`` a group of the top-level statements starting at lines
    ``starts`` at a time (the tokenizer found them)."""
    if not starts:
        return ast.parse(source)
    cuts = [1]
    for line in starts:
        if line > len(offsets):
            break
        if offsets[line - 1] - offsets[cuts[-1] - 1] >= AST_GROUP_BYTES:
            cuts.append(line)
    if len(cuts) == 1:
        return ast.parse(source)
    body: list[ast.stmt] = []
    bounds = [*cuts, len(offsets) + 1]
    for first, after in itertools.pairwise(bounds):
        end = offsets[after - 1] if after - 1 < len(offsets) else len(source)
        part = "\n" * (first - 1) + source[offsets[first - 1] : end]
        try:
            body.extend(ast.parse(part).body)
        except SyntaxError:
            return ast.parse(source)  # the error as the whole file gives it
    return ast.Module(body=body, type_ignores=[])


_LINE_END = re.compile(r"\r\n|\r|\n")


def _statement_starts(source: str) -> list[int]:
    """Lines where a top-level statement starts (not a decorated definition's
    ``def`` line, not ``else``/``except``/...), from the tokenizer; empty when
    the source does not tokenize."""
    import io
    import tokenize

    starts: list[int] = []
    level = 0
    at_start = True
    after_decorator = False
    try:
        lines = io.StringIO(source, newline=None)  # \r and \r\n end lines, as for Python
        for token in tokenize.generate_tokens(lines.readline):
            kind = token.type
            if kind == tokenize.INDENT:
                level += 1
            elif kind == tokenize.DEDENT:
                level -= 1
            elif kind == tokenize.NEWLINE:
                at_start = True
            elif kind in (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING, tokenize.ENDMARKER):
                continue
            elif at_start:
                at_start = False
                if level == 0:
                    if not after_decorator and token.string not in _CONTINUATIONS:
                        starts.append(token.start[0])
                    after_decorator = token.string == "@"
    except (SyntaxError, tokenize.TokenError, ValueError):
        return []
    return [line for line in starts if line > 1]


class ChildDied(Exception):
    """The isolated child was killed (a signal) or ran out of its limits."""


def run_isolated(work: Callable[[], Any], size: int) -> Any:
    """``work()`` in a forked child under memory and CPU limits; its result must
    be JSON-ready. Raises :class:`ChildDied` when the child dies. Without
    ``fork`` (Windows) the work runs here."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its exit status is what is tested
        status = 0
        try:
            os.close(read_end)
            import faulthandler

            faulthandler.disable()  # a crash here is reported by the parent
            _limit_child(size)
            payload = json.dumps(work()).encode("utf-8")
            view = memoryview(payload)
            while view:
                written = os.write(write_end, view)
                view = view[written:]
        except BaseException:
            status = 3
        finally:
            os._exit(status)
    os.close(write_end)
    parts: list[bytes] = []
    try:
        while True:
            block = os.read(read_end, 1 << 16)
            if not block:
                break
            parts.append(block)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        raise ChildDied(f"its process died ({name})")
    if os.WEXITSTATUS(status) != 0:
        raise ChildDied("its process ran out of memory or failed")
    return json.loads(b"".join(parts))


def _limit_child(size: int) -> None:  # pragma: no cover - runs in the child
    try:
        import resource

        memory = CHILD_MEMORY_FLOOR + CHILD_MEMORY_PER_BYTE * size
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or memory < hard:
            resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard == resource.RLIM_INFINITY or hard > CHILD_CPU_SECONDS:
            resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, hard))
    except (ImportError, ValueError, OSError):
        pass
