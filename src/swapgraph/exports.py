"""Exports that graph tools open without edits, and the RDF serialisations.

Graph formats write one of the views of :mod:`swapgraph.views`:

``graphml``
    GraphML with typed keys (yEd, Cytoscape, Gephi, networkx, igraph).
``gexf``
    GEXF 1.3, dynamic: a node exists from its first exchange on, an edge on the day of each
    exchange it counts (one spell per day), so Gephi's timeline plays the exchanges in order.
    The edge weight is dynamic too: an ``attvalue for="weight"`` per spell holds the people
    of that day's exchanges, Gephi's way of writing a weight over time, so edge widths change
    as the timeline plays (the static ``weight`` is their sum); the same numbers are in the
    declared dynamic attribute ``people_by_date``, which other readers (networkx) take in.
    Styled as the DOT export is: ``viz:color`` and ``viz:size`` (by exchanges) on nodes, third
    parties orange; ``viz:color``, ``viz:thickness`` (by people) and ``viz:shape`` on edges,
    third-party edges dashed and coloured by role. The ``viz:`` elements are in the viz
    namespace that Gephi, networkx and the GEXF primer use (``http://gexf.net/1.3/viz``).
``cytoscape``
    A Cytoscape ``.cyjs`` document, the convention of Cytoscape desktop's export and of
    Cytoscape.js's ``cy.json()``: ``{"data": {...}, "elements": {"nodes": [{"data": ...}],
    "edges": [{"data": ...}]}, "style": [...]}``. Open it in Cytoscape desktop (File, Import,
    Network from File), or in Cytoscape.js with ``cy.json(document)`` or
    ``cytoscape({elements: document.elements, style: document.style})``; passing the whole
    document as ``elements`` makes one empty node of it. Every element carries its ``color``
    and ``size``/``width`` in its data, which the ``style`` maps (Cytoscape desktop ignores
    ``style``: map the same data columns in its Style panel).
``dot``
    Graphviz DOT that names its own layout (``neato`` for the actors view, ``sfdp`` for the
    larger ones), so ``dot -Tpng`` draws it well; third parties are filled orange and their
    edges dashed, coloured by role, with a colour key under the picture.
``nodes-csv`` / ``edges-csv``
    Gephi's spreadsheet import. Nodes: ``Id,Label`` then the view's node attributes; edges:
    ``Source,Target,Type,Id,Label,Weight`` then the view's edge attributes. Columns are the
    same for every export of a view; an unknown value is an empty cell.

RDF formats (``turtle``, ``ntriples``, ``jsonld``) write the knowledge graph's triples
(without the ontology), filtered like the views; they ignore the view.
"""

from __future__ import annotations

import csv
import io
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from swapgraph import __version__, jsonld_context
from swapgraph.csvsafe import neutralise
from swapgraph.engine import Engine, open_engine
from swapgraph.errors import SwapgraphError
from swapgraph.formats import EXPORT_FORMATS
from swapgraph.paths import Project
from swapgraph.turtle import serialize
from swapgraph.views import (
    COLUMNS,
    PEOPLE_BY_DATE,
    VIEWS,
    Filters,
    build_view,
    data_graph,
    load_facts,
)

if TYPE_CHECKING:
    import networkx as nx  # imported by the writers that need it (see views)

GEXF_NAMESPACE = "http://gexf.net/1.3"
GEXF_VIZ_NAMESPACE = "http://gexf.net/1.3/viz"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

Value = str | int | float


def export(
    source: Project | Engine,
    format: str,
    view: str = "actors",
    filters: Filters | None = None,
) -> tuple[bytes, str, str]:
    """Export the graph in a format, as an HTTP response or a file would carry it.

    Args:
        source: A project (loaded into the default engine) or an engine already open on one.
        format: One of :data:`swapgraph.formats.EXPORT_FORMATS`.
        view: ``actors``, ``exchanges`` or ``rdf``; ignored by the RDF formats.
        filters: Which exchanges to keep; None keeps all.

    Returns:
        The content, its media type and a file name for a download.

    Raises:
        SwapgraphError: If the format or view is unknown, or a filter matches nothing known.
    """
    spec = EXPORT_FORMATS.get(format)
    if spec is None:
        raise SwapgraphError(
            f"unknown export format {format!r} (expected one of {', '.join(EXPORT_FORMATS)})"
        )
    if view not in VIEWS:
        raise SwapgraphError(f"unknown view {view!r} (expected one of {', '.join(VIEWS)})")
    engine = open_engine(source) if isinstance(source, Project) else source
    if spec.rdf:
        terms = jsonld_context.vocabulary(engine) if format == "jsonld" else None
        content = write_rdf(data_graph(engine, load_facts(engine), filters), format, terms)
        return content, spec.media_type, f"swapgraph.{spec.suffix}"
    graph = build_view(engine, view, filters)
    content = _GRAPH_WRITERS[format](graph)
    return content, spec.media_type, f"swapgraph-{view}.{spec.suffix}"


