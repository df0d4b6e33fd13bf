"""Lock file parsers: Pipfile.lock, poetry.lock, uv.lock and PEP 751 pylock.toml,
with the exact line where each locked package's entry starts."""

from __future__ import annotations

from collections.abc import Callable
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.model import Dependency, ManifestFacts, ScanError
from auditor.scanners.locks import (
    parse_pipfile_lock,
    parse_poetry_lock,
    parse_pylock,
    parse_uv_lock,
)

PARSERS = (parse_pipfile_lock, parse_poetry_lock, parse_uv_lock, parse_pylock)

SHA = "8f8e3d1a2b4c5d6e7f8091a2b3c4d5e6f7a8b9c0"


HASH = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"


def text(source: str) -> str:
    """A fixture: long hashes, commits and file URLs are spelled ``@HASH@``,
    ``@SHA@`` and ``@PYPI@`` to keep the lines short; the lines stay the same."""
    return (
        dedent(source)
        .lstrip("\n")
        .replace("@HASH@", HASH)
        .replace("@SHA@", SHA)
        .replace("@PYPI@", "https://files.pythonhosted.org/packages")
    )


def locked(
    name: str,
    version: str | None,
    line: int,
    source: str,
    path: str,
    **extra: object,
) -> Dependency:
    fields: dict[str, object] = {
        "name": name,
        "specifier": f"=={version}" if version else "",
        "version": version,
        "pinned": True,
        "kind": "pypi",
        "path": path,
        "line": line,
        "source": source,
        "group": "locked",
    }
    fields.update(extra)
    if fields.get("hashes") and "digests" not in fields:
        fields["digests"] = (f"sha256:{HASH}",)  # every fixture hash is the same digest
    return Dependency(**fields)  # type: ignore[arg-type]


def one_error(facts: ManifestFacts) -> ScanError:
    assert facts.dependencies == []
    assert len(facts.errors) == 1
    error = facts.errors[0]
    assert error.kind == "parse-error"
    return error


# --------------------------------------------------------------------------- Pipfile.lock

PIPFILE_LOCK = text(
    """
    {
        "_meta": {
            "hash": {"sha256": "5d1f0c0a"},
            "pipfile-spec": 6,
            "requires": {"python_version": "3.11"},
            "sources": [
                {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}
            ]
        },
        "default": {
            "openai": {
                "hashes": [
                    "sha256:@HASH@",
                    "sha256:@HASH@"
                ],
                "index": "pypi",
                "markers": "python_full_version >= '3.7.1'",
                "version": "==1.35.3"
            },
            "langchain-core": {
                "editable": false,
                "git": "https://github.com/langchain-ai/langchain.git",
                "ref": "@SHA@",
                "subdirectory": "libs/core"
            },
            "tiktoken": {"version": "==0.7.0", "hashes": []},
            "requests": {
                "extras": ["socks"],
                "hashes": ["sha256:@HASH@"],
                "version": "==2.32.3"
            }
        },
        "develop": {
            "pytest": {
                "hashes": ["sha256:@HASH@"],
                "version": "==8.2.2"
            },
            "localpkg": {"editable": true, "path": "./localpkg"}
        }
    }
    """
)


def test_pipfile_lock_packages_and_lines() -> None:
    facts = parse_pipfile_lock("Pipfile.lock", PIPFILE_LOCK)
    assert facts.errors == []
    src, path = "pipfile.lock", "Pipfile.lock"
    assert facts.dependencies == [
        locked(
            "openai",
            "1.35.3",
            11,
            src,
            path,
            hashes=True,
            marker="python_full_version >= '3.7.1'",
        ),
        locked(
            "langchain-core",
            None,
            20,
            src,
            path,
            kind="vcs",
            url="https://github.com/langchain-ai/langchain.git",
            ref=SHA,
        ),
        locked("tiktoken", "0.7.0", 26, src, path),
        locked("requests", "2.32.3", 27, src, path, hashes=True, extras=("socks",)),
        locked("pytest", "8.2.2", 34, src, path, hashes=True),
        locked(
            "localpkg",
            None,
            38,
            src,
            path,
            kind="path",
            url="./localpkg",
            editable=True,
            pinned=False,
        ),
    ]


