"""The dependency surface in words, for the terminal and Markdown reports."""

from __future__ import annotations

from auditor.model import Report


def surface_summary(report: Report) -> str:
    """``Dependency surface: 7 direct, 80 locked (uv.lock) · 7 from LLM frameworks,
    whose 4 direct packages bring in 65 · most: llama-index-core 47, langchain 33``;
    empty when the repository declares nothing."""
    surface = report.dependency_surface
    if not surface or not (surface.get("direct") or surface.get("locked")):
        return ""
    text = f"Dependency surface: {surface.get('direct', 0)} direct"
    locked = surface.get("locked")
    if locked is not None:
        text += f", {locked} locked ({', '.join(surface.get('lock_files', []))})"
    frameworks = surface.get("llm_frameworks") or {}
    if frameworks.get("packages"):
        text += f" · {frameworks['packages']} from LLM frameworks"
        direct = frameworks.get("direct") or []
        if direct and frameworks.get("brought_in") is not None:
            text += (
                f", whose {len(direct)} direct package{'s' if len(direct) != 1 else ''} "
                f"bring in {frameworks['brought_in']} more"
            )
    top = surface.get("top_direct") or []
    if top:
        text += " · most: " + ", ".join(f"{t['name']} {t['locked']}" for t in top)
    elif locked is not None and surface.get("graph") is None:
        text += " · the lock file has no dependency graph"
    return text
