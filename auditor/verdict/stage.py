"""The verdict stage: the profile, the recommendation and the prices behind it.

The engine runs it after the facts and before the rules, and hands the same
``Verdict`` to every rule. Each part is computed once, on first use; a part that
crashed raises again where it is read, so a rule that needs it is reported as
crashed while the rules that do not still run.
"""

from __future__ import annotations

import functools

from auditor.facts import RepoFacts
from auditor.model import Profile, Recommendation
from auditor.verdict.pricing import Pricing
from auditor.verdict.profile import Analysis, infer
from auditor.verdict.recommend import recommend


class Verdict:
    def __init__(self, facts: RepoFacts) -> None:
        self._facts = facts

    @functools.cached_property
    def pricing(self) -> Pricing:
        """The price table with the configuration's overrides, loaded once."""
        return Pricing.load(self._facts.config.pricing)

    @functools.cached_property
    def analysis(self) -> Analysis:
        """The profile and the measurements behind it (see :mod:`auditor.verdict.profile`)."""
        return infer(self._facts)

    @property
    def profile(self) -> Profile:
        return self.analysis.profile

    @functools.cached_property
    def recommendation(self) -> Recommendation:
        return recommend(self.analysis, self._facts, self.pricing)


def judge(facts: RepoFacts) -> Verdict:
    """The verdict on ``facts`` (nothing is computed until it is read)."""
    return Verdict(facts)
