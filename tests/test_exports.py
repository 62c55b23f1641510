from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pytest
import xmlschema
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from swapgraph.cli import main
from swapgraph.engine import Engine, select
from swapgraph.errors import SwapgraphError
from swapgraph.exports import GEXF_NAMESPACE, GEXF_VIZ_NAMESPACE, export
from swapgraph.formats import EXPORT_FORMATS
from swapgraph.namespaces import SWAP
from swapgraph.paths import Project
from swapgraph.views import COLUMNS, VIEWS, Filters
from tests.conftest import REPO_ROOT, TEST_DATA
from tests.exports_fixture import real_engine, reference_engine, small_engine, small_project
from tests.test_views import flows

__all__ = ["real_engine", "reference_engine", "small_engine", "small_project"]

GEXF_SCHEMA = TEST_DATA / "gexf" / "gexf-1.3" / "gexf.xsd"
STATE = "https://w3id.org/swapgraph/id/state/"


class GexfSchema:
    """The published GEXF 1.3 XSD, read with the viz namespace its files leave out.

    Its viz.xsd has no target namespace and is imported as a chameleon, so the XSD types
    ``color``, ``size``, ... as elements of the GEXF namespace, while the primer, Gephi and
    networkx write and read them in ``http://gexf.net/1.3/viz``. Documents are validated with
    that namespace read as the GEXF one: every element and attribute is still checked.
    """

    def __init__(self) -> None:
        self.schema = xmlschema.XMLSchema(str(GEXF_SCHEMA))

    def validate(self, text: str) -> None:
        self.schema.validate(text.replace(f'"{GEXF_VIZ_NAMESPACE}"', f'"{GEXF_NAMESPACE}"'))


@pytest.fixture(scope="module")
def gexf_schema() -> GexfSchema:
    return GexfSchema()


@pytest.mark.parametrize("view", VIEWS)
def test_gexf_validates_and_reads_back(
    small_engine: Engine, gexf_schema: GexfSchema, view: str
) -> None:
    content, media_type, filename = export(small_engine, "gexf", view)
    assert (media_type, filename) == ("application/gexf+xml", f"swapgraph-{view}.gexf")
    gexf_schema.validate(content.decode("utf-8"))
    graph = nx.read_gexf(io.BytesIO(content))
    assert graph.number_of_nodes() > 0
    labels = nx.get_node_attributes(graph, "label")
    assert all(labels[n] for n in graph)
    assert labels[STATE + "russia"] == "Russia"


def test_gexf_timeline_spells_follow_exchange_dates(small_engine: Engine) -> None:
    content, _, _ = export(small_engine, "gexf", "actors")
    graph = nx.read_gexf(io.BytesIO(content))
    assert graph.graph["mode"] == "dynamic"
    russia_ukraine = [
        d for u, v, d in graph.edges(data=True)
        if (u, v) == (STATE + "russia", STATE + "ukraine") and d["role"] == "released"
    ]  # fmt: skip
    spells = russia_ukraine[0]["spells"]
    assert [s for s, _ in spells] == [
        "2022-03-24", "2024-01-31", "2024-02-08", "2025-05-23", "2025-05-24", "2025-05-25",
    ]  # fmt: skip
    assert graph.nodes[STATE + "belarus"]["start"] == "2024-08-01"


