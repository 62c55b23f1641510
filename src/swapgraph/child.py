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
from pathlib import Path
from typing import Any, TypeVar

from swapgraph.errors import ProjectError, RDFSyntaxError, SwapgraphError

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1


def run(what: str, function: Callable[..., T], *args: Any, nice: int = 0) -> T:
    """Call ``function(*args)`` in a child process and return what it returns.

    ``function`` and its arguments and result cross the process boundary: they must pickle,
    and ``function`` must be importable (a module-level function).

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
        ProjectError: Any other error of swapgraph's in the work, with its message; or the
            child died before answering.
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
        process.start()
        answer_end.close()
        lifeline.close()
        try:
            status, payload = answers.recv()
        except (EOFError, OSError):
            process.join()
            raise ProjectError(
                f"{what} stopped unexpectedly (exit code {process.exitcode}); "
                "the machine may lack memory for it"
            ) from None
        process.join()
    finally:
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


def _main(
    answer: Connection,
    lifeline: Connection,
    parent: int,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    nice: int,
) -> None:
    die_with_parent(lifeline, parent)
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
