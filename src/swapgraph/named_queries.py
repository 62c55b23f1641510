"""Named SPARQL queries: the ``api/*.rq`` files, their headers and their parameters.

A named query is a SPARQL file in the project's ``api/`` folder; its name is the file name
without ``.rq`` (lower-case letters, digits and hyphens). The file opens with a header of
comment lines, one ``# key: value`` per line, which ends at the first line that does not
start with ``#``::

    # summary: Exchanges between two states in a date range
    # description: One row per exchange: date, people released each way, mediators.
    # param: state_a  iri   default=state:russia  One side of the exchange.
    # param: from     date  default=2022-01-01    First day of the range (inclusive).
    # example: swapgraph query exchanges-between --param from=2025-01-01
    PREFIX swap: <https://w3id.org/swapgraph/ontology#>
    SELECT ...

Keys:

* ``summary`` (exactly once): one line saying what the query answers.
* ``description`` (optional, repeatable): more detail; repeated lines are joined.
* ``param`` (zero or more): ``NAME TYPE [default=VALUE] DESCRIPTION``. ``NAME`` is the
  SPARQL variable the value is bound to (``?NAME`` in the query); ``TYPE`` is one of
  ``iri``, ``string``, ``integer``, ``date``, ``boolean``; a parameter without a default is
  required. A default holding spaces is written in double quotes: ``default="a b"``.
* ``example`` (exactly once): a command line that runs the query.

A bare ``#`` line is allowed in the header and ignored; any other line is an error that
names the file and line.

Parameter values are bound to their variables as RDF terms through the engine's bindings
(pyoxigraph substitutions, rdflib ``initBindings``), never pasted into the query text, so a
value cannot change what the query does. (A remote endpoint takes no bindings over the
protocol: for it alone the engine writes the terms, serialised and escaped, in a ``VALUES``
block.) The two engines see a bound variable in fewer
places than one might expect, so that both give the same answer a query must:

* project every parameter variable in its outermost ``SELECT`` (Oxigraph refuses to bind a
  variable it does not project; in a grouped query, list it in ``GROUP BY`` too);
* use it only in triple patterns, and in ``FILTER``s placed directly in the outermost
  ``WHERE`` group or in an ``OPTIONAL``'s own filter: Oxigraph does not see it inside a
  nested group, a ``UNION`` branch, a subquery, a ``BIND`` expression or ``BOUND()``.

The file's text is the query: it is what ``/api/queries`` publishes and what every engine is
given. An embedded engine may answer it with an equivalent text of its own where it holds
data computed for that purpose (``returned-running-total``: :mod:`swapgraph.daily_totals`),
with the same parameters, columns and rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from swapgraph.engine import Engine, QueryResult
from swapgraph.errors import ParameterError, QueryError, QueryHeaderError
from swapgraph.paths import Project
from swapgraph.resolve import Resolver, as_iri, for_engine

#: Parameter types and the XSD datatype each is described by (an IRI for ``iri``).
PARAMETER_TYPES: dict[str, URIRef] = {
    "iri": XSD.anyURI,
    "string": XSD.string,
    "integer": XSD.integer,
    "date": XSD.date,
    "boolean": XSD.boolean,
}

_KEYS = ("summary", "description", "param", "example")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_LINE = re.compile(r"#\s*([a-z]+)\s*:\s*(.*?)\s*")
_PARAM = re.compile(
    r"(?P<name>\S+)\s+(?P<type>\S+)"
    r'(?:\s+default=(?:"(?P<quoted>[^"]*)"|(?P<plain>\S+)))?'
    r"(?:\s+(?P<description>.*))?"
)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a named query.

    Attributes:
        name: The SPARQL variable the value is bound to, without ``?``.
        type: One of :data:`PARAMETER_TYPES`.
        default: The value used when none is given, as written in the header.
        description: What the parameter means.
        required: True when the parameter has no default.
    """

    name: str
    type: str
    default: str | None
    description: str
    required: bool

    def to_term(self, raw: str, names: Resolver | None = None) -> Identifier:
        """Convert a value given as text to the RDF term bound to the variable.

        Args:
            raw: The value as a person typed it (an IRI may be compact: ``state:russia``).
            names: The names of the data the query will run on: an ``iri`` value must then
                name something there (by IRI, label, code …; see :mod:`swapgraph.resolve`).
                Without it, any IRI is taken.

        Returns:
            A ``URIRef`` for ``iri``, otherwise a ``Literal`` of the type's datatype.

        Raises:
            ParameterError: If the value is not of the parameter's type.
            UnknownNameError: If ``names`` is given and the value names nothing there.
        """
        value = raw.strip()
        if self.type == "iri":
            if names is not None:
                return names.resolve(value, context=f"parameter {self.name!r}: ")
            return URIRef(self._iri(value))
        if self.type == "integer":
            if not _INTEGER.fullmatch(value):
                raise self._bad(raw, "an integer such as 10")
            return Literal(int(value), datatype=XSD.integer)
        if self.type == "date":
            if not _DATE.fullmatch(value):
                raise self._bad(raw, "a date YYYY-MM-DD")
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise self._bad(raw, "a date YYYY-MM-DD") from None
            return Literal(day.isoformat(), datatype=XSD.date)
        if self.type == "boolean":
            if value not in _BOOLEANS:
                raise self._bad(raw, "true or false")
            return Literal(_BOOLEANS[value], datatype=XSD.boolean)
        return Literal(raw, datatype=XSD.string)

    def _iri(self, value: str) -> str:
        expected = "an absolute IRI or a compact IRI such as state:russia"
        iri = as_iri(value)
        if iri is None:
            raise self._bad(value, expected)
        try:
            ox.NamedNode(iri)  # RFC 3987 in full: engines refuse what it refuses
        except ValueError:
            raise self._bad(value, expected) from None
        return iri

    def _bad(self, raw: str, expected: str) -> ParameterError:
        return ParameterError(f"parameter {self.name!r}: {raw!r} is not {expected}")


