"""Secrets never leave ragfit except redacted: one key of every kind is planted
in every place a string can come from (a file name, a requirement name, an
index URL's credentials, an image reference, the text of an invalid line of
``pip.conf``, ``pyproject.toml`` and ``setup.cfg``, a model name, a prompt),
then every output format, stderr and the cache directory are searched for it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeRepo, RunCli

from auditor.cache import CACHE_DIR
from auditor.scanners.text import SECRET_PATTERNS, redact_text, strip_credentials

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import secret_corpus

FORMATS = ["terminal", "json", "sarif", "markdown", "github"]


def _values() -> dict[str, str]:
    """One fake key of every kind, taken from the corpus."""
    corpus = json.loads(secret_corpus.CORPUS.read_text("utf-8"))
    found: dict[str, str] = {}
    for entry in corpus["keys"]:
        for pattern in SECRET_PATTERNS:
            if pattern.kind != entry["kind"] or entry["kind"] in found:
                continue
            match = pattern.regex.search(entry["text"])
            if match is not None:
                found[entry["kind"]] = match.group(pattern.group)
    return found


VALUES = _values()
# Kinds a value shows by itself (a prefix, a shape); the others need a name next to them.
SELF_EVIDENT = sorted(
    kind
    for kind, value in VALUES.items()
    if kind not in {"cohere-api-key", "mistral-api-key", "azure-openai-api-key", "private-key"}
    and "aws-secret" not in kind
    and "/" not in value
)
NAMED = {
    "cohere-api-key": "COHERE_API_KEY",
    "mistral-api-key": "MISTRAL_API_KEY",
    "azure-openai-api-key": "AZURE_OPENAI_API_KEY",
    "aws-secret-access-key": "aws_secret_access_key",
}


def test_every_kind_has_a_value() -> None:
    assert set(VALUES) == {p.kind for p in SECRET_PATTERNS}
    assert len(SELF_EVIDENT) >= 15


def _planted(kind: str, value: str) -> dict[str, str]:
    """Files that carry ``value`` in every place a string can come from."""
    name = value.replace("/", "_")
    chat = (
        "from openai import OpenAI\n"
        "client = OpenAI()\n"
        f'SYSTEM = "You are a helper. Internal key: {value}. Answer in one line."\n'
        "reply = client.chat.completions.create(\n"
        f'    model="{value}",\n'
        '    messages=[{"role": "system", "content": SYSTEM}],\n'
        ")\n"
    )
    return {
        f"notes/{name}.txt": "nothing here\n",  # a key-bearing file name
        "app/chat.py": chat,  # a model name and a prompt
        "requirements.txt": (
            f"--extra-index-url https://deploy:{value}@pypi.example.com/simple\n"
            f"{name}==1.0\n"  # a requirement named with the key
            f"git+https://{value}@github.com/acme/private.git#egg=private\n"
        ),
        "docker-compose.yml": f'services:\n  web:\n    image: "registry.example.com/{name}:1.0"\n',
        "pip.conf": f"[global]\nindex-url = https://u:{value}@mirror.example.com/simple\n"
        f"garbage line {value}\n",
        "pyproject.toml": (
            '[project]\nname = "x"\nversion = "1"\n'
            f'dependencies = ["private @ https://u:{value}@host.example/x.whl ; ; bad"]\n'
        ),
        "setup.cfg": f"[options]\ninstall_requires =\n    thing @ https://u:{value}@h/x.whl ;;\n",
    }


def _leaks(text: str, value: str) -> list[str]:
    """The key, or a 12-character slice of its middle, found in ``text``."""
    middle = value[len(value) // 3 : len(value) // 3 + 12]
    return [part for part in (value, middle) if part in text]


@pytest.mark.parametrize("kind", SELF_EVIDENT)
def test_a_key_planted_everywhere_never_leaves_unredacted(
    kind: str, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    value = VALUES[kind]
    root = make_repo(_planted(kind, value))
    for fmt in FORMATS:
        code, out, err = run_cli("scan", root, "--format", fmt, "--offline")  # cache on
        assert code in (0, 1), err
        texts = [out, err]
        if fmt in {"json", "sarif"}:
            texts.append(json.dumps(json.loads(out), ensure_ascii=False))
        if fmt == "markdown":
            texts.append(out.replace("\\", ""))
        for text in texts:
            assert _leaks(text, value) == [], (fmt, kind)
    for path in (root / CACHE_DIR).iterdir():
        assert _leaks(path.read_bytes().decode("utf-8", "replace"), value) == [], path.name
    report = json.loads(run_cli("scan", root, "--format", "json", "--offline")[1])
    assert report["summary"]["files"] >= 7  # the warm run read the same repository


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_keys_known_by_their_name_are_redacted_in_prompts_and_the_cache(
    kind: str, make_repo: MakeRepo, run_cli: RunCli
) -> None:
    value = VALUES[kind]
    line = f"{NAMED[kind]}={value}"
    chat = (
        "from openai import OpenAI\n"
        f'SYSTEM = """Deploy notes.\n{line}\nAnswer briefly."""\n'
        "OpenAI().chat.completions.create(model='gpt-4o', "
        "messages=[{'role': 'system', 'content': SYSTEM}])\n"
    )
    root = make_repo({"app.py": chat, "pip.conf": f"[global]\n{line}\n"})
    for fmt in FORMATS:
        code, out, err = run_cli("scan", root, "--format", fmt, "--offline")
        assert code == 1, err
        assert _leaks(out + err, value) == [], fmt
    for path in (root / CACHE_DIR).iterdir():
        assert _leaks(path.read_bytes().decode("utf-8", "replace"), value) == [], path.name


def test_a_private_key_in_a_prompt_is_redacted_in_the_cache(
    make_repo: MakeRepo, run_cli: RunCli
) -> None:
    pem = VALUES["private-key"]
    chat = (
        "from openai import OpenAI\n"
        f'SYSTEM = """Sign with this.\n{pem}\n"""\n'
        "OpenAI().chat.completions.create(model='gpt-4o', "
        "messages=[{'role': 'system', 'content': SYSTEM}])\n"
    )
    root = make_repo({"app.py": chat})
    code, out, _ = run_cli("scan", root, "--format", "json", "--offline")
    assert code == 1
    cache = (root / CACHE_DIR / "facts.json").read_text("utf-8")
    body_line = pem.split("\n")[3]
    assert body_line not in cache and body_line not in out
    entries = json.loads(cache.partition("\n")[2])["entries"]
    prompts = [p["text"] for e in entries.values() for p in e["prompts"]]
    assert prompts == ["Sign with this.\n-----BEGIN RSA PRIVATE KEY-----…\n"]


def test_redact_text_strips_url_credentials_but_keeps_the_user_git() -> None:
    assert strip_credentials("https://user:hunter2@host/x") == "https://***@host/x"
    assert strip_credentials("git+ssh://git@github.com/a/b") == "git+ssh://git@github.com/a/b"
    token = "ghp_" + "Rz4Kx9Lp2Qm7Nw5Tv8Yb3Hc6Jd1Fg0Sa2Ek7U"
    assert redact_text(f"https://{token}@github.com/a") == "https://***@github.com/a"
    assert redact_text("see https://a:b@c/ and x") == "see https://***@c/ and x"


def test_error_messages_are_redacted(make_repo: MakeRepo, run_cli: RunCli) -> None:
    value = VALUES["openai-api-key"]
    root = make_repo(
        {
            "pip.conf": f"[global]\nnot a key value line {value}\n",
            "pyproject.toml": (
                f'[project]\nname = "x"\nversion = "1"\ndependencies = ["{value}>=>1"]\n'
            ),
        }
    )
    code, out, _ = run_cli("scan", root, "--format", "json", "--no-cache", "--offline")
    report: dict[str, Any] = json.loads(out)
    assert code == 1
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert errors["pip.conf"] == "invalid pip.conf: line 2: not a 'key = value' line"
    assert "sk-proj-…" in errors["pyproject.toml"]
    assert _leaks(out, value) == []


def test_stderr_is_redacted(make_repo: MakeRepo, run_cli: RunCli) -> None:
    value = VALUES["github-token"]
    root = make_repo({"app.py": "x = 1\n"})
    code, out, err = run_cli("scan", root, "--diff-base", value)
    assert code == 2 and out == ""
    assert _leaks(err, value) == []
    assert "ghp_…" in err


def test_redact_json_looks_at_the_whole_first_and_still_finds_every_key() -> None:
    """redact_json skips data whose serialised form holds no ``://`` and no key
    literal; that shortcut is sound only while no literal holds a character
    JSON escapes, and it must still reach a key deep inside a key or a list."""
    from auditor.scanners.text import _LITERAL_LIST, redact_json

    assert not [
        lit for lit in _LITERAL_LIST if any(c in lit for c in '"\\') or not lit.isprintable()
    ]
    clean = {"path": "src/a.py", "call_sites": [{"model": "gpt-4o", "line": 3}], "n": None}
    assert redact_json(clean) is clean  # nothing to redact: the same object back
    for kind, value in VALUES.items():
        if kind not in SELF_EVIDENT:
            continue
        data = {"prompts": [{"text": f"key\u00e9 {value} end"}], f"k {value}": [1, (f"x={value}",)]}
        assert value not in json.dumps(redact_json(data), ensure_ascii=False), kind
    url = {"deps": [{"source": "https://user:hunter2@host/simple"}]}
    assert redact_json(url) == {"deps": [{"source": "https://***@host/simple"}]}
