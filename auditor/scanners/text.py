"""Text scans that run on every file: hard-coded secrets and suppression comments.

Secrets are found with anchored regular expressions over the raw text (no
parse needed), filtered against placeholders and low-entropy strings. A
secret's value never leaves this module: callers get its kind, a redacted
form and a digest to fingerprint it by.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import ahocorasick_rs

from auditor.model import Secret


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    # The pattern runs only on text that contains one of these literals.
    literals: tuple[str, ...]
    regex: re.Pattern[str]
    min_entropy: float = 3.0
    # Characters that may not come right before a secret (it would be part of a word).
    boundary: str = "-_"


def _p(
    kind: str,
    literals: tuple[str, ...],
    pattern: str,
    min_entropy: float = 3.0,
) -> SecretPattern:
    return SecretPattern(kind, literals, re.compile(pattern), min_entropy)


# Every pattern starts with a literal, so the regex engine can skip ahead to it
# (a leading look-behind makes it try every position: about ten times slower).
# The word boundary before a match is checked in code instead. The key alphabet
# stops at a non-key character so that ``"sk-...",`` ends cleanly.
SECRET_PATTERNS: tuple[SecretPattern, ...] = (
    _p(
        "anthropic-api-key",
        ("sk-ant-",),
        r"sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_\-]{32,}",
    ),
    _p(
        "openai-api-key",
        ("sk-proj-", "sk-svcacct-", "sk-admin-"),
        r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{20,}",
    ),
    _p(
        "openai-api-key",
        ("T3BlbkFJ",),
        r"sk-(?!ant-|proj-|svcacct-|admin-|live_|test_)[A-Za-z0-9]{20,}T3BlbkFJ[A-Za-z0-9]{20,}",
    ),
    _p(
        "openai-api-key",
        ("sk-",),
        r"sk-(?!ant-|proj-|svcacct-|admin-)[A-Za-z0-9]{48}(?![\w-])",
    ),
    _p(
        "aws-access-key-id",
        ("AKIA", "ASIA", "ABIA", "ACCA"),
        r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
        # Only 16 random characters: at 3.0 bits, 0.16% of genuine key ids fall
        # below (bench/secret_entropy.py); at 2.5, 0.0015%.
        2.5,
    ),
    _p(
        "aws-secret-access-key",
        ("aws", "AWS", "Aws"),
        r"(?i:aws_?secret_?access_?key|aws_secret)[\"']?\s*[:=]\s*[\"']?"
        r"([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
        3.5,
    ),
    _p(
        "google-api-key",
        ("AIza",),
        r"AIza[0-9A-Za-z_\-]{35}(?![\w-])",
    ),
    _p(
        "huggingface-token",
        ("hf_",),
        r"hf_[A-Za-z0-9]{34,}(?![\w-])",
    ),
    _p(
        "github-token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        r"gh[pousr]_[A-Za-z0-9]{36,}(?![\w-])",
    ),
    _p(
        "github-token",
        ("github_pat_",),
        r"github_pat_[A-Za-z0-9_]{60,}(?![\w-])",
    ),
    _p(
        "slack-token",
        ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"),
        r"xox[abposr]-[A-Za-z0-9-]{10,}(?![\w-])",
    ),
    _p(
        "slack-webhook",
        ("hooks.slack.com",),
        r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}",
    ),
    _p(
        "groq-api-key",
        ("gsk_",),
        r"gsk_[A-Za-z0-9]{48,}(?![\w-])",
    ),
    _p(
        "pinecone-api-key",
        ("pcsk_",),
        r"pcsk_[A-Za-z0-9_]{40,}(?![\w-])",
    ),
    _p(
        "replicate-api-token",
        ("r8_",),
        r"r8_[A-Za-z0-9]{37}(?![\w-])",
    ),
    _p(
        "langsmith-api-key",
        ("lsv2_",),
        r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![\w-])",
    ),
    _p(
        "stripe-secret-key",
        ("sk_live_", "rk_live_"),
        r"(?:sk|rk)_live_[A-Za-z0-9]{24,}(?![\w-])",
    ),
)

# Any of these inside a candidate marks a documentation placeholder.
PLACEHOLDER = re.compile(
    r"x{6,}|X{6,}|\*{3,}|\.{3}|<|>|\$\{|your|example|placeholder|dummy|redacted|changeme|"
    r"0123456789|abcdef(?:gh|123)|1234567890",
    re.IGNORECASE,
)


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


def _candidates(
    text: str, present: frozenset[str]
) -> Iterator[tuple[SecretPattern, re.Match[str]]]:
    for pattern in SECRET_PATTERNS:
        if present.isdisjoint(pattern.literals):
            continue
        for match in pattern.regex.finditer(text):
            start = match.start()
            before = text[start - 1] if start else " "
            if before.isalnum() or before in pattern.boundary:
                continue  # inside a longer word: not a key
            yield pattern, match


def find_secrets(path: str, text: str, raw: bytes | None = None) -> list[Secret]:
    """Secrets in ``text``; ``raw`` (the file's bytes) makes the pre-check cheaper."""
    present = literals_present(raw if raw is not None else text.encode("utf-8", "replace"))
    if not present:
        return []
    found: dict[tuple[int, int], Secret] = {}
    line_starts: list[int] | None = None
    for pattern, match in _candidates(text, present):
        group = 1 if pattern.regex.groups else 0
        value = match.group(group)
        start = match.start(group)
        # The random part: what follows the literal prefix (keys hold - and _ too).
        literal = _literal_prefix(pattern, value)
        body = value[len(literal) :]
        if PLACEHOLDER.search(value) or entropy(body) < pattern.min_entropy:
            continue
        if not (any(c.isdigit() for c in body) and any(c.isalpha() for c in body)):
            continue
        if line_starts is None:
            line_starts = _line_starts(text)
        line = _line_of(line_starts, start)
        column = start - line_starts[line - 1] + 1
        key = (line, column)
        if key in found:
            continue
        found[key] = Secret(
            path=path,
            line=line,
            column=column,
            end_column=column + len(value),
            kind=pattern.kind,
            redacted=redact(value, len(literal)),
            digest=hashlib.sha256(value.encode()).hexdigest()[:24],
        )
    return [found[k] for k in sorted(found)]


_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def strip_credentials(url: str) -> str:
    """A URL with any ``user:password@`` replaced by ``***@``, for messages."""
    return _URL_CREDENTIALS.sub("***@", url)


def redact_text(text: str) -> str:
    """Replace every secret in free text (error messages, evidence) by its redacted form."""
    present = literals_present(text.encode("utf-8", "replace"))
    if not present:
        return text
    for pattern, match in list(_candidates(text, present)):
        group = 1 if pattern.regex.groups else 0
        value = match.group(group)
        text = text.replace(value, redact(value, len(_literal_prefix(pattern, value))))
    return text


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
