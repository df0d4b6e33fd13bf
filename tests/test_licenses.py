"""License normalisation and classification, relicensing data and version
matching, METADATA reading, and license resolution (environment, cache, and a
local fake of the package index: tests never reach the network)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import FakeIndex
from packaging.specifiers import SpecifierSet
from trove_classifiers import classifiers as trove

from auditor.knowledge import load_table
from auditor.licenses.classify import (
    CATEGORIES,
    LicenseInfo,
    classify_expression,
    from_classifiers,
    from_free_text,
    from_metadata,
)
from auditor.licenses.relicensing import (
    NEWEST,
    events,
    find_events,
    image_request,
    python_request,
    resolves_into,
    terraform_request,
)
from auditor.licenses.sources import (
    NOT_INSTALLED,
    OFFLINE,
    Answers,
    CacheSource,
    EnvironmentSource,
    IndexSource,
    Key,
    Resolved,
    find_site_packages,
    read_metadata,
    resolve,
    resolve_licenses,
)

# --- classification -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "spdx", "category"),
    [
        ("mit", "MIT", "permissive"),
        ("apache-2.0 OR bsd-2-clause", "Apache-2.0 OR BSD-2-Clause", "permissive"),
        ("GPL-3.0-or-later", "GPL-3.0-or-later", "copyleft"),
        ("AGPL-3.0-only", "AGPL-3.0-only", "network-copyleft"),
        ("LGPL-2.1-or-later", "LGPL-2.1-or-later", "weak-copyleft"),
        ("MPL-2.0", "MPL-2.0", "weak-copyleft"),
        ("BUSL-1.1", "BUSL-1.1", "source-available"),
        ("SSPL-1.0", "SSPL-1.0", "source-available"),
        ("Elastic-2.0", "Elastic-2.0", "source-available"),
        ("LicenseRef-scancode-rsalv2", "LicenseRef-scancode-rsalv2", "source-available"),
        ("FSL-1.1-ALv2", "FSL-1.1-ALv2", "source-available"),
        ("SUL-1.0", "SUL-1.0", "restricted"),
        ("CC0-1.0", "CC0-1.0", "public-domain"),
        ("LicenseRef-Proprietary", "LicenseRef-Proprietary", "proprietary"),
        # OR: the choice most open; AND: the part most restrictive.
        ("MIT AND BUSL-1.1", "MIT AND BUSL-1.1", "source-available"),
        (
            "LicenseRef-scancode-rsalv2 OR SSPL-1.0 OR AGPL-3.0-only",
            "LicenseRef-scancode-rsalv2 OR SSPL-1.0 OR AGPL-3.0-only",
            "network-copyleft",
        ),
        # A linking exception softens GPL to weak copyleft.
        (
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "weak-copyleft",
        ),
    ],
)
def test_spdx_expressions_are_canonicalised_and_classified(
    expression: str, spdx: str, category: str
) -> None:
    info = from_metadata(expression, None, [])
    assert (info.spdx, info.label, info.category) == (spdx, spdx, category)


def test_an_and_with_an_unknown_part_is_unknown_unless_something_is_worse() -> None:
    assert classify_expression("MIT AND LicenseRef-Acme-Internal") == "unknown"
    assert classify_expression("BUSL-1.1 AND LicenseRef-Acme-Internal") == "source-available"
    assert classify_expression("MIT OR LicenseRef-Acme-Internal") == "permissive"


@pytest.mark.parametrize(
    ("text", "spdx", "label", "category"),
    [
        ("MIT License", "MIT", "MIT", "permissive"),
        ("Apache License, Version 2.0", "Apache-2.0", "Apache-2.0", "permissive"),
        ("apache 2.0", "Apache-2.0", "Apache-2.0", "permissive"),
        ("GPLv3+", "GPL-3.0-or-later", "GPL-3.0-or-later", "copyleft"),
        ("The Unlicense", "Unlicense", "Unlicense", "public-domain"),
        ("BSD", None, "BSD", "permissive"),
        ("Proprietary", None, "Proprietary", "proprietary"),
        ("Business Source License 1.1", "BUSL-1.1", "BUSL-1.1", "source-available"),
    ],
)
def test_short_license_names(text: str, spdx: str | None, label: str, category: str) -> None:
    assert from_free_text(text) == LicenseInfo(spdx, label, category)


@pytest.mark.parametrize("text", ["", "UNKNOWN", "none", "  "])
def test_placeholders_say_nothing(text: str) -> None:
    assert from_free_text(text).category == "unknown"
    assert from_free_text(text).label is None


def test_an_unrecognised_short_name_is_shown_but_unknown() -> None:
    info = from_free_text("Dual License")
    assert (info.spdx, info.label, info.category) == (None, "Dual License", "unknown")
    assert info.note == "license 'Dual License' not recognised"


APACHE_TEXT = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
"""
MIT_TEXT = """MIT License

Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
"""
LGPL_TEXT = """                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

  This version of the GNU Lesser General Public License incorporates
the terms and conditions of version 3 of the GNU General Public
License, supplemented by the additional permissions listed below.
"""
BSD3_TEXT = """Copyright (c) 2020, Acme
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
...
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products
"""
SECRET_TEXT = """Acme Corporation Software Terms
You may look but not touch. Internal code word: bluebird-42.
Any other use needs a signed agreement with Acme."""


