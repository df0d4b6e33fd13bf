"""The human-readable report, printed with rich.

Every piece of repository-derived text (paths, messages, model names) goes
through ``rich.markup.escape``, and emoji codes are not expanded, so a file
named ``[red].py`` or a message containing ``:smile:`` is printed literally.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from auditor.model import Finding, Report, Severity, normalise_name
from auditor.reporters.surface import surface_summary
from auditor.reporters.verdict import verdict

COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _markup(text: str) -> Text:
    return Text.from_markup(text, emoji=False)


def _print(console: Console, markup: str) -> None:
    # A Text is never re-parsed, so this works on a console created with markup=False.
    console.print(_markup(markup))


def _usage_table(report: Report) -> Table | None:
    table_data = report.providers_by_capability()
    if not table_data:
        return None
    capabilities = sorted({cap for caps in table_data.values() for cap in caps})
    models: dict[str, list[str]] = {}
    for site in report.call_sites:
        seen = models.setdefault(site.provider, [])
        if site.model and site.model not in seen:
            seen.append(site.model)
    table = Table(title="LLM usage", title_justify="left")
    table.add_column("Provider")
    for cap in capabilities:
        table.add_column(_markup(escape(cap)), justify="right")
    table.add_column("Models")
    for provider, caps in table_data.items():
        cells = [_markup(escape(provider))]
        cells += [Text(str(caps[cap]) if cap in caps else "·") for cap in capabilities]
        cells.append(_markup(escape(", ".join(sorted(models.get(provider, []))) or "-")))
        table.add_row(*cells)
    return table


def _finding_line(finding: Finding) -> str:
    loc = finding.location
    colour = COLOURS[finding.severity]
    where = escape(f"{loc.path}:{loc.line}:{loc.column}")
    rule = f"[{colour}]{escape(finding.rule_id)}[/{colour}]"
    return f"[bold]{where}[/bold]  {rule}  {escape(finding.message)}"


def dependency_summary(report: Report) -> str:
    """``Dependencies: 14 (12 pypi, 2 vcs) · 9 pinned · 2 constraints``."""
    installed = [d for d in report.dependencies if d.group not in {"constraint", "locked"}]
    kinds: dict[str, int] = {}
    for dep in installed:
        kinds[dep.kind] = kinds.get(dep.kind, 0) + 1
    by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    pinned = sum(1 for d in installed if d.pinned)
    text = f"Dependencies: {len(installed)} ({by_kind}) · {pinned} pinned"
    constraints = sum(1 for d in report.dependencies if d.group == "constraint")
    locked = sum(1 for d in report.dependencies if d.group == "locked")
    text += f" · {constraints} constraints" if constraints else ""
    text += f" · {locked} locked" if locked else ""
    # From the reported findings: SC001 per declaration, SC008 lists what it names.
    vulnerable = {
        (f.location.path, f.location.line) for f in report.findings if f.rule_id == "SC001"
    }
    # How many were not checked is in the summary line (Report.audit).
    return text + (f" · {len(vulnerable)} vulnerable" if vulnerable else "")


def _summary_tail(report: Report) -> list[str]:
    tail = [_plural(report.files, "file"), f"{report.seconds:.2f}s"]
    if report.suppressed:
        tail.append(f"{report.suppressed} suppressed")
    if report.baselined:
        tail.append(f"{report.baselined} baselined")
    if report.audit.sentence():
        tail.append(report.audit.sentence())
    return tail


def _summary_head(report: Report) -> str:
    counts = ", ".join(
        [
            _plural(report.count(Severity.ERROR), "error"),
            _plural(report.count(Severity.WARNING), "warning"),
            _plural(report.count(Severity.NOTE), "note"),
        ]
    )
    return f"{_plural(len(report.findings), 'finding')} ({counts})"


def summary_text(report: Report) -> str:
    """The summary line without markup: ``6 findings (0 errors, 4 warnings, 2 notes)
    · 13 files · 0.26s · 3 dependencies not checked for vulnerabilities``."""
    head = _summary_head(report) if report.findings else "No findings."
    return " · ".join([head, *_summary_tail(report)])


def _summary(report: Report) -> str:
    tail = [escape(part) for part in _summary_tail(report)]
    if not report.findings:
        return " · ".join(["[green]No findings.[/green]", *tail])
    colour = COLOURS[max(f.severity for f in report.findings)]
    head = escape(_summary_head(report))
    first, _, rest = head.partition(" (")
    return " · ".join([f"[bold {colour}]{first}[/bold {colour}] ({rest}", *tail])


def _verdict_panel(report: Report) -> Panel | None:
    """The four questions, the verdict and the costs, in one panel."""
    found = verdict(report)
    if found is None:
        return None
    questions = Table(show_header=True, header_style="bold", expand=True, box=None)
    questions.add_column("Question", ratio=3)
    questions.add_column("Answer", ratio=5)
    questions.add_column("Leans", no_wrap=True)
    questions.add_column("Evidence", ratio=3)
    for question, answer, leans, evidence in found.questions:
        questions.add_row(*(Text(cell) for cell in (question, answer, leans, evidence)))
    costs = Table(show_header=True, header_style="bold", box=None, title_justify="left")
    costs.add_column("Approach")
    costs.add_column("One-off", justify="right")
    costs.add_column("A month", justify="right")
    costs.add_column("A year", justify="right")
    for row in found.costs:
        costs.add_row(*(Text(cell) for cell in row))
    note = Text(
        "Estimates: about 4 characters a token, and the assumptions in the JSON report "
        "(--format json: recommendation.costs.assumptions).",
        style="dim",
    )
    body = Group(Text(found.summary), Text(""), questions, Text(""), costs, note)
    return Panel(body, title=Text(f"Verdict: {found.title}", style="bold"), title_align="left")


def render_terminal(report: Report, console: Console, *, quiet: bool = False) -> None:
    """Print the report: LLM usage (unless ``quiet``), findings, errors and a summary."""
    if not quiet:
        table = _usage_table(report)
        if table is None:
            _print(console, "[dim]No LLM usage found.[/dim]")
        else:
            console.print(table)
            _print(console, f"Current approach: [bold]{escape(report.current_approach)}[/bold]")
        if report.dependencies:
            _print(console, escape(dependency_summary(report)))
            surface = surface_summary(report)
            if surface:
                _print(console, escape(surface))
        panel = _verdict_panel(report)
        if panel is not None:
            console.print(panel)
        licenses = license_summary(report)
        if licenses:
            _print(console, escape(licenses))
        if report.components:
            _print(console, escape(component_summary(report)))
        console.print()
    for severity in sorted(Severity, reverse=True):
        group = [f for f in report.findings if f.severity is severity]
        if not group:
            continue
        colour = COLOURS[severity]
        _print(console, f"[bold {colour}]{severity.label} ({len(group)})[/bold {colour}]")
        for finding in group:
            _print(console, _finding_line(finding))
        console.print()
    if report.errors:
        _print(console, f"[dim]Scan errors ({len(report.errors)}):[/dim]")
        for error in report.errors:
            text = escape(f"{error.path or '-'}: {error.kind}: {error.message}")
            _print(console, f"[dim]{text}[/dim]")
        console.print()
    _print(console, _summary(report))


def license_summary(report: Report) -> str:
    """``Licenses: 9 permissive, 1 weak-copyleft, 1 source-available, 2 unknown``,
    from most to least open; empty when no license rule looked licenses up."""
    from auditor.licenses.classify import CATEGORIES

    counts: dict[str, int] = {}
    seen: set[tuple[str, str | None]] = set()
    for dep in report.dependencies:
        key = (normalise_name(dep.name), dep.version)
        if dep.license_category is None or key in seen:
            continue
        seen.add(key)
        counts[dep.license_category] = counts.get(dep.license_category, 0) + 1
    if not counts:
        return ""
    parts = [f"{counts[c]} {c}" for c in CATEGORIES if c in counts]
    return "Licenses: " + ", ".join(parts)


def component_summary(report: Report) -> str:
    """``Infrastructure: 4 images, 2 terraform, 3 actions``."""
    counts: dict[str, int] = {}
    for component in report.components:
        counts[component.kind] = counts.get(component.kind, 0) + 1
    plural = {"image": "images", "action": "actions", "tool": "tools"}
    parts = [f"{n} {plural.get(k, k) if n != 1 else k}" for k, n in sorted(counts.items())]
    return "Infrastructure: " + ", ".join(parts)
