"""Reporters: turn a ``Report`` into terminal output, JSON, SARIF, Markdown or GitHub commands.

They read the finished report (``model``), the rule catalog (``rules``) and the
verdict's names and money format; never the facts or the scanners.
"""

from __future__ import annotations

from auditor.reporters.github import render_github
from auditor.reporters.json import read_baseline_fingerprints, render_baseline, render_json
from auditor.reporters.markdown import render_markdown
from auditor.reporters.sarif import render_sarif
from auditor.reporters.terminal import render_terminal

FORMATS = ("terminal", "json", "sarif", "markdown", "github")

__all__ = [
    "FORMATS",
    "read_baseline_fingerprints",
    "render_baseline",
    "render_github",
    "render_json",
    "render_markdown",
    "render_sarif",
    "render_terminal",
]
