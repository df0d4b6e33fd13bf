"""Property tests for every parser of a scanned repository's files: random input
built from each format's own tokens (so that it reaches deep into the parser),
a bounded number of examples each. No parser may raise, hit its own safety net
(the ``unexpected error`` / ``could not parse (...)`` entries that catch a
parser bug), report a line outside the file, or let a found secret through
unredacted. ``bench/fuzz_parsers.py`` runs the same properties far longer."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from fuzz_parsers import (
    FORMATS,
    SAFETY_NETS,
    check_escape,
    check_facts,
    check_glob,
    check_secrets,
    document,
)

from auditor.analyse import analyse
from auditor.config import ConfigError, load_config
from auditor.escape import one_line

NOISE = "sk-proj_ANTHROPIC hf0123456789abcXYZ\\n%3D=\"'"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_strategies_build_text(name: str) -> None:
    path, tokens = FORMATS[name]
    assert path and len(tokens) >= 8


@pytest.mark.parametrize("name", sorted(FORMATS))
@FUZZ
@given(data=st.data())
def test_parsers_never_fail(name: str, data: st.DataObject) -> None:
    path, tokens = FORMATS[name]
    text = data.draw(document(tokens))
    facts = analyse(path, text.encode("utf-8", "surrogatepass"))
    check_facts(path, text, facts)


@FUZZ
@given(
    text=st.text(max_size=400),
    prefix=st.sampled_from([b"", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe"]),
)
def test_any_text_in_any_file(text: str, prefix: bytes) -> None:
    for path in ("x.py", "requirements.txt", "poetry.lock", "docker-compose.yml", ".env"):
        data = prefix + text.encode("utf-8", "surrogatepass")
        check_facts(path, text, analyse(path, data), lines=False)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list(NOISE)), max_size=300),
       key=st.sampled_from(["sk-proj-", "hf_", "xoxb-", "AKIA", "sk-ant-api03-", "xai-", "gsk_"]),
       body=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789",
                    min_size=16, max_size=120))  # fmt: skip
def test_secret_scanner_and_redaction(text: str, key: str, body: str) -> None:
    check_secrets(text + key + body + "\n" + text)


@FUZZ
@given(
    raw=st.binary(max_size=64),
    text=st.text(alphabet=st.characters(exclude_categories=()), max_size=64),
)
def test_escaping_makes_any_name_printable(raw: bytes, text: str) -> None:
    check_escape(raw.decode("utf-8", "surrogateescape"))
    check_escape(text)


@FUZZ
@given(pattern=st.text(alphabet="[]!*?-az/\\.^&~|", max_size=30))
@pytest.mark.filterwarnings("error::FutureWarning")  # "possible nested set" would reach stderr
def test_globs_never_raise(pattern: str) -> None:
    check_glob(pattern)


CONFIG_KEYS = st.sampled_from(
    ["select", "ignore", "exclude", "fail-on", "max-file-size", "per-path-ignores",
     "budget-usd", "high-stakes", "knowledge-paths", "training-paths", "pricing", "other"]
)  # fmt: skip
CONFIG_VALUES = st.sampled_from(
    ['"SC"', '["AD1", "SC007"]', '["[z-a]"]', '["**"]', "1", "-5", "true", '"error"', "{}",
     '{"[b-a]" = ["SC007"]}', '{"src/**" = "SC"}', '"x\\n::error::y"', "[1, 2]", "1.5"]
)  # fmt: skip


@FUZZ
@given(items=st.lists(st.tuples(CONFIG_KEYS, CONFIG_VALUES), max_size=5))
def test_configuration_is_read_or_a_one_line_error(items: list[tuple[str, str]]) -> None:
    body = "[tool.ragfit]\n" + "".join(f'"{k}" = {v}\n' for k, v in dict(items).items())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text(body, "utf-8")
        try:
            load_config(root)
        except ConfigError as exc:
            message = one_line(str(exc))  # how the command line prints it
            assert "\n" not in message and not message.startswith("::")


def test_the_safety_nets_are_what_the_parsers_say() -> None:
    # Each net's wording, as the parsers write it: a fuzz failure must be seen.
    from auditor.scanners import infra, locks, manifests

    assert "could not parse (" in SAFETY_NETS
    broken: Any = lambda path, text: 1 / 0  # noqa: E731
    assert infra._guarded("x.yml", "", broken)[1][0].message.startswith("could not parse (")
    for module, marker in ((locks, "unexpected error"), (manifests, "unexpected error")):
        wrapped = module._never_raises(lambda path, text: 1 / 0)  # type: ignore[arg-type,return-value]
        assert wrapped("x", "").errors[0].message.startswith(marker)
        assert marker in SAFETY_NETS
