"""Every bound on what a client controls, declared once, and the checks that apply them.

The engines behind swapgraph fail badly on some inputs that are small on the wire: Oxigraph
overflows its stack (SIGSEGV, the whole process) on deeply nested or long-chained queries
and on deeply nested JSON-LD, rdflib binds prefixes in quadratic time, and a long prefix IRI
used many times expands a small body into gigabytes. These checks refuse such input before
any engine or parser sees it, with a message that says which limit was passed.

Measured on pyoxigraph 0.5.13 with an 8 MiB stack, each shape alone in a subprocess
(``tests/test_bad_input_limits.py`` runs the largest queries let through): a query crashes
at about 2,200 nested ``{``, 2,600 chained ``MINUS`` or ``BIND``, 4,700 nested ``(``,
6,500 ``UNION`` or ``OPTIONAL``, 6,900 ``+``, 9,300 ``FILTER``, ``!`` or ``||``; JSON-LD
at 10,000 nested objects. The limits below stay at least four times under each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from swapgraph.errors import LimitExceeded
from swapgraph.formats import JSON_LD

#: Deepest nesting of brackets (``{``, ``(``, ``[``) in a query.
MAX_QUERY_NESTING = 64
#: Deepest chain of group keywords and operators, brackets included, in a query (see
#: :func:`swapgraph.query_text.measure_depth`).
MAX_QUERY_CHAIN = 500
#: Prefix declarations in posted Turtle (rdflib binds them in quadratic time).
MAX_PREFIXES = 1_000
#: Characters in one IRI of posted RDF.
MAX_IRI_LENGTH = 2_048
#: Triples in posted RDF (the whole served graph has about 5,000).
MAX_TRIPLES = 50_000
#: Characters of all terms of posted RDF once prefixed names are expanded.
MAX_EXPANDED_CHARACTERS = 20_000_000
#: Deepest nesting of JSON arrays and objects in posted JSON-LD.
MAX_JSON_DEPTH = 64

#: Formats of RDF that :func:`check_rdf_upload` reads.
RDF_UPLOAD_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD)

# A base for relative IRIs while counting: rdflib accepts them, so counting must too.
_COUNTING_BASE = "http://validate.invalid/"
_PREFIX_DECLARATION = re.compile(r"^[ \t]*(?:@prefix|prefix)\b", re.MULTILINE | re.IGNORECASE)
_JSON_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


@dataclass(frozen=True)
class RdfSize:
    """What :func:`check_rdf_upload` counted in a body that passed every limit."""

    triples: int
    expanded_characters: int


def check_query_depth(nesting: int, chain: int) -> None:
    """Refuse a query whose syntax tree would be too deep for the engines.

    Raises:
        LimitExceeded: If ``nesting`` or ``chain`` is past its limit.
    """
    if nesting > MAX_QUERY_NESTING:
        raise LimitExceeded(
            f"the query nests brackets more than {MAX_QUERY_NESTING} deep: "
            "flatten it, or split it into several queries"
        )
    if chain > MAX_QUERY_CHAIN:
        raise LimitExceeded(
            f"the query chains more than {MAX_QUERY_CHAIN} UNION, OPTIONAL, MINUS, BIND, "
            "FILTER or operators (||, &&, +, /, |…) in a row: use VALUES or IN for long "
            "lists of alternatives, or split the query"
        )


def check_rdf_upload(text: str, media_type: str) -> RdfSize:
    """Refuse posted RDF past any limit, before an rdflib parser sees it.

    Parses the text with pyoxigraph, whose parsers are fast and keep no state between
    triples, to count triples and measure IRIs exactly; JSON nesting and prefix
    declarations are checked lexically first, as they are what parsers choke on.

    Args:
        text: The body.
        media_type: One of :data:`RDF_UPLOAD_FORMATS`.

    Returns:
        The counts, for a body within every limit.

    Raises:
        LimitExceeded: If a limit is passed.
        SyntaxError: If the body is not valid in its format (pyoxigraph's message, with
            line and column).
    """
    if media_type == JSON_LD:
        check_json_depth(text)
    else:
        prefixes = len(_PREFIX_DECLARATION.findall(text))
        if prefixes > MAX_PREFIXES:
            raise LimitExceeded(
                f"the data declares {prefixes} prefixes; at most {MAX_PREFIXES} are read"
            )
    triples = 0
    characters = 0
    for quad in ox.parse(
        text, format=ox.RdfFormat.from_media_type(media_type), base_iri=_COUNTING_BASE
    ):
        triples += 1
        if triples > MAX_TRIPLES:
            raise LimitExceeded(f"the data holds more than {MAX_TRIPLES} triples")
        for term in (quad.subject, quad.predicate, quad.object):
            value = str(term) if isinstance(term, ox.Triple) else term.value
            if isinstance(term, ox.NamedNode) and len(value) > MAX_IRI_LENGTH:
                raise LimitExceeded(
                    f"an IRI of {len(value)} characters (<{value[:60]}…>) is longer than "
                    f"the limit of {MAX_IRI_LENGTH}"
                )
            characters += len(value)
        if characters > MAX_EXPANDED_CHARACTERS:
            raise LimitExceeded(
                f"the data expands to more than {MAX_EXPANDED_CHARACTERS} characters of "
                "terms once its prefixes are applied"
            )
    return RdfSize(triples, characters)


def check_json_depth(text: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH`, before any parser recurses.

    Only brackets outside strings count; the text need not be valid JSON.

    Raises:
        LimitExceeded: If the nesting is deeper.
    """
    depth = 0
    for token in _JSON_STRING_OR_BRACKET.findall(text):
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise LimitExceeded(
                    f"the JSON nests arrays and objects more than {MAX_JSON_DEPTH} deep"
                )
        elif token in "]}":
            depth -= 1
