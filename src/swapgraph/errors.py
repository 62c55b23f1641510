"""Errors that the engine reports to people as one clear line, never as a traceback."""

from __future__ import annotations

from pathlib import Path


class SwapgraphError(Exception):
    """Base class: something the user can act on; the message names what and where."""


class ProjectError(SwapgraphError):
    """The project directory is missing, or lacks a folder or file it needs."""


class RDFSyntaxError(SwapgraphError):
    """A content file is not well-formed RDF.

    Attributes:
        path: The offending file.
        line: 1-based line of the error, when the parser reports one.
        column: 1-based column of the error, when the parser reports one.
        detail: The parser's own message.
    """

    def __init__(
        self, path: Path, detail: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.detail = detail
        self.line = line
        self.column = column
        where = str(path)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: not valid RDF: {detail}")


class QueryError(SwapgraphError):
    """A SPARQL query is malformed, refused, or failed while running."""


class QueryTimeout(QueryError):
    """A query ran past its time limit and was stopped."""


class QuerySyntaxError(QueryError):
    """The query text is not valid SPARQL; the message says where."""


class NotAcceptable(QueryError):
    """None of the media types the client accepts can carry this kind of result."""


class ResultTooLarge(QueryError):
    """The serialised result passed the size limit; nothing was sent."""


class QueryHeaderError(QueryError):
    """A named query's file is malformed; the message names the file and line.

    Attributes:
        path: The ``.rq`` file.
        line: The 1-based line at fault, when there is one.
    """

    def __init__(self, path: Path, detail: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {detail}")


class ParameterError(SwapgraphError):
    """A named query's parameter is missing, unknown or of the wrong type."""


class UnknownNameError(ParameterError):
    """A name (of a state, mediator, parameter value …) denotes nothing, or several things.

    Attributes:
        name: The name as given.
        suggestions: Close matches, as shown to people: ``Ukraine (state:ukraine)``.
    """

    def __init__(self, message: str, name: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.name = name
        self.suggestions = suggestions


# --------------------------------------------------------------------------- formats and limits


class UnknownFormat(SwapgraphError):
    """A media type names no format swapgraph writes."""


class LimitExceeded(SwapgraphError):
    """The input passes one of the limits of :mod:`swapgraph.limits`; the message names it."""


# --------------------------------------------------------------------------- queries


class QueryRefused(QueryError):
    """The text asks for something a read-only, closed service does not do."""


# --------------------------------------------------------------------------- writing a project


class LockBusy(SwapgraphError):
    """Another swapgraph command holds the project's lock."""


class ConcurrentChange(SwapgraphError):
    """A file changed on disk between the time a command read it and the time it would write it."""


# --------------------------------------------------------------------------- serving


class InvalidProject(SwapgraphError):
    """The project has SHACL violations and ``--allow-invalid`` was not given."""


class SettingError(SwapgraphError):
    """A server setting that cannot be used with the others given."""


class CannotListen(SwapgraphError):
    """The address cannot be listened on: the port is taken, or the host is not ours."""


class CountTooLarge(SwapgraphError):
    """A count too large to weigh an edge with."""


class NotUTF8(SwapgraphError):
    """A file holds a byte that is not UTF-8.

    Attributes:
        path: The file.
        line: The line of the first such byte.
        offset: Its position in the file.
        byte: Its value.
    """

    def __init__(self, path: Path, line: int, offset: int, byte: int) -> None:
        super().__init__(f"{path}:{line}: not UTF-8 (byte 0x{byte:02x}); save the file as UTF-8")
        self.path, self.line, self.offset, self.byte = path, line, offset, byte
