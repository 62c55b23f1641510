"""``swapgraph serve``: take the port, check the project, then serve it until stopped.

The port is bound before anything slow happens, so a second server on a busy port fails
at once (:data:`swapgraph.cli.EXIT_CANNOT_LISTEN`) instead of after validation; the address
is printed only once the socket listens. SIGTERM or SIGINT stops accepting connections, lets the
requests in flight finish for ``grace`` seconds, stops the workers and returns normally
(exit 0): container platforms send SIGTERM and kill about ten seconds later.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from swapgraph.checked import checked_report
from swapgraph.child import Group
from swapgraph.dataset_cache import StoreLease, cached_store
from swapgraph.errors import CannotListen, InvalidProject
from swapgraph.memory import children_allocator, give_back
from swapgraph.report import render_text
from swapgraph.settings import Settings, engine_kind

if TYPE_CHECKING:  # imported once validation has passed (see Ahead)
    from fastapi import FastAPI

    from swapgraph.server.http11 import GracefulServer
    from swapgraph.server.service import GraphService


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
    server: GracefulServer | None = None

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if server is None:
            raise Stopped(signal.Signals(signum).name)
        # uvicorn puts its own handler in place once its event loop runs: a stop that comes
        # before is handed to it (dropped, it left the server serving until SIGKILL). Once
        # uvicorn has shut down it calls this one again, which changes nothing.
        server.handle_exit(signum, frame)

    previous = {}
    if threading.current_thread() is threading.main_thread():  # where signals are handled
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    sock = bind(host, port)
    try:
        # The workers start meanwhile, on the other core (nothing answers before the end of
        # validation: the service is handed over below).
        ahead = Ahead(settings)
        try:
            _check(settings, allow_invalid, out)
            service = ahead.take()
        except BaseException:
            ahead.discard()
            raise
        # The web application only now: a project that does not validate never loads it.
        from swapgraph.server import create_app

        app = create_app(settings, service)
        service = app.state.service
        try:  # until uvicorn runs, which then stops the service on its way out
            try:
                sock.listen(2048)
            except OSError as error:  # another server bound it too and listened first
                raise _cannot_listen(f"{host}:{port}", error) from None
            server = _server(app, service, settings, host, sock, out, allocator, grace)
        except BaseException:
            service.close()
            raise
        server.run(sockets=[sock])
    finally:
        sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _check(settings: Settings, allow_invalid: bool, out: TextIO) -> None:
    """Validate the project, or reuse the report of its unchanged content; say what is wrong.

    The report is dropped on return: the server needs only its verdict, and a report kept
    for the server's life (35,000 warnings at 5M triples) held tens of MiB.

    Raises:
        InvalidProject: If the data does not conform, unless ``allow_invalid``.
    """
    # Reused while the content is unchanged; otherwise computed in a child process, so
    # that none of validation's memory stays in the server.
    report = checked_report(settings.project, child=True)
    if not report.conforms:
        out.write(render_text(report))
        if not allow_invalid:
            raise InvalidProject(
                f"{settings.project.root}: the graph does not conform to its shapes "
                "(see above); fix it, or serve it anyway with --allow-invalid"
            )
    del report
    give_back()  # what reading it left freed but resident


def _server(
    app: FastAPI,
    service: GraphService,
    settings: Settings,
    host: str,
    sock: socket.socket,
    out: TextIO,
    allocator: str,
    grace: int,
) -> GracefulServer:
    """Say where ``sock`` listens, and make the server that will run ``app`` on it."""
    bound = sock.getsockname()[1]
    files = len(service.data_files)
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
    # Imported only now, as the web application is (10 MiB less during validation).
    import uvicorn

    from swapgraph.server.http11 import GracefulServer, uvicorn_options

    # uvicorn's own limit is a last resort: it cancels requests, which logs tracebacks
    # and answers 500. The pool is closed first, and its jobs answer 503.
    config = uvicorn.Config(
        app,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=grace + 5,
        **uvicorn_options(settings.read_timeout, settings.keep_alive),
    )
    return GracefulServer(config, service.pool.close, grace)


class Ahead:
    """The service, started in a thread while validation runs, where that is worth it.

    ``swapgraph serve`` validates in a child process; meanwhile this writes the cached dump
    and starts the workers, which load it (or builds the on-disk store the workers open),
    so that a first start takes the longer of the two rather than their sum. The dump and
    the store are made in a child process of their own (:mod:`swapgraph.child`): built in
    this thread, they left the server 80 MiB larger for its whole life. At 1M
    triples, validation takes about 11 s, the dump 5 s and each worker 3.5 s: a first start
    took 14.2 s instead of 22.5 s; with ``--store disk`` 15.8 s instead of 21.2 s.
    Workers on the on-disk store open it in milliseconds: they start after validation, so
    that their memory (about 40 MiB each at 1M before any query) is not added to validation's.
    Nothing answers before validation has passed: the service is only handed over by
    :meth:`take`. Only for the embedded Oxigraph engine: rdflib's workers parse every file
    themselves, and a remote engine has nothing to prepare.
    """

    def __init__(self, settings: Settings) -> None:
        """Start building the service, if the settings are worth it."""
        self._settings = settings
        self._service: GraphService | None = None
        self._store: tuple[Path, StoreLease] | None = None
        self._error: BaseException | None = None
        self._children = Group()
        self._thread: threading.Thread | None = None
        if engine_kind(settings.engine) == "oxigraph":
            self._thread = threading.Thread(target=self._build, daemon=True, name="swapgraph-ahead")
            self._thread.start()

    def _build(self) -> None:
        settings = self._settings
        try:
            if settings.store == "disk" and not settings.named_graphs:
                # On OSError (a read-only or full disk) the service says why, and builds a
                # store of its own. Leased until the service takes it over (see take):
                # hashing the files again to find it took 0.16 s at 1M triples.
                with contextlib.suppress(OSError):
                    self._store = cached_store(settings.project, self._children)
            else:
                from swapgraph.server.service import GraphService

                self._service = GraphService(settings, children=self._children)
        except BaseException as error:  # handed to take(): reported after validation
            self._error = error

    def take(self) -> GraphService | None:
        """The service, once ready; None if nothing was prepared (start it now).

        With ``--store disk`` its workers start here, on the store built ahead: call it
        once validation has passed.

        Raises:
            BaseException: What starting the service raised.
        """
        if self._thread is None:
            return None
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._store is not None:
            from swapgraph.server.service import GraphService

            store, self._store = self._store, None
            try:
                return GraphService(self._settings, store)
            except BaseException:
                store[1].close()
                raise
        service, self._service = self._service, None
        return service

    def discard(self) -> None:
        """Stop what was started ahead (validation failed, or a stop was asked for).

        The build or the dump under way is stopped, not awaited; workers already
        starting are awaited, then stopped.
        """
        self._children.stop()
        if self._thread is not None:
            self._thread.join()
        if self._service is not None:
            self._service.close()
            self._service = None
        if self._store is not None:
            self._store[1].close()
            self._store = None
