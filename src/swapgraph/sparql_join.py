"""A hash join for rdflib's SPARQL evaluator, which joins two solution sequences pairwise.

rdflib evaluates a join it cannot do by substitution (one side holds a subquery with
``GROUP BY``, ``DISTINCT`` or ``ORDER BY``, as the named queries' sorted lists do) by
comparing every solution of one side with every solution of the other: 800 rows on each
side are 640,000 comparisons, most of a query's time. :func:`hash_join` indexes the second
side by the variables bound in all of its solutions and compares each solution of the first
side only with those that agree on them; it yields the same solutions in the same order.

It is installed through rdflib's documented hook for custom evaluation
(``rdflib.plugins.sparql.CUSTOM_EVALS``) by :mod:`swapgraph.engine`, for the whole process,
like the engine's other rdflib settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import rdflib.plugins.sparql
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import FrozenDict, QueryContext

__all__ = ["hash_join", "install"]

_NAME = "swapgraph-hash-join"


def _has(solution: Mapping[Any, Any], variable: Any) -> bool:
    # A solution of rdflib answers for a variable it lacks from the query's initial
    # bindings, as rdflib's own compatibility test does.
    try:
        solution[variable]
    except KeyError:
        return False
    return True


def hash_join(left: Iterable[FrozenDict], right: Iterable[FrozenDict]) -> Iterator[FrozenDict]:
    """Join two solution sequences as rdflib's ``_join`` does, without comparing every pair.

    Args:
        left: The first side's solutions.
        right: The second side's solutions.

    Yields:
        Each compatible pair merged, in the order of ``left``, then of ``right``.
    """
    others = list(right)
    if not others:
        return
    everywhere: dict[Any, bool] = {}
    indexes: dict[tuple[Any, ...], dict[tuple[Any, ...], list[FrozenDict]]] = {}
    for solution in left:
        keys = []
        for variable in solution:
            if variable not in everywhere:
                everywhere[variable] = all(_has(other, variable) for other in others)
            if everywhere[variable]:
                keys.append(variable)
        candidates: Iterable[FrozenDict] = others
        if keys:
            keys.sort()
            key = tuple(keys)
            index = indexes.get(key)
            if index is None:
                index = {}
                for other in others:
                    index.setdefault(tuple(other[v] for v in key), []).append(other)
                indexes[key] = index
            candidates = index.get(tuple(solution[v] for v in key), ())
        # The full test still runs: variables bound in only some solutions of the right.
        for other in candidates:
            if solution.compatible(other):
                yield solution.merge(other)


def _eval_join(ctx: QueryContext, part: CompValue) -> Iterator[FrozenDict]:
    if part.name != "Join" or part.lazy:
        raise NotImplementedError  # rdflib's own evaluation, as for every other part
    # As rdflib's evalJoin: the first side as it comes, the second one as a set.
    left = evalPart(ctx, part.p1)
    right = set(evalPart(ctx, part.p2))
    return hash_join(left, right)


def install() -> None:
    """Make rdflib's SPARQL evaluator use :func:`hash_join` (once per process)."""
    rdflib.plugins.sparql.CUSTOM_EVALS[_NAME] = _eval_join
