"""Import researched exchanges from a CSV file into the knowledge graph.

The CSV has one row per exchange (or per separately reported part of one), with the columns
``id,date,party_a,party_b,released_by_a,released_by_b,a_military,a_civilians,b_military,
b_civilians,named_individuals,mediators,location,transit,agreement,agreement_date,
agreement_place,source,quote,confidence,notes``. ``released_by_a`` is the number of people
``party_a`` freed; an empty cell means no source stated the value; several sources in one
cell are separated by ``" ; "``.

The import is all or nothing:

1. every row is parsed and checked first; a malformed row (bad id or date, a count that is
   not a non-negative integer, a missing or unknown party, no source) is rejected with its
   CSV line number;
2. a row whose exchange is already in the graph (same ``dct:identifier``, or same date and
   same parties) is reported with its differences and never overwritten;
3. the other rows become new exchanges; states, organisations, persons, places and
   agreements are looked up among those already in the graph (by ``rdfs:label``,
   ``skos:altLabel``, ISO 3166 code or Wikidata id) and never invented: a name that matches
   nothing is reported, with close matches, and its text is kept as ``rdfs:comment``;
4. the whole resulting graph is validated against the project's shapes
   (:func:`swapgraph.validate.validate_additions`, :mod:`swapgraph.fast_validate`'s engine);
5. only if no row was rejected and the graph conforms are the files of ``graph/`` written
   (exchanges by year, ``exchanges-<year>.ttl``, and new sources in ``sources.ttl``), all in
   one all-or-nothing step. Otherwise nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from swapgraph.errors import RDFSyntaxError, SwapgraphError, UnknownNameError
from swapgraph.journal import commit, fingerprint, project_lock
from swapgraph.load import parse_file, read_utf8
from swapgraph.namespaces import ID, SWAP, bind_prefixes
from swapgraph.paths import Project
from swapgraph.report import ValidationReport
from swapgraph.resolve import Resolver, key
from swapgraph.turtle import serialize
from swapgraph.validate import validate_additions, validate_graph

__all__ = [
    "COLUMNS",
    "Duplicate",
    "ImportReport",
    "Names",
    "RowError",
    "Unmapped",
    "Validator",
    "check_date",
    "check_texts",
    "exchange_slug",
    "full_validator",
    "import_csv",
    "read_rows",
]

#: The CSV's columns, in order.
COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "party_a",
    "party_b",
    "released_by_a",
    "released_by_b",
    "a_military",
    "a_civilians",
    "b_military",
    "b_civilians",
    "named_individuals",
    "mediators",
    "location",
    "transit",
    "agreement",
    "agreement_date",
    "agreement_place",
    "source",
    "quote",
    "confidence",
    "notes",
)

#: Checks a graph against the project's shapes; returns one message per violation.
Validator = Callable[[Graph], Sequence[str]]

_ID = re.compile(
    r"^(?P<parties>[A-Z]{2}(?:-[A-Z]{2})+)-(?P<date>\d{4}-\d{2}-\d{2})(?P<part>[a-z]?)$"
)
_MONTH = re.compile(r"^\d{4}-\d{2}$")
#: The dates an exchange may carry; the shapes hold the same bounds (swapsh:ExchangeDate).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
_CONFIDENCE = {"high": SWAP.HighConfidence, "low": SWAP.LowConfidence}
ACTOR_TYPES = (SWAP.State, SWAP.Organisation, SWAP.Person)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_ABBR = {m[:3].lower(): i + 1 for i, m in enumerate(_MONTHS)}
# Dates written into article addresses: /2024/08/24/, /2022/0325/, /2024/jul/17/,
# /2022-03-24/, /20250620/.
_URL_DATES = (
    re.compile(r"/(?P<y>20\d\d)/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$)"),
    re.compile(r"/(?P<y>20\d\d)/(?P<m>\d\d)(?P<d>\d\d)(?:/|$)"),
    re.compile(r"/(?P<y>20\d\d)/(?P<m>[a-z]{3})/(?P<d>\d{1,2})(?:/|$)"),
    re.compile(r"/(?P<y>20\d\d)-(?P<m>\d\d)-(?P<d>\d\d)(?:/|$)"),
    re.compile(r"/(?P<y>20\d\d)(?P<m>\d\d)(?P<d>\d\d)(?:/|$)"),
)


@dataclass(frozen=True)
class RowError:
    """A row that cannot be imported.

    Attributes:
        line: The CSV line the row starts on (the header is line 1).
        row_id: The row's ``id`` cell, if any.
        message: What is wrong.
    """

    line: int
    row_id: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.row_id or 'no id'}): {self.message}"


@dataclass(frozen=True)
class Unmapped:
    """Text that did not map to a node of the graph and was kept as a comment.

    Attributes:
        line: The CSV line of the row.
        row_id: The row's id.
        column: The column the text comes from.
        text: The text kept.
        suggestions: Labels of existing nodes that are close matches.
    """

    line: int
    row_id: str
    column: str
    text: str
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        hint = f" (close matches: {', '.join(self.suggestions)})" if self.suggestions else ""
        return (
            f"line {self.line} ({self.row_id}) {self.column}: kept as comment: {self.text!r}{hint}"
        )


@dataclass(frozen=True)
class Duplicate:
    """A row whose exchange is already in the graph; the graph is left as it is.

    Attributes:
        line: The CSV line of the row.
        row_id: The row's id.
        existing: The exchange already in the graph.
        differences: How the row differs from it (empty if it says the same).
    """

    line: int
    row_id: str
    existing: URIRef
    differences: tuple[str, ...]

    def __str__(self) -> str:
        if not self.differences:
            return f"line {self.line} ({self.row_id}): already in the graph as <{self.existing}>"
        diffs = "; ".join(self.differences)
        return f"line {self.line} ({self.row_id}): differs from <{self.existing}>: {diffs}"


@dataclass
class ImportReport:
    """What an import did, or would do.

    Attributes:
        added: The exchanges added (or that would be added, on a dry run or a failure).
        duplicates: Rows already in the graph, with their differences.
        errors: Rejected rows; if any, nothing was written.
        unmapped: Text kept as comments because it matched no node.
        violations: Validation messages; if any, nothing was written.
        written: The files written.
    """

    added: list[URIRef] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if no row was rejected and the resulting graph conforms."""
        return not self.errors and not self.violations