@dataclass
class NamedQuery:
    """A SPARQL query from ``api/NAME.rq`` with its documented parameters.

    Attributes:
        name: The file name without ``.rq``.
        path: The file.
        summary: One line saying what the query answers.
        description: More detail (may be empty).
        parameters: The parameters, in the order the header lists them.
        text: The whole file, header included (the header is SPARQL comments).
        example: A command line that runs the query.
    """

    name: str
    path: Path
    summary: str
    description: str
    parameters: list[Parameter] = field(default_factory=list)
    text: str = ""
    example: str = ""

    def bind(self, raw: Mapping[str, str], engine: Engine | None = None) -> dict[str, Identifier]:
        """Turn parameter values given as text into bindings, defaults filled in.

        Args:
            raw: Values by parameter name, as typed (``--param k=v``, a URL's query string).
            engine: The engine the query will run on: ``iri`` values are then resolved
                against its data, so that a typo is an error rather than an empty answer.

        Returns:
            An RDF term for every parameter, by variable name.

        Raises:
            ParameterError: If a name is unknown, a required parameter is missing, a value
                is not of its parameter's type or names nothing in the data, or a date range
                ends before it starts.
        """
        by_name = {p.name: p for p in self.parameters}
        unknown = sorted(set(raw) - set(by_name))
        if unknown:
            known = ", ".join(by_name) or "none"
            raise ParameterError(
                f"query {self.name!r} has no parameter {unknown[0]!r} (its parameters: {known})"
            )
        bindings: dict[str, Identifier] = {}
        for parameter in self.parameters:
            value = raw.get(parameter.name, parameter.default)
            if value is None:
                raise ParameterError(
                    f"query {self.name!r} needs parameter {parameter.name!r} ({parameter.type})"
                )
            names = for_engine(engine) if engine is not None and parameter.type == "iri" else None
            bindings[parameter.name] = parameter.to_term(value, names)
        _check_range(bindings, self.parameters)
        return bindings

    def run(self, engine: Engine, raw: Mapping[str, str] | None = None) -> QueryResult:
        """Bind ``raw`` and run the query on ``engine``.

        Raises:
            ParameterError: If a parameter is unknown, missing or of the wrong type.
            QueryError: If the query fails.
        """
        return engine.query(self.text, self.bind(raw or {}, engine))


#: Date parameters that bound a range, as (first day, last day).
_RANGES = (("from", "to"), ("start", "end"), ("since", "until"))


def _check_range(bindings: Mapping[str, Identifier], parameters: Sequence[Parameter]) -> None:
    dates = {p.name: bindings[p.name] for p in parameters if p.type == "date"}
    for first, last in _RANGES:
        start, end = dates.get(first), dates.get(last)
        reversed_range = (
            isinstance(start, Literal)
            and isinstance(end, Literal)
            and start.toPython() > end.toPython()
        )
        if reversed_range:
            raise ParameterError(
                f"parameter {first!r} ({start}) is after {last!r} ({end}): the range holds no day"
            )


def load_named_queries(project: Project) -> dict[str, NamedQuery]:
    """Read every named query of a project.

    Args:
        project: The graph project; its ``api/`` folder may be absent (no queries).

    Returns:
        The queries by name, in name order.

    Raises:
        QueryHeaderError: If a file's name or header is malformed.
    """
    queries: dict[str, NamedQuery] = {}
    for path in project.query_files():
        if not _NAME.fullmatch(path.stem):
            raise QueryHeaderError(
                path, "a named query's file name must be lower-case letters, digits and hyphens"
            )
        queries[path.stem] = read_named_query(path)
    return queries


