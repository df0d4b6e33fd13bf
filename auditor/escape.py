"""Text from the scanned repository, made safe to print.

File names and file content reach every output: a package name from a lock
file, a model name, a configuration key, a path. A hostile repository can put
terminal escape sequences in them (``ESC ] 52`` writes the clipboard, ``ESC [ 2 J``
clears the screen), bidirectional overrides that reorder what a reader sees,
line breaks that start a forged line (``::error ...::`` is a GitHub workflow
command when it begins a line of a CI log), and, in file names, bytes that are
not UTF-8 (Python holds them as lone surrogates, which no UTF-8 output can
encode).

- :func:`clean` is applied to every string of the report, once, whatever the
  format: lone surrogates become ``\\xNN`` (the byte they stand for), control
  characters other than tab and line feed and the bidirectional and line
  separator characters become ``\\xNN`` / ``\\uNNNN``. The same file name is
  therefore spelled the same way in JSON, SARIF, Markdown and the terminal,
  and every output is valid UTF-8.
- :func:`one_line` also escapes tab, line feed and carriage return (as ``\\t``,
  ``\\n``, ``\\r``): for a
  message on stderr or a line of the terminal report, where a line break in a
  name must not start a new line.
"""

from __future__ import annotations

import re

__all__ = ["clean", "one_line"]

# C0 controls but tab and line feed, DEL, C1 controls; lone surrogates; line and
# paragraph separators; bidirectional embeddings, overrides and isolates; BOM.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]"
)
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\ufeff]"
)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` with control, bidirectional and undecodable characters escaped;
    tab and line feed kept. Plain text comes back unchanged (the same object)."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """Like :func:`clean`, and tab, line feed and carriage return escaped too."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE_LINE.sub(_escape, text)
