"""Manifest parsers: pyproject.toml (PEP 621, PEP 735, Poetry, uv), setup.cfg,
Pipfile and pip.conf, with the line of every dependency and index."""

from __future__ import annotations

from collections.abc import Callable
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.model import Dependency, Include, IndexOption, ManifestFacts, ScanError
from auditor.scanners.manifests import (
    TomlLines,
    parse_pip_conf,
    parse_pipfile,
    parse_pyproject,
    parse_setup_cfg,
)

PARSERS = (parse_pyproject, parse_setup_cfg, parse_pipfile, parse_pip_conf)


def text(source: str) -> str:
    return dedent(source).lstrip("\n")


def by_name(facts: ManifestFacts) -> dict[str, Dependency]:
    return {dep.name: dep for dep in facts.dependencies}


# --------------------------------------------------------------------------- TomlLines

LINES_DOC = text(
    """
    # a comment with "quotes" and [brackets]
    title = 'x'   # trailing

    [project]
    dependencies = [
        "requests>=2.31",  # http client
        'numpy==1.26.4',

        # "not-a-dependency"
        "rich",
    ]
    description = '''
    [not.a.table]
    "still text"
    '''
    optional-dependencies.docs = ["sphinx", "furo"]
    inline = { a = 1, "quoted key" = ["x",
        "y"] }

    [tool.poetry.dependencies]
    "quoted.name" = "^1"
    plain = { version = "2" }

    [[tool.poetry.source]]
    name = "one"
    url = "https://one.example/simple"

    [[tool.poetry.source]]
    name = "two"
    url = "https://two.example/simple"

    [tool.poetry.source.extra]
    note = "belongs to the second source"
    """
)


def test_toml_lines_array_elements_across_lines_and_quotes() -> None:
    lines = TomlLines(LINES_DOC)
    assert lines.elements[("project", "dependencies")] == [6, 7, 10]
    assert lines.line(("project", "dependencies"), 0) == 6
    assert lines.line(("project", "dependencies"), 1) == 7
    assert lines.line(("project", "dependencies"), 2) == 10
    assert lines.line(("project", "dependencies")) == 5


def test_toml_lines_keys_headers_and_multiline_strings() -> None:
    lines = TomlLines(LINES_DOC)
    assert lines.line(("title",)) == 2
    assert lines.line(("project",)) == 4
    assert lines.line(("project", "description")) == 12
    # the text inside the multi-line string is not a table
    assert ("not", "a", "table") not in lines.headers
    assert lines.line(("project", "optional-dependencies", "docs"), 1) == 16
    assert lines.line(("project", "inline", "quoted key"), 1) == 18
    assert lines.line(("tool", "poetry", "dependencies", "quoted.name")) == 21
    assert lines.line(("tool", "poetry", "dependencies", "plain", "version")) == 22


def test_toml_lines_arrays_of_tables_and_fallbacks() -> None:
    lines = TomlLines(LINES_DOC)
    assert lines.line(("tool", "poetry", "source", "[0]", "url")) == 26
    assert lines.line(("tool", "poetry", "source", "[1]", "url")) == 30
    assert lines.line(("tool", "poetry", "source", "[1]", "extra", "note")) == 33
    # unknown key: the enclosing table's header; unknown element: the key's line
    assert lines.line(("tool", "poetry", "dependencies", "missing")) == 20
    assert lines.line(("project", "dependencies"), 9) == 5
    assert lines.line(("nowhere", "at", "all")) == 1


def test_toml_lines_dotted_keys_and_bom() -> None:
    doc = '\ufeffproject.name = "x"\nproject.dependencies = [\n  "a",\n  "b" ]\n'
    lines = TomlLines(doc)
    assert lines.line(("project", "name")) == 1
    assert lines.line(("project", "dependencies"), 1) == 4