@dataclass(frozen=True)
class _Person:
    node: Node
    keys: tuple[str, ...]  # each name, normalised and padded with spaces
    countries: frozenset[Node]


@dataclass(frozen=True)
class _Lookups:
    """What every row looks up in the curated graph, indexed once per import."""

    publishers: dict[str, Node]
    persons: tuple[_Person, ...]

    @classmethod
    def of(cls, existing: Graph) -> _Lookups:
        persons = tuple(
            _Person(
                person,
                tuple(
                    f" {key(str(n))} "
                    for p in (RDFS.label, SKOS.altLabel)
                    for n in existing.objects(person, p)
                ),
                frozenset(existing.objects(person, SWAP.country)),
            )
            for person in existing.subjects(RDF.type, SWAP.Person)
        )
        return cls(publisher_index(existing), persons)


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    iri: URIRef
    date: dt.date
    parties_a: list[URIRef]
    parties_b: list[URIRef]
    counts: dict[str, int]
    sources: list[str]


def read_graph_files(project: Project) -> tuple[dict[Path, str | None], dict[Path, Graph], Graph]:
    """Read the project's graph files for an edit, as ``new`` and ``import-csv`` both do.

    Returns:
        Each file's :func:`~swapgraph.journal.fingerprint` as read (handed to the write, which
        refuses to replace a file that changed meanwhile), each file's graph, and their union.
    """
    seen: dict[Path, str | None] = {path: fingerprint(path) for path in project.graph_files()}
    files = {path: parse_file(path) for path in seen}
    existing = bind_prefixes(Graph())
    for graph in files.values():
        existing += graph
    return seen, files, existing


class Names:
    """The actors or the places of the graph, looked up by :class:`~swapgraph.resolve.Resolver`.

    The importer resolves names by the same rules as every other command (label,
    alternative label, ISO code, Wikidata id, prefixed name or IRI; case, accents and
    punctuation aside), among the nodes of the kind a column names.
    """

    def __init__(self, resolver: Resolver, graph: Graph, types: Iterable[URIRef]) -> None:
        self.resolver = resolver
        self.among = frozenset(
            node
            for cls in types
            for node in graph.subjects(RDF.type, cls)
            if isinstance(node, URIRef)
        )

    def resolve(self, name: str, kind: str) -> URIRef:
        """Return the node ``name`` denotes; raise UnknownNameError naming close matches."""
        return self.resolver.resolve(name, kind=kind, among=self.among)

    def find(self, name: str) -> URIRef | None:
        """Return the one node that ``name`` denotes, or None if none or several do."""
        try:
            return self.resolve(name, "name")
        except UnknownNameError:
            return None

    def suggest(self, name: str) -> tuple[str, ...]:
        """Return up to five nodes whose names are close to ``name``, as shown to people."""
        return tuple(self.resolver.suggest(name, self.among))

    def label(self, node: URIRef) -> str:
        """Return the name ``node`` is shown by."""
        return self.resolver.label(node)


