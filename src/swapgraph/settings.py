"""The settings of ``swapgraph serve``, each declared once with its default and help text.

:data:`SETTINGS` builds the command's flags (:func:`add_flags`), the server's configuration
(:func:`server_values`, and the defaults of :class:`swapgraph.server.Settings`) and the
README's option table (:func:`markdown_table`, which a test compares with the README), so
that a default or an explanation is written in one place. The project, the named graphs of
the protocol tests and ``--allow-invalid`` are not settings of the server: the command takes
them as it takes every other option.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from swapgraph.memory import ALLOCATORS

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
