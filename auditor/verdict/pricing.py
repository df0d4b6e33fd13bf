"""Prices (``checks/data/pricing.toml``, overridable under ``[tool.ragfit.pricing]``)
and the cost estimates built from them.

Everything here is arithmetic on estimates: token counts come from characters
(about 4 a token), call volumes from assumptions unless the configuration
gives them. Every assumption used is returned with the numbers, so that a
report can list it.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.knowledge import load_table

TABLES = ("inference", "fine-tune", "training-gpu", "embedding", "vector-store")
_NUMBER_KEYS = {
    "inference": ("input-per-million", "output-per-million"),
    "fine-tune": (
        "training-per-million",
        "base-input-per-million",
        "base-output-per-million",
        "tuned-input-per-million",
        "tuned-output-per-million",
    ),
    "training-gpu": ("hour",),
    "embedding": ("per-million",),
    "vector-store": ("month",),
}
# Numbers an entry may have but need not.
_OPTIONAL_NUMBERS = frozenset({"max-params-billion"})
_TEXT_KEYS = frozenset({"date", "source", "note", "offer"})
_CHOICES = {
    "fine-tune-model": "fine-tune",
    "chat-model": "inference",
    "embedding-model": "embedding",
    "vector-store": "vector-store",
    "training-gpu": "training-gpu",
}


class PricingError(ValueError):
    """An override that does not fit the price table; the message is one line."""


@functools.cache
def _shipped() -> dict[str, Any]:
    return load_table("pricing")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def merge(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The shipped table with ``overrides`` applied; raises :class:`PricingError`
    naming the first key that is unknown or of the wrong type."""
    table = copy.deepcopy(_shipped())
    assumptions = table["assumptions"]
    for key, value in overrides.items():
        if key in TABLES:
            if not isinstance(value, Mapping):
                raise PricingError(f"`pricing.{key}` must be a table of named entries")
            for name, entry in value.items():
                _merge_entry(table[key], key, str(name), entry)
        elif key in assumptions:
            expected = assumptions[key]
            if isinstance(expected, str):
                if not isinstance(value, str):
                    raise PricingError(f"`pricing.{key}` must be a string")
            elif not _number(value):
                raise PricingError(f"`pricing.{key}` must be a non-negative number")
            assumptions[key] = value
        else:
            raise PricingError(f"unknown key `pricing.{key}`")
    for key, kind in _CHOICES.items():
        if assumptions[key] not in table[kind]:
            known = ", ".join(sorted(table[kind]))
            raise PricingError(f"`pricing.{key}` = {assumptions[key]!r} is not one of: {known}")
    return table


def _merge_entry(section: dict[str, Any], kind: str, name: str, entry: Any) -> None:
    if not isinstance(entry, Mapping):
        raise PricingError(f"`pricing.{kind}.{name}` must be a table")
    current = section.setdefault(name, {"matches": [], "date": "configuration", "source": ""})
    for key, value in entry.items():
        if key in _NUMBER_KEYS[kind] or key in _OPTIONAL_NUMBERS:
            if not _number(value):
                raise PricingError(f"`pricing.{kind}.{name}.{key}` must be a non-negative number")
        elif key == "matches":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PricingError(f"`pricing.{kind}.{name}.matches` must be a list of strings")
        elif key in _TEXT_KEYS:
            if not isinstance(value, str):
                raise PricingError(f"`pricing.{kind}.{name}.{key}` must be a string")
        else:
            raise PricingError(f"unknown key `pricing.{kind}.{name}.{key}`")
        current[key] = value
    if "source" in entry or "date" not in entry:
        current.setdefault("date", "configuration")
    missing = [k for k in _NUMBER_KEYS[kind] if k not in current]
    if missing:
        raise PricingError(f"`pricing.{kind}.{name}` needs `{missing[0]}`")


