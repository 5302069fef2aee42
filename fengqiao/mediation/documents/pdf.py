"""PDF rendering of a composed mediation document: HTML + CSS through WeasyPrint.

WeasyPrint (and Pango under it) is heavy to import, so it is loaded on the first render,
not when Django starts. Fonts come from the system: Debian's fonts-noto-cjk provides
"Noto Serif CJK SC" (body) and "Noto Sans CJK SC" (headings); WeasyPrint embeds subsets.
The template engine is this package's own, with auto-escaping on: every value printed
comes from people's input.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from django.template import Context, Engine

from fengqiao.mediation.documents.layout import Layout

TEMPLATES = Path(__file__).resolve().parent / "templates"

# The font configuration and stylesheet are shared between renders (building them is most
# of the first render's second); Pango and fontconfig under them are not reliably
# thread-safe, so a threaded worker renders one PDF at a time.
_RENDER_LOCK = threading.Lock()


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATES)], autoescape=True, debug=False)


@cache
def _stylesheet_and_fonts():
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(filename=str(TEMPLATES / "document.css"), font_config=fonts), fonts


def render_html(layout: Layout) -> str:
    return _engine().get_template("document.html").render(Context({"layout": layout}))


def render_pdf(layout: Layout) -> bytes:
    from weasyprint import HTML

    html = render_html(layout)
    with _RENDER_LOCK:
        stylesheet, fonts = _stylesheet_and_fonts()
        return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
            stylesheets=[stylesheet], font_config=fonts
        )
