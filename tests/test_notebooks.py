"""Jupyter notebooks: call sites on the exact stored line and column of the .ipynb,
models, providers, and one `errors` entry per malformed notebook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, MakeRepo, ScanJson, errors_by_path, sites
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.analyse import analyse

NB = FIXTURES / "notebook-analysis"
TRIAGE = "notebooks/01_ticket_triage.ipynb"
SUMMARIES = "notebooks/02_incident_summaries.ipynb"
CHAT = "openai.OpenAI.chat.completions.create"
EMBED = "openai.OpenAI.embeddings.create"
CLAUDE = "anthropic.Anthropic.messages.create"

EXPECTED = [
    (TRIAGE, 93, 21, "chat", CHAT, "gpt-4o-mini"),
    (TRIAGE, 152, 16, "embedding", EMBED, "text-embedding-3-small"),
    (SUMMARIES, 53, 16, "chat", CLAUDE, "claude-3-5-haiku-latest"),
]
RECEIVERS = {CHAT: "client.chat.", EMBED: "client.embeddings.", CLAUDE: "claude.messages."}


def stored_line(path: Path, line: int) -> str:
    return path.read_text("utf-8").split("\n")[line - 1]


def at(path: Path, line: int, column: int) -> str:
    return stored_line(path, line)[column - 1 :]


def notebook(*cells: dict[str, Any]) -> dict[str, Any]:
    return {
        "cells": list(cells),
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def code(source: str | list[str], outputs: list[Any] | None = None) -> dict[str, Any]:
    if isinstance(source, str):
        lines = source.split("\n")
        source = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": outputs or [],
        "source": source,
    }


def markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def jupyter_dumps(data: dict[str, Any]) -> str:
    """What Jupyter (nbformat) writes."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------- the fixture


def test_fixture_is_saved_as_jupyter_saves_it() -> None:
    for name in (TRIAGE, SUMMARIES):
        text = (NB / name).read_text("utf-8")
        data = json.loads(text)
        assert data["nbformat"] == 4
        assert jupyter_dumps(data) == text
        kinds = [cell["cell_type"] for cell in data["cells"]]
        assert "markdown" in kinds and "code" in kinds
    triage = json.loads((NB / TRIAGE).read_text("utf-8"))
    sources = ["".join(cell["source"]) for cell in triage["cells"]]
    assert "%pip install --quiet openai pandas" in sources
    assert any(cell.get("outputs") for cell in triage["cells"])


def test_fixture_call_sites(scan_json: ScanJson, tmp_path: Path) -> None:
    root = tmp_path / "notebook-analysis"  # a copy: nothing left in the fixture can matter
    shutil.copytree(NB, root)
    report = scan_json(root, expect_code=0)
    assert sites(report) == EXPECTED
    assert report["inventory"]["providers"] == ["anthropic", "openai"]
    assert report["errors"] == []
    assert [f["rule_id"] for f in report["findings"]] == ["AD001"]
    assert report["summary"]["python_files"] == 2
    assert report["profile"]["current_approach"] == "rag"  # it embeds


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: f"{e[0]}:{e[1]}")
def test_call_site_points_at_the_call_in_the_stored_file(expected: tuple[Any, ...]) -> None:
    path, line, column, _, api, _ = expected
    assert at(NB / path, line, column).startswith(RECEIVERS[api])


def test_created_client_and_calls_are_in_different_cells() -> None:
    triage = json.loads((NB / TRIAGE).read_text("utf-8"))
    cells = ["".join(c["source"]) for c in triage["cells"] if c["cell_type"] == "code"]
    client_cell = next(i for i, s in enumerate(cells) if "client = OpenAI(" in s)
    chat_cell = next(i for i, s in enumerate(cells) if "client.chat.completions.create" in s)
    embed_cell = next(i for i, s in enumerate(cells) if "client.embeddings.create" in s)
    assert client_cell < chat_cell < embed_cell


# --------------------------------------------------------- malformed ones


