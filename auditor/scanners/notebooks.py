"""Jupyter notebooks: scan the code cells as one module (cells share a namespace)
and map every position back to the line and column of the ``.ipynb`` file as
stored, so that findings land on the right line in code review."""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass

from auditor.model import PythonFacts, ScanError
from auditor.scanners.pyguard import parse_python
from auditor.scanners.python import scan_source

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_MAGIC = re.compile(r"^\s*[%!]|^\s*\w[\w.]*\?\??\s*$")


@dataclass(frozen=True, slots=True)
class _Piece:
    """One string of a cell's ``source``: where it sits in the file, and its text."""

    line: int
    column: int  # 0-based code-point column of the opening quote
    text: str
    raw: str  # the JSON string as stored, quotes included

    def raw_column(self, offset: int) -> int:
        """The 1-based column in the stored file of decoded character ``offset``,
        whatever escaping the writer used (``\\n``, ``\\u00e9``, surrogate pairs)."""
        position, decoded = 1, 0  # skip the opening quote
        while decoded < offset and position < len(self.raw) - 1:
            if self.raw[position] == "\\":
                if self.raw[position + 1] == "u":
                    code = int(self.raw[position + 2 : position + 6], 16)
                    position += 6
                    if 0xD800 <= code < 0xDC00 and self.raw[position : position + 2] == "\\u":
                        position += 6  # the low half of a surrogate pair: one character
                else:
                    position += 2
            else:
                position += 1
            decoded += 1
        return self.column + position + 1


def _source_pieces(raw: str) -> list[list[_Piece]]:
    """The positions of the ``source`` strings of every cell, in order."""
    newlines = [m.start() for m in re.finditer("\n", raw)]

    def where(offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(newlines, offset)
        start = newlines[index - 1] + 1 if index else 0
        return index + 1, offset - start

    cells: list[list[_Piece]] = []
    kinds: list[str] = []  # "{" or "[" for each open container
    path: list[str] = []  # the key each open container sits under
    key: str | None = None  # the key whose value comes next, inside an object
    expect_key = False
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token in "{[":
            path.append(key or "")
            kinds.append(token)
            key, expect_key = None, token == "{"
        elif token in "}]":
            kinds.pop()
            path.pop()
            key, expect_key = None, False
        elif token == ",":
            key, expect_key = (None, True) if kinds and kinds[-1] == "{" else (key, False)
        elif token == ":":
            expect_key = False
        elif token.startswith('"'):
            if expect_key:
                key = json.loads(token)
                if path == ["", "cells", ""] and key == "source":
                    cells.append([])
                continue
            in_list = path == ["", "cells", "", "source"]
            if in_list or (path == ["", "cells", ""] and key == "source"):
                line, column = where(match.start())
                cells[-1].append(_Piece(line, column, json.loads(token), token))
    return cells


def load_cells(path: str, raw: str) -> tuple[list[object], None] | tuple[None, ScanError]:
    """A notebook's cells, or the one error that says why there are none."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return None, ScanError(path, "parse-error", f"not valid notebook JSON: {exc.msg} ({where})")
    except RecursionError:
        return None, ScanError(path, "too-deep", "notebook JSON is nested too deeply")
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return None, ScanError(path, "parse-error", "notebook has no cells list")
    return cells, None


def scan_notebook(path: str, raw: str) -> PythonFacts:
    cells, error = load_cells(path, raw)
    if cells is None:
        return PythonFacts(errors=[error] if error else [])
    try:
        pieces = _source_pieces(raw)
    except (IndexError, ValueError):
        return PythonFacts(errors=[ScanError(path, "parse-error", "malformed notebook structure")])
    if len(pieces) != len(cells):
        return PythonFacts(errors=[ScanError(path, "parse-error", "malformed notebook structure")])

    # Build one module from the code cells; remember where each line came from.
    code_lines: list[str] = []
    origin: list[tuple[_Piece, int]] = []  # the piece a line starts in, and where in it
    bad_cells: list[int] = []
    # The module's tree, built from the cells' own (each cell is parsed once,
    # a large one in groups of statements: see pyguard.parse_python).
    body: list[ast.stmt] = []
    for number, (cell, cell_pieces) in enumerate(zip(cells, pieces, strict=True), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or not cell_pieces:
            continue
        lines, places = _cell_lines(cell_pieces)
        if lines and lines[0].lstrip().startswith("%%"):
            continue  # a cell magic: not Python
        lines = ["" if _MAGIC.match(line) else line for line in lines]
        try:
            tree = parse_python("\n".join(lines))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            bad_cells.append(number)
            continue
        if code_lines:
            ast.increment_lineno(tree, len(code_lines))
        body.extend(tree.body)
        code_lines.extend(lines)
        origin.extend(places)
    del cells, pieces
    errors: list[ScanError] = []
    if bad_cells:
        listed = ", ".join(str(n) for n in bad_cells)
        errors.append(ScanError(path, "parse-error", f"invalid Python in cell {listed}; skipped"))

    def line_map(line: int, column: int) -> tuple[int, int]:
        if not 0 < line <= len(origin):
            return line, column
        piece, offset = origin[line - 1]
        return piece.line, piece.raw_column(offset + column - 1)

    module = ast.Module(body=body, type_ignores=[])
    facts = scan_source(path, "\n".join(code_lines) + "\n", line_map=line_map, tree=module)
    facts.errors[:0] = errors
    return facts


def _cell_lines(pieces: list[_Piece]) -> tuple[list[str], list[tuple[_Piece, int]]]:
    """A cell's lines, each with the source piece it starts in and its offset there."""
    starts: list[int] = []
    total = 0
    for piece in pieces:
        starts.append(total)
        total += len(piece.text)
    joined = "".join(p.text for p in pieces)
    lines: list[str] = []
    places: list[tuple[_Piece, int]] = []
    offset = 0
    for line in joined.split("\n"):
        index = max(bisect.bisect_right(starts, offset) - 1, 0)
        lines.append(line.rstrip("\r"))
        places.append((pieces[index], offset - starts[index]))
        offset += len(line) + 1
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
        places.pop()
    return lines, places