def check_date(date: dt.date) -> None:
    """Refuse an exchange date outside the range the shapes accept.

    Args:
        date: The day of an exchange.

    Raises:
        SwapgraphError: If the date is before :data:`FIRST_DATE` or after :data:`LAST_DATE`
            (a typo such as 9999 would otherwise create ``graph/exchanges-9999.ttl``).
    """
    if not FIRST_DATE <= date <= LAST_DATE:
        raise SwapgraphError(f"date {date} is outside {FIRST_DATE} to {LAST_DATE}")


def exchange_slug(row_id: str) -> str:
    """Return the slug of an exchange IRI for a CSV id.

    ``RU-UA-2025-05-23`` gives ``2025-05-23-ru-ua``; a trailing letter marks a separately
    reported part: ``RU-UA-2022-09-21b`` gives ``2022-09-21-ru-ua-b``.

    Args:
        row_id: The CSV id.

    Returns:
        The slug.

    Raises:
        SwapgraphError: If the id is not ``PARTIES-YYYY-MM-DD[part]``.
    """
    match = _ID.match(row_id)
    if match is None:
        raise SwapgraphError(f"id {row_id!r} is not of the form RU-UA-2025-05-23")
    slug = f"{match['date']}-{match['parties'].lower()}"
    return f"{slug}-{match['part']}" if match["part"] else slug


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Read the CSV, keeping each row's starting line number.

    Args:
        path: The CSV file.

    Returns:
        ``(line, cells)`` per row, cells stripped of surrounding spaces.

    Raises:
        SwapgraphError: If the file cannot be read or lacks columns.
    """
    # The byte order mark that Excel's "CSV UTF-8" puts first is dropped.
    text = read_utf8(path, bom=True)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SwapgraphError(f"{path}: missing columns: {', '.join(missing)}")
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num + 1
        for record in reader:
            cells = {k: (v or "").strip() for k, v in record.items() if k is not None}
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise SwapgraphError(f"{path}:{reader.line_num}: cannot read CSV: {exc}") from exc
    return rows


def import_csv(
    project: Project,
    csv_path: Path,
    *,
    dry_run: bool = False,
    validator: Validator | None = None,
) -> ImportReport:
    """Import the rows of ``csv_path`` into the project's graph, all or nothing.

    Every row is parsed first; rows already in the graph are reported with their
    differences and left alone; the other rows are added. The resulting graph is validated
    and, only if no row was rejected and it conforms, the changed files of ``graph/`` are
    written in one all-or-nothing step. If anything is rejected, nothing is written.

    Args:
        project: The graph project to import into.
        csv_path: The CSV file.
        dry_run: Check and report, but write nothing.
        validator: Checks the resulting graph; by default the project's SHACL shapes.

    Returns:
        The report; ``report.ok`` tells whether the import succeeded, ``report.written``
        which files were written.

    Raises:
        SwapgraphError: If the CSV or the project cannot be read.
    """
    if dry_run:
        return _import(project, csv_path, dry_run, validator)
    # The lock covers the read as well as the write, so that nothing written by another
    # command in between is overwritten.
    with project_lock(project.root):
        return _import(project, csv_path, dry_run, validator)


def _import(
    project: Project, csv_path: Path, dry_run: bool, validator: Validator | None
) -> ImportReport:
    report = ImportReport()
    seen, files, existing = read_graph_files(project)
    resolver = Resolver.from_graph(existing)
    actors = Names(resolver, existing, ACTOR_TYPES)
    places = Names(resolver, existing, (SWAP.Place,))

    parsed: list[_Row] = []
    seen_ids: dict[str, int] = {}
    for line, cells in read_rows(csv_path):
        row = _parse_row(line, cells, actors, report)
        if row is None:
            continue
        if cells["id"] in seen_ids:
            report.errors.append(
                RowError(line, cells["id"], f"same id as line {seen_ids[cells['id']]}")
            )
            continue
        seen_ids[cells["id"]] = line
        parsed.append(row)

    # Each new triple is added once, straight into the graph of the file it belongs to
    # (exchanges by year, sources in sources.ttl): rdflib's add is the costly part of a
    # large import, so the triples are neither gathered first nor copied per file later.
    new_by_file: dict[Path, Graph] = {}

    def new_graph(path: Path) -> Graph:
        if path not in new_by_file:
            # rdflib's store without named-graph bookkeeping: a third quicker to fill.
            new_by_file[path] = bind_prefixes(Graph(store=SimpleMemory()))
        return new_by_file[path]

    lookups = _Lookups.of(existing)
    for row in parsed:
        duplicate = _find_existing(existing, row)
        if duplicate is not None:
            candidate = bind_prefixes(Graph())
            _build(candidate, candidate, row, actors, places, existing, ImportReport(), lookups)
            differences = _differences(existing, duplicate, candidate, row.iri)
            report.duplicates.append(
                Duplicate(row.line, row.cells["id"], duplicate, tuple(differences))
            )
            continue
        year_file = project.graph_dir / f"exchanges-{row.date.year}.ttl"
        sources_file = project.graph_dir / "sources.ttl"
        _build(
            new_graph(year_file),
            new_graph(sources_file),
            row,
            actors,
            places,
            existing,
            report,
            lookups,
        )
        report.added.append(row.iri)

    if report.errors or not report.added:
        return report
    additions = ReadOnlyGraphAggregate(list(new_by_file.values()))
    if validator is not None:
        report.violations.extend(validator(existing + additions))
    else:
        report.violations.extend(_check_additions(project, existing, additions))
    if not report.ok or dry_run:
        return report

    # The file's current triples join the new ones (fewer, on a large import).
    targets = {path: graph for path, graph in new_by_file.items() if len(graph)}
    for path, graph in targets.items():
        for triple in files.get(path, ()):
            graph.add(triple)
    texts = {path: serialize(graph) for path, graph in targets.items()}
    check_texts(texts, {path: len(graph) for path, graph in targets.items()}, "import")
    commit(
        project.root,
        {path: text.encode("utf-8") for path, text in texts.items()},
        expected={path: seen.get(path) for path in texts},
    )
    report.written = sorted(texts)
    return report


def check_texts(texts: Mapping[Path, str], sizes: Mapping[Path, int], command: str) -> None:
    """Check that each text parses and holds the triples serialised, before any is written.

    :func:`swapgraph.turtle.write_files` re-parses with rdflib, which costs as much as the
    rest of a large import (and most of ``new``); Oxigraph's parser checks the same syntax
    (and the IRIs that Oxigraph accepts, which is what :mod:`swapgraph.load` insists on) in
    a fraction of it, and counting the triples also catches a serialiser that dropped some.

    Args:
        texts: The Turtle text of each file, as :func:`swapgraph.turtle.serialize` wrote it.
        sizes: The number of triples of each file's graph.
        command: The command writing, for the errors.

    Raises:
        RDFSyntaxError: If a text does not parse.
        SwapgraphError: If a text holds another number of triples.
    """
    for path, text in texts.items():
        try:
            count = sum(1 for _ in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
        except SyntaxError as error:
            raise RDFSyntaxError(path, f"{command} wrote invalid Turtle: {error}") from None
        if count != sizes[path]:
            raise SwapgraphError(
                f"{path}: {command} would write {count} triples instead of {sizes[path]}"
            )


# --------------------------------------------------------------------------- parsing


def _parse_row(
    line: int, cells: dict[str, str], actors: Names, report: ImportReport
) -> _Row | None:
    row_id = cells.get("id", "")
    problems: list[str] = []

    def fail() -> None:
        report.errors.extend(RowError(line, row_id, p) for p in problems)

    match = _ID.match(row_id)
    if match is None:
        problems.append(f"id {row_id!r} is not of the form RU-UA-2025-05-23")
    try:
        date = dt.date.fromisoformat(cells["date"])
    except ValueError:
        problems.append(f"date {cells['date']!r} is not a date (YYYY-MM-DD)")
        date = dt.date.min
    if date != dt.date.min and not FIRST_DATE <= date <= LAST_DATE:
        problems.append(f"date {cells['date']} is outside {FIRST_DATE} to {LAST_DATE}")
    if match is not None and date != dt.date.min and match["date"] != cells["date"]:
        problems.append(f"id {row_id!r} does not carry the date {cells['date']}")
    if cells["agreement_date"] and not _valid_date_or_month(cells["agreement_date"]):
        problems.append(f"agreement_date {cells['agreement_date']!r} is not YYYY-MM-DD or YYYY-MM")

    parties: dict[str, list[URIRef]] = {}
    for column in ("party_a", "party_b"):
        names = _split_list(cells[column])
        if not names:
            problems.append(f"{column} is empty")
        found: list[URIRef] = []
        for entry in names:
            name, _ = _name_and_detail(entry)
            try:
                found.append(actors.resolve(name, "actor"))
            except UnknownNameError as error:
                problems.append(f"{column}: {error}")
        parties[column] = found
    if set(parties["party_a"]) & set(parties["party_b"]):
        problems.append("party_a and party_b share an actor")

    counts: dict[str, int] = {}
    for column in ("released_by_a", "released_by_b", "a_military", "a_civilians", "b_military",
                   "b_civilians"):  # fmt: skip
        value = cells[column]
        if value == "":
            continue
        if not re.fullmatch(r"[0-9]+", value):
            problems.append(f"{column} {value!r} is not a non-negative integer")
            continue
        counts[column] = int(value)

    confidence = cells["confidence"].lower()
    if confidence and confidence not in _CONFIDENCE:
        problems.append(f"confidence {cells['confidence']!r} is not high or low")
    sources = [s for s in _split_sources(cells["source"]) if _is_url(s)]
    if not sources:
        problems.append("no source URL")
    if problems:
        fail()
        return None
    assert match is not None  # checked above; narrows the type
    return _Row(
        line=line,
        cells=cells,
        iri=ID[f"exchange/{exchange_slug(row_id)}"],
        date=date,
        parties_a=parties["party_a"],
        parties_b=parties["party_b"],
        counts=counts,
        sources=sources,
    )


def _valid_date_or_month(text: str) -> bool:
    try:
        if _MONTH.match(text):
            dt.date.fromisoformat(text + "-01")
        else:
            dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _split_list(cell: str) -> list[str]:
    """Split a cell on semicolons that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in cell:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == ";" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _split_sources(cell: str) -> list[str]:
    return [s.strip() for s in cell.split(" ; ") if s.strip()]


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


