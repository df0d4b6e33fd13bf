"""Issue 13's attacks, repeated against the current code, one line of result each.

Every attack builds a small repository in a temporary folder and runs
``ragfit scan`` on it as a separate process with a deadline (a hang is a
result too), then checks what the issue said went wrong.

    .venv/bin/python bench/hostile_attacks.py
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

KEY = "sk-proj-" + "Wm4Nq8Rt2Yp6Lk9Zx3Vb7Hd1Jf5Gs0Ac2Ue8Io4Ty6"
CALL = 'from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
DEADLINE = 120
RESULTS: list[tuple[str, str]] = []


def ragfit(root: Path, *flags: str, timeout: int = DEADLINE) -> tuple[int, bytes, bytes, float]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "user-cache")}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", str(root), "--offline", *flags],
            capture_output=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return -1, b"", b"timeout", time.perf_counter() - started
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - started


def repo(base: Path, name: str, files: dict[str, str | bytes]) -> Path:
    root = base / name
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    root.mkdir(parents=True, exist_ok=True)
    return root


def git(root: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False, env=env)


def attack(name: str) -> Callable[[Callable[[Path], str]], Callable[[Path], str]]:
    def register(func: Callable[[Path], str]) -> Callable[[Path], str]:
        func.attack_name = name  # type: ignore[attr-defined]
        ATTACKS.append(func)
        return func

    return register


ATTACKS: list[Callable[[Path], str]] = []


@attack("1 git configuration runs commands")
def _git(base: Path) -> str:
    root = repo(base, "git", {"app.py": CALL, "docs/a.md": "# a\n"})
    git(root, "init", "-q")
    git(root, "-c", "user.name=x", "-c", "user.email=x@y", "add", "-A")
    git(root, "-c", "user.name=x", "-c", "user.email=x@y", "commit", "-qm", "one")
    markers = base / "markers"
    markers.mkdir()
    bin_dir = base / "trap-bin"
    bin_dir.mkdir()

    def trap(name: str, body: str = "") -> str:
        path = bin_dir / name
        path.write_text(f'#!/bin/sh\ntouch "{markers}/{name}"\n{body}\n')
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    hooks = base / "hooks"
    hooks.mkdir()
    (hooks / "post-index-change").write_text(f'#!/bin/sh\ntouch "{markers}/hook"\n')
    (hooks / "post-index-change").chmod(0o755)
    (root / ".git" / "inc.cfg").write_text(f"[core]\n\tfsmonitor = {trap('fsmonitor')}\n")
    for setting in (
        "include.path=inc.cfg",
        f"includeIf.gitdir:{root}/.git.path=inc.cfg",
        f"core.hooksPath={hooks}",
        f"filter.t.clean={trap('clean', 'cat')}",
        f"diff.external={trap('extdiff')}",
        f"diff.t.textconv={trap('textconv', 'cat $1')}",
    ):
        key, _, value = setting.partition("=")
        git(root, "config", key, value)
    (root / ".gitattributes").write_text("* filter=t diff=t\n")
    (root / "app.py").write_text(CALL + "# changed\n")
    results = []
    for flags in ([], ["--diff-base", "HEAD"]):
        code, _, _, _ = ragfit(root, "--format", "json", *flags)
        results.append(code)
    fired = sorted(p.name for p in markers.iterdir())
    return f"exit codes {results}; traps fired: {fired or 'none'}"


@attack("2 links and devices (cache, .gitignore, config, METADATA)")
def _links(base: Path) -> str:
    outside = base / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("untouched\n")
    root = repo(
        base,
        "links",
        {"app.py": CALL, ".venv/pyvenv.cfg": "x\n", "requirements.txt": "redis==5.0.0\n"},
    )
    (root / ".ragfit_cache").symlink_to(outside)
    (root / ".gitignore").symlink_to("/dev/stdin")
    (root / "pyproject.toml").symlink_to("/dev/zero")
    (root / "ragfit.toml").symlink_to(outside / "victim.txt")
    meta = root / ".venv/lib/python3.11/site-packages/redis-5.0.0.dist-info"
    meta.mkdir(parents=True)
    os.mkfifo(meta / "METADATA")
    code, out, _, seconds = ragfit(root, "--format", "json")
    written = sorted(p.name for p in outside.iterdir() if p.name != "victim.txt")
    kinds = sorted({e["kind"] for e in json.loads(out)["errors"]}) if code in (0, 1) else []
    return (
        f"exit {code} in {seconds:.1f} s; written outside: {written or 'nothing'}; entries: {kinds}"
    )


@attack("4 YAML merge bomb, 30 levels (compose and workflow)")
def _yaml(base: Path) -> str:
    from parser_bombs import yaml_merge_bomb

    root = repo(
        base,
        "yaml",
        {
            "docker-compose.yml": yaml_merge_bomb(30),
            ".github/workflows/ci.yml": yaml_merge_bomb(30, workflow=True),
        },
    )
    code, out, _, seconds = ragfit(root, "--format", "json", "--no-cache")
    comps = len(json.loads(out)["components"]) if code in (0, 1) else None
    return f"exit {code} in {seconds:.1f} s, {comps} components"


@attack("4 poetry.lock and uv.lock of 2 MB")
def _locks(base: Path) -> str:
    from parser_bombs import poetry_lock, uv_lock

    root = repo(
        base, "locks", {"poetry.lock": poetry_lock(2 << 20), "sub/uv.lock": uv_lock(2 << 20)}
    )
    code, out, _, seconds = ragfit(root, "--format", "json", "--no-cache", "--jobs", "1")
    deps = len(json.loads(out)["dependencies"]) if code in (0, 1) else None
    return f"exit {code} in {seconds:.1f} s (both files), {deps} dependencies"


@attack('5 exclude = ["[z-a]"]')
def _glob(base: Path) -> str:
    root = repo(base, "glob", {"pyproject.toml": '[tool.ragfit]\nexclude = ["[z-a]"]\n'})
    code, _, err, _ = ragfit(root)
    return f"exit {code}: {err.decode().strip()}"


@attack("6 escape sequences and a workflow command")
def _escapes(base: Path) -> str:
    root = repo(
        base,
        "escapes",
        {"evil\x1b]52;c;eA==\x07.py": f'KEY = "{KEY}"\n', "app.py": CALL},
    )
    found = []
    for fmt in ("terminal", "json", "sarif", "markdown", "github"):
        _, out, err, _ = ragfit(root, "--format", fmt, "--no-cache")
        if b"\x1b" in out + err or b"\x07" in out + err:
            found.append(fmt)
    cfg = repo(base, "cfgkey", {"pyproject.toml": '[tool.ragfit]\n"x\\n::error::pwned" = 1\n'})
    _, _, err, _ = ragfit(cfg, "--format", "github")
    commands = [line for line in err.decode().splitlines() if line.startswith("::")]
    return f"raw ESC/BEL in: {found or 'no format'}; workflow commands on stderr: {len(commands)}"


@attack("7 configuration that blinds the scan")
def _blind(base: Path) -> str:
    root = repo(
        base,
        "blind",
        {"pyproject.toml": '[tool.ragfit]\nexclude = ["**"]\n', "app.py": f'KEY = "{KEY}"\n'},
    )
    code, out, _, _ = ragfit(root, "--format", "json", "--no-cache")
    excluded = json.loads(out)["summary"]["excluded"]["files"]
    code_i, out_i, _, _ = ragfit(root, "--format", "json", "--no-cache", "--isolated")
    found = [f["rule_id"] for f in json.loads(out_i)["findings"]]
    small = repo(base, "small", {"ragfit.toml": "max-file-size = 1\n", ".env": f"K={KEY}\n"})
    _, out_s, _, _ = ragfit(small, "--format", "json", "--no-cache")
    sc007 = [f["path"] for f in json.loads(out_s)["findings"] if f["rule_id"] == "SC007"]
    return (
        f'exclude ["**"]: exit {code}, summary.excluded.files={excluded}; '
        f"--isolated: exit {code_i}, {found}; max-file-size=1: SC007 in {sc007}"
    )


@attack("8 big files holding a key (.env, .md, .js, Pipfile, pip.conf, 200 MB .jsonl)")
def _big(base: Path) -> str:
    pad = "#" * 100 + "\n"
    root = repo(
        base,
        "big",
        {
            ".env": pad * 30_000 + f"OPENAI_API_KEY={KEY}\n",
            "README.md": pad * 30_000 + f"key {KEY}\n",
            "app.js": pad * 30_000 + f'k = "{KEY}"\n',
            "Pipfile": pad * 30_000 + f'k = "{KEY}"\n',
            "pip.conf": "[global]\n" + pad * 30_000 + f"index-url = https://u:{KEY}@h/\n",
        },
    )
    line = b'{"messages": [{"role": "user", "content": "hello there, how are you today?"}]}\n'
    with open(root / "train.jsonl", "wb") as out:
        block = line * 10_000
        for _ in range(200 * 1024 * 1024 // len(block)):
            out.write(block)
        out.write(f'{{"k": "{KEY}"}}\n'.encode())
    code, out, _, seconds = ragfit(root, "--format", "json", "--no-cache", timeout=600)
    report = json.loads(out)
    found = sorted(f["path"] for f in report["findings"] if f["rule_id"] == "SC007")
    too_large = sorted(e["path"] for e in report["errors"] if e["kind"] == "too-large")
    return f"exit {code} in {seconds:.1f} s; SC007 in {found}; too-large entries: {too_large}"


@attack("9 a file name that is not UTF-8")
def _names(base: Path) -> str:
    root = repo(base, "names", {"app.py": CALL})
    with open(os.fsencode(root) + b"/k\xff.py", "wb") as out:
        out.write(f'KEY = "{KEY}"\n'.encode())
    with open(os.fsencode(root) + b"/b\xfe.py", "wb") as out:
        out.write(b"\x00binary")
    results = []
    for fmt in ("json", "sarif"):
        target = base / f"names.{fmt}"
        code, _, _, _ = ragfit(root, "--format", fmt, "--no-cache", "--output", str(target))
        text = target.read_bytes().decode("utf-8") if target.exists() else ""
        named = "k\\\\xff.py" in text or "k%5Cxff" in text
        results.append(f"{fmt} exit {code}, valid UTF-8, name escaped: {named}")
    code, stdout, _, _ = ragfit(root, "--format", "json", "--no-cache")
    stdout.decode("utf-8")
    results.append(f"json to stdout exit {code}, valid UTF-8")
    return "; ".join(results)


@attack("10 a key planted in every place a string comes from")
def _redaction(base: Path) -> str:
    root = repo(
        base,
        "redact",
        {
            f"notes/{KEY}.txt": "x\n",
            "requirements.txt": f"--extra-index-url https://u:{KEY}@pypi.example/simple\n{KEY}==1\n",
            "docker-compose.yml": f'services:\n  a:\n    image: "reg.example/{KEY}:1"\n',
            "pip.conf": f"[global]\nbad line {KEY}\n",
            "setup.cfg": f"[options]\ninstall_requires =\n    x @ https://u:{KEY}@h/x.whl ;;\n",
            "app.py": CALL.replace('"gpt-4o"', f'"{KEY}"')
            + f'SYSTEM = "use {KEY}"\nOpenAI().chat.completions.create(model="m", '
            "messages=[{'role': 'system', 'content': SYSTEM}])\n",
        },
    )
    leaks = []
    for fmt in ("terminal", "json", "sarif", "markdown", "github"):
        _, out, err, _ = ragfit(root, "--format", fmt)
        if KEY.encode() in out + err:
            leaks.append(fmt)
    cache = b"".join(p.read_bytes() for p in (root / ".ragfit_cache").iterdir())
    if KEY.encode() in cache or KEY[10:30].encode() in cache:
        leaks.append("cache")
    return f"leaks: {leaks or 'none'}"


@attack("11 keys missed and placeholders flagged (the corpus)")
def _corpus(base: Path) -> str:
    import secret_corpus

    result = secret_corpus.measure(json.loads(secret_corpus.CORPUS.read_text("utf-8")))
    return (
        f"recall {result['found']}/{result['keys']}, kinds {result['kinds_found']}/"
        f"{result['kinds_in_table']}, placeholders flagged {result['false_positives']}/"
        f"{result['placeholders']}"
    )


@attack("12 a form feed before an extra index in pip.conf and setup.cfg")
def _formfeed(base: Path) -> str:
    root = repo(
        base,
        "ff",
        {"pip.conf": "[global]\n# a\fb\nextra-index-url = https://h.example/simple\n"},
    )
    _, out, _, _ = ragfit(root, "--format", "json", "--no-cache")
    lines = [f["line"] for f in json.loads(out)["findings"] if f["rule_id"] == "SC005"]
    return f"SC005 at line {lines} (expected [3])"


def main() -> int:
    for func in ATTACKS:
        base = Path(tempfile.mkdtemp(prefix="ragfit-attack-"))
        try:
            result = func(base)
        except Exception as exc:  # an attack that breaks the harness is a result too
            result = f"harness error: {type(exc).__name__}: {exc}"
        finally:
            shutil.rmtree(base, ignore_errors=True)
        name = func.attack_name  # type: ignore[attr-defined]
        RESULTS.append((name, result))
        print(f"{name}: {result}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