# --------------------------------------------------------------------------- attributes


def attribute_types(graph: nx.MultiDiGraph, cls: str) -> dict[str, type]:
    """Return the type of each node or edge attribute of a view, in the view's column order.

    Args:
        graph: A view built by :func:`swapgraph.views.build_view`.
        cls: ``node`` or ``edge``.

    Raises:
        SwapgraphError: If an attribute is not one of the view's columns, holds values of two
            types, or a value that is not a str, int or float: the writers declare one type
            per attribute.
    """
    columns = COLUMNS[graph.graph["view"]][0 if cls == "node" else 1]
    items = graph.nodes.values() if cls == "node" else (d for *_, d in graph.edges(data=True))
    found: dict[str, type] = {}
    for data in items:
        for name, value in data.items():
            kind = type(value)
            if name not in columns or kind not in (str, int, float):
                raise SwapgraphError(f"{cls} attribute {name!r}={value!r} cannot be exported")
            if found.setdefault(name, kind) is not kind:
                raise SwapgraphError(f"{cls} attribute {name!r} holds several types of value")
    return {name: found.get(name, str) for name in columns}


def _edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Return the edges with unique ids ``e0``, ``e1`` ... in a stable order."""
    ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    return [(f"e{i}", u, v, data) for i, (u, v, _, data) in enumerate(ordered)]


def _nodes(graph: nx.MultiDiGraph) -> list[tuple[str, dict[str, Any]]]:
    return sorted(graph.nodes(data=True), key=lambda n: n[0])


def _description(graph: nx.MultiDiGraph) -> str:
    return f"swapgraph {graph.graph.get('view', '')} view: prisoner exchanges between states"


# --------------------------------------------------------------------------- style

# One look for every format that carries style (DOT, GEXF, Cytoscape): third parties apart.
_NODE_FILL = "#deebf7"
_THIRD_PARTY_FILL = "#fdae6b"
_EDGE_COLOUR = "#555555"
_ROLE_COLOURS = {
    "mediator": "#d95f02",
    "facilitator": "#e7298a",
    "host": "#7570b3",
    "guarantor": "#66a61e",
    "transit state": "#1b9e77",
}


@dataclass(frozen=True)
class _NodeStyle:
    colour: str
    size: float


@dataclass(frozen=True)
class _EdgeStyle:
    colour: str
    width: float
    dashed: bool


def _node_style(data: dict[str, Any]) -> _NodeStyle:
    """Fill and size of a node: third parties orange, size growing with its exchanges."""
    exchanges = int(data.get("exchanges", 0))
    fill = _THIRD_PARTY_FILL if data.get("third_party") else _NODE_FILL
    return _NodeStyle(fill, round(12 + 4 * math.log10(1 + exchanges), 1))


def _edge_style(data: dict[str, Any]) -> _EdgeStyle:
    """Colour and width of an edge: third-party roles coloured and dashed, width by people."""
    people = int(data.get("people", 0))
    role = str(data.get("role", ""))
    width = round(0.8 + math.log10(1 + people), 2)
    if role in _ROLE_COLOURS:
        return _EdgeStyle(_ROLE_COLOURS[role], width, dashed=True)
    return _EdgeStyle(_EDGE_COLOUR, width, dashed=False)


def _rgb(colour: str) -> dict[str, str]:
    return {c: str(int(colour[i : i + 2], 16)) for c, i in (("r", 1), ("g", 3), ("b", 5))}


# --------------------------------------------------------------------------- GraphML


def write_graphml(graph: nx.MultiDiGraph) -> bytes:
    """Write a view as GraphML, with unique edge ids and typed keys."""
    import networkx as nx

    copy = nx.MultiDiGraph(name=graph.graph.get("name", ""), description=_description(graph))
    for node, data in _nodes(graph):
        copy.add_node(node, **data)
    for edge_id, u, v, data in _edges(graph):
        copy.add_edge(u, v, key=edge_id, **data)
    attribute_types(graph, "node")
    attribute_types(graph, "edge")
    return "\n".join(nx.generate_graphml(copy)).encode("utf-8") + b"\n"


# --------------------------------------------------------------------------- GEXF

_GEXF_TYPES = {str: "string", int: "long", float: "double"}
# Attributes GEXF carries in its own markup rather than as attvalues.
_GEXF_OWN = {"label", "weight", "dates"}
# Gephi reads an edge's undeclared ``attvalue for="weight"`` with a start and end as its
# weight over that interval; networkx reads any such value as the static weight, so the
# numbers go a second time into a declared dynamic attribute, which it keeps as a list.
_GEXF_PEOPLE_BY_DATE = {"id": "people_by_date", "title": "people_by_date", "type": "double"}


def write_gexf(graph: nx.MultiDiGraph) -> bytes:
    """Write a view as dynamic GEXF 1.3 (see the module documentation)."""
    nodes, edges = _nodes(graph), _edges(graph)
    node_types = attribute_types(graph, "node")
    edge_types = attribute_types(graph, "edge")
    ET.register_namespace("", GEXF_NAMESPACE)
    ET.register_namespace("viz", GEXF_VIZ_NAMESPACE)
    ET.register_namespace("xsi", _XSI)
    root = ET.Element(
        _gexf("gexf"),
        {
            "version": "1.3",
            f"{{{_XSI}}}schemaLocation": f"{GEXF_NAMESPACE} {GEXF_NAMESPACE}/gexf.xsd",
        },
    )
    meta = ET.SubElement(root, _gexf("meta"))
    ET.SubElement(meta, _gexf("creator")).text = f"swapgraph {__version__}"
    ET.SubElement(meta, _gexf("description")).text = _description(graph)
    body = ET.SubElement(
        root,
        _gexf("graph"),
        {
            "defaultedgetype": "directed",
            "mode": "dynamic",
            "timeformat": "date",
            "timerepresentation": "interval",
        },
    )
    ids = {}
    for cls, types in (("node", node_types), ("edge", edge_types)):
        declared = ET.SubElement(body, _gexf("attributes"), {"class": cls, "mode": "static"})
        for name, kind in types.items():
            if name not in _GEXF_OWN:
                ids[cls, name] = name
                ET.SubElement(
                    declared,
                    _gexf("attribute"),
                    {"id": name, "title": name, "type": _GEXF_TYPES[kind]},
                )
    dynamic = ET.SubElement(body, _gexf("attributes"), {"class": "edge", "mode": "dynamic"})
    ET.SubElement(dynamic, _gexf("attribute"), _GEXF_PEOPLE_BY_DATE)
    by_date = graph.graph.get(PEOPLE_BY_DATE, {})
    node_list = ET.SubElement(body, _gexf("nodes"), {"count": str(len(nodes))})
    for node, data in nodes:
        markup = {"id": node, "label": str(data.get("label", node))}
        if "first" in data:
            markup["start"] = str(data["first"])
        element = ET.SubElement(node_list, _gexf("node"), markup)
        _attvalues(element, data, "node", ids)
        look = _node_style(data)
        ET.SubElement(element, _viz("color"), _rgb(look.colour))
        ET.SubElement(element, _viz("size"), {"value": str(look.size)})
    edge_list = ET.SubElement(body, _gexf("edges"), {"count": str(len(edges))})
    for edge_id, u, v, data in edges:
        markup = {"id": edge_id, "source": u, "target": v}
        if "label" in data:
            markup["label"] = str(data["label"])
            markup["kind"] = str(data.get("role", data["label"]))
        if "weight" in data:
            markup["weight"] = repr(float(data["weight"]))
        element = ET.SubElement(edge_list, _gexf("edge"), markup)
        if data.get("dates"):
            spells = ET.SubElement(element, _gexf("spells"))
            for day in str(data["dates"]).split():
                ET.SubElement(spells, _gexf("spell"), {"start": day, "end": day})
        _attvalues(element, data, "edge", ids)
        _dynamic_weights(element, _weights_by_date(u, v, data, by_date))
        line = _edge_style(data)
        ET.SubElement(element, _viz("color"), _rgb(line.colour))
        ET.SubElement(element, _viz("thickness"), {"value": str(line.width)})
        ET.SubElement(element, _viz("shape"), {"value": "dashed" if line.dashed else "solid"})
    ET.indent(root)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def _gexf(tag: str) -> str:
    return f"{{{GEXF_NAMESPACE}}}{tag}"


def _viz(tag: str) -> str:
    return f"{{{GEXF_VIZ_NAMESPACE}}}{tag}"


def _attvalues(
    element: ET.Element, data: dict[str, Any], cls: str, ids: dict[tuple[str, str], str]
) -> None:
    values = [(ids[cls, k], v) for k, v in data.items() if (cls, k) in ids]
    if values:
        holder = ET.SubElement(element, _gexf("attvalues"))
        for key, value in values:
            ET.SubElement(holder, _gexf("attvalue"), {"for": key, "value": str(value)})


def _weights_by_date(
    source: str, target: str, data: dict[str, Any], by_date: dict[tuple[str, str, str], Any]
) -> dict[str, float]:
    # The actors view gives each edge's people by date; an edge of one day (the exchanges
    # view's) weighs its weight on that day.
    days = by_date.get((source, target, str(data.get("role", ""))))
    if days is not None:
        return {day: float(people) for day, people in days.items()}
    dates = str(data.get("dates", "")).split()
    if len(dates) == 1 and "weight" in data:
        return {dates[0]: float(data["weight"])}
    return {}


def _dynamic_weights(element: ET.Element, weights: dict[str, float]) -> None:
    if not weights:
        return
    holder = element.find(_gexf("attvalues"))
    if holder is None:
        holder = ET.SubElement(element, _gexf("attvalues"))
    for key in ("weight", _GEXF_PEOPLE_BY_DATE["id"]):
        for day, weight in weights.items():
            ET.SubElement(
                holder,
                _gexf("attvalue"),
                {"for": key, "value": repr(weight), "start": day, "end": day},
            )


# --------------------------------------------------------------------------- Cytoscape.js


def write_cytoscape(graph: nx.MultiDiGraph) -> bytes:
    """Write a view as a Cytoscape ``.cyjs`` document (see the module documentation)."""
    nodes = []
    for node, data in _nodes(graph):
        look = _node_style(data)
        nodes.append({"data": {"id": node, **data, "color": look.colour, "size": look.size}})
    edges = []
    for edge_id, u, v, data in _edges(graph):
        line = _edge_style(data)
        fields = {"id": edge_id, "source": u, "target": v, **data}
        fields.update(color=line.colour, width=line.width, line=_line(line))
        edges.append({"data": fields})
    document = {
        "format_version": "1.0",
        "generated_by": f"swapgraph {__version__}",
        "target_cytoscapejs_version": "~3",
        "data": {"name": graph.graph.get("name", ""), "description": _description(graph)},
        "elements": {"nodes": nodes, "edges": edges},
        "style": _CYTOSCAPE_STYLE,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _line(style: _EdgeStyle) -> str:
    return "dashed" if style.dashed else "solid"


# A Cytoscape.js stylesheet that reads each element's look from its data.
_CYTOSCAPE_STYLE: list[dict[str, Any]] = [
    {
        "selector": "node",
        "style": {
            "label": "data(label)",
            "background-color": "data(color)",
            "border-color": "#4d4d4d",
            "border-width": 1,
            "width": "mapData(size, 12, 24, 20, 60)",
            "height": "mapData(size, 12, 24, 20, 60)",
            "font-size": 10,
        },
    },
    {
        "selector": "edge",
        "style": {
            "line-color": "data(color)",
            "target-arrow-color": "data(color)",
            "target-arrow-shape": "triangle",
            "line-style": "data(line)",
            "width": "data(width)",
            "curve-style": "bezier",
        },
    },
]


# --------------------------------------------------------------------------- DOT

_SHAPES = {"state": "ellipse", "organisation": "box", "exchange": "note", "literal": "plaintext"}


def write_dot(graph: nx.MultiDiGraph) -> bytes:
    """Write a view as Graphviz DOT with a readable style (see the module documentation)."""
    lines = [
        "digraph swapgraph {",
        f"  label={_dot_legend(graph)};",
        f'  {_dot_layout(graph)} overlap=false; sep="+14"; fontname="Helvetica"; fontsize=20;',
        f'  node [fontname="Helvetica", fontsize=12, style=filled, fillcolor="{_NODE_FILL}"];',
        f'  edge [fontname="Helvetica", fontsize=9, color="{_EDGE_COLOUR}", arrowsize=0.6, '
        "len=2.2];",
    ]
    for node, data in _nodes(graph):
        look = _node_style(data)
        style = {
            "label": str(data.get("label", node)),
            "shape": _SHAPES.get(str(data.get("type")), "ellipse"),
            "fontsize": f"{look.size:.1f}",
            "tooltip": str(data.get("iri", node)),
        }
        if data.get("third_party"):
            style.update(fillcolor=look.colour, penwidth="2.5")
        lines.append(f"  {_dot(node)} [{_dot_attributes(style)}];")
    for _, u, v, data in _edges(graph):
        line = _edge_style(data)
        style = {"penwidth": f"{line.width:.2f}"}
        if line.dashed:
            # Third-party edges are told apart by colour (see the legend), not by labels,
            # which would hide the network around the parties they served.
            style.update(style="dashed", color=line.colour, tooltip=str(data["label"]))
        elif "exchanges" in data:
            style["label"] = str(int(data.get("people", 0)))
        else:
            style["label"] = str(data.get("label", ""))
        lines.append(f"  {_dot(u)} -> {_dot(v)} [{_dot_attributes(style)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _dot_layout(graph: nx.MultiDiGraph) -> str:
    # Curved edges read best in the small actors network; routing them around the hundreds
    # of nodes of the other views takes Graphviz minutes, so those get straight edges.
    if graph.graph.get("view") == "actors":
        return "layout=neato; splines=true;"
    return "layout=sfdp; splines=false;"


def _dot_legend(graph: nx.MultiDiGraph) -> str:
    """Return the graph's title and a colour key of the roles in it, as a DOT HTML label."""
    roles = {str(d.get("role")) for *_, d in graph.edges(data=True)}
    keys = [
        f'<font color="{colour}">- - {escape(role)}</font>'
        for role, colour in _ROLE_COLOURS.items()
        if role in roles
    ]
    title = escape(_description(graph))
    if graph.graph.get("view") == "actors":
        title += "<br/>solid: released people to (label: people); filled orange: third parties"
    return f"<{title}<br/>{'   '.join(keys)}>" if keys else f"<{title}>"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_attributes(attributes: dict[str, str]) -> str:
    return ", ".join(f"{k}={_dot(v)}" for k, v in attributes.items())