def _name_and_detail(entry: str) -> tuple[str, str]:
    """Split ``"Turkey (host of the talks)"`` into the name and the detail."""
    if "(" in entry:
        name, _, rest = entry.partition("(")
        return name.strip(), rest.rsplit(")", 1)[0].strip()
    return entry.strip(), ""


# --------------------------------------------------------------------------- building


def _build(
    graph: Graph,
    sources: Graph,
    row: _Row,
    actors: Names,
    places: Names,
    existing: Graph,
    report: ImportReport,
    lookups: _Lookups,
) -> None:
    cells = row.cells
    ex = row.iri

    def unmapped(column: str, text: str, suggestions: tuple[str, ...] = ()) -> None:
        report.unmapped.append(Unmapped(row.line, cells["id"], column, text, suggestions))

    def comment(text: str) -> None:
        graph.add((ex, RDFS.comment, Literal(text)))

    graph.add((ex, RDF.type, SWAP.Exchange))
    graph.add((ex, DCTERMS.identifier, Literal(cells["id"])))
    graph.add((ex, SWAP.date, Literal(row.date.isoformat(), datatype=XSD.date)))
    graph.add((ex, RDFS.label, Literal(_label(row, actors))))
    if cells["confidence"]:
        graph.add((ex, SWAP.confidence, _CONFIDENCE[cells["confidence"].lower()]))
    if cells["quote"]:
        graph.add((ex, SWAP.supportingQuote, Literal(cells["quote"])))
    if cells["notes"]:
        comment(cells["notes"])
    for column in ("party_a", "party_b"):
        for entry in _split_list(cells[column]):
            if _name_and_detail(entry)[1]:
                comment(f"{column}: {entry}")

    for url in row.sources:
        source = URIRef(url)
        graph.add((ex, DCTERMS.source, source))
        add_source(sources, existing, source, lookups.publishers)
    for text in _split_sources(cells["source"]):
        if not _is_url(text):
            comment(f"Source (not a web address): {text}")
            unmapped("source", text)

    transfers = _transfers(graph, row)
    _named_individuals(graph, row, transfers, lookups.persons, comment, unmapped)
    credit = [URIRef(u) for u in row.sources]
    for column, default_role in (("mediators", SWAP.MediatorRole),
                                 ("transit", SWAP.TransitStateRole)):  # fmt: skip
        for entry in _split_list(cells[column]):
            name, detail = _name_and_detail(entry)
            lowered = entry.lower()
            if column == "mediators" and (lowered.startswith(("none", "direct"))):
                graph.add((ex, SWAP.directNegotiation, Literal(True)))
                comment(f"Mediators: {entry}")
                continue
            actor = actors.find(name)
            if actor is None:
                comment(f"{column.capitalize()}: {entry}")
                unmapped(column, entry, actors.suggest(name))
                continue
            node = BNode()
            graph.add((ex, SWAP.mediation, node))
            graph.add((node, RDF.type, SWAP.Mediation))
            graph.add((node, SWAP.actor, actor))
            graph.add((node, SWAP.role, _role(detail, default_role)))
            for source in credit:
                graph.add((node, SWAP.creditedIn, source))
            if detail:
                graph.add((node, RDFS.comment, Literal(detail)))

    if cells["location"]:
        place = _find_place(places, cells["location"])
        if place is not None:
            graph.add((ex, SWAP.handoverPlace, place))
        else:
            unmapped("location", cells["location"], places.suggest(cells["location"]))
        comment(f"Location: {cells['location']}")

    agreement_text = " ".join(
        filter(None, (cells["agreement"], cells["agreement_date"], cells["agreement_place"]))
    )
    if agreement_text:
        agreement = _find_agreement(existing, places, cells)
        if agreement is not None:
            graph.add((ex, SWAP.implements, agreement))
        else:
            unmapped("agreement", agreement_text)
        comment(f"Agreement: {cells['agreement'] or agreement_text}")