def test_toml_lines_escapes_crlf_and_closing_quotes() -> None:
    doc = (
        '[tool.poetry.dependencies]\r\n"we\\"ird" = "^1"\r\nnext = """a""""\r\n'
        "last = '''x'''''\r\n\"\\u0061bc\" = \"2\"\r\n"
        '[project]\r\ndependencies = ["x\\"y", "z",\r\n  "w"]\r\n'
    )
    lines = TomlLines(doc)
    table = ("tool", "poetry", "dependencies")
    assert [lines.line((*table, key)) for key in ('we"ird', "next", "last", "abc")] == [2, 3, 4, 5]
    assert lines.elements[("project", "dependencies")] == [7, 7, 8]
    facts = parse_pyproject("p", doc)
    assert [(d.name, d.line) for d in facts.dependencies if d.source == "pyproject"] == [
        ("z", 7),
        ("w", 8),
    ]
    assert [(d.name, d.line) for d in facts.dependencies if d.source == "poetry"] == [
        ('we"ird', 2),
        ("next", 3),
        ("last", 4),
        ("abc", 5),
    ]


# --------------------------------------------------------------------------- PEP 621 / 735

PEP621 = text(
    """
    [build-system]
    requires = ["setuptools>=68"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "support-bot"
    version = "0.3.0"
    dependencies = [
        "openai>=1.30,<2",
        "langchain-core==0.2.5",
        'pydantic[email]>=2.7; python_version >= "3.9"',
        "tiktoken===0.7.0",
        "chromadb==0.5.*",
        "private-lib @ git+https://github.com/acme/private-lib.git@3f2c1ab",
        "wheel-dep @ https://files.example.com/wheel_dep-1.0-py3-none-any.whl#sha256=abc123",
        "other-archive @ https://files.example.com/other-1.0.tar.gz",
    ]

    [project.optional-dependencies]
    pdf = [
        "pypdf>=4",
    ]
    ui = ["gradio>=4.0", "streamlit"]

    [dependency-groups]
    test = [
        "pytest>=8",
        {include-group = "lint"},
        "hypothesis",
    ]
    lint = ["ruff==0.6.9"]
    """
)


def test_pep621_main_dependencies() -> None:
    facts = parse_pyproject("pyproject.toml", PEP621)
    assert facts.errors == []
    deps = by_name(facts)
    assert deps["openai"] == Dependency(
        name="openai",
        specifier="<2,>=1.30",
        version=None,
        pinned=False,
        kind="pypi",
        path="pyproject.toml",
        line=9,
        source="pyproject",
        group="main",
    )
    assert deps["langchain-core"] == Dependency(
        name="langchain-core",
        specifier="==0.2.5",
        version="0.2.5",
        pinned=True,
        kind="pypi",
        path="pyproject.toml",
        line=10,
        source="pyproject",
    )
    assert deps["pydantic"] == Dependency(
        name="pydantic",
        specifier=">=2.7",
        version=None,
        pinned=False,
        kind="pypi",
        path="pyproject.toml",
        line=11,
        source="pyproject",
        extras=("email",),
        marker='python_version >= "3.9"',
    )
    assert (deps["tiktoken"].pinned, deps["tiktoken"].version) == (True, "0.7.0")
    assert (deps["chromadb"].pinned, deps["chromadb"].version) == (False, None)
    assert deps["chromadb"].line == 13


def test_pep621_vcs_and_url_requirements() -> None:
    deps = by_name(parse_pyproject("pyproject.toml", PEP621))
    assert deps["private-lib"] == Dependency(
        name="private-lib",
        specifier="",
        version=None,
        pinned=False,
        kind="vcs",
        path="pyproject.toml",
        line=14,
        source="pyproject",
        url="git+https://github.com/acme/private-lib.git",
        ref="3f2c1ab",
    )
    wheel = deps["wheel-dep"]
    assert (wheel.kind, wheel.hashes, wheel.ref, wheel.line) == ("url", True, None, 15)
    assert wheel.url == ("https://files.example.com/wheel_dep-1.0-py3-none-any.whl#sha256=abc123")
    other = deps["other-archive"]
    assert (other.kind, other.hashes, other.line) == ("url", False, 16)


def test_pep621_optional_dependencies_and_groups() -> None:
    facts = parse_pyproject("pyproject.toml", PEP621)
    rest = [
        (d.name, d.group, d.line, d.specifier, d.source)
        for d in facts.dependencies
        if d.group != "main"
    ]
    assert rest == [
        ("pypdf", "optional:pdf", 21, ">=4", "pyproject"),
        ("gradio", "optional:ui", 23, ">=4.0", "pyproject"),
        ("streamlit", "optional:ui", 23, "", "pyproject"),
        ("pytest", "group:test", 27, ">=8", "pyproject"),
        ("hypothesis", "group:test", 29, "", "pyproject"),
        ("ruff", "group:lint", 31, "==0.6.9", "pyproject"),
    ]
    assert by_name(facts)["ruff"].pinned is True
    assert facts.indexes == []


