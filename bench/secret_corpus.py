"""The secret scanner against a corpus of real-shaped fake keys and placeholders.

``tests/data/secrets/corpus.json`` holds, for every key format of
``checks/data/secrets.toml``, fake keys with a real key's shape in the places
keys hide (source, ``.env``, YAML, a notebook output after an escaped ``\\n``, a
URL after ``%3D``, a file with a NUL in its first 8 KB, a UTF-16 ``.env``, PEM
blocks), and placeholders from documentation and tests that must not fire
(``sk-proj-test-key-for-unit-tests-only-1``, ``hf_thisIsNotARealTokenJustADocsSample1``).

    .venv/bin/python bench/secret_corpus.py           # recall and false positives
    .venv/bin/python bench/secret_corpus.py --write   # regenerate the corpus (seeded)

Each entry is a whole file, analysed as ragfit analyses it
(``auditor.analyse.analyse``). Recall: keys found with the right kind at the
right line. False-positive rate: placeholder files with any finding.
``tests/test_secret_table.py`` asserts both (every kind found, no placeholder).
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "data" / "secrets" / "corpus.json"

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase + string.digits
B64 = ALNUM + "+/"


def _body(rng: random.Random, n: int, alphabet: str = ALNUM, *, digit: bool = True) -> str:
    """A random key body; with ``digit``, one holding a digit and a letter."""
    mixed = digit and any(c.isdigit() for c in alphabet) and any(c.isalpha() for c in alphabet)
    while True:
        text = "".join(rng.choice(alphabet) for _ in range(n))
        if not mixed or (any(c.isdigit() for c in text) and any(c.isalpha() for c in text)):
            return text


def _letters(rng: random.Random, n: int) -> str:
    """Hugging Face's shape: letters only, both cases."""
    while True:
        text = "".join(rng.choice(string.ascii_letters) for _ in range(n))
        if any(c.isupper() for c in text) and any(c.islower() for c in text):
            return text


