"""The offline OSV database: loading, PEP 440 range matching, scores, errors."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.model import ScanError
from auditor.supply_chain.osv import (
    Advisory,
    Match,
    OsvDatabase,
    load_osv,
    normalize_name,
    parse_timestamp,
)
from auditor.supply_chain.sources import OsvSource, PipAuditSource, vulnerability_source

DATA = Path(__file__).parent / "data" / "osv"

REQUESTS = "PYSEC-2023-74"
JINJA = "GHSA-h5c8-rqwp-cp95"
URLLIB3 = "GHSA-34jh-p97f-mpxf"
FOOBAR = "PYSEC-2021-999"
MAL = "MAL-2024-1234"


@pytest.fixture(scope="module")
def db() -> OsvDatabase:
    return load_osv(DATA)


def build_zip(target: Path) -> Path:
    """The all.zip layout: one advisory per file at the root of the zip."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(DATA.rglob("*")):
            if file.is_file() and file.suffix in (".json", ".yaml", ".yml"):
                archive.write(file, file.name)
    return target


def summarise(matches: list[Match]) -> list[tuple[str, str | None]]:
    return [(m.advisory.id, m.fixed) for m in matches]


CASES = [
    # requests: ECOSYSTEM introduced 2.3.0, fixed 2.31.0 (GIT range ignored)
    ("requests", "2.2.1", []),
    ("requests", "2.3.0", [(REQUESTS, "2.31.0")]),
    ("requests", "2.30.0", [(REQUESTS, "2.31.0")]),
    ("requests", "2.31.0rc1", [(REQUESTS, "2.31.0")]),
    ("requests", "2.31.0", []),
    ("requests", "2.31.0.post1", []),
    ("Requests", "2.28.1", [(REQUESTS, "2.31.0")]),
    ("REQUESTS", "v2.28.1", [(REQUESTS, "2.31.0")]),
    # jinja2: two introduced/fixed pairs; SEMVER range ignored
    ("jinja2", "0.1", [(JINJA, "2.11.3")]),
    ("Jinja2", "2.11.2", [(JINJA, "2.11.3")]),
    ("jinja2", "2.11.3", []),
    ("jinja2", "2.11.4", []),
    ("jinja2", "3.0.0.dev1", []),
    ("jinja2", "3.0.0a1", [(JINJA, "3.1.3")]),
    ("jinja2", "3.0.0", [(JINJA, "3.1.3")]),
    ("jinja2", "3.1.3rc1", [(JINJA, "3.1.3")]),
    ("jinja2", "3.1.3", []),
    ("jinja2", "4.0", []),
    # urllib3: last_affected 2.2.1 (inclusive), plus a fixed range in a second entry
    ("urllib3", "1.24.3", []),
    ("urllib3", "1.25.0", [(URLLIB3, "1.26.19")]),
    ("urllib3", "1.26.18", [(URLLIB3, "1.26.19")]),
    ("urllib3", "1.26.19", []),
    ("urllib3", "1.99", []),
    ("urllib3", "2.0.0", [(URLLIB3, None)]),
    ("urllib3", "2.2.1", [(URLLIB3, None)]),
    ("urllib3", "2.2.1.post1", []),
    ("urllib3", "2.2.2", []),
    ("urllib3", "2.2.2a1", []),
    # foo_bar: an explicit versions list, PEP 440 equality
    ("foo-bar", "1.0", [(FOOBAR, None)]),
    ("foo_bar", "1.0.0", [(FOOBAR, None)]),
    ("Foo.Bar", "1.1", [(FOOBAR, None)]),
    ("foo--bar", "1.2rc1", [(FOOBAR, None)]),
    ("foo-bar", "1.2.0rc1", [(FOOBAR, None)]),
    ("foo-bar", "1.2", []),
    ("foo-bar", "1.0.1", []),
    ("foobar", "1.0", []),
    # malicious: introduced "0" with no end, so every version
    ("reqeusts", "0.0.1", [(MAL, None)]),
    ("reqeusts", "99.0", [(MAL, None)]),
    # invalid versions never match
    ("requests", "not-a-version", []),
    ("requests", "", []),
    ("foo-bar", "not a version", []),
    # unknown package
    ("numpy", "1.0", []),
]


@pytest.mark.parametrize(("name", "version", "expected"), CASES)
def test_match_table(db: OsvDatabase, name: str, version: str, expected: list[object]) -> None:
    assert summarise(db.match(name, version)) == expected


def test_loaded_advisories(db: OsvDatabase) -> None:
    # Withdrawn, npm-only and malformed advisories are not loaded.
    assert len(db) == 5
    assert db.match("requests", "2.28.0")[0].advisory == Advisory(
        id=REQUESTS,
        aliases=("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"),
        summary="Unintended leak of Proxy-Authorization header in requests",
        package="requests",
        score=6.1,
        modified="2023-06-02T21:14:52.506123Z",
        malicious=False,
    )


