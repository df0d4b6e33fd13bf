"""Text scans that run on every file: hard-coded secrets and suppression comments.

Secrets are found with the key table of ``checks/data/secrets.toml``: anchored
regular expressions over the raw text (no parse needed), run only on text that
holds one of their literals, then filtered against placeholders, low-entropy
strings and bodies that do not mix what real keys mix. A secret's value never
leaves this module: callers get its kind, a redacted form and a digest to
fingerprint it by.

The API for other scanners (SC009 reads training sets with it):

- ``find_secrets(path, text)``: the secrets in any text, with line and column;
- ``find_secrets_in_chunks(path, chunks)``: the same over a file read in pieces;
- ``redact_text(text)``: the one redaction step for every string that leaves ragfit;
- ``scannable_text(data)``: the text of a file's bytes for the scan (UTF-16
  decoded), or None for binary content.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick_rs

from auditor.knowledge import load_table
from auditor.model import Secret

ALPHABETS = ("letters-and-digits", "mixed-case", "any")


@dataclass(frozen=True)
class SecretPattern:
    """One key format of ``checks/data/secrets.toml`` (see its header)."""

    kind: str
    # The pattern runs only on text that contains one of these literals.
    literals: tuple[str, ...]
    regex: re.Pattern[str]
    min_entropy: float = 3.0
    alphabet: str = "letters-and-digits"
    near: tuple[str, ...] = ()
    near_chars: int = 0
    group: int = 0  # the secret: located, hashed, redacted
    body_group: int | None = None  # the random part (default: the value after its literal)
    public_group: int | None = None  # shown before the ellipsis (default: the literal)
    # Characters that may not come right before a secret (it would be part of a word).
    boundary: str = "-_"


def _pattern(raw: dict[str, Any]) -> SecretPattern:
    regex = re.compile(raw["regex"])
    alphabet = raw.get("alphabet", "letters-and-digits")
    if alphabet not in ALPHABETS:
        raise ValueError(f"secrets.toml {raw['kind']}: unknown alphabet {alphabet!r}")
    return SecretPattern(
        kind=str(raw["kind"]),
        literals=tuple(raw["literals"]),
        regex=regex,
        min_entropy=float(raw.get("min_entropy", 3.0)),
        alphabet=alphabet,
        near=tuple(raw.get("near", ())),
        near_chars=int(raw.get("near_chars", 0)),
        group=int(raw.get("group", 1 if regex.groups else 0)),
        body_group=raw.get("body_group"),
        public_group=raw.get("public_group"),
    )


def load_patterns() -> tuple[SecretPattern, ...]:
    """The key table, ``checks/data/secrets.toml``."""
    return tuple(_pattern(raw) for raw in load_table("secrets")["secret"])


# Every pattern starts with a literal where it can, so the regex engine can skip
# ahead to it (a leading look-behind makes it try every position: about ten
# times slower). The word boundary before a match is checked in code instead.
SECRET_PATTERNS: tuple[SecretPattern, ...] = load_patterns()

# Any of these inside a candidate marks a documentation placeholder.
PLACEHOLDER = re.compile(
    r"x{6,}|X{6,}|\*{3,}|\.{3}|<|>|\$\{|your|example|placeholder|dummy|redacted|changeme|"
    r"0123456789|abcdef(?:gh|123)|1234567890",
    re.IGNORECASE,
)
# Words that documentation and tests spell their fake keys with
# (``sk-proj-test-key-for-unit-tests-only-1``, ``hf_thisIsNotARealTokenJustADocsSample1``).
# A random key body almost never holds two of them as whole segments.
PLACEHOLDER_WORDS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "unit",
        "fake",
        "fakes",
        "mock",
        "mocked",
        "sample",
        "samples",
        "demo",
        "docs",
        "doc",
        "documentation",
        "not",
        "real",
        "only",
        "just",
        "this",
        "that",
        "the",
        "for",
        "and",
        "with",
        "here",
        "key",
        "keys",
        "token",
        "tokens",
        "secret",
        "secrets",
        "api",
        "value",
        "values",
        "string",
        "insert",
        "replace",
        "put",
        "paste",
        "own",
        "some",
        "any",
        "invalid",
        "valid",
        "none",
        "null",
        "foo",
        "bar",
        "baz",
        "qux",
        "abc",
        "xyz",
        "dev",
        "local",
        "development",
        "staging",
        "fixture",
        "fixtures",
        "stub",
        "stubs",
        "my",
        "our",
        "their",
        "his",
        "her",
        "use",
        "using",
        "copy",
        "from",
        "get",
        "set",
        "new",
        "old",
        "temp",
        "tmp",
        "tutorial",
        "readme",
        "guide",
        "please",
        "goes",
        "fill",
        "change",
        "sandbox",
        "playground",
        "ci",
    }
)
_SEGMENTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def looks_like_placeholder(value: str) -> bool:
    """Documentation and test placeholders: ``sk-...``, ``your-key-here``, or a
    body spelled with words (two or more of :data:`PLACEHOLDER_WORDS` whose
    letters make at least half of the body's letters)."""
    if PLACEHOLDER.search(value):
        return True
    segments = _SEGMENTS.findall(value)
    letters = sum(len(s) for s in segments if s.isalpha())
    words = [s for s in segments if s.isalpha() and s.lower() in PLACEHOLDER_WORDS]
    if len(words) < 2 or not letters:
        return False
    return sum(len(w) for w in words) * 2 >= letters


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _literal_prefix(pattern: SecretPattern, value: str) -> str:
    """The public literal a secret starts with (``sk-proj-``, ``AKIA``), or ""."""
    return max((lit for lit in pattern.literals if value.startswith(lit)), key=len, default="")


def redact(value: str, show: int) -> str:
    """The public prefix that names the kind (``sk-proj-``, ``AKIA``), then at most
    the last four characters, and those only when the rest is 16 characters or
    more: never more than a quarter of the part after the prefix."""
    show = min(show, len(value) // 2)
    prefix, rest = value[:show], value[show:]
    tail = rest[-4:] if len(rest) >= 16 else ""
    return f"{prefix}…{tail}"


# Each pattern's literals, found in one pass over the raw bytes with an
# Aho-Corasick automaton (ahocorasick-rs: 4-5x faster than a regex alternation,
# which matters on repositories with hundreds of MB of docs).
_LITERAL_LIST = sorted({lit for pattern in SECRET_PATTERNS for lit in pattern.literals})
_LITERALS = ahocorasick_rs.BytesAhoCorasick([lit.encode() for lit in _LITERAL_LIST])


def literals_present(raw: bytes) -> frozenset[str]:
    """Which secret literals occur in ``raw``: empty for most files."""
    hits = _LITERALS.find_matches_as_indexes(raw, overlapping=True)
    return frozenset(_LITERAL_LIST[index] for index, _, _ in hits)


_ESCAPE_BEFORE = re.compile(r"(?:\\[ntr]|%[0-9A-Fa-f]{2}|\\u00[0-9A-Fa-f]{2})\Z")


def _at_boundary(text: str, start: int, pattern: SecretPattern) -> bool:
    """A key starts a word: what comes before it is not a letter, a digit or one
    of the pattern's joiners, unless that is the end of an escape (``\\n``,
    ``\\t``, ``\\r`` in a JSON or notebook string, ``%3D`` in a URL)."""
    if start == 0:
        return True
    before = text[start - 1]
    if not (before.isalnum() or before in pattern.boundary):
        return True
    return _ESCAPE_BEFORE.search(text, max(0, start - 6), start) is not None


def _near(text: str, start: int, end: int, pattern: SecretPattern) -> bool:
    if not pattern.near:
        return True
    window = text[max(0, start - pattern.near_chars) : end + pattern.near_chars]
    return any(word in window for word in pattern.near)


def _candidates(
    text: str, present: frozenset[str]
) -> Iterator[tuple[SecretPattern, re.Match[str]]]:
    for pattern in SECRET_PATTERNS:
        if present.isdisjoint(pattern.literals):
            continue
        for match in pattern.regex.finditer(text):
            start = match.start(pattern.group)
            if not _at_boundary(text, start, pattern):
                continue  # inside a longer word: not a key
            if not _near(text, start, match.end(pattern.group), pattern):
                continue
            yield pattern, match


def _parts(pattern: SecretPattern, match: re.Match[str]) -> tuple[str, str, str]:
    """(value, public part, random body) of a match."""
    value = match.group(pattern.group)
    if pattern.public_group is not None:
        public = match.group(pattern.public_group)
    else:
        public = _literal_prefix(pattern, value)
    if pattern.body_group is not None:
        body = match.group(pattern.body_group)
    else:
        # The random part: what follows the literal prefix (keys hold - and _ too).
        body = value[len(_literal_prefix(pattern, value)) :]
    return value, public, body


def _mixes(body: str, alphabet: str) -> bool:
    """Whether a random part mixes what real keys of its kind mix."""
    if alphabet == "letters-and-digits":
        return any(c.isdigit() for c in body) and any(c.isalpha() for c in body)
    if alphabet == "mixed-case":
        return any(c.isupper() for c in body) and any(c.islower() for c in body)
    return True


def is_secret(pattern: SecretPattern, value: str, body: str) -> bool:
    """The filters a candidate passes to be reported: not a placeholder, random
    enough (entropy), and mixing what real keys of its kind mix."""
    if looks_like_placeholder(value):
        return False
    if entropy(body) < pattern.min_entropy:
        return False
    return _mixes(body, pattern.alphabet)


def find_secrets(path: str, text: str, raw: bytes | None = None) -> list[Secret]:
    """Secrets in ``text`` (any text: a file, a line of a dataset, a message),
    with 1-based line and column; ``raw`` (the file's bytes) makes the
    pre-check cheaper. A secret's value never leaves this module: callers get
    its kind, a redacted form and a digest to fingerprint it by."""
    present = literals_present(raw if raw is not None else text.encode("utf-8", "replace"))
    if not present:
        return []
    found: dict[tuple[int, int], Secret] = {}
    line_starts: list[int] | None = None
    for pattern, match in _candidates(text, present):
        value, public, body = _parts(pattern, match)
        if not is_secret(pattern, value, body):
            continue
        start = match.start(pattern.group)
        if line_starts is None:
            line_starts = _line_starts(text)
        line = _line_of(line_starts, start)
        column = start - line_starts[line - 1] + 1
        key = (line, column)
        if key in found:
            continue
        end_line = _line_of(line_starts, match.end(pattern.group))
        end_column = column + len(value) if end_line == line else column + len(public)
        redacted = public + "…" if pattern.public_group is not None else redact(value, len(public))
        found[key] = Secret(
            path=path,
            line=line,
            column=column,
            end_column=end_column,
            kind=pattern.kind,
            redacted=redacted,
            digest=hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:24],
        )
    return [found[k] for k in sorted(found)]


# Text files over the size cap are scanned for secrets in windows of about this
# many bytes, each cut after a line break (a line longer than MAX_WINDOW is cut
# anyway, the pieces overlapping by WINDOW_OVERLAP bytes so that no key is split).
WINDOW = 1 << 20
MAX_WINDOW = 4 << 20
WINDOW_OVERLAP = 32 << 10


def find_secrets_in_chunks(path: str, chunks: Iterable[bytes]) -> list[Secret]:
    """Secrets in a file read as consecutive byte chunks of any size (a 200 MB
    training set, a huge log): bounded memory, exact line numbers (columns too,
    except on a line longer than ``MAX_WINDOW``)."""
    found: dict[tuple[int, str], Secret] = {}
    carry = b""
    lines_before = 0
    for chunk in itertools.chain(chunks, [None]):
        buffer = carry + (chunk or b"")
        if chunk is not None:
            cut = buffer.rfind(b"\n") + 1
            if cut == 0 and len(buffer) < MAX_WINDOW:
                carry = buffer
                continue
            if cut == 0:  # one very long line: scanned in overlapping pieces
                window, carry, counted = buffer, buffer[-WINDOW_OVERLAP:], b""
            else:
                window, carry, counted = buffer[:cut], buffer[cut:], buffer[:cut]
        else:
            window, carry, counted = buffer, b"", buffer
        if not window:
            continue
        for secret in find_secrets(path, decode_text(window), window):
            moved = Secret(
                path=secret.path,
                line=secret.line + lines_before,
                column=secret.column,
                end_column=secret.end_column,
                kind=secret.kind,
                redacted=secret.redacted,
                digest=secret.digest,
            )
            found.setdefault((moved.line, moved.digest), moved)
        lines_before += counted.count(b"\n") + counted.count(b"\r") - counted.count(b"\r\n")
    return sorted(found.values(), key=lambda s: (s.line, s.column))


# --------------------------------------------------------------- decoding


BINARY_SNIFF = 8192


def utf16_encoding(data: bytes) -> str | None:
    """``utf-16`` when ``data`` is UTF-16 text (a BOM, or NUL bytes at every
    other position of the first 8 KB, as Windows tools write a ``.env``)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:BINARY_SNIFF]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def looks_like_text(data: bytes) -> bool:
    """Whether bytes that hold a NUL are still mostly text (a config file with a
    stray NUL, a log): at most one character in ten of the first 8 KB is a
    control character or undecodable."""
    sample = data[:BINARY_SNIFF].decode("utf-8", "replace")
    if not sample:
        return True
    odd = sum(1 for c in sample if c == "\ufffd" or (c < " " and c not in "\t\n\r\f\v"))
    return odd * 10 <= len(sample)


def decode_text(data: bytes) -> str:
    """Text for the secret scan: UTF-16 when it is, else UTF-8 (a BOM dropped,
    undecodable bytes replaced)."""
    encoding = utf16_encoding(data)
    if encoding is not None:
        return data.decode(encoding, "replace").removeprefix("\ufeff")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.decode("utf-8", "replace")


def scannable_text(data: bytes) -> str | None:
    """The text to scan for secrets in a file's bytes, or None for a binary file."""
    if b"\0" not in data[:BINARY_SNIFF] or utf16_encoding(data) is not None:
        return decode_text(data)
    return decode_text(data) if looks_like_text(data) else None


# --------------------------------------------------------------- redaction


# ``scheme://user:password@host`` or ``scheme://<token>@host``: the user part
# goes when it holds a password or is long enough to be a token (``git@`` stays).
_URL_CREDENTIALS = re.compile(r"(?<=://)(?:[^/@\s:]*:[^/@\s]*|[^/@\s:]{16,})@")


# Userinfo that documentation writes for "put yours here": left as it is.
_EXAMPLE_PASSWORDS = frozenset({"", "password", "pass", "passwd", "pwd", "secret", "token", "***"})


def _strip(match: re.Match[str]) -> str:
    userinfo = match.group()[:-1]
    password = userinfo.rpartition(":")[2]
    if password.lower() in _EXAMPLE_PASSWORDS or looks_like_placeholder(password):
        return match.group()
    return "***@"


def strip_credentials(url: str) -> str:
    """A URL with any ``user:password@`` (or ``token@``) replaced by ``***@``
    (``:password@`` and ``<token>@``, written for the reader to fill in, stay)."""
    return _URL_CREDENTIALS.sub(_strip, url)


def redact_text(text: str) -> str:
    """Replace every secret in free text by its redacted form, and credentials in
    URLs by ``***``: the one redaction step for every string that leaves ragfit
    (reports, error messages, stderr, the cache). Candidates are replaced
    without the placeholder and entropy filters: in a message, a false
    redaction costs nothing."""
    if "://" in text:
        text = strip_credentials(text)
    present = literals_present(text.encode("utf-8", "surrogatepass"))
    if not present:
        return text
    replacements: dict[str, str] = {}
    for pattern, match in _candidates(text, present):
        value, public, _ = _parts(pattern, match)
        shown = public + "…" if pattern.public_group is not None else redact(value, len(public))
        replacements.setdefault(value, shown)  # the first pattern's form, as in find_secrets
    for value in sorted(replacements, key=len, reverse=True):
        text = text.replace(value, replacements[value])
    return text


def redact_json(value: Any) -> Any:
    """Every string in JSON-like data (dict keys too) through :func:`redact_text`.

    Most data holds nothing to redact (the facts of an ordinary file), so the
    whole of it is looked at once first, serialised: with no ``://`` and no
    key literal anywhere, no string in it can change, and it is returned as
    it is. (Key literals hold no character JSON escapes, so serialising
    cannot hide one.)"""
    try:
        whole = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return _redact_each(value)
    if "://" not in whole and not literals_present(whole.encode("utf-8", "surrogatepass")):
        return value
    return _redact_each(value)


def _redact_each(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple):
        return [_redact_each(item) for item in value]
    if isinstance(value, dict):
        return {
            (redact_text(k) if isinstance(k, str) else k): _redact_each(v) for k, v in value.items()
        }
    return value


# Python's own line ends (str.splitlines also breaks at form feeds, U+2028 and
# others). Every line number and column ragfit reports, in every format, counts
# lines this way.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in LINE_BREAK.finditer(text))
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)


SUPPRESSION = re.compile(r"#\s*ragfit:\s*ignore\b(?:\[([A-Za-z0-9_,\s]*)\])?")


def python_comment_lines(text: str) -> set[int] | None:
    """The lines of Python source that hold a ``#`` comment token (so that
    ``# ragfit: ignore`` in a docstring is text, not a suppression); None when
    the source does not tokenize (then every match counts, as in other files)."""
    import io
    import tokenize

    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return lines


def find_suppressions(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """``# ragfit: ignore[AD103, SC007]`` or a bare ``# ragfit: ignore`` (all rules)."""
    if "ragfit" not in text:
        return []
    result: list[tuple[int, tuple[str, ...]]] = []
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        if "ragfit" not in line:
            continue
        match = SUPPRESSION.search(line)
        if match is None:
            continue
        ids = match.group(1)
        if ids is None:
            result.append((number, ("*",)))
        else:
            codes = tuple(c.strip().upper() for c in ids.split(",") if c.strip())
            result.append((number, codes or ("*",)))
    return result