@pytest.mark.parametrize(
    ("text", "spdx", "category"),
    [
        (APACHE_TEXT, "Apache-2.0", "permissive"),
        (MIT_TEXT, "MIT", "permissive"),
        (LGPL_TEXT, "LGPL-3.0-only", "weak-copyleft"),
        (BSD3_TEXT, "BSD-3-Clause", "permissive"),
    ],
)
def test_whole_license_texts_are_recognised_by_their_first_lines(
    text: str, spdx: str, category: str
) -> None:
    assert from_free_text(text) == LicenseInfo(spdx, spdx, category)


def test_an_unrecognised_license_text_is_unknown_and_never_echoed() -> None:
    info = from_free_text(SECRET_TEXT)
    assert info == LicenseInfo(None, None, "unknown", "license text not recognised")
    assert "bluebird" not in json.dumps(info.to_dict())


def test_classifiers() -> None:
    mit = "License :: OSI Approved :: MIT License"
    bsd = "License :: OSI Approved :: BSD License"
    assert from_classifiers([mit]) == LicenseInfo("MIT", "MIT", "permissive")
    assert from_classifiers([bsd]) == LicenseInfo(None, "BSD License", "permissive")
    assert from_classifiers([mit, "License :: OSI Approved :: Apache Software License"]) == (
        LicenseInfo(None, "Apache Software License OR MIT", "permissive")
    )
    gpl3 = "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"
    assert from_classifiers([gpl3, mit]) == LicenseInfo(
        "GPL-3.0-only OR MIT", "GPL-3.0-only OR MIT", "permissive"
    )
    proprietary = from_classifiers(["License :: Other/Proprietary License"])
    assert proprietary == LicenseInfo(None, "Other/Proprietary License", "proprietary")
    assert from_classifiers(["Programming Language :: Python", "License :: OSI Approved"]) is None


def test_metadata_precedence() -> None:
    mit = ["License :: OSI Approved :: MIT License"]
    # License-Expression wins; an unreadable License falls back to classifiers.
    assert from_metadata("Apache-2.0", "MIT", mit).spdx == "Apache-2.0"
    assert from_metadata(None, "UNKNOWN", mit).spdx == "MIT"
    assert from_metadata(None, SECRET_TEXT, mit).spdx == "MIT"
    # A License-Expression that is not valid SPDX is read as a name.
    assert from_metadata("Apache 2.0", None, []).spdx == "Apache-2.0"
    # Nothing at all.
    assert from_metadata(None, None, []).note == "no license in the metadata"


def test_the_classifier_table_names_real_classifiers_only() -> None:
    table = load_table("licenses")
    for suffix, entry in table["classifiers"].items():
        assert f"License :: {suffix}" in trove, suffix
        assert ("spdx" in entry) != ("category" in entry), suffix
        if "spdx" in entry:
            assert from_metadata(entry["spdx"], None, []).spdx == entry["spdx"], suffix
        else:
            assert entry["category"] in CATEGORIES
    licence_classifiers = {c for c in trove if c.startswith("License :: ")}
    missing = {c.removeprefix("License :: ") for c in licence_classifiers} - set(
        table["classifiers"]
    )
    # Only classifiers that name no license at all are left out.
    assert missing == {
        "DFSG approved",
        "Freely Distributable",
        "GUST Font License 1.0",
        "GUST Font License 2006-09-30",
        "OSI Approved",
    }


def test_every_alias_and_text_entry_names_a_known_license() -> None:
    table = load_table("licenses")
    for name, entry in table["aliases"].items():
        info = from_free_text(name)
        assert info.known, name
        if "spdx" in entry:
            assert classify_expression(entry["spdx"]) != "unknown", name
    for entry in table["text"]:
        assert classify_expression(entry["spdx"]) != "unknown", entry["spdx"]