@pytest.mark.parametrize(
    ("name", "version", "score"),
    [
        ("requests", "2.28.0", 6.1),  # CVSS_V3 vector
        ("urllib3", "2.0.0", 6.9),  # CVSS_V4 vector wins over the severity label
        ("jinja2", "2.0", 5.5),  # database_specific MODERATE
        ("foo-bar", "1.0", 2.5),  # database_specific LOW
        ("reqeusts", "1.0", None),  # nothing
    ],
)
def test_scores(db: OsvDatabase, name: str, version: str, score: float | None) -> None:
    (found,) = db.match(name, version)
    assert found.advisory.score == score


def test_summary_whitespace_and_fields(db: OsvDatabase) -> None:
    (found,) = db.match("foo_bar", "1.0")
    assert found.advisory.summary == "foo_bar: path traversal in archive extraction"
    assert found.advisory.package == "foo-bar"
    assert found.advisory.modified == "2021-03-04T05:06:07Z"
    (jinja,) = db.match("jinja2", "3.0.0")
    assert jinja.advisory.aliases == ("CVE-2024-22195", "PYSEC-2024-4")
    assert jinja.advisory.package == "jinja2"


def test_malicious(db: OsvDatabase) -> None:
    (advisory,) = db.malicious("Reqeusts")
    assert advisory.id == MAL and advisory.malicious and advisory.package == "reqeusts"
    assert advisory.summary == "Malicious code in reqeusts (PyPI)"
    assert db.malicious("requests") == []
    assert db.malicious("nothing-here") == []


def test_non_pypi_and_withdrawn_ignored(db: OsvDatabase) -> None:
    ids = {m.advisory.id for m in db.match("requests", "2.30.0")}
    assert ids == {REQUESTS}
    assert db.match("requests", "1.0") == []  # the withdrawn one said introduced "0"


def test_newest_modified(db: OsvDatabase) -> None:
    # The npm and withdrawn advisories are newer but not loaded.
    assert db.newest_modified == datetime(2024, 6, 17, 19, 9, 16, 123456, tzinfo=timezone.utc)
    assert db.newest_modified is not None and db.newest_modified.utcoffset() is not None


def test_errors(db: OsvDatabase) -> None:
    assert len(db.errors) == 1
    (error,) = db.errors
    assert isinstance(error, ScanError)
    assert error.path == "broken/GHSA-bad0-0000-0000.json"
    assert error.kind == "vuln-db-error"
    assert error.message.startswith("cannot parse")


def test_zip_form(tmp_path: Path, db: OsvDatabase) -> None:
    zipped = load_osv(build_zip(tmp_path / "all.zip"))
    assert len(zipped) == len(db)
    assert zipped.newest_modified == db.newest_modified
    assert [(e.path, e.kind) for e in zipped.errors] == [
        ("GHSA-bad0-0000-0000.json", "vuln-db-error")
    ]
    for name, version, expected in CASES:
        assert summarise(zipped.match(name, version)) == expected, (name, version)
        assert zipped.match(name, version) == db.match(name, version)


def test_missing_path_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_osv(tmp_path / "missing")


def test_not_a_zip_is_an_error_not_an_exception(tmp_path: Path) -> None:
    bogus = tmp_path / "all.zip"
    bogus.write_bytes(b"PK\x03\x04 truncated")
    database = load_osv(bogus)
    assert len(database) == 0 and [e.path for e in database.errors] == ["all.zip"]


def write(root: Path, name: str, data: object) -> None:
    (root / name).write_text(json.dumps(data), encoding="utf-8")


def test_bad_content_is_tolerated(tmp_path: Path) -> None:
    write(tmp_path, "list.json", [1, 2])
    write(tmp_path, "noid.json", {"affected": []})
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "bad.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    write(
        tmp_path,
        "weird.json",
        {
            "id": "GHSA-weird",
            "aliases": "not-a-list",
            "summary": 42,
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/garbage"}, "junk"],
            "database_specific": {"severity": "HIGH"},
            "affected": [
                "junk",
                {"package": "junk"},
                {"package": {"ecosystem": "PyPI", "name": ""}},
                {
                    "package": {"ecosystem": "PyPI", "name": "pkg"},
                    "versions": [None, {"x": 1}, "1.0"],
                    "ranges": [
                        "junk",
                        {"type": "ECOSYSTEM", "events": "junk"},
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "bogus"}, 3, {"fixed": []}],
                        },
                        {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.5"}]},
                    ],
                },
            ],
        },
    )
    database = load_osv(tmp_path)
    assert sorted(e.path for e in database.errors) == [
        "bad.yaml",
        "binary.json",
        "list.json",
        "noid.json",
    ]
    assert len(database) == 1
    (one,) = database.match("pkg", "1.0")
    # A malformed vector gives no score (the label is only a fallback for no vector at all).
    assert one.advisory.score is None
    assert one.advisory.summary == "" and one.advisory.aliases == ()
    assert one.fixed == "2.5"
    assert summarise(database.match("pkg", "2.4")) == [("GHSA-weird", "2.5")]
    assert database.match("pkg", "2.5") == []
    assert database.newest_modified is None


