"""The site's HTML: Jinja2 templates of ``templates/``, always autoescaped.

Every HTML page the server sends is rendered here, from a template that extends
``page.html`` (the site's frame). Autoescaping is on for every template, so text from the
graph (labels, literals, IRIs) can only ever appear as text; markup lives in the templates
alone. Pages carry no inline script or style, so that the Content-Security-Policy set by
:mod:`swapgraph.server.app` can forbid both.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from swapgraph.formats import EXPORT_FORMATS
from swapgraph.query_text import DEFAULT_PREFIXES

_TEMPLATES = Path(__file__).resolve().parent / "templates"

# What each export is called on the page: the format and the tools that open it. Formats
# without a name here (added to formats.EXPORT_FORMATS later) are still linked, by their name.
_EXPORT_NAMES = {
    "gexf": "GEXF (Gephi, with the timeline)",
    "graphml": "GraphML (yEd, Cytoscape)",
    "cytoscape": "Cytoscape .cyjs",
    "dot": "DOT (Graphviz)",
    "nodes-csv": "Nodes CSV",
    "edges-csv": "Edges CSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
}


@dataclass(frozen=True)
class ExportLink:
    """A link to download one export of ``/export``, as the page lists it."""

    format: str
    label: str
    href: str
    media_type: str
    rdf: bool


def export_links(view: str = "actors") -> list[ExportLink]:
    """Links to every export that ``/export`` serves, for ``view`` (RDF formats ignore it)."""
    return [
        ExportLink(
            name,
            _EXPORT_NAMES.get(name, name),
            f"/export/{name}" if spec.rdf else f"/export/{name}?view={view}",
            spec.media_type.split(";")[0],
            spec.rdf,
        )
        for name, spec in EXPORT_FORMATS.items()
    ]


@cache
def _environment() -> Environment:
    # Built once: templates are compiled on first use and kept.
    environment = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.globals["export_links"] = export_links
    # One list of default prefixes for the server and the page's scripts (query_text).
    environment.globals["default_prefixes"] = DEFAULT_PREFIXES
    return environment


def render(template: str, **context: Any) -> str:
    """Render one template of ``templates/`` with autoescaping.

    Args:
        template: The template's file name, e.g. ``"entity.html"``.
        **context: Its variables; every template of the site frame needs ``title``.
    """
    return _environment().get_template(template).render(**context)