def read_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file with a header; its name is the file name without ``.rq``.

    Raises:
        QueryHeaderError: If the file cannot be read or its header is malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QueryHeaderError(path, f"cannot read: {error}") from None
    return _parse(path, text)


def has_header(text: str) -> bool:
    """Tell whether a query text opens with a named-query header line (``# key: value``)."""
    match = _HEADER_LINE.fullmatch(text.split("\n", 1)[0].rstrip("\r"))
    return match is not None and match[1] in _KEYS


def _parse(path: Path, text: str) -> NamedQuery:
    values: dict[str, list[tuple[int, str]]] = {}
    parameters: list[tuple[int, Parameter]] = []
    lines = text.splitlines()
    header_end = len(lines)
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#"):
            header_end = number - 1
            break
        if not line[1:].strip():
            continue
        match = _HEADER_LINE.fullmatch(line)
        if match is None:
            raise QueryHeaderError(path, "a header line must read '# key: value'", number)
        key, value = match.groups()
        if key not in _KEYS:
            raise QueryHeaderError(
                path,
                f"unknown header key {key!r} (expected summary, description, param or example)",
                number,
            )
        if not value:
            raise QueryHeaderError(path, f"empty {key!r}", number)
        if key == "param":
            parameter = _parse_param(path, number, value)
            if any(p.name == parameter.name for _, p in parameters):
                raise QueryHeaderError(path, f"parameter {parameter.name!r} declared twice", number)
            parameters.append((number, parameter))
        values.setdefault(key, []).append((number, value))
    for key in ("summary", "example"):
        found = values.get(key, [])
        if not found:
            raise QueryHeaderError(path, f"the header has no '# {key}:' line", 1)
        if len(found) > 1:
            raise QueryHeaderError(path, f"more than one '# {key}:' line", found[1][0])
    body = "\n".join(lines[header_end:])
    for number, parameter in parameters:
        if not re.search(rf"[?$]{parameter.name}\b", body):
            raise QueryHeaderError(
                path,
                f"parameter {parameter.name!r} is not used as ?{parameter.name} in the query",
                number,
            )
    return NamedQuery(
        name=path.stem,
        path=path,
        summary=values["summary"][0][1],
        description=" ".join(v for _, v in values.get("description", [])),
        parameters=[p for _, p in parameters],
        text=text,
        example=values["example"][0][1],
    )


def _parse_param(path: Path, number: int, spec: str) -> Parameter:
    match = _PARAM.fullmatch(spec)
    if match is None:
        raise QueryHeaderError(path, "a parameter reads 'NAME TYPE [default=VALUE] TEXT'", number)
    name, kind = match["name"], match["type"]
    if not _VARIABLE.fullmatch(name):
        raise QueryHeaderError(
            path, f"parameter name {name!r} is not a SPARQL variable name", number
        )
    if kind not in PARAMETER_TYPES:
        known = ", ".join(PARAMETER_TYPES)
        raise QueryHeaderError(
            path, f"parameter {name!r}: unknown type {kind!r} (expected one of {known})", number
        )
    default = match["quoted"] if match["quoted"] is not None else match["plain"]
    parameter = Parameter(
        name=name,
        type=kind,
        default=default,
        description=match["description"] or "",
        required=default is None,
    )
    if default is not None:
        try:
            parameter.to_term(default)
        except ParameterError as error:
            raise QueryHeaderError(path, f"bad default: {error}", number) from None
    return parameter


def resolve_query(
    project: Project, query: str | None = None, file: Path | None = None
) -> NamedQuery | str:
    """Find the query a person asked for: a named query, a file, or SPARQL text.

    Args:
        project: The graph project whose ``api/`` holds the named queries.
        query: A named query's name (``api/NAME.rq``), or else SPARQL text.
        file: A ``.rq`` file; one opening with a header is read as a named query, so that
            its parameters and defaults apply.

    Returns:
        The named query, or the SPARQL text of a query without a header.

    Raises:
        QueryError: If the named query or the file does not exist, or not exactly one of
            ``query`` and ``file`` is given.
        QueryHeaderError: If a header is malformed.
    """
    if file is not None:
        if query is not None:
            raise QueryError("give either a query (text or name) or a query file, not both")
        if not file.is_file():
            raise QueryError(f"{file}: no such query file")
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise QueryError(f"{file}: cannot read: {error}") from None
        return read_named_query(file) if has_header(text) else text
    if query is None:
        raise QueryError("give a query (text or name) or a query file")
    if _NAME.fullmatch(query):
        path = project.api_dir / f"{query}.rq"
        if not path.is_file():
            raise QueryError(f"no named query {query!r} in {project.api_dir}")
        return read_named_query(path)
    return query
