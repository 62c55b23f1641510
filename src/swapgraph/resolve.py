"""One name resolver: what a person types for a state, organisation, person, place or agreement.

Every command and route that takes such a name (named-query parameters, export filters, the
curation commands) resolves it here, by the same rules:

* an IRI (``<…>`` optional) or a prefixed name with the project's prefixes (``state:turkey``);
* a label (``rdfs:label``, ``skos:prefLabel``, ``schema:name``) or alternative label
  (``skos:altLabel``), an ISO 3166 code, a Wikidata id (``Q43``, ``wd:Q43`` or its IRI), or the
  IRI's last segment (``united-arab-emirates``);

names compared without regard to case, accents and punctuation ("Republic of Turkiye",
"Türkiye", "TR", "Q43" and ``state:turkey`` all give Turkey). A name that denotes nothing, or
several things, raises :class:`~swapgraph.errors.UnknownNameError` naming close matches, so
that a typo is never an empty answer.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import weakref
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier

from swapgraph import memory
from swapgraph.engine import Engine, select
from swapgraph.errors import UnknownNameError
from swapgraph.namespaces import PREFIXES, WD, compact

# The prefixes both queries use, and the properties that name a node: those it is shown by,
# the others, and those that match it to a Wikidata IRI.
_PROLOGUE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
"""
_LABELS = "rdfs:label|skos:prefLabel|schema:name"
_OTHER_NAMES = "skos:altLabel|swap:iso3166Alpha2|swap:iso3166Alpha3"
_MATCHES = "skos:exactMatch|owl:sameAs"

#: Every name of every IRI: ``?kind`` is ``label`` for the names a node is shown by.
NAMES_QUERY = f"""{_PROLOGUE}SELECT ?node ?kind ?name WHERE {{
  {{ ?node {_LABELS} ?name BIND("label" AS ?kind) }}
  UNION
  {{ ?node {_OTHER_NAMES} ?name BIND("other" AS ?kind) }}
  UNION
  {{
    ?node {_MATCHES} ?same
    FILTER(STRSTARTS(STR(?same), "{WD}"))
    BIND(STR(?same) AS ?name) BIND("wikidata" AS ?kind)
  }}
  FILTER(isIRI(?node))
}}
"""

#: The node an IRI names: itself, where it has a name (a row without ``?node``), or the nodes
#: it is the Wikidata IRI of. ``?iri`` is bound by the engine.
IRI_QUERY = f"""{_PROLOGUE}SELECT DISTINCT ?iri ?node WHERE {{
  {{ ?iri {_LABELS}|{_OTHER_NAMES} ?name }}
  UNION
  {{ ?iri {_MATCHES} ?same FILTER(STRSTARTS(STR(?same), "{WD}")) }}
  UNION
  {{ ?node {_MATCHES} ?iri FILTER(isIRI(?node) && STRSTARTS(STR(?iri), "{WD}")) }}
}}
LIMIT 10
"""

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_CLOSE = 5
#: IRIs whose node a resolver remembers before it has read its tables.
_FOUND = 1024


