"""Python that used to crash, hang or exhaust the scan (issue 13, item 3 and the
Python part of item 4): each shape at a small size that still shows the
problem, with assertions on the work done (parses, resolutions), never on time.

bench/python_bombs.py runs the same shapes at full size and prints time and
peak memory.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst
import pytest
from conftest import MakeRepo, ScanJson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import auditor.analyse as analyse_module
import auditor.scanners.python as scanner
from auditor.analyse import analyse
from auditor.scanners import pyguard
from auditor.scanners.modules import text_exports
from auditor.scanners.notebooks import scan_notebook
from auditor.scanners.python import scan_source

CALL = 'client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
SDK_FILE = f"from openai import OpenAI\nclient = OpenAI()\nreply = {CALL}"


def _no_libcst(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Fail if libcst is asked to parse anything; returns the sizes it was given."""
    sizes: list[int] = []

    def refuse(source: str, *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(source))
        raise AssertionError("libcst was given a file the guard should have refused")

    monkeypatch.setattr(scanner.cst, "parse_module", refuse)
    return sizes


# ------------------------------------------------------------- native crash


@pytest.mark.parametrize("operator", ["or", "and"])
def test_a_long_boolean_chain_is_refused_before_libcst(
    operator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 50 KB: `ast` accepts it as one flat BoolOp; libcst nests a node per operand
    # and its native parser dies with SIGSEGV near 8,000 of them.
    source = "import openai\nx = " + f" {operator} ".join(["a"] * 10_000) + "\n"
    _no_libcst(monkeypatch)
    facts = scan_source("bomb.py", source)
    assert [(e.kind, e.message) for e in facts.errors] == [
        ("too-deep", "code is nested too deeply to parse (more than 1000 levels)")
    ]
    assert facts.call_sites == []


def test_an_implicit_string_concatenation_is_measured_by_its_pieces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One constant for `ast`, 2,000 nested ConcatenatedString nodes for libcst.
    source = "import openai\nx = (\n" + '    "a"\n' * 2_000 + ")\n"
    _no_libcst(monkeypatch)
    assert [e.kind for e in scan_source("bomb.py", source).errors] == ["too-deep"]


def test_the_measure_counts_what_libcst_would_build() -> None:
    def measured(source: str) -> tuple[int, int]:
        lines = source.split("\n")
        return pyguard.measure(pyguard.parse_python(source), lines)

    small_depth, small_cost = measured("x = a or b\n")
    depth, cost = measured("x = " + " or ".join(["a"] * 400) + "\n")
    assert small_depth < 10
    assert depth >= 400
    assert cost >= 400 * 400 // 2 > small_cost
    chain_depth, chain_cost = measured("x = a" + ".b" * 300 + "\n")
    assert chain_depth >= 300 and chain_cost >= 300 * 300 // 2


def test_no_real_looking_file_is_refused() -> None:
    # Deep-ish but ordinary: a 200-term concatenation, 40 nested calls, a long
    # method chain, a big literal table.
    table = "TABLE = {\n" + "".join(f'    "k{i}": [{i}, {i + 1}],\n' for i in range(2_000)) + "}\n"
    source = (
        SDK_FILE
        + "x = " + " + ".join(f"'p{i}'" for i in range(200)) + "\n"
        + "y = " + "f(" * 40 + "1" + ")" * 40 + "\n"
        + "z = client" + "".join(f".m{i}()" for i in range(30)) + "\n"
        + table
    )  # fmt: skip
    facts = scan_source("ok.py", source)
    assert facts.errors == []
    assert [(c.line, c.model) for c in facts.call_sites] == [(3, "gpt-4o-mini")]


# --------------------------------------------------------- quadratic parses


@pytest.mark.parametrize(
    "expression",
    [
        "a" + "[0]" * 1_000,  # subscripts: a minute of libcst's time at 2,000
        "a" + ".b()" * 500,  # a method chain
        " + ".join(["a"] * 1_000),  # a sum
        "f(" * 150 + "a" + ")" * 150,  # nested brackets, repeated below
    ],
    ids=["subscripts", "methods", "sum", "brackets"],
)
def test_chains_that_cost_libcst_quadratic_time_are_refused(
    expression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = 1 if not expression.startswith("f(") else 60
    source = "import openai\n" + f"x = {expression}\n" * lines
    _no_libcst(monkeypatch)
    facts = scan_source("bomb.py", source)
    assert [e.kind for e in facts.errors] == ["too-deep"]


# ------------------------------------------------------- linear resolution


def _resolutions(source: str, monkeypatch: pytest.MonkeyPatch) -> int:
    count = 0
    original = scanner.Resolver.resolve

    def counting(self: scanner.Resolver, node: Any, depth: int = 0) -> Any:
        nonlocal count
        count += 1
        return original(self, node, depth)

    with monkeypatch.context() as patch:
        patch.setattr(scanner.Resolver, "resolve", counting)
        scan_source("chain.py", source)
    return count


@pytest.mark.parametrize(
    "chain",
    [
        lambda n: "import openai\nx = f" + "()" * n + "\n",  # 32 calls used to hang
        lambda n: "import openai\nc = openai.OpenAI()\nx = c" + ".step()" * n + "\n",
    ],
    ids=["calls", "methods"],
)
def test_resolving_a_call_chain_is_linear_in_its_length(
    chain: Callable[[int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = {n: _resolutions(chain(n), monkeypatch) for n in (8, 16, 32)}
    # Twice the chain, about twice the work (it was 2**n).
    assert counts[32] <= 2.5 * counts[16] <= 2.5 * 2.5 * counts[8]


def test_a_chain_ast_accepts_on_newer_pythons_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.13's `ast` accepts 5,000 chained calls; 3.10-3.12 raise RecursionError.
    _no_libcst(monkeypatch)
    facts = scan_source("bomb.py", "import openai\nx = f" + "()" * 5_000 + "\n")
    assert [e.kind for e in facts.errors] == ["too-deep"]


def _deep_elif(depth: int) -> tuple[str, ast.Module]:
    """An SDK file whose ``elif`` chain is ``depth`` long, with a model constant
    in the last ``else``, and the ``ast`` tree Python 3.10 and 3.13 give for it
    (3.11 and 3.12 refuse to build it; built by hand, the test means the same
    on every version)."""
    source = "import openai\nif a:\n    pass\n" + "elif a:\n    pass\n" * depth
    source += 'else:\n    MODEL = "gpt-4o"\n'
    last = 2 * depth + 5
    model = ast.parse('MODEL = "gpt-4o"').body[0]
    ast.increment_lineno(model, last - 1)
    orelse: list[ast.stmt] = [model]
    for line in range(2 * depth + 2, 1, -2):  # innermost first: no recursion
        where = {"lineno": line, "col_offset": 0, "end_lineno": last, "end_col_offset": 20}
        test = ast.Name(id="a", ctx=ast.Load(), lineno=line, col_offset=3, end_lineno=line)
        body = ast.Pass(lineno=line + 1, col_offset=4, end_lineno=line + 1, end_col_offset=8)
        orelse = [ast.If(test=test, body=[body], orelse=orelse, **where)]
    tree = ast.Module(body=[ast.parse("import openai").body[0], *orelse], type_ignores=[])
    return source, tree


def test_a_deep_elif_chain_ast_accepts_is_an_error_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On Python 3.10 and 3.13 `ast` accepts 5,000 elifs; libcst must not get
    # them (too-deep), and the other passes over the tree (module constants
    # for other modules, data references) must not recurse down the chain.
    source, tree = _deep_elif(5_000)
    monkeypatch.setattr(pyguard, "parse_python", lambda text: tree)
    sizes = _no_libcst(monkeypatch)
    facts = analyse("deep.py", source.encode("utf-8"))
    assert [e.kind for e in facts.errors] == ["too-deep"]
    assert sizes == []
    texts = [(e.line, e.name, e.value) for e in facts.exports if e.kind == "text"]
    assert texts == [(2 * 5_000 + 5, "MODEL", "gpt-4o")]


def test_a_deeply_wrapped_constant_is_read_without_recursion() -> None:
    value: ast.expr = ast.Constant("gpt-4o", lineno=1, col_offset=0)
    for _ in range(5_000):  # MODEL = str(str(...str("gpt-4o")...))
        func = ast.Name(id="str", ctx=ast.Load())
        value = ast.Call(func=func, args=[value], keywords=[], lineno=1, col_offset=0)
    target = ast.Name(id="MODEL", ctx=ast.Store())
    tree = ast.Module(body=[ast.Assign(targets=[target], value=value, lineno=1)], type_ignores=[])
    assert [(e.name, e.value) for e in text_exports("m.py", tree)] == [("MODEL", "gpt-4o")]


# ------------------------------------------- files `ast` rejects: isolated


def test_a_file_ast_rejects_is_measured_from_its_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    # A PEP 695 alias makes `ast` on 3.10/3.11 reject the file (no tree to
    # measure); the chain is then found from the tokens.
    source = "type Alias = int\nimport openai\nx = " + " or ".join(["a"] * 10_000) + "\n"
    _no_libcst(monkeypatch)
    facts = scan_source("bomb.py", source)
    assert [e.kind for e in facts.errors] == ["too-deep"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="isolation needs fork")
def test_a_parser_that_dies_in_the_isolated_child_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def die(source: str, *args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGSEGV)  # in the child: run_isolated forks

    monkeypatch.setattr(scanner.cst, "parse_module", die)
    # Broken for every Python's `ast` (so libcst is tried, in a child).
    facts = scan_source("broken.py", "from openai import OpenAI\nx = = 1\n")
    assert [(e.kind, e.message) for e in facts.errors] == [
        ("parse-crash", "cannot parse: its process died (SIGSEGV)")
    ]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="isolation needs fork")
def test_newer_grammar_is_still_scanned_in_the_child() -> None:
    source = (
        "type Alias = int\nfrom openai import OpenAI\n" + "OpenAI().embeddings.create(model='m')\n"
    )
    facts = scan_source("new.py", source)
    assert facts.errors == []
    assert [(c.line, c.capability, c.model) for c in facts.call_sites] == [(3, "embedding", "m")]


# ----------------------------------------------------------- parallel mode


def _sdk_repo(make_repo: MakeRepo, extra: dict[str, str]) -> Path:
    files = {f"app/m{i}.py": SDK_FILE for i in range(20)}
    return make_repo({**files, **extra})


def test_a_bomb_in_parallel_mode_is_an_error_and_the_scan_goes_on(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    bomb = "import openai\nx = " + " or ".join(["a"] * 10_000) + "\n"
    root = _sdk_repo(make_repo, {"bomb.py": bomb})
    report = scan_json(root, "--jobs", "2", "--offline")
    assert [(e["path"], e["kind"]) for e in report["errors"]] == [("bomb.py", "too-deep")]
    assert len(report["inventory"]["call_sites"]) == 20


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the workers inherit the patch by fork")
def test_a_worker_that_dies_is_an_error_not_a_dead_scan(
    make_repo: MakeRepo, scan_json: ScanJson, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = analyse_module._analyse

    def deadly(path: str, data: bytes) -> Any:
        if path == "bomb.py":
            import faulthandler

            faulthandler.disable()  # no traceback dump from the worker on purpose
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path, data)

    monkeypatch.setattr(analyse_module, "_analyse", deadly)
    root = _sdk_repo(make_repo, {"bomb.py": SDK_FILE})
    report = scan_json(root, "--jobs", "2", "--offline")
    assert [(e["path"], e["kind"], e["message"]) for e in report["errors"]] == [
        ("bomb.py", "internal-error", "analysis crashed: its process died (SIGSEGV)")
    ]
    assert len(report["inventory"]["call_sites"]) == 20  # every other file still analysed


# ------------------------------------------------------------------ memory


def _parse_sizes(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """Record the size of every source given to libcst and to ``ast``, with the
    grouping thresholds scaled down 16 times (the same code, on inputs small
    enough for a test)."""
    monkeypatch.setattr(pyguard, "AST_GROUP_THRESHOLD", pyguard.AST_GROUP_THRESHOLD // 16)
    monkeypatch.setattr(pyguard, "AST_GROUP_BYTES", pyguard.AST_GROUP_BYTES // 16)
    monkeypatch.setattr(pyguard, "CHUNK_THRESHOLD", pyguard.CHUNK_THRESHOLD // 16)
    monkeypatch.setattr(pyguard, "CHUNK_BYTES", pyguard.CHUNK_BYTES // 16)
    monkeypatch.setattr(pyguard, "KEEP_BYTES", pyguard.KEEP_BYTES // 16)
    cst_sizes: list[int] = []
    ast_sizes: list[int] = []
    real_cst, real_ast = libcst.parse_module, pyguard.ast.parse

    def cst_parse(source: str, *args: Any, **kwargs: Any) -> Any:
        cst_sizes.append(len(source))
        return real_cst(source, *args, **kwargs)

    def ast_parse(source: str, *args: Any, **kwargs: Any) -> Any:
        ast_sizes.append(len(source.lstrip("\n")))  # groups come after blank lines
        return real_ast(source, *args, **kwargs)

    monkeypatch.setattr(scanner.cst, "parse_module", cst_parse)
    monkeypatch.setattr(pyguard.ast, "parse", ast_parse)
    return cst_sizes, ast_sizes


def test_a_large_file_is_parsed_a_group_of_statements_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SDK calls, twice the (scaled) threshold; the parsers' working memory is
    # several hundred times what they are given, so they get groups, never the file.
    cst_sizes, ast_sizes = _parse_sizes(monkeypatch)
    head = "from openai import OpenAI\nclient = OpenAI()\n"
    source = head + CALL * (2 * pyguard.AST_GROUP_THRESHOLD // len(CALL))
    facts = analyse("calls.py", source.encode())
    assert len(facts.call_sites) == source.count("create(")
    assert facts.call_sites[-1].line == source.count("\n")
    assert max(cst_sizes) <= pyguard.CHUNK_BYTES + len(CALL)
    assert max(ast_sizes) <= pyguard.AST_GROUP_BYTES + len(CALL)
    # Bind, then visit: the trees of the first KEEP_BYTES are kept for the
    # visit, later groups are parsed a second time.
    assert len(source) > 2 * pyguard.KEEP_BYTES
    second = sum(cst_sizes) - len(source)
    assert len(source) - pyguard.KEEP_BYTES <= second
    assert second <= len(source) - pyguard.KEEP_BYTES + pyguard.CHUNK_BYTES + len(CALL)


def test_a_client_made_at_the_end_of_a_large_file_is_known_at_its_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Groups are bound first, then visited: as in one parse.
    cst_sizes, _ = _parse_sizes(monkeypatch)
    filler = "".join(f"VALUE_{i} = {i}\n" for i in range(1_000))
    source = (
        "from openai import OpenAI\n\n\ndef ask(q):\n    return client.embeddings.create("
        'model="m", input=q)\n\n\n' + filler + "client = OpenAI()\n"
    )
    facts = scan_source("late.py", source)
    # Three groups or more: parsed and bound, then visited (the first
    # KEEP_BYTES from the trees kept, the rest parsed again).
    assert len(source) > pyguard.KEEP_BYTES
    assert len(cst_sizes) >= 3 + 1
    assert [(c.line, c.capability) for c in facts.call_sites] == [(5, "embedding")]


def test_a_large_notebook_is_parsed_in_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 13's notebook: a cell of one-line sources (the benchmark builds
    # 349,000 of them), then the SDK call.
    cst_sizes, ast_sizes = _parse_sizes(monkeypatch)
    lines = pyguard.AST_GROUP_THRESHOLD  # two bytes a line: twice the threshold
    source = ["from openai import OpenAI\n", "client = OpenAI()\n", *["x\n"] * lines, CALL]
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
    raw = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    facts = scan_notebook("big.ipynb", raw)
    assert facts.errors == []
    assert [c.model for c in facts.call_sites] == ["gpt-4o-mini"]
    assert max(cst_sizes) <= pyguard.CHUNK_BYTES + 64
    assert max(ast_sizes) <= pyguard.AST_GROUP_BYTES + 64


# A module whose column-0 lines include many that are not statement starts:
# inside a triple-quoted string, a bracket, after a backslash, under a
# decorator, and `else`/`except` continuations.
_TRICKY_UNIT = (
    'DOC = """\ndef not_code():\n    pass\nclass Neither: ...\n"""\n'
    "ITEMS = [\n1,\nvalue,\n]\n"
    "TOTAL = 1 + \\\nvalue\n"
    "@decorator\ndef decorated():\n    return 1\n"
    "if ITEMS:\n    x = 1\nelse:\n    x = 2\n"
    "try:\n    y = 1\nexcept ValueError:\n    y = 2\nfinally:\n    z = 3\n"
)


def test_a_large_file_is_cut_only_where_a_statement_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Group boundaries are column-0 lines confirmed by the group before them
    # parsing: the tree is the one a single parse gives, node for node, with
    # the same lines and columns, and no group is much larger than the bound.
    _, ast_sizes = _parse_sizes(monkeypatch)
    source = _TRICKY_UNIT * (3 * pyguard.AST_GROUP_THRESHOLD // len(_TRICKY_UNIT))
    tree = pyguard.parse_python(source)
    groups = list(ast_sizes)
    assert ast.dump(tree, include_attributes=True) == ast.dump(
        ast.parse(source), include_attributes=True
    )
    assert len(groups) >= 3
    assert max(groups) <= pyguard.AST_GROUP_BYTES + len(_TRICKY_UNIT)


def test_a_large_string_of_code_falls_back_to_the_tokenizer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One string holding thousands of column-0 "statements": every cut fails,
    # so after MAX_FAILED_CUTS the tokenizer finds the real starts; the tree
    # and a syntax error are still those of one parse.
    _parse_sizes(monkeypatch)
    inner = "def f():\n    return 1\n" * (pyguard.AST_GROUP_THRESHOLD // 10)
    source = f'TEXT = """\n{inner}"""\n' + "x = 1\n" * 100
    calls: list[int] = []
    real = pyguard._statement_starts

    def counting(text: str) -> list[int]:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(pyguard, "_statement_starts", counting)
    tree = pyguard.parse_python(source)
    assert calls == [len(source)]
    assert ast.dump(tree) == ast.dump(ast.parse(source))
    with pytest.raises(SyntaxError) as caught:
        pyguard.parse_python(source + "def broken(:\n")
    assert caught.value.lineno == source.count("\n") + 1


# -------------------------------------------------------------------- fuzz

_ATOMS = st.sampled_from(["a", "client", "1", "'s'", "f()", "OpenAI()", "x.y", "[]"])


def _expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from([" or ", " and ", " + ", " ** ", " < "]), inner).map(
                "".join
            ),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"f({e})"),
            inner.map(lambda e: f"[{e}]"),
            inner.map(lambda e: f"not {e}"),
            inner.map(lambda e: f"{e}.m()"),
            inner.map(lambda e: f"{e}[0]"),
            inner.map(lambda e: f"lambda: {e}"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
            st.tuples(inner, st.integers(1, 120), st.sampled_from([" or ", " + ", ".b", "()"])).map(
                lambda t: (
                    t[0] + t[2].join([""] * t[1])
                    if t[2] in (".b", "()")
                    else t[2].join([t[0]] * t[1])
                )
            ),
        )

    return st.recursive(_ATOMS, extend, max_leaves=12)


_PRELUDES = st.sampled_from(
    [
        "from openai import OpenAI\nclient = OpenAI()\n",
        "import openai\n",
        "type Alias = int\nimport openai\n",  # `ast` rejects it on 3.10/3.11
        "\ufefffrom openai import OpenAI\n",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(prelude=_PRELUDES, expressions=st.lists(_expressions(), min_size=1, max_size=6))
def test_the_python_scanner_never_raises_on_nested_shapes(
    prelude: str, expressions: list[str]
) -> None:
    source = prelude + "".join(f"v{i} = {e}\n" for i, e in enumerate(expressions))
    source += "def ask(q):\n    return " + CALL
    facts = scan_source("fuzz.py", source.lstrip("\ufeff"))
    lines = source.count("\n") + 1
    assert all(0 < c.line <= lines for c in facts.call_sites)
    assert {e.kind for e in facts.errors} <= {"too-deep", "parse-error", "parse-crash"}
    # Through the whole per-file analysis too, as bytes (the BOM stays in).
    data = source.encode("utf-8")
    analysed = analyse("fuzz.py", data)
    assert {e.kind for e in analysed.errors} <= {"too-deep", "parse-error", "parse-crash"}


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    cells=st.lists(
        st.tuples(
            st.sampled_from(["code", "markdown", "raw"]), st.lists(_expressions(), max_size=4)
        ),
        max_size=6,
    ),
    split_lines=st.booleans(),
)
def test_the_notebook_scanner_never_raises(
    cells: list[tuple[str, list[str]]], split_lines: bool
) -> None:
    built = []
    for kind, expressions in cells:
        text = "from openai import OpenAI\n" + "".join(f"v = {e}\n" for e in expressions)
        source: Any = text.splitlines(keepends=True) if split_lines else text
        built.append({"cell_type": kind, "metadata": {}, "source": source, "outputs": []})
    raw = json.dumps({"cells": built, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    facts = scan_notebook("fuzz.ipynb", raw)
    total = raw.count("\n") + 1
    assert all(0 < c.line <= total for c in facts.call_sites)
    assert {e.kind for e in facts.errors} <= {"too-deep", "parse-error", "parse-crash"}


def test_the_benchmark_builds_the_shapes_this_file_tests() -> None:
    # bench/python_bombs.py is a script, not a test; its builders are checked here.
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "bench" / "python_bombs.py"
    spec = importlib.util.spec_from_file_location("python_bombs", path)
    assert spec is not None and spec.loader is not None
    bombs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bombs)
    assert len(bombs.or_chain()["bomb.py"]) >= 50_000
    assert len(bombs.sdk_calls()["calls.py"]) >= 2_000_000
    notebook = json.loads(bombs.notebook()["bomb.ipynb"])
    assert len(notebook["cells"][0]["source"]) >= 349_000
    assert textwrap.dedent(bombs.call_chain(32)["bomb.py"]).count("()") == 32