@dataclass(frozen=True)
class Pricing:
    table: Mapping[str, Any]
    overridden: frozenset[str] = frozenset()

    @classmethod
    def load(cls, overrides: Mapping[str, Any]) -> Pricing:
        return cls(merge(overrides), frozenset(overrides))

    def assumption(self, key: str) -> Any:
        return self.table["assumptions"][key]

    def entry(self, kind: str, name: str) -> Mapping[str, Any]:
        entry: Mapping[str, Any] = self.table[kind][name]
        return entry

    def pick(self, kind: str, hints: list[str], default_key: str) -> str:
        """The entry whose ``matches`` fit a model or store name seen in the code
        (longest match wins), else the configured default."""
        if default_key in self.overridden:
            return str(self.assumption(default_key))
        best, length = str(self.assumption(default_key)), 0
        for hint in hints:
            found, size = self.match(kind, hint)
            if found is not None and size > length:
                best, length = found, size
        return best

    def match(self, kind: str, model: str) -> tuple[str | None, int]:
        """The entry of ``kind`` for one model name and the length of the
        pattern that chose it (``None, 0`` when none fits). A pattern matches
        at the start of a name part (``anthropic/claude-3-...``,
        ``ft:gpt-4o-mini:...``), and an entry with ``max-params-billion``
        fits only models up to that size (a size read from the name, such as
        ``70B`` or ``8x7b``; a name without one counts as small)."""
        lowered = model.lower()
        params = parameter_count(lowered)
        best: str | None = None
        length = 0
        limit = float("inf")
        for name, entry in self.table[kind].items():
            cap = float(entry.get("max-params-billion", float("inf")))
            if params is not None and params > cap:
                continue
            for pattern in entry.get("matches", []):
                if not _at_part_start(pattern.lower(), lowered):
                    continue
                size = len(pattern)
                if size > length or (size == length and cap < limit):
                    best, length, limit = name, size, cap
        return best, length


_SIZE = re.compile(r"(?<![a-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)\s*b(?![a-z0-9])")


def parameter_count(model: str) -> float | None:
    """Billions of parameters named in a model id (``llama3.1:8b`` -> 8,
    ``Llama-3.3-70B-Instruct`` -> 70, ``mixtral-8x7b`` -> 56), or None."""
    found = _SIZE.search(model.lower().replace("_", "-"))
    if found is None:
        return None
    experts = int(found.group(1)) if found.group(1) else 1
    return experts * float(found.group(2))


def _at_part_start(pattern: str, name: str) -> bool:
    start = name.find(pattern)
    while start != -1:
        if start == 0 or name[start - 1] in "/:@_ .-":
            return True
        start = name.find(pattern, start + 1)
    return False


def usd(value: float) -> float:
    """Money in reports: cents below $100, whole dollars above."""
    return round(value, 2) if value < 100 else float(round(value))


def money(value: float) -> str:
    """Money as text: cents below $100, whole dollars with separators above,
    and "under $0.01" rather than a misleading $0.00 for a positive amount."""
    if 0 < value < 0.005:
        return "under $0.01"
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


