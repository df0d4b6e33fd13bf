"""parse_requirements: pip's requirements format, read statically, never raising."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.model import Dependency, Include, IndexOption, ManifestFacts, ScanError
from auditor.scanners.requirements import MAX_ERRORS, parse_requirements

PATH = "requirements.txt"
SHA = "0123456789abcdef0123456789abcdef01234567"
HEX = "9" * 64


def dep(name: str, line: int, **fields: Any) -> Dependency:
    values: dict[str, Any] = {
        "specifier": "",
        "version": None,
        "pinned": False,
        "kind": "pypi",
        "path": PATH,
        "source": "requirements",
        "group": "main",
    }
    values.update(fields)
    return Dependency(name=name, line=line, **values)


def pin(name: str, version: str, line: int, **fields: Any) -> Dependency:
    values: dict[str, Any] = {"specifier": f"=={version}", "version": version, "pinned": True}
    values.update(fields)
    return dep(name, line, **values)


def parse(text: str) -> ManifestFacts:
    return parse_requirements(PATH, text)


def only_dep(text: str) -> Dependency:
    facts = parse(text)
    assert facts.errors == [] and facts.indexes == [] and facts.includes == []
    assert len(facts.dependencies) == 1, facts.dependencies
    return facts.dependencies[0]


# --- one case per feature, each with its exact line --------------------------------------

CASES: list[tuple[str, str, Dependency]] = [
    ("plain name", "# app\n\nrequests\n", dep("requests", 3)),
    ("lower bound", "\n\nhttpx>=0.27\n", dep("httpx", 3, specifier=">=0.27")),
    ("pin keeps case", "\nDjango==4.2.7\n", pin("Django", "4.2.7", 2)),
    (
        "arbitrary equality",
        "legacy===1.0-custom\n",
        pin("legacy", "1.0-custom", 1, specifier="===1.0-custom"),
    ),
    ("wildcard is no pin", "\nnumpy==1.26.*\n", dep("numpy", 2, specifier="==1.26.*")),
    ("range sorted", "pydantic>=2,<3\n", dep("pydantic", 1, specifier="<3,>=2")),
    ("compatible release", "\n\n\n\nrich~=13.7\n", dep("rich", 5, specifier="~=13.7")),
    (
        "extras sorted, marker",
        "uvicorn[standard,debug]==0.30.1; python_version >= '3.9'\n",
        pin("uvicorn", "0.30.1", 1, extras=("debug", "standard"), marker='python_version >= "3.9"'),
    ),
    ("inline comment", "openai>=1.30  # the client\n", dep("openai", 1, specifier=">=1.30")),
    (
        "continuation 3-5",
        "# pinned\n\nlangchain\\\n-core>=0.2,\\\n<0.3\nother\n",
        dep("langchain-core", 3, specifier="<0.3,>=0.2"),
    ),
    (
        "hashed pin over continuation lines",
        f"\ncryptography==42.0.5 \\\n    --hash=sha256:{HEX} \\\n    --hash=sha256:{'8' * 64}\n",
        pin("cryptography", "42.0.5", 2, hashes=True),
    ),
    (
        "hash with config-settings",
        f"lxml==5.2.1 --config-settings=--build-option=--static --hash=sha256:{HEX}\n",
        pin("lxml", "5.2.1", 1, hashes=True),
    ),
    (
        "vcs at a branch",
        "\ngit+https://github.com/org/repo.git@main#egg=mylib\n",
        dep("mylib", 2, kind="vcs", url="git+https://github.com/org/repo.git", ref="main"),
    ),
    (
        "vcs at a commit",
        f"\n\ngit+https://github.com/org/repo.git@{SHA}#egg=mylib\n",
        dep("mylib", 3, kind="vcs", url="git+https://github.com/org/repo.git", ref=SHA),
    ),
    (
        "vcs over ssh, name from repo",
        "git+ssh://git@github.com/org/Tool.git@v1.2\n",
        dep("Tool", 1, kind="vcs", url="git+ssh://git@github.com/org/Tool.git", ref="v1.2"),
    ),
    (
        "vcs without ref",
        "hg+https://hg.example.com/proj#egg=proj\n",
        dep("proj", 1, kind="vcs", url="hg+https://hg.example.com/proj"),
    ),
    (
        "svn with subdirectory",
        "svn+https://svn.example.com/trunk/lib@1234#egg=svnlib&subdirectory=py\n",
        dep("svnlib", 1, kind="vcs", url="svn+https://svn.example.com/trunk/lib", ref="1234"),
    ),
    (
        "bzr",
        "\nbzr+lp:project#egg=bzrpkg\n",
        dep("bzrpkg", 2, kind="vcs", url="bzr+lp:project"),
    ),
    (
        "pep 508 vcs",
        "\nmylib[cli] @ git+https://github.com/org/mylib@v2.0 ; sys_platform == 'linux'\n",
        dep(
            "mylib",
            2,
            kind="vcs",
            url="git+https://github.com/org/mylib",
            ref="v2.0",
            extras=("cli",),
            marker='sys_platform == "linux"',
        ),
    ),
    (
        "vcs with token in url",
        "git+https://${GITHUB_TOKEN}@github.com/org/private.git@v3#egg=private\n",
        dep(
            "private",
            1,
            kind="vcs",
            url="git+https://${GITHUB_TOKEN}@github.com/org/private.git",
            ref="v3",
        ),
    ),
    (
        "hashed archive url",
        f"\nhttps://files.example.com/pkg-1.0.tar.gz#sha256={HEX}\n",
        dep("pkg", 2, kind="url", url="https://files.example.com/pkg-1.0.tar.gz", hashes=True),
    ),
    (
        "pep 508 wheel url",
        "torch @ https://download.example.com/torch-2.3.0-cp311-linux_x86_64.whl\n",
        dep(
            "torch",
            1,
            kind="url",
            url="https://download.example.com/torch-2.3.0-cp311-linux_x86_64.whl",
        ),
    ),
    (
        "url with marker and --hash",
        f"https://x.example.com/foo-2.0.zip ; python_version < '3.11' --hash=md5:{'a' * 32}\n",
        dep(
            "foo",
            1,
            kind="url",
            url="https://x.example.com/foo-2.0.zip",
            marker='python_version < "3.11"',
            hashes=True,
        ),
    ),
    ("editable dot", "\n-e .\n", dep("", 2, kind="path", url=".", editable=True)),
    (
        "editable path with extras",
        "-e ./libs/core[dev,test]\n",
        dep("core", 1, kind="path", url="./libs/core", extras=("dev", "test"), editable=True),
    ),
    (
        "editable vcs",
        "\n\n--editable git+https://github.com/org/repo.git#egg=name\n",
        dep("name", 3, kind="vcs", url="git+https://github.com/org/repo.git", editable=True),
    ),
    ("parent path", "../shared\n", dep("shared", 1, kind="path", url="../shared")),
    ("absolute path", "\n/opt/src/tool/\n", dep("tool", 2, kind="path", url="/opt/src/tool/")),
    (
        "local wheel",
        "dist/thing-1.0-py3-none-any.whl\n",
        dep("thing", 1, kind="path", url="dist/thing-1.0-py3-none-any.whl"),
    ),
    (
        "bare wheel file",
        "thing-1.0-py3-none-any.whl\n",
        dep("thing", 1, kind="path", url="thing-1.0-py3-none-any.whl"),
    ),
    ("file url", "file:///opt/src/x\n", dep("x", 1, kind="path", url="file:///opt/src/x")),
    (
        "pep 508 file url",
        "y @ file:///opt/y.tar.gz\n",
        dep("y", 1, kind="path", url="file:///opt/y.tar.gz"),
    ),
    ("crlf", "a==1\r\nb>=2\r\n", pin("a", "1", 1)),
    ("bom", "\ufeffflask==3.0.3\n", pin("flask", "3.0.3", 1)),
    (
        "comment ends a continuation",
        "\nrequests \\\n  # why\nflask\n",
        dep("requests", 2),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_requirement_cases(text: str, expected: Dependency) -> None:
    facts = parse(text)
    assert facts.errors == []
    assert facts.dependencies[0] == expected


def test_realistic_file() -> None:
    text = (
        "# Production dependencies\n"  # 1
        "-r base.txt\n"  # 2
        "--requirement=dev.txt\n"  # 3
        "-c constraints.txt\n"  # 4
        "--constraint pins.txt\n"  # 5
        "-i https://pypi.example.com/simple\n"  # 6
        "--extra-index-url https://__token__:glpat-AbCdEf123456@gitlab.example.com/api/v4/simple\n"
        "--find-links ./wheels\n"  # 8
        "-f https://download.pytorch.org/whl/torch_stable.html\n"  # 9
        "--trusted-host gitlab.example.com\n"  # 10
        "--no-index\n"  # 11
        "--pre\n"  # 12
        "--prefer-binary\n"  # 13
        "--only-binary :all:\n"  # 14
        "--no-binary=lxml\n"  # 15
        "--require-hashes\n"  # 16
        "--use-feature=truststore\n"  # 17
        "\n"  # 18
        "openai==1.35.3  # LLM client\n"  # 19
        "chromadb>=0.5 \\\n"  # 20
        "  ; python_version >= '3.10'\n"  # 21
        "-rrest.txt\n"  # 22
    )
    facts = parse(text)
    assert facts.errors == []
    assert facts.includes == [
        Include(PATH, 2, "base.txt"),
        Include(PATH, 3, "dev.txt"),
        Include(PATH, 4, "constraints.txt", constraint=True),
        Include(PATH, 5, "pins.txt", constraint=True),
        Include(PATH, 22, "rest.txt"),
    ]
    assert facts.indexes == [
        IndexOption(PATH, 6, "index-url", "https://pypi.example.com/simple"),
        IndexOption(
            PATH,
            7,
            "extra-index-url",
            "https://__token__:glpat-AbCdEf123456@gitlab.example.com/api/v4/simple",
        ),
        IndexOption(PATH, 8, "find-links", "./wheels"),
        IndexOption(PATH, 9, "find-links", "https://download.pytorch.org/whl/torch_stable.html"),
        IndexOption(PATH, 10, "trusted-host", "gitlab.example.com"),
    ]
    assert facts.dependencies == [
        pin("openai", "1.35.3", 19),
        dep("chromadb", 20, specifier=">=0.5", marker='python_version >= "3.10"'),
    ]


def test_option_spellings() -> None:
    text = (
        "--index-url=https://a.example/simple\n"
        "--extra-index https://b.example/simple\n"  # optparse accepts a unique prefix
        "-ihttps://c.example/simple\n"
        "--find-links=https://d.example/links\n"
        "--constraint=c.txt\n"
    )
    facts = parse(text)
    assert facts.errors == []
    assert facts.indexes == [
        IndexOption(PATH, 1, "index-url", "https://a.example/simple"),
        IndexOption(PATH, 2, "extra-index-url", "https://b.example/simple"),
        IndexOption(PATH, 3, "index-url", "https://c.example/simple"),
        IndexOption(PATH, 4, "find-links", "https://d.example/links"),
    ]
    assert facts.includes == [Include(PATH, 5, "c.txt", constraint=True)]


def test_continuation_reports_first_line_and_later_lines_keep_numbers() -> None:
    text = "alpha\n\nbeta\\\n>=1,\\\n<2\ngamma==0.1\n"
    assert parse(text).dependencies == [
        dep("alpha", 1),
        dep("beta", 3, specifier="<2,>=1"),
        pin("gamma", "0.1", 6),
    ]


def test_fragment_hash_is_not_a_comment_but_spaced_hash_is() -> None:
    assert only_dep(f"https://h.example/p-1.0.tar.gz#sha512={HEX}").hashes is True
    spaced = only_dep("https://h.example/p-1.0.tar.gz #sha256=abc")
    assert spaced.hashes is False and spaced.url == "https://h.example/p-1.0.tar.gz"


def test_vcs_branch_and_commit_differ_only_in_ref() -> None:
    branch = only_dep("git+https://github.com/org/repo.git@main")
    commit = only_dep(f"git+https://github.com/org/repo.git@{SHA}")
    assert (branch.name, branch.kind, branch.ref) == ("repo", "vcs", "main")
    assert (commit.name, commit.kind, commit.ref) == ("repo", "vcs", SHA)
    assert branch.url == commit.url == "git+https://github.com/org/repo.git"
    assert branch.pinned is commit.pinned is False


# --- bad lines ---------------------------------------------------------------------------

BAD_LINES = [
    "requests>=",
    "-x foo",
    "===",
    "\\",
    "\x00\x01\xff\ufffdjunk\x7f",
    "requests#comment",
    "--index-url",
    "-e requests",
    "--hash=sha256:abcdef",
    "flask --index-url https://x.example/simple",
    "--pre extra-positional",
    "numpy==1.0 --hash=notahash",
    "foo; python_version >>> '3'",
    "https://x.example/p.tar.gz ; nonsense marker",
    "weird://host/pkg",
    "--totally-unknown-option-with-secret=ghp_abcdefghijklmnop",
]


@pytest.mark.parametrize("bad", BAD_LINES)
def test_bad_line_is_one_error_without_its_text(bad: str) -> None:
    text = f"# head\nrequests==2.32.3\n{bad}\nflask>=3\n"
    if bad == "\\":  # a lone backslash joins the next line, so test it at the end
        text = f"# head\nrequests==2.32.3\nflask>=3\n\n{bad}\n"
    facts = parse(text)
    line = 5 if bad == "\\" else 3
    assert len(facts.errors) == 1, facts.errors
    error = facts.errors[0]
    assert error.path == PATH and error.kind == "parse-error"
    assert error.message.startswith(f"line {line}: ")
    assert bad.strip() not in error.message
    for word in bad.replace("=", " ").split():
        if len(word) >= 8 and not word.startswith("--"):
            assert word not in error.message
    assert [d.name for d in facts.dependencies] == ["requests", "flask"]


def test_lone_backslash_before_blank_line_is_an_error() -> None:
    facts = parse("a\n\\\n\nb\n")
    assert [d.name for d in facts.dependencies] == ["a", "b"]
    assert facts.errors == [
        ScanError(PATH, "parse-error", "line 2: line continuation with nothing to continue")
    ]


def test_errors_are_capped_at_twenty_plus_a_summary() -> None:
    text = "".join(f"bad>={n}>=\n" if n % 2 else f"good{n}==1.0\n" for n in range(1, 61))
    facts = parse(text)
    assert len(facts.dependencies) == 30
    assert len(facts.errors) == MAX_ERRORS + 1
    assert [e.message for e in facts.errors[:MAX_ERRORS]] == [
        f"line {n}: invalid requirement" for n in range(1, 40, 2)
    ]
    assert facts.errors[-1] == ScanError(PATH, "parse-error", "and 10 more parse errors")


def test_exactly_twenty_errors_has_no_summary() -> None:
    facts = parse("x>=\n" * MAX_ERRORS)
    assert len(facts.errors) == MAX_ERRORS
    assert all(e.message.endswith("invalid requirement") for e in facts.errors)


def test_crlf_file() -> None:
    facts = parse("a==1\r\nb>=2 \\\r\n  ,<3\r\n-r x.txt\r\n")
    assert facts.errors == []
    assert facts.dependencies == [pin("a", "1", 1), dep("b", 2, specifier="<3,>=2")]
    assert facts.includes == [Include(PATH, 4, "x.txt")]


def test_empty_and_comment_only() -> None:
    assert parse("") == ManifestFacts()
    assert parse("\n  \n# only\n   # indented\n\r\n") == ManifestFacts()


# --- robustness --------------------------------------------------------------------------

LINE_PARTS = st.sampled_from(
    [
        "requests",
        "==1.0",
        ">=",
        "[a,b]",
        "; python_version<'3'",
        " ",
        "\\",
        "#",
        "#egg=x",
        "@",
        "git+https://h/r.git",
        "-e",
        "-r",
        "--hash=sha256:ab",
        "--index-url",
        "./p",
        "https://",
        "\r",
        "\x00",
        "(",
        "=",
    ]
)
LINES = st.lists(st.one_of(st.text(max_size=12), LINE_PARTS), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(LINES, max_size=12).map("\n".join)))
def test_never_raises_and_lines_are_in_the_file(text: str) -> None:
    facts = parse_requirements(PATH, text)
    last = text.count("\n") + 1
    items: list[Dependency | IndexOption | Include] = [
        *facts.dependencies,
        *facts.indexes,
        *facts.includes,
    ]
    assert all(1 <= item.line <= last for item in items)
    assert len(facts.errors) <= MAX_ERRORS + 1
    for error in facts.errors:
        assert error.kind == "parse-error" and error.path == PATH
        if error.message.startswith("line "):
            assert 1 <= int(error.message.split(":")[0][5:]) <= last


def test_hundred_thousand_lines() -> None:
    lines = []
    for n in range(100_000):
        if n % 10 == 0:
            lines.append(f"# group {n}")
        elif n % 10 == 1:
            lines.append(f"pkg{n}[extra]>={n % 7}.0,<{n % 7 + 1}; python_version >= '3.9'")
        else:
            lines.append(f"pkg{n}=={n % 13}.{n % 5}.0")
    facts = parse("\n".join(lines) + "\n")
    assert facts.errors == []
    assert len(facts.dependencies) == 90_000
    assert facts.dependencies[0] == dep(
        "pkg1",
        2,
        specifier="<2,>=1.0",
        extras=("extra",),
        marker='python_version >= "3.9"',
    )
    assert facts.dependencies[-1] == pin("pkg99999", f"{99999 % 13}.{99999 % 5}.0", 100_000)