# --- relicensing data and versions -------------------------------------------------------


def test_relicensing_data_is_well_formed() -> None:
    found = events()
    assert len(found) >= 15
    components = {e.component for e in found}
    assert {"Terraform", "Redis", "Elasticsearch", "MongoDB", "Vault", "PySimpleGUI"} <= components
    for event in found:
        assert event.kinds <= {"pypi", "image", "terraform", "tool", "action", "npm"}
        assert event.source.startswith("https://")
        assert event.affected and all(isinstance(s, SpecifierSet) for s in event.affected)
        assert event.alternative and event.last_open and event.old and event.new
        assert len(event.date) in (7, 10)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("7.4.0-v1", "==7.4.0"),
        ("8.15.0", "==8.15.0"),
        ("7.4.0-debian-12-r0", "==7.4.0"),
        ("v1.2.3", "==1.2.3"),
        ("7.2-alpine", "==7.2.*"),
        ("7", "==7.*"),
        ("latest", ""),
        ("alpine", ""),
        ("bookworm", ""),
        ("dev", None),
        ("2023a", None),
        ("${REDIS_TAG}", None),
        (None, None),  # digest only
    ],
)
def test_image_tags(tag: str | None, expected: str | None) -> None:
    request = image_request(tag)
    assert (str(request) if request is not None else None) == expected


@pytest.mark.parametrize(
    ("tag", "first", "second"),
    [
        # Redis: 7.4.x and 7.x (newest 7.4.x) under RSAL/SSPL; 8.x adds AGPL; 7.2 stays open.
        ("7.4.0-v1", True, False),
        ("7.4-alpine", True, False),
        ("7", True, False),
        ("7.2.4", False, False),
        ("7.2-alpine", False, False),
        ("8.2", False, True),
        ("latest", False, True),
        ("alpine", False, True),
        ("${TAG}", False, False),
    ],
)
def test_redis_tags(tag: str, first: bool, second: bool) -> None:
    request = image_request(tag)
    found = find_events("image", "redis")
    assert [e.new for e in found] == ["RSALv2 OR SSPL-1.0", "RSALv2 OR SSPL-1.0 OR AGPL-3.0-only"]
    hits = [request is not None and resolves_into(request, e) is not None for e in found]
    assert hits == [first, second]


@pytest.mark.parametrize(
    ("tag", "affected"),
    [
        ("4.0", True),
        ("4.0.3", False),
        ("4.0.4", True),
        ("3.6", True),
        ("3.6.8", False),
        ("3.4.17", False),
        ("3.4", True),
        ("7.0", True),
        ("latest", True),
    ],
)
def test_mongo_tags_follow_every_line_patched_after_the_change(tag: str, affected: bool) -> None:
    (event,) = find_events("image", "mongo")
    request = image_request(tag)
    assert request is not None
    assert (resolves_into(request, event) is not None) is affected


@pytest.mark.parametrize(
    ("constraint", "affected"),
    [
        (">= 1.6.0", True),
        (">= 1.0", True),  # allows the newest release
        ("~> 1.5", True),  # 1.5 up to 2.0
        ("~> 1.5.0", False),
        ("1.5.7", False),
        ("= 1.6.0", True),
        (">= 1.0, < 1.6", False),
        ("latest", True),
        ("latest:^1.5", None),  # tfenv syntax: not understood, never matched
        ("min-required", None),
    ],
)
def test_terraform_constraints(constraint: str, affected: bool | None) -> None:
    (event,) = find_events("terraform", "terraform")
    request = terraform_request(constraint)
    if affected is None:
        assert request is None
        return
    assert request is not None
    assert (resolves_into(request, event) is not None) is affected


@pytest.mark.parametrize(
    ("version", "specifier", "resolved"),
    [
        ("5.0.8", "==5.0.8", "5.0.8"),
        ("4.60.5", "==4.60.5", None),
        (None, "", None),  # the newest release is 6.x: LGPL again
        (None, ">=4", None),
        (None, "<5.1", "5.0"),
        (None, ">=5,<6", "5.0"),
    ],
)
def test_pysimplegui_5_only(version: str | None, specifier: str, resolved: str | None) -> None:
    (event,) = find_events("pypi", "pysimplegui")
    request = python_request(version, specifier)
    assert request is not None
    found = resolves_into(request, event)
    assert (str(found) if found is not None else None) == resolved


