"""The daily-totals view behind ``returned-running-total``: where it lives, who reads it.

The embedded engines compute the view into its own named graph when they load the data, and
answer the named query from it (``daily_totals.RUNNING_TOTAL_QUERY``); the named query's own
text, which adds the totals up directly, is what everything else runs: a remote endpoint,
clients of ``/sparql``, an engine without the view. Both texts must give the same rows, in
the same order, on the real graph and on generated data spread over states, days, months and
years, for ranges that start and end mid-month; and both must give the running totals added
up day by day in Python.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

import swapgraph.oxigraph_load
from swapgraph import daily_totals
from swapgraph.engine import (
    Engine,
    OxigraphEngine,
    QueryDataset,
    RemoteEngine,
    SelectResult,
    on_view,
    open_engine,
)
from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.namespaces import SWAP
from swapgraph.paths import Project
from swapgraph.rdflib_engine import RdflibEngine
from tests.test_running_total_query import expected_rows

NAME = "returned-running-total"
RANGES = [
    {},
    {"from": "2025-05-23", "to": "2025-09-25"},
    {"from": "2023-03-15", "to": "2024-02-10"},
    {"from": "1995-02-14", "to": "2023-03-01"},
    {"from": "2030-01-01"},
]
IN_VIEW = f"GRAPH <{daily_totals.GRAPH}> {{ ?row <{daily_totals.VIEW}state> ?state }}"

#: The named query's columns, in its order (the view query's must be the same).
COLUMNS = ["state", "state_label", "date", "from", "to", "returned", "running_total"]
#: (state, label, date, returned that day, running total) per row.
Rows = list[tuple[str, str | None, date, int, int]]


@pytest.fixture(scope="module")
def query(project: Project) -> NamedQuery:
    return load_named_queries(project)[NAME]


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_view_is_in_its_named_graph_only(project: Project, engine_name: str) -> None:
    engine = open_engine(project, engine_name)
    in_graph = engine.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {IN_VIEW} }}")
    in_default = engine.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?row <{daily_totals.VIEW}state> ?state }}"
    )
    assert isinstance(in_graph, SelectResult) and isinstance(in_default, SelectResult)
    assert int(in_graph.rows[0]["n"]) > 0  # type: ignore[arg-type]
    assert int(in_default.rows[0]["n"]) == 0  # type: ignore[arg-type]


def test_the_named_query_is_the_one_the_view_query_stands_in_for(query: NamedQuery) -> None:
    # Fails when the query's SPARQL changes: check that RUNNING_TOTAL_QUERY still gives its
    # answers (the tests below), then update RUNNING_TOTAL_FINGERPRINT to the new value.
    assert daily_totals.fingerprint(query.text) == daily_totals.RUNNING_TOTAL_FINGERPRINT
    assert daily_totals.view_query_for(query.text) == daily_totals.RUNNING_TOTAL_QUERY
    # Comments, blank lines and indentation aside, only that text is recognised.
    reworded = query.text.replace("# ", "#  ").replace("\n  ", "\n    ") + "\n# the end\n"
    assert daily_totals.view_query_for(reworded) == daily_totals.RUNNING_TOTAL_QUERY
    changed = query.text.replace("?date <= ?to", "?date < ?to")
    assert changed != query.text
    assert daily_totals.view_query_for(changed) is None


def test_the_public_text_is_the_direct_one(project: Project, query: NamedQuery) -> None:
    # What /api/queries shows, clients send and a remote engine runs needs no view.
    assert daily_totals.GRAPH not in query.text
    assert query.text == (project.api_dir / f"{NAME}.rq").read_text(encoding="utf-8")


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_embedded_engines_answer_from_the_view_only_where_it_gives_the_answers(
    project: Project, query: NamedQuery, engine_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_engine(project, engine_name)
    assert isinstance(engine, OxigraphEngine | RdflibEngine)
    assert engine.has_daily_totals()
    with caplog.at_level(logging.DEBUG, logger="swapgraph.engine"):
        query.run(engine)
        assert "answered from the daily-totals view" in caplog.messages
        caplog.clear()
        load_named_queries(project)["third-states"].run(engine)
        assert "answered from the daily-totals view" not in caplog.messages
    assert on_view(query.text, None, engine.has_daily_totals) == daily_totals.RUNNING_TOTAL_QUERY
    # A dataset of the protocol's choosing is not the default graph the view was made from.
    dataset = QueryDataset(default_graphs=("urn:example:other",))
    assert on_view(query.text, dataset, engine.has_daily_totals) == query.text
    for name, other in load_named_queries(project).items():
        if name != NAME:
            assert on_view(other.text, None, engine.has_daily_totals) == other.text, name
    assert not OxigraphEngine(ox.Store()).has_daily_totals()


def test_remote_engine_sends_the_named_querys_own_text(query: NamedQuery) -> None:
    sent: list[str] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        sent.append(dict(httpx.QueryParams(request.content.decode()))["query"])
        body = {"head": {"vars": ["state"]}, "results": {"bindings": []}}
        return httpx.Response(
            200, json=body, headers={"content-type": "application/sparql-results+json"}
        )

    engine = RemoteEngine("http://endpoint.test/sparql")
    engine.client = httpx.Client(transport=httpx.MockTransport(endpoint))
    query.run(engine)
    engine.query_serialized(query.text, ["application/sparql-results+json"], query.bind({}))
    assert len(sent) == 2
    for text in sent:
        assert daily_totals.GRAPH not in text
        assert "swap:peopleCount" in text


def _rows(result: object) -> Rows:
    assert isinstance(result, SelectResult)
    assert result.variables == COLUMNS
    return [
        (
            str(row["state"]),
            str(row["state_label"]) if row["state_label"] is not None else None,
            row["date"].toPython(),  # type: ignore[union-attr]
            int(row["returned"]),  # type: ignore[arg-type]
            int(row["running_total"]),  # type: ignore[arg-type]
        )
        for row in result.rows
    ]


def _without_view(engine: OxigraphEngine | RdflibEngine) -> OxigraphEngine | RdflibEngine:
    if isinstance(engine, OxigraphEngine):
        engine.store.remove_graph(ox.NamedNode(daily_totals.GRAPH))
    else:
        engine.dataset.remove_graph(URIRef(daily_totals.GRAPH))
    assert not engine.has_daily_totals()
    return engine


def _both_ways(
    engine: Engine, without: Engine, query: NamedQuery, params: dict[str, str]
) -> tuple[Rows, Rows]:
    """The rows from the view, and from the named query's own text on ``without`` the view."""
    bindings = query.bind(params)
    from_view = engine.query(daily_totals.RUNNING_TOTAL_QUERY, bindings)
    direct = without.query(query.text, bindings)
    assert isinstance(from_view, SelectResult) and isinstance(direct, SelectResult)
    assert from_view.rows == direct.rows, params  # the same terms, in the same order
    return _rows(from_view), _rows(direct)