def test_pipfile_lock_line_is_the_key_in_its_section() -> None:
    # The same name in both sections, and as a string elsewhere: each entry
    # gets the line of its own key.
    doc = text(
        """
        {"_meta": {"note": "requests"},
         "default": {"requests": {"version": "==2.0.0"}},
         "develop": {
           "x": {"version": "==1.0"},
           "requests": {"version": "==2.1.0", "hashes": ["sha256:ab\\"cd"]}
         }}
        """
    )
    facts = parse_pipfile_lock("p/Pipfile.lock", doc)
    assert facts.errors == []
    assert [(d.name, d.version, d.line, d.hashes) for d in facts.dependencies] == [
        ("requests", "2.0.0", 2, False),
        ("x", "1.0", 4, False),
        ("requests", "2.1.0", 5, True),
    ]


def test_pipfile_lock_malformed_json() -> None:
    bad = '{\n  "default": {\n    "openai": {"version": "==1.0"}\n    "numpy": {}\n  }\n}\n'
    error = one_error(parse_pipfile_lock("Pipfile.lock", bad))
    assert error == ScanError(
        "Pipfile.lock",
        "parse-error",
        "invalid JSON: Expecting ',' delimiter (at line 4, column 5)",
    )


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ('["x"]', "expected a JSON object at the top level, got an array"),
        ('{\n"default": "x"}', '"default" (line 2): expected an object of packages, got a string'),
        (
            '{"default": {\n  "a": {"version": "==1"},\n  "b": 3}}',
            '"default" b (line 3): expected an object, got an integer',
        ),
    ],
)
def test_pipfile_lock_wrong_shape(doc: str, expected: str) -> None:
    facts = parse_pipfile_lock("Pipfile.lock", doc)
    assert [e.message for e in facts.errors] == [expected]
    assert all(e.kind == "parse-error" for e in facts.errors)


# --------------------------------------------------------------------------- poetry.lock

POETRY_LOCK = text(
    """
    # This file is automatically @generated by Poetry 1.8.3 and should not be changed by hand.

    [[package]]
    name = "anyio"
    version = "4.4.0"
    description = "High level compatibility layer for asynchronous event loops"
    optional = false
    python-versions = ">=3.8"
    files = [
        {file = "anyio-4.4.0-py3-none-any.whl", hash = "sha256:@HASH@"},
        {file = "anyio-4.4.0.tar.gz", hash = "sha256:@HASH@"},
    ]

    [package.dependencies]
    idna = ">=2.8"
    sniffio = ">=1.1"

    [package.extras]
    trio = ["trio (>=0.23)"]

    [[package]]
    name = "langchain"
    version = "0.2.6"
    description = "Building applications with LLMs through composability"
    optional = false
    python-versions = ">=3.8.1,<4.0"
    files = []
    develop = false

    [package.dependencies]
    pydantic = ">=1,<3"

    [package.source]
    type = "git"
    url = "https://github.com/langchain-ai/langchain.git"
    reference = "master"
    resolved_reference = "@SHA@"
    subdirectory = "libs/langchain"

    [[package]]
    name = "numpy"
    version = "1.26.4"
    description = "Fundamental package for array computing in Python"
    optional = false
    python-versions = ">=3.9"
    files = []

    [[package]]
    name = "private-tools"
    version = "0.3.1"
    description = ""
    optional = false
    python-versions = "*"
    files = [
        {file = "private_tools-0.3.1.tar.gz", hash = "sha256:@HASH@"},
    ]

    [package.source]
    type = "url"
    url = "https://example.com/private_tools-0.3.1.tar.gz"

    [[package]]
    name = "mylib"
    version = "0.1.0"
    description = ""
    optional = false
    python-versions = "^3.10"
    files = []
    develop = true

    [package.source]
    type = "directory"
    url = "../mylib"

    [metadata]
    lock-version = "2.0"
    python-versions = "^3.10"
    content-hash = "0f1e2d3c"
    """
)


