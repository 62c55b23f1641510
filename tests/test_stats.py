from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest

from swapgraph.cli import main
from swapgraph.engine import Engine, select
from swapgraph.errors import SwapgraphError
from swapgraph.paths import Project
from swapgraph.stats import Table, compute_stats, render, select_tables
from tests.exports_fixture import real_engine, reference_engine, small_engine, small_project

__all__ = ["real_engine", "reference_engine", "small_engine", "small_project"]

PREFIXES = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# A transfer's people, 0 where no source gave a number (the stats count known numbers).
PEOPLE = "OPTIONAL { ?t swap:peopleCount ?c } BIND(COALESCE(?c, 0) AS ?n)"

PER_YEAR = f"""{PREFIXES}
SELECT ?year (COUNT(DISTINCT ?e) AS ?exchanges) (SUM(?people) AS ?total) WHERE {{
  ?e a swap:Exchange ; swap:date ?d . BIND(YEAR(?d) AS ?year)
  OPTIONAL {{
    SELECT ?e (SUM(?n) AS ?people) WHERE {{ ?e swap:transfer ?t . {PEOPLE} }} GROUP BY ?e
  }}
}} GROUP BY ?year
"""

MEDIATORS = f"""{PREFIXES}
SELECT ?label (COUNT(DISTINCT ?e) AS ?exchanges) (SUM(?n) AS ?people) WHERE {{
  {{ SELECT DISTINCT ?actor ?e WHERE {{
      ?e swap:mediation ?m . ?m swap:actor ?actor ; swap:role ?role .
      FILTER(?role != swap:TransitStateRole) }} }}
  ?actor rdfs:label ?label .
  OPTIONAL {{ ?e swap:transfer ?t . {PEOPLE} }}
}} GROUP BY ?label
"""

DELIVERED = f"""{PREFIXES}
SELECT ?agreement ?party (SUM(?n) AS ?delivered) WHERE {{
  ?e swap:implements ?a ; swap:transfer ?t . ?t swap:releasedBy ?p . {PEOPLE}
  ?a rdfs:label ?agreement . ?p rdfs:label ?party .
}} GROUP BY ?agreement ?party
"""

STATE_TOTALS = f"""{PREFIXES}
SELECT ?state (SUM(?out) AS ?released) (SUM(?in) AS ?received) WHERE {{
  ?e swap:transfer ?t .
  {{ ?t swap:releasedBy ?s BIND("out" AS ?way) }}
  UNION {{ ?t swap:receivedBy ?s BIND("in" AS ?way) }}
  ?s a swap:State ; rdfs:label ?state .
  {PEOPLE}
  BIND(IF(?way = "out", ?n, 0) AS ?out) BIND(IF(?way = "in", ?n, 0) AS ?in)
}} GROUP BY ?state
"""

COUNTERPARTS = f"""{PREFIXES}
SELECT DISTINCT ?a ?b WHERE {{
  {{ ?e swap:transfer ?t . ?t swap:releasedBy ?x ; swap:receivedBy ?y }}
  UNION {{ ?e swap:mediation/swap:actor ?x . ?e swap:transfer ?t .
           {{ ?t swap:releasedBy ?y }} UNION {{ ?t swap:receivedBy ?y }} }}
  FILTER(?x != ?y)
  ?x rdfs:label ?a . ?y rdfs:label ?b .
}}
"""


def table(tables: list[Table], name: str) -> list[dict[str, object]]:
    return [r for t in tables if t.name == name for r in t.records()]


def number(value: object) -> int:
    return int(value)  # type: ignore[call-overload,no-any-return]


def check_against_sparql(stats_engine: Engine, sparql_engine: Engine) -> list[Table]:
    tables = compute_stats(stats_engine)
    per_year = {r["year"]: (r["exchanges"], r["people"]) for r in table(tables, "per_year")}
    assert per_year == {
        number(r["year"]): (number(r["exchanges"]), number(r["total"] or 0))
        for r in select(sparql_engine, PER_YEAR)
    }
    mediators = {r["mediator"]: (r["exchanges"], r["people"]) for r in table(tables, "mediators")}
    assert mediators == {
        str(r["label"]): (number(r["exchanges"]), number(r["people"]))
        for r in select(sparql_engine, MEDIATORS)
    }
    delivered = {
        (r["agreement"], r["party"]): r["delivered"]
        for r in table(tables, "agreements")
        if r["stages"]
    }
    expected = {
        (str(r["agreement"]), str(r["party"])): number(r["delivered"])
        for r in select(sparql_engine, DELIVERED)
    }
    assert {k: v for k, v in delivered.items() if k in expected} == expected
    last: dict[object, tuple[object, object]] = {}
    for row in table(tables, "running_totals"):
        last[row["state"]] = (row["total_released"], row["total_received"])
    assert last == {
        str(r["state"]): (number(r["released"]), number(r["received"]))
        for r in select(sparql_engine, STATE_TOTALS)
    }
    neighbours: dict[str, set[str]] = defaultdict(set)
    for r in select(sparql_engine, COUNTERPARTS):
        neighbours[str(r["a"])].add(str(r["b"]))
        neighbours[str(r["b"])].add(str(r["a"]))
    degrees = {r["actor"]: r["degree"] for r in table(tables, "centrality")}
    assert degrees == {actor: len(others) for actor, others in neighbours.items()}
    return tables


