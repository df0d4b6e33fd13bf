"""Long fuzzing of every parser of a scanned repository's files.

Inputs are built from each format's own tokens (lock files, manifests,
requirements, compose files, workflows, Helm charts, Kubernetes CronJobs,
pip.conf, setup.cfg, notebooks, secrets), and from byte mutations of the
fixture repositories' real files (flips, cuts, repeated slices, inserted
tokens, NUL bytes, UTF-16). Each input goes through ``auditor.analyse.analyse``
as in a scan, with a deadline. A crash is an exception, a parser's own safety
net firing (``unexpected error`` ...: a bug the net hid), a line outside the
file, a secret left unredacted, or an input over the deadline.

    .venv/bin/python bench/fuzz_parsers.py --inputs 200000 --seed 1
    .venv/bin/python bench/fuzz_parsers.py --minutes 30

``tests/test_fuzz_parsers.py`` runs the same checks with hypothesis, bounded.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What each format is made of: (a file name that selects its parser, tokens).
FORMATS: dict[str, tuple[str, list[str]]] = {
    "poetry.lock": (
        "poetry.lock",
        [
            "[[package]]\n",
            'name = "requests"\n',
            'version = "2.31.0"\n',
            "[package.source]\n",
            'type = "git"\n',
            'url = "https://github.com/a/b.git"\n',
            'resolved_reference = "abc"\n',
            "files = [\n",
            '{file = "a.whl", hash = "sha256:00"},\n',
            "]\n",
            "[metadata]\n",
            "[metadata.files]\n",
            'requests = [{file = "x", hash = "h"}]\n',
            "name = 1\n",
            '[[package]]\nname = "x"\n',
            "develop = true\n",
            'markers = "python_version > \\"3\\""\n',
            "\n",
            "\r\n",
            "\f",
            '"',
            "'",
            "[",
            "]",
            "{",
            "}",
            "=",
            "#",
        ],
    ),
    "uv.lock": (
        "uv.lock",
        [
            "version = 1\n",
            "[[package]]\n",
            'name = "flask"\n',
            'version = "3.0.0"\n',
            'source = { registry = "https://pypi.org/simple" }\n',
            'source = { editable = "." }\n',
            'source = { git = "https://g/x?rev=main#abc" }\n',
            'source = { url = "https://x/y.whl" }\n',
            'sdist = { url = "u", hash = "sha256:1", size = 1 }\n',
            "wheels = [\n",
            '{ url = "u", hash = "h", size = 2 },\n',
            "]\n",
            "[package.dependencies]\n",
            "source = 1\n",
            "\n",
            "\f",
            "'",
            '"',
            "[",
            "]",
            "{",
            "}",
        ],
    ),
    "pylock.toml": (
        "pylock.toml",
        [
            'lock-version = "1.0"\n',
            "[[packages]]\n",
            'name = "a"\n',
            'version = "1"\n',
            '[packages.vcs]\ntype = "git"\nurl = "https://x"\ncommit-id = "abc"\n',
            '[packages.archive]\nurl = "https://x.tar.gz"\n',
            "[packages.directory]\n",
            'path = "."\neditable = true\n',
            '[[packages.wheels]]\nname = "w"\n',
            "\n",
            "[",
            "]",
        ],
    ),
    "Pipfile.lock": (
        "Pipfile.lock",
        [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            '"default"',
            '"develop"',
            '"requests"',
            '"version"',
            '"==2.0"',
            '"hashes"',
            '"sha256:00"',
            '"git"',
            '"https://x.git"',
            '"ref"',
            '"file"',
            '"path"',
            '"editable"',
            "true",
            "null",
            "1",
            '"\\u0000"',
            '"\\\\"',
            "\n",
            " ",
        ],
    ),
    "pyproject.toml": (
        "pyproject.toml",
        [
            "[project]\n",
            'name = "x"\n',
            "dependencies = [\n",
            '"requests>=2",\n',
            '"a @ https://u:p@h/x.whl",\n',
            '"bad ==",\n',
            "]\n",
            "[project.optional-dependencies]\n",
            'dev = ["pytest"]\n',
            "[dependency-groups]\n",
            'test = [{include-group = "dev"}]\n',
            "[tool.poetry.dependencies]\n",
            'flask = "^2"\n',
            'x = {git = "https://g", rev = "1"}\n',
            "[[tool.poetry.source]]\n",
            'url = "https://idx"\n',
            "[tool.uv.sources]\n",
            'a = { index = "i" }\n',
            "[[tool.uv.index]]\n",
            "[tool.ragfit]\n",
            "\n",
            "\f",
            "'",
            '"',
            "[",
            "]",
            "{",
            "}",
        ],
    ),
    "Pipfile": (
        "Pipfile",
        [
            "[packages]\n",
            "[dev-packages]\n",
            "[[source]]\n",
            'url = "https://pypi.org/simple"\n',
            'requests = "*"\n',
            'flask = {version = "==2", extras = ["x"]}\n',
            'x = {git = "https://g.git", ref = "v1"}\n',
            'y = {path = "."}\n',
            'z = {file = "https://f"}\n',
            "\n",
            "[",
            "]",
            "{",
            "}",
            '"',
            "=",
        ],
    ),
    "setup.cfg": (
        "setup.cfg",
        [
            "[options]\n",
            "install_requires =\n",
            "    requests>=2\n",
            "    flask ; python_version<'3'\n",
            "    file: req.txt\n",
            "[options.extras_require]\n",
            "dev = pytest; mypy\n",
            "; c\n",
            "# c\n",
            "\f",
            "\t",
            "\n",
            "\r",
            "=",
            ":",
            "[",
            "]",
            "  a @ https://u:p@h/x.whl\n",
        ],
    ),
    "pip.conf": (
        "pip.conf",
        [
            "[global]\n",
            "[install]\n",
            "index-url = https://u:p@h/simple\n",
            "extra-index-url =\n",
            "    https://a/\n",
            "find-links = https://f/ # c\n",
            "trusted-host = h\n",
            "\f",
            "\t",
            "\n",
            "\r",
            "=",
            ":",
            "[",
            "]",
            "garbage\n",
        ],
    ),
    "requirements.txt": (
        "requirements.txt",
        [
            "requests==2.31.0\n",
            "-r other.txt\n",
            "-c constraints.txt\n",
            "--hash=sha256:00 ",
            "-e git+https://g/x.git@v1#egg=x\n",
            "--extra-index-url https://u:p@h/\n",
            "\\\n",
            "# comment\n",
            "; python_version<'3'",
            "x @ https://h/x.whl#sha256=0\n",
            "[extra]",
            "\n",
            "\r\n",
            "\f",
            " ",
            "==",
            ">=",
            ",",
            "--",
        ],
    ),
    "compose": (
        "docker-compose.yml",
        [
            "services:\n",
            "  web:\n",
            "    image: redis:7.4\n",
            "    image: ${IMG:-nginx}\n",
            "x-a: &a\n",
            "  image: postgres:16\n",
            "    <<: *a\n",
            "    <<: [*a, *a]\n",
            "  db: *a\n",
            "---\n",
            "- ",
            "[",
            "]",
            "{",
            "}",
            '"',
            "'",
            "!!binary ",
            "&b ",
            "*b",
            "\t",
            "\n",
            ": ",
        ],
    ),
    "workflow": (
        ".github/workflows/ci.yml",
        [
            "on:\n",
            "  schedule:\n",
            "    - cron: '0 3 * * 1'\n",
            "jobs:\n",
            "  build:\n",
            "    runs-on: ubuntu-latest\n",
            "    steps:\n",
            "      - uses: actions/checkout@v4\n",
            "      - uses: hashicorp/setup-terraform@v3\n",
            "        with:\n",
            "          terraform_version: 1.5.7\n",
            "    container: node:20\n",
            "    services:\n",
            "      db:\n        image: postgres\n",
            "x: &j\n",
            "  j2: *j\n",
            "<<: *j\n",
            "- ",
            "[",
            "]",
        ],
    ),
    "helm": (
        "Chart.yaml",
        [
            "apiVersion: v2\n",
            "dependencies:\n",
            "  - name: redis\n",
            "    version: 18.0.0\n",
            "    repository: https://charts.bitnami.com/bitnami\n",
            "  - &d\n",
            "  - *d\n",
            "- ",
            "[",
            "]",
        ],
    ),
    "cronjob": (
        "k8s/job.yaml",
        [
            "kind: CronJob\n",
            "spec:\n",
            "  schedule: '*/5 * * * *'\n",
            "  jobTemplate:\n",
            "    spec:\n      template:\n        spec:\n          containers:\n",
            "            - name: sync\n",
            "              command: [python, sync.py]\n",
            "{{ .Values }}",
            "---\n",
            "&c ",
            "*c",
            "- ",
            "[",
            "]",
        ],
    ),
    "notebook": (
        "nb.ipynb",
        [
            '{"cells": [',
            '{"cell_type": "code", "source": [',
            '"import openai\\n", ',
            '"openai.OpenAI().chat.completions.create(model=\\"gpt-4o\\")"',
            "]}",
            "]",
            ', "nbformat": 4}',
            '"outputs": [{"text": "hf_',
            "}",
            ",",
            '"',
            "\\n",
        ],
    ),
    "dockerfile": (
        "Dockerfile",
        [
            "FROM python:3.12-slim AS base\n",
            "ARG V=1\n",
            "FROM base\n",
            "FROM ${IMG:-x}:$V\n",
            "\\\n",
            "# escape=`\n",
            "RUN pip install x\n",
            "`\n",
            "\n",
            "\f",
        ],
    ),
    "terraform": (
        "main.tf",
        [
            "terraform {\n",
            '  required_version = ">= 1.5"\n',
            "  required_providers {\n",
            '    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n',
            "  }\n",
            "}\n",
            '"${',
            "}",
            "<<EOF\n",
            "EOF\n",
            "/*",
            "*/",
            "#",
            '"',
            "\\",
        ],
    ),
    "secrets": (
        ".env",
        [
            "OPENAI_API_KEY=",
            "sk-proj-",
            "hf_",
            "COHERE_API_KEY=",
            "AzureOpenAI(",
            "api-key: ",
            "-----BEGIN PRIVATE KEY-----\n",
            "-----END PRIVATE KEY-----",
            "\\n",
            "%3D",
            "xapp-1-A",
            "Rz4Kx9Lp2Qm7Nw5Tv8Yb3Hc6Jd1Fg0Sa",
            "0123456789abcdef",
            "https://u:p@h/",
            "\n",
            "\x00",
        ],
    ),
}

# The entries a parser's own safety net writes when the parser itself failed.
SAFETY_NETS = (
    "unexpected error",
    "could not parse (",
    "could not read schedules (",
    "analysis failed (",
)


def document(tokens: list[str]) -> Any:
    """A hypothesis strategy: a text made of the format's tokens and a little noise."""
    from hypothesis import strategies as st

    piece = st.one_of(
        st.sampled_from(tokens), st.text(max_size=6), st.sampled_from(["\n", "  ", "\x00", "é"])
    )
    return st.lists(piece, max_size=60).map("".join)