def _label(row: _Row, actors: Names) -> str:
    match = _ID.match(row.cells["id"])
    return exchange_label(
        [actors.label(n) for n in row.parties_a],
        [actors.label(n) for n in row.parties_b],
        row.date,
        part=match["part"] if match is not None and match["part"] else "",
    )


def exchange_label(
    side_a: Sequence[str], side_b: Sequence[str], date: dt.date, part: str = ""
) -> str:
    """Name an exchange: "Russia\N{EN DASH}Ukraine exchange of 5 March 2026 (part b)".

    Args:
        side_a: Labels of the actors on one side.
        side_b: Labels of the actors on the other side.
        date: The day of the exchange.
        part: The letter of a second or later exchange of the same day, if any.
    """

    def names(labels: Sequence[str]) -> str:
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

    day = f"{date.day} {_MONTHS[date.month - 1]} {date.year}"
    label = f"{names(side_a)}\u2013{names(side_b)} exchange of {day}"
    return f"{label} (part {part})" if part else label


def _transfers(graph: Graph, row: _Row) -> dict[str, BNode]:
    """Add one transfer per direction; counts only where the row states them."""
    made: dict[str, BNode] = {}
    for side, released, received in (("a", row.parties_a, row.parties_b),
                                     ("b", row.parties_b, row.parties_a)):  # fmt: skip
        node = BNode()
        graph.add((row.iri, SWAP.transfer, node))
        graph.add((node, RDF.type, SWAP.Transfer))
        for actor in released:
            graph.add((node, SWAP.releasedBy, actor))
        for actor in received:
            graph.add((node, SWAP.receivedBy, actor))
        for column, prop in ((f"released_by_{side}", SWAP.peopleCount),
                             (f"{side}_military", SWAP.militaryCount),
                             (f"{side}_civilians", SWAP.civilianCount)):  # fmt: skip
            if column in row.counts:
                graph.add((node, prop, _integer(row.counts[column])))
        made[side] = node
    return made