@pytest.mark.slow  # the reference answers come from the rdflib engine
def test_stats_equal_sparql_answers_on_the_fixture(
    small_engine: Engine, reference_engine: Engine
) -> None:
    tables = check_against_sparql(small_engine, reference_engine)
    assert table(tables, "mediators")[0] == {
        "rank": 1, "mediator": "Turkey", "exchanges": 3, "people": 2000, "disputed": 0,
        "roles": "host",
    }  # fmt: skip
    uae = next(r for r in table(tables, "mediators") if r["mediator"] == "United Arab Emirates")
    assert uae["disputed"] == 1
    assert table(tables, "agreements") == [
        {"agreement": "Istanbul agreement (1000 for 1000)", "date": "2025-05-16", "stages": 3,
         "party": party, "promised": 1000, "delivered": 1000, "uncounted": 0}
        for party in ("Russia", "Ukraine")
    ]  # fmt: skip
    pairs = table(tables, "per_pair")
    assert pairs[0] == {
        "state_a": "Russia", "state_b": "Ukraine", "exchanges": 6, "a_to_b": 1336,
        "b_to_a": 1316, "people": 2652, "first": "2022-03-24", "last": "2025-05-25",
    }  # fmt: skip
    by_year = table(tables, "mediators_by_year")
    assert [r["mediator"] for r in by_year if r["year"] == 2024] == [
        "United Arab Emirates", "National Intelligence Organization (MIT)",
    ]  # fmt: skip
    betweenness = {r["actor"]: r["betweenness"] for r in table(tables, "centrality")}
    assert max(betweenness, key=lambda a: float(betweenness[a])) == "Russia"  # type: ignore[arg-type]


def test_stats_equal_sparql_answers_on_the_real_graph(real_engine: Engine) -> None:
    tables = check_against_sparql(real_engine, real_engine)
    top = [r["mediator"] for r in table(tables, "mediators")][:2]
    assert top == ["United Arab Emirates", "Turkey"]


def test_render_formats(small_engine: Engine) -> None:
    tables = compute_stats(small_engine)
    records = json.loads(render(tables, "json"))
    assert list(records) == [t.name for t in tables]
    assert records["per_year"][0] == {"year": 2022, "exchanges": 2, "people": 52}
    one = select_tables(tables, ["per_pair"])
    rows = list(csv.DictReader(io.StringIO(render(one, "csv"))))
    assert rows[0]["state_a"] == "Russia" and rows[0]["people"] == "2652"
    sections = render(tables, "csv").split("\n\n")
    assert [s.splitlines()[0] for s in sections] == [f"# {t.name}" for t in tables]
    text = render(tables, "table")
    assert "per_year\n========\nyear  exchanges  people" in text
    with pytest.raises(SwapgraphError, match="unknown stats table 'flows'"):
        select_tables(tables, ["flows"])


def test_stats_command(small_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(small_project.root)
    assert main(["stats", "--project", root, "--format", "json", "--table", "mediators"]) == 0
    assert json.loads(capsys.readouterr().out)["mediators"][0]["mediator"] == "Turkey"
    assert main(["stats", "--project", root, "--table", "nope"]) == 2
    assert capsys.readouterr().err.startswith("swapgraph: error: unknown stats table 'nope'")


def test_stats_filters_take_every_name_and_refuse_typos(
    capsys: pytest.CaptureFixture[str], project: Project
) -> None:
    def per_year(*filters: str) -> tuple[int, str, str]:
        code = main(["stats", "--project", str(project.root), "--table", "per_year", *filters])
        out, err = capsys.readouterr()
        return code, out, err

    by_iri = per_year("--mediator", "state:turkey", "--from", "2022-01-01")
    assert by_iri[0] == 0 and by_iri[1] != per_year()[1]
    for name in ("Republic of Turkiye", "Q43"):
        assert per_year("--mediator", name, "--from", "2022-01-01") == by_iri
    code, out, err = per_year("--mediator", "Turky")
    assert (code, out) == (2, "")
    assert err.startswith("swapgraph: error: unknown mediator 'Turky' (did you mean: Turkey")
    code, out, err = per_year("--from", "2025-01-01", "--to", "2024-01-01")
    assert (code, out) == (2, "")
    assert "from (2025-01-01) is after to (2024-01-01)" in err
