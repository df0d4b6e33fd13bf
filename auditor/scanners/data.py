"""Fine-tuning datasets as facts: format, size, invalid records, and what the answers look like.

``sniff_dataset(path, text)`` reads one JSONL or JSON file statically and says
whether it is a supervised fine-tuning dataset in one of four shapes:

- ``chat``: OpenAI chat, ``{"messages": [{"role": ..., "content": ...}, ...]}``;
  ``content`` may be a string, ``null`` (a tool call) or a list of parts
  (``{"type": "text", "text": ...}``; image and audio parts carry no text).
- ``prompt-completion``: ``{"prompt": ..., "completion": ...}``; each side a
  string, a list of parts or a list of chat messages (the conversational form).
- ``alpaca``: ``{"instruction": ..., "input": ..., "output": ...}`` (``input``
  and an optional ``system`` may be absent or ``null``).
- ``sharegpt``: ``{"conversations": [{"from": "human"|"gpt"|"system", "value": ...}]}``
  (``role``/``content`` turns are accepted under ``conversations`` too).

Plain text corpora (``{"text": ...}``), preference pairs and every other JSON
file are not datasets here: ``sniff_dataset`` returns ``None`` for them, having
looked at the first record(s) only. A chat, ShareGPT or conversational record
needs at least one answer turn (``assistant``; ``gpt``/``model``/``assistant``
in ShareGPT).

Layouts: JSONL (one JSON object per line; the format is decided by the first
of the first five non-blank lines that is a record; lines that name no
record key are not even parsed) and JSON (a top-level list of records, or an
object whose ``data``/``train``/``examples``/... key, among its first 16,
holds that list; the first record decides). When the first line of a file
that starts with ``{`` is not a record, the JSON object reading is tried
first, so ``{"data": [`` followed by one record a line is not taken for JSONL.
Every later record must have the same format; one that does not, or a JSONL
line that is not JSON, is *invalid*: it is counted, and one ``ScanError`` per
file names the count and the first five line numbers (a JSON list broken
midway adds one more, and its later records are not read). Nothing here
raises: unexpected failures become a ``parse-error``.

Cost: linear in the file, one ``json`` parse of each record (about 130 MB/s);
a file that is not a dataset is read no further than its first lines, or its
first values for a JSON object; the answer analysis is capped (below).

Sizes are estimates at about 4 characters a token (``approx_tokens``): the
dataset's ``approx_tokens`` is the sum of ``approx_tokens`` over every text
(each message, prompt, completion, instruction, input, output) of every valid
example. An *answer* is an assistant / completion / output / gpt turn with
text: ``answer_tokens_avg`` is the mean over answers (a multi-turn chat has
several), ``system_tokens_avg`` the mean over examples (rounded half up).

``template_share`` and ``fact_share`` are computed on a sample, the first
``SAMPLE_ANSWERS`` answers of the file, each cut to its first
``SAMPLE_CHARS`` characters (the closing line is taken from the answer's end):

- ``template_share``: each answer has three skeleton parts, its *opening* (the
  first three words), its *closing* (the last line, for answers of two lines
  or more, at most twelve words) and its *outline* (its Markdown headings and
  label lines such as ``**Steps:**``, when there are two or more; for an answer
  that is a JSON object, its sorted keys). Words are normalised: lower case,
  surrounding punctuation dropped, digit runs become
  ``0`` and capitalised words other than the first become ``X`` (so names and
  order numbers do not tell answers apart). For each part, the most common
  value shared by at least two answers covers a share of the sampled answers;
  ``template_share`` is the largest of the three shares. "Hi there! Thanks for
  reaching out" openings or a fixed "Cheers, the Acme team" sign-off score
  near 1; varied answers near 0.
- ``fact_share``: the share of sampled answers with at least one fact: a date
  (``2024-03-01``, ``1/3/2024``, ``March 1, 2024``, ``1 March 2024``, a year
  1900-2099), money (``$1,200``, ``€40``, ``40 EUR``), a percentage, a number
  with a unit (``30 days``, ``5 mg``, ``2 GB``), a legal reference (``§ 12``,
  ``Article 5``, ``Section 3(b)``, ``Art. 6``) or a run of two or more
  capitalised words in mid-sentence (``the European Data Protection Board``).

- ``structured_share``: the share of sampled answers the model must produce in
  a fixed form rather than as prose: code (a fenced block, or a first line of
  ``def``/``class``/``import``/``function``/``SELECT``/``WITH`` ...), SQL, a
  JSON object or array, markup (an answer that opens with a tag), or a label
  from a small set (answers of three words or fewer, when at most twenty
  distinct ones cover the sample: a classifier's outputs). Such answers teach
  a behaviour (a format, a syntax, a house style), not facts.
- ``context_share``: the share of the first ``SAMPLE_ANSWERS`` examples whose
  prompt carries retrieved passages (``<DOCUMENT>``, a ``Context:`` or
  ``Passages:`` block, numbered ``[1]`` passages): retrieval-augmented
  training, where the model learns to answer from what is retrieved.

``split`` says, from the path alone, whether a file is training data
(``train``), a validation split (``validation``) or an evaluation set
(``eval``): the file name decides when it names a split (``val.jsonl``,
``golden.jsonl``, ``qa_test.jsonl``, ``train.jsonl``), else the folders do
(``evals/``, ``benchmarks/``, ``tests/``, ``validation/``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditor.model import DATASET_FORMATS as FORMATS
from auditor.model import DATASET_SPLITS as SPLITS
from auditor.model import Dataset, ScanError
from auditor.scanners.text import LINE_BREAK

__all__ = [
    "FORMATS",
    "SAMPLE_ANSWERS",
    "SAMPLE_CHARS",
    "SPLITS",
    "Dataset",
    "approx_tokens",
    "dataset_split",
    "is_dataset_candidate",
    "sniff_dataset",
]


SAMPLE_ANSWERS = 2000
SAMPLE_CHARS = 4000
# Lines tried before deciding that a JSONL file is not a dataset.
SNIFF_LINES = 5
# Keys of a top-level object looked at for a wrapped record list.
SNIFF_KEYS = 16
# Line numbers named in the invalid-records message.
SHOWN_LINES = 5

_WRAPPER_KEYS = frozenset(
    {"data", "train", "training", "examples", "records", "rows", "items", "samples", "dataset"}
)
_SYSTEM_ROLES = frozenset({"system", "developer"})
_ANSWER_ROLES = frozenset({"assistant"})
_SHAREGPT_ANSWERS = frozenset({"gpt", "assistant", "model", "chatgpt", "bard", "bing"})


# --- the fact ------------------------------------------------------------------


def approx_tokens(text: str) -> int:
    """About 4 characters a token, rounded up: the one estimate ragfit uses."""
    return _tokens(len(text))


def _tokens(length: int) -> int:
    return (length + 3) // 4


# --- which files -----------------------------------------------------------------

_DATA_SUFFIXES = (".jsonl", ".ndjson")
# JSON files that tools own: configuration, manifests, locks, model files.
_NOT_DATA_NAMES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "composer.json",
        "manifest.json",
        "bower.json",
        "lerna.json",
        "nx.json",
        "turbo.json",
        "angular.json",
        "project.json",
        "workspace.json",
        "vercel.json",
        "netlify.json",
        "firebase.json",
        "app.json",
        "renovate.json",
        "tslint.json",
        "deno.json",
        "biome.json",
        "cspell.json",
        "pyrightconfig.json",
        "cdk.json",
        "components.json",
        "vcpkg.json",
        "host.json",
        "appsettings.json",
        "launch.json",
        "settings.json",
        "extensions.json",
        "tasks.json",
        "devcontainer.json",
        "openapi.json",
        "swagger.json",
        "babel.config.json",
        "jest.config.json",
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "generation_config.json",
        "adapter_config.json",
        "preprocessor_config.json",
        "vocab.json",
        "added_tokens.json",
        "trainer_state.json",
        "dataset_info.json",
        "dataset_dict.json",
        "state.json",
    }
)
_NOT_DATA_PREFIXES = (
    "tsconfig",
    "jsconfig",
    "appsettings.",
    ".eslintrc",
    ".prettierrc",
    ".babelrc",
)
_NOT_DATA_ENDINGS = (
    "-lock.json",
    ".lock.json",
    ".schema.json",
    ".min.json",
    ".map.json",
    ".index.json",
)
_NOT_DATA_FOLDERS = frozenset(
    {"node_modules", "site-packages", "__pycache__", "locales", "locale", "i18n", "l10n"}
)


def is_dataset_candidate(path: str) -> bool:
    """Whether ``path`` may hold a dataset, by name alone: ``*.jsonl`` and
    ``*.ndjson`` files, and ``*.json`` files that no tool owns (not
    ``package.json``, ``tsconfig*.json``, lock files, model configuration,
    editor settings, translations or anything in a hidden folder)."""
    parts = path.replace("\\", "/").lower().split("/")
    name = parts[-1]
    folders = parts[:-1]
    if any(folder in _NOT_DATA_FOLDERS or folder == ".git" for folder in folders):
        return False
    if name.endswith(_DATA_SUFFIXES):
        return True
    if not name.endswith(".json"):
        return False
    if name in _NOT_DATA_NAMES or name.startswith(_NOT_DATA_PREFIXES):
        return False
    if name.endswith(_NOT_DATA_ENDINGS):
        return False
    return not any(folder.startswith(".") and folder not in {".", ".."} for folder in folders)


_SPLIT_WORD = re.compile(r"[a-z]+")
_VALIDATION_WORDS = frozenset({"validation", "valid", "val", "dev", "devset", "valset"})
_EVAL_WORDS = frozenset(
    {
        "eval",
        "evals",
        "evaluation",
        "evaluations",
        "evalset",
        "test",
        "tests",
        "testset",
        "testing",
        "benchmark",
        "benchmarks",
        "bench",
        "golden",
        "goldens",
        "gold",
        "holdout",
        "heldout",
    }
)
_TRAIN_WORDS = frozenset({"train", "training", "trainset", "finetune", "finetuning", "sft"})


def dataset_split(path: str) -> str:
    """``train``, ``validation`` or ``eval``, from the path (see the module docstring).

    Words are the letter runs of the lower-cased path, so ``val_2.jsonl``,
    ``qa-test.jsonl`` and ``evalSet.json`` all count; ``dev`` is a split name
    only in the file name (a ``dev/`` folder is more often tooling).
    """
    parts = path.replace("\\", "/").lower().split("/")
    stem = parts[-1].split(".", 1)[0] or parts[-1]
    words = set(_SPLIT_WORD.findall(stem))
    if words & _VALIDATION_WORDS:
        return "validation"
    if words & _EVAL_WORDS:
        return "eval"
    if words & _TRAIN_WORDS:
        return "train"
    folders = {word for part in parts[:-1] for word in _SPLIT_WORD.findall(part)}
    if folders & (_VALIDATION_WORDS - {"dev"}):
        return "validation"
    if folders & _EVAL_WORDS:
        return "eval"
    return "train"


# --- records -----------------------------------------------------------------------


@dataclass
class _Example:
    """The texts of one valid record: lengths for the totals, answers for the sample."""

    tokens: int = 0
    system_tokens: int = 0
    answers: list[str] = field(default_factory=list)
    context: bool = False  # a prompt carries retrieved passages

    def add(self, text: str, kind: str = "prompt") -> None:
        count = _tokens(len(text))
        self.tokens += count
        if kind == "system":
            self.system_tokens += count
        elif kind == "answer" and text.strip():
            self.answers.append(text)
        if kind != "answer" and not self.context:
            self.context = bool(_CONTEXT_BLOCK.search(text[:SAMPLE_CHARS]))


def _content(value: Any) -> str | None:
    """A message's text: a string, ``None`` (a tool call: no text) or a list of
    parts whose text parts are joined; ``None`` when it is none of these."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if not isinstance(value, list):
        return None
    texts: list[str] = []
    for part in value:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            text = part.get("text")
            if isinstance(text, str):
                texts.append(text)
            elif text is not None:
                return None
        else:
            return None
    return "\n".join(texts)