# --------------------------------------------------------------------------- CSV


def write_nodes_csv(graph: nx.MultiDiGraph) -> bytes:
    """Write a view's nodes as CSV: ``Id,Label`` then the node attributes."""
    nodes = _nodes(graph)
    columns = [c for c in attribute_types(graph, "node") if c != "label"]
    rows = [
        [node, data.get("label", node), *(data.get(c, "") for c in columns)] for node, data in nodes
    ]
    return _csv(["Id", "Label", *columns], rows)


def write_edges_csv(graph: nx.MultiDiGraph) -> bytes:
    """Write a view's edges as CSV: ``Source,Target,Type,Id,Label,Weight`` then attributes."""
    edges = _edges(graph)
    columns = [c for c in attribute_types(graph, "edge") if c not in ("label", "weight")]
    rows = [
        [
            u,
            v,
            "Directed",
            edge_id,
            data.get("label", ""),
            data.get("weight", 1.0),
            *(data.get(c, "") for c in columns),
        ]
        for edge_id, u, v, data in edges
    ]
    return _csv(["Source", "Target", "Type", "Id", "Label", "Weight", *columns], rows)


def _csv(header: list[str], rows: Iterable[list[Value]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)  # no formulas
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- RDF


def write_rdf(graph: Graph, format: str, vocabulary: Graph | None = None) -> bytes:
    """Serialise triples as Turtle (canonical), N-Triples (sorted) or JSON-LD.

    JSON-LD is compacted with the vocabulary's context, built from ``vocabulary`` (the
    ontology's declarations; default: those in ``graph``).

    Raises:
        SwapgraphError: If the format is not an RDF format.
    """
    if format == "turtle":
        return serialize(graph).encode("utf-8")
    if format == "ntriples":
        lines = sorted(set(graph.serialize(format="nt").splitlines()) - {""})
        return ("\n".join(lines) + "\n").encode("utf-8")
    if format == "jsonld":
        terms = jsonld_context.context(graph if vocabulary is None else vocabulary)
        return jsonld_context.to_text(graph, terms).encode("utf-8")
    raise SwapgraphError(f"{format!r} is not an RDF format")


_GRAPH_WRITERS: dict[str, Callable[[nx.MultiDiGraph], bytes]] = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "cytoscape": write_cytoscape,
    "dot": write_dot,
    "nodes-csv": write_nodes_csv,
    "edges-csv": write_edges_csv,
}
