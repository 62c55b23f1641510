"""One name resolver: labels, alternative labels, codes, Wikidata ids, IRIs; typos named."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from swapgraph.engine import OxigraphEngine
from swapgraph.errors import ParameterError, UnknownNameError
from swapgraph.namespaces import ID, bind_prefixes
from swapgraph.paths import Project
from swapgraph.resolve import Resolver, for_engine, key

TURKEY = URIRef(f"{ID}state/turkey")
TURKEY_NAMES = [
    "Republic of Turkiye",
    "Türkiye",
    "TURKIYE",
    "TR",
    "tur",
    "Q43",
    "wd:Q43",
    "http://www.wikidata.org/entity/Q43",
    "state:turkey",
    f"<{TURKEY}>",
    str(TURKEY),
    "turkey",
]


@pytest.fixture(scope="module")
def names(project: Project) -> Resolver:
    return for_engine(OxigraphEngine.from_project(project))


@pytest.mark.parametrize("name", TURKEY_NAMES)
def test_every_name_of_turkey_resolves_to_it(names: Resolver, name: str) -> None:
    assert names.resolve(name) == TURKEY


def test_the_same_names_over_an_rdflib_graph(project: Project) -> None:
    graph = bind_prefixes(Graph())
    for path in project.graph_files():
        graph.parse(path)
    resolver = Resolver.from_graph(graph)
    assert {resolver.resolve(name) for name in TURKEY_NAMES} == {TURKEY}


@pytest.mark.parametrize(
    ("name", "close"),
    [
        ("state:ukrane", "Ukraine (state:ukraine)"),
        ("Ukrane", "Ukraine (state:ukraine)"),
        ("Rusia", "Russia (state:russia)"),
        ("Emirates", "United Arab Emirates (state:united-arab-emirates)"),
    ],
)
def test_a_typo_is_an_error_naming_close_matches(names: Resolver, name: str, close: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        names.resolve(name, kind="state")
    assert str(caught.value).startswith(f"unknown state {name!r} (did you mean: ")
    assert close in caught.value.suggestions
    assert isinstance(caught.value, ParameterError), "a bad value: 422 over HTTP, exit 2"


def test_among_restricts_the_answer_and_the_suggestions(names: Resolver) -> None:
    russia = URIRef(f"{ID}state/russia")
    with pytest.raises(UnknownNameError, match="unknown mediator 'Russia'") as caught:
        names.resolve("Russia", kind="mediator", among={TURKEY})
    assert caught.value.suggestions == []
    assert names.resolve("Russia", among={russia, TURKEY}) == russia


def test_a_name_of_several_things_is_an_error_naming_them() -> None:
    a, b = URIRef(f"{ID}person/a"), URIRef(f"{ID}person/b")
    resolver = Resolver.from_rows([(a, "label", "Ivan Petrov"), (b, "other", "ivan petrov")])
    with pytest.raises(UnknownNameError, match="is ambiguous: it names"):
        resolver.resolve("Ivan Petrov")
    assert resolver.resolve("person:b") == b


def test_keys_ignore_case_accents_and_punctuation() -> None:
    assert key("  Côte d'Ivoire ") == key("COTE D IVOIRE") == "cote d ivoire"
    assert key("Россия") == "россия", "other scripts are kept, not dropped"


def test_the_resolver_a_server_keeps_is_small() -> None:
    # A server keeps the resolver for its life. With rdflib terms and a set per name, 32,000
    # named nodes (the benchmark's million triples) held 107 MiB; one string per IRI and no
    # set for a name of one node keep a third of that.
    import gc
    import tracemalloc

    from rdflib import Literal

    count = 10_000
    rows = [
        (URIRef(f"{ID}person/p{i}"), "label", Literal(f"Person number {i}")) for i in range(count)
    ]
    rows += [(URIRef(f"{ID}person/p{i}"), "other", Literal(f"P{i}")) for i in range(count)]
    gc.collect()
    tracemalloc.start()
    try:
        resolver = Resolver.from_rows(rows)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert resolver.resolve("person number 17") == URIRef(f"{ID}person/p17")
    assert resolver.resolve("p17") == URIRef(f"{ID}person/p17")
    assert held / count < 800, f"{held / count:.0f} bytes per named node"


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_an_iri_is_resolved_without_reading_every_name(project: Project, engine_name: str) -> None:
    # A server reads the tables of every name only for a name that needs them (38 MiB and a
    # second at a million triples); the named queries' defaults and API clients give IRIs.
    # Each engine binds the looked-up IRI its own way (Oxigraph's substitutions, rdflib's
    # initial bindings; a remote endpoint gets a VALUES block, see test_remote_virtuoso).
    from swapgraph.engine import open_engine

    engine = open_engine(project, engine_name)
    for name in (
        "state:turkey",
        f"<{TURKEY}>",
        str(TURKEY),
        "wd:Q43",
        "http://www.wikidata.org/entity/Q43",
    ):
        lazy = Resolver(source=engine)
        assert lazy.resolve(name) == TURKEY
        assert lazy.source is engine and not lazy.keys, f"{name}: the tables were read"
    lazy = Resolver(source=engine)
    assert lazy.resolve("state:turkey", among={TURKEY}) == TURKEY
    assert not lazy.keys


def test_a_lazy_resolver_answers_as_one_read_whole(project: Project) -> None:
    engine = OxigraphEngine.from_project(project)
    whole = Resolver.from_engine(engine)
    russia = URIRef(f"{ID}state/russia")
    for name in [*TURKEY_NAMES, "state:ukrane", "Ukrane", "<urn:nothing>", "state:", "Q0"]:
        for among in (None, {russia}):
            lazy = Resolver(source=engine)
            answers: list[object] = []
            for resolver in (whole, lazy):
                try:
                    answers.append(resolver.resolve(name, among=among))
                except UnknownNameError as error:
                    answers.append(str(error))
            assert answers[0] == answers[1], (name, among)
    lazy = Resolver(source=engine)
    assert lazy.label(TURKEY) == whole.label(TURKEY)
    assert lazy.source is None, "a label needs the tables"


def test_a_named_query_with_iris_reads_no_table_of_names(project: Project) -> None:
    from swapgraph.named_queries import load_named_queries

    engine = OxigraphEngine.from_project(project)
    query = load_named_queries(project)["exchanges-between"]
    bindings = query.bind({}, engine)
    assert bindings["state_a"] == URIRef(f"{ID}state/russia")
    assert for_engine(engine).source is engine
    assert for_engine(engine).found, "the IRIs looked up are kept"
    query.bind({"state_a": "Russia"}, engine)
    assert for_engine(engine).source is None, "a label needs the tables"
    assert not for_engine(engine).found, "which answer from then on"


def test_an_iri_is_asked_of_the_engine_once_and_the_answers_kept_are_bounded() -> None:
    # Each lookup is a job for the server's workers, queued behind queries under load: a named
    # query sent again with the same IRIs asks nothing more. Clients may send any IRI, so
    # what is kept has a bound.
    from collections.abc import Mapping
    from typing import Any

    import pyoxigraph as ox

    from swapgraph.engine import QueryResult

    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for i in range(1_100):
        store.add(ox.Quad(ox.NamedNode(f"{ID}person/p{i}"), label, ox.Literal(f"P {i}")))
    inner = OxigraphEngine(store)
    asked: list[str] = []

    class Counting:
        name = "oxigraph"

        def query(
            self, sparql: str, bindings: Mapping[str, Any] | None = None, dataset: Any = None
        ) -> QueryResult:
            asked.append(sparql)
            return inner.query(sparql, bindings, dataset)

        def query_serialized(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("not used")

    resolver = Resolver(source=Counting())
    for i in range(1_100):
        assert resolver.resolve(f"person:p{i}") == URIRef(f"{ID}person/p{i}")
    assert len(asked) == 1_100
    assert len(resolver.found) == 1_024
    resolver.resolve("person:p1099")
    assert len(asked) == 1_100, "kept: not asked again"
    resolver.resolve("person:p0")
    assert len(asked) == 1_101, "the oldest was let go"
    assert not resolver.keys, "no table was read"
