"""Suppression comments are checked themselves: an unknown id (RF001) and a
comment that hides nothing (RF002) are notes at the comment, like ruff's
unused-noqa."""

from __future__ import annotations

from conftest import MakeRepo, ScanJson, fake_key

KEY = fake_key("sk-proj-", 48, seed=31)
RETIRED = (
    "from openai import OpenAI\n\nclient = OpenAI()\n"
    'reply = client.chat.completions.create(model="gpt-4-32k", messages=[]){comment}\n'
)


def _notes(report: dict[str, object]) -> list[tuple[str, str, int, int, str]]:
    return [
        (f["rule_id"], f["path"], f["line"], f["column"], f["message"])
        for f in report["findings"]  # type: ignore[attr-defined]
        if f["rule_id"].startswith("RF")
    ]


def test_unknown_ids_and_unused_suppressions(make_repo: MakeRepo, scan_json: ScanJson) -> None:
    root = make_repo(
        {
            "app.py": RETIRED.format(comment="  # ragfit: ignore[AD110, SC999]"),
            "keys.py": (
                f'KEY = "{KEY}"  # ragfit: ignore[SC007]\nOTHER = 1  # ragfit: ignore[SC007]\n'
            ),
            "requirements.txt": "openai>=1.30  # ragfit: ignore[sc07]\n",
        }
    )
    report = scan_json(root, "--offline")
    line4 = RETIRED.format(comment="").splitlines()[3]
    column = len(line4) + 3  # after the call and two spaces
    assert _notes(report) == [
        (
            "RF001",
            "app.py",
            4,
            column,
            "`# ragfit: ignore[...]` names an id that no rule has: `SC999`",
        ),
        (
            "RF002",
            "keys.py",
            2,
            12,
            "`# ragfit: ignore[SC007]` hides nothing here (SC007 found nothing on this line): "
            "remove it",
        ),
        (
            "RF001",
            "requirements.txt",
            1,
            15,
            "`# ragfit: ignore[...]` names an id that no rule has: `SC07`",
        ),
    ]
    assert report["summary"]["suppressed"] == 2  # AD110 on app.py:4, SC007 on keys.py:1
    assert all(f["severity"] == "note" for f in report["findings"] if f["rule_id"][:2] == "RF")


def test_ids_of_rules_that_did_not_run_are_not_judged(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    root = make_repo(
        {
            "app.py": 'MODEL = "gpt-4o"  # ragfit: ignore[AD110]\n',
            "b.py": "X = 1  # ragfit: ignore\n",
        }
    )
    # Every rule ran: AD110 found nothing there, and the bare comment hid nothing.
    full = _notes(scan_json(root, "--offline"))
    assert [(n[0], n[1]) for n in full] == [("RF002", "app.py"), ("RF002", "b.py")]
    assert full[1][4] == (
        "`# ragfit: ignore` hides nothing here (no rule found anything on this line): remove it"
    )
    # Only SC rules ran: nothing can be said about AD110 or about a bare comment.
    assert _notes(scan_json(root, "--offline", "--select", "SC,RF")) == []
    # The notes can be turned off like any rule.
    assert _notes(scan_json(root, "--offline", "--ignore", "RF")) == []


def test_a_docstring_mentioning_the_syntax_is_not_a_suppression(
    make_repo: MakeRepo, scan_json: ScanJson
) -> None:
    root = make_repo(
        {
            "doc.py": '"""Write `# ragfit: ignore[SC999]` on the line."""\n\n'
            "def f():\n    return 1  # ragfit: ignore[AD110]\n",
        }
    )
    notes = _notes(scan_json(root, "--offline"))
    assert [(n[0], n[2]) for n in notes] == [("RF002", 4)]  # the comment, not the docstring