@pytest.mark.parametrize("view", VIEWS)
def test_graphml_reads_back_with_networkx_and_igraph(
    small_engine: Engine, tmp_path: Path, view: str
) -> None:
    content, _, _ = export(small_engine, "graphml", view)
    graph = nx.read_graphml(io.BytesIO(content))
    path = tmp_path / "view.graphml"
    path.write_bytes(content)
    other = igraph.Graph.Read_GraphML(str(path))
    assert (other.vcount(), other.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    assert "label" in other.vs.attributes()


def test_graphml_numbers_equal_sparql(small_engine: Engine, reference_engine: Engine) -> None:
    graph = nx.read_graphml(io.BytesIO(export(small_engine, "graphml", "actors")[0]))
    released = {
        (u, v): (d["people"], d["exchanges"], d["first"], d["last"])
        for u, v, d in graph.edges(data=True)
        if d["role"] == "released"
    }
    assert released == flows(reference_engine)


@pytest.mark.parametrize("view", VIEWS)
def test_dot_renders_with_graphviz(small_engine: Engine, tmp_path: Path, view: str) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed (Debian package graphviz)")
    content, media_type, _ = export(small_engine, "dot", view)
    assert media_type == "text/vnd.graphviz"
    done = subprocess.run(
        ["dot", "-Tpng", "-o", str(tmp_path / "view.png")],
        input=content,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""
    assert (tmp_path / "view.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("view", VIEWS)
def test_csv_has_the_documented_columns(small_engine: Engine, view: str) -> None:
    nodes = list(csv.DictReader(io.StringIO(export(small_engine, "nodes-csv", view)[0].decode())))
    edges = list(csv.DictReader(io.StringIO(export(small_engine, "edges-csv", view)[0].decode())))
    node_columns, edge_columns = COLUMNS[view]
    assert list(nodes[0]) == ["Id", "Label", *(c for c in node_columns if c != "label")]
    assert list(edges[0]) == [
        "Source", "Target", "Type", "Id", "Label", "Weight",
        *(c for c in edge_columns if c not in ("label", "weight")),
    ]  # fmt: skip
    ids = {row["Id"] for row in nodes}
    assert all(row["Source"] in ids and row["Target"] in ids for row in edges)


def test_csv_numbers_equal_sparql(small_engine: Engine, reference_engine: Engine) -> None:
    rows = csv.DictReader(io.StringIO(export(small_engine, "edges-csv", "actors")[0].decode()))
    released = {
        (r["Source"], r["Target"]): (int(r["people"]), int(r["exchanges"]), r["first"], r["last"])
        for r in rows
        if r["role"] == "released"
    }
    assert released == flows(reference_engine)


def test_cytoscape_json_has_elements_with_data(small_engine: Engine) -> None:
    document = json.loads(export(small_engine, "cytoscape", "exchanges")[0])
    nodes = document["elements"]["nodes"]
    edges = document["elements"]["edges"]
    ids = {n["data"]["id"] for n in nodes}
    assert all(n["data"]["label"] for n in nodes)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)


EXCHANGES_SINCE = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?e WHERE { ?e a swap:Exchange ; swap:date ?d FILTER(?d >= "2025-01-01"^^xsd:date) }
"""


@pytest.mark.parametrize(
    ("fmt", "parser"), [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")]
)
def test_rdf_exports_parse_back_filtered(
    small_engine: Engine, reference_engine: Engine, fmt: str, parser: str
) -> None:
    filters = Filters.parse(start="2025-01-01")
    content, media_type, filename = export(small_engine, fmt, filters=filters)
    assert media_type == EXPORT_FORMATS[fmt].media_type
    assert filename == f"swapgraph.{EXPORT_FORMATS[fmt].suffix}"
    graph = Graph().parse(data=content.decode(), format=parser)
    expected = {r["e"] for r in select(reference_engine, EXCHANGES_SINCE)}
    assert set(graph.subjects(RDF.type, SWAP.Exchange)) == expected
    assert len(list(graph.subjects(RDF.type, SWAP.Transfer))) == 6
    assert graph.value(URIRef(STATE + "russia"), RDFS.label) == Literal("Russia", lang="en")
    full = Graph().parse(data=export(small_engine, fmt)[0].decode(), format=parser)
    assert len(set(full.subjects(RDF.type, SWAP.Exchange))) == 8
    assert len(full) > len(graph)


def test_unknown_format_and_view_are_errors(small_engine: Engine) -> None:
    with pytest.raises(SwapgraphError, match="unknown export format 'svg'"):
        export(small_engine, "svg")
    with pytest.raises(SwapgraphError, match="unknown view 'people'"):
        export(small_engine, "gexf", "people")


def test_export_command_writes_stdout_and_files(
    small_project: Project, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    root = str(small_project.root)
    assert main(["export", "gexf", "--project", root, "--from", "2024-01-01", "--state", "UA"]) == 0
    graph = nx.read_gexf(io.BytesIO(capsysbinary.readouterr().out))
    assert STATE + "united-states" not in graph and STATE + "ukraine" in graph
    out = tmp_path / "actors.graphml"
    assert main(["export", "graphml", "--project", root, "--mediator", "UAE", "-o", str(out)]) == 0
    labels = set(nx.get_node_attributes(nx.read_graphml(out), "label").values())
    assert labels == {"United Arab Emirates", "Saudi Arabia", "Russia", "Ukraine", "United States"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--state", "Rusia"], "swapgraph: error: unknown state 'Rusia' (did you mean: Russia"),
        (["--mediator", "Qatar"], "swapgraph: error: unknown mediator 'Qatar'"),
        (["--to", "May 2025"], "swapgraph: error: to: 'May 2025' is not a date"),
        (
            ["--from", "2025-06-01", "--to", "2025-05-31"],
            "swapgraph: error: from (2025-06-01) is after to (2025-05-31)",
        ),
        (
            ["--mediator", "Emirates"],
            "swapgraph: error: unknown mediator 'Emirates' (did you mean: United Arab Emirates",
        ),
    ],
)
def test_export_command_rejects_bad_filters(
    small_project: Project, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["export", "dot", "--project", str(small_project.root), *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.out == ""
    assert "Traceback" not in captured.err


def test_real_graph_exports(real_engine: Engine, gexf_schema: GexfSchema, tmp_path: Path) -> None:
    gexf_schema.validate(export(real_engine, "gexf", "actors")[0].decode())
    graph = nx.read_graphml(io.BytesIO(export(real_engine, "graphml", "actors")[0]))
    released = {
        (u, v): (d["people"], d["exchanges"], d["first"], d["last"])
        for u, v, d in graph.edges(data=True)
        if d["role"] == "released"
    }
    assert released == flows(real_engine)
    labels = {d["label"] for _, d in graph.nodes(data=True)}
    assert {"United Arab Emirates", "Turkey", "Belarus"} <= labels


def test_real_graph_picture_command(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # The command that makes docs/actors-network.png for the README.
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed (Debian package graphviz)")
    assert main(["export", "dot", "--view", "actors", "--project", str(REPO_ROOT)]) == 0
    content = capsysbinary.readouterr().out
    for label in ("United Arab Emirates", "Turkey", "Belarus"):
        assert f'label="{label}"'.encode() in content
    done = subprocess.run(
        ["dot", "-Tpng", "-o", str(tmp_path / "actors.png")],
        input=content,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()


def test_export_filters_take_every_name_of_an_actor(capsys: pytest.CaptureFixture[str]) -> None:
    def edges(mediator: str) -> str:
        argv = ["export", "edges-csv", "--project", str(REPO_ROOT), "--mediator", mediator]
        assert main(argv) == 0
        return capsys.readouterr().out

    by_iri = edges("state:turkey")
    assert len(by_iri.splitlines()) > 1
    for name in ("Republic of Turkiye", "Türkiye", "TR", "Q43"):
        assert edges(name) == by_iri, name


def test_gexf_is_styled_as_the_dot_export(small_engine: Engine, gexf_schema: GexfSchema) -> None:
    import xml.etree.ElementTree as ET

    content = export(small_engine, "gexf", "actors")[0]
    gexf_schema.validate(content.decode())
    graph = nx.read_gexf(io.BytesIO(content))
    colours = {n: tuple(d["viz"]["color"][c] for c in "rgb") for n, d in graph.nodes(data=True)}
    third = {n for n, d in graph.nodes(data=True) if d.get("third_party")}
    assert third and len(third) < graph.number_of_nodes()
    assert len({colours[n] for n in third}) == 1
    assert not {colours[n] for n in third} & {colours[n] for n in graph if n not in third}
    sizes = {n: d["viz"]["size"] for n, d in graph.nodes(data=True)}
    busiest = max(graph, key=lambda n: graph.nodes[n].get("exchanges", 0))
    quietest = min(graph, key=lambda n: graph.nodes[n].get("exchanges", 0))
    assert sizes[busiest] > sizes[quietest]
    # Edges (networkx does not read their viz): third-party roles dashed, transfers solid.
    viz = "{" + GEXF_VIZ_NAMESPACE + "}"
    shapes = {}
    for edge in ET.fromstring(content).iter("{" + GEXF_NAMESPACE + "}edge"):
        role = next(
            a.get("value")
            for a in edge.iter("{" + GEXF_NAMESPACE + "}attvalue")
            if a.get("for") == "role"
        )
        shape = edge.find(viz + "shape")
        assert shape is not None and edge.find(viz + "color") is not None
        assert float(edge.find(viz + "thickness").get("value")) > 0  # type: ignore[union-attr]
        shapes.setdefault(role, set()).add(shape.get("value"))
    assert shapes.pop("released") == {"solid"}
    assert shapes and all(found == {"dashed"} for found in shapes.values())


def test_cytoscape_document_follows_the_cyjs_convention(small_engine: Engine) -> None:
    document = json.loads(export(small_engine, "cytoscape", "actors")[0])
    assert set(document) >= {"format_version", "data", "elements", "style"}
    assert set(document["elements"]) == {"nodes", "edges"}
    for node in document["elements"]["nodes"]:
        assert {"id", "label", "color", "size"} <= set(node["data"])
    for edge in document["elements"]["edges"]:
        assert {"id", "source", "target", "color", "width", "line"} <= set(edge["data"])
        assert edge["data"]["line"] == ("solid" if edge["data"]["role"] == "released" else "dashed")


# People released by Russia to Ukraine on each exchange date, summed over that day's
# exchanges (a transfer whose sources give no number counts 0, as in the views): what the
# timeline GEXF's weight over time must say.
RUSSIA_TO_UKRAINE_BY_DATE = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?date (SUM(COALESCE(?people, 0)) AS ?total) WHERE {
  ?exchange swap:date ?date ; swap:transfer ?transfer .
  ?transfer swap:releasedBy <https://w3id.org/swapgraph/id/state/russia> ;
            swap:receivedBy <https://w3id.org/swapgraph/id/state/ukraine> .
  OPTIONAL { ?transfer swap:peopleCount ?people }
} GROUP BY ?date ORDER BY ?date"""


def _weights_over_time(content: bytes, source: str, target: str, role: str) -> list[Any]:
    graph = nx.read_gexf(io.BytesIO(content))
    (edge,) = [
        d for u, v, d in graph.edges(data=True) if (u, v, d["role"]) == (source, target, role)
    ]
    dynamic: list[Any] = edge["people_by_date"]
    assert sum(weight for weight, _, _ in dynamic) == edge["weight"] == edge["people"]
    assert [(start, end) for _, start, end in dynamic] == edge["spells"]
    return dynamic


def test_gexf_timeline_edge_weight_changes_per_exchange_date(
    small_engine: Engine, reference_engine: Engine
) -> None:
    content, _, _ = export(small_engine, "gexf", "actors")
    dynamic = _weights_over_time(content, STATE + "russia", STATE + "ukraine", "released")
    # From the fixture's sources: 29 people on 24 March 2022, as its Turtle says.
    assert dynamic[0] == (29.0, "2022-03-24", "2022-03-24")
    expected = [
        (float(row["total"]), str(row["date"]), str(row["date"]))  # type: ignore[arg-type]
        for row in select(reference_engine, RUSSIA_TO_UKRAINE_BY_DATE)
    ]
    assert dynamic == expected
    # Gephi's own form of a weight over time: undeclared attvalues for "weight", one a spell.
    root = ET.fromstring(content)
    edge = next(
        e for e in root.iter(f"{{{GEXF_NAMESPACE}}}edge")
        if (e.get("source"), e.get("target"), e.get("kind"))
        == (STATE + "russia", STATE + "ukraine", "released")
    )  # fmt: skip
    gephi = [
        (float(a.get("value", "")), a.get("start"), a.get("end"))
        for a in edge.iter(f"{{{GEXF_NAMESPACE}}}attvalue")
        if a.get("for") == "weight"
    ]
    assert gephi == expected


def test_real_gexf_timeline_weights_follow_the_sources(real_engine: Engine) -> None:
    content, _, _ = export(real_engine, "gexf", "actors")
    dynamic = _weights_over_time(content, STATE + "russia", STATE + "ukraine", "released")
    expected = [
        (float(row["total"]), str(row["date"]), str(row["date"]))  # type: ignore[arg-type]
        for row in select(real_engine, RUSSIA_TO_UKRAINE_BY_DATE)
    ]
    assert dynamic == expected
    assert len({weight for weight, _, _ in dynamic}) > 10, "the weight changes over time"