def _pem(rng: random.Random, label: str) -> str:
    body = _body(rng, 64 * 12, B64)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def build() -> dict[str, Any]:
    rng = random.Random(20261201)
    k: dict[str, str] = {
        "anthropic-api03": "sk-ant-api03-" + _body(rng, 93, URLSAFE) + "AA",
        "anthropic-admin01": "sk-ant-admin01-" + _body(rng, 93, URLSAFE) + "AA",
        "anthropic-oat01": "sk-ant-oat01-" + _body(rng, 93, URLSAFE) + "AA",
        "openai-proj": "sk-proj-" + _body(rng, 74, URLSAFE) + "T3BlbkFJ" + _body(rng, 74, URLSAFE),
        "openai-svcacct": "sk-svcacct-" + _body(rng, 58) + "T3BlbkFJ" + _body(rng, 58),
        "openai-admin": "sk-admin-" + _body(rng, 58) + "T3BlbkFJ" + _body(rng, 58),
        "openai-legacy": "sk-" + _body(rng, 20) + "T3BlbkFJ" + _body(rng, 20),
        "openai-legacy-48": "sk-" + _body(rng, 48),
        "openrouter": "sk-or-v1-" + _body(rng, 64, HEX),
        "xai": "xai-" + _body(rng, 80),
        "huggingface": "hf_" + _letters(rng, 34),
        "huggingface-org": "api_org_" + _letters(rng, 34),
        "groq": "gsk_" + _body(rng, 52),
        "perplexity": "pplx-" + _body(rng, 48),
        "replicate": "r8_" + _body(rng, 37),
        "pinecone": "pcsk_" + _body(rng, 6) + "_" + _body(rng, 65),
        "langsmith": "lsv2_pt_" + _body(rng, 32, HEX) + "_" + _body(rng, 10, HEX),
        "cohere": _body(rng, 40),
        "mistral": _body(rng, 32),
        "azure-hex": _body(rng, 32, HEX),
        "aws-id": "AKIA" + _body(rng, 16, UPPER),
        "aws-secret": _body(rng, 40, B64),
        "google": "AIza" + _body(rng, 35, URLSAFE),
        "github-classic": "ghp_" + _body(rng, 36),
        "github-fine": "github_pat_" + _body(rng, 22) + "_" + _body(rng, 59),
        "slack-bot": "xoxb-"
        + _body(rng, 12, string.digits)
        + "-"
        + _body(rng, 13, string.digits)
        + "-"
        + _body(rng, 24),
        "slack-app": "xapp-1-A"
        + _body(rng, 10, UPPER)
        + "-"
        + _body(rng, 13, string.digits)
        + "-"
        + _body(rng, 64, HEX),
        "stripe": "sk_live_" + _body(rng, 99),
        "slack-webhook": "https://hooks.slack.com/services/T"
        + _body(rng, 8, UPPER)
        + "/B"
        + _body(rng, 10, UPPER)
        + "/"
        + _body(rng, 24),
    }
    rsa, pkcs8, openssh, ec = (
        _pem(rng, "RSA PRIVATE KEY"),
        _pem(rng, "PRIVATE KEY"),
        _pem(rng, "OPENSSH PRIVATE KEY"),
        _pem(rng, "EC PRIVATE KEY"),
    )
    keys: list[dict[str, Any]] = []

    def key(kind: str, file: str, text: str, line: int, **extra: Any) -> None:
        keys.append({"kind": kind, "file": file, "text": text, "line": line, **extra})

    key(
        "anthropic-api-key",
        "app/claude.py",
        f'client = Anthropic(api_key="{k["anthropic-api03"]}")\n',
        1,
    )
    key("anthropic-api-key", ".env", f"# admin\nANTHROPIC_ADMIN_KEY={k['anthropic-admin01']}\n", 2)
    key("anthropic-api-key", "claude_config.json", f'{{"oauth": "{k["anthropic-oat01"]}"}}\n', 1)
    key("openai-api-key", "settings.py", f'OPENAI_API_KEY = "{k["openai-proj"]}"\n', 1)
    key("openai-api-key", "deploy/values.yaml", f"openai:\n  key: {k['openai-svcacct']}\n", 2)
    key("openai-api-key", "admin.env", f"OPENAI_ADMIN_KEY='{k['openai-admin']}'\n", 1)
    key("openai-api-key", "old.py", f"openai.api_key = '{k['openai-legacy']}'\n", 1)
    key("openai-api-key", "older.py", f"openai.api_key = '{k['openai-legacy-48']}'\n", 1)
    key("openrouter-api-key", ".env.local", f"OPENROUTER_API_KEY={k['openrouter']}\n", 1)
    key("xai-api-key", "grok.ts", f'const client = new OpenAI({{ apiKey: "{k["xai"]}" }});\n', 1)
    key("huggingface-token", "train.py", f'login(token="{k["huggingface"]}")\n', 1)
    key("huggingface-token", "org.sh", f"export HF_ORG_TOKEN={k['huggingface-org']}\n", 1)
    key("groq-api-key", "groq_app.py", f'Groq(api_key="{k["groq"]}")\n', 1)
    key("perplexity-api-key", "search.py", f'PPLX = "{k["perplexity"]}"\n', 1)
    key(
        "replicate-api-token",
        "gen.py",
        f'os.environ["REPLICATE_API_TOKEN"] = "{k["replicate"]}"\n',
        1,
    )
    key("pinecone-api-key", "index.py", f'pc = Pinecone(api_key="{k["pinecone"]}")\n', 1)
    key("langsmith-api-key", ".env.dev", f"LANGSMITH_API_KEY={k['langsmith']}\n", 1)
    key("cohere-api-key", ".env.cohere", f"COHERE_API_KEY={k['cohere']}\n", 1)
    key("cohere-api-key", "rerank.py", f'import cohere\nco = cohere.Client("{k["cohere"]}")\n', 2)
    key("mistral-api-key", ".env.mistral", f"MISTRAL_API_KEY={k['mistral']}\n", 1)
    key("mistral-api-key", "mistral_app.py", f'client = Mistral(api_key="{k["mistral"]}")\n', 1)
    key("azure-openai-api-key", ".env.azure", f"AZURE_OPENAI_API_KEY={k['azure-hex']}\n", 1)
    key(
        "azure-openai-api-key",
        "azure_client.py",
        "client = AzureOpenAI(\n"
        '    azure_endpoint="https://contoso.openai.azure.com/",\n'
        f'    api_key="{k["azure-hex"]}",\n'
        '    api_version="2024-06-01",\n)\n',
        3,
    )
    key(
        "azure-openai-api-key",
        "call.sh",
        'curl "https://contoso.openai.azure.com/openai/deployments/gpt4/chat/completions" \\\n'
        f'  -H "api-key: {k["azure-hex"]}"\n',
        2,
    )
    key("aws-access-key-id", "credentials", f"[default]\naws_access_key_id = {k['aws-id']}\n", 2)
    key(
        "aws-secret-access-key",
        "credentials.ini",
        f"aws_secret_access_key = {k['aws-secret']}\n",
        1,
    )
    key("google-api-key", "maps.js", f'const KEY = "{k["google"]}";\n', 1)
    key("github-token", ".github/pat.txt", f"{k['github-classic']}\n", 1)
    key("github-token", "ci.yml", f"env:\n  GH_TOKEN: {k['github-fine']}\n", 2)
    key("slack-token", "bot.py", f'SLACK_BOT_TOKEN = "{k["slack-bot"]}"\n', 1)
    key("slack-token", "socket.py", f'SLACK_APP_TOKEN = "{k["slack-app"]}"\n', 1)
    key("slack-webhook", "notify.py", f'WEBHOOK = "{k["slack-webhook"]}"\n', 1)
    key("stripe-secret-key", "billing.rb", f'Stripe.api_key = "{k["stripe"]}"\n', 1)
    key("private-key", "deploy/id_rsa", rsa + "\n", 1)
    key("private-key", "certs/server.key", pkcs8 + "\n", 1)
    key("private-key", ".ssh/id_ed25519", openssh + "\n", 1)
    key("private-key", "ec.pem", "# staging\n" + ec + "\n", 2)
    escaped = pkcs8.replace("\n", "\\n")
    key("private-key", "service_account.json", f'{{"private_key": "{escaped}\\n"}}\n', 1)
    # Where keys hide: after an escape in a notebook output, in a URL, past a NUL, UTF-16.
    key(
        "huggingface-token",
        "notebooks/login.ipynb",
        '{"cells": [{"cell_type": "code", "outputs": [{"text": ["Token:\\n'
        + k["huggingface"]
        + '\\n"]}], "source": []}]}\n',
        1,
    )
    key("openai-api-key", "out.ipynb", f'{{"text": "key\\t{k["openai-proj"]}"}}\n', 1)
    key("openai-api-key", "log.txt", f"payload\\r{k['openai-legacy-48']}\n", 1)
    key("openai-api-key", "links.md", f"[x](https://api.example/v1?key%3D{k['openai-proj']})\n", 1)
    key("groq-api-key", "dump.txt", f"\x00\x00header\nGROQ_API_KEY={k['groq']}\n", 2)
    key("openai-api-key", "win.env", f"OPENAI_API_KEY={k['openai-proj']}\r\n", 1, encoding="utf-16")
    key(
        "mistral-api-key",
        "win2.env",
        f"A=1\nMISTRAL_API_KEY={k['mistral']}\n",
        2,
        encoding="utf-16-le",
    )

    placeholders = [
        ("README.md", "Set `OPENAI_API_KEY=sk-proj-test-key-for-unit-tests-only-1`.\n"),
        ("docs/hub.md", "huggingface-cli login --token hf_thisIsNotARealTokenJustADocsSample1\n"),
        (
            "tests/conftest.py",
            'os.environ["OPENAI_API_KEY"] = "sk-proj-fake-key-for-testing-purposes-123"\n',
        ),
        ("tests/test_hf.py", 'TOKEN = "hf_fakeTokenForTestsOnlyNotReal0123"\n'),
        ("docs/keys.md", "Your key looks like `sk-...` or `sk-proj-...`.\n"),
        (".env.example", "OPENAI_API_KEY=sk-your-key-here\nANTHROPIC_API_KEY=sk-ant-api03-...\n"),
        (".env.sample", "OPENAI_API_KEY=<your-openai-api-key>\nHF_TOKEN=${HF_TOKEN}\n"),
        ("docs/aws.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
        ("docs/aws2.md", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
        ("docs/gh.md", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
        ("docs/hf.md", "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
        ("docs/cohere.md", "COHERE_API_KEY=your-cohere-api-key\n"),
        ("docs/mistral.md", "MISTRAL_API_KEY=<MISTRAL_API_KEY>\n"),
        ("docs/azure.md", "AZURE_OPENAI_API_KEY=00000000000000000000000000000000\n"),
        (
            "docs/azure2.md",
            'AzureOpenAI(api_key="<key>", azure_endpoint="https://x.openai.azure.com")\n',
        ),
        ("docs/pem.md", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"),
        (
            "docs/pem2.md",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\n",
        ),
        ("lowent.py", 'KEY = "sk-proj-' + "a1" * 20 + '"\n'),
        ("nodigit.py", 'KEY = "sk-' + "Abcdefghijklmnopqrstuvwxyz" * 2 + '"[:48]\n'),
        ("hflower.py", 'TOKEN = "hf_' + "qwertyuiopasdfghjklzxcvbnmqwertyui" + '"\n'),
        ("slack.md", "SLACK_BOT_TOKEN=xoxb-your-bot-token-here\n"),
        ("stripe.md", "sk_live_" + "dummy" * 6 + "\n"),
        ("openrouter.md", "OPENROUTER_API_KEY=sk-or-v1-your-openrouter-key\n"),
        ("xai.md", "XAI_API_KEY=xai-...\n"),
        ("identifiers.py", "from huggingface_hub import hf_hub_download, hf_hub_url\n"),
        ("sha.py", 'AzureOpenAI()  # pinned at "0123456789abcdef0123456789abcdef"\n'),
        ("task.py", "task-" + "Rz4Kx9Lp2Qm7Nw5Tv8Yb3Hc6Jd1Fg0Sa2Ek7Uo9" + "1234567\n"),
        ("mask.py", "mask_live_" + "Rz4Kx9Lp2Qm7Nw5Tv8Yb3Hc6Jd1Fg0Sa2Ek7Uo9" + "\n"),
    ]
    return {
        "note": "Fake keys with real keys' shapes (random, never issued) and placeholders; "
        "generated by bench/secret_corpus.py --write.",
        "keys": keys,
        "placeholders": [{"file": f, "text": t} for f, t in placeholders],
    }


def file_bytes(entry: dict[str, Any]) -> bytes:
    return entry["text"].encode(entry.get("encoding", "utf-8"))


def measure(corpus: dict[str, Any]) -> dict[str, Any]:
    from auditor.analyse import analyse
    from auditor.scanners.text import SECRET_PATTERNS

    found_kinds: set[str] = set()
    missed: list[str] = []
    for entry in corpus["keys"]:
        facts = analyse(entry["file"], file_bytes(entry))
        hits = [(s.kind, s.line) for s in facts.secrets]
        if (entry["kind"], entry["line"]) in hits:
            found_kinds.add(entry["kind"])
        else:
            missed.append(
                f"{entry['file']}: expected {entry['kind']} at line {entry['line']}, got {hits}"
            )
    flagged: list[str] = []
    for entry in corpus["placeholders"]:
        facts = analyse(entry["file"], file_bytes(entry))
        if facts.secrets:
            flagged.append(f"{entry['file']}: {[s.kind for s in facts.secrets]}")
    table_kinds = {p.kind for p in SECRET_PATTERNS}
    keys, placeholders = len(corpus["keys"]), len(corpus["placeholders"])
    return {
        "keys": keys,
        "found": keys - len(missed),
        "recall": (keys - len(missed)) / keys,
        "kinds_in_table": len(table_kinds),
        "kinds_found": len(found_kinds),
        "kinds_never_found": sorted(table_kinds - found_kinds),
        "placeholders": placeholders,
        "false_positives": len(flagged),
        "false_positive_rate": len(flagged) / placeholders,
        "missed": missed,
        "flagged": flagged,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="regenerate the corpus file")
    args = parser.parse_args()
    if args.write:
        CORPUS.parent.mkdir(parents=True, exist_ok=True)
        CORPUS.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {CORPUS.relative_to(ROOT)}")
        return 0
    result = measure(json.loads(CORPUS.read_text("utf-8")))
    print(
        f"keys: {result['found']}/{result['keys']} found (recall {result['recall']:.1%}), "
        f"kinds {result['kinds_found']}/{result['kinds_in_table']}"
    )
    print(
        f"placeholders: {result['false_positives']}/{result['placeholders']} flagged "
        f"(false-positive rate {result['false_positive_rate']:.1%})"
    )
    for line in result["missed"] + result["flagged"]:
        print("  " + line)
    if result["kinds_never_found"]:
        print("  kinds with no key in the corpus: " + ", ".join(result["kinds_never_found"]))
    return 0 if not result["missed"] and not result["flagged"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
