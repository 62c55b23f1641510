"""Loading a project's files into a pyoxigraph store, with the daily-totals view.

What a store's build and a dump run in a child process (see :mod:`swapgraph.child`), so it
imports pyoxigraph and nothing heavier: a child imports the module of the function it runs,
and one that imported the engine (rdflib, its SPARQL plugin, httpx) started at 57 MiB
before loading anything, where pyoxigraph alone takes 24. rdflib is imported only to
report a syntax error with file and line, or to read a syntax Oxigraph does not.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from swapgraph import daily_totals, formats

#: Quads of the daily-totals view given to the bulk loader at once, as terms.
_VIEW_BATCH = 10_000
#: Lines of N-Quads of the view given to the bulk loader at once.
_VIEW_LINES = 50_000


def fill(store: ox.Store, files: Sequence[Path], named_graphs: Mapping[str, Path] | None) -> None:
    """Load ``files`` into the default graph of ``store``, and the view of daily totals.

    Args:
        store: A new, empty store.
        files: Files for the default graph.
        named_graphs: Graph IRI to the file loaded as that named graph.

    Raises:
        RDFSyntaxError: If a file is not well-formed RDF (with file, line and column).
    """
    targets: list[tuple[Path, ox.DefaultGraph | ox.NamedNode]] = [
        (file, ox.DefaultGraph()) for file in files
    ]
    targets += [(file, ox.NamedNode(iri)) for iri, file in (named_graphs or {}).items()]
    for file, graph in targets:
        fmt = formats.oxigraph_reads(file.suffix)
        if fmt is None:
            from swapgraph.load import parse_file

            # Oxigraph cannot read this syntax (JSON-LD files of a project): rdflib can.
            data = parse_file(file).serialize(format="nt", encoding="utf-8")
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        else:
            try:
                store.bulk_load(path=str(file), format=fmt, to_graph=graph)
            except SyntaxError:
                from swapgraph.load import parse_file

                parse_file(file)  # raises the error with rdflib's file:line:col message
                raise
    add_daily_totals(store)


def add_daily_totals(store: ox.Store) -> None:
    """Compute the view of :mod:`swapgraph.daily_totals` into its named graph."""
    solutions = store.query(daily_totals.PER_DAY_QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    per_day: list[daily_totals.PerDay] = []
    blank: dict[str, ox.BlankNode] = {}
    for state, day, returned in solutions:
        if not (
            isinstance(state, ox.NamedNode | ox.BlankNode)
            and isinstance(day, ox.Literal)
            and isinstance(returned, ox.Literal)
        ):
            return
        key = daily_totals.state_key(state.value, isinstance(state, ox.BlankNode))
        if isinstance(state, ox.BlankNode):
            blank[key] = state
        day_type, returned_type = day.datatype.value, returned.datatype.value
        per_day.append((key, day.value, day_type, returned.value, returned_type))
    statements = daily_totals.view_statements(per_day)
    if blank:
        _load_view_terms(store, statements, blank)
    else:
        _load_view_text(store, statements)


def _load_view_text(store: ox.Store, statements: Iterable[daily_totals.Statement]) -> None:
    """Load the view as N-Quads text, a few thousand statements at a time.

    At 1M triples (197k quads of an earlier form of the view) this took 1.5 s of CPU where
    quads made as Python terms took 3.5 (2.3 in calls of 10,000 lines: each call has its
    cost), for a build's peak 40 MiB higher, reached while validation beside it is past its
    own peak. Every state is an IRI here: the bulk loader would rename a blank node.
    """
    day = f" <{daily_totals.DAY}> "
    graph = f" <{daily_totals.GRAPH}> .\n"
    lines: list[str] = []
    for state, text in statements:
        if len(lines) >= _VIEW_LINES:
            store.bulk_load("".join(lines), format=ox.RdfFormat.N_QUADS)
            lines.clear()
        # The state as Oxigraph writes it (escaped where N-Quads needs it); the string is
        # digits, dashes and spaces (see daily_totals): no escaping.
        lines.append(f'{ox.NamedNode(state)}{day}"{text}"{graph}')
    if lines:
        store.bulk_load("".join(lines), format=ox.RdfFormat.N_QUADS)


def _load_view_terms(
    store: ox.Store,
    statements: Iterable[daily_totals.Statement],
    blank: Mapping[str, ox.BlankNode],
) -> None:
    """Load the view as pyoxigraph terms: a state that is a blank node is the data's own."""
    graph = ox.NamedNode(daily_totals.GRAPH)
    day = ox.NamedNode(daily_totals.DAY)
    # Made as they are loaded, and loaded a few thousand at a time: the bulk loader
    # buffers what it is given. At 1M triples (197k quads of an earlier form of the view),
    # a store's build peaked at 351 MiB with a list of every quad, 266 with one generator,
    # 173 in batches of 10,000, which is what loading the data alone takes (167); no slower.
    quads = (
        ox.Quad(blank.get(state) or ox.NamedNode(state), day, ox.Literal(text), graph)
        for state, text in statements
    )
    while batch := list(itertools.islice(quads, _VIEW_BATCH)):
        store.bulk_extend(batch)


def write_store(files: Sequence[Path], path: Path, named_graphs: Mapping[str, Path] | None) -> None:
    """Load ``files`` into a new on-disk store at ``path``, compacted and closed.

    The arguments are :func:`fill`'s, and the store's folder, made by the build.
    """
    store = ox.Store(str(path))
    fill(store, files, named_graphs)
    store.optimize()  # compacted once, as Oxigraph advises for a store that is only read
    store.flush()
    del store  # closes the store, so that it can be renamed and opened read-only


def write_dump(files: Sequence[Path], path: Path, named_graphs: Mapping[str, Path] | None) -> None:
    """Write the dataset :func:`write_store` would hold (view included) to ``path`` as N-Quads.

    The arguments are :func:`write_store`'s; ``path`` is a file, written over.
    """
    store = ox.Store()
    fill(store, files, named_graphs)
    store.dump(str(path), format=ox.RdfFormat.N_QUADS)