def key(name: str) -> str:
    """Return the form names are compared in: no case, no accents, words split on the rest."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


def as_iri(text: str) -> str | None:
    """Return the IRI that ``text`` writes (``<iri>``, ``prefix:local`` or absolute), or None."""
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = str(PREFIXES[prefix]) + local
    if _SCHEME.match(value) and not _NOT_IN_IRI.search(value):
        return value
    return None


@dataclass
class Resolver:
    """Finds the IRI a name denotes, among every named IRI of a graph.

    IRIs are kept as plain strings, each once (the tables share one string per IRI), and a
    name that denotes one node (nearly all of them) keeps that node alone rather than in a
    set: at 32,000 named nodes (a million triples) the resolver held 107 MiB with rdflib
    terms and a set per name, for a server's whole life.

    Attributes:
        labels: The name each IRI is shown by.
        iris: Each known IRI (and each Wikidata IRI a node matches) to its node's IRI.
        keys: Each compared name (see :func:`key`) to the IRI it names, or to the IRIs,
            sorted, where it names several.
    """

    labels: dict[str, str] = field(default_factory=dict)
    iris: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    #: The engine whose names the tables are read from on first need (see
    #: :func:`for_engine`); None once they are read, or for tables given whole.
    source: Engine | None = field(default=None, repr=False, compare=False)
    #: The IRIs looked up in the source engine so far, and the node each names: each lookup
    #: is a job for the server's query workers, queued behind the queries under load.
    found: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[Identifier | None, str, Identifier | None]]
    ) -> Resolver:
        """Build the resolver from ``(node, kind, name)`` rows of :data:`NAMES_QUERY`."""
        resolver = cls()
        shown: dict[str, tuple[int, str]] = {}
        for node, kind, name in rows:
            if not isinstance(node, URIRef) or name is None:
                continue
            text = str(name)
            iri = str(node)
            known = resolver.iris.get(iri)
            if known is None:
                resolver._add_node(iri)
            elif known == iri:
                iri = known  # one string per IRI, shared by the tables
            # else: another node's Wikidata IRI, which stays that node's (and is not added)
            if kind == "wikidata":
                resolver.iris.setdefault(text, iri)
                text = text[len(str(WD)) :]
            elif kind == "label":
                rank = 0 if not isinstance(name, Literal) or name.language in (None, "en") else 1
                if iri not in shown or (rank, text) < shown[iri]:
                    shown[iri] = (rank, text)
            resolver._add_key(text, iri)
        for iri, (_, text) in shown.items():
            resolver.labels[iri] = text
        return resolver

    @classmethod
    def from_engine(cls, engine: Engine) -> Resolver:
        """Build the resolver over a query engine's data (local or remote)."""
        rows = select(engine, NAMES_QUERY)
        resolver = cls.from_rows((r["node"], str(r["kind"]), r["name"]) for r in rows)
        del rows
        # The rows' terms took more than the resolver keeps (48 MiB at a million triples):
        # give their memory back rather than keep it for the process's life.
        memory.give_back()
        return resolver

    @classmethod
    def from_graph(cls, graph: Graph) -> Resolver:
        """Build the resolver over an rdflib graph (the curation commands' working copy)."""
        from swapgraph import rdflib_sparql  # a server's resolver asks its engine instead

        rdflib_sparql.configure()
        rows: Iterable[tuple[Identifier, Literal, Identifier]] = graph.query(NAMES_QUERY)  # type: ignore[assignment]
        return cls.from_rows((node, str(kind), name) for node, kind, name in rows)

    def _read(self) -> None:
        """Read the tables from the source engine, if they are not read yet."""
        if self.source is not None:
            read = Resolver.from_engine(self.source)
            self.labels, self.iris, self.keys = read.labels, read.iris, read.keys
            self.source = None
            self.found.clear()  # the tables answer from now on

    def _named_by_iri(self, iri: str) -> str | None:
        """The one node ``iri`` names in the source engine's data, asked of the engine.

        None if it names none or several, or is no IRI an engine takes: the tables decide.
        """
        assert self.source is not None
        known = self.found.get(iri)
        if known is not None:
            return known
        try:
            ox.NamedNode(iri)
        except ValueError:
            return None
        rows = select(self.source, IRI_QUERY, {"iri": URIRef(iri)})
        nodes = (
            {iri} if any(row["node"] is None for row in rows) else {str(r["node"]) for r in rows}
        )
        if len(nodes) != 1:
            return None  # the tables are read next, and answer from then on
        if len(self.found) >= _FOUND:  # the oldest first: clients may send any IRI
            del self.found[next(iter(self.found))]
        node = self.found[iri] = nodes.pop()
        return node

    def _add_node(self, iri: str) -> None:
        self.iris[iri] = iri
        self._add_key(compact(iri), iri)
        self._add_key(_last_segment(iri), iri)

    def _add_key(self, name: str, iri: str) -> None:
        compared = key(name)
        if not compared:
            return
        known = self.keys.get(compared)
        if known is None:
            self.keys[compared] = iri
        elif isinstance(known, str):
            if known != iri:
                self.keys[compared] = tuple(sorted((known, iri)))
        elif iri not in known:
            self.keys[compared] = tuple(sorted((*known, iri)))

    def _named(self, compared: str) -> tuple[str, ...]:
        """The IRIs a compared name denotes, sorted."""
        known = self.keys.get(compared, ())
        return (known,) if isinstance(known, str) else known

    def label(self, node: URIRef) -> str:
        """Return the name ``node`` is shown by (its prefixed name if it has no label)."""
        self._read()
        return self.labels.get(str(node)) or compact(node)

    def resolve(
        self,
        name: str,
        *,
        kind: str = "name",
        among: Collection[URIRef] | None = None,
        context: str = "",
    ) -> URIRef:
        """Return the one IRI that ``name`` denotes.

        Args:
            name: What the person typed.
            kind: What is looked for, for the message: ``state``, ``mediator`` …
            among: Only these IRIs may be the answer (the states, the third parties …);
                None allows every named IRI.
            context: Put before the message, as ``parameter 'state_b': ``.

        Returns:
            The IRI.

        Raises:
            UnknownNameError: If ``name`` denotes none of the allowed IRIs, or several;
                the message names up to five close matches.
        """
        allowed = _allowed(among)
        iri = as_iri(name)
        if iri is not None and self.source is not None:
            # An IRI (what API clients and the named queries' defaults give) is looked up by a
            # query of its own: the tables of every name (38 MiB at a million triples, and a
            # second to read) are read only for a name that needs them.
            named = self._named_by_iri(iri)
            if named is not None and (allowed is None or named in allowed):
                return URIRef(named)
        self._read()
        node = self.iris.get(iri) if iri is not None else None
        if node is not None and (allowed is None or node in allowed):
            return URIRef(node)
        found = [n for n in self._named(key(name)) if allowed is None or n in allowed]
        if len(found) == 1:
            return URIRef(found[0])
        if found:
            options = ", ".join(self._shown(n) for n in found[:_CLOSE])
            raise UnknownNameError(
                f"{context}{kind} {name!r} is ambiguous: it names {options}",
                name,
                [self._shown(n) for n in found],
            )
        suggestions = self.suggest(name, among)
        hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
        raise UnknownNameError(f"{context}unknown {kind} {name!r}{hint}", name, suggestions)

    def suggest(self, name: str, among: Collection[URIRef] | None = None) -> list[str]:
        """Return up to five allowed IRIs whose names are close to ``name``, as shown."""
        self._read()
        allowed = _allowed(among)
        keys = [
            k for k in self.keys if allowed is None or any(n in allowed for n in self._named(k))
        ]
        iri = as_iri(name)
        # For an IRI, its last segment is what was mistyped: "ukrane" in state:ukrane.
        wanted = key(_last_segment(iri) if iri is not None else name)
        close = difflib.get_close_matches(wanted, keys, n=_CLOSE, cutoff=0.75)
        # A whole word of a longer name ("Emirates") is close too, though difflib's ratio
        # for it is low.
        words = set(wanted.split())
        close += [k for k in keys if words and words <= set(k.split()) and k not in close]
        nodes: dict[str, None] = {}
        for k in close:
            for node in self._named(k):
                if allowed is None or node in allowed:
                    nodes.setdefault(node)
        return [self._shown(n) for n in list(nodes)[:_CLOSE]]

    def _shown(self, iri: str) -> str:
        prefixed = compact(iri)
        label = self.labels.get(iri)
        return f"{label} ({prefixed})" if label and label != prefixed else prefixed


def _allowed(among: Collection[URIRef] | None) -> set[str] | None:
    # rdflib terms and strings never compare equal: the tables hold strings.
    return None if among is None else {str(n) for n in among}


def _last_segment(iri: str) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, Resolver] = weakref.WeakKeyDictionary()


def for_engine(engine: Engine) -> Resolver:
    """Return the resolver over ``engine``'s data, kept with it.

    Its tables are read on first need: an IRI that names one node needs none.
    """
    resolver = _BY_ENGINE.get(engine)
    if resolver is None:
        resolver = _BY_ENGINE[engine] = Resolver(source=engine)
    return resolver