def test_poetry_lock_packages_and_lines() -> None:
    facts = parse_poetry_lock("poetry.lock", POETRY_LOCK)
    assert facts.errors == []
    src, path = "poetry.lock", "poetry.lock"
    assert facts.dependencies == [
        locked(
            "anyio", "4.4.0", 3, src, path, hashes=True, requires=("idna", "sniffio", "trio/trio")
        ),
        locked(
            "langchain",
            "0.2.6",
            21,
            src,
            path,
            kind="vcs",
            url="https://github.com/langchain-ai/langchain.git",
            ref=SHA,
            requires=("pydantic",),
        ),
        locked("numpy", "1.26.4", 40, src, path),
        locked(
            "private-tools",
            "0.3.1",
            48,
            src,
            path,
            kind="url",
            url="https://example.com/private_tools-0.3.1.tar.gz",
            hashes=True,
        ),
        locked("mylib", "0.1.0", 62, src, path, kind="path", url="../mylib", editable=True),
    ]


def test_poetry_lock_old_format_hashes_in_metadata_files() -> None:
    doc = text(
        """
        [[package]]
        name = "six"
        version = "1.16.0"
        category = "main"

        [[package]]
        name = "toml"
        version = "0.10.2"
        category = "dev"

        [metadata]
        lock-version = "1.1"

        [metadata.files]
        six = [
            {file = "six-1.16.0.tar.gz", hash = "sha256:@HASH@"},
        ]
        toml = []
        """
    )
    facts = parse_poetry_lock("poetry.lock", doc)
    assert facts.errors == []
    assert [(d.name, d.line, d.hashes, d.group) for d in facts.dependencies] == [
        ("six", 1, True, "locked"),
        ("toml", 6, False, "locked"),
    ]


def test_poetry_lock_malformed_toml() -> None:
    bad = '[[package]]\nname = "anyio"\nversion = 4.4.0"\n'
    error = one_error(parse_poetry_lock("poetry.lock", bad))
    assert error.message.startswith("invalid TOML: ")
    assert "line 3" in error.message and "column" in error.message


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            'x = 1\npackage = "x"\n',
            "package (line 2): expected an array of tables [[package]], got a string",
        ),
        (
            'package = [\n  1,\n  {name = "ok", version = "1"},\n]\n',
            "[[package]] #1 (line 2): expected a table, got an integer",
        ),
        (
            '[[package]]\nversion = "1.0"\n',
            "[[package]] #1 (line 1): 'name' should be a non-empty string, got null",
        ),
        (
            '[[package]]\nname = "a"\nversion = "1"\nsource = "git"\n',
            "[[package]] a (line 1): 'source' should be a table, got a string",
        ),
    ],
)
def test_poetry_lock_wrong_shape(doc: str, expected: str) -> None:
    facts = parse_poetry_lock("poetry.lock", doc)
    assert [e.message for e in facts.errors] == [expected]
    assert all(e.kind == "parse-error" for e in facts.errors)


def test_poetry_lock_inline_package_array_uses_element_lines() -> None:
    doc = 'package = [\n  {name = "a", version = "1"},\n  {name = "b", version = "2"},\n]\n'
    facts = parse_poetry_lock("poetry.lock", doc)
    assert [(d.name, d.line) for d in facts.dependencies] == [("a", 2), ("b", 3)]


# --------------------------------------------------------------------------- uv.lock

UV_LOCK = text(
    """
    version = 1
    requires-python = ">=3.11"

    [[package]]
    name = "certifi"
    version = "2024.7.4"
    source = { registry = "https://pypi.org/simple" }
    sdist = { url = "@PYPI@/certifi-2024.7.4.tar.gz", hash = "sha256:@HASH@", size = 164065 }
    wheels = [
        { url = "@PYPI@/certifi-2024.7.4-py3-none-any.whl", hash = "sha256:@HASH@", size = 162960 },
    ]

    [[package]]
    name = "ragapp"
    version = "0.1.0"
    source = { editable = "." }
    dependencies = [
        { name = "certifi" },
        { name = "tokenizers" },
    ]

    [package.metadata]
    requires-dist = [{ name = "certifi" }]

    [[package]]
    name = "tokenizers"
    version = "0.19.1"
    source = { git = "https://github.com/huggingface/tokenizers?rev=main#@SHA@" }

    [[package]]
    name = "vendored-wheel"
    version = "1.0.0"
    source = { url = "https://example.com/vw-1.0.0-py3-none-any.whl" }
    wheels = [
        { url = "https://example.com/vw-1.0.0-py3-none-any.whl", hash = "sha256:@HASH@" },
    ]

    [[package]]
    name = "shared"
    version = "0.2.0"
    source = { editable = "packages/shared" }

    [[package]]
    name = "unhashed"
    version = "3.1"
    source = { registry = "https://internal.example.com/simple" }
    sdist = { url = "https://internal.example.com/unhashed-3.1.tar.gz" }
    """
)


