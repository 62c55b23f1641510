"""Lexical facts about SPARQL text, found without a full parser and in microseconds.

The server needs four answers before any engine sees a request: which operation the text
is (a query form, or an update that a read-only service refuses), whether it names a
``SERVICE`` (which some engines would call over the network), how deep the engine's syntax
tree would grow (:func:`measure_depth`: an engine recurses over it and overflows its stack
on deep enough text), and where a remote engine can put a ``VALUES`` block that binds
parameters. Each is answered on a copy of the text
whose comments, string literals and IRIs are blanked out, so that a keyword inside them
never counts and a keyword outside them is never missed.

It also owns the default prefixes (:data:`DEFAULT_PREFIXES`, which every engine lets a
query use undeclared) and how a syntax error's position is written
(:func:`describe_syntax_error`: ``line L, column C`` of the text as the user wrote it, on the
command line and on the web page alike).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from swapgraph.errors import QueryError, QueryRefused
from swapgraph.limits import MAX_QUERY_CHAIN, MAX_QUERY_NESTING, check_query_depth
from swapgraph.prefixes import PREFIXES

#: The prefixes a query may use without declaring them, on the command line, in the notebook
#: API and at ``/sparql`` alike (the service description lists them): the project's own, as
#: its Turtle files write them. A query's own ``PREFIX`` declaration wins over these.
DEFAULT_PREFIXES: dict[str, str] = dict(PREFIXES)

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
# For measure_depth, on blanked text: one token per name, number, literal decoration,
# bracket or operator. Names come first, so that the dashes and dots inside them are not
# taken for operators; possessive quantifiers keep the scan linear.
_DEPTH_TOKEN = re.compile(
    r"""
      [?$]\w++                                    # variable
    | @[A-Za-z]++(?:-[A-Za-z0-9]++)*+             # language tag
    | \^\^                                        # datatype marker
    | (?:[^\W\d][\w.\-]*+)?:[\w.\-:%\\]*+          # prefixed name, blank node label
    | (?:\d++\.?\d*+|\.\d++)(?:[eE][+-]?\d++)?     # unsigned number
    | \w++                                        # keyword, function name, 'a'
    | [(){}\[\]]
    | \|\| | && | != | <= | >= | [=<>+\-*/!|^]      # operator
    """,
    re.VERBOSE,
)
_OPERATOR_START = frozenset("|&!<>=+-*/^")
# Keywords that add a level to the algebra each time they follow one another in a group.
_CHAINING_KEYWORDS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "VALUES", "GRAPH", "SERVICE", "EXISTS"}
)
_NEWLINE_KEPT = re.compile(r"[^\n]")
# On blanked text: a declared prefix, and a prefix used by a prefixed name (not a variable's,
# a blank node label's or a longer name's part).
_DECLARED_PREFIX = re.compile(r"(?<![\w:?$\-])PREFIX\s+([A-Za-z][\w.\-]*)?\s*:", re.IGNORECASE)
_USED_PREFIX = re.compile(r"(?<![\w:?$\-.])([A-Za-z][\w.\-]*)?:")
# An engine's position of an error: "at 5:3" (Oxigraph, and rdflib's as the engine writes it).
_ERROR_AT = re.compile(r"\bat (\d+):(\d+)\b")

#: The four query forms.
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
#: Keywords that start a SPARQL 1.1 update operation.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def blank_opaque(sparql: str) -> str:
    """Return ``sparql`` with comments, strings and IRIs replaced by spaces, same length."""
    return _OPAQUE.sub(_blank, sparql)


def _blank(match: re.Match[str]) -> str:
    # Newlines are kept so that line numbers hold; most matches have none.
    text = match.group()
    return _NEWLINE_KEPT.sub(" ", text) if "\n" in text else " " * len(text)


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
    text = _decode_codepoint_escapes(sparql)
    if "service" not in text.lower():  # the usual case, found at once
        return False
    return _SERVICE.search(blank_opaque(text)) is not None


@dataclass(frozen=True)
class QueryDepth:
    """How deep an engine's syntax tree for a query can grow, measured on its text.

    Attributes:
        nesting: The deepest nesting of brackets (``{``, ``(``, ``[``).
        chain: An upper bound of the tree's depth: along the deepest path of brackets, the
            brackets plus, in each, the keywords (``UNION``, ``OPTIONAL``, ``MINUS``,
            ``BIND``, ``FILTER``…) and operators (``||``, ``+``, ``/``…) that parsers fold
            into a left-deep chain. Inline data (``VALUES … { … }``) counts for nothing.
    """

    nesting: int
    chain: int


def measure_depth(sparql: str, stop_over: QueryDepth | None = None) -> QueryDepth:
    """Measure how deep the syntax tree of ``sparql`` can grow, without parsing it.

    Engines parse, optimise and evaluate queries by recursion over the tree, so a long
    enough chain (``{} UNION {} UNION …``) or deep enough nesting overflows their stack and
    kills the process; these two numbers bound that depth from above.

    Args:
        sparql: The query text.
        stop_over: Stop reading as soon as the nesting or one chain is past these: the
            answer is then a depth past them, not the whole text's.
    """
    text = blank_opaque(_decode_codepoint_escapes(sparql))
    max_nesting = stop_over.nesting if stop_over else len(text)
    max_chain = stop_over.chain if stop_over else len(text)
    # One frame per open bracket: [own chain tokens, deepest child, is inline data].
    frames: list[list[int]] = [[0, 0, 0]]
    frame = frames[0]
    nesting = 0
    values_pending = False
    # A plain loop over strings: this runs on every query, in the server's main process.
    for token in _DEPTH_TOKEN.findall(text):
        first = token[0]
        if first in "({[":
            is_data = frame[2] or (values_pending and first == "{")
            values_pending = values_pending and not is_data
            frame = [0, 0, int(is_data)]
            frames.append(frame)
            if len(frames) > nesting + 1:
                nesting = len(frames) - 1
                if nesting > max_nesting:
                    break
        elif first in ")}]":
            if len(frames) > 1:  # an unbalanced bracket is the parser's to report
                frame = _close(frames)
        elif frame[2]:
            continue
        elif (first in _OPERATOR_START and token != "^^") or (token.upper() in _CHAINING_KEYWORDS):
            frame[0] += 1
            values_pending = token.upper() == "VALUES"
            if frame[0] > max_chain:
                break
    while len(frames) > 1:
        _close(frames)
    return QueryDepth(nesting, frames[0][0] + frames[0][1])


def _surely_shallow(text: str) -> bool:
    # Counting characters bounds both depths from above at C speed: the usual query, with a
    # few dozen brackets and operators, needs no token-by-token measure.
    brackets = text.count("(") + text.count("{") + text.count("[")
    if brackets > MAX_QUERY_NESTING:
        return False
    operators = sum(text.count(char) for char in _OPERATOR_START)
    upper = text.upper()
    keywords = sum(upper.count(keyword) for keyword in _CHAINING_KEYWORDS)
    return brackets + operators + keywords <= MAX_QUERY_CHAIN


def _close(frames: list[list[int]]) -> list[int]:
    # Pop the innermost frame into its parent; return the parent.
    own, deepest_child, _ = frames.pop()
    parent = frames[-1]
    parent[1] = max(parent[1], own + deepest_child + 1)
    return parent


def check_read_only_query(sparql: str) -> None:
    """Refuse text that is an update, calls another service, or is too deep for an engine.

    Raises:
        QueryRefused: If the text is an update or uses ``SERVICE``.
        LimitExceeded: If its syntax tree would nest or chain past the limits in
            :mod:`swapgraph.limits` (engines would overflow their stack on it).
    """
    if not _surely_shallow(blank_opaque(_decode_codepoint_escapes(sparql))):
        depth = measure_depth(sparql, QueryDepth(MAX_QUERY_NESTING, MAX_QUERY_CHAIN))
        check_query_depth(depth.nesting, depth.chain)
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


def declare_default_prefixes(sparql: str) -> tuple[str, int]:
    """Declare the default prefixes that ``sparql`` uses but does not declare.

    For engines that take query text only (remote endpoints). The declarations go before
    the text on its first line, so that every other line keeps its number;
    :func:`describe_syntax_error` takes the columns added back off line 1.

    Returns:
        The text to send, and the number of characters added before its first line.
    """
    text = blank_opaque(_decode_codepoint_escapes(sparql))
    declared = {m.group(1) or "" for m in _DECLARED_PREFIX.finditer(text)}
    used = {m.group(1) or "" for m in _USED_PREFIX.finditer(text)}
    missing = [name for name in DEFAULT_PREFIXES if name in used - declared]
    prologue = "".join(f"PREFIX {name}: <{DEFAULT_PREFIXES[name]}> " for name in missing)
    return prologue + sparql, len(prologue)


def describe_syntax_error(message: str, added_columns: int = 0) -> str:
    """Write an engine's syntax error with its position as ``line L, column C``.

    Args:
        message: The engine's message, placing the error ``at L:C``.
        added_columns: Characters added before the query's first line
            (:func:`declare_default_prefixes`), taken off a column of line 1.

    Returns:
        ``SPARQL syntax error at line L, column C: …``, the position in the text the user
        wrote; the message unchanged but for its prefix if it gives no position.
    """
    body = message.strip()
    body = body.removeprefix("SPARQL syntax ").removeprefix("error").strip()
    match = _ERROR_AT.search(body)
    if match is None:
        return f"SPARQL syntax error: {body}"
    line, column = int(match.group(1)), int(match.group(2))
    if line == 1:
        column = max(1, column - added_columns)
    rest = body[match.end() :].lstrip(":").strip()
    where = f"at line {line}, column {column}"
    return f"SPARQL syntax error {where}: {rest}" if rest else f"SPARQL syntax error {where}"


def error_position(message: str) -> tuple[int, int] | None:
    """Return the ``(line, column)`` that :func:`describe_syntax_error` wrote in ``message``."""
    match = _POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else None


_POSITION = re.compile(r"\bat line (\d+), column (\d+)\b")