@dataclass
class CostInputs:
    """What the repository tells the cost model (all token counts approximate).

    Models are the names the code uses, each with where it was found:
    ``chat_model`` the main chat model of the product code,
    ``fine_tune_model`` the model a fine-tuning job names, ``embedding_model``
    the one the code embeds with now. ``local_training``: the code trains a
    language model itself (priced in GPU hours)."""

    training_tokens: int | None  # None: no training set in the repository
    corpus_tokens: int
    instruction_tokens_per_call: int  # system prompt and few-shot examples
    pasted_tokens_per_call: int  # documents pasted into each prompt
    runs_per_year: int  # fine-tuning runs needed to keep up with changes
    monthly_change: float | None  # share of the corpus that changes a month
    training_examples: int | None = None
    chat_model: str | None = None
    chat_model_from: str = ""
    fine_tune_model: str | None = None
    fine_tune_model_from: str = ""
    embedding_model: str | None = None
    embedding_model_from: str = ""
    local_training: bool = False
    stores: list[str] = field(default_factory=list)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def estimate(pricing: Pricing, inputs: CostInputs) -> dict[str, Any]:
    """The ``costs`` object of the recommendation: fine-tuning, RAG, prompting
    as it is today, the models priced, and every assumption used."""
    assumptions: list[str] = [
        "token counts are estimates: about 4 characters a token",
    ]
    calls = float(pricing.assumption("calls-per-month"))
    in_tokens = int(pricing.assumption("input-tokens-per-call"))
    out_tokens = int(pricing.assumption("output-tokens-per-call"))
    assumptions.append(
        f"{calls:,.0f} calls a month, {in_tokens} input and {out_tokens} output tokens a call "
        "besides instructions and context (set `calls-per-month` and the token counts "
        "under [tool.ragfit.pricing])"
    )

    # -- the model that answers today
    chat_name: str | None = None
    if inputs.chat_model and "chat-model" not in pricing.overridden:
        chat_name, _ = pricing.match("inference", inputs.chat_model)
    if chat_name is None:
        chat_name = str(pricing.assumption("chat-model"))
        assumptions.append(
            f"the code's chat model {inputs.chat_model} has no price here: priced as {chat_name}"
            if inputs.chat_model
            else f"no chat model named in the code: priced as {chat_name}"
        )
    else:
        assumptions.append(
            f"calls priced as {chat_name}, the main chat model ({inputs.chat_model}"
            f"{', ' + inputs.chat_model_from if inputs.chat_model_from else ''})"
        )
    chat = pricing.entry("inference", chat_name)
    chat_in = float(chat["input-per-million"])

    # -- fine-tuning: the job's model, else the main chat model
    base = inputs.fine_tune_model or inputs.chat_model
    ft_name: str | None = None
    if base and "fine-tune-model" not in pricing.overridden:
        ft_name, _ = pricing.match("fine-tune", base)
    if ft_name is None:
        ft_name = str(pricing.assumption("fine-tune-model"))
        why = (
            f"{base} has no fine-tuning offer here"
            if base
            else "no model named by a fine-tuning job or a chat call"
        )
        assumptions.append(f"{why}: fine-tuning priced as {ft_name}")
    else:
        source = (
            "named by the fine-tuning job"
            + (f", {inputs.fine_tune_model_from}" if inputs.fine_tune_model_from else "")
            if inputs.fine_tune_model
            else "the main chat model"
        )
        assumptions.append(f"fine-tuning base: {base} ({source}), priced as {ft_name}")
    ft = pricing.entry("fine-tune", ft_name)
    epochs = int(pricing.assumption("epochs"))
    training_tokens = inputs.training_tokens
    examples = int(pricing.assumption("examples-if-unknown"))
    smallest = int(pricing.assumption("min-training-examples"))
    assumed = False
    if training_tokens is None or training_tokens <= 0:
        training_tokens = examples * (in_tokens + out_tokens)
        assumed = True
        assumptions.append(
            f"no training set in the repository: a first set of {examples} examples "
            f"of about {in_tokens + out_tokens} tokens each"
        )
    elif inputs.training_examples is not None and inputs.training_examples < smallest:
        per = max(1, training_tokens // max(1, inputs.training_examples))
        assumptions.append(
            f"the repository's training set holds {_plural(inputs.training_examples, 'example')}, "
            f"a sample: priced as a set of {examples} examples of ~{per:,} tokens"
        )
        training_tokens = examples * per
        assumed = True
    processed = training_tokens * epochs
    runs = max(1, inputs.runs_per_year)
    gpu_hours = 0.0
    if inputs.local_training:
        gpu_name = str(pricing.assumption("training-gpu"))
        gpu = pricing.entry("training-gpu", gpu_name)
        per_hour = float(pricing.assumption("training-tokens-per-gpu-hour"))
        gpu_hours = max(processed / per_hour, 0.25)
        run = gpu_hours * float(gpu["hour"])
        premium = 0.0
        offer = (
            f"local training on {gpu.get('note', gpu_name)} at ${float(gpu['hour']):.2f} an hour"
        )
        assumptions.append(
            f"the code trains the model itself: {processed:,} tokens ({epochs} epochs) at "
            f"{per_hour:,.0f} tokens a GPU hour is {gpu_hours:,.2f} GPU hours "
            f"(at least a quarter hour) on {gpu.get('note', gpu_name)}; serving it on your "
            "own machines is not priced"
        )
        price_date, price_source = str(gpu.get("date", "")), str(gpu.get("source", ""))
    else:
        run = processed * ft["training-per-million"] / 1e6
        premium_in = ft["tuned-input-per-million"] - ft["base-input-per-million"]
        premium_out = ft["tuned-output-per-million"] - ft["base-output-per-million"]
        premium = calls * (in_tokens * premium_in + out_tokens * premium_out) / 1e6
        offer = str(ft.get("offer", ft_name))
        price_date, price_source = str(ft.get("date", "")), str(ft.get("source", ""))
    savings = calls * inputs.instruction_tokens_per_call * chat_in / 1e6
    assumptions.append(
        f"fine-tuning {ft_name}, {epochs} epochs, {runs} run{'s' if runs != 1 else ''} a year "
        "(one per observed change of the training data or knowledge: fine-tuned knowledge "
        "goes stale at the next change)"
    )
    fine_tune = {
        "base_model": ft_name,
        "model": base,
        "offer": offer,
        "local": inputs.local_training,
        "training_tokens": training_tokens,
        "training_tokens_assumed": assumed,
        "epochs": epochs,
        "gpu_hours": round(gpu_hours, 2),
        "run_usd": usd(run),
        "runs_per_year": runs,
        "inference_premium_month_usd": usd(premium),
        "instructions_saved_month_usd": usd(savings),
        "year_usd": usd(run * runs + 12 * premium),
        "price_date": price_date,
        "price_source": price_source,
    }

    # -- RAG: the embedding model in use, the store, the retrieved context
    emb_name: str | None = None
    if inputs.embedding_model and "embedding-model" not in pricing.overridden:
        emb_name, _ = pricing.match("embedding", inputs.embedding_model)
    if emb_name is None:
        emb_name = str(pricing.assumption("embedding-model"))
        assumptions.append(
            f"the code's embedding model {inputs.embedding_model} has no price here: "
            f"priced as {emb_name}"
            if inputs.embedding_model
            else f"no embedding model in the code: priced as {emb_name}"
        )
    else:
        assumptions.append(
            f"embeddings priced as {emb_name} ({inputs.embedding_model}"
            f"{', ' + inputs.embedding_model_from if inputs.embedding_model_from else ''})"
        )
    emb = pricing.entry("embedding", emb_name)
    store_name = pricing.pick("vector-store", inputs.stores, "vector-store")
    store = pricing.entry("vector-store", store_name)
    if not inputs.stores:
        assumptions.append(
            f"no vector store in the code: priced as {store_name} ({store.get('note', '')})"
        )
    corpus_tokens = inputs.corpus_tokens
    corpus_assumed = corpus_tokens <= 0
    if corpus_assumed:
        corpus_tokens = int(pricing.assumption("corpus-tokens-if-unknown"))
        assumptions.append(
            f"no knowledge corpus in the repository to measure: priced for a first corpus "
            f"of {corpus_tokens:,} tokens (set `corpus-tokens-if-unknown`)"
        )
    change = inputs.monthly_change
    if change is None:
        change = float(pricing.assumption("monthly-change-if-unknown"))
        assumptions.append(
            f"{change:.0%} of the corpus re-embedded each month (no history to measure it)"
        )
    retrieved = int(pricing.assumption("retrieved-tokens-per-call"))
    initial = corpus_tokens * emb["per-million"] / 1e6
    reembed = corpus_tokens * min(1.0, change) * emb["per-million"] / 1e6
    context = calls * retrieved * chat_in / 1e6
    assumptions.append(
        f"RAG adds {retrieved} retrieved tokens to each call, priced as {chat_name} input"
    )
    rag = {
        "embedding_model": emb_name,
        "model": inputs.embedding_model,
        "corpus_tokens": corpus_tokens,
        "corpus_tokens_assumed": corpus_assumed,
        "initial_embedding_usd": usd(initial),
        "monthly_change": round(min(1.0, change), 3),
        "reembedding_month_usd": usd(reembed),
        "vector_store": store_name,
        "vector_store_month_usd": usd(float(store["month"])),
        "retrieved_context_month_usd": usd(context),
        "year_usd": usd(initial + 12 * (reembed + float(store["month"]) + context)),
        "price_date": emb.get("date", ""),
        "price_source": emb.get("source", ""),
    }
    prompt_tokens = inputs.instruction_tokens_per_call + inputs.pasted_tokens_per_call
    prompting = {
        "model": chat_name,
        "instruction_tokens_per_call": inputs.instruction_tokens_per_call,
        "pasted_tokens_per_call": inputs.pasted_tokens_per_call,
        "month_usd": usd(calls * prompt_tokens * chat_in / 1e6),
        "price_date": chat.get("date", ""),
        "price_source": chat.get("source", ""),
    }
    return {
        "fine_tune": fine_tune,
        "rag": rag,
        "prompting": prompting,
        "assumptions": assumptions,
    }


def monthly_input_cost(pricing: Pricing, model: str, tokens: int) -> tuple[float, int]:
    """What ``tokens`` sent with every call cost a month as input of ``model``
    (an inference entry, or a fine-tune entry's base price), and the calls a
    month assumed."""
    calls = int(pricing.assumption("calls-per-month"))
    if model in pricing.table["inference"]:
        price = float(pricing.entry("inference", model)["input-per-million"])
    else:
        price = float(pricing.entry("fine-tune", model)["base-input-per-million"])
    return calls * tokens * price / 1e6, calls
