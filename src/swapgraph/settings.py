"""The settings of ``swapgraph serve``, each declared once with its default and help text.

:data:`SETTINGS` builds the command's flags (:func:`add_flags`), the server's configuration
(:func:`server_values`, and the defaults of :class:`Settings`) and the
README's option table (:func:`markdown_table`, which a test compares with the README), so
that a default or an explanation is written in one place. The project, the named graphs of
the protocol tests and ``--allow-invalid`` are not settings of the server: the command takes
them as it takes every other option.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swapgraph.errors import QueryError, SettingError
from swapgraph.memory import ALLOCATORS

if TYPE_CHECKING:
    from swapgraph.paths import Project

Value = int | float | str | tuple[str, ...] | None


@dataclass(frozen=True)
class Setting:
    """One setting of the server and its flag.

    Attributes:
        name: The attribute of the server's settings (``max_body_bytes``); the flag is the
            name with dashes (``--max-body-bytes``) unless ``flag`` says otherwise.
        default: The value without the flag, in the flag's unit.
        type: Reads a flag's value.
        help: What it does, for ``--help`` and the README.
        metavar: How ``--help`` names the value.
        flag: The flag, where it is not made from the name.
        unit: The setting is the flag's value times this (megabytes on the command line,
            bytes in the server).
        zero_is_none: A value of 0 means no limit (None in the server).
        repeat: The flag may be given several times; the setting is the tuple of values.
        server: Whether it is part of the server's settings (or an argument of ``serve``).
    """

    name: str
    default: Value
    type: Callable[[str], Any]
    help: str
    metavar: str
    flag: str | None = None
    unit: int = 1
    zero_is_none: bool = False
    repeat: bool = False
    server: bool = True

    @property
    def option(self) -> str:
        """The command-line flag."""
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def dest(self) -> str:
        """The attribute argparse stores the flag's value under."""
        return self.option.removeprefix("--").replace("-", "_")

    def value(self, given: Any) -> Value:
        """The server's value for the flag's value ``given``."""
        if self.repeat:
            return tuple(given or ())
        if given is None or (self.zero_is_none and given == 0):
            return None
        if self.unit != 1:
            return int(given * self.unit)
        value: Value = given
        return value

    @property
    def server_default(self) -> Value:
        """The server's value when the flag is not given."""
        return self.value(self.default)


#: Where the oxigraph engine's workers hold the data (``--store``).
STORES = ("auto", "memory", "disk")


def _one_of(text: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(choices)}")
    return text


# Readers that refuse what would leave a server that cannot serve: no worker, a time limit
# every query exceeds, a deadline every request misses (nan and inf included). A zero is
# allowed where it means something: no grace, no keep-alive, no memory limit, any free port.


