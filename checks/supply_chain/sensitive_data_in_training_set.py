"""SC009 sensitive-data-in-training-set."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, ScanError, Severity
from auditor.rules import Example, Rule
from auditor.scanners.data import dataset_split, sniff_dataset
from auditor.scanners.sensitive import KINDS, SensitiveScan, scan_file
from auditor.verdict.assets import match
from auditor.verdict.profile import is_test_path
from auditor.verdict.stage import Verdict

# What one scan reads, in all, before it stops (each file's own share is
# bounded by the scanner's sampling): about ten seconds of work.
TOTAL_SCAN_BYTES = 64 * 1024 * 1024
# Text the scanner can read; Parquet and packed documents (PDF, DOCX) are not text.
TEXT_SUFFIXES = frozenset(
    {
        ".jsonl",
        ".ndjson",
        ".json",
        ".csv",
        ".tsv",
        ".txt",
        ".md",
        ".mdx",
        ".markdown",
        ".rst",
        ".adoc",
        ".org",
        ".tex",
        ".html",
        ".htm",
        ".xml",
        ".yaml",
        ".yml",
    }
)
# Files that training code may name as its data.
_DATA_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet", ".txt")
# Bytes of an oversized JSONL file read to tell whether it is a dataset.
SNIFF_BYTES = 64 * 1024
_NOUNS = {
    "secret": ("secret", "secrets"),
    "payment-card": ("payment card number", "payment card numbers"),
    "iban": ("IBAN", "IBANs"),
    "national-id": ("national identifier", "national identifiers"),
    "phone": ("phone number", "phone numbers"),
    "email": ("e-mail address", "e-mail addresses"),
}
_ROLES = {
    "training": ("Training set", "a fine-tuned model can repeat them to anyone who asks"),
    "evaluation": ("Evaluation set", "they reach every model and log the evaluation runs through"),
    "corpus": ("Knowledge corpus file", "retrieval can put them into any answer"),
}

# Fake values with real shapes (no real person's); written in parts so that
# this file holds no finding of its own.
_MAIL = "maria.lopez" + "@" + "fastmail.fm"
_CARD = "4539 1488 " + "0343 6467"
_KEY = "sk-proj-" + "Qz8N3vR2tY7uK1mW5pX9cB4dF6gH2jL7aS8eD3rT5yU7iO1pZ4"


def _mib(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GiB"
    return f"{size / 1024**2:.1f} MiB"


class SensitiveDataInTrainingSet(Rule):
    """
    ## What it does
    Finds personal data and secrets in the training sets, evaluation sets and
    embedded knowledge corpus files that the repository uses: one finding per
    file with the count of each kind, the line of its first occurrence and
    redacted samples.

    It looks for e-mail addresses, phone numbers, payment card numbers that
    pass the Luhn check, IBANs that pass their checksum, national identifiers
    with a checksum or a strict format (US SSN, UK National Insurance number,
    Brazilian CPF, Spanish DNI/NIE, Italian codice fiscale; Canadian SIN,
    Aadhaar, BSN, PESEL, NIR and Steuer-ID after a word that names them) and
    API keys (the SC007 table).

    Documentation values do not count: `example.com` and other reserved
    domains, role mailboxes such as `support@`, `555` numbers and Ofcom's drama
    ranges, published test card numbers (`4242 4242 4242 4242`) and the IBAN
    registry's examples. A file larger than 8 MiB is sampled, the same way on
    every run (32 windows spread over the whole file), and the finding says how
    much was read.

    ## Why is this bad?
    A fine-tuned model can repeat what it was trained on, word for word: a
    customer's phone number or a card number in a training set becomes
    something any user can extract with the right prompt, and a model cannot
    be made to forget it short of training it again. A knowledge corpus that
    is embedded hands the same data to whoever can query the retriever. Keys
    in either are keys in every copy of the model or the index. Personal data
    in training data also needs a legal basis (GDPR, CCPA) that a support
    export rarely has.

    The values are never printed by ragfit: findings carry only redacted
    samples such as `m***@f***.fm` or `visa ****6467`.

    ## Example
    ```json
    {"messages": [{"role": "user", "content": "Refund to my card 4539 …"},
                  {"role": "assistant", "content": "Done, Maria: refunded."}]}
    ```

    Use instead:
    ```json
    {"messages": [{"role": "user", "content": "Refund to my card [CARD]"},
                  {"role": "assistant", "content": "Done, [NAME]: refunded."}]}
    ```

    ## How to fix
    Scrub or pseudonymise the data before it is trained on or embedded
    (replace values with placeholders such as `[EMAIL]`), keep the raw export
    out of the repository, and revoke any key that was found. A model already
    trained on the data has to be retrained.
    """

    id = "SC009"
    name = "sensitive-data-in-training-set"
    severity = Severity.WARNING
    message = "{what} holds {found}{read}: {risk}"
    tags = ("security", "privacy", "external/cwe/cwe-359")
    precision = "medium"  # personal data recognised by pattern and context: a heuristic
    security_severity = 6.5
    valid = (
        Example(
            {
                "train.py": (
                    "from openai import OpenAI\n"
                    "client = OpenAI()\n"
                    'f = client.files.create(file=open("data/train.jsonl", "rb"), '
                    'purpose="fine-tune")\n'
                ),
                "data/train.jsonl": (
                    '{"messages": [{"role": "user", "content": "Who do I write to?"}, '
                    '{"role": "assistant", "content": "Write to support@acme.io or '
                    'jane@example.com, or call (415) 555-0132."}]}\n'
                    '{"messages": [{"role": "user", "content": "Test card?"}, '
                    '{"role": "assistant", "content": "Use 4242 4242 4242 4242 in the '
                    'sandbox."}]}\n'
                ),
            }
        ),
        Example({"notes/contacts.md": f"Write to {_MAIL}.\n"}),
    )
    invalid = (
        Example(
            {
                "data/train.jsonl": (
                    '{"messages": [{"role": "user", "content": "Hi"}, '
                    '{"role": "assistant", "content": "Hello!"}]}\n'
                    f'{{"messages": [{{"role": "user", "content": "Refund {_CARD} please, '
                    f'mail {_MAIL}"}}, {{"role": "assistant", "content": "Done."}}]}}\n'
                ),
            },
            expect=("data/train.jsonl:2",),
        ),
        Example(
            {
                "ingest.py": (
                    "from langchain_community.document_loaders import DirectoryLoader\n"
                    'docs = DirectoryLoader("kb").load()\n'
                ),
                "kb/setup.md": f"# Setup\n\nUse the key `{_KEY}` for the staging API.\n",
            },
            expect=("kb/setup.md:3",),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        budget = TOTAL_SCAN_BYTES
        skipped: list[str] = []
        for path, size, role in _targets(facts, verdict):
            if not path.endswith(tuple(TEXT_SUFFIXES)):
                if path.endswith(".parquet"):
                    facts.rule_errors.append(_parquet_error(path))
                continue
            if budget <= 0:
                skipped.append(path)
                continue
            scan = scan_file(facts.root, path, size)
            budget -= scan.bytes_scanned
            if scan.error is not None:
                message = f"not checked for personal data: {scan.error}"
                facts.rule_errors.append(ScanError(path, "unreadable", message))
                continue
            if scan.kinds:
                yield self._finding(scan, role)
        if skipped:
            message = (
                f"SC009 stopped after reading {_mib(TOTAL_SCAN_BYTES)}: {len(skipped)} more "
                f"data file(s) not checked for personal data, from {skipped[0]}"
            )
            facts.rule_errors.append(ScanError(skipped[0], "not-read", message))

    def _finding(self, scan: SensitiveScan, role: str) -> Finding:
        what, risk = _ROLES[role]
        parts = []
        for kind in KINDS:
            tally = scan.kinds.get(kind)
            if tally is None:
                continue
            noun = _NOUNS[kind][tally.count != 1]
            parts.append(f"{tally.count} {noun} (line {tally.first_line})")
        read = ""
        if scan.sampled:
            read = f" in the {_mib(scan.bytes_scanned)} sampled of {_mib(scan.bytes_total)}"
        properties = {
            "role": role,
            "kinds": scan.summary(),
            "bytes_total": scan.bytes_total,
            "bytes_scanned": scan.bytes_scanned,
            "lines_scanned": scan.lines_scanned,
            "sampled": scan.sampled,
        }
        return self.finding(
            Location(scan.path, scan.first_line),
            severity=Severity.ERROR if "secret" in scan.kinds else None,
            properties=properties,
            fingerprint_key=f"{role}|{','.join(sorted(scan.kinds))}",
            what=what,
            found=", ".join(parts),
            read=read,
            risk=risk,
        )


def _targets(facts: RepoFacts, verdict: Verdict) -> list[tuple[str, int, str]]:
    """``(path, size, role)`` of every training set, evaluation set and corpus
    file, in that order (tests and their fixtures left out)."""
    sizes = {f.path: f.size for f in [*facts.files, *facts.oversized]}
    analysis = verdict.analysis
    roles: dict[str, str] = {}
    training = set(analysis.training_files)
    training.update(d.path for d in facts.datasets if not is_test_path(d.path))
    training.update(_oversized_datasets(facts))
    # Training code may name any data file (``load_dataset("csv", data_files=...)``);
    # the verdict keeps only JSONL from those references.
    names = sorted(sizes)
    for ref in facts.data_refs:
        if ref.role == "training" and not is_test_path(ref.path):
            training.update(f for f in match(ref.target, names) if f.endswith(_DATA_SUFFIXES))
    for path in sorted(training):
        roles[path] = "evaluation" if dataset_split(path) == "eval" else "training"
    for path in analysis.corpus.files:
        roles.setdefault(path, "corpus")
    order = {"training": 0, "evaluation": 1, "corpus": 2}
    found = [(p, sizes[p], role) for p, role in roles.items() if p in sizes]
    return sorted(found, key=lambda t: (order[t[2]], t[0]))


def _oversized_datasets(facts: RepoFacts) -> list[str]:
    """JSONL files too large for the analysis whose first record is a dataset record."""
    found: list[str] = []
    for source in facts.oversized:
        path = source.path
        if not path.endswith((".jsonl", ".ndjson")) or is_test_path(path):
            continue
        try:
            with open(facts.root / path, "rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError:
            continue
        head = head[: head.rfind(b"\n") + 1] or head
        dataset, _ = sniff_dataset(path, head.decode("utf-8", "replace"))
        if dataset is not None:
            found.append(path)
    return found


def _parquet_error(path: str) -> ScanError:
    name = posixpath.basename(path)
    message = f"{name}: Parquet is not read, so it was not checked for personal data"
    return ScanError(path, "not-read", message)