def generated_graph(seed: int = 14) -> Graph:
    """Exchanges over eight years: several states, several exchanges on some days.

    One state has no label, and one receiver is no ``swap:State`` (it never counts).
    """
    rng = random.Random(seed)
    graph = Graph()
    receivers = [URIRef(f"https://example.org/state/{code}") for code in ("aa", "bb", "cc", "dd")]
    for number, receiver in enumerate(receivers):
        if number < 3:
            graph.add((receiver, RDF.type, SWAP.State))
        if number != 1:
            graph.add((receiver, RDFS.label, Literal(f"State {number}")))
    days = [date(2019, 1, 1) + timedelta(days=rng.randrange(8 * 365)) for _ in range(120)]
    days += [date(2024, 2, 29), date(2024, 3, 1), date(2023, 12, 31), date(2024, 1, 1)]
    for number, day in enumerate(days + days[:20]):  # some days twice: totals of a day add up
        exchange = URIRef(f"https://example.org/exchange/{number}")
        graph.add((exchange, SWAP.date, Literal(day.isoformat(), datatype=XSD.date)))
        for receiver in rng.sample(receivers, 2):
            transfer = BNode()
            graph.add((exchange, SWAP.transfer, transfer))
            graph.add((transfer, SWAP.receivedBy, receiver))
            graph.add((transfer, SWAP.peopleCount, Literal(rng.randint(1, 90))))
    return graph


GENERATED_RANGES = [
    {},
    {"from": "2019-01-01", "to": "2026-12-31"},
    {"from": "2020-06-17", "to": "2024-02-29"},  # from mid-month, to a leap day
    {"from": "2021-11-30", "to": "2022-01-15"},  # over a year's end
    {"from": "2023-02-14", "to": "2023-02-27"},  # within one month
    {"from": "2024-02-29", "to": "2024-02-29"},  # one day
    {"from": "2024-03-01", "to": "2026-07-04"},
    {"from": "2018-05-05", "to": "2019-03-03"},  # starts before the data
    {"from": "2027-01-01"},  # after the data
]


@pytest.fixture(scope="module")
def generated_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    file = tmp_path_factory.mktemp("generated") / "exchanges.nt"
    generated_graph().serialize(file, format="nt", encoding="utf-8")
    return [file]


ENGINES: dict[str, Callable[[list[Path]], OxigraphEngine | RdflibEngine]] = {
    "oxigraph": OxigraphEngine.from_files,
    "rdflib": RdflibEngine.from_files,
}


