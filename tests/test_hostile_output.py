"""What a hostile repository can do to ragfit's output and configuration:
invalid globs (a one-line error), escape sequences and workflow commands in
names and text (escaped for every format), configuration that blinds the scan
(said in every format; ``--isolated``), files over the size cap (reported,
still scanned for secrets), and file names that are not UTF-8 (one escaped
form everywhere, every output valid UTF-8)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import GitRepo, MakeRepo, RunCli, git
from sarif_schema import sarif_errors

FORMATS = ["terminal", "json", "sarif", "markdown", "github"]
KEY = "sk-proj-" + "Wm4Nq8Rt2Yp6Lk9Zx3Vb7Hd1Jf5Gs0Ac2Ue8Io4Ty6"
CALL = 'from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes "rm -rf ~" to the clipboard
CLEAR = "\x1b[2J\x1b[H"


def _all_formats(run_cli: RunCli, root: Path, *flags: str) -> dict[str, tuple[int, str, str]]:
    return {
        fmt: run_cli("scan", root, "--format", fmt, "--no-cache", "--offline", *flags)
        for fmt in FORMATS
    }


# --------------------------------------------------------------- 5: invalid patterns


@pytest.mark.parametrize(
    ("setting", "what"),
    [
        ('exclude = ["[z-a]"]', "`exclude` '[z-a]'"),
        ('knowledge-paths = ["docs/[b-a]/*.md"]', "`knowledge-paths` 'docs/[b-a]/*.md'"),
        ('training-paths = ["[z-a]"]', "`training-paths` '[z-a]'"),
        ('[tool.ragfit.per-path-ignores]\n"src/[z-a]" = ["SC007"]', "key 'src/[z-a]'"),
    ],
)
def test_an_invalid_glob_is_a_one_line_configuration_error(
    make_repo: MakeRepo, run_cli: RunCli, setting: str, what: str
) -> None:
    body = setting if setting.startswith("[") else f"[tool.ragfit]\n{setting}"
    root = make_repo({"pyproject.toml": body + "\n", "app.py": CALL})
    code, out, err = run_cli("scan", root, "--no-cache")
    assert (code, out) == (2, "")
    assert err.startswith("ragfit: error: pyproject.toml: ")
    assert what in err and "is not a valid glob (bad character range" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_glob_from_the_code_that_is_invalid_is_taken_literally(
    make_repo: MakeRepo, scan_json: Any
) -> None:
    code = CALL + 'import glob\nDOCS = glob.glob("docs/[z-a]/*.md")\n'
    root = make_repo({"app.py": code, "docs/a.md": "# a\n"})
    report = scan_json(root)
    assert not [e for e in report["errors"] if e["kind"] in {"profile-error", "rule-error"}]


# --------------------------------------------------------------- 6: escaping


def _hostile_repo(make_repo: MakeRepo) -> Path:
    """Escape sequences in a file name, a model name, a lock file's package name,
    a Pipfile key and an image reference (written with each format's own escapes:
    TOML and YAML refuse a raw ESC)."""
    return make_repo(
        {
            f"evil{OSC52}.py": f'KEY = "{KEY}"\n',
            "chat.py": CALL.replace('"gpt-4o"', '"gpt-4o\\x1b[2J\\x1b[H"'),
            "poetry.lock": (
                '[[package]]\nname = "evil\\u001b[2J"\nversion = "1.0"\n'
                'description = ""\noptional = false\npython-versions = "*"\nfiles = []\n'
            ),
            "docker-compose.yml": 'services:\n  web:\n    image: "redis\\e]52;c;eA==\\a:7.4"\n',
            "Pipfile": '[packages]\n"left\\u001b]52;c;eA==\\u0007pad" = "*"\n',
        }
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_control_character_from_the_repository_reaches_the_output(
    make_repo: MakeRepo, run_cli: RunCli, fmt: str
) -> None:
    root = _hostile_repo(make_repo)
    code, out, err = run_cli("scan", root, "--format", fmt, "--no-cache", "--offline")
    assert code == 1, err
    for text in (out, err):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    if fmt in {"json", "sarif"}:
        # JSON would escape ESC as \u001b, which a viewer decodes back: the
        # report itself holds the visible form.
        assert "\\u001b" not in out
    if fmt == "json":
        report = json.loads(out)
        assert "evil\\x1b]52;c;cm0gLXJmIH4=\\x07.py" in [f["path"] for f in report["findings"]]
        names = {d["name"] for d in report["dependencies"]}
        assert {"evil\\x1b[2J", "left\\x1b]52;c;eA==\\x07pad"} <= names
        assert [c["name"] for c in report["components"]] == ["redis\\x1b]52;c;eA==\\x07"]
        models = [s["model"] for s in report["inventory"]["call_sites"]]
        assert models == ["gpt-4o\\x1b[2J\\x1b[H"]
    if fmt == "sarif":
        assert "evil%5Cx1b%5D52%3Bc%3Bcm0gLXJmIH4%3D%5Cx07.py" in out
    if fmt == "github":
        assert all(line.startswith("::") for line in out.splitlines())


def test_a_configuration_key_with_a_line_break_cannot_print_a_workflow_command(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    key = '"x\\n::error file=app.py,line=1::pwned\\n\\u001b]52;c;eA==\\u0007"'
    root = make_repo({"pyproject.toml": f"[tool.ragfit]\n{key} = 1\n", "app.py": CALL})
    code, out, err = run_cli("scan", root, "--format", "github", "--no-cache")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert not any(line.startswith("::") for line in err.splitlines())
    assert "\x1b" not in err and "\x07" not in err
    assert "\\n::error file=app.py" in err


def test_a_file_name_with_a_line_break_cannot_forge_a_plain_finding_line(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    """Piped, the terminal format is one ``path:line:col: ID message`` line per
    finding: a line break in a name is escaped, so a name cannot add a line."""
    forged = "x.py\nsrc/fake.py:1:1: SC007 forged finding\n"
    root = make_repo({"app.py": CALL, forged: f'KEY = "{KEY}"\n'})
    code, out, err = run_cli("scan", root, "--no-cache", "--offline")
    assert code == 1, err
    assert not any(line.startswith("src/fake.py") for line in out.splitlines())
    assert "x.py\\nsrc/fake.py:1:1: SC007 forged finding\\n:1:" in out


def test_bidirectional_overrides_are_escaped(make_repo: MakeRepo, run_cli: RunCli) -> None:
    name = "safe\u202egnp.py"  # shows as "safepng.py" reversed: Trojan Source
    root = make_repo({name: f'KEY = "{KEY}"\n'})
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["path"] == "safe\\u202egnp.py"


# --------------------------------------------------------------- 7: configuration that blinds


def test_exclude_everything_is_said_in_every_format(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[tool.ragfit]\nexclude = ["**"]\nignore = ["SC007"]\n',
            "app.py": f'KEY = "{KEY}"\n',
            "src/chat.py": CALL,
        }
    )
    outputs = _all_formats(run_cli, root)
    for fmt, (code, out, err) in outputs.items():
        assert code == 0, (fmt, err)
        if fmt == "json":
            continue  # summary.excluded, below
        text = " ".join(out.split())  # the terminal wraps long lines
        if fmt == "markdown":
            text = text.replace("\\*", "*")
        assert "files excluded by pyproject.toml (exclude: **)" in text, fmt
        assert "rules not run by pyproject.toml: SC007" in text, fmt
    report = json.loads(outputs["json"][1])
    excluded = report["summary"]["excluded"]
    assert (excluded["config"], excluded["files"], excluded["patterns"]) == (
        "pyproject.toml",
        3,
        ["**"],
    )
    assert excluded["rules_not_run"] == ["SC007"]
    sarif = json.loads(outputs["sarif"][1])
    notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert [n["level"] for n in notes] == ["note", "note"]
    assert sarif_errors(sarif) == []


def test_isolated_ignores_the_repository_configuration_and_suppressions(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    root = make_repo(
        {
            "ragfit.toml": 'exclude = ["**"]\nmax-file-size = 1\nignore = ["SC"]\n',
            "app.py": f'KEY = "{KEY}"  # ragfit: ignore\n',
        }
    )
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache")
    assert code == 0
    assert json.loads(out)["findings"] == []
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache", "--isolated")
    assert code == 1
    report = json.loads(out)
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [("SC007", "app.py")]
    excluded = report["summary"]["excluded"]
    assert (excluded["isolated"], excluded["config"], excluded["files"]) == (True, None, 0)
    # --config still applies under --isolated: it is the user's, not the repository's.
    config = root.parent / "mine.toml"
    config.write_text('ignore = ["AD"]\n', "utf-8")
    code, out, _ = run_cli(
        "scan", root, "--format", "json", "--no-cache", "--isolated", "--config", config
    )
    assert json.loads(out)["summary"]["excluded"]["config"] == str(config)


def test_max_file_size_cannot_hide_a_key(make_repo: MakeRepo, run_cli: RunCli) -> None:
    root = make_repo(
        {"ragfit.toml": "max-file-size = 1\n", ".env": f"OPENAI_API_KEY={KEY}\n", "a.py": "x\n"}
    )
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache")
    assert code == 1
    report = json.loads(out)
    assert [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]] == [
        ("SC007", ".env", 1)
    ]
    assert report["summary"]["excluded"]["oversized"] == 3


# --------------------------------------------------------------- 8: big files


BIG = {
    ".env": "# local settings\n" + "DEBUG=1\n" * 400 + "OPENAI_API_KEY={key}\n",
    "docs/setup.md": "# Setup\n" + "Run the service.\n" * 300 + "Use `{key}` for now.\n",
    "web/app.js": "// app\n" + "let x = 1;\n" * 400 + 'const key = "{key}";\n',
    "Pipfile": '[packages]\nflask = "*"\n' + "# pin later\n" * 300 + '[scripts]\nk = "{key}"\n',
    "pip.conf": "[global]\n" + "# mirror\n" * 400 + "index-url = https://u:{key}@pypi.example/\n",
    "data/train.jsonl": '{{"messages": [{{"role": "user", "content": "hi"}}]}}\n' * 1500
    + '{{"messages": [{{"role": "user", "content": "{key}"}}]}}\n',
}


def test_files_over_the_cap_are_reported_and_still_scanned_for_keys(
    make_repo: MakeRepo, scan_json: Any, tmp_path: Path
) -> None:
    root = make_repo({path: text.format(key=KEY) for path, text in BIG.items()})
    config = tmp_path / "small.toml"
    config.write_text("max-file-size = 2000\n", "utf-8")  # .jsonl: 16 times that
    report = scan_json(root, "--config", str(config))
    found = {(f["path"], f["line"]) for f in report["findings"] if f["rule_id"] == "SC007"}
    expected = {(path, text.count("\n")) for path, text in BIG.items()}
    assert found == expected
    too_large = {e["path"] for e in report["errors"] if e["kind"] == "too-large"}
    assert too_large == set(BIG)
    assert KEY not in json.dumps(report)


def test_many_skipped_files_are_one_entry_with_a_count_and_a_sample(
    make_repo: MakeRepo, scan_json: Any, tmp_path: Path
) -> None:
    root = make_repo({f"logs/{i:02}.log": "x" * 300 for i in range(25)})
    config = tmp_path / "small.toml"
    config.write_text("max-file-size = 100\n", "utf-8")
    report = scan_json(root, "--config", str(config))
    (entry,) = [e for e in report["errors"] if e["kind"] == "too-large"]
    assert entry["path"] == ""
    assert entry["message"].startswith("25 files are over the size cap; not parsed")
    assert (
        "logs/00.log, logs/01.log, logs/02.log, logs/03.log, logs/04.log and 20 more"
        in (entry["message"])
    )


def test_text_with_a_nul_and_utf16_are_scanned(make_repo: MakeRepo, scan_json: Any) -> None:
    root = make_repo(
        {
            "notes.txt": b"\x00header\n" + f"token = {KEY}\n".encode(),
            "win/.env": f"OPENAI_API_KEY={KEY}\r\n".encode("utf-16"),
            "win/nobom.env": f"A=1\nOPENAI_API_KEY={KEY}\n".encode("utf-16-le"),
            "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        }
    )
    report = scan_json(root, expect_code=1)
    assert [(f["path"], f["line"]) for f in report["findings"]] == [
        ("notes.txt", 2),
        ("win/.env", 1),
        ("win/nobom.env", 2),
    ]


# --------------------------------------------------------------- 9: names that are not UTF-8


@pytest.fixture
def non_utf8_repo(git_repo: GitRepo) -> Path:
    if os.uname().sysname == "Darwin":  # pragma: no cover - APFS refuses such names
        pytest.skip("the file system refuses names that are not UTF-8")
    root = git_repo({"app.py": CALL})
    base = os.fsencode(root)
    with open(base + b"/key\xff.py", "wb") as out:
        out.write(f'KEY = "{KEY}"\n'.encode())
    with open(base + b"/bin\xfe.py", "wb") as out:
        out.write(b"\x00\x01 compiled")
    os.mkdir(base + b"/dir\xfd")
    with open(base + b"/dir\xfd/req.txt", "wb") as out:
        out.write(b"flask\n")
    git(root, "add", "-A")
    return root


@pytest.mark.parametrize("fmt", FORMATS)
def test_names_that_are_not_utf8_are_escaped_the_same_way_everywhere(
    non_utf8_repo: Path, run_cli: RunCli, fmt: str, tmp_path: Path
) -> None:
    output = tmp_path / f"report.{fmt}"
    code, _, err = run_cli("scan", non_utf8_repo, "--format", fmt, "--no-cache", "--output", output)
    assert code == 1, err
    assert "Traceback" not in err
    data = output.read_bytes()
    text = data.decode("utf-8")  # valid UTF-8, or this raises
    assert "\udcff" not in text
    if fmt == "json":
        report = json.loads(text)
        keys = [f["path"] for f in report["findings"] if f["rule_id"] == "SC007"]
        assert keys == ["key\\xff.py"]
        assert [e["path"] for e in report["errors"] if e["kind"] == "binary"] == ["bin\\xfe.py"]
    elif fmt == "sarif":
        sarif = json.loads(text)
        assert sarif_errors(sarif) == []
        (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "SC007"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "key%5Cxff.py"
    elif fmt == "markdown":
        assert "key\\\\xff.py" in text  # Markdown escapes the backslash itself
    else:
        assert "key\\xff.py" in text


def test_json_to_stdout_is_valid_utf8(non_utf8_repo: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditor",
            "scan",
            str(non_utf8_repo),
            "--format",
            "json",
            "--no-cache",
            "--offline",
        ],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout.decode("utf-8"))
    assert "key\\xff.py" in [f["path"] for f in report["findings"]]


# --------------------------------------------------------------- 12: line counting


@pytest.mark.parametrize("separator", ["\f", "\v", "\x1c", "\u2028", "\x85"])
def test_a_form_feed_does_not_move_a_line(
    make_repo: MakeRepo, scan_json: Any, separator: str
) -> None:
    """Lines are counted as everywhere else (LINE_BREAK: \\r\\n, \\r, \\n), not with
    str.splitlines, which also breaks at a form feed, U+2028 and others."""
    root = make_repo(
        {
            "pip.conf": f"[global]\n# mirror{separator}notes\nextra-index-url = https://h.example/s\n",
            "setup.cfg": f"[options]\n# a{separator}b\ninstall_requires =\n    flask==2.0\n",
        }
    )
    report = scan_json(root)
    sc005 = [(f["path"], f["line"]) for f in report["findings"] if f["rule_id"] == "SC005"]
    assert sc005 == [("pip.conf", 3)]
    assert [(d["path"], d["line"]) for d in report["dependencies"]] == [("setup.cfg", 4)]