def _lines(text: str) -> int:
    from auditor.scanners.text import LINE_BREAK

    return len(LINE_BREAK.split(text))


def check_facts(path: str, text: str, facts: Any, *, lines: bool = True) -> None:
    """A parser's result is sane: no safety net, every line inside the file."""
    for error in facts.errors:
        assert not any(net in error.message for net in SAFETY_NETS), error
        assert "\n" not in error.message.strip(), error
    if not lines:
        return
    last = _lines(text) + 1
    for group in ("dependencies", "indexes", "includes", "components", "secrets", "schedules"):
        for item in getattr(facts, group):
            assert 1 <= item.line <= last, (group, item)
    for secret in facts.secrets:
        assert "…" in secret.redacted


def check_secrets(text: str) -> None:
    """Every key the scanner reports is gone from the redacted text. (A key-shaped
    string inside a longer word, ``task-proj-...``, is not a key: it is neither
    reported nor redacted.)"""
    from auditor.scanners import text as scanner

    found = scanner.find_secrets("x.env", text)
    for secret in found:
        assert "…" in secret.redacted
    cleaned = scanner.redact_text(text)
    present = scanner.literals_present(text.encode("utf-8", "surrogatepass"))
    for pattern, match in scanner._candidates(text, present):
        value, _, body = scanner._parts(pattern, match)
        if scanner.is_secret(pattern, value, body):
            assert value not in cleaned, value


