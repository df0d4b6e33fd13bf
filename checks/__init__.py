"""The rule pack, installed as ``auditor.checks``: one rule class per file.

Rules may import the core (``model``, ``facts``, ``rules``, ``knowledge``), the
verdict and the licenses package; knowledge tables live in ``data/``.
"""
