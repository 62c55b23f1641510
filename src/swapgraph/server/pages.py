"""The site's HTML: Jinja2 templates of ``templates/``, always autoescaped.

Every HTML page the server sends is rendered here, from a template that extends
``page.html`` (the site's frame). Autoescaping is on for every template, so text from the
graph (labels, literals, IRIs) can only ever appear as text; markup lives in the templates
alone. Pages carry no inline script or style, so that the Content-Security-Policy set by
:mod:`swapgraph.server.app` can forbid both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

_TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    # Built once: templates are compiled on first use and kept.
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render(template: str, **context: Any) -> str:
    """Render one template of ``templates/`` with autoescaping.

    Args:
        template: The template's file name, e.g. ``"entity.html"``.
        **context: Its variables; every template of the site frame needs ``title``.
    """
    return _environment().get_template(template).render(**context)