@functools.lru_cache(maxsize=4096)
def _integer(value: int) -> Literal:
    # Counts repeat (0, 1, 50, ...), and building an rdflib Literal costs about 25 µs.
    return Literal(value, datatype=XSD.integer)


def _named_individuals(
    graph: Graph,
    row: _Row,
    transfers: dict[str, BNode],
    persons: Sequence[_Person],
    comment: Callable[[str], None],
    unmapped: Callable[[str, str], None],
) -> None:
    text = row.cells["named_individuals"]
    if not text:
        return
    comment(f"Named individuals: {text}")
    padded = f" {key(text)} "
    found = False
    for person in persons:
        if not any(name in padded for name in person.keys):
            continue
        # A released person goes home: the transfer received by the person's country.
        sides = [
            s for s in ("a", "b")
            if person.countries & set(row.parties_b if s == "a" else row.parties_a)
        ]  # fmt: skip
        if len(sides) == 1:
            graph.add((transfers[sides[0]], SWAP.releasedPerson, person.node))
            found = True
    if not found:
        unmapped("named_individuals", text)


def _role(detail: str, default: URIRef) -> URIRef:
    lowered = detail.lower()
    if default == SWAP.TransitStateRole:
        return default
    if "host" in lowered:
        return SWAP.HostRole
    if "facilitat" in lowered:
        return SWAP.FacilitatorRole
    if "guarant" in lowered:
        return SWAP.GuarantorRole
    return default