@pytest.mark.parametrize("engine_name", sorted(ENGINES))
def test_view_and_direct_sums_agree_on_generated_data(
    query: NamedQuery, generated_files: list[Path], engine_name: str
) -> None:
    engine = ENGINES[engine_name](generated_files)
    assert engine.has_daily_totals()
    # rdflib adds the totals up directly in a minute here: its own way is compared on the
    # real graph (slow), and its view's answers with the sums made in Python.
    without = _without_view(OxigraphEngine.from_files(generated_files))
    graph = generated_graph()
    states: set[str] = set()
    years: set[int] = set()
    months: set[tuple[int, int]] = set()
    for params in GENERATED_RANGES:
        bindings = query.bind(params)
        from_view = _rows(engine.query(daily_totals.RUNNING_TOTAL_QUERY, bindings))
        direct = _rows(without.query(query.text, bindings))
        assert from_view == direct, params
        first, last = (bindings[name].toPython() for name in ("from", "to"))
        assert from_view == expected_rows(graph, first, last), params
        # The named query as an engine is given it: from the view, the same rows again.
        assert _rows(query.run(engine, params)) == from_view
        states |= {row[0] for row in from_view}
        years |= {row[2].year for row in from_view}
        months |= {(row[2].year, row[2].month) for row in from_view}
    assert len(states) == 3 and len(years) == 8 and len(months) > 40  # spread as intended


VIEW_ROWS = f"""
PREFIX view: <{daily_totals.VIEW}>
SELECT ?state ?date ?returned ?before ?previous WHERE {{
  GRAPH <{daily_totals.GRAPH}> {{
    ?row view:state ?state ; view:date ?date ; view:returned ?returned ; view:before ?before .
    OPTIONAL {{ ?row view:previous ?previous }}
  }}
}} ORDER BY ?state ?date
"""


