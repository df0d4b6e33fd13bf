"""The key table (``checks/data/secrets.toml``) and SC007's filters.

- The corpus of ``tests/data/secrets/corpus.json`` (real-shaped fake keys of
  every kind, in the places keys hide, and placeholders from documentation and
  tests): every key found with its kind at its line, no placeholder flagged.
- Each filter is needed: for each, a candidate that only it stops (so that
  deleting any one of them fails a test), and keys that pass all of them.
- The table itself: every entry well formed, every kind in the corpus.
"""

from __future__ import annotations

import json
import random
import string
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, ScanJson

from auditor.knowledge import load_table
from auditor.scanners import text as text_module
from auditor.scanners.text import (
    ALPHABETS,
    SECRET_PATTERNS,
    SecretPattern,
    entropy,
    find_secrets,
    is_secret,
    looks_like_placeholder,
    redact_text,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import secret_corpus

CORPUS = json.loads(secret_corpus.CORPUS.read_text("utf-8"))


def test_the_corpus_is_what_the_generator_writes() -> None:
    assert secret_corpus.build() == CORPUS


def test_every_key_of_the_corpus_is_found_and_no_placeholder() -> None:
    result = secret_corpus.measure(CORPUS)
    assert result["missed"] == []
    assert result["flagged"] == []
    assert result["kinds_never_found"] == []
    assert result["recall"] == 1.0 and result["false_positive_rate"] == 0.0


@pytest.mark.parametrize("entry", CORPUS["keys"], ids=[e["file"] for e in CORPUS["keys"]])
def test_each_corpus_key_is_never_printed(entry: dict[str, Any]) -> None:
    from auditor.analyse import analyse

    facts = analyse(entry["file"], secret_corpus.file_bytes(entry))
    (secret,) = [s for s in facts.secrets if s.line == entry["line"]]
    assert "…" in secret.redacted
    values = [
        match.group(pattern.group)
        for pattern in SECRET_PATTERNS
        if pattern.kind == entry["kind"]
        for match in pattern.regex.finditer(entry["text"])
    ]
    assert values
    cleaned = redact_text(entry["text"])
    for value in values:
        assert value not in secret.redacted
        assert value not in cleaned


# ------------------------------------------------------------------ the table


def test_every_entry_of_the_table_is_well_formed() -> None:
    raw = load_table("secrets")["secret"]
    assert len(raw) == len(SECRET_PATTERNS)
    allowed = {
        "kind", "literals", "regex", "alphabet", "min_entropy", "near", "near_chars",
        "group", "body_group", "public_group", "source",
    }  # fmt: skip
    for entry, pattern in zip(raw, SECRET_PATTERNS, strict=True):
        assert set(entry) <= allowed, entry["kind"]
        assert entry["source"], entry["kind"]
        assert pattern.literals and all(pattern.literals), entry["kind"]
        assert pattern.alphabet in ALPHABETS
        assert pattern.group <= pattern.regex.groups
        if pattern.near:
            assert pattern.near_chars > 0 and set(pattern.near) <= set(pattern.literals)


def test_kinds_are_the_documented_ones() -> None:
    kinds = {p.kind for p in SECRET_PATTERNS}
    for kind in (
        "huggingface-token", "cohere-api-key", "mistral-api-key", "azure-openai-api-key",
        "openrouter-api-key", "xai-api-key", "anthropic-api-key", "slack-token", "private-key",
    ):  # fmt: skip
        assert kind in kinds


# ------------------------------------------------------------------ the filters

R = random.Random(5)


def _rand(n: int, alphabet: str) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


def _pattern(kind: str) -> SecretPattern:
    return next(p for p in SECRET_PATTERNS if p.kind == kind)


# Each candidate matches its pattern and is stopped by exactly one filter.
ONLY_ENTROPY = "sk-proj-" + "aB1" * 12  # letters and digits, no word, 1.58 bits
ONLY_ALPHABET_DIGITS = "sk-proj-" + "QwZrTyXuPkMvNbLcJhGfDsAe"  # no digit, random letters
ONLY_ALPHABET_CASE = "hf_" + "qzxwvktrplmnbjhgfdsyucoeiaqzxwvktr"  # lower case only
ONLY_PLACEHOLDER_WORDS = "sk-proj-test-key-for-unit-tests-only-1"
ONLY_PLACEHOLDER_REGEX = "sk-proj-Xq7" + "your" + "Rt5Zp2Lm8Nw4Kv9"


@pytest.mark.parametrize(
    ("kind", "value", "stopped_by"),
    [
        ("openai-api-key", ONLY_ENTROPY, "entropy"),
        ("openai-api-key", ONLY_ALPHABET_DIGITS, "alphabet"),
        ("huggingface-token", ONLY_ALPHABET_CASE, "alphabet"),
        ("openai-api-key", ONLY_PLACEHOLDER_WORDS, "placeholder"),
        ("openai-api-key", ONLY_PLACEHOLDER_REGEX, "placeholder"),
    ],
)
def test_each_filter_alone_stops_its_candidate(kind: str, value: str, stopped_by: str) -> None:
    pattern = _pattern(kind)
    match = pattern.regex.search(f'"{value}"')
    assert match is not None and match.group(pattern.group) == value
    body = value[len(text_module._literal_prefix(pattern, value)) :]
    filters = {
        "placeholder": looks_like_placeholder(value),
        "entropy": entropy(body) < pattern.min_entropy,
        "alphabet": not text_module._mixes(body, pattern.alphabet),
    }
    assert filters == {name: name == stopped_by for name in filters}
    assert not is_secret(pattern, value, body)
    assert find_secrets("x.py", f'KEY = "{value}"\n') == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("sk-proj-" + "aB1cD2eF3gH4" + _rand(20, string.ascii_letters + string.digits), None),
        ("hf_" + "XkqPzRtWmvLnbHJgfdsaYuiopQWErtyZxc", "huggingface-token"),  # letters only
        ("sk-ant-oat01-" + _rand(40, string.ascii_letters) + "9AA", "anthropic-api-key"),
    ],
)
def test_keys_that_pass_every_filter_are_found(value: str, kind: str | None) -> None:
    found = find_secrets("x.py", f'KEY = "{value}"\n')
    assert [s.kind for s in found] == [kind or "openai-api-key"]
    assert (found[0].column, found[0].end_column) == (8, 8 + len(value))