def _find_place(places: Names, text: str) -> URIRef | None:
    name, _ = _name_and_detail(text)
    candidates = [name, *(part.strip() for part in name.split(","))]
    for candidate in candidates:
        place = places.find(candidate)
        if place is not None:
            return place
    return None


def _find_agreement(existing: Graph, places: Names, cells: dict[str, str]) -> URIRef | None:
    """Find the agreement of the row's date (and venue, when the row names one)."""
    when = cells["agreement_date"]
    if not when:
        return None
    venue = _find_place(places, cells["agreement_place"]) if cells["agreement_place"] else None
    matches = []
    for agreement in existing.subjects(RDF.type, SWAP.Agreement):
        date = existing.value(agreement, SWAP.date)
        if date is None or not str(date).startswith(when):
            continue
        if len(when) == 7 and existing.value(agreement, SWAP.datePrecision) != SWAP.MonthPrecision:
            continue
        if venue is not None and (agreement, SWAP.venue, venue) not in existing:
            continue
        matches.append(agreement)
    return matches[0] if len(matches) == 1 and isinstance(matches[0], URIRef) else None


def add_source(
    graph: Graph, existing: Graph, source: URIRef, publishers: Mapping[str, Node] | None = None
) -> None:
    """Add ``source`` to ``graph`` as a swap:Source, with its outlet and date where known.

    Args:
        graph: Where to add the source.
        existing: The graph already curated.
        source: The article's address.
        publishers: :func:`publisher_index` of ``existing``, when adding many sources.
    """
    if (source, RDF.type, SWAP.Source) in existing:
        return
    graph.add((source, RDF.type, SWAP.Source))
    # An outlet already named for another article of the same site is named again.
    index = publishers if publishers is not None else publisher_index(existing)
    name = index.get(_host(str(source)))
    if name is not None:
        graph.add((source, SWAP.publisherName, name))
    issued = url_date(str(source))
    if issued is not None:
        graph.add((source, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))


def publisher_index(existing: Graph) -> dict[str, Node]:
    """Map each web site of the graph's sources to the outlet name first given for it."""
    index: dict[str, Node] = {}
    for other in existing.subjects(RDF.type, SWAP.Source):
        name = existing.value(other, SWAP.publisherName)
        if name is not None:
            index.setdefault(_host(str(other)), name)
    return index


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")


def url_date(url: str) -> dt.date | None:
    """Return the publication date an article's address states in its path, if any.

    Args:
        url: The address.

    Returns:
        The date, or None if the path holds no unambiguous date.
    """
    path = urlsplit(url).path.lower()
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match is None:
            continue
        month_text = match["m"]
        month = _MONTH_ABBR.get(month_text) if month_text.isalpha() else int(month_text)
        if month is None:
            continue
        try:
            return dt.date(int(match["y"]), month, int(match["d"]))
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- duplicates


def _parties(graph: Graph, exchange: Node) -> frozenset[Node]:
    found: set[Node] = set()
    for transfer in graph.objects(exchange, SWAP.transfer):
        found.update(graph.objects(transfer, SWAP.releasedBy))
        found.update(graph.objects(transfer, SWAP.receivedBy))
    return frozenset(found)


def _find_existing(existing: Graph, row: _Row) -> URIRef | None:
    for exchange in existing.subjects(DCTERMS.identifier, Literal(row.cells["id"])):
        if isinstance(exchange, URIRef):
            return exchange
    if (row.iri, RDF.type, SWAP.Exchange) in existing:
        return row.iri
    parties = frozenset(row.parties_a + row.parties_b)
    date = Literal(row.date.isoformat(), datatype=XSD.date)
    for exchange in existing.subjects(SWAP.date, date):
        if (
            isinstance(exchange, URIRef)
            and (exchange, RDF.type, SWAP.Exchange) in existing
            and _parties(existing, exchange) == parties
        ):
            return exchange
    return None


