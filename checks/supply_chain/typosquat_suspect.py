"""SC003 typosquat-suspect."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from auditor.facts import RepoFacts
from auditor.knowledge import load_table
from auditor.model import Finding, Location, Severity, normalise_name
from auditor.rules import Example, Rule
from auditor.verdict.stage import Verdict

# Typosquats are declared by hand; what a lock file or a `-c` file resolves is not.
SKIPPED_GROUPS = frozenset({"locked", "constraint"})
# Longest first, so that `python-requests` is `requests` with a `python-` prefix.
PREFIXES = ("python-", "py-", "py")
SUFFIXES = ("-python", "-py")
WORDS = ("one edit", "two edits")
# Typosquats imitate the most-downloaded names; comparing with all 5,000 of the
# list flagged 3.9% of the legitimate names ranked 5,001-15,000, with these
# 1,000 it flags 1.2% (the whole list still decides what is popular). Both
# figures: bench/typosquat_false_alarms.py (`--targets 5000` for the first).
TARGETS = 1000


@dataclass(frozen=True, eq=False)  # hashed by identity: `_near` caches on it
class PopularList:
    ranks: Mapping[str, int]  # normalised name -> rank (1 = most downloaded)
    by_length: Mapping[int, tuple[str, ...]]  # normalised names by length, in rank order

    def near(self, length: int, limit: int) -> tuple[str, ...]:
        return _near(self, length, limit)


@functools.cache
def _near(popular: PopularList, length: int, limit: int) -> tuple[str, ...]:
    """Popular names within ``limit`` characters of ``length``, in rank order."""
    names = [
        name
        for size in range(max(1, length - limit), length + limit + 1)
        for name in popular.by_length.get(size, ())
        if popular.ranks[name] <= TARGETS
    ]
    return tuple(sorted(names, key=popular.ranks.__getitem__))


@functools.cache
def popular_packages() -> PopularList:
    """``checks/data/popular_packages.toml``: names in rank order."""
    ranks: dict[str, int] = {}
    for rank, raw in enumerate(load_table("popular_packages").get("names", []), start=1):
        ranks.setdefault(normalise_name(str(raw)), rank)
    by_length: dict[int, list[str]] = {}
    for name in ranks:  # dicts keep insertion (rank) order
        by_length.setdefault(len(name), []).append(name)
    return PopularList(ranks, {k: tuple(v) for k, v in by_length.items()})


def edit_limit(name: str) -> int:
    """How many edits from a popular name are suspicious: short names, where one
    edit makes another real word (`attr`, `panda`), are not compared."""
    if len(name) >= 10:
        return 2
    return 1 if len(name) >= 5 else 0


def version_variant(name: str, target: str) -> bool:
    """`progressbar2` for `progressbar`, `pypdf4` for `pypdf`: a trailing version
    number makes a successor, not a typo."""
    digits = "0123456789"
    return name != target and name.rstrip(digits) == target.rstrip(digits)


def py_confusable(name: str, ranks: Mapping[str, int]) -> tuple[str, str] | None:
    """The popular name that ``name`` becomes when a ``py``/``python`` prefix or
    suffix is removed or added, and how: ``("requests", "with a `python-` prefix")``."""
    candidates: list[tuple[str, str]] = []
    for prefix in PREFIXES:
        if name.startswith(prefix):
            candidates.append((name[len(prefix) :], f"with a `{prefix}` prefix"))
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            candidates.append((name[: -len(suffix)], f"with a `{suffix}` suffix"))
    candidates += [(prefix + name, f"without its `{prefix}` prefix") for prefix in PREFIXES]
    candidates += [(name + suffix, f"without its `{suffix}` suffix") for suffix in SUFFIXES]
    found = [
        (ranks[c], c, how)
        for c, how in candidates
        if c and c != name and ranks.get(c, TARGETS + 1) <= TARGETS
    ]
    if not found:
        return None
    _, target, how = min(found)
    return target, how


class TyposquatSuspect(Rule):
    """
    ## What it does
    Flags a PyPI dependency whose name is not one of the 5,000 most-downloaded
    PyPI projects but is one edit away from one of the top 1,000 (two edits
    for names of ten characters or more), or is one of them with a `py`,
    `py-`, `python-`, `-py` or `-python` affix added or removed
    (`python-requests`, `pyrequests`).

    An edit is the Damerau-Levenshtein distance: inserting, deleting or
    replacing one character, or swapping two adjacent ones (`reqeusts`).
    Names are compared after PEP 503 normalisation, so `typing_extensions`
    is `typing-extensions`. Names shorter than five characters are not
    compared by distance (one edit from `attr` is `attrs`), and a trailing
    version number is no typo (`progressbar2`, `beautifulsoup`). On the 9,985
    legitimate projects ranked 5,001-15,000 the rule flags 1.2%
    (`bench/typosquat_false_alarms.py` reproduces it).

    The popular list is `checks/data/popular_packages.toml`: the 30-day
    download ranking of https://hugovk.github.io/top-pypi-packages/
    (PyPI's BigQuery statistics) as of November 2026; refresh it with
    `bench/refresh_popular_packages.py`. Lock files and `-c` constraint files
    are not checked: a typosquat is declared by hand.

    A private or legitimately similar name can be allowed in `[tool.ragfit]`:
    `typosquat-allow = ["acme-requests"]`.

    ## Why is this bad?
    Attackers publish packages named after typing mistakes of popular ones
    (`reqeusts`, `python-dateutils`, `colourama`) that install the real
    package and also steal credentials or open a shell. One mistyped line in a
    requirements file is enough, and nothing fails: the code still works.

    ## Example
    ```text
    reqeusts==2.31.0
    ```

    Use instead:
    ```text
    requests==2.32.3
    ```

    ## How to fix
    Check the name on https://pypi.org: fix the spelling and, if the wrong
    package was ever installed, treat that machine as compromised and rotate
    the keys it could read. If the name is right (an internal package, a
    legitimate project), add it to `typosquat-allow`.
    """

    id = "SC003"
    name = "typosquat-suspect"
    severity = Severity.WARNING
    message = "`{name}` is {how}: check the spelling"
    tags = ("security", "supply-chain", "typosquatting")
    precision = "medium"  # edit distance to popular names: some are legitimate
    security_severity = 6.5
    valid = (
        Example({"requirements.txt": "requests==2.32.3\nnumpy>=2\nacme-billing-core==1.4.0\n"}),
        Example(
            {
                "requirements.txt": "-c constraints.txt\nrequests==2.32.3\nsix\nboto\n",
                "constraints.txt": "reqeusts==2.31.0\n",
            }
        ),
    )
    invalid = (
        Example(
            {"requirements.txt": "numpy==2.1.0\nreqeusts==2.31.0\n"},
            expect=("requirements.txt:2",),
        ),
        Example(
            {
                "pyproject.toml": (
                    '[project]\nname = "app"\nversion = "1"\n'
                    'dependencies = [\n  "python-dateutils>=2.8",\n  "pyrequests",\n]\n'
                )
            },
            expect=("pyproject.toml:5", "pyproject.toml:6"),
        ),
    )

    def check(self, facts: RepoFacts, verdict: Verdict) -> Iterator[Finding]:
        popular = popular_packages()
        allowed = {normalise_name(n) for n in facts.config.typosquat_allow}
        for dep in facts.dependencies:
            if dep.kind != "pypi" or dep.group in SKIPPED_GROUPS:
                continue
            key = normalise_name(dep.name)
            if not key or key in popular.ranks or key in allowed:
                continue
            how = self._resemblance(key, popular)
            if how is None:
                continue
            target, text = how
            yield self.finding(
                Location(dep.path, dep.line),
                properties={"resembles": target, "rank": popular.ranks[target]},
                fingerprint_key=key,
                name=dep.name,
                how=text,
            )

    @staticmethod
    def _resemblance(key: str, popular: PopularList) -> tuple[str, str] | None:
        """The popular name ``key`` most likely stands for, and how it differs; when
        both tests find one (`python-dateutils`), the more downloaded wins."""
        found: list[tuple[int, int, str, str]] = []
        confusable = py_confusable(key, popular.ranks)
        if confusable is not None:
            target, how = confusable
            rank = popular.ranks[target]
            found.append((rank, 0, target, f"`{target}` (#{rank} on PyPI) {how}"))
        limit = edit_limit(key)
        match = (
            process.extractOne(
                key,
                popular.near(len(key), limit),
                scorer=DamerauLevenshtein.distance,
                score_cutoff=limit,
            )
            if limit
            else None
        )
        if match is not None and not version_variant(key, str(match[0])):
            target, distance = str(match[0]), int(match[1])
            rank = popular.ranks[target]
            words = WORDS[distance - 1]
            found.append((rank, 1, target, f"{words} away from `{target}` (#{rank} on PyPI)"))
        if not found:
            return None
        _, _, target, how = min(found)
        return target, how