def _malformed(tmp_path: Path) -> Path:
    root = tmp_path / "nb"
    shutil.copytree(NB, root)
    triage = (NB / TRIAGE).read_text("utf-8")
    bad = root / "bad"
    bad.mkdir()
    (bad / "truncated.ipynb").write_text(triage[: len(triage) // 2], "utf-8")
    no_cells = {"metadata": {"note": "uses openai"}, "nbformat": 4, "nbformat_minor": 5}
    (bad / "no_cells.ipynb").write_text(jupyter_dumps(no_cells), "utf-8")
    invalid = notebook(
        markdown("# Broken cell in the middle"),
        code("from openai import OpenAI\nclient = OpenAI()"),
        code("def half_written(:\n    pass"),
        code('r = client.chat.completions.create(model="gpt-4o", messages=[])'),
    )
    (bad / "invalid_cell.ipynb").write_text(jupyter_dumps(invalid), "utf-8")
    return root


def test_malformed_notebooks_are_one_error_each(tmp_path: Path, scan_json: ScanJson) -> None:
    root = _malformed(tmp_path)
    report = scan_json(root, expect_code=0)
    errors = errors_by_path(report)
    assert {path: [kind for kind, _ in found] for path, found in errors.items()} == {
        "bad/truncated.ipynb": ["parse-error"],
        "bad/no_cells.ipynb": ["parse-error"],
        "bad/invalid_cell.ipynb": ["parse-error"],
    }
    assert errors["bad/no_cells.ipynb"][0][1] == "notebook has no cells list"
    assert errors["bad/invalid_cell.ipynb"][0][1] == "invalid Python in cell 3; skipped"
    assert errors["bad/truncated.ipynb"][0][1].startswith("not valid notebook JSON")
    # The good notebooks are untouched, and the valid cells of the third still count.
    stored = (root / "bad/invalid_cell.ipynb").read_text("utf-8").split("\n")
    line = next(n for n, text in enumerate(stored, 1) if "client.chat" in text)
    column = stored[line - 1].index("client.chat") + 1
    assert sites(report) == [
        ("bad/invalid_cell.ipynb", line, column, "chat", CHAT, "gpt-4o"),
        *EXPECTED,
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not valid notebook JSON"),
        ('{"cells": [{"source": "import openai', "not valid notebook JSON"),
        ('{"cells": []} trailing', "not valid notebook JSON"),
        ("[1, 2, 3]", "notebook has no cells list"),
        ('["openai"]', "notebook has no cells list"),
        ('{"cells": null}', "notebook has no cells list"),
        ('{"cells": {"source": "import openai"}}', "notebook has no cells list"),
        ('"just a string"', "notebook has no cells list"),
        ('"import openai"', "notebook has no cells list"),
    ],
)
def test_malformed_notebook_shapes(content: str, message: str) -> None:
    facts = analyse("n.ipynb", content.encode())
    assert facts.call_sites == ()
    assert len(facts.errors) == 1
    (error,) = facts.errors
    assert (error.path, error.kind) == ("n.ipynb", "parse-error")
    assert error.message.startswith(message)


def test_cells_that_are_not_dicts_do_not_crash() -> None:
    data = json.dumps({"cells": [1, "two", None, code("import openai\nopenai.OpenAI()")]})
    facts = analyse("n.ipynb", data.encode())
    assert facts.call_sites == ()
    assert [(e.kind, e.message) for e in facts.errors] == [
        ("parse-error", "malformed notebook structure")
    ]


# -------------------------------------------------------- position mapping

SETUP = "from openai import OpenAI\nclient = OpenAI()"
CALL = 'r = client.chat.completions.create(model="gpt-4o-mini", messages=[])'


def _single_site(text: str, path: str = "n.ipynb") -> tuple[int, int]:
    facts = analyse(path, text.encode("utf-8"))
    assert facts.errors == ()
    (site,) = facts.call_sites
    assert (site.api, site.model) == (CHAT, "gpt-4o-mini")
    return site.line, site.column


@pytest.mark.parametrize(
    "prefix",
    [
        "",
        "if True: ",
        'label = "café"; ',
        'label = "\\"quoted\\"\\t"; ',
        "x = '\\\\'; ",
        "x = 'a/b'; ",
        "x = '\u2603 snowman'; ",
    ],
)
@pytest.mark.parametrize("style", ["jupyter", "minified", "string-source", "crlf"])
def test_column_on_the_stored_line(prefix: str, style: str) -> None:
    cells = [
        markdown("# t"),
        code(SETUP),
        code(["%pip install openai\n", "x = 1\n", prefix + CALL]),
    ]
    if style == "string-source":
        for cell in cells:
            cell["source"] = "".join(cell["source"])
    data = notebook(*cells)
    text = json.dumps(data, ensure_ascii=False) if style == "minified" else jupyter_dumps(data)
    if style == "crlf":
        text = text.replace("\n", "\r\n")
    line, column = _single_site(text)
    stored = text.replace("\r\n", "\n").split("\n")[line - 1]
    assert stored[column - 1 :].startswith("client.chat"), (stored, column)


def test_call_split_across_source_strings() -> None:
    cell = code(["x = 1\n", "r = client.chat.", 'completions.create(model="gpt-4o-mini")\n'])
    text = jupyter_dumps(notebook(code(SETUP), cell))
    line, column = _single_site(text)
    assert at_text(text, line, column).startswith('client.chat."')


def at_text(text: str, line: int, column: int) -> str:
    return text.split("\n")[line - 1][column - 1 :]


def test_column_with_ascii_escaped_notebook() -> None:
    data = notebook(code(SETUP), code('label = "café"; ' + CALL))
    text = json.dumps(data, indent=1, ensure_ascii=True)
    assert "caf\\u00e9" in text
    line, column = _single_site(text)
    assert at_text(text, line, column).startswith("client.chat")


def test_magics_and_cell_magics_are_not_python() -> None:
    cells = [
        code("%%bash\nfor f in *.csv; do echo $f; done"),
        code("%load_ext autoreload\n!pip install openai\nclient?\n" + SETUP),
        code("%%time\n" + CALL),  # a cell magic: skipped as a whole
        code(CALL),
    ]
    text = jupyter_dumps(notebook(*cells))
    facts = analyse("n.ipynb", text.encode())
    assert facts.errors == ()
    (site,) = facts.call_sites
    assert at_text(text, site.line, site.column).startswith("client.chat")
    assert text.split("\n")[site.line - 1].strip().startswith('"r = client.chat')


def test_notebook_without_sdk_is_only_checked() -> None:
    text = jupyter_dumps(notebook(code("import pandas as pd\ndf = pd.read_csv('x')")))
    facts = analyse("n.ipynb", text.encode())
    assert (facts.call_sites, facts.errors) == ((), ())


def test_secret_in_a_notebook_output_is_found_on_its_line(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    key = "sk-proj-" + "Vb3Nq8Lr2Tz6Wx1Ky5Pm9Hs4Dj7Fg0Qa2Ew6Rt8Yu1Io3"
    cells = [code(SETUP, outputs=[{"name": "stdout", "output_type": "stream", "text": [key]}])]
    root = make_repo({"n.ipynb": jupyter_dumps(notebook(*cells))})
    report = scan_json(root, expect_code=1)
    (finding,) = report["findings"]
    assert (finding["rule_id"], finding["path"]) == ("SC007", "n.ipynb")
    assert at_text((root / "n.ipynb").read_text(), finding["line"], finding["column"]).startswith(
        key
    )
    assert key not in json.dumps(report)


# ------------------------------------------------------------------ property

LINES = st.sampled_from(
    [
        "x = 1",
        "",
        "    ",
        "# a comment with café",
        'text = "tab\\there"',
        "s = '\"double\" inside'",
        "path = 'C:\\\\data'",
        "%matplotlib inline",
        "!ls",
        "u = '\u00e9\u00e8\u2603'",
        "if True:\n    y = 2",
        "def f():\n    return 1",
    ]
)


@settings(max_examples=150, deadline=None, database=None)
@given(
    before=st.lists(st.lists(LINES, max_size=4), max_size=3),
    prefix=st.lists(
        LINES.filter(lambda s: "\n" not in s and not s.startswith(("%", "!"))), max_size=2
    ),
    indent=st.sampled_from([None, 1, 2]),
    as_string=st.booleans(),
)
def test_every_call_maps_to_its_stored_position(
    before: list[list[str]], prefix: list[str], indent: int | None, as_string: bool
) -> None:
    inline = "; ".join(p for p in prefix if p.strip() and not p.lstrip().startswith("#"))
    call_line = (inline + "; " if inline else "") + CALL
    cells = [code(SETUP)]
    cells += [code("\n".join(lines)) for lines in before if lines]
    cells += [markdown("## Results"), code("z = 3\n" + call_line + "\nprint(r)")]
    if as_string:
        for cell in cells:
            cell["source"] = "".join(cell["source"])
    text = json.dumps(notebook(*cells), indent=indent, ensure_ascii=False)
    facts = analyse("n.ipynb", text.encode("utf-8"))
    assert facts.errors == ()
    (site,) = facts.call_sites
    assert at_text(text, site.line, site.column).startswith("client.chat")


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(max_size=40), ascii_only=st.booleans())
def test_stored_column_is_exact_whatever_the_escaping(text: str, ascii_only: bool) -> None:
    from auditor.scanners.notebooks import _Piece

    raw = json.dumps(text + "client.chat", ensure_ascii=ascii_only)
    piece = _Piece(line=1, column=0, text=json.loads(raw), raw=raw)
    column = piece.raw_column(len(text))
    assert raw[column - 1 : column - 1 + len("client.chat")] == "client.chat"