def test_an_open_ended_event_resolves_latest_to_the_newest_release() -> None:
    (event,) = find_events("pypi", "Open_WebUI")
    assert event.open_ended
    assert resolves_into(SpecifierSet(), event) == NEWEST
    assert resolves_into(SpecifierSet("==0.6.5"), event) is None


def test_image_names_match_registries_and_case() -> None:
    assert [
        e.component for e in find_events("image", "docker.elastic.co/elasticsearch/elasticsearch")
    ] == ["Elasticsearch"]
    assert [e.component for e in find_events("image", "localhost:5000/redis")] == ["Redis", "Redis"]
    assert [e.component for e in find_events("image", "REDIS")] == ["Redis", "Redis"]
    assert find_events("image", "valkey/valkey") == []
    assert find_events("image", "redisinsight") == []
    assert find_events("pypi", "redis") == []  # the client library was never relicensed


# --- METADATA ----------------------------------------------------------------------------


def test_read_metadata_with_a_folded_license_text() -> None:
    text = (
        "Metadata-Version: 2.1\nName: pip-api\nVersion: 0.0.34\nLicense: \n"
        "                                 Apache License\n"
        "                           Version 2.0, January 2004\n"
        "        \n"
        "           TERMS AND CONDITIONS\n"
        "Classifier: Programming Language :: Python\n\nlong description\nLicense: GPL\n"
    )
    info, fields = read_metadata(text)
    assert info == LicenseInfo("Apache-2.0", "Apache-2.0", "permissive")
    assert fields == {"metadata-version": "2.1", "name": "pip-api", "version": "0.0.34"}


def test_read_metadata_ignores_the_description_body() -> None:
    text = "Metadata-Version: 2.1\nName: x\nVersion: 1\n\nLicense: GPL-3.0-only\n"
    info, _ = read_metadata(text)
    assert info.category == "unknown"


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("\0\0\x01garbage", "unreadable metadata (binary)"),
        ("just some words\nno headers at all", "unreadable metadata (no Name header)"),
        ("", "unreadable metadata (no Name header)"),
        ("Metadata-Version: 2.1\nName: x\n", "no license in the metadata"),
    ],
)
def test_garbage_metadata_is_unknown(text: str, note: str) -> None:
    info, _ = read_metadata(text)
    assert (info.category, info.note) == ("unknown", note)


# --- environments -------------------------------------------------------------------------


def _install(site: Path, folder: str, *headers: str, file: str = "METADATA") -> None:
    (site / folder).mkdir(parents=True, exist_ok=True)
    (site / folder / file).write_text("\n".join(headers) + "\n\n", "utf-8")


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    root = tmp_path / "env"
    site = root / "lib" / "python3.12" / "site-packages"
    _install(
        site,
        "requests-2.32.3.dist-info",
        "Name: requests",
        "Version: 2.32.3",
        "License: Apache-2.0",
    )
    _install(
        site,
        "acme_old-1.0-py3.8.egg-info",
        "Name: acme-old",
        "Version: 1.0",
        "License: MIT",
        file="PKG-INFO",
    )
    (root / "bin").mkdir()
    (root / "bin" / "python").write_text("", "utf-8")
    (root / "pyvenv.cfg").write_text("version = 3.12\n", "utf-8")
    return root


def test_find_site_packages(venv: Path, tmp_path: Path) -> None:
    site = venv / "lib" / "python3.12" / "site-packages"
    assert find_site_packages(venv) == [site]
    assert find_site_packages(venv / "bin" / "python") == [site]
    assert find_site_packages(site) == [site]
    assert find_site_packages(tmp_path / "nothing") == []
    (tmp_path / "empty").mkdir()
    assert find_site_packages(tmp_path / "empty") == []


def test_licenses_from_the_environment(venv: Path, tmp_path: Path) -> None:
    result = resolve_licenses(
        [("requests", "2.32.3"), ("Acme_Old", None), ("requests", "2.0.0"), ("absent", None)],
        root=tmp_path / "repo",  # the environment is outside the repository
        python=venv,
    )
    assert result.get("requests", "2.32.3").source == "environment"
    assert result.get("requests", "2.32.3").info.spdx == "Apache-2.0"
    assert result.get("acme-old", None).info.spdx == "MIT"
    # Another version installed: used when nothing better is known (offline).
    assert result.get("requests", "2.0.0").source == "environment"
    absent = result.get("absent", None)
    assert (absent.source, absent.info.note, absent.repo_wide) == (None, NOT_INSTALLED, True)
    assert result.errors == []
    assert result.environment == "--python site-packages"