def _summary(graph: Graph, exchange: Node) -> dict[str, str]:
    summary: dict[str, str] = {}
    for prop, name in ((SWAP.date, "date"), (DCTERMS.identifier, "id")):
        value = graph.value(exchange, prop)
        summary[name] = str(value) if value is not None else "-"
    summary["sources"] = " ".join(sorted(str(s) for s in graph.objects(exchange, DCTERMS.source)))
    for transfer in graph.objects(exchange, SWAP.transfer):
        released = ",".join(sorted(_tail(a) for a in graph.objects(transfer, SWAP.releasedBy)))
        received = ",".join(sorted(_tail(a) for a in graph.objects(transfer, SWAP.receivedBy)))
        for prop in (SWAP.peopleCount, SWAP.militaryCount, SWAP.civilianCount):
            value = graph.value(transfer, prop)
            summary[f"{released}->{received} {_tail(prop)}"] = (
                str(value) if value is not None else "-"
            )
    return summary


def _differences(
    existing: Graph, current: URIRef, candidate: Graph, candidate_iri: URIRef
) -> list[str]:
    old = _summary(existing, current)
    new = _summary(candidate, candidate_iri)
    if current != candidate_iri:
        old["iri"], new["iri"] = str(current), str(candidate_iri)
    return [
        f"{key}: graph has {old.get(key, '-')}, CSV has {new.get(key, '-')}"
        for key in sorted(set(old) | set(new))
        if old.get(key, "-") != new.get(key, "-")
    ]


def _tail(node: Node) -> str:
    text = str(node)
    return re.split(r"[/#]", text)[-1]


# --------------------------------------------------------------------------- writing


def files_for(
    project: Project, additions: Graph, into: Mapping[Path, Graph] | None = None
) -> dict[Path, Graph]:
    """Assign new triples to files: exchanges by year, sources to sources.ttl.

    Args:
        project: The project written to.
        additions: The new triples.
        into: Graphs of existing files to add the triples to (they are changed); a file
            not among them gets a new graph.

    Returns:
        The graph of every file that receives triples.

    Raises:
        SwapgraphError: If a new node is neither an exchange nor a source.
    """
    # One pass over the triples, indexed by subject: rdflib's per-node lookups cost more.
    described: dict[Node, list[tuple[Node, Node]]] = {}
    for s, p, o in additions:
        described.setdefault(s, []).append((p, o))
    existing = dict(into or {})
    targets: dict[Path, Graph] = {}

    def target(path: Path) -> Graph:
        if path not in targets:
            targets[path] = existing.get(path) or Graph()
        return targets[path]

    def closure(node: Node, into: Graph) -> None:
        todo = [node]
        while todo:
            current = todo.pop()
            for p, o in described.get(current, ()):
                into.add((current, p, o))
                if isinstance(o, BNode):
                    todo.append(o)

    for subject, pairs in described.items():
        if isinstance(subject, BNode):
            continue
        types = {o for p, o in pairs if p == RDF.type}
        if SWAP.Exchange in types:
            date = next(o for p, o in pairs if p == SWAP.date)
            year = str(date)[:4]
            closure(subject, target(project.graph_dir / f"exchanges-{year}.ttl"))
        elif SWAP.Source in types:
            closure(subject, target(project.graph_dir / "sources.ttl"))
        else:
            raise SwapgraphError(f"import made an unexpected node <{subject}>")
    return targets


def _check_additions(project: Project, existing: Graph, additions: Graph) -> list[str]:
    """Validate the graph the import makes, whole, so that what was wrong already shows too.

    The fast engine reads ``existing`` and ``additions`` where they are
    (:func:`~swapgraph.validate.validate_additions`), in about the time an import takes
    to build the rows.
    """
    return _violations(validate_additions(project, existing, additions, violations_only=True))


def _violations(report: ValidationReport) -> list[str]:
    return [
        f"{result.focus}: {result.message} ({result.shape})"
        for result in report.results
        if result.severity == "Violation"
    ]


def full_validator(project: Project) -> Validator:
    """Return the whole-graph SHACL check (pyshacl), keeping only the findings that fail."""

    def check(graph: Graph) -> Sequence[str]:
        return _violations(validate_graph(project, graph, engine="pyshacl"))

    return check
