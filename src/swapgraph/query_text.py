"""Lexical facts about SPARQL text, found without a full parser and in microseconds.

The server needs three answers before any engine sees a request: which operation the text
is (a query form, or an update that a read-only service refuses), whether it names a
``SERVICE`` (which some engines would call over the network), and where a remote engine
can put a ``VALUES`` block that binds parameters. Each is answered on a copy of the text
whose comments, string literals and IRIs are blanked out, so that a keyword inside them
never counts and a keyword outside them is never missed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from swapgraph.errors import QueryError

# Comments, long and short strings, and IRI references, in the order SPARQL's lexer sees
# them; IRIREF excludes spaces, so ``?a < ?b`` is never mistaken for an IRI.
_OPAQUE = re.compile(
    r"""
      \#[^\n\r]*
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '''(?:[^'\\]|\\.|'(?!''))*'''
    | "(?:[^"\\\n\r]|\\.)*"
    | '(?:[^'\\\n\r]|\\.)*'
    | <[^<>"{}|^`\\\x00-\x20]*>
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# A keyword is a token: not part of a prefixed name, a variable or a blank node label.
_SERVICE = re.compile(r"(?<![\w:?$\-])SERVICE(?![\w:\-])", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s*|PREFIX\s+[^\s:]*:\s*)\s*)*", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_WHERE = re.compile(r"(?<![\w:?$\-])WHERE(?![\w:\-])", re.IGNORECASE)

#: The four query forms.
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
#: Keywords that start a SPARQL 1.1 update operation.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def blank_opaque(sparql: str) -> str:
    """Return ``sparql`` with comments, strings and IRIs replaced by spaces, same length."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), sparql)


def _decode_codepoint_escapes(sparql: str) -> str:
    # SPARQL allows \\uXXXX anywhere in a query (§19.2): "\\u0053ERVICE" spells SERVICE.
    return _CODEPOINT_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)


def operation_keyword(sparql: str) -> str | None:
    """Return the first keyword after the prologue, upper-cased (``SELECT``, ``INSERT``…)."""
    text = blank_opaque(_decode_codepoint_escapes(sparql))
    match = _WORD.match(text, _PROLOGUE.match(text).end())  # type: ignore[union-attr]
    return match.group().upper() if match else None


def names_service(sparql: str) -> bool:
    """Tell whether the text uses the ``SERVICE`` keyword outside comments, strings and IRIs.

    Errs on the side of yes: a prefixed name such as ``ex:a.SERVICE`` also counts.
    """
    return _SERVICE.search(blank_opaque(_decode_codepoint_escapes(sparql))) is not None


def check_read_only_query(sparql: str) -> None:
    """Refuse text that is an update or calls another service.

    Raises:
        QueryRefused: If the text is an update or uses ``SERVICE``.
    """
    keyword = operation_keyword(sparql)
    if keyword in UPDATE_KEYWORDS:
        raise QueryRefused(f"updates are refused: this endpoint is read-only (got {keyword})")
    if names_service(sparql):
        raise QueryRefused(
            "SERVICE is refused: this endpoint answers from its own dataset and calls no "
            "other service"
        )


def add_values_block(sparql: str, terms: Mapping[str, str]) -> str:
    """Bind variables by a ``VALUES`` block at the start of the query's WHERE group.

    Used for engines that take only query text (remote endpoints). The values must be
    terms already serialised in N-Triples syntax (by an RDF library, never raw input), so
    they cannot change the query's structure.

    Args:
        sparql: The query.
        terms: Variable name (without ``?``) to the N-Triples form of its value.

    Returns:
        The query with ``VALUES (?a ?b) { (<…> "…") }`` after the WHERE group's brace.

    Raises:
        QueryError: If the query has no WHERE group.
    """
    if not terms:
        return sparql
    text = blank_opaque(sparql)
    position = _where_group_start(text)
    if position is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    names = " ".join(f"?{name}" for name in terms)
    values = " ".join(terms.values())
    block = f" VALUES ({names}) {{ ({values}) }} "
    return sparql[: position + 1] + block + sparql[position + 1 :]


def _where_group_start(text: str) -> int | None:
    # The group follows the WHERE keyword at nesting depth 0 if there is one; without it
    # (``ASK {…}``, ``SELECT * {…}``) the group is the first top-level brace.
    top_level = [index for index, depth in _depths(text) if depth == 0]
    where = next((i for i in top_level if _WHERE.match(text, i)), 0)
    return next((i for i in top_level if i >= where and text[i] == "{"), None)


def _depths(text: str) -> list[tuple[int, int]]:
    # The bracket depth before each character.
    depths = []
    depth = 0
    for index, char in enumerate(text):
        depths.append((index, depth))
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
    return depths


class QueryRefused(QueryError):
    """The text asks for something a read-only, closed service does not do."""
