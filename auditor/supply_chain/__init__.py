"""The supply chain's data: known vulnerabilities from an OSV database or pip-audit.

Both sources answer through one protocol (``sources.VulnerabilitySource``); rules
see only the answer and the ``source`` it records. May import ``model`` and
``output``; never ``facts``, the verdict or the rules.
"""