def _turns(value: Any, answer_roles: frozenset[str], example: _Example) -> bool | None:
    """Add the turns of a message list (``role``/``content`` or ShareGPT's
    ``from``/``value``); whether one is an answer, or ``None`` when ``value`` is
    not a message list."""
    if not isinstance(value, list) or not value:
        return None
    answered = False
    for message in value:
        if not isinstance(message, dict):
            return None
        if "role" in message:
            role, text = message["role"], _content(message.get("content"))
        else:
            role, text = message.get("from"), _content(message.get("value"))
        if not isinstance(role, str) or text is None:
            return None
        if role in answer_roles:
            example.add(text, "answer")
            answered = True
        else:
            example.add(text, "system" if role in _SYSTEM_ROLES else "prompt")
    return answered


def _side(value: Any, answer: bool, example: _Example) -> bool:
    """One side of a prompt/completion pair: text, parts or chat messages."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and "role" in item for item in value)
    ):
        answered = _turns(value, _ANSWER_ROLES if answer else frozenset(), example)
        return answered is not None and (answered or not answer)
    text = _content(value)
    if text is None or (isinstance(value, list) and not value):
        return False
    example.add(text, "answer" if answer else "prompt")
    return True


def _record_format(record: Any) -> str | None:
    """The format a record is shaped like, by its keys (nothing else is checked)."""
    if not isinstance(record, dict):
        return None
    if "messages" in record:
        return "chat"
    if "conversations" in record:
        return "sharegpt"
    if "prompt" in record and "completion" in record:
        return "prompt-completion"
    if "instruction" in record and "output" in record:
        return "alpaca"
    return None


def _example(record: Any, form: str) -> _Example | None:
    """The texts of ``record`` read as ``form``; ``None`` when it is not of that form."""
    if _record_format(record) != form:
        return None
    example = _Example()
    if form == "chat":
        ok = _turns(record["messages"], _ANSWER_ROLES, example) is True
    elif form == "sharegpt":
        ok = _turns(record["conversations"], _SHAREGPT_ANSWERS, example) is True
    elif form == "prompt-completion":
        ok = _side(record["prompt"], False, example) and _side(record["completion"], True, example)
    else:
        ok = _alpaca(record, example)
    return example if ok else None


def _alpaca(record: dict[str, Any], example: _Example) -> bool:
    for key, kind, required in (
        ("system", "system", False),
        ("instruction", "prompt", True),
        ("input", "prompt", False),
        ("output", "answer", True),
    ):
        value = record.get(key)
        if value is None and not required:
            continue
        if not isinstance(value, str):
            return False
        example.add(value, kind)
    return True


# --- the answers -------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
)
_UNIT = (
    r"(?:%|percent\b|per cent\b|USD\b|EUR\b|GBP\b|CHF\b|JPY\b|dollars?\b|euros?\b|pounds?\b|"
    r"(?:calendar |business |working )?(?:days?|weeks?|months?|years?)\b|hours?\b|"
    r"minutes?\b|seconds?\b|mg\b|mcg\b|µg\b|g\b|kg\b|ml\b|mL\b|l\b|L\b|km\b|m\b|cm\b|mm\b|"
    r"mi\b|miles?\b|lbs?\b|oz\b|kB\b|KB\b|MB\b|GB\b|TB\b|mph\b|km/h\b|°[CF]|kWh\b|W\b|V\b)"
)
# One pattern per kind of fact, each starting with a character class or a set of
# literals, so that the engine skips ahead to candidates (a leading ``\b``, or
# one alternation of them all, makes it try every branch at every position:
# about ten times slower). An answer has a fact when one of them matches.
_FACTS = tuple(
    re.compile(pattern)
    for pattern in (
        r"[$€£¥§] ?[0-9]",  # $1,200, €40, § 12
        r"[0-9](?<![0-9A-Za-z][0-9])[0-9,.]*"  # a number at a word start, then:
        r"(?:-[0-9]{2}-[0-9]{2}"  # 2024-03-01
        r"|/[0-9]{1,2}/[0-9]{2,4}"  # 1/3/2024
        rf"|(?:st|nd|rd|th)? {_MONTH} [0-9]{{4}}"  # 1 March 2024
        rf"|\s?{_UNIT})",  # 30 days, 12.5%, 40 EUR, 5 mg
        r"(?:19|20)(?<![0-9A-Za-z]..)[0-9]{2}(?![0-9A-Za-z])",  # a year
        rf"{_MONTH} [0-9]{{1,2}}(?:st|nd|rd|th)?,? [0-9]{{4}}",  # March 1, 2024
        r"(?:Articles?|Art\.|Sections?|Sec\.|Clause|Chapter|Paragraph|Para\.|Annex|Schedule"
        r"|Recital|Rule|Regulation|Directive) [0-9IVX]",  # Article 5, Section 3(b)
        # two or more capitalised words in mid-sentence: the European Data Protection Board
        r"[A-Z](?<=[a-z0-9,;] [A-Z])[a-z]+(?: (?:of |the |and |for |de )?[A-Z][a-zA-Z]+)+",
    )
)
_OUTLINE = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]+([^\n]+)"  # a Markdown heading
    r"|\*\*([^*\n]{1,80})\*\*:?[ \t]*$"  # a bold label line
    r"|([A-Z][^\n:]{0,40}):[ \t]*$)",  # a "Label:" line
    re.MULTILINE,
)
_DIGITS = re.compile(r"[0-9]+")
_PUNCTUATION = "\"'`.,;:!?()[]{}<>*_~-–—…/\\|"
_OPENING_WORDS = 3
_CLOSING_WORDS = 12


def _mask(words: Iterable[str], limit: int) -> tuple[str, ...]:
    """Words normalised for comparing skeletons: lower case, no surrounding
    punctuation, digit runs as ``0``, capitalised words after the first as ``X``."""
    out: list[str] = []
    for word in words:
        core = word.strip(_PUNCTUATION)
        if not core:
            continue
        if any(c.isdigit() for c in core):
            core = _DIGITS.sub("0", core)
        elif out and core[0].isupper():
            core = "X"
        out.append(core.lower())
        if len(out) == limit:
            break
    return tuple(out)


def _skeleton(
    answer: str,
) -> tuple[tuple[str, ...], tuple[str, ...] | None, tuple[tuple[str, ...], ...] | None]:
    """An answer's opening, closing line and outline (see the module docstring)."""
    head = answer[:SAMPLE_CHARS]
    opening = _mask(head[:400].split(), _OPENING_WORDS)
    tail = answer[-SAMPLE_CHARS:].strip()
    closing: tuple[str, ...] | None = None
    if "\n" in tail:
        last = tail.rsplit("\n", 1)[1]
        closing = _mask(last.split(), _CLOSING_WORDS) or None
    headings = [_mask((a or b or c).split(), _CLOSING_WORDS) for a, b, c in _OUTLINE.findall(head)]
    outline = tuple(headings) if len(headings) >= 2 else None
    if head.lstrip().startswith("{"):
        ok, value = _loads(head)
        if ok and isinstance(value, dict) and value:
            outline = (("{",), *((str(key),) for key in sorted(value)))
    return opening, closing, outline


