"""Licenses: classification (SPDX, ScanCode categories), where a dependency's
license comes from (one ordered chain of ``sources.LicenseSource``), the scanned
project's own license and the relicensing events.

May import the core (``model``, ``knowledge``, ``cache``, ``output``) and the
manifest scanner; only ``facts`` (the LC rules' helpers) reads ``RepoFacts``.
"""
