"""AD103 repeated-style-instructions."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import Finding, Location, Severity
from auditor.rules import Example, Rule
from auditor.verdict.pricing import monthly_input_cost
from auditor.verdict.stage import Verdict

STYLE_SENTENCES = 3
MIN_TOKENS = 250
MIN_SHOTS = 3

_VOICE = (
    "Always greet the customer by first name with a warm, upbeat tone.",
    "Write in the second person and keep a friendly, casual voice.",
    "Never use jargon; always use contractions like we're and you'll.",
    "Use at most three short paragraphs, never bullet points.",
    "Sign off with 'Cheers, the Acme crew' and one emoji.",
    "Respond in British spelling and never sound like a robot.",
)


def _bot(lines: tuple[str, ...]) -> str:
    system = " ".join(lines)
    return (
        "from openai import OpenAI\n"
        "\n"
        "client = OpenAI()\n"
        f"SYSTEM = {system!r}\n"
        "\n"
        "\n"
        "def reply(message):\n"
        "    return client.chat.completions.create(\n"
        '        model="gpt-4o-mini",\n'
        '        messages=[{"role": "system", "content": SYSTEM},\n'
        '                  {"role": "user", "content": message}],\n'
        "    )\n"
    )


class RepeatedStyleInstructions(Rule):
    """
    ## What it does
    Flags long tone, style and format instructions, or several few-shot
    example answers, sent with every call. The message gives the estimated
    tokens a call spent on them and what they cost a month at the configured
    volume: what a model fine-tuned on that behaviour would save.

    ## Why is this bad?
    Instructions about voice and format are the same on every call: the
    model is taught the behaviour again each time, and pays for it each time.
    Long rule lists are also followed unevenly. Behaviour is what fine-tuning
    does well: a few hundred good examples teach it once, and the prompt
    shrinks to the question. This is a note, not a warning: for a few
    thousand calls a month the prompt is cheaper than a fine-tuning run.

    ## Example
    ```python
    SYSTEM = "Always greet the customer by first name ... Sign off with 'Cheers' ..."
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]
    ```

    Use instead:
    ```python
    # Fine-tune on conversations written in the house voice, then:
    client.chat.completions.create(model="ft:gpt-4o-mini:acme::voice1", messages=messages)
    ```

    ## How to fix
    Collect a few hundred answers in the wanted voice and format (the ones the
    prompt produces today, corrected by hand, are a good start), fine-tune on
    them, and cut the instructions from the prompt. Keep facts out of that
    training data: retrieve them.
    """

    id = "AD103"
    name = "repeated-style-instructions"
    severity = Severity.NOTE
    message = (
        "~{tokens:,} tokens of style instructions{shots} sent with every call (an estimate): "
        "about ${month:,.2f} a month at {calls:,} calls that a fine-tuned model would save"
    )
    tags = ("llm", "cost")
    precision = "medium"  # inferred from code and text: a heuristic
    valid = (Example({"bot.py": _bot(("You are a helpful assistant.",))}),)
    invalid = (Example({"bot.py": _bot(_VOICE * 3)}, expect=("bot.py:4",)),)

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        analysis = verdict.analysis
        model = str(verdict.recommendation.costs["fine_tune"]["base_model"])
        for item in analysis.instructions:
            styled = item.style_sentences >= STYLE_SENTENCES and item.tokens >= MIN_TOKENS
            if not (styled or item.shots >= MIN_SHOTS):
                continue
            month, calls = monthly_input_cost(verdict.pricing, model, item.tokens)
            yield self.finding(
                Location(item.path, item.line),
                properties={
                    "tokens_per_call": item.tokens,
                    "style_sentences": item.style_sentences,
                    "few_shot_examples": item.shots,
                },
                fingerprint_key=f"style:{item.path}",
                tokens=item.tokens,
                shots=f" and {item.shots} few-shot examples" if item.shots else "",
                month=month,
                calls=calls,
            )
