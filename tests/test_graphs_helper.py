"""The tests' isomorphism check tells renamed blank nodes from changed triples."""

from __future__ import annotations

from rdflib import Graph

from tests.graphs import isomorphic

_CHAIN = """@prefix ex: <https://example.org/> .
_:{a} ex:next _:{b} . _:{b} ex:next _:{c} . _:{c} ex:label "{label}" .
_:{a} ex:label "same" . _:{b} ex:label "same" .
"""


def _graph(label: str = "end", names: tuple[str, str, str] = ("a", "b", "c")) -> Graph:
    a, b, c = names
    return Graph().parse(data=_CHAIN.format(a=a, b=b, c=c, label=label), format="turtle")


def test_blank_node_names_do_not_matter() -> None:
    assert isomorphic(_graph(), _graph(names=("x", "y", "z")))
    assert isomorphic(_graph(), _graph(names=("c", "b", "a")))


def test_one_changed_literal_or_missing_triple_is_seen() -> None:
    assert not isomorphic(_graph(), _graph(label="other"))
    shorter = _graph()
    shorter.remove((None, None, next(iter(shorter.objects()))))
    assert not isomorphic(_graph(), shorter)