def _seconds(zero: bool = False) -> Callable[[str], float]:
    """A reader of seconds: more than 0, or 0 or more if ``zero``; finite."""

    def read(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            least = "0 or more" if zero else "more than 0"
            raise argparse.ArgumentTypeError(f"{text!r}: the number of seconds must be {least}")
        return value

    return read


def _count(least: int = 1, most: int | None = None) -> Callable[[str], int]:
    """A reader of whole numbers from ``least`` (to ``most``)."""

    def read(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least or (most is not None and value > most):
            span = f"from {least} to {most}" if most is not None else f"{least} or more"
            raise argparse.ArgumentTypeError(f"{text!r}: the number must be {span}")
        return value

    return read


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", str, "address to listen on", "HOST", server=False),
    Setting("port", 8000, _count(least=0, most=65535), "port to listen on", "PORT", server=False),
    Setting(
        "engine",
        "oxigraph",
        str,
        "query engine, or the URL of a SPARQL endpoint holding the data",
        "oxigraph|rdflib|URL",
    ),
    Setting("timeout", 30.0, _seconds(), "per-query time limit", "SECONDS"),
    Setting(
        "cors_origins",
        (),
        str,
        "allow this origin to call the API from a browser (repeatable); none by default",
        "ORIGIN",
        flag="--cors",
        repeat=True,
    ),
    Setting("workers", 2, _count(), "queries that run at once (worker processes)", "N"),
    Setting(
        "store",
        "auto",
        lambda text: _one_of(text, STORES),
        "where the oxigraph engine's workers hold the data: memory (fastest queries, a copy "
        "per worker) or disk (one read-only store for all, kept in the cache folder: less "
        "memory and a restart in seconds, queries as fast as Oxigraph server's: 1.7-2.9x "
        "slower at 1M triples); auto takes disk for data files of 16 MiB or more (about "
        "350k triples of Turtle), memory below",
        "auto|memory|disk",
    ),
    Setting(
        "allocator",
        "auto",
        lambda text: _one_of(text, ALLOCATORS),
        "the C allocator of the query workers and of validation: mimalloc (from the "
        "cmeel-mimalloc package, installed on Linux: at 1M triples the named queries took "
        "0.79-1.06x their time on glibc's, for about 90 MiB more), or the system's; auto "
        "takes mimalloc where it is installed",
        "auto|mimalloc|system",
    ),
    Setting(
        "max_pending",
        16,
        _count(),
        "queries that may run or wait at once; more get 503",
        "N",
    ),
    Setting(
        "worker_memory_bytes",
        4000,
        _count(least=0),
        "address space each query worker may add to its loaded data; 0 for no limit",
        "MB",
        flag="--worker-memory",
        unit=1_000_000,
        zero_is_none=True,
    ),
    Setting(
        "max_body_bytes",
        1_000_000,
        _count(),
        "largest request body accepted (413 beyond)",
        "N",
    ),
    Setting(
        "max_result_bytes",
        200_000_000,
        _count(),
        "largest serialised result sent (an error beyond, never a cut)",
        "N",
    ),
    Setting(
        "results_in_flight_bytes",
        400_000_000,
        _count(),
        "bytes of large finished results held at once; a result that finds no room gets 503",
        "N",
    ),
    Setting(
        "read_timeout",
        30.0,
        _seconds(),
        "time a client has to send one whole request, headers and body",
        "SECONDS",
    ),
    Setting(
        "keep_alive",
        75.0,
        _seconds(zero=True),
        "time an idle connection is kept open for its next request, then closed without a "
        "word; longer than a proxy's (nginx keeps upstream connections 60 s) so that the "
        "proxy, not the server, closes first",
        "SECONDS",
    ),
    Setting(
        "grace",
        10.0,
        _seconds(zero=True),
        "on SIGTERM, time given to requests in flight before they are stopped",
        "SECONDS",
        server=False,
    ),
    Setting(
        "base_url",
        None,
        str,
        "the public URL the service is reached at (e.g. behind a proxy), used for absolute "
        "URLs; default: the address it listens on (the Host header is never trusted)",
        "URL",
    ),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


def default(name: str) -> Any:
    """The server's default value of the setting ``name``."""
    return _BY_NAME[name].server_default


def add_flags(parser: argparse.ArgumentParser) -> None:
    """Add a flag for every setting to ``parser``."""
    for setting in SETTINGS:
        shown = "" if setting.default in (None, ()) else f" (default: {setting.default})"
        parser.add_argument(
            setting.option,
            dest=setting.dest,
            type=setting.type,
            default=[] if setting.repeat else setting.default,
            action="append" if setting.repeat else "store",
            metavar=setting.metavar,
            help=setting.help + shown,
        )


def server_values(args: argparse.Namespace) -> dict[str, Any]:
    """The server's settings from parsed flags, by attribute name."""
    return {s.name: s.value(getattr(args, s.dest)) for s in SETTINGS if s.server}


def markdown_table() -> str:
    """The README's table of ``serve``'s options."""
    lines = ["| option | meaning | default |", "|---|---|---|"]
    for setting in SETTINGS:
        shown = "—" if setting.default in (None, ()) else f"`{setting.default}`"
        option = f"`{setting.option} {setting.metavar}`"
        cells = (option, setting.help, shown)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def engine_kind(name: str) -> str:
    """What the engine name ``name`` stands for: ``oxigraph``, ``rdflib`` or ``remote``.

    Raises:
        QueryError: If it is none of them (nor an ``http(s)://`` URL).
    """
    if name in ("oxigraph", "rdflib"):
        return name
    if name.startswith(("http://", "https://")):
        return "remote"
    raise QueryError(f"unknown engine {name!r} (expected oxigraph, rdflib or an http(s) URL)")


@dataclass(frozen=True)
class Settings:
    """How the server runs.

    Attributes:
        project: The graph project served.
        engine: ``oxigraph``, ``rdflib`` or the URL of a SPARQL endpoint holding the data.
        timeout: Seconds a query may run before it is stopped.
        cors_origins: Origins allowed to call the API from a browser; none by default.
        named_graphs: Extra files served as named graphs, by graph IRI (the project's own
            data is the default graph).
        workers: Queries that run at once (worker processes for a local engine).
        store: Where the Oxigraph workers hold the data: ``memory`` (a copy each) or
            ``disk`` (one read-only on-disk store shared by all); ``auto`` is replaced by
            one of them (:func:`auto_store`).
        allocator: The C allocator of the processes ``swapgraph serve`` starts (see
            :func:`swapgraph.memory.children_allocator`).
        max_pending: Queries that may run or wait at once; more get 503.
        max_body_bytes: Largest request body accepted (413 beyond).
        max_result_bytes: Largest serialised result sent (an error beyond, never a cut).
        worker_memory_bytes: Address space each worker process may add to what it holds
            once its data is loaded (``RLIMIT_AS``); a job that needs more fails, or its
            worker dies and is replaced. None: no limit.
        results_in_flight_bytes: Bytes of large finished results the server holds at once;
            a result that finds no room is answered 503 (retry).
        base_url: The service's public URL (``https://example.org/swapgraph``), used for
            every absolute URL it writes; without it, the address it listens on is used,
            never the client's ``Host`` header.
        read_timeout: Seconds a client has to send one whole request, headers and body;
            the connection is answered 408 and closed after.
        keep_alive: Seconds an idle connection waits for its next request before it is
            closed, without an answer since no request was made.
    """

    project: Project
    engine: str = default("engine")
    timeout: float = default("timeout")
    cors_origins: tuple[str, ...] = default("cors_origins")
    named_graphs: Mapping[str, Path] = field(default_factory=dict)
    workers: int = default("workers")
    store: str = default("store")
    allocator: str = default("allocator")
    max_pending: int = default("max_pending")
    max_body_bytes: int = default("max_body_bytes")
    max_result_bytes: int = default("max_result_bytes")
    worker_memory_bytes: int | None = default("worker_memory_bytes")
    results_in_flight_bytes: int = default("results_in_flight_bytes")
    base_url: str | None = default("base_url")
    read_timeout: float = default("read_timeout")
    keep_alive: float = default("keep_alive")

    def __post_init__(self) -> None:
        for setting in SETTINGS:  # the flags' rules, for settings made in Python too
            if setting.server and isinstance(setting.default, int | float):
                _check(setting, getattr(self, setting.name))
        if self.store == "disk" and engine_kind(self.engine) != "oxigraph":
            raise SettingError("--store disk is for the oxigraph engine only")
        if self.store == "auto":  # frozen: the choice is made once, here
            object.__setattr__(self, "store", auto_store(self.project, self.engine))

    @property
    def loads_cached_dump(self) -> bool:
        """Whether the workers load the dataset's dump from the project's cache folder."""
        return (
            self.store == "memory"
            and not self.named_graphs
            and engine_kind(self.engine) == "oxigraph"
        )


def _check(setting: Setting, value: object) -> None:
    """Refuse a number the setting's flag would refuse (a Python caller bypasses the flags).

    Raises:
        SettingError: Naming the setting, as the flag's reader words it.
    """
    if value is None and setting.zero_is_none:
        return
    if setting.unit != 1:  # bytes here, megabytes on the command line
        if not (isinstance(value, int) and value > 0):
            raise SettingError(f"{setting.name}: {value!r} must be a whole number above 0")
        return
    whole = isinstance(setting.default, int)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (whole and not isinstance(value, int))
    ):
        kind = "whole number" if whole else "number"
        raise SettingError(f"{setting.name}: {value!r} is not a {kind}")
    try:
        setting.type(repr(value))
    except argparse.ArgumentTypeError as error:
        raise SettingError(f"{setting.name}: {error}") from None


#: Data files of at least this many bytes are served from disk under ``--store auto``.
AUTO_DISK_BYTES = 16 * 2**20


def auto_store(project: Project, engine: str) -> str:
    """What ``--store auto`` means for a project: ``disk`` for large data, else ``memory``.

    Each in-memory worker holds a copy of the data: at 1M triples (48 MB of Turtle) about
    430 MiB, and ``serve`` with two workers peaked at 1,341-1,349 MiB, 3.7 times one
    pyoxigraph ``Store`` of the files; on the on-disk store it peaked at 544-668 MiB
    (1.5-1.85 times), restarted in 1.4-1.9 s instead of 5.4-5.7 and answered the named
    queries in 0.77-1.05 times Oxigraph server's time (0.31-0.55 in memory). From 16 MiB
    of files (scaled from those two measures, not measured: about 350k triples of Turtle,
    some 150 MiB a copy) the memory is worth more than the speed; below, a copy is small
    and memory's queries are twice as fast.

    Args:
        project: The project served.
        engine: The ``--engine`` setting: only the oxigraph engine has a store to choose.
    """
    if engine_kind(engine) != "oxigraph":
        return "memory"
    size = sum(path.stat().st_size for path in project.data_files())
    return "disk" if size >= AUTO_DISK_BYTES else "memory"
