"""SC003 typosquat-suspect: exact findings, the popular list, the allow-list."""

from __future__ import annotations

from pathlib import Path

from auditor.checks.supply_chain.typosquat_suspect import (
    TyposquatSuspect,
    edit_limit,
    popular_packages,
    py_confusable,
    version_variant,
)
from conftest import MakeRepo

from auditor.config import Config, load_config
from auditor.engine import Options, audit
from auditor.knowledge import load_table
from auditor.model import Finding, Severity, normalise_name

REQUIREMENTS = """\
# web service
requests==2.32.3
reqeusts==2.31.0
numpy>=2.0
nunpy==2.1.0
boto3==1.35.0
boto==2.49.0
six==1.16.0
sox==1.5.0
typing_extensions>=4.12
Typing.Extensions
typingextensions==4.12.2
python-requests==2.0.0
requests-python
pyrequests
yaml
pyyaml==6.0.2
python-dateutil==2.9.0
python-dateutils==2.9.0
acme-billing-core==1.4.0
acme-requets==0.3.0
scikit-learn==1.5.2
sklearn
beautifulsoup4
beautifulsoup
Django==5.1
djnago==5.1
colorama
colourama
openai==1.54.4
"""

EXPECTED = [
    ("requirements.txt", 3, "`reqeusts` is one edit away from `requests` (#6 on PyPI)"),
    ("requirements.txt", 5, "`nunpy` is one edit away from `numpy` (#20 on PyPI)"),
    (
        "requirements.txt",
        12,
        "`typingextensions` is one edit away from `typing-extensions` (#7 on PyPI)",
    ),
    (
        "requirements.txt",
        13,
        "`python-requests` is `requests` (#6 on PyPI) with a `python-` prefix",
    ),
    (
        "requirements.txt",
        14,
        "`requests-python` is `requests` (#6 on PyPI) with a `-python` suffix",
    ),
    ("requirements.txt", 15, "`pyrequests` is `requests` (#6 on PyPI) with a `py` prefix"),
    ("requirements.txt", 16, "`yaml` is `pyyaml` (#15 on PyPI) without its `py` prefix"),
    (
        "requirements.txt",
        19,
        "`python-dateutils` is one edit away from `python-dateutil` (#13 on PyPI)",
    ),
    ("requirements.txt", 27, "`djnago` is one edit away from `django` (#528 on PyPI)"),
    ("requirements.txt", 29, "`colourama` is one edit away from `colorama` (#81 on PyPI)"),
]


def _scan(root: Path, config: Config | None = None) -> list[Finding]:
    config = (config or load_config(root)[0]).merged(select=("SC003",))
    report = audit(root, config, Options(use_cache=False, jobs=1))
    assert report.errors == ()
    return list(report.findings)


def _where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [
        (f.location.path, f.location.line, f.message.removesuffix(": check the spelling"))
        for f in findings
    ]


def test_exact_findings_on_a_realistic_requirements_file(make_repo: MakeRepo) -> None:
    findings = _scan(make_repo({"requirements.txt": REQUIREMENTS}))
    assert _where(findings) == EXPECTED
    assert all(f.message.endswith(": check the spelling") for f in findings)
    assert all(f.rule_id == "SC003" and f.severity is Severity.WARNING for f in findings)
    first = findings[0]
    assert first.fingerprint_key == "reqeusts"
    assert first.properties == {"resembles": "requests", "rank": 6}


def test_short_popular_and_spelling_variants_never_fire() -> None:
    popular = popular_packages()
    # Shorter than four characters: not compared by distance.
    assert edit_limit("soxx") == 0  # one edit from a short name is often another real name
    assert edit_limit("numpyy") == 1
    assert edit_limit("requestsss") == 2
    # A trailing version number makes a successor, not a typo: beautifulsoup (line 25,
    # the old real package) is not flagged for beautifulsoup4.
    assert version_variant("beautifulsoup", "beautifulsoup4")
    assert not version_variant("python3-dateutil", "python-dateutil")
    assert TyposquatSuspect._resemblance("sox", popular) is None
    # boto and boto3 are one edit apart and both popular: neither is checked.
    assert {"boto", "boto3", "six", "sklearn", "scikit-learn"} <= set(popular.ranks)
    # PEP 503: `_`, `.` and case are the same package.
    for spelling in ("typing_extensions", "Typing.Extensions", "TYPING-extensions"):
        assert normalise_name(spelling) in popular.ranks


def test_py_confusables() -> None:
    ranks = popular_packages().ranks
    assert py_confusable("python-requests", ranks) == ("requests", "with a `python-` prefix")
    assert py_confusable("py-requests", ranks) == ("requests", "with a `py-` prefix")
    assert py_confusable("requests-py", ranks) == ("requests", "with a `-py` suffix")
    assert py_confusable("yaml", ranks) == ("pyyaml", "without its `py` prefix")
    assert py_confusable("dateutil", ranks) == ("python-dateutil", "without its `python-` prefix")
    assert py_confusable("acme-billing-core", ranks) is None
    # pyyaml is itself popular: the rule never asks (only unpopular names are checked).
    assert "pyyaml" in ranks


def test_allow_list_from_tool_ragfit(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "requirements.txt": "reqeusts==2.31.0\nDjnago==5.1\npython-requests\n",
            "pyproject.toml": (
                '[project]\nname = "app"\nversion = "1"\n\n'
                '[tool.ragfit]\ntyposquat-allow = ["Reqeusts", "python_requests"]\n'
            ),
        }
    )
    assert _where(_scan(root)) == [
        ("requirements.txt", 2, "`Djnago` is one edit away from `django` (#528 on PyPI)"),
    ]


def test_locked_and_constraint_groups_are_not_checked(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "requirements.txt": "-c constraints.txt\nrequests\n",
            "constraints.txt": "requests==2.32.3\nreqeusts==2.31.0\n",
        }
    )
    assert _scan(root, Config()) == []


def test_pyproject_and_optional_groups_are_checked(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": (
                '[project]\nname = "app"\nversion = "1"\ndependencies = ["nunpy>=2"]\n\n'
                '[project.optional-dependencies]\nweb = ["reqeusts"]\n'
            )
        }
    )
    assert [(f.location.line, f.properties["resembles"]) for f in _scan(root)] == [
        (4, "numpy"),
        (7, "requests"),
    ]


def test_data_file_meta_and_names() -> None:
    data = load_table("popular_packages")
    meta = data["meta"]
    assert meta["source"] == "https://hugovk.github.io/top-pypi-packages/"
    assert len(meta["updated"]) == 7 and meta["updated"][4] == "-"
    assert "30 days" in meta["description"]
    names = data["names"]
    assert meta["count"] == len(names) >= 5000
    assert len({normalise_name(n) for n in names}) == len(names)
    assert names[:3] == ["boto3", "packaging", "urllib3"]
    assert set(data) == {"meta", "names"}


def test_many_dependencies(make_repo: MakeRepo) -> None:
    popular = list(popular_packages().ranks)
    lines = [f"acme-internal-service-{i:03d}==1.0" for i in range(400)]
    lines += popular[1000:1090]
    lines += ["reqeusts", "nunpy", "djnago", "colourama", "python-requests", "yaml"]
    lines += [f"private-lib-{i}" for i in range(4)]
    assert len(lines) == 500
    findings = _scan(make_repo({"requirements.txt": "\n".join(lines) + "\n"}), Config())
    assert [f.properties["resembles"] for f in findings] == [
        "requests",
        "numpy",
        "django",
        "colorama",
        "requests",
        "pyyaml",
    ]
    assert [f.location.line for f in findings] == list(range(491, 497))
