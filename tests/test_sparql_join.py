from __future__ import annotations

import random

import pytest
import rdflib.plugins.sparql
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.evalutils import _join
from rdflib.plugins.sparql.sparql import FrozenBindings, FrozenDict, QueryContext

import swapgraph.engine  # noqa: F401  (installs the join)
from swapgraph.sparql_join import _NAME, hash_join

EX = "https://example.org/"
VARIABLES = [Variable(name) for name in ("a", "b", "c", "d")]
# Terms that are equal as strings but not as RDF terms must not match.
VALUES = [URIRef(f"{EX}1"), Literal(f"{EX}1"), Literal("1"), Literal(1), Literal("x", lang="en")]


def solutions(rng: random.Random, ctx: QueryContext, count: int) -> list[FrozenDict]:
    """Solutions with some variables unbound, and some bound only by the query (?d)."""
    made: list[FrozenDict] = []
    for _ in range(count):
        bound = {v: rng.choice(VALUES) for v in VARIABLES if rng.random() < 0.6}
        made.append(FrozenBindings(ctx, bound) if rng.random() < 0.8 else FrozenDict(bound))
    return made


@pytest.mark.parametrize("seed", range(40))
def test_the_hash_join_yields_what_rdflibs_join_yields_in_its_order(seed: int) -> None:
    rng = random.Random(seed)
    ctx = QueryContext(Graph(), initBindings={Variable("d"): VALUES[0]})
    left = solutions(rng, ctx, rng.randrange(0, 30))
    right = set(solutions(rng, ctx, rng.randrange(0, 30)))
    assert list(hash_join(left, right)) == list(_join(left, right))


def test_a_join_with_a_grouped_subquery_answers_as_without_the_hash_join(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = Graph()
    for n in range(60):
        item = URIRef(f"{EX}item/{n}")
        graph.add((item, URIRef(f"{EX}group"), Literal(n % 7)))
        graph.add((item, URIRef(f"{EX}size"), Literal(n)))
        if n % 5:
            graph.add((item, URIRef(f"{EX}label"), Literal(f"item {n}")))
    # DISTINCT keeps rdflib from joining by substitution: it compares the two sides.
    query = f"""
        PREFIX ex: <{EX}>
        SELECT ?item ?group ?label ?total WHERE {{
          ?item ex:group ?group .
          OPTIONAL {{ ?item ex:label ?label }}
          {{ SELECT DISTINCT ?group (SUM(?size) AS ?total)
             WHERE {{ ?i ex:group ?group ; ex:size ?size }}
             GROUP BY ?group }}
        }} ORDER BY ?item"""
    assert _NAME in rdflib.plugins.sparql.CUSTOM_EVALS
    hashed = [tuple(row) for row in graph.query(query)]
    monkeypatch.delitem(rdflib.plugins.sparql.CUSTOM_EVALS, _NAME)
    nested = [tuple(row) for row in graph.query(query)]
    assert hashed == nested and len(hashed) == 60
