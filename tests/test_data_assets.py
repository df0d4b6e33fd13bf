"""Fine-tuning datasets: formats, sizes, invalid records, answer shape, splits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.model import ScanError
from auditor.scanners.data import (
    Dataset,
    approx_tokens,
    dataset_split,
    is_dataset_candidate,
    sniff_dataset,
)

DATA = Path(__file__).parent / "data" / "datasets"

SYSTEM = (
    "You are Acme's friendly support assistant. Always greet the customer warmly, keep a "
    "cheerful, upbeat tone, use at most one emoji, never blame the customer, and sign off "
    "as the Acme team."
)


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _chat(*turns: tuple[str, Any]) -> str:
    return json.dumps({"messages": [{"role": r, "content": c} for r, c in turns]})


def _pair(prompt: str, completion: str) -> str:
    return json.dumps({"prompt": prompt, "completion": completion})


def _jsonl(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def test_approx_tokens_is_four_characters_rounded_up() -> None:
    assert approx_tokens("") == 0
    assert approx_tokens("a") == 1
    assert approx_tokens("abcd") == 1
    assert approx_tokens("abcde") == 2
    assert approx_tokens("Hello, world!") == 4  # 13 characters
    assert approx_tokens("é" * 8) == 2  # characters, not bytes
    assert approx_tokens("x" * 4001) == 1001


# --- the four formats ------------------------------------------------------------


def test_openai_chat_with_a_system_prompt() -> None:
    text = _read("support_chat.jsonl")
    dataset, errors = sniff_dataset("data/support_chat.jsonl", text)
    assert errors == []
    assert dataset == Dataset(
        path="data/support_chat.jsonl",
        line=1,
        format="chat",
        examples=10,
        approx_tokens=1027,
        invalid_lines=0,
        answer_tokens_avg=49,
        system_tokens_avg=47,
        template_share=1.0,
        fact_share=0.0,
        split="train",
    )
    # The same figures, counted independently: every text, 4 characters a token.
    records = [json.loads(line) for line in text.splitlines()]
    texts = [m["content"] for r in records for m in r["messages"]]
    answers = [m["content"] for r in records for m in r["messages"] if m["role"] == "assistant"]
    assert sum(approx_tokens(t) for t in texts) == 1027
    assert round(sum(approx_tokens(a) for a in answers) / 10) == 49
    assert approx_tokens(SYSTEM) == 47  # 187 characters, once per example


def test_prompt_completion() -> None:
    dataset, errors = sniff_dataset("legal_qa.jsonl", _read("legal_qa.jsonl"))
    assert errors == []
    assert dataset is not None
    assert (dataset.format, dataset.line, dataset.examples) == ("prompt-completion", 1, 10)
    assert (dataset.approx_tokens, dataset.answer_tokens_avg, dataset.system_tokens_avg) == (
        461,
        35,
        0,
    )


def test_alpaca_json_list() -> None:
    dataset, errors = sniff_dataset("data/alpaca.json", _read("alpaca.json"))
    assert errors == []
    # instruction + input + output per record: (11+8+13) + (13+0+28) + (5+7+4) + (10+36+16)
    assert dataset == Dataset(
        path="data/alpaca.json",
        line=2,  # the first record's "{", after the list's "["
        format="alpaca",
        examples=4,
        approx_tokens=151,
        invalid_lines=0,
        answer_tokens_avg=15,  # (13 + 28 + 4 + 16) / 4 = 15.25
        system_tokens_avg=0,
        template_share=0.0,
        fact_share=0.0,
    )


def test_sharegpt_wrapped_in_an_object_with_metadata_first() -> None:
    dataset, errors = sniff_dataset("data/sharegpt.json", _read("sharegpt.json"))
    assert errors == []
    assert dataset is not None
    assert (dataset.format, dataset.line, dataset.examples) == ("sharegpt", 4, 2)
    # system 40 chars (10 tokens) in one of two examples; answers 73, 40, 102 chars
    assert dataset.system_tokens_avg == 5
    assert dataset.answer_tokens_avg == 18  # (19 + 10 + 26) / 3
    assert dataset.approx_tokens == 10 + 9 + 19 + 3 + 10 + 9 + 26


def test_sharegpt_jsonl_with_role_content_turns() -> None:
    line = json.dumps(
        {
            "conversations": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello there"},
            ]
        }
    )
    dataset, errors = sniff_dataset("sharegpt.jsonl", _jsonl(line, line))
    assert errors == []
    assert dataset is not None
    assert (dataset.format, dataset.examples, dataset.approx_tokens) == ("sharegpt", 2, 8)
    assert dataset.answer_tokens_avg == 3


def test_chat_content_as_a_list_of_parts() -> None:
    parts = [
        {"type": "text", "text": "What is in this picture?"},  # 24 characters
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
    ]
    line = json.dumps(
        {
            "messages": [
                {"role": "user", "content": parts},
                {"role": "assistant", "content": [{"type": "text", "text": "A cat on a sofa."}]},
            ]
        }
    )
    dataset, errors = sniff_dataset("vision.jsonl", line)
    assert errors == []
    assert dataset is not None
    assert (dataset.examples, dataset.approx_tokens, dataset.answer_tokens_avg) == (1, 6 + 4, 4)


def test_tool_call_turns_without_content() -> None:
    record = {
        "messages": [
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
            {"role": "tool", "content": "4 degrees"},
            {"role": "assistant", "content": "It is 4 degrees."},
        ]
    }
    dataset, _ = sniff_dataset("tools.jsonl", json.dumps(record))
    assert dataset is not None
    assert dataset.examples == 1
    assert dataset.approx_tokens == 4 + 0 + 3 + 4
    assert dataset.answer_tokens_avg == 4  # the empty tool-call turn is not an answer


def test_conversational_prompt_completion() -> None:
    record = {
        "prompt": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Capital of Peru?"},
        ],
        "completion": [{"role": "assistant", "content": "Lima."}],
    }
    dataset, errors = sniff_dataset("pc.jsonl", json.dumps(record))
    assert errors == []
    assert dataset is not None
    assert dataset.format == "prompt-completion"
    assert (dataset.approx_tokens, dataset.system_tokens_avg, dataset.answer_tokens_avg) == (
        3 + 4 + 2,
        3,
        2,
    )


# --- invalid records -------------------------------------------------------------


def test_two_broken_lines_are_counted_and_named_once() -> None:
    good = _chat(("user", "Hi"), ("assistant", "Hello!"))
    text = _jsonl(good, good, '{"messages": [', good, "not json at all", good)
    dataset, errors = sniff_dataset("train.jsonl", text)
    assert dataset is not None
    assert (dataset.examples, dataset.invalid_lines) == (4, 2)
    assert errors == [
        ScanError(
            "train.jsonl",
            "parse-error",
            "2 invalid lines (not JSON or not chat records) at lines 3, 5",
        )
    ]


def test_many_invalid_lines_name_the_first_five() -> None:
    good = _pair("Q", "A")
    text = _jsonl(good, *["{oops"] * 7)
    dataset, errors = sniff_dataset("train.jsonl", text)
    assert dataset is not None and dataset.invalid_lines == 7
    message = (
        "7 invalid lines (not JSON or not prompt-completion records) at lines 2, 3, 4, 5, 6, ..."
    )
    assert errors == [ScanError("train.jsonl", "parse-error", message)]


def test_later_lines_of_another_format_are_invalid() -> None:
    text = _jsonl(
        _chat(("user", "Hi"), ("assistant", "Hello")),
        _pair("Hi", "Hello"),
        json.dumps({"instruction": "Greet", "output": "Hello"}),
        _chat(("user", "Bye"), ("assistant", "Goodbye")),
        json.dumps({"messages": [{"role": "user", "content": "no answer"}]}),
        json.dumps([1, 2, 3]),
    )
    dataset, errors = sniff_dataset("mixed.jsonl", text)
    assert dataset is not None
    assert (dataset.format, dataset.examples, dataset.invalid_lines) == ("chat", 2, 4)
    assert errors[0].message == (
        "4 invalid lines (not JSON or not chat records) at lines 2, 3, 5, 6"
    )


def test_a_broken_first_line_before_the_records() -> None:
    good = _pair("Q", "A")
    dataset, errors = sniff_dataset(
        "train.jsonl", _jsonl('{"prompt": "Q", "completion', good, good)
    )
    assert dataset is not None
    assert (dataset.line, dataset.examples, dataset.invalid_lines) == (2, 2, 1)
    assert errors[0].message.endswith("at line 1")


def test_json_list_with_a_record_of_another_format() -> None:
    records = [
        {"instruction": "A", "input": "", "output": "B"},
        {"prompt": "A", "completion": "B"},
        {"instruction": "C", "input": None, "output": "D"},
    ]
    dataset, errors = sniff_dataset("alpaca.json", json.dumps(records, indent=1))
    assert dataset is not None
    assert (dataset.line, dataset.examples, dataset.invalid_lines) == (2, 2, 1)
    assert errors == [
        ScanError(
            "alpaca.json",
            "parse-error",
            "1 invalid record (not JSON or not alpaca records) at line 7",
        )
    ]


def test_json_list_broken_midway_keeps_the_records_before() -> None:
    text = '[\n{"prompt": "a", "completion": "b"},\n{"prompt": "c", "completion": "d"},\n{"prompt":'
    dataset, errors = sniff_dataset("pc.json", text)
    assert dataset is not None
    assert (dataset.examples, dataset.invalid_lines) == (2, 1)
    assert errors == [
        ScanError(
            "pc.json",
            "parse-error",
            "1 invalid record (not JSON or not prompt-completion records) at line 4",
        ),
        ScanError(
            "pc.json", "parse-error", "broken JSON at line 4; the records after it were not read"
        ),
    ]


def test_a_json_object_with_one_record_a_line_is_not_read_as_jsonl() -> None:
    one = json.dumps({"prompt": "a", "completion": "b"})
    text = '{"data": [\n' + one + ",\n" + one + "\n]}\n"
    dataset, errors = sniff_dataset("wrapped.json", text)
    assert errors == []
    assert dataset is not None
    assert (dataset.line, dataset.examples, dataset.invalid_lines) == (2, 2, 0)


# --- files that are not datasets ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        "\ufeff",
        "hello",
        "null",
        "42",
        "[]",
        "{}",
        '["a", "b"]',
        "[1, 2, 3]",
        '[{"name": "web", "port": 8080}, {"name": "db", "port": 5432}]',
        '{"servers": [{"name": "web"}], "data": [1, 2]}',
        '{"text": "A plain corpus line."}\n{"text": "Another one."}\n',
        '{"prompt": "x", "chosen": "y", "rejected": "z"}\n',
        '{"messages": [{"role": "user", "content": "no answer here"}]}\n',
        '{"messages": "not a list"}\n',
        "[{",
        "{\n",
        '{"a": ',
    ],
)
def test_not_a_dataset(text: str) -> None:
    assert sniff_dataset("x.json", text) == (None, [])


def test_package_json() -> None:
    text = json.dumps(
        {"name": "web", "version": "1.0.0", "scripts": {"test": "jest"}, "dependencies": {}},
        indent=2,
    )
    assert not is_dataset_candidate("package.json")
    assert sniff_dataset("package.json", text) == (None, [])


def test_a_pretty_printed_config_whose_lines_look_like_json() -> None:
    text = '{\n  "completion": {"model": "gpt-4o"},\n  "output": "dist"\n}\n'
    assert sniff_dataset("settings.json", text) == (None, [])


# --- line endings, BOM, blank lines, size --------------------------------------------


def test_crlf_bom_and_blank_lines_keep_line_numbers() -> None:
    good = _chat(("system", "Be kind."), ("user", "Hi"), ("assistant", "Hello!"))
    lf = _jsonl("", "", good, "", good, "{broken")
    expected, errors = sniff_dataset("t.jsonl", lf)
    assert expected is not None
    assert (expected.line, expected.examples, expected.invalid_lines) == (3, 2, 1)
    assert errors[0].message.endswith("at line 6")
    for variant in (lf.replace("\n", "\r\n"), "\ufeff" + lf, lf.replace("\n", "\r")):
        assert sniff_dataset("t.jsonl", variant) == (expected, errors)


def test_crlf_json_list_line_numbers() -> None:
    records = [{"prompt": "a", "completion": "b"}, {"prompt": "c"}]
    text = json.dumps(records, indent=2).replace("\n", "\r\n")
    dataset, errors = sniff_dataset("pc.json", text)
    assert dataset is not None and dataset.line == 2
    assert errors[0].message.endswith("at line 6")


def test_a_huge_single_line() -> None:
    answer = "word " * 1_000_000  # 5,000,000 characters
    dataset, errors = sniff_dataset(
        "big.jsonl", _chat(("user", "Write a lot."), ("assistant", answer))
    )
    assert errors == []
    assert dataset is not None
    assert (dataset.examples, dataset.approx_tokens) == (1, 3 + 1_250_000)
    assert dataset.answer_tokens_avg == 1_250_000


def test_a_json_object_wrapper_with_a_train_key() -> None:
    text = json.dumps({"train": [{"prompt": "a", "completion": "b"}] * 3})
    dataset, errors = sniff_dataset("splits.json", text)
    assert errors == []
    assert dataset is not None and (dataset.format, dataset.examples, dataset.line) == (
        "prompt-completion",
        3,
        1,
    )


# --- what the answers look like ------------------------------------------------------


def test_brand_voice_answers_share_a_template_and_carry_no_facts() -> None:
    dataset, _ = sniff_dataset("data/support_chat.jsonl", _read("support_chat.jsonl"))
    assert dataset is not None
    assert dataset.template_share >= 0.8
    assert dataset.fact_share <= 0.2


def test_legal_answers_carry_facts_and_no_template() -> None:
    dataset, _ = sniff_dataset("legal_qa.jsonl", _read("legal_qa.jsonl"))
    assert dataset is not None
    assert dataset.template_share <= 0.3
    assert dataset.fact_share == 1.0


VARIED = [
    "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen.",
    "Most cats sleep for much of the day and hunt at dusk.",
    "A prime number has exactly two divisors: one and itself.",
    "Water boils at a lower temperature at high altitude.",
    "Bees communicate the direction of food with a waggle dance.",
    "Sound travels faster in water than in air.",
    "Rust forms when iron reacts with oxygen and moisture.",
    "Octopuses have three hearts and blue blood.",
    "Lightning is a discharge of static electricity between clouds and ground.",
    "Glass is an amorphous solid rather than a crystal.",
]


def test_varied_answers_share_no_template() -> None:
    text = _jsonl(*(_pair(f"Question {i}?", a) for i, a in enumerate(VARIED)))
    dataset, _ = sniff_dataset("qa.jsonl", text)
    assert dataset is not None
    assert (dataset.template_share, dataset.fact_share) == (0.0, 0.0)


def test_template_share_counts_the_most_common_opening() -> None:
    # 8 of 10 answers open with "Great question, Sam!" (names and numbers masked).
    names = ["Sam", "Ana", "Lee", "Kim", "Ola", "Ben", "Mia", "Tom"]
    answers = [f"Great question, {n}! {a}" for n, a in zip(names, VARIED, strict=False)]
    answers += VARIED[8:]
    text = _jsonl(*(_pair("Q", a) for a in answers))
    dataset, _ = sniff_dataset("qa.jsonl", text)
    assert dataset is not None and dataset.template_share == 0.8


def test_template_share_counts_a_shared_closing_line() -> None:
    answers = [f"{a}\n\nBest regards, Agent {i}" for i, a in enumerate(VARIED[:6])] + VARIED[6:]
    text = _jsonl(*(_pair("Q", a) for a in answers))
    dataset, _ = sniff_dataset("qa.jsonl", text)
    assert dataset is not None and dataset.template_share == 0.6


def test_template_share_counts_a_shared_outline() -> None:
    answers = [
        f"{a.split()[0]} first.\n## Summary\n{a}\n## Next steps\nAsk again." for a in VARIED[:5]
    ] + VARIED[5:]
    text = _jsonl(*(_pair("Q", a) for a in answers))
    dataset, _ = sniff_dataset("qa.jsonl", text)
    assert dataset is not None and dataset.template_share == 0.5


def test_json_answers_with_the_same_keys_share_a_template() -> None:
    intents = ["refund", "login", "billing", "shipping", "other"]
    answers = [json.dumps({"priority": p, "intent": i}) for i in intents for p in ("high", "low")]
    answers[0] = json.dumps({"intent": "refund"})
    dataset, _ = sniff_dataset("intents.jsonl", _jsonl(*(_pair("Q", a) for a in answers)))
    assert dataset is not None and dataset.template_share == 0.9


@pytest.mark.parametrize(
    "answer",
    [
        "The invoice was issued on 2024-03-01.",
        "Payment is due by March 1, 2024.",
        "It took effect on 1 July 2016.",
        "The fee is $1,200 per seat.",
        "Delivery costs €40.",
        "Conversion rose by 12.5% last quarter.",
        "Refunds are possible for 14 days.",
        "The maximum dose is 500 mg.",
        "See § 12 for details.",
        "This follows from Article 5.",
        "As set out in Section 3(b), notice is required.",
        "The act was passed in 1998.",
        "Complaints go to the European Data Protection Board.",
        "2024-03-01 is the deadline.",
        "Signed on 1.3.2024 in Bonn.",
        "Filed 1/3/2024.",
        "The levy is 40 EUR a year.",
        "Consent is one basis under Art. 6 GDPR.",
        "Renewal was on Sept. 5, 2023.",
    ],
)
def test_a_fact(answer: str) -> None:
    dataset, _ = sniff_dataset("f.jsonl", _pair("Q", answer))
    assert dataset is not None and dataset.fact_share == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        "Thanks so much for asking! We love hearing from you.",
        "Hi there! 👋 Happy to help with that.",
        "Sure. Open the settings page and pick a theme.",
        "Cheers, the Acme team",
        "1. Stretch.\n2. Breathe.\n3. Relax.",
        "Try version2 or mp3 files, or press F5.",
        "We answered 12024 tickets",
    ],
)
def test_not_a_fact(answer: str) -> None:
    dataset, _ = sniff_dataset("f.jsonl", _pair("Q", answer))
    assert dataset is not None and dataset.fact_share == 0.0


# --- splits and candidates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "split"),
    [
        ("data/train.jsonl", "train"),
        ("finetune/support_chat.jsonl", "train"),
        ("data/val.jsonl", "validation"),
        ("data/valid.jsonl", "validation"),
        ("data/validation.jsonl", "validation"),
        ("data/dev.jsonl", "validation"),
        ("data/val_2.jsonl", "validation"),
        ("data/validation/part-0.jsonl", "validation"),
        ("evals/golden.jsonl", "eval"),
        ("evals/cases.jsonl", "eval"),
        ("data/qa_test.jsonl", "eval"),
        ("data/test.jsonl", "eval"),
        ("benchmarks/legal.json", "eval"),
        ("data/evalSet.json", "eval"),
        ("tests/data/chat.jsonl", "eval"),
        ("tests/data/train.jsonl", "train"),  # the name says what it is
        ("dev/tools/chat.jsonl", "train"),  # "dev" is a split only in the name
        ("data/latest.jsonl", "train"),
        ("data/medieval.jsonl", "train"),
        ("data/contest.jsonl", "train"),
    ],
)
def test_split_from_the_path(path: str, split: str) -> None:
    assert dataset_split(path) == split
    dataset, _ = sniff_dataset(path, _pair("Q", "A"))
    assert dataset is not None and dataset.split == split


@pytest.mark.parametrize(
    ("path", "candidate"),
    [
        ("data/train.jsonl", True),
        ("DATA/TRAIN.JSONL", True),
        ("logs/events.ndjson", True),
        ("data/alpaca.json", True),
        ("evals/golden.json", True),
        ("package.json", False),
        ("web/package-lock.json", False),
        ("tsconfig.json", False),
        ("tsconfig.build.json", False),
        ("composer.json", False),
        ("public/manifest.json", False),
        (".vscode/settings.json", False),
        (".devcontainer/devcontainer.json", False),
        ("model/tokenizer_config.json", False),
        ("api/openapi.json", False),
        ("schemas/report.schema.json", False),
        ("src/locales/en.json", False),
        ("node_modules/x/data.jsonl", False),
        ("notebook.ipynb", False),
        ("data/train.csv", False),
        ("data/train.jsonl.gz", False),
    ],
)
def test_is_dataset_candidate(path: str, candidate: bool) -> None:
    assert is_dataset_candidate(path) is candidate


# --- the cached form ----------------------------------------------------------------------

SAMPLE = Dataset("d/train.jsonl", 3, "chat", 10, 1027, 1, 49, 47, 0.95, 0.1, "validation")


def test_round_trip() -> None:
    data = SAMPLE.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Dataset.from_dict(json.loads(json.dumps(data))) == SAMPLE
    without_split = {k: v for k, v in data.items() if k != "split"}
    assert Dataset.from_dict(without_split).split == "train"
    assert Dataset.from_dict({**data, "fact_share": 1}).fact_share == 1.0


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"line": "3"}, TypeError),
        ({"examples": True}, TypeError),
        ({"approx_tokens": 1.5}, TypeError),
        ({"template_share": "0.9"}, TypeError),
        ({"fact_share": None}, TypeError),
        ({"path": 7}, TypeError),
        ({"split": 1}, TypeError),
        ({"extra": 1}, TypeError),
        ({"template_share": 1.5}, ValueError),
        ({"fact_share": -0.1}, ValueError),
        ({"invalid_lines": -1}, ValueError),
        ({"format": "csv"}, ValueError),
        ({"split": "test"}, ValueError),
    ],
)
def test_from_dict_rejects_bad_entries(change: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        Dataset.from_dict({**SAMPLE.to_dict(), **change})


def test_from_dict_rejects_a_missing_field_and_a_non_mapping() -> None:
    data = SAMPLE.to_dict()
    del data["examples"]
    with pytest.raises(TypeError):
        Dataset.from_dict(data)
    with pytest.raises(TypeError):
        Dataset.from_dict([])  # type: ignore[arg-type]


# --- never raises -------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\n",
        "\r\n",
        "\r",
        " ",
        '"messages"',
        '"conversations"',
        '"prompt"',
        '"completion"',
        '"instruction"',
        '"input"',
        '"output"',
        '"role"',
        '"content"',
        '"from"',
        '"value"',
        '"assistant"',
        '"gpt"',
        '"system"',
        '"text"',
        '"data"',
        "null",
        "1",
        "true",
        '"x"',
        "\ufeff",
        '{"prompt": "a", "completion": "b"}',
        '{"messages": [{"role": "assistant", "content": "A"}]}',
    ]
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    dataset, errors = sniff_dataset("data/x.jsonl", text)
    assert dataset is None or dataset.examples >= 1
    assert all(isinstance(e, ScanError) for e in errors)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=60).map("".join))
def test_json_like_text_never_raises(text: str) -> None:
    dataset, errors = sniff_dataset("data/x.json", text)
    if dataset is not None:
        assert dataset.examples >= 1
        assert 0.0 <= dataset.template_share <= 1.0
        assert 0.0 <= dataset.fact_share <= 1.0
        assert Dataset.from_dict(dataset.to_dict()) == dataset
    assert len(errors) <= 2


def test_deep_nesting_never_raises() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert sniff_dataset("x.json", deep) == (None, [])
    line = '{"messages": ' + deep + "}"
    good = _chat(("user", "Hi"), ("assistant", "Hello"))
    dataset, _ = sniff_dataset("x.jsonl", _jsonl(good, line))
    assert dataset is not None and dataset.invalid_lines == 1
