"""``swapgraph serve``: take the port, check the project, then serve it until stopped.

The port is bound before anything slow happens, so a second server on a busy port fails
at once (:data:`swapgraph.cli.EXIT_CANNOT_LISTEN`) instead of after validation; the address
is printed only once the socket listens. SIGTERM or SIGINT stops accepting connections, lets the
requests in flight finish for ``grace`` seconds, stops the workers and returns normally
(exit 0): container platforms send SIGTERM and kill about ten seconds later.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TextIO

import uvicorn

from swapgraph.checked import checked_report
from swapgraph.errors import CannotListen, InvalidProject
from swapgraph.memory import children_allocator
from swapgraph.report import render_text
from swapgraph.server import Settings
from swapgraph.server.http11 import uvicorn_options
from swapgraph.server.service import Ahead


class Stopped(BaseException):
    """SIGTERM or SIGINT arrived during start-up: stop, cleaning up on the way out."""


def bind(host: str, port: int) -> socket.socket:
    """Take the address (not yet listening: nothing connects during start-up).

    Raises:
        CannotListen: If the address is taken or cannot be used.
    """
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise CannotListen(f"cannot listen on {where}: {error.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise _cannot_listen(where, error) from None
    return sock


def _cannot_listen(where: str, error: OSError) -> CannotListen:
    hint = " (another server uses it; choose a port with --port)"
    return CannotListen(
        f"cannot listen on {where}: {error.strerror}"
        + (hint if error.errno == errno.EADDRINUSE else "")
    )


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_invalid: bool = False,
    out: TextIO | None = None,
    grace: int = 10,
) -> None:
    """Bind, validate the project, then serve it until SIGTERM or SIGINT.

    Args:
        settings: The project, engine and limits.
        host: The address to listen on.
        port: The port to listen on (0: any free port; the one taken is printed).
        allow_invalid: Serve even if the project has violations (they are still printed).
        out: Where the report and the start-up lines go (default: standard output).
        grace: Seconds that requests in flight get to finish once a stop is asked for.

    Raises:
        CannotListen: If the address cannot be listened on (checked first).
        InvalidProject: If the project has violations and ``allow_invalid`` is false.
        Stopped: If SIGTERM or SIGINT arrived before the server was up.
    """
    out = out or sys.stdout
    with children_allocator(settings.allocator) as allocator:  # before any thread starts
        _serve(settings, host, port, allow_invalid, out, grace, allocator)


def _serve(
    settings: Settings,
    host: str,
    port: int,
    allow_invalid: bool,
    out: TextIO,
    grace: int,
    allocator: str,
) -> None:
    serving = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # While uvicorn runs, its own handler is in place; it calls this one again once it
        # has shut down, and the stop is then complete: nothing is left to do.
        if not serving:
            raise Stopped(signal.Signals(signum).name)

    previous = {}
    if threading.current_thread() is threading.main_thread():  # where signals are handled
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    sock = bind(host, port)
    try:
        # The workers start meanwhile, on the other core (nothing answers before the end of
        # validation: the service is handed over below).
        ahead = Ahead(settings)
        try:
            # Reused while the content is unchanged; otherwise computed in a child process,
            # so that none of validation's memory stays in the server.
            report = checked_report(settings.project, child=True)
            if not report.conforms:
                out.write(render_text(report))
                if not allow_invalid:
                    raise InvalidProject(
                        f"{settings.project.root}: the graph does not conform to its shapes "
                        "(see above); fix it, or serve it anyway with --allow-invalid"
                    )
            service = ahead.take()
        except BaseException:
            ahead.discard()
            raise
        # The web application only now: a project that does not validate never loads it.
        from swapgraph.server import create_app

        app = create_app(settings, service)
        service = app.state.service
        try:
            sock.listen(2048)
        except OSError as error:  # another server bound it too and listened first
            service.close()
            raise _cannot_listen(f"{host}:{port}", error) from None
        files = len(service.data_files)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        engine = service.engine_name
        if engine == "oxigraph":  # what --store auto chose is worth seeing
            engine += f", store {settings.store}"
        out.write(
            f"serving {settings.project.root} ({files} files, engine {engine}, "
            f"{len(service.named_queries)} named queries, allocator {allocator})\n"
            f"SPARQL endpoint: http://{shown}:{bound}/sparql\n"
            f"API documentation: http://{shown}:{bound}/docs\n"
        )
        out.flush()
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        # uvicorn's own limit is a last resort: it cancels requests, which logs tracebacks
        # and answers 500. The pool is closed first, and its jobs answer 503.
        config = uvicorn.Config(
            app,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=grace + 5,
            **uvicorn_options(settings.read_timeout, settings.keep_alive),
        )
        serving = True
        _Server(config, service.pool.close, grace).run(sockets=[sock])
    finally:
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Server(uvicorn.Server):
    """uvicorn, which stops the query workers when the grace period after a stop ends."""

    def __init__(self, config: uvicorn.Config, stop_jobs: Callable[[], None], grace: int) -> None:
        super().__init__(config)
        self._stop_jobs = stop_jobs
        self._grace = grace

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop accepting, let requests finish for the grace period, then stop the jobs."""
        # A thread: stopping the pool joins processes, which must not block the event loop.
        timer = threading.Timer(self._grace, self._stop_jobs)
        timer.daemon = True
        timer.start()
        try:
            await super().shutdown(sockets)
        finally:
            timer.cancel()
