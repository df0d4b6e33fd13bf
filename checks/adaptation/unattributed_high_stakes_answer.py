"""AD104 unattributed-high-stakes-answer."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.facts import RepoFacts
from auditor.model import CallSite, Finding, Severity
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

_LEGAL = (
    "from openai import OpenAI\n"
    "\n"
    "client = OpenAI()\n"
    "\n"
    "\n"
    "def advise(question):\n"
    "    return client.chat.completions.create(\n"
    '        model="ft:gpt-4o-mini:lexbot::abc123",\n'
    '        messages=[{"role": "system", "content": "You are a legal assistant for '
    'contract law."},\n'
    '                  {"role": "user", "content": question}],\n'
    "    )\n"
)
_README = "# LexBot\n\nAnswers contract law questions for small firms' legal teams.\n"
_CITED = _LEGAL.replace('contract law."', 'contract law. Cite the source of every statement."')


class UnattributedHighStakesAnswer(Rule):
    """
    ## What it does
    Flags the calls that answer without sources in a high-stakes domain: a
    fine-tuned model answering alone, or retrieval whose sources are dropped
    before the answer.

    The domain (legal, medical, clinical, financial, regulatory, safety) comes
    from the README, package metadata and prompts, or from `high-stakes =
    true` in the configuration. Sources count as kept when the code asks for
    `return_source_documents`, reads `source_nodes` or `metadata["source"]`,
    returns `sources`/`citations`, or a prompt asks for citations.

    ## Why is this bad?
    A wrong answer about a contract, a dose or a tax rule does harm, and a
    fluent one is believed. Without the source next to the answer nobody can
    check it, and nobody can tell a stale or invented answer from a right one.
    Fine-tuned knowledge has no source at all.

    ## Example
    ```python
    client.chat.completions.create(model="ft:gpt-4o-mini:lexbot::abc123", messages=messages)
    ```

    Use instead:
    ```python
    result = qa_chain.invoke({"query": question})  # return_source_documents=True
    return result["result"], [d.metadata["source"] for d in result["source_documents"]]
    ```

    ## How to fix
    Answer from retrieved documents and return their sources with the answer
    (document name, section, link), and ask the model to cite them. Set
    `high-stakes = false` in `[tool.ragfit]` if the domain words are
    misleading.
    """

    id = "AD104"
    name = "unattributed-high-stakes-answer"
    severity = Severity.WARNING
    message = "A {domains} answer {how}: return the sources with the answer and cite them"
    tags = ("llm", "safety")
    precision = "medium"  # inferred from code and text: a heuristic
    valid = (
        Example({"advise.py": _LEGAL.replace("legal assistant for contract law", "poet")}),
        Example({"advise.py": _CITED, "README.md": _README}),
    )
    invalid = (Example({"advise.py": _LEGAL, "README.md": _README}, expect=("advise.py:7",)),)

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        analysis = verdict.analysis
        stakes = analysis.profile.stakes
        if stakes.level != "high" or not analysis.uses_llm or analysis.sources_kept:
            return
        domains = "/".join(stakes.extra.get("domains", [])) or "high-stakes"
        answering = [s for s in facts.call_sites if s.capability in {"chat", "completion"}]
        if analysis.retrieval:
            how = "comes from retrieval that drops its sources"
        elif any(s.fine_tuned for s in answering) or analysis.profile.current_approach in {
            "fine-tune",
            "hybrid",
        }:
            how = "comes from a fine-tuned model alone, with no source to check"
        else:
            how = "comes from the model alone, with no source to check"
        sites: list[CallSite] = []
        seen: set[str] = set()
        for site in answering or [s for s in facts.call_sites if s.capability == "fine-tune"]:
            if site.path not in seen:
                seen.add(site.path)
                sites.append(site)
        for site in sites:
            yield self.finding(
                site.location,
                properties={"domains": list(stakes.extra.get("domains", []))},
                fingerprint_key=f"unattributed:{site.api}",
                domains=domains,
                how=how,
            )