def test_pep621_vcs_ref_with_ssh_user_and_fragment() -> None:
    doc = text(
        """
        [project]
        dependencies = [
          "a @ git+ssh://git@github.com/acme/a.git",
          "b @ git+https://github.com/acme/b.git@v1.2.0#subdirectory=pkg",
        ]
        """
    )
    deps = by_name(parse_pyproject("p/pyproject.toml", doc))
    assert (deps["a"].url, deps["a"].ref) == ("git+ssh://git@github.com/acme/a.git", None)
    assert (deps["b"].url, deps["b"].ref) == (
        "git+https://github.com/acme/b.git#subdirectory=pkg",
        "v1.2.0",
    )
    assert (deps["a"].line, deps["b"].line, deps["a"].path) == (3, 4, "p/pyproject.toml")


def test_not_pep508_is_one_error_and_the_rest_is_parsed() -> None:
    doc = text(
        """
        [project]
        name = "x"
        dependencies = [
            "requests >>= 2",
            "rich>=13",
        ]
        """
    )
    facts = parse_pyproject("pyproject.toml", doc)
    assert [(d.name, d.line) for d in facts.dependencies] == [("rich", 5)]
    assert len(facts.errors) == 1
    error = facts.errors[0]
    assert (error.path, error.kind) == ("pyproject.toml", "parse-error")
    assert error.message.startswith(
        "[project] dependencies line 4: invalid requirement 'requests >>= 2'"
    )


def test_malformed_toml_is_one_error_with_line_and_column() -> None:
    doc = '[project]\nname = "x"\ndependencies = ["a",\n[tool.x]\n'
    for parser in (parse_pyproject, parse_pipfile):
        facts = parser("bad.toml", doc)
        assert facts.dependencies == [] and facts.indexes == []
        assert len(facts.errors) == 1
        error = facts.errors[0]
        assert (error.path, error.kind) == ("bad.toml", "parse-error")
        assert error.message.startswith("invalid TOML: ")
        assert "line 4, column" in error.message


def test_non_table_where_a_table_is_expected() -> None:
    facts = parse_pyproject("pyproject.toml", '[project]\ndependencies = "requests"\n')
    assert facts.dependencies == []
    assert facts.errors == [
        ScanError(
            "pyproject.toml",
            "parse-error",
            "[project] dependencies (line 2): expected an array of requirement strings, "
            "got a string",
        )
    ]
    facts = parse_pyproject("pyproject.toml", 'project = "x"\ntool = 3\n')
    assert [e.message for e in facts.errors] == [
        "[project] (line 1): expected a table, got a string",
        "[tool] (line 2): expected a table, got an integer",
    ]
    facts = parse_pyproject(
        "pyproject.toml", '[project]\noptional-dependencies = ["a"]\ndependencies = [1, "b"]\n'
    )
    assert [d.name for d in facts.dependencies] == ["b"]
    assert [e.message for e in facts.errors] == [
        "[project] dependencies line 3: expected a requirement string, got an integer",
        "[project.optional-dependencies] (line 2): expected a table, got an array",
    ]


def test_empty_and_unrelated_pyproject() -> None:
    assert parse_pyproject("pyproject.toml", "") == ManifestFacts()
    assert parse_pyproject("pyproject.toml", "[tool.ruff]\nline-length = 100\n") == (
        ManifestFacts()
    )


# --------------------------------------------------------------------------- Poetry

POETRY = text(
    """
    [tool.poetry]
    name = "rag-service"
    version = "1.0.0"

    [tool.poetry.dependencies]
    python = "^3.10"
    requests = "^2.31"
    fastapi = "~0.110"
    numpy = ">=1,<2"
    httpx = "0.27.0"
    orjson = "==3.10.3"
    anyio = "*"
    uvicorn = { version = "^0.29", extras = ["standard"], markers = "sys_platform != 'win32'" }
    reportlab = { version = "^4.1", optional = true }
    acme-sdk = { git = "https://github.com/acme/sdk.git", tag = "v2.0.0" }
    acme-utils = { git = "https://github.com/acme/utils.git" }
    shared = { path = "../shared", develop = true }
    tarball = { url = "https://example.com/tarball-1.0.tar.gz" }

    [tool.poetry.extras]
    pdf = ["reportlab"]

    [tool.poetry.dev-dependencies]
    black = "24.4.2"

    [tool.poetry.group.test.dependencies]
    pytest = "^8.2"
    pytest-cov = { version = "5.0.0" }

    [tool.poetry.group.docs]
    optional = true

    [tool.poetry.group.docs.dependencies]
    mkdocs = "1.6.*"

    [[tool.poetry.source]]
    name = "internal"
    url = "https://pypi.internal.example/simple/"
    priority = "supplemental"

    [[tool.poetry.source]]
    name = "PyPI"
    priority = "primary"
    """
)


