"""Loading a project's files into a pyoxigraph store, with the daily-totals view.

What a store's build and a dump run in a child process (see :mod:`swapgraph.child`), so it
imports pyoxigraph and nothing heavier: a child imports the module of the function it runs,
and one that imported the engine (rdflib, its SPARQL plugin, httpx) started at 57 MiB
before loading anything, where pyoxigraph alone takes 24. rdflib is imported only to
report a syntax error with file and line, or to read a syntax Oxigraph does not.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from swapgraph import daily_totals, formats

#: Quads of the daily-totals view given to the bulk loader at once, as terms.
_VIEW_BATCH = 10_000
#: Lines of N-Quads of the view given to the bulk loader at once, at least (whole rows).
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
    states: dict[str, ox.NamedNode | ox.BlankNode] = {}
    for state, day, returned in solutions:
        if not (
            isinstance(state, ox.NamedNode | ox.BlankNode)
            and isinstance(day, ox.Literal)
            and isinstance(returned, ox.Literal)
        ):
            return
        states[str(state)] = state
        per_day.append(
            (str(state), day.value, day.datatype.value, returned.value, returned.datatype.value)
        )
    statements = daily_totals.view_statements(per_day)
    if all(isinstance(state, ox.NamedNode) for state in states.values()):
        _load_view_text(store, statements)
    else:
        _load_view_terms(store, statements, states)


def _load_view_text(store: ox.Store, statements: Iterable[daily_totals.Statement]) -> None:
    """Load the view as N-Quads text, a few thousand rows at a time.

    At 1M triples (197k quads) this took 1.5 s of CPU where quads made as Python terms
    took 3.5 (2.3 in calls of 10,000 lines: each call has its cost), for a build's peak
    40 MiB higher, reached while validation beside it is past its own peak. The bulk
    loader renames blank nodes at each call, so a row's statements go in one call, and
    a state (always an IRI here) is written as itself.
    """
    graph = f"<{daily_totals.GRAPH}> .\n"
    properties = {name: f"<{daily_totals.VIEW}{name}> " for name in daily_totals.PROPERTIES}
    lines: list[str] = []
    row = -1
    for index, name, value, datatype in statements:
        if index != row:  # a row's statements come together: a call ends between rows
            if len(lines) >= _VIEW_LINES:
                store.bulk_load("".join(lines), format=ox.RdfFormat.N_QUADS)
                lines.clear()
            row = index
        # Dates and integers are canonical lexical forms (see daily_totals): no escaping.
        term = value if datatype is None else f'"{value}"^^<{datatype}>'
        lines.append(f"_:r{index} {properties[name]}{term} {graph}")
    if lines:
        store.bulk_load("".join(lines), format=ox.RdfFormat.N_QUADS)


def _load_view_terms(
    store: ox.Store,
    statements: Iterable[daily_totals.Statement],
    states: Mapping[str, ox.NamedNode | ox.BlankNode],
) -> None:
    """Load the view as pyoxigraph terms: a state that is a blank node is the data's own."""
    graph = ox.NamedNode(daily_totals.GRAPH)
    properties = {name: ox.NamedNode(daily_totals.VIEW + name) for name in daily_totals.PROPERTIES}
    datatypes = {
        iri: ox.NamedNode(iri) for iri in (daily_totals.XSD_DATE, daily_totals.XSD_INTEGER)
    }
    subjects: defaultdict[int, ox.BlankNode] = defaultdict(ox.BlankNode)
    # Made as they are loaded, and loaded a few thousand at a time: the bulk loader
    # buffers what it is given. At 1M triples (197k quads of the view), a store's build
    # peaked at 351 MiB with a list of every quad, 266 with one generator, 173 in
    # batches of 10,000, which is what loading the data alone takes (167); no slower.
    quads = (
        ox.Quad(
            subjects[index],
            properties[name],
            states[value] if datatype is None else ox.Literal(value, datatype=datatypes[datatype]),
            graph,
        )
        for index, name, value, datatype in statements
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