def check_escape(text: str) -> None:
    from auditor.escape import clean, one_line

    for out in (clean(text), one_line(text)):
        out.encode("utf-8")  # valid UTF-8: no lone surrogate left
        assert not {"\x1b", "\x07", "\r"} & set(out)
        assert clean(out) == out
    assert "\n" not in one_line(text)


def check_glob(pattern: str) -> None:
    from auditor.scanners.history import glob_regex

    glob_regex(pattern)


# --------------------------------------------------------------------------- the long run


def _from_tokens(rng: random.Random, tokens: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(0, 80)):
        roll = rng.random()
        if roll < 0.8:
            parts.append(rng.choice(tokens))
        elif roll < 0.9:
            parts.append("".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(1, 4))))
        else:
            parts.append(rng.choice(["\n", "  ", "\x00", "\ufeff", "\u2028", "\r"]))
    return "".join(parts)


def _mutate(rng: random.Random, data: bytes, tokens: list[str]) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            del data[at : at + rng.randint(1, 64)]
        elif op == 2 and data:
            start = rng.randrange(len(data))
            data[at:at] = data[start : start + rng.randint(1, 256)] * rng.randint(1, 8)
        elif op == 3:
            data[at:at] = rng.choice(tokens).encode()
        elif op == 4:
            data[at:at] = rng.choice([b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\x1b[2J"])
        else:
            data[at:at] = b"[" * rng.randint(1, 200)
    return bytes(data)


def _seeds() -> dict[str, list[bytes]]:
    """Real files of the fixture repositories, by format."""
    from auditor.analyse import analysis_kind

    found: dict[str, list[bytes]] = {name: [] for name in FORMATS}
    kinds = {analysis_kind(path): name for name, (path, _) in FORMATS.items()}
    for file in sorted((ROOT / "fixtures").rglob("*")):
        if file.is_file() and not file.is_symlink() and file.stat().st_size < 200_000:
            name = kinds.get(analysis_kind(file.name if file.name != "ci.yml" else str(file)))
            if name is not None:
                found[name].append(file.read_bytes())
    return found


class _Deadline(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Deadline


def run(inputs: int, minutes: float, seed: int, deadline: int) -> dict[str, Any]:
    from auditor.analyse import analyse

    rng = random.Random(seed)
    seeds = _seeds()
    tried: Counter[str] = Counter()
    crashes: list[str] = []
    slow: list[str] = []
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _alarm)
    names = sorted(FORMATS)
    count = 0
    while count < inputs and time.monotonic() - started < minutes * 60:
        name = names[count % len(names)]
        path, tokens = FORMATS[name]
        if seeds[name] and rng.random() < 0.5:
            data = _mutate(rng, rng.choice(seeds[name]), tokens)
        else:
            text = _from_tokens(rng, tokens)
            data = text.encode("utf-16") if rng.random() < 0.02 else text.encode()
        text = data.decode("utf-8", "replace")
        count += 1
        tried[name] += 1
        signal.alarm(deadline)
        try:
            facts = analyse(path, data)
            check_facts(path, text, facts, lines=b"\x00" not in data[:8192])
            if name == "secrets":
                check_secrets(text)
        except _Deadline:
            slow.append(f"{name}: over {deadline} s ({len(data)} bytes)")
        except Exception as exc:
            crashes.append(f"{name}: {type(exc).__name__}: {str(exc)[:200]}")
        finally:
            signal.alarm(0)
    return {
        "inputs": count,
        "by_format": dict(sorted(tried.items())),
        "crashes": crashes,
        "over_deadline": slow,
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--deadline", type=int, default=10, help="seconds per input")
    args = parser.parse_args()
    result = run(args.inputs, args.minutes, args.seed, args.deadline)
    print(f"inputs tried: {result['inputs']} in {result['seconds']} s (seed {args.seed})")
    print("by format: " + ", ".join(f"{k} {v}" for k, v in result["by_format"].items()))
    print(f"crashes: {len(result['crashes'])}, over the deadline: {len(result['over_deadline'])}")
    for line in (result["crashes"] + result["over_deadline"])[:50]:
        print("  " + line)
    return 0 if not result["crashes"] and not result["over_deadline"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