def _top_share(values: Iterable[object], total: int) -> float:
    counts = Counter(value for value in values if value)
    if not counts or total == 0:
        return 0.0
    top = counts.most_common(1)[0][1]
    return top / total if top >= 2 else 0.0


def _template_share(answers: list[str]) -> float:
    skeletons = [_skeleton(answer) for answer in answers]
    total = len(skeletons)
    return max(
        _top_share((s[0] for s in skeletons), total),
        _top_share((s[1] for s in skeletons), total),
        _top_share((s[2] for s in skeletons), total),
    )


def _fact_share(answers: list[str]) -> float:
    """The share of answers with a fact. A "fact" that most answers share (a
    sign-off's brand name, a standard footer) is boilerplate, not knowledge."""
    if not answers:
        return 0.0
    found: list[set[str]] = []
    counts: Counter[str] = Counter()
    for answer in answers:
        head = answer[:SAMPLE_CHARS]
        matches = {m.group(0) for pattern in _FACTS for m in pattern.finditer(head)}
        found.append(matches)
        counts.update(matches)
    common = max(3, len(answers) / 2)
    facts = sum(1 for matches in found if any(counts[m] < common for m in matches))
    return facts / len(answers)


# Retrieved passages in a training prompt: retrieval-augmented training.
_CONTEXT_BLOCK = re.compile(
    r"<DOCUMENT>|<document>|<context>|<passage|^\s*(?:#+\s*)?(?:Context|Passages?|Documents?|"
    r"Retrieved (?:passages|documents|context)|Search results|Sources)\s*:|^\s*\[\d+\]\s+\S",
    re.MULTILINE,
)
_CODE_START = re.compile(
    r"^\s*(?:```|~~~|(?:def|class|import|from \S+ import|function|const|let|var|"
    r"public|package|#include|SELECT|WITH|INSERT|UPDATE|DELETE|CREATE|ALTER|MATCH)\b)",
    re.IGNORECASE,
)
_SQL = re.compile(r"\bSELECT\b[\s\S]{1,2000}?\bFROM\b", re.IGNORECASE)
_MARKUP = re.compile(r"^\s*<[A-Za-z!?][^>]{0,200}>")
_LABEL_WORDS = 3
_LABEL_KINDS = 20
_LABEL_CHARS = 40