def test_uv_lock_packages_and_lines() -> None:
    facts = parse_uv_lock("uv.lock", UV_LOCK)
    assert facts.errors == []
    src, path = "uv.lock", "uv.lock"
    assert facts.dependencies == [
        locked("certifi", "2024.7.4", 4, src, path, hashes=True),
        locked(
            "tokenizers",
            "0.19.1",
            25,
            src,
            path,
            kind="vcs",
            url="https://github.com/huggingface/tokenizers",
            ref=SHA,
        ),
        locked(
            "vendored-wheel",
            "1.0.0",
            30,
            src,
            path,
            kind="url",
            url="https://example.com/vw-1.0.0-py3-none-any.whl",
            hashes=True,
        ),
        locked(
            "shared",
            "0.2.0",
            38,
            src,
            path,
            kind="path",
            url="packages/shared",
            editable=True,
        ),
        locked("unhashed", "3.1", 43, src, path),
    ]


def test_uv_lock_skips_virtual_root_and_reads_path_sources() -> None:
    doc = text(
        """
        version = 1

        [[package]]
        name = "workspace-root"
        version = "0.0.0"
        source = { virtual = "." }

        [[package]]
        name = "local-wheel"
        version = "2.0"
        source = { path = "dist/local_wheel-2.0-py3-none-any.whl" }

        [[package]]
        name = "local-dir"
        version = "0.5"
        source = { directory = "../local-dir" }
        """
    )
    facts = parse_uv_lock("sub/uv.lock", doc)
    assert facts.errors == []
    assert [(d.name, d.kind, d.url, d.line, d.editable) for d in facts.dependencies] == [
        ("local-wheel", "path", "dist/local_wheel-2.0-py3-none-any.whl", 8, False),
        ("local-dir", "path", "../local-dir", 13, False),
    ]


def test_uv_lock_malformed_toml() -> None:
    bad = 'version = 1\n\n[[package]\nname = "x"\n'
    error = one_error(parse_uv_lock("uv.lock", bad))
    assert error.message.startswith("invalid TOML: ")
    assert "line 3" in error.message and "column" in error.message


def test_uv_lock_wrong_shape() -> None:
    error = one_error(parse_uv_lock("uv.lock", 'version = 1\npackage = "x"\n'))
    assert error.message == (
        "package (line 2): expected an array of tables [[package]], got a string"
    )


# --------------------------------------------------------------------------- pylock.toml

PYLOCK = text(
    """
    lock-version = "1.0"
    environments = ["sys_platform == 'linux'"]
    requires-python = ">=3.12"
    created-by = "mousebender"

    [[packages]]
    name = "attrs"
    version = "25.1.0"
    requires-python = ">=3.8"
    index = "https://pypi.org/simple"

    [[packages.wheels]]
    name = "attrs-25.1.0-py3-none-any.whl"
    upload-time = 2025-01-25T11:30:10.164985+00:00
    url = "@PYPI@/attrs-25.1.0-py3-none-any.whl"
    size = 63152
    hashes = {sha256 = "@HASH@"}

    [[packages]]
    name = "pip"

    [packages.vcs]
    type = "git"
    url = "https://github.com/pypa/pip.git"
    requested-revision = "main"
    commit-id = "@SHA@"

    [[packages]]
    name = "numpy"
    version = "2.2.3"
    marker = "python_version >= '3.12'"
    sdist = {name = "numpy-2.2.3.tar.gz", url = "@PYPI@/numpy-2.2.3.tar.gz", hashes = {}}

    [[packages]]
    name = "vendored"
    version = "1.4"
    [packages.archive]
    url = "https://example.com/vendored-1.4.tar.gz"
    hashes = {sha256 = "@HASH@"}

    [[packages]]
    name = "app"
    directory = {path = "./app", editable = true}

    [tool.mousebender]
    note = "ignored"
    """
)