@pytest.mark.parametrize(
    "value",
    [
        "hf_thisIsNotARealTokenJustADocsSample1",
        "sk-proj-test-key-for-unit-tests-only-1",
        "sk-proj-fake-key-for-testing-purposes-123",
        "hf_fakeTokenForTestsOnlyNotReal0123",
        "sk-proj-ThisIsMyDevKeyForTheSandboxOnly99",
    ],
)
def test_placeholders_spelled_with_words(value: str) -> None:
    assert looks_like_placeholder(value)
    assert find_secrets("README.md", f"token: {value}\n") == []


def test_one_word_in_a_random_key_is_not_a_placeholder() -> None:
    # A random body can hold a short word by chance: it takes two, and half the letters.
    for value in (
        "sk-proj-Qz8TestvR2tY7uK1mW5pX9cB4dF6gH2jL7aS8e",
        "hf_QzTokenRtWmvLnbHJgfdsaYuiopQWErty",
        "sk-proj-keyQz8vR2tY7uK1mW5pX9cB4dF6gH2jL7aS8eForZ",
    ):
        assert not looks_like_placeholder(value), value


def test_min_entropy_boundary_is_strict() -> None:
    pattern = _pattern("aws-access-key-id")
    value = "AKIA" + "ABCDEFGHABCDEFGH"  # 8 symbols, 3.0 bits: above AWS's 2.5
    assert entropy(value[4:]) == 3.0
    assert is_secret(pattern, value, value[4:]) is False  # "ABCDEFGH"-like runs: no digit
    value = "AKIA" + "A1A1A1A1A1A1A1A1"
    assert entropy(value[4:]) == 1.0
    assert not is_secret(pattern, value, value[4:])


# ------------------------------------------------------------------ where keys hide


@pytest.mark.parametrize(
    ("before", "kind"),
    [
        ("\\n", "huggingface-token"),
        ("\\t", "huggingface-token"),
        ("\\r", "huggingface-token"),
        ("%3D", "huggingface-token"),
        ("\\u003d", "huggingface-token"),
        ("=", "huggingface-token"),
    ],
)
def test_a_key_right_after_an_escape(before: str, kind: str) -> None:
    value = "hf_" + "XkqPzRtWmvLnbHJgfdsaYuiopQWErtyZxc"
    text = f'"output": "Token{before}{value}"\n'
    found = find_secrets("nb.ipynb", text)
    assert [(s.kind, s.column) for s in found] == [(kind, text.index(value) + 1)]


def test_a_key_inside_a_word_is_still_not_a_key() -> None:
    value = "hf_" + "XkqPzRtWmvLnbHJgfdsaYuiopQWErtyZxc"
    assert find_secrets("x.md", f"prefix{value}\n") == []
    assert find_secrets("x.md", f"a\\\\n{value}\n") != []  # an escaped backslash, then n


def test_azure_hex_needs_the_azure_context() -> None:
    hexkey = "3f9c2a7e5b1d4c8a9e0f6b2d7a4c1e8f"
    assert find_secrets("a.py", f'CHECKSUM = "{hexkey}"\n') == []
    near = f'AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_key="{hexkey}")\n'
    assert [s.kind for s in find_secrets("a.py", near)] == ["azure-openai-api-key"]
    far = "azure_endpoint = 'https://x.openai.azure.com'\n" + "#\n" * 300 + f'X = "{hexkey}"\n'
    assert find_secrets("a.py", far) == []


def test_pem_is_shown_by_its_header_only() -> None:
    (entry,) = [e for e in CORPUS["keys"] if e["file"] == "deploy/id_rsa"]
    (secret,) = find_secrets(entry["file"], entry["text"])
    assert secret.redacted == "-----BEGIN RSA PRIVATE KEY-----…"
    assert secret.end_column == 1 + len("-----BEGIN RSA PRIVATE KEY-----")


def test_the_api_for_other_scanners_works_on_any_line() -> None:
    """SC009 reads training sets line by line with ``find_secrets``."""
    value = "gsk_" + "Rz4Kx9Lp2Qm7Nw5Tv8Yb3Hc6Jd1Fg0Sa2Ek7Uo9Wq1Er5Ty8Ui"
    line = json.dumps({"messages": [{"role": "user", "content": f"my key is {value}"}]})
    (secret,) = find_secrets("data/train.jsonl", line)
    assert (secret.line, secret.kind) == (1, "groq-api-key")
    assert value not in secret.redacted


def test_sc007_reports_a_corpus_key_through_the_whole_pipeline(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    entry = next(e for e in CORPUS["keys"] if e["kind"] == "mistral-api-key")
    root = make_repo({entry["file"]: entry["text"]})
    report = scan_json(root, expect_code=1)
    assert [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]] == [
        ("SC007", entry["file"], entry["line"])
    ]
    assert report["findings"][0]["properties"]["kind"] == "mistral-api-key"