def test_poetry_constraint_strings() -> None:
    facts = parse_pyproject("svc/pyproject.toml", POETRY)
    assert facts.errors == []
    deps = by_name(facts)
    assert "python" not in deps
    assert deps["requests"] == Dependency(
        name="requests",
        specifier="^2.31",
        version=None,
        pinned=False,
        kind="pypi",
        path="svc/pyproject.toml",
        line=7,
        source="poetry",
    )
    table = [
        (d.name, d.specifier, d.pinned, d.version, d.line)
        for d in facts.dependencies
        if d.name in {"fastapi", "numpy", "httpx", "orjson", "anyio"}
    ]
    assert table == [
        ("fastapi", "~0.110", False, None, 8),
        ("numpy", ">=1,<2", False, None, 9),
        ("httpx", "0.27.0", True, "0.27.0", 10),
        ("orjson", "==3.10.3", True, "3.10.3", 11),
        ("anyio", "*", False, None, 12),
    ]


def test_poetry_tables_git_path_url() -> None:
    deps = by_name(parse_pyproject("svc/pyproject.toml", POETRY))
    assert deps["uvicorn"] == Dependency(
        name="uvicorn",
        specifier="^0.29",
        version=None,
        pinned=False,
        kind="pypi",
        path="svc/pyproject.toml",
        line=13,
        source="poetry",
        extras=("standard",),
        marker="sys_platform != 'win32'",
    )
    assert (deps["reportlab"].group, deps["reportlab"].line) == ("optional:pdf", 14)
    assert deps["acme-sdk"] == Dependency(
        name="acme-sdk",
        specifier="",
        version=None,
        pinned=False,
        kind="vcs",
        path="svc/pyproject.toml",
        line=15,
        source="poetry",
        url="https://github.com/acme/sdk.git",
        ref="v2.0.0",
    )
    assert (deps["acme-utils"].kind, deps["acme-utils"].ref) == ("vcs", None)
    shared = deps["shared"]
    assert (shared.kind, shared.url, shared.editable, shared.line) == (
        "path",
        "../shared",
        True,
        17,
    )
    tarball = deps["tarball"]
    assert (tarball.kind, tarball.url, tarball.hashes, tarball.line) == (
        "url",
        "https://example.com/tarball-1.0.tar.gz",
        False,
        18,
    )


def test_poetry_groups_dev_and_source() -> None:
    facts = parse_pyproject("svc/pyproject.toml", POETRY)
    grouped = [
        (d.name, d.group, d.line, d.pinned, d.version)
        for d in facts.dependencies
        if not d.group.startswith(("main", "optional"))
    ]
    assert grouped == [
        ("black", "dev", 24, True, "24.4.2"),
        ("pytest", "group:test", 27, False, None),
        ("pytest-cov", "group:test", 28, True, "5.0.0"),
        ("mkdocs", "group:docs", 34, False, None),
    ]
    assert all(d.source == "poetry" for d in facts.dependencies)
    assert facts.indexes == [
        IndexOption(
            "svc/pyproject.toml",
            38,
            "poetry-source:supplemental",
            "https://pypi.internal.example/simple/",
        )
    ]


def test_poetry_bad_values_are_errors() -> None:
    doc = text(
        """
        [tool.poetry.dependencies]
        good = "^1"
        bad = 3
        multi = [
          { version = "<2", python = "<3.8" },
          { version = "^2", python = ">=3.8" },
        ]
        """
    )
    facts = parse_pyproject("pyproject.toml", doc)
    assert [(d.name, d.specifier, d.line) for d in facts.dependencies] == [
        ("good", "^1", 2),
        ("multi", "<2", 4),
        ("multi", "^2", 4),
    ]
    assert [e.message for e in facts.errors] == [
        "[tool.poetry.dependencies] bad line 3: expected a version constraint or a table, "
        "got an integer"
    ]


