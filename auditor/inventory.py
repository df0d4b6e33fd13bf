"""Inventory answers that join facts from several files.

:func:`referenced_training_data` lists the training data a repository names
(Hub ids, URLs, files given to training code, in configurations or in shell
flags) that is not a dataset file ragfit read itself, with where it comes
from, so that ``inventory.training_data`` shows it even when the file is not
in the repository.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.model import CallSite, DataRef

_TRAINING = frozenset({"training", "fine-tune"})


def referenced_training_data(
    refs: Iterable[DataRef],
    sites: Iterable[CallSite],
    present: Iterable[str],
    files: Iterable[str],
) -> tuple[tuple[str, str], ...]:
    """``(target, source)`` of each training set named by a ``training`` data
    reference and not among the ``present`` datasets, when the repository
    trains or fine-tunes at all (a dataset an inference app loads is not
    training data). ``source``: ``hub``, ``url`` or ``file``."""
    if not any(site.capability in _TRAINING for site in sites):
        return ()
    have = set(present)
    known_files = set(files)
    found: dict[str, str] = {}
    for ref in refs:
        if ref.role != "training" or not ref.target or ref.target in have:
            continue
        source = ref.detail.partition(":")[0] if ":" in ref.detail else "file"
        if source not in {"hub", "url", "file"}:
            source = "file"
        if source == "file" and not ("/" in ref.target or "." in ref.target):
            continue  # not a path (an open() mode, a bare word)
        if source == "file" and any(f.startswith(ref.target.rstrip("/") + "/") for f in have):
            continue  # a folder of datasets already listed
        if source == "file" and ref.target not in known_files:
            source = "file"  # named, absent: still the project's file
        found.setdefault(ref.target, source)
    return tuple(sorted(found.items()))