def test_a_venv_inside_the_repository_is_found(tmp_path: Path) -> None:
    _install(
        tmp_path / "venv/lib/python3.11/site-packages",
        "six-1.16.0.dist-info",
        "Name: six",
        "Version: 1.16.0",
        "License: MIT",
    )
    result = resolve_licenses([("six", "1.16.0")], root=tmp_path)
    assert result.get("six", "1.16.0").info.spdx == "MIT"
    assert result.environment == "venv/lib/python3.11/site-packages"


def test_offline_with_nothing_to_read(tmp_path: Path) -> None:
    """A project the snapshot does not hold, offline, with no environment."""
    result = resolve_licenses([("acme-internal", "2.32.3")], root=tmp_path)
    resolved = result.get("acme-internal", "2.32.3")
    assert (resolved.info.note, resolved.repo_wide, resolved.source) == (OFFLINE, True, None)


def test_unreadable_metadata_is_an_error_entry(tmp_path: Path) -> None:
    site = tmp_path / ".venv/lib/python3.11/site-packages"
    (site / "broken-1.0.dist-info").mkdir(parents=True)
    (site / "broken-1.0.dist-info" / "METADATA").write_bytes(b"\x00\x01\x02binary")
    (site / "missing-2.0.dist-info").mkdir()  # no METADATA file at all
    result = resolve_licenses([("broken", "1.0"), ("missing", "2.0")], root=tmp_path)
    assert result.get("broken", "1.0").info.note == "unreadable metadata (binary)"
    assert result.get("missing", "2.0").info.note == "unreadable metadata"
    messages = sorted(e.message for e in result.errors)
    assert messages[0] == (
        ".venv/lib/python3.11/site-packages/broken-1.0.dist-info/METADATA: "
        "unreadable metadata (binary)"
    )
    assert messages[1].startswith(
        ".venv/lib/python3.11/site-packages/missing-2.0.dist-info/METADATA: cannot read"
    )
    assert {e.kind for e in result.errors} == {"license-metadata"}


# --- the package index (a local fake) -------------------------------------------------


def test_online_latest_and_a_pinned_older_release(fake_index: FakeIndex, tmp_path: Path) -> None:
    wheel = f"{fake_index.url}/files/redis-5.0.0-py3-none-any.whl"
    fake_index.project(
        "redis",
        {"version": "6.0.0", "license_expression": "MIT", "license": None, "classifiers": []},
        {
            "5.0.0": [
                {
                    "filename": "redis-5.0.0.tar.gz",
                    "url": f"{fake_index.url}/files/redis-5.0.0.tar.gz",
                },
                {"filename": "redis-5.0.0-py3-none-any.whl", "url": wheel},
            ],
            "6.0.0": [],
        },
    )
    fake_index.routes["/files/redis-5.0.0-py3-none-any.whl.metadata"] = (
        200,
        b"Metadata-Version: 2.1\nName: redis\nVersion: 5.0.0\nLicense: BSD-3-Clause\n\n",
    )
    fake_index.project("acme-sa", {"version": "2.0", "license": "BUSL-1.1", "classifiers": []}, {})
    result = resolve_licenses(
        [
            ("redis", None),
            ("redis", "5.0.0"),
            ("redis", "6.0.0"),
            ("acme-sa", None),
            ("nowhere", "1.0"),
            ("redis", "4.0.0"),
        ],
        root=tmp_path,
        online=True,
    )
    assert result.get("redis", None).info.spdx == "MIT"
    assert result.get("redis", None).source == "index"
    assert result.get("redis", "6.0.0").info.spdx == "MIT"  # the latest: from the JSON
    assert result.get("redis", "5.0.0").info.spdx == "BSD-3-Clause"  # its PEP 658 file
    assert result.get("acme-sa", None).info.category == "source-available"
    nowhere = result.get("nowhere", "1.0")
    assert (nowhere.info.note, nowhere.repo_wide) == ("not found on the package index", False)
    # A version the index has no metadata for: the latest release's, marked.
    old = result.get("redis", "4.0.0")
    assert (old.info.spdx, old.source, old.release) == ("MIT", "index", "6.0.0")
    assert old.info.note == "license of the latest release, 6.0.0 (no metadata for 4.0.0)"
    assert result.get("redis", "5.0.0").release is None  # its own metadata
    assert result.get("redis", None).release == "6.0.0"

    # What was found is cached: a second, offline run reads it without the index.
    before = len(fake_index.requests)
    again = resolve_licenses([("redis", "5.0.0"), ("acme-sa", None)], root=tmp_path)
    assert again.get("redis", "5.0.0").source == "cache"
    assert again.get("redis", "5.0.0").info.spdx == "BSD-3-Clause"
    assert again.get("acme-sa", None).source == "cache"
    assert len(fake_index.requests) == before
    cache = json.loads((tmp_path / "user-cache/ragfit/licenses.json").read_text("utf-8"))
    assert sorted(cache["entries"]) == [
        "acme-sa",
        "redis",
        "redis==4.0.0",
        "redis==5.0.0",
        "redis==6.0.0",
    ]
    assert cache["entries"]["redis==4.0.0"]["release"] == "6.0.0"
    assert again.get("redis", "5.0.0").release is None