# --------------------------------------------------------------------------- uv

UV = text(
    """
    [project]
    name = "embedder"
    dependencies = [
        "torch>=2.3",
        "acme-embed",
        "Local_Pkg",
        "tarball-pkg",
        "httpx>=0.27",
    ]

    [tool.uv]
    index-url = "https://mirror.example/simple"
    extra-index-url = [
        "https://extra-one.example/simple",
        "https://extra-two.example/simple",
    ]

    [tool.uv.sources]
    acme-embed = { git = "https://github.com/acme/embed", rev = "9a1b2c3d" }
    local-pkg = { path = "packages/local", editable = true }
    tarball-pkg = { url = "https://example.com/t-1.0.tar.gz#sha256=deadbeef" }
    torch = { index = "pytorch" }

    [[tool.uv.index]]
    name = "pytorch"
    url = "https://download.pytorch.org/whl/cpu"
    explicit = true
    """
)


def test_uv_sources_change_kind_url_and_ref() -> None:
    facts = parse_pyproject("pyproject.toml", UV)
    assert facts.errors == []
    deps = by_name(facts)
    assert deps["acme-embed"] == Dependency(
        name="acme-embed",
        specifier="",
        version=None,
        pinned=False,
        kind="vcs",
        path="pyproject.toml",
        line=5,
        source="pyproject",
        url="https://github.com/acme/embed",
        ref="9a1b2c3d",
    )
    local = deps["Local_Pkg"]  # matched by normalized name, kept as written
    assert (local.kind, local.url, local.editable, local.line) == (
        "path",
        "packages/local",
        True,
        6,
    )
    tarball = deps["tarball-pkg"]
    assert (tarball.kind, tarball.hashes, tarball.line) == ("url", True, 7)
    # a named index does not change the kind; unmatched dependencies are untouched
    assert (deps["torch"].kind, deps["torch"].url) == ("pypi", None)
    assert (deps["httpx"].kind, deps["httpx"].line) == ("pypi", 8)


def test_uv_indexes() -> None:
    facts = parse_pyproject("pyproject.toml", UV)
    assert facts.indexes == [
        IndexOption("pyproject.toml", 26, "uv-index", "https://download.pytorch.org/whl/cpu"),
        IndexOption("pyproject.toml", 12, "index-url", "https://mirror.example/simple"),
        IndexOption("pyproject.toml", 14, "extra-index-url", "https://extra-one.example/simple"),
        IndexOption("pyproject.toml", 15, "extra-index-url", "https://extra-two.example/simple"),
    ]


def test_uv_source_applies_to_dependency_groups_too() -> None:
    doc = text(
        """
        [dependency-groups]
        dev = ["devtool"]

        [tool.uv.sources]
        devtool = [{ git = "https://github.com/acme/devtool", branch = "main" }]
        """
    )
    (dep,) = parse_pyproject("pyproject.toml", doc).dependencies
    assert (dep.group, dep.kind, dep.ref, dep.line) == ("group:dev", "vcs", "main", 2)


# --------------------------------------------------------------------------- setup.cfg

SETUP_CFG = text(
    """
    [metadata]
    name = legacy-app
    description = Uses %(name)s interpolation that must not be expanded

    [options]
    packages = find:
    install_requires =
        requests>=2.31
        # a comment line
        numpy==1.26.4 ; python_version >= "3.9"
        click  # inline comment
        vendored @ https://example.com/vendored-1.0.tar.gz#sha256=0123

    [options.extras_require]
    docs =
        sphinx>=7
        furo==2024.5.6
    openai = openai>=1.30; tiktoken

    [flake8]
    max-line-length = 100
    """
)


