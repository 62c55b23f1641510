"""Work done in a child process, so that its memory is returned to the system when it ends.

A long-lived server that parses a million triples keeps much of that memory long after: the
allocator holds freed pages, and a build in a thread of the server left it 80 MiB larger for
its whole life, even after ``malloc_trim``. Done in a child (``spawn``: a fresh interpreter,
no copy of the server's memory), the work costs the server nothing once the child exits.
Validation, the dataset's dump and the on-disk store are computed this way by ``serve``.

The child dies with its parent (:func:`die_with_parent`), as the query workers do: a killed
server leaves no build running. Errors come back as the same exceptions where they carry a
user's message (a file that is not RDF, a full disk, a project error); a child that dies
(the kernel's out-of-memory killer, a signal) is reported as such.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno as errno_module
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from swapgraph import memory
from swapgraph.errors import ProjectError, RDFSyntaxError, SwapgraphError

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1


class Cancelled(Exception):
    """The work was given up (:meth:`Group.stop`) before it answered."""


class Group:
    """Children run for one purpose, which can be given up as a whole from another thread.

    ``serve`` builds its store (or writes its dump) in a thread while it validates. Asked to
    stop then, or finding the graph invalid, it stops that work at once instead of waiting
    for a result it will not use: a stop during a first start took 7-8 s at 1M triples.
    """

    def __init__(self) -> None:
        """A group with nothing running."""
        self._lock = threading.Lock()
        self._running: set[BaseProcess] = set()
        self._stopped = False

    def run(self, what: str, function: Callable[..., T], *args: Any, nice: int = 0) -> T:
        """Call ``function(*args)`` in a child process and return what it returns.

        ``function`` and its arguments and result cross the process boundary: they must
        pickle, and ``function`` must be importable (a module-level function).

        Args:
            what: What the work is, for the message if the child dies (``"<project>:
                validation"``).
            function: The work.
            *args: Its arguments.
            nice: Added to the child's niceness (``nice(2)``): work that should give way to
                other work running beside it.

        Raises:
            RDFSyntaxError: A file is not well-formed RDF.
            OSError: Raised by the work (a full or read-only disk), with its errno and file.
            ProjectError: Any other error of swapgraph's in the work, with its message; or
                the child died before answering.
            Cancelled: The group was stopped, before or while the work ran.
        """
        context = multiprocessing.get_context("spawn")
        answers, answer_end = context.Pipe(duplex=False)
        lifeline, lifeline_end = context.Pipe(duplex=False)
        process = context.Process(
            target=_main,
            args=(answer_end, lifeline, os.getpid(), function, args, nice),
            daemon=True,
            name=f"swapgraph-{getattr(function, '__name__', 'work')}",
        )
        try:
            with self._lock:  # a stop either finds the child, or keeps it from starting
                if self._stopped:
                    raise Cancelled(what)
                process.start()
                self._running.add(process)
            answer_end.close()
            lifeline.close()
            try:
                status, payload = answers.recv()
            except (EOFError, OSError):
                process.join()
                if self._stopped:
                    raise Cancelled(what) from None
                raise ProjectError(
                    f"{what} stopped unexpectedly (exit code {process.exitcode}); "
                    "the machine may lack memory for it"
                ) from None
            process.join()
        finally:
            with self._lock:
                self._running.discard(process)
            answers.close()
            lifeline_end.close()  # the child's end of file, should it still run
            if process.is_alive():  # interrupted while waiting (KeyboardInterrupt, a signal)
                process.kill()
                process.join()
        if status == "ok":
            result: T = payload
            return result
        if status == "syntax":
            path, detail, line, column = payload
            raise RDFSyntaxError(Path(path), detail, line, column)
        if status == "os":
            code, message, filename = payload
            raise OSError(code, message, filename) if filename else OSError(code, message)
        raise ProjectError(payload)

    def stop(self) -> None:
        """Kill the children running, and keep new ones from starting.

        Their callers get :class:`Cancelled`.
        """
        with self._lock:
            self._stopped = True
            running = list(self._running)
        for process in running:
            with contextlib.suppress(OSError, ValueError):  # already gone
                process.kill()


def run(what: str, function: Callable[..., T], *args: Any, nice: int = 0) -> T:
    """Call ``function(*args)`` in a child process of its own (see :meth:`Group.run`)."""
    return Group().run(what, function, *args, nice=nice)


def _main(
    answer: Connection,
    lifeline: Connection,
    parent: int,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    nice: int,
) -> None:
    leave_stops_to_parent()
    die_with_parent(lifeline, parent)
    memory.purge_at_once()  # work done once, beside other work: its memory back at once
    if nice:
        os.nice(nice)
    # Errors cross back as plain values: RDFSyntaxError's constructor does not survive
    # pickling, and an OSError's errno and file are what its handlers read.
    reply: tuple[str, Any]
    try:
        reply = ("ok", function(*args))
    except RDFSyntaxError as error:
        reply = ("syntax", (str(error.path), error.detail, error.line, error.column))
    except SwapgraphError as error:
        reply = ("error", str(error))
    except OSError as error:
        reply = (
            "os",
            (error.errno or errno_module.EIO, error.strerror or str(error), error.filename),
        )
    answer.send(reply)
    answer.close()


def leave_stops_to_parent() -> None:
    """Ignore SIGTERM and SIGINT: the parent decides when its children end.

    A terminal's Ctrl-C signals its whole foreground process group, and a supervisor
    (systemd's default ``KillMode``) every process of the service: children that obeyed
    died at once, so the queries in flight were lost instead of given the server's grace
    period, and the pool replaced the workers as the server shut down. The parent stops
    its children itself (``SIGKILL``), and they die with it.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def die_with_parent(lifeline: Connection, parent: int) -> None:
    """End this process when its parent ends, however the parent ends.

    Args:
        lifeline: A pipe whose writing end only the parent holds: end of file means it is
            gone (the watchdog where ``PR_SET_PDEATHSIG`` does not exist).
        parent: The parent's process id, to catch a parent that died before this ran.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog below does the job
        pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv()
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="swapgraph-lifeline").start()
