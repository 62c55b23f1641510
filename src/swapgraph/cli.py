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


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_info,
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
