from __future__ import annotations

import pytest

from swapgraph.engine import Engine, select
from swapgraph.errors import SwapgraphError
from swapgraph.views import COLUMNS, Filters, build_view, load_facts
from tests.exports_fixture import real_engine, reference_engine, small_engine, small_project

__all__ = ["real_engine", "reference_engine", "small_engine", "small_project"]

STATE = "https://w3id.org/swapgraph/id/state/"
ORG = "https://w3id.org/swapgraph/id/organisation/"

FLOWS = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?from ?to (SUM(?n) AS ?people) (COUNT(DISTINCT ?e) AS ?exchanges)
       (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {
  ?e swap:date ?d ; swap:transfer ?t .
  ?t swap:releasedBy ?from ; swap:receivedBy ?to .
  OPTIONAL { ?t swap:peopleCount ?count }
  BIND(COALESCE(?count, 0) AS ?n)
  FILTER(?from != ?to)
} GROUP BY ?from ?to
"""


def flows(engine: Engine) -> dict[tuple[str, str], tuple[int, int, str, str]]:
    return {
        (str(r["from"]), str(r["to"])): (
            int(r["people"]),  # type: ignore[arg-type]
            int(r["exchanges"]),  # type: ignore[arg-type]
            str(r["first"]),
            str(r["last"]),
        )
        for r in select(engine, FLOWS)
    }


def test_actors_view_transfer_edges_equal_sparql_sums(
    small_engine: Engine, reference_engine: Engine
) -> None:
    view = build_view(small_engine, "actors")
    expected = flows(reference_engine)
    released = {
        (u, v): (d["people"], d["exchanges"], d["first"], d["last"])
        for u, v, k, d in view.edges(keys=True, data=True)
        if k == "released"
    }
    assert released == expected
    assert released[STATE + "russia", STATE + "ukraine"] == (1336, 6, "2022-03-24", "2025-05-25")


def test_actor_nodes_carry_labels_types_and_identifiers(small_engine: Engine) -> None:
    view = build_view(small_engine, "actors")
    uae = view.nodes[STATE + "united-arab-emirates"]
    assert uae["label"] == "United Arab Emirates"
    assert (uae["type"], uae["wikidata"], uae["iso2"], uae["iso3"]) == (
        "state",
        "Q878",
        "AE",
        "ARE",
    )
    assert uae["third_party"] == 1
    mit = view.nodes[ORG + "turkey-mit"]
    assert (mit["label"], mit["type"]) == (
        "National Intelligence Organization (MIT)",
        "organisation",
    )
    assert "wikidata" not in mit  # unknown values are left out, never None
    for node, data in view.nodes(data=True):
        assert data["label"] and data["label"] != node
        assert set(data) <= set(COLUMNS["actors"][0])
        assert None not in data.values()


def test_mediation_edges_point_from_third_party_to_each_party(small_engine: Engine) -> None:
    view = build_view(small_engine, "actors")
    mediated = {(u, v): d for u, v, k, d in view.edges(keys=True, data=True) if k == "mediator"}
    uae_to_russia = mediated[STATE + "united-arab-emirates", STATE + "russia"]
    # 8 Dec 2022 (1 + 1 people, disputed), 31 Jan 2024 (207 + 195), 8 Feb 2024 (100 + 100)
    assert (uae_to_russia["exchanges"], uae_to_russia["people"]) == (3, 604)
    assert uae_to_russia["disputed"] == 1
    assert uae_to_russia["dates"] == "2022-12-08 2024-01-31 2024-02-08"
    assert {v for u, v in mediated if u == ORG + "turkey-mit"} == {
        STATE + s
        for s in ("russia", "belarus", "united-states", "germany", "poland", "slovenia", "norway")
    }
    host = view.edges[STATE + "turkey", STATE + "ukraine", "host"]
    assert (host["kind"], host["exchanges"], host["people"]) == ("third party", 3, 2000)


def test_exchanges_view_is_bipartite_with_typed_roles(small_engine: Engine) -> None:
    view = build_view(small_engine, "exchanges")
    exchanges = {n for n, d in view.nodes(data=True) if d["type"] == "exchange"}
    assert len(exchanges) == 8
    for u, v in view.edges():
        assert u in exchanges and v not in exchanges
    roles = {k for *_, k in view.edges(keys=True)}
    assert roles == {"released by", "received by", "mediator", "host", "transit state"}
    ankara = "https://w3id.org/swapgraph/id/exchange/2024-08-01-ru-by-us-de"
    assert view.nodes[ankara]["people"] == 26
    assert view.edges[ankara, STATE + "belarus", "released by"]["people"] == 16


def test_rdf_view_has_one_edge_per_triple(small_engine: Engine, reference_engine: Engine) -> None:
    count = select(
        reference_engine,
        """SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o
           FILTER(!STRSTARTS(STR(?s), "https://w3id.org/swapgraph/ontology")) }""",
    )[0]["n"]
    view = build_view(small_engine, "rdf")
    assert view.number_of_edges() == int(count)  # type: ignore[arg-type]
    assert view.nodes[STATE + "russia"]["label"] == "Russia"
    assert view.nodes[STATE + "russia"]["class"] == "state"


def test_filters_by_dates_states_and_mediators(small_engine: Engine) -> None:
    facts = load_facts(small_engine)
    ids = {
        str(i).rsplit("/", 1)[1] for i in Filters.parse("2024-01-01", "2024-12-31").select(facts)
    }
    assert ids == {"2024-01-31-ru-ua", "2024-02-08-ru-ua", "2024-08-01-ru-by-us-de"}
    both = Filters.parse(states=["RUS", "United States"]).select(facts)
    assert {str(i).rsplit("/", 1)[1] for i in both} == {
        "2022-12-08-ru-us",
        "2024-08-01-ru-by-us-de",
    }
    uae = Filters.parse(mediators=["UAE"]).select(facts)  # matched by skos:altLabel
    assert len(uae) == 3
    by_iri = Filters.parse(mediators=[ORG + "turkey-mit", "Q851"]).select(facts)
    assert {str(i).rsplit("/", 1)[1] for i in by_iri} == {
        "2022-12-08-ru-us",
        "2024-08-01-ru-by-us-de",
    }
    view = build_view(small_engine, "actors", Filters.parse(start="2025-01-01"))
    assert view.edges[STATE + "russia", STATE + "ukraine", "released"]["people"] == 1000
    assert STATE + "united-states" not in view


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (Filters(states=("Rusia",)), "unknown state 'Rusia' (did you mean: Russia"),
        (Filters(mediators=("Ukraine",)), "unknown mediator 'Ukraine'"),
    ],
)
def test_unknown_filter_names_are_errors(
    small_engine: Engine, filters: Filters, message: str
) -> None:
    with pytest.raises(SwapgraphError, match=message.replace("(", r"\(")):
        filters.select(load_facts(small_engine))


def test_bad_dates_are_errors() -> None:
    with pytest.raises(SwapgraphError, match=r"from: '2024-13-01' is not a date"):
        Filters.parse(start="2024-13-01")


def test_real_graph_actors_show_the_main_third_parties(real_engine: Engine) -> None:
    view = build_view(real_engine, "actors")
    for slug, label in (
        ("united-arab-emirates", "United Arab Emirates"),
        ("turkey", "Turkey"),
        ("belarus", "Belarus"),
    ):
        node = view.nodes[STATE + slug]
        assert (node["label"], node["third_party"]) == (label, 1)
    released = {
        (u, v): d["people"] for u, v, k, d in view.edges(keys=True, data=True) if k == "released"
    }
    assert released == {k: v[0] for k, v in flows(real_engine).items()}
