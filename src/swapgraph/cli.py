"""The ``swapgraph`` command line: a thin layer of argument parsing over plain functions.

Exit codes are stable: 0 success (for ``validate``: the data conforms), 1 the data has
violations (or ``--check`` found work to do), 2 the command could not run (bad input, a
missing file, a malformed project); the reason is printed as one line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from swapgraph import __version__
from swapgraph.errors import ParameterError, SwapgraphError
from swapgraph.paths import Project

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2
#: ``serve`` could not listen on its address (the port is taken, or the host is not ours).
EXIT_CANNOT_LISTEN = 3

Command = Callable[[argparse.Namespace], int]


def _project(args: argparse.Namespace) -> Project:
    from swapgraph.journal import recover

    project = Project.open(args.project)
    # A write that a crash interrupted is finished or undone before anything reads the files.
    recover(project.root)
    return project


def _report_leftovers(project: Project) -> None:
    from swapgraph.journal import leftovers

    for path in leftovers(project.root):
        print(
            f"swapgraph: warning: {path}: left by an interrupted write of another program or "
            "an older swapgraph; check it and remove it",
            file=sys.stderr,
        )


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
    parser = commands.add_parser(
        "info", parents=[_COMMON], help="triples, entities per class, version, dates"
    )
    parser.set_defaults(run=_run_info)


# --------------------------------------------------------------------------- query


def _run_query(args: argparse.Namespace) -> int:
    from swapgraph.engine import open_engine
    from swapgraph.named_queries import load_named_queries, resolve_query
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
    # A command line starts afresh each time: the cached store spares parsing every file.
    engine = open_engine(project, args.engine, cached=True)
    if isinstance(query, str):
        if raw:
            raise ParameterError("--param applies to named queries (api/NAME.rq) only")
        text, bindings = query, {}
    else:
        text, bindings = query.text, query.bind(raw, engine)
    result = engine.query(text, bindings)
    sys.stdout.write(render(result, args.format))
    return EXIT_OK


def _add_query(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from swapgraph.formats import QUERY_OUTPUT_FORMATS as FORMATS

    parser = commands.add_parser(
        "query",
        parents=[_COMMON],
        help="run a SPARQL query: text, a file, or a named query from api/",
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
        default="oxigraph",
        metavar="oxigraph|rdflib|URL",
        help="query engine, or the URL of a SPARQL endpoint holding the data (default: oxigraph)",
    )
    parser.set_defaults(run=_run_query)


# --------------------------------------------------------------------------- new


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _run_new_exchange(args: argparse.Namespace) -> int:
    from swapgraph.new import new_exchange

    project = _project(args)
    made = new_exchange(project, args.date, args.between, args.mediator, args.source)
    for other in made.same_day:
        print(f"note: <{other}> is already an exchange between these states that day")
    files = ", ".join(str(p.relative_to(project.root)) for p in made.written)
    print(f"added <{made.iri}> ({made.label}) to {files}")
    print("still to fill in (swapgraph validate reports each until it is given):")
    for item in made.to_fill:
        print(f"  - {item}")
    return EXIT_OK


def _add_new(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "new", parents=[_COMMON], help="add the skeleton of a new exchange to graph/"
    )
    kinds = parser.add_subparsers(title="kinds", metavar="KIND", required=True)
    exchange = kinds.add_parser(
        "exchange",
        help="an exchange: its date, two states, mediators and sources",
        description="Write the skeleton of an exchange into graph/exchanges-<year>.ttl, with "
        "what is known filled in and the rest left for `swapgraph validate` to report.",
    )
    _add_project_option(exchange, default=argparse.SUPPRESS)
    exchange.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD")
    exchange.add_argument(
        "--between",
        nargs=2,
        required=True,
        metavar="STATE",
        help="the two states, by name, ISO 3166 code or Wikidata id (e.g. Russia UA)",
    )
    exchange.add_argument(
        "--mediator",
        action="append",
        default=[],
        metavar="NAME",
        help="a state or organisation credited as mediator (repeatable)",
    )
    exchange.add_argument(
        "--source", action="append", default=[], metavar="URL", help="a report (repeatable)"
    )
    exchange.set_defaults(run=_run_new_exchange)


# --------------------------------------------------------------------------- diff


def _run_diff(args: argparse.Namespace) -> int:
    import json

    from swapgraph.diff import diff_projects, materialise_revision

    if args.since is not None:
        if args.old is not None:
            raise SwapgraphError("diff: give either OLD NEW or --since GIT-REV, not both")
        project = _project(args)
        with materialise_revision(project, args.since) as old:
            result = diff_projects(old, project)
    else:
        if args.old is None or args.new is None:
            raise SwapgraphError("diff: give two project directories OLD NEW, or --since GIT-REV")
        result = diff_projects(Project.open(args.old), Project.open(args.new))
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(result.to_text(), end="")
    return EXIT_OK


def _add_diff(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "diff",
        parents=[_COMMON],
        help="what changed, entity by entity, between two versions of a project",
        description="Compare two project directories, or the project with one of its git "
        "revisions: exchanges, agreements, states and ontology terms added, removed or "
        "changed. Exits 0 whether or not there are differences.",
    )
    parser.add_argument("old", nargs="?", type=Path, metavar="OLD", help="the earlier project")
    parser.add_argument("new", nargs="?", type=Path, metavar="NEW", help="the later project")
    parser.add_argument(
        "--since",
        metavar="GIT-REV",
        help="compare the project (--project) with its state at this git revision",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=_run_diff)


# --------------------------------------------------------------------------- export


def _add_filters(parser: argparse.ArgumentParser) -> None:
    """The options that choose exchanges, shared by ``export`` and ``stats``."""
    parser.add_argument("--from", dest="start", metavar="DATE", help="exchanges on or after")
    parser.add_argument("--to", dest="end", metavar="DATE", help="exchanges on or before")
    names = "label, other name, ISO code, Wikidata id or IRI"
    for flag, metavar, keep in (
        ("--state", "STATE", "this state took part in ({}; repeat: all of them)"),
        ("--mediator", "ACTOR", "with this third party ({}; repeat: any of them)"),
    ):
        parser.add_argument(
            flag, action="append", default=[], metavar=metavar,
            help="keep exchanges " + keep.format(names),
        )  # fmt: skip
    parser.add_argument(
        "--state-to-state",
        action="store_true",
        help="keep exchanges whose every party is a state (no armed group)",
    )


def _run_export(args: argparse.Namespace) -> int:
    from swapgraph.exports import export
    from swapgraph.views import Filters

    filters = Filters.parse(args.start, args.end, args.state, args.mediator, args.state_to_state)
    content, _, _ = export(_project(args), args.format, args.view, filters)
    if args.output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        try:
            args.output.write_bytes(content)
        except OSError as error:
            raise SwapgraphError(f"{args.output}: cannot write: {error.strerror}") from None
    return EXIT_OK


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from swapgraph.formats import EXPORT_FORMATS
    from swapgraph.formats import EXPORT_VIEWS as VIEWS

    parser = commands.add_parser(
        "export",
        parents=[_COMMON],
        help="the graph as GraphML, GEXF, Cytoscape.js, DOT, CSV or RDF",
        description="Write a view of the graph (actors, exchanges, or every triple) in a "
        "format graph tools open, or the triples as RDF. Filters keep the exchanges in a date "
        "range, between given states, or with given third parties.",
    )
    parser.add_argument(
        "format", choices=list(EXPORT_FORMATS), metavar="FORMAT", help=", ".join(EXPORT_FORMATS)
    )
    parser.add_argument("--view", choices=VIEWS, default="actors", help="default: actors")
    _add_filters(parser)
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    parser.set_defaults(run=_run_export)


# --------------------------------------------------------------------------- stats


def _run_stats(args: argparse.Namespace) -> int:
    from swapgraph.stats import compute_stats, render, select_tables
    from swapgraph.views import Filters

    filters = Filters.parse(args.start, args.end, args.state, args.mediator, args.state_to_state)
    tables = select_tables(compute_stats(_project(args), filters), args.table)
    print(render(tables, args.format), end="")
    return EXIT_OK


def _add_stats(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from swapgraph.formats import STATS_FORMATS

    parser = commands.add_parser(
        "stats",
        parents=[_COMMON],
        help="exchanges and people per year and pair, mediators, centrality, agreements",
        description="Network analytics over the graph: exchanges and people per year and per "
        "pair of states, mediators ranked overall and per year, degree and betweenness "
        "centrality, promised against delivered per agreement, running totals per state.",
    )
    parser.add_argument("--format", choices=STATS_FORMATS, default="table")
    parser.add_argument(
        "--table", action="append", default=[], metavar="NAME", help="only this table (repeatable)"
    )
    _add_filters(parser)
    parser.set_defaults(run=_run_stats)


# --------------------------------------------------------------------------- validate


def _run_validate(args: argparse.Namespace) -> int:
    from swapgraph.checked import checked_report
    from swapgraph.report import render
    from swapgraph.validate import validate_project

    project = _project(args)
    _report_leftovers(project)
    if args.files:
        report = validate_project(project, args.files, engine=args.engine)
    else:
        report = checked_report(project, use_cache=not args.no_cache, engine=args.engine)
    print(render(report, args.format), end="")
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def _add_validate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from swapgraph.report import FORMATS

    parser = commands.add_parser(
        "validate",
        parents=[_COMMON],
        help="check the graph against the SHACL shapes",
        description="Validate graph/ (plus any FILES, such as a new file not yet in graph/) "
        "against the project's SHACL shapes, and report each result with its file, line, "
        "shape and message. Exit 0 if the data conforms (Warnings allowed), 1 if there are "
        "Violations, 2 if validation could not run. No content file is modified; the report "
        "is kept in .swapgraph-cache/ under a hash of the content and tool versions, and reused "
        "while they are unchanged.",
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="more data files")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="validate even if .swapgraph-cache/ holds the report of the same content",
    )
    parser.add_argument(
        "--engine",
        choices=("fast", "pyshacl"),
        default="fast",
        help="validator: fast (pyoxigraph parsing and a SHACL Core engine, falling back to "
        "pyshacl for what it lacks) or pyshacl, the reference; both give the same report "
        "(default: fast)",
    )
    parser.set_defaults(run=_run_validate)


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """Parse ``NAME=VALUE`` items (``--param`` and ``--named-graph`` options) into a mapping.

    Raises:
        ParameterError: If an item has no ``=`` or a name is given twice.
    """
    values: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ParameterError(f"parameter {item!r} must read NAME=VALUE")
        if name in values:
            raise ParameterError(f"parameter {name!r} given twice")
        values[name] = value
    return values


# --------------------------------------------------------------------------- serve


def _run_serve(args: argparse.Namespace) -> int:
    from swapgraph.errors import CannotListen, InvalidProject
    from swapgraph.serve import Stopped, serve
    from swapgraph.server import Settings
    from swapgraph.settings import server_values

    named = {iri: Path(file) for iri, file in parse_assignments(args.named_graph).items()}
    settings = Settings(project=_project(args), named_graphs=named, **server_values(args))
    try:
        serve(settings, args.host, args.port, args.allow_invalid, grace=args.grace)
    except InvalidProject as error:
        # The data has violations, as `validate` would say with exit 1: not a failure to run.
        print(f"swapgraph: error: {error}", file=sys.stderr)
        return EXIT_VIOLATIONS
    except CannotListen as error:
        print(f"swapgraph: error: {error}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN
    except Stopped:  # asked to stop before serving: as asked, not a failure
        return EXIT_OK
    return EXIT_OK


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from swapgraph.settings import add_flags

    parser = commands.add_parser(
        "serve",
        parents=[_COMMON],
        help="serve the graph: SPARQL endpoint, named queries, Linked Data, validation",
        description="Validate the project, then serve it over HTTP: SPARQL 1.1 at /sparql, "
        "the named queries at /api/queries/NAME, every entity at /id/..., the vocabulary at "
        "/ontology, SHACL validation at /validate, and the API's documentation at /docs. "
        "Exit 0 once stopped by SIGTERM or SIGINT, 1 if the graph has violations, 2 if it "
        "could not run, 3 if the address cannot be listened on (checked first).",
    )
    add_flags(parser)
    parser.add_argument(
        "--allow-invalid", action="store_true", help="serve even if the graph has violations"
    )
    # Extra files served as named graphs (IRI=FILE), for protocol test suites.
    parser.add_argument("--named-graph", action="append", default=[], help=argparse.SUPPRESS)
    parser.set_defaults(run=_run_serve)


# --------------------------------------------------------------------------- release


def _run_release(args: argparse.Namespace) -> int:
    from swapgraph.release import release

    project = _project(args)
    done = release(project, args.version, args.date, args.since)
    if done.already:
        print(f"{done.version} is already released: nothing to do")
        return EXIT_OK
    print(f"released {done.version} (follows {done.prior})")
    for path in done.written:
        print(f"  wrote {path.relative_to(project.root)}")
    if done.baseline is None:
        print(f"no release v{done.prior} to compare with: the CHANGELOG entry summarises")
    print(f"next: commit, then tag the release: git tag v{done.version}")
    return EXIT_OK


def _add_release(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "release",
        parents=[_COMMON],
        help="bump the ontology version, write dated dumps to dist/, add a CHANGELOG entry",
        description="Set owl:versionInfo, owl:versionIRI and owl:priorVersion, write "
        "N-Triples, TriG and JSON-LD dumps with SHA-256 checksums to dist/, and add a "
        "CHANGELOG entry built from the semantic diff since the git tag v<previous version>; "
        "all or nothing.",
    )
    parser.add_argument("version", metavar="VERSION", help="MAJOR.MINOR.PATCH, e.g. 0.2.0")
    parser.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="release date (default: today, UTC)"
    )
    parser.add_argument(
        "--since",
        metavar="GIT-REV",
        help="build the CHANGELOG entry from this revision (default: tag v<previous version>)",
    )
    parser.set_defaults(run=_run_release)


# --------------------------------------------------------------------------- import-csv


def _run_import_csv(args: argparse.Namespace) -> int:
    from swapgraph.importer import import_csv

    report = import_csv(_project(args), args.file, dry_run=args.dry_run)
    for iri in report.added:
        print(f"added: {iri}")
    for item in [*report.duplicates, *report.unmapped]:
        print(f"warning: {item}", file=sys.stderr)
    for problem in [*report.errors, *report.violations]:
        print(f"error: {problem}", file=sys.stderr)
    for path in report.written:
        print(f"wrote: {path}")
    if not report.ok:
        print("nothing was written: fix the errors above and import again", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_OK


def _add_import_csv(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "import-csv",
        parents=[_COMMON],
        help="merge exchanges from a CSV file into graph/ (all or nothing)",
        description="Add the CSV's new exchanges to graph/. Rows already in the graph are "
        "reported with their differences, never overwritten. If any row is malformed or the "
        "result does not conform to the shapes, nothing is written (exit 1).",
    )
    parser.add_argument("file", type=Path, help="CSV in the layout of the research data")
    parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
    parser.set_defaults(run=_run_import_csv)


# --------------------------------------------------------------------------- fmt


def _run_fmt(args: argparse.Namespace) -> int:
    from swapgraph.fmt import format_project

    project = _project(args)
    _report_leftovers(project)
    changed = format_project(project, check=args.check)
    for path in changed:
        print(f"{'would reformat' if args.check else 'reformatted'}: {path}")
    return EXIT_VIOLATIONS if args.check and changed else EXIT_OK


def _add_fmt(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "fmt",
        parents=[_COMMON],
        help="write every file of graph/ as canonical Turtle (--check: only list them)",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file would change"
    )
    parser.set_defaults(run=_run_fmt)


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_info,
    _add_validate,
    _add_query,
    _add_import_csv,
    _add_fmt,
    _add_new,
    _add_diff,
    _add_release,
    _add_export,
    _add_stats,
    _add_serve,
]


def _add_project_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        default=default,
        metavar="DIR",
        help="the graph project (default: the current directory)",
    )


def _common_options() -> argparse.ArgumentParser:
    # Every subcommand takes --project too, before or after its name; SUPPRESS keeps a value
    # given before the name from being reset by the subcommand's default.
    parent = argparse.ArgumentParser(add_help=False)
    _add_project_option(parent, default=argparse.SUPPRESS)
    return parent


#: The options every subcommand takes, as an argparse parent of each.
_COMMON = _common_options()


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="swapgraph",
        description="Validate, query, analyse, export and serve the swapgraph knowledge graph.",
    )
    _add_project_option(parser, default=Path("."))
    parser.add_argument("--version", action="version", version=f"swapgraph {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in _COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # An ill-typed literal is a data error that `validate` reports with file and line; rdflib
    # would also log a traceback for it wherever a value is read.
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    run: Command = args.run
    try:
        return run(args)
    except SwapgraphError as error:
        print(f"swapgraph: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as error:  # a bug, or data the checks missed: one line, not a traceback
        if os.environ.get("SWAPGRAPH_DEBUG"):
            raise
        print(
            f"swapgraph: error: unexpected {type(error).__name__}: {error}; run `swapgraph "
            "validate`, and if the data conforms, report this (SWAPGRAPH_DEBUG=1 shows where)",
            file=sys.stderr,
        )
        return EXIT_ERROR