def test_pylock_packages_and_lines() -> None:
    facts = parse_pylock("pylock.toml", PYLOCK)
    assert facts.errors == []
    src, path = "pylock", "pylock.toml"
    assert facts.dependencies == [
        locked("attrs", "25.1.0", 6, src, path, hashes=True),
        locked(
            "pip",
            None,
            19,
            src,
            path,
            kind="vcs",
            url="https://github.com/pypa/pip.git",
            ref=SHA,
        ),
        locked("numpy", "2.2.3", 28, src, path, marker="python_version >= '3.12'"),
        locked(
            "vendored",
            "1.4",
            34,
            src,
            path,
            kind="url",
            url="https://example.com/vendored-1.4.tar.gz",
            hashes=True,
        ),
        locked(
            "app",
            None,
            41,
            src,
            path,
            kind="path",
            url="./app",
            editable=True,
            pinned=False,
        ),
    ]


def test_pylock_malformed_toml() -> None:
    bad = 'lock-version = "1.0"\n[[packages]]\nname = "attrs\n'
    error = one_error(parse_pylock("pylock.toml", bad))
    assert error.message.startswith("invalid TOML: ")
    assert "line 3" in error.message and "column" in error.message


def test_pylock_wrong_shape() -> None:
    facts = parse_pylock("pylock.toml", '[[packages]]\nname = ["a"]\n\n[[packages]]\nname = "b"\n')
    assert [e.message for e in facts.errors] == [
        "[[packages]] #1 (line 1): 'name' should be a non-empty string, got an array"
    ]
    assert [(d.name, d.line, d.version, d.pinned) for d in facts.dependencies] == [
        ("b", 4, None, False)
    ]


def test_pylock_reads_packages_not_package() -> None:
    facts = parse_pylock("pylock.toml", '[[package]]\nname = "a"\nversion = "1"\n')
    assert facts == ManifestFacts()


# --------------------------------------------------------------------------- all parsers


@pytest.mark.parametrize("parse", PARSERS)
def test_empty_text_is_no_packages(parse: Callable[[str, str], ManifestFacts]) -> None:
    facts = parse("lock", "{}" if parse is parse_pipfile_lock else "")
    assert facts == ManifestFacts()


@pytest.mark.parametrize("parse", PARSERS)
def test_bom_is_accepted(parse: Callable[[str, str], ManifestFacts]) -> None:
    doc = {
        parse_pipfile_lock: '{"default": {\n"a": {"version": "==1"}}}',
        parse_poetry_lock: '[[package]]\nname = "a"\nversion = "1"\n',
        parse_uv_lock: '[[package]]\nname = "a"\nversion = "1"\n',
        parse_pylock: '[[packages]]\nname = "a"\nversion = "1"\n',
    }[parse]
    facts = parse("lock", "\ufeff" + doc)
    assert facts.errors == []
    assert [(d.name, d.version, d.line) for d in facts.dependencies] == [
        ("a", "1", 2 if parse is parse_pipfile_lock else 1)
    ]


@pytest.mark.parametrize("parse", PARSERS)
def test_deep_nesting_is_an_error_not_a_crash(parse: Callable[[str, str], ManifestFacts]) -> None:
    doc = "[" * 100_000 if parse is parse_pipfile_lock else "x = " + "[" * 100_000
    facts = parse("lock", doc)
    assert facts.dependencies == []
    assert len(facts.errors) == 1 and facts.errors[0].kind == "parse-error"


LOCK_ALPHABET = st.sampled_from(list('[]{}",=.#\n \'"\\:0123456789abcnpvsourcekgit@+/'))
LOCK_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=LOCK_ALPHABET, max_size=200),
    st.sampled_from([PIPFILE_LOCK, POETRY_LOCK, UV_LOCK, PYLOCK]).flatmap(
        lambda doc: st.integers(0, len(doc)).map(lambda cut: doc[:cut])
    ),
    # A real lock with a few characters spliced in somewhere.
    st.tuples(
        st.sampled_from([PIPFILE_LOCK, POETRY_LOCK, UV_LOCK, PYLOCK]),
        st.integers(0, 3000),
        st.text(alphabet=LOCK_ALPHABET, max_size=8),
    ).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=LOCK_TEXT)
def test_parsers_never_raise(source: str) -> None:
    for parse in PARSERS:
        facts = parse("lock", source)
        assert isinstance(facts, ManifestFacts)
        assert all(e.kind == "parse-error" and e.path == "lock" for e in facts.errors)
        for dep in facts.dependencies:
            assert dep.line >= 1 and dep.group == "locked" and dep.path == "lock"