def test_the_view_is_whole_however_many_batches_it_is_loaded_in(
    generated_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The view's quads go to the bulk loader a batch at a time (its memory at 1M triples).
    whole = OxigraphEngine.from_files(generated_files).query(VIEW_ROWS)
    monkeypatch.setattr(swapgraph.oxigraph_load, "_VIEW_BATCH", 7)
    monkeypatch.setattr(swapgraph.oxigraph_load, "_VIEW_LINES", 7)
    batched = OxigraphEngine.from_files(generated_files).query(VIEW_ROWS)
    assert isinstance(whole, SelectResult) and isinstance(batched, SelectResult)
    assert len(whole.rows) > 200  # about 1,000 quads: some 150 batches of 7
    assert batched.rows == whole.rows


@pytest.mark.parametrize("engine_name", sorted(ENGINES))
def test_a_state_that_is_a_blank_node_is_the_datas_own_node_in_the_view(
    tmp_path: Path, query: NamedQuery, engine_name: str
) -> None:
    # The view of IRI states is loaded as text, whose blank nodes the bulk loader renames:
    # a blank-node state written there would be a new node, with no label and no link.
    # Blank nodes come before IRIs in either engine's order, and each engine orders them its
    # own way: the view's rows must come in that order too.
    graph = generated_graph()
    for number in range(6):
        state = BNode()
        graph.add((state, RDF.type, SWAP.State))
        graph.add((state, RDFS.label, Literal(f"A state without an IRI, {number}")))
        exchange = URIRef(f"https://example.org/exchange/blank-{number}")
        transfer = BNode()
        graph.add((exchange, SWAP.date, Literal(f"2022-0{number + 1}-10", datatype=XSD.date)))
        graph.add((exchange, SWAP.transfer, transfer))
        graph.add((transfer, SWAP.receivedBy, state))
        graph.add((transfer, SWAP.peopleCount, Literal(number + 1)))
    file = tmp_path / "blank-state.nt"
    graph.serialize(file, format="nt", encoding="utf-8")
    engine = ENGINES[engine_name]([file])
    assert engine.has_daily_totals()
    bindings = query.bind({})
    # Blank nodes are named anew at each load: both ways are asked of the same engine, the
    # direct one in a text that is the named query's but for a space, which it runs as is.
    direct_text = query.text.replace("swap:peopleCount ?count", "swap:peopleCount  ?count")
    assert daily_totals.view_query_for(direct_text) is None
    from_view = _rows(engine.query(daily_totals.RUNNING_TOTAL_QUERY, bindings))
    direct = _rows(engine.query(direct_text, bindings))
    assert len(direct) > 100
    assert from_view[:6] == direct[:6]  # the blank-node states, in the engine's order
    assert from_view == direct
    assert ("A state without an IRI, 4", date(2022, 5, 10), 5, 5) in [row[1:] for row in direct]


# Oxigraph only: rdflib takes 20 s to add the totals up directly on the real graph, and its
# answers from the view are checked against day-by-day sums by test_running_total_query.
@pytest.mark.parametrize("engine_name", ["oxigraph"])
def test_view_and_direct_sums_agree_on_the_real_graph(
    project: Project, query: NamedQuery, engine_name: str
) -> None:
    engine = open_engine(project, engine_name)
    assert isinstance(engine, OxigraphEngine | RdflibEngine)
    without = _without_view(open_engine(project, engine_name))  # type: ignore[arg-type]
    for params in RANGES:
        from_view, direct = _both_ways(engine, without, query, params)
        assert from_view == direct
    assert from_view == []  # the last range has no day


def test_without_the_view_the_engine_adds_up_directly(
    project: Project, query: NamedQuery, caplog: pytest.LogCaptureFixture
) -> None:
    with_view = OxigraphEngine.from_project(project)
    without = _without_view(OxigraphEngine.from_project(project))
    assert on_view(query.text, None, without.has_daily_totals) == query.text
    with caplog.at_level(logging.DEBUG, logger="swapgraph.engine"):
        query.run(without)
    assert "answered from the daily-totals view" not in caplog.messages
    for params in RANGES[:-1]:
        expected = query.run(with_view, params)
        got = query.run(without, params)
        assert isinstance(got, SelectResult) and isinstance(expected, SelectResult)
        assert got.rows == expected.rows, params
        assert got.rows


def test_data_the_view_cannot_hold_is_added_up_directly(tmp_path: Path, query: NamedQuery) -> None:
    graph = generated_graph()
    exchange = URIRef("https://example.org/exchange/zoned")
    transfer = BNode()
    zoned = Literal("2024-05-05Z", datatype=XSD.date, normalize=False)  # a time zone
    graph.add((exchange, SWAP.date, zoned))
    graph.add((exchange, SWAP.transfer, transfer))
    graph.add((transfer, SWAP.receivedBy, URIRef("https://example.org/state/aa")))
    graph.add((transfer, SWAP.peopleCount, Literal(7)))
    file = tmp_path / "zoned.nt"
    graph.serialize(file, format="nt", encoding="utf-8")
    engine = OxigraphEngine.from_files([file])
    assert not engine.has_daily_totals()
    result = query.run(engine, {"from": "2024-01-01"})
    assert isinstance(result, SelectResult)
    # Answered by adding up directly, not from an empty view: every other day is there.
    days = {(str(row["state"]), row["date"].toPython()) for row in result.rows}  # type: ignore[union-attr]
    expected = expected_rows(generated_graph(), date(2024, 1, 1), date(2100, 12, 31))
    assert {(state, day) for state, _, day, _, _ in expected} <= days


def test_cached_store_holds_the_view(project: Project, tmp_path: Path) -> None:
    for folder in ("ontology", "graph", "shapes"):
        shutil.copytree(project.root / folder, tmp_path / folder)
    copy = Project.open(tmp_path)
    engine = OxigraphEngine.from_project_cache(copy)
    assert engine.has_daily_totals()
    result = engine.query(f"ASK {{ {IN_VIEW} }}")
    assert getattr(result, "value", None) is True


def test_view_left_empty_where_python_cannot_order_as_sparql() -> None:
    day, integer = daily_totals.XSD_DATE, daily_totals.XSD_INTEGER
    good = ("s", "2025-05-23", day, "3", integer)
    assert daily_totals.view_rows([good, ("s", "2025-05-01", day, "2", integer)]) == [
        ("s", "2025-05-01", 2, 0, None),
        ("s", "2025-05-23", 3, 2, "2025-05-01"),
    ]
    for bad in [
        ("s", "2025-05-23Z", day, "3", integer),  # a time zone
        ("s", "20250523", day, "3", integer),  # not canonical
        ("s", "2025-05", "http://www.w3.org/2001/XMLSchema#gYearMonth", "3", integer),
        ("s", "2025-05-24", day, "3.5", "http://www.w3.org/2001/XMLSchema#decimal"),
        ("s", "2025-05-24", day, "-1", integer),  # a negative count
        ("s", "2025-05-24", day, str(2**63 - 3), integer),  # a total past 64 bits
    ]:
        assert daily_totals.view_rows([good, bad]) == []
    assert daily_totals.view_rows([good, ("s", "2025-05-24", day, str(2**63 - 4), integer)])


def test_json_of_both_ways_is_the_same(project: Project, query: NamedQuery) -> None:
    # What the HTTP API serves: the bytes Oxigraph writes from either text.
    engine = OxigraphEngine.from_project(project)
    without = _without_view(OxigraphEngine.from_project(project))
    bindings = query.bind({"from": "2023-03-15"})
    accepted = ["application/sparql-results+json"]
    from_view = engine.query_serialized(query.text, accepted, bindings)
    direct = without.query_serialized(query.text, accepted, bindings)
    assert from_view.body == direct.body
    assert json.loads(from_view.body)["results"]["bindings"]