def test_v3_preferred_over_v4_and_summary_truncated(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.json",
        {
            "id": "GHSA-both",
            "modified": "2020-01-01T00:00:00Z",
            "summary": "word " * 100,
            "severity": [
                {
                    "type": "CVSS_V4",
                    "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                },
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
            ],
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "x"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                }
            ],
        },
    )
    (found,) = load_osv(tmp_path).match("x", "1")
    assert found.advisory.score == 9.8
    assert len(found.advisory.summary) <= 200 and "\n" not in found.advisory.summary


def test_duplicate_id_keeps_newest(tmp_path: Path) -> None:
    base = {
        "id": "PYSEC-dup",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}, "versions": ["1.0"]}],
    }
    write(tmp_path, "a.json", {**base, "modified": "2024-01-02T00:00:00Z", "summary": "new"})
    write(tmp_path, "b.json", {**base, "modified": "2024-01-01T00:00:00Z", "summary": "old"})
    database = load_osv(tmp_path)
    assert len(database) == 1
    assert [m.advisory.summary for m in database.match("x", "1.0")] == ["new"]


def test_fixed_is_lowest_above_matched_version(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.json",
        {
            "id": "GHSA-multi",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "x"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "1.0"}, {"fixed": "1.4.2"}],
                        },
                        {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.5"}]},
                        {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.1"}]},
                    ],
                }
            ],
        },
    )
    database = load_osv(tmp_path)
    assert summarise(database.match("x", "1.2")) == [("GHSA-multi", "1.4.2")]
    assert summarise(database.match("x", "1.4.5")) == [("GHSA-multi", "1.5")]
    assert summarise(database.match("x", "2.0")) == [("GHSA-multi", "2.1")]


def test_normalize_name_and_timestamps() -> None:
    assert normalize_name("Foo__Bar.-baz") == "foo-bar-baz"
    assert parse_timestamp("2024-03-01T12:00:00+01:00") == datetime(
        2024, 3, 1, 11, tzinfo=timezone.utc
    )
    assert parse_timestamp("2024-03-01") == datetime(2024, 3, 1, tzinfo=timezone.utc)
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp("2024-13-01T00:00:00Z") is None


def test_ten_thousand_files_load_quickly(tmp_path: Path) -> None:
    import time

    for i in range(10_000):
        write(
            tmp_path,
            f"PYSEC-{i}.json",
            {
                "id": f"PYSEC-{i}",
                "modified": "2024-01-01T00:00:00Z",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": f"pkg{i % 500}"},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": f"1.{i}"}],
                            }
                        ],
                    }
                ],
            },
        )
    start = time.perf_counter()
    database = load_osv(tmp_path)
    assert time.perf_counter() - start < 10
    assert len(database) == 10_000
    assert len(database.match("pkg7", "1.0")) == 20


@settings(max_examples=300, deadline=None)
@given(name=st.text(), version=st.text())
def test_match_never_raises(db: OsvDatabase, name: str, version: str) -> None:
    for found in db.match(name, version):
        assert isinstance(found, Match)
    db.malicious(name)


@settings(max_examples=200, deadline=None)
@given(version=st.from_regex(r"\A[0-9]{1,2}(\.[0-9]{1,2}){0,3}((a|b|rc)[0-9])?(\.post[0-9])?\Z"))
def test_match_valid_versions(db: OsvDatabase, version: str) -> None:
    from packaging.version import Version

    ids = {m.advisory.id for m in db.match("requests", version)}
    assert ids == (
        {REQUESTS} if Version("2.3.0") <= Version(version) < Version("2.31.0") else set()
    )


# --- the sources behind one protocol ---------------------------------------------------


def test_the_osv_source_answers_for_pins_and_unpinned_names(db: OsvDatabase) -> None:
    source = OsvSource(DATA)
    audit = source.audit([("Requests", "2.30.0"), ("jinja2", "2.11.3")], ["Reqeusts", "flask"])
    assert (audit.source, audit.error) == ("osv", None)
    assert [m.advisory.id for m in audit.advisories("requests", "2.30.0") or []] == [REQUESTS]
    assert audit.advisories("jinja2", "2.11.3") == []  # checked, nothing known
    assert audit.advisories("numpy", "1.0") is None  # never asked: not checked
    assert [a.id for a in audit.malicious["reqeusts"]] == [MAL]
    assert "flask" not in audit.malicious
    assert audit.advisory_count == len(db)
    assert db.newest_modified is not None and audit.newest == db.newest_modified.date().isoformat()
    assert list(audit.errors) == db.errors


def test_an_unreadable_database_is_an_error_of_the_audit(tmp_path: Path) -> None:
    audit = OsvSource(tmp_path / "missing").audit([("requests", "2.30.0")], [])
    assert audit.error is not None and audit.error.startswith("--vuln-db could not be read")
    assert [e.kind for e in audit.errors] == ["vuln-db-error"]
    assert audit.advisories("requests", "2.30.0") is None


def test_the_scan_picks_its_source() -> None:
    assert isinstance(vulnerability_source(DATA, online=True), OsvSource)  # given data wins
    assert isinstance(vulnerability_source(None, online=True), PipAuditSource)
    assert vulnerability_source(None, online=False) is None
