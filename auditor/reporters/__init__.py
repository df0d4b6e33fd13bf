"""Reporters: turn a ``Report`` into terminal output (or plain lines in a pipe), JSON, SARIF,
Markdown, GitHub commands or a CycloneDX BOM.

They read the finished report (``model``), the rule catalog (``rules``) and the
verdict's names and money format; never the facts or the scanners. The
CycloneDX reporter (``auditor.reporters.cyclonedx``) is imported only when
asked for: cyclonedx-python-lib takes most of a second to import.
"""

from __future__ import annotations

from auditor.reporters.github import render_github
from auditor.reporters.json import read_baseline_fingerprints, render_baseline, render_json
from auditor.reporters.markdown import render_markdown
from auditor.reporters.plain import render_plain, render_statistics
from auditor.reporters.sarif import render_sarif
from auditor.reporters.terminal import render_terminal

FORMATS = ("terminal", "json", "sarif", "markdown", "github", "cyclonedx")

__all__ = [
    "FORMATS",
    "read_baseline_fingerprints",
    "render_baseline",
    "render_github",
    "render_json",
    "render_markdown",
    "render_plain",
    "render_sarif",
    "render_statistics",
    "render_terminal",
]