def _is_label(head: str) -> bool:
    """A short answer: three words or fewer, and short (text without spaces,
    such as Chinese, is not a label for having one "word")."""
    return len(head.split()) <= _LABEL_WORDS and len(head) <= _LABEL_CHARS


def _structured_share(answers: list[str]) -> float:
    """The share of answers that are code, SQL, JSON, markup or a label."""
    if not answers:
        return 0.0
    heads = [answer[:SAMPLE_CHARS].strip() for answer in answers]
    short = [head.lower().strip(_PUNCTUATION) for head in heads if _is_label(head)]
    labels = len(short) >= 4 and len(set(short)) <= min(_LABEL_KINDS, max(2, len(short) // 2))
    count = 0
    for head in heads:
        code = _CODE_START.match(head) or _SQL.search(head[:400]) or _MARKUP.match(head)
        if (labels and _is_label(head)) or code:
            count += 1
        elif head[:1] in "{[":
            ok, value = _loads(head)
            count += ok and isinstance(value, (dict, list))
    return count / len(answers)


# --- the files -------------------------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")


class _Tally:
    """The running totals of one dataset file."""

    def __init__(self, form: str, line: int) -> None:
        self.form = form
        self.line = line
        self.examples = 0
        self.tokens = 0
        self.system_tokens = 0
        self.answers = 0
        self.answer_tokens = 0
        self.sample: list[str] = []
        self.sampled = 0
        self.with_context = 0
        self.invalid: list[int] = []
        self.invalid_count = 0

    def add(self, record: Any, line: int) -> None:
        example = _example(record, self.form)
        if example is None:
            self.bad(line)
            return
        self.examples += 1
        self.tokens += example.tokens
        self.system_tokens += example.system_tokens
        if self.sampled < SAMPLE_ANSWERS:
            self.sampled += 1
            self.with_context += example.context
        for answer in example.answers:
            self.answers += 1
            self.answer_tokens += _tokens(len(answer))
            if len(self.sample) < SAMPLE_ANSWERS:
                self.sample.append(answer)

    def bad(self, line: int) -> None:
        self.invalid_count += 1
        if len(self.invalid) < SHOWN_LINES:
            self.invalid.append(line)

    def finish(
        self, path: str, unit: str, errors: list[ScanError]
    ) -> tuple[Dataset, list[ScanError]]:
        if self.invalid_count:
            shown = ", ".join(str(n) for n in self.invalid)
            more = ", ..." if self.invalid_count > len(self.invalid) else ""
            plural = "s" if self.invalid_count > 1 else ""
            at = "lines" if len(self.invalid) > 1 else "line"
            message = (
                f"{self.invalid_count} invalid {unit}{plural} (not JSON or not "
                f"{self.form} records) at {at} {shown}{more}"
            )
            errors = [ScanError(path, "parse-error", message), *errors]
        dataset = Dataset(
            path=path,
            line=self.line,
            format=self.form,
            examples=self.examples,
            approx_tokens=self.tokens,
            invalid_lines=self.invalid_count,
            answer_tokens_avg=_mean(self.answer_tokens, self.answers),
            system_tokens_avg=_mean(self.system_tokens, self.examples),
            template_share=round(_template_share(self.sample), 4),
            fact_share=round(_fact_share(self.sample), 4),
            split=dataset_split(path),
            structured_share=round(_structured_share(self.sample), 4),
            context_share=round(self.with_context / self.sampled, 4) if self.sampled else 0.0,
        )
        return dataset, errors


def _mean(total: int, count: int) -> int:
    """``total / count`` rounded half up; 0 for no items."""
    return (2 * total + count) // (2 * count) if count else 0


def _loads(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        return False, None


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``; a JSON string holds no raw line break, so every
    ``\\r``, ``\\n`` or ``\\r\\n`` ends a line (as in the other scanners)."""
    if "\r" in text:
        return iter(LINE_BREAK.split(text))
    return iter(text.split("\n"))


Result = tuple[Dataset | None, list[ScanError]]


def sniff_dataset(path: str, text: str) -> tuple[Dataset | None, list[ScanError]]:
    """The dataset in ``text``, or ``None`` when it holds none, and the problems
    met (see the module docstring). Never raises; decides from the first
    record(s), so a file that is not a dataset is not read to its end."""
    try:
        return _sniff(path, text)
    except Exception as exc:  # bad input never stops a scan
        reason = f"could not read as a dataset ({type(exc).__name__})"
        return None, [ScanError(path, "parse-error", reason)]


def _sniff(path: str, text: str) -> Result:
    text = text.removeprefix("\ufeff")
    start = _JSON_SPACE.match(text, 0)
    position = start.end() if start else 0
    if position >= len(text):
        return None, []
    if text[position] == "[":
        return _json_array(path, text, position)
    if text[position] != "{":
        return None, []
    found = _jsonl(path, text)
    first_line = _Lines(text).at(position)
    if found is not None and found[0] is not None and found[0].line == first_line:
        return found  # the first line is a record: JSONL
    # The first line is not a record: a JSON object whose records may sit one
    # to a line (``{"data": [`` then ``{...},``) is read as JSON when it is one.
    wrapped = _json_object(path, text, position)
    if wrapped[0] is not None or found is None:
        return wrapped
    return found


_RECORD_KEYS = ('"messages"', '"conversations"', '"completion"', '"output"')


def _has_record_key(line: str) -> bool:
    return any(key in line for key in _RECORD_KEYS)


def _jsonl(path: str, text: str) -> Result | None:
    """JSONL, when one of the first non-blank lines is a record; else ``None``."""
    lines = _lines(text)
    tally: _Tally | None = None
    tried = 0
    skipped: list[int] = []
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        tried += 1
        # A record names its format's key: lines without one are not parsed.
        ok, record = _loads(line) if _has_record_key(line) else (False, None)
        form = _record_format(record) if ok else None
        if form is not None and _example(record, form) is not None:
            tally = _Tally(form, number)
            for earlier in skipped:
                tally.bad(earlier)
            tally.add(record, number)
            break
        skipped.append(number)
        if tried >= SNIFF_LINES:
            return None
    if tally is None:
        return None
    for later, line in enumerate(lines, start=number + 1):
        if not line or line.isspace():
            continue
        ok, record = _loads(line)
        if ok:
            tally.add(record, later)
        else:
            tally.bad(later)
    return tally.finish(path, "line", [])


def _json_object(path: str, text: str, position: int) -> Result:
    """An object whose ``data``/``train``/... key holds the record list."""
    try:
        return _wrapped(path, text, position)
    except (ValueError, RecursionError):  # not JSON: not a dataset
        return None, []


def _wrapped(path: str, text: str, position: int) -> Result:
    decoder = json.JSONDecoder()
    position += 1
    for _ in range(SNIFF_KEYS):
        position = _skip(text, position)
        if not text.startswith('"', position):
            return None, []
        key, position = decoder.raw_decode(text, position)
        position = _skip(text, position)
        if not text.startswith(":", position):
            return None, []
        position = _skip(text, position + 1)
        if key in _WRAPPER_KEYS and text.startswith("[", position):
            found, errors = _json_array(path, text, position)
            if found is not None:
                return found, errors
        _, position = decoder.raw_decode(text, position)
        position = _skip(text, position)
        if not text.startswith(",", position):
            return None, []
        position += 1
    return None, []


def _skip(text: str, position: int) -> int:
    match = _JSON_SPACE.match(text, position)
    return match.end() if match else position


class _Lines:
    """Line numbers of offsets met in increasing order, counted as they go."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.crlf = "\r" in text
        self.offset = 0
        self.line = 1

    def at(self, offset: int) -> int:
        text, start = self.text, self.offset
        self.line += text.count("\n", start, offset)
        if self.crlf:
            self.line += text.count("\r", start, offset) - text.count("\r\n", start, offset)
        self.offset = offset
        return self.line


def _json_array(path: str, text: str, position: int) -> Result:
    """A JSON list of records starting at ``text[position] == "["``."""
    decoder = json.JSONDecoder()
    position = _skip(text, position + 1)
    if text.startswith("]", position):
        return None, []
    lines = _Lines(text)
    try:
        first, end = decoder.raw_decode(text, position)
    except (ValueError, RecursionError):
        return None, []
    form = _record_format(first)
    if form is None or _example(first, form) is None:
        return None, []
    tally = _Tally(form, lines.at(position))
    tally.add(first, tally.line)
    errors: list[ScanError] = []
    while True:
        position = _skip(text, end)
        if text.startswith("]", position):
            break
        if not text.startswith(",", position):
            line = lines.at(min(position, len(text)))
            tally.bad(line)
            message = f"broken JSON at line {line}; the records after it were not read"
            errors.append(ScanError(path, "parse-error", message))
            break
        position = _skip(text, position + 1)
        line = lines.at(position)
        try:
            record, end = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            tally.bad(line)
            message = f"broken JSON at line {line}; the records after it were not read"
            errors.append(ScanError(path, "parse-error", message))
            break
        tally.add(record, line)
    return tally.finish(path, "record", errors)
