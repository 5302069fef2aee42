"""Sections other apps add to the case page (mediation, supervision, follow-ups): a
registry beside `hooks`, so that the apps register their sections without knowing the page
that shows them (the shell's case view reads it).

An app registers a panel from its `ready()`:

    register_case_panel(CasePanel("supervision", "supervision/_case_panel.html", context, order=20))

`context(request, case)` returns the panel's template context, or None to leave the panel
out (nothing to show, or nothing this user may see). The template receives it as `panel`.
Panels are shown in `order`, between the attachments and the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class CasePanel:
    name: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100


CASE_PANELS: dict[str, CasePanel] = {}


def register_case_panel(panel: CasePanel) -> None:
    CASE_PANELS[panel.name] = panel


def case_panels(request: HttpRequest, case: Any) -> list[dict[str, Any]]:
    shown = []
    for panel in sorted(CASE_PANELS.values(), key=lambda panel: (panel.order, panel.name)):
        context = panel.context(request, case)
        if context is not None:
            shown.append({"name": panel.name, "template": panel.template, "context": context})
    return shown
