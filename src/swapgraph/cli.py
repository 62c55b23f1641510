"""The ``swapgraph`` command line: a thin layer of argument parsing over plain functions.

Exit codes are stable: 0 success (for ``validate``: the data conforms), 1 the data has
violations (or ``--check`` found work to do), 2 the command could not run (bad input, a
missing file, a malformed project); the reason is printed as one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from swapgraph import __version__
from swapgraph.errors import SwapgraphError
from swapgraph.paths import Project

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2

Command = Callable[[argparse.Namespace], int]


def _project(args: argparse.Namespace) -> Project:
    return Project.open(args.project)


# --------------------------------------------------------------------------- info


def _run_info(args: argparse.Namespace) -> int:
    from swapgraph.engine import open_engine
    from swapgraph.info import project_info

    project = _project(args)
    info = project_info(project, open_engine(project))
    print(f"project:          {project.root}")
    print(f"ontology version: {info.ontology_version or '(none)'}")
    print(f"triples:          {info.triples}")
    print(f"exchanges from:   {info.first_exchange or '-'} to {info.last_exchange or '-'}")
    for name, count in info.entities.items():
        print(f"  {name:<16}{count:>8}")
    return EXIT_OK


def _add_info(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("info", help="triples, entities per class, version, dates")
    parser.set_defaults(run=_run_info)


# --------------------------------------------------------------------------- query


def _run_query(args: argparse.Namespace) -> int:
    from swapgraph.engine import open_engine
    from swapgraph.errors import ParameterError
    from swapgraph.named_queries import load_named_queries, parse_assignments, resolve_query
    from swapgraph.results import render

    project = _project(args)
    if args.list:
        queries = load_named_queries(project)
        width = max((len(name) for name in queries), default=0)
        for name, named in queries.items():
            print(f"{name:<{width}}  {named.summary}")
        return EXIT_OK
    query = resolve_query(project, args.query, args.file)
    raw = parse_assignments(args.param)
    if isinstance(query, str):
        if raw:
            raise ParameterError("--param applies to named queries (api/NAME.rq) only")
        text, bindings = query, {}
    else:
        text, bindings = query.text, query.bind(raw)
    result = open_engine(project, args.engine).query(text, bindings)
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def _add_query(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from swapgraph.results import FORMATS

    parser = commands.add_parser(
        "query", help="run a SPARQL query: text, a file, or a named query from api/"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "query", nargs="?", metavar="QUERY", help="SPARQL text, or NAME for api/NAME.rq"
    )
    source.add_argument(
        "-f", "--file", type=Path, metavar="FILE.rq", help="read the query from a file"
    )
    source.add_argument("--list", action="store_true", help="list the named queries and exit")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a named query's parameter (repeatable)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    parser.add_argument(
        "--engine",
        choices=("oxigraph", "rdflib"),
        default="oxigraph",
        help="query engine (default: oxigraph)",
    )
    parser.set_defaults(run=_run_query)


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_info,
    _add_query,
]


def _add_project_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        default=default,
        metavar="DIR",
        help="the graph project (default: the current directory)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="swapgraph",
        description="Validate, query, analyse, export and serve the swapgraph knowledge graph.",
    )
    _add_project_option(parser, default=Path("."))
    parser.add_argument("--version", action="version", version=f"swapgraph {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    original = commands.add_parser

    def add_parser(name: str, **kwargs: object) -> argparse.ArgumentParser:
        # Every subcommand takes --project too, before or after its name; SUPPRESS keeps a
        # value given before the name from being reset by the subcommand's default.
        subparser = original(name, **kwargs)  # type: ignore[arg-type]
        _add_project_option(subparser, default=argparse.SUPPRESS)
        return subparser

    commands.add_parser = add_parser  # type: ignore[method-assign]
    for add in _COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except SwapgraphError as error:
        print(f"swapgraph: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
