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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.knowledge import load_table

TABLES = ("fine-tune", "embedding", "vector-store")
_NUMBER_KEYS = {
    "fine-tune": (
        "training-per-million",
        "base-input-per-million",
        "base-output-per-million",
        "tuned-input-per-million",
        "tuned-output-per-million",
    ),
    "embedding": ("per-million",),
    "vector-store": ("month",),
}
_TEXT_KEYS = frozenset({"date", "source", "note"})
_CHOICES = {
    "fine-tune-model": "fine-tune",
    "embedding-model": "embedding",
    "vector-store": "vector-store",
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
        if key in _NUMBER_KEYS[kind]:
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
            lowered = hint.lower()
            for name, entry in self.table[kind].items():
                for pattern in entry.get("matches", []):
                    if pattern.lower() in lowered and len(pattern) > length:
                        best, length = name, len(pattern)
        return best


def usd(value: float) -> float:
    """Money in reports: cents below $100, whole dollars above."""
    return round(value, 2) if value < 100 else float(round(value))


def money(value: float) -> str:
    """Money as text: cents below $100, whole dollars with separators above."""
    return f"${value:,.2f}" if value < 100 else f"${value:,.0f}"


@dataclass
class CostInputs:
    """What the repository tells the cost model (all token counts approximate)."""

    training_tokens: int | None  # None: no training set in the repository
    corpus_tokens: int
    instruction_tokens_per_call: int  # system prompt and few-shot examples
    pasted_tokens_per_call: int  # documents pasted into each prompt
    runs_per_year: int  # fine-tuning runs needed to keep up with changes
    monthly_change: float | None  # share of the corpus that changes a month
    models: list[str] = field(default_factory=list)
    stores: list[str] = field(default_factory=list)
    embedding_models: list[str] = field(default_factory=list)


def estimate(pricing: Pricing, inputs: CostInputs) -> dict[str, Any]:
    """The ``costs`` object of the recommendation: fine-tuning, RAG, prompting
    as it is today, and every assumption used."""
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

    ft_name = pricing.pick("fine-tune", inputs.models, "fine-tune-model")
    ft = pricing.entry("fine-tune", ft_name)
    epochs = int(pricing.assumption("epochs"))
    training_tokens = inputs.training_tokens
    if training_tokens is None:
        examples = int(pricing.assumption("examples-if-unknown"))
        training_tokens = examples * (in_tokens + out_tokens)
        assumptions.append(
            f"no training set in the repository: a first set of {examples} examples "
            f"of about {in_tokens + out_tokens} tokens each"
        )
    run = training_tokens * epochs * ft["training-per-million"] / 1e6
    premium_in = ft["tuned-input-per-million"] - ft["base-input-per-million"]
    premium_out = ft["tuned-output-per-million"] - ft["base-output-per-million"]
    premium = calls * (in_tokens * premium_in + out_tokens * premium_out) / 1e6
    savings = calls * inputs.instruction_tokens_per_call * ft["base-input-per-million"] / 1e6
    runs = max(1, inputs.runs_per_year)
    assumptions.append(
        f"fine-tuning {ft_name}, {epochs} epochs, {runs} run{'s' if runs != 1 else ''} a year "
        "(one per observed change of the training data or knowledge: fine-tuned knowledge "
        "goes stale at the next change)"
    )
    fine_tune = {
        "base_model": ft_name,
        "training_tokens": training_tokens,
        "epochs": epochs,
        "run_usd": usd(run),
        "runs_per_year": runs,
        "inference_premium_month_usd": usd(premium),
        "instructions_saved_month_usd": usd(savings),
        "year_usd": usd(run * runs + 12 * premium),
        "price_date": ft.get("date", ""),
        "price_source": ft.get("source", ""),
    }

    emb_name = pricing.pick("embedding", inputs.embedding_models, "embedding-model")
    emb = pricing.entry("embedding", emb_name)
    store_name = pricing.pick("vector-store", inputs.stores, "vector-store")
    store = pricing.entry("vector-store", store_name)
    if not inputs.stores:
        assumptions.append(
            f"no vector store in the code: priced as {store_name} ({store.get('note', '')})"
        )
    change = inputs.monthly_change
    if change is None:
        change = float(pricing.assumption("monthly-change-if-unknown"))
        assumptions.append(
            f"{change:.0%} of the corpus re-embedded each month (no history to measure it)"
        )
    retrieved = int(pricing.assumption("retrieved-tokens-per-call"))
    initial = inputs.corpus_tokens * emb["per-million"] / 1e6
    reembed = inputs.corpus_tokens * min(1.0, change) * emb["per-million"] / 1e6
    context = calls * retrieved * ft["base-input-per-million"] / 1e6
    assumptions.append(
        f"RAG adds {retrieved} retrieved tokens to each call, priced as {ft_name} input"
    )
    rag = {
        "embedding_model": emb_name,
        "corpus_tokens": inputs.corpus_tokens,
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
        "instruction_tokens_per_call": inputs.instruction_tokens_per_call,
        "pasted_tokens_per_call": inputs.pasted_tokens_per_call,
        "month_usd": usd(calls * prompt_tokens * ft["base-input-per-million"] / 1e6),
    }
    return {
        "fine_tune": fine_tune,
        "rag": rag,
        "prompting": prompting,
        "assumptions": assumptions,
    }


def monthly_input_cost(pricing: Pricing, model: str, tokens: int) -> tuple[float, int]:
    """What ``tokens`` sent with every call cost a month as ``model`` input, and
    the calls a month assumed."""
    calls = int(pricing.assumption("calls-per-month"))
    price = float(pricing.entry("fine-tune", model)["base-input-per-million"])
    return calls * tokens * price / 1e6, calls