def test_setup_cfg_install_requires() -> None:
    facts = parse_setup_cfg("setup.cfg", SETUP_CFG)
    assert facts.errors == []
    main = [d for d in facts.dependencies if d.group == "main"]
    assert main[0] == Dependency(
        name="requests",
        specifier=">=2.31",
        version=None,
        pinned=False,
        kind="pypi",
        path="setup.cfg",
        line=8,
        source="setup.cfg",
    )
    assert main[1] == Dependency(
        name="numpy",
        specifier="==1.26.4",
        version="1.26.4",
        pinned=True,
        kind="pypi",
        path="setup.cfg",
        line=10,
        source="setup.cfg",
        marker='python_version >= "3.9"',
    )
    assert (main[2].name, main[2].line) == ("click", 11)
    assert (main[3].name, main[3].kind, main[3].hashes, main[3].line) == (
        "vendored",
        "url",
        True,
        12,
    )
    assert len(main) == 4


def test_setup_cfg_extras() -> None:
    facts = parse_setup_cfg("setup.cfg", SETUP_CFG)
    extras = [
        (d.name, d.group, d.line, d.pinned, d.source)
        for d in facts.dependencies
        if d.group != "main"
    ]
    assert extras == [
        ("sphinx", "optional:docs", 16, False, "setup.cfg"),
        ("furo", "optional:docs", 17, True, "setup.cfg"),
        # a one-line value is split on ';' (setuptools' list-semi)
        ("openai", "optional:openai", 18, False, "setup.cfg"),
        ("tiktoken", "optional:openai", 18, False, "setup.cfg"),
    ]


def test_setup_cfg_errors_and_file_directive() -> None:
    doc = text(
        """
        stray line before any section
        [options]
        install_requires =
            requests >>= 2
            rich
        [options.extras_require]
        dev = file: requirements-dev.txt
        """
    )
    facts = parse_setup_cfg("pkg/setup.cfg", doc)
    assert [(d.name, d.line) for d in facts.dependencies] == [("rich", 5)]
    assert facts.includes == [Include("pkg/setup.cfg", 7, "requirements-dev.txt")]
    assert [e.message.split(":")[0] for e in facts.errors] == [
        "invalid setup.cfg",
        "[options] install_requires line 4",
    ]
    assert "no section header" in facts.errors[0].message


# --------------------------------------------------------------------------- Pipfile

PIPFILE = text(
    """
    [[source]]
    url = "https://pypi.org/simple"
    verify_ssl = true
    name = "pypi"

    [[source]]
    url = "https://pkgs.internal.example/simple"
    verify_ssl = true
    name = "internal"

    [packages]
    requests = "*"
    flask = "==2.1"
    "llama-index" = {version = ">=0.10", extras = ["postgres", "openai"]}
    acme = {git = "https://github.com/acme/acme.git", ref = "a1b2c3d", editable = true}
    mylib = {path = ".", editable = true}
    wheelie = {file = "https://example.com/wheelie-1.0-py3-none-any.whl"}
    internal-tool = {version = "==1.4.0", index = "internal"}

    [dev-packages]
    pytest = ">=8"

    [requires]
    python_version = "3.11"
    """
)


def test_pipfile_packages() -> None:
    facts = parse_pipfile("Pipfile", PIPFILE)
    assert facts.errors == []
    deps = by_name(facts)
    assert deps["requests"] == Dependency(
        name="requests",
        specifier="",
        version=None,
        pinned=False,
        kind="pypi",
        path="Pipfile",
        line=12,
        source="pipfile",
    )
    assert (deps["flask"].specifier, deps["flask"].pinned, deps["flask"].version) == (
        "==2.1",
        True,
        "2.1",
    )
    assert deps["llama-index"] == Dependency(
        name="llama-index",
        specifier=">=0.10",
        version=None,
        pinned=False,
        kind="pypi",
        path="Pipfile",
        line=14,
        source="pipfile",
        extras=("openai", "postgres"),
    )
    assert deps["acme"] == Dependency(
        name="acme",
        specifier="",
        version=None,
        pinned=False,
        kind="vcs",
        path="Pipfile",
        line=15,
        source="pipfile",
        url="https://github.com/acme/acme.git",
        ref="a1b2c3d",
        editable=True,
    )
    assert (deps["mylib"].kind, deps["mylib"].url, deps["mylib"].line) == ("path", ".", 16)
    assert (deps["wheelie"].kind, deps["wheelie"].line) == ("url", 17)
    assert (deps["internal-tool"].pinned, deps["internal-tool"].line) == (True, 18)


def test_pipfile_dev_packages_and_private_source() -> None:
    facts = parse_pipfile("app/Pipfile", PIPFILE)
    dev = [(d.name, d.group, d.line) for d in facts.dependencies if d.group == "dev"]
    assert dev == [("pytest", "dev", 21)]
    assert facts.indexes == [
        IndexOption("app/Pipfile", 7, "source", "https://pkgs.internal.example/simple")
    ]