def test_an_index_error_is_one_package_s_problem(fake_index: FakeIndex, tmp_path: Path) -> None:
    fake_index.routes["/pypi/acme-flaky/json"] = (500, b"oops")
    fake_index.routes["/pypi/acme-weird/json"] = (200, b"<html>not json</html>")
    result = resolve_licenses(
        [("acme-flaky", None), ("acme-weird", None)], root=tmp_path, online=True
    )
    assert result.get("acme-flaky", None).info.note == "HTTP 500 from the index"
    assert result.get("acme-weird", None).info.note == "the index's answer is not its JSON API"
    assert not result.get("acme-flaky", None).repo_wide


def test_an_unreachable_index_is_one_repository_wide_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setenv("RAGFIT_INDEX_URL", "http://127.0.0.1:9/pypi")  # nothing listens
    names = [(f"pkg{i}", None) for i in range(30)]
    result = resolve_licenses(names, root=tmp_path, online=True, timeout=2.0)
    notes = {result.get(n, v).info.note for n, v in names}
    assert len(notes) == 1
    (note,) = notes
    assert note.startswith("package index unreachable (")
    assert all(result.get(n, v).repo_wide for n, v in names)
    assert result.seconds < 10


# --- the chain of sources ------------------------------------------------------------


class _Scripted:
    """A license source that answers from a script and records what it was asked."""

    def __init__(self, name: str, answers: Answers) -> None:
        self.name = name
        self.answers = answers
        self.asked: list[list[Key]] = []

    def lookup(self, keys: Sequence[Key]) -> Answers:
        self.asked.append(list(keys))
        return Answers(
            found={k: v for k, v in self.answers.found.items() if k in keys},
            near={k: v for k, v in self.answers.near.items() if k in keys},
            unknown={k: v for k, v in self.answers.unknown.items() if k in keys},
        )


def _info(spdx: str) -> LicenseInfo:
    return from_metadata(spdx, None, [])


def test_each_source_is_asked_only_what_no_earlier_source_answered() -> None:
    a, b, c, d = ("a", "1"), ("b", "1"), ("c", None), ("d", "2")
    mit, gpl = Resolved(_info("MIT"), "first"), Resolved(_info("GPL-3.0-only"), "first")
    first = _Scripted("first", Answers(found={a: mit}, near={b: gpl}))
    why = Resolved(LicenseInfo(None, None, "unknown", "not found"), "second")
    second = _Scripted("second", Answers(unknown={b: why, c: why}))
    default = Resolved(LicenseInfo(None, None, "unknown", "nobody knows"), None, repo_wide=True)
    result = resolve([a, b, c, d], [first, second], default)
    assert first.asked == [[a, b, c, d]]
    assert second.asked == [[b, c, d]]
    assert result[a] is mit  # a final answer
    assert result[b] is gpl  # another version's license beats a later "unknown"
    assert result[c] is why  # the last reason given
    assert result[d] is default  # nothing at all


def test_the_chain_stops_when_everything_is_answered() -> None:
    a = ("a", "1")
    first = _Scripted("first", Answers(found={a: Resolved(_info("MIT"), "first")}))
    second = _Scripted("second", Answers())
    resolve([a], [first, second], Resolved(_info("MIT")))
    assert second.asked == []


def test_the_sources_record_their_names() -> None:
    assert [s.name for s in (EnvironmentSource([], Path()), CacheSource())] == [
        "environment",
        "cache",
    ]
    assert IndexSource("http://127.0.0.1:9", 0.1).name == "index"