def test_pipfile_bad_values() -> None:
    doc = '[packages]\nok = "*"\nbad = ">>=1"\nworse = 3\n[dev-packages]\nx = "*"\n'
    facts = parse_pipfile("Pipfile", doc)
    assert [(d.name, d.group) for d in facts.dependencies] == [("ok", "main"), ("x", "dev")]
    assert [e.message for e in facts.errors] == [
        "[packages] bad line 3: invalid version specifier '>>=1'",
        "[packages] worse line 4: expected a version or a table, got an integer",
    ]
    facts = parse_pipfile("Pipfile", 'packages = ["requests"]\n')
    assert [e.message for e in facts.errors] == [
        "[packages] (line 1): expected a table, got an array"
    ]


# --------------------------------------------------------------------------- pip.conf

PIP_CONF = text(
    """
    [global]
    timeout = 60
    index-url = https://mirror.example/simple
    extra-index-url =
        https://extra-one.example/simple
        https://extra-two.example/simple https://extra-three.example/simple
    trusted-host = mirror.example

    ; a comment
    [install]
    find-links = /opt/wheels
    extra_index_url = https://install.example/simple

    [freeze]
    index-url = https://ignored.example/simple
    """
)


def test_pip_conf_indexes() -> None:
    facts = parse_pip_conf("pip.conf", PIP_CONF)
    assert facts.errors == []
    assert facts.dependencies == []
    assert facts.indexes == [
        IndexOption("pip.conf", 3, "index-url", "https://mirror.example/simple"),
        IndexOption("pip.conf", 5, "extra-index-url", "https://extra-one.example/simple"),
        IndexOption("pip.conf", 6, "extra-index-url", "https://extra-two.example/simple"),
        IndexOption("pip.conf", 6, "extra-index-url", "https://extra-three.example/simple"),
        IndexOption("pip.conf", 7, "trusted-host", "mirror.example"),
        IndexOption("pip.conf", 11, "find-links", "/opt/wheels"),
        IndexOption("pip.conf", 12, "extra-index-url", "https://install.example/simple"),
    ]


def test_pip_conf_malformed_lines_are_one_error() -> None:
    doc = "index-url = https://before.example\n[global]\nnot an option\nindex-url = https://ok\n"
    facts = parse_pip_conf("pip.ini", doc)
    assert facts.indexes == [IndexOption("pip.ini", 4, "index-url", "https://ok")]
    assert len(facts.errors) == 1
    assert facts.errors[0].message.startswith("invalid pip.conf: line 1: no section header")


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize(
    "doc",
    [
        "",
        "\ufeff",
        "[",
        "[[",
        '"""',
        "a = [" * 200,
        "a = [" * 5000,
        "x = {" * 5000,
        "[project]\ndependencies = [\n" + '"a",\n' * 2000 + "]\n",
        "\x00\x01\x02",
        "[global]\n\tindex-url\n",
    ],
)
def test_parsers_never_raise_on_edge_cases(
    parser: Callable[[str, str], ManifestFacts],
    doc: str,
) -> None:
    facts = parser("f", doc)
    assert isinstance(facts, ManifestFacts)
    assert all(isinstance(e, ScanError) and e.kind == "parse-error" for e in facts.errors)


TOML_ALPHABET = st.sampled_from(
    [*"[]{}=\"',.#\n \tabc-_01@;:<>=~^*", "\\", "'''", '"""', "\r\n", "é"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    noise=st.one_of(st.text(), st.lists(TOML_ALPHABET, max_size=80).map("".join)),
    prefix=st.sampled_from(
        ["", "[project]\ndependencies = [", "[tool.poetry.dependencies]\n", "[global]\n"]
    ),
)
def test_parsers_never_raise_on_arbitrary_text(noise: str, prefix: str) -> None:
    doc = prefix + noise
    for parser in PARSERS:
        facts = parser("x", doc)
        assert isinstance(facts, ManifestFacts)
        for dep in facts.dependencies:
            assert dep.line >= 1 and dep.path == "x"
        for index in facts.indexes:
            assert index.line >= 1
    TomlLines(doc).line(("project", "dependencies"), 0)
