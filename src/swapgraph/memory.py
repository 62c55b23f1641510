"""What this process holds in memory, and giving back what it no longer uses.

Parsing a large graph leaves hundreds of megabytes freed but still resident: the C allocator
keeps freed blocks for reuse instead of returning them. A process that parsed once and will
not again (the server after writing its dump, a worker after loading it) returns them with
:func:`give_back`, so that its resident memory is what it really holds.
"""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_libc: ctypes.CDLL | None = None


def resident_bytes() -> int:
    """The process's resident memory now."""
    return _statm_bytes(1)


def address_space_bytes() -> int:
    """The process's address space now (what ``RLIMIT_AS`` counts)."""
    return _statm_bytes(0)


def _statm_bytes(field: int) -> int:
    # /proc/self/statm: address space, then resident, in pages.
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # no /proc: the peak resident memory is the best figure there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _symbols() -> ctypes.CDLL | None:
    """The symbols the process has loaded: the C library's, and mimalloc's if preloaded."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None)
        except OSError:
            return None
    return _libc


def give_back() -> None:
    """Return the allocator's free memory to the system (glibc or mimalloc; else a no-op)."""
    symbols = _symbols()
    if symbols is None:
        return
    collect = getattr(symbols, "mi_collect", None)  # mimalloc, when preloaded (see below)
    if collect is not None:
        collect(1)  # forced: every thread's free pages too
        return
    trim = getattr(symbols, "malloc_trim", None)  # glibc's; musl and macOS have none
    if trim is not None:
        trim(0)


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """Pause Python's cycle collector while the block builds many objects that all live on.

    The collector runs after every few hundred new container objects, and its older
    generations go through every object tracked so far: at a million triples, validation
    spent a quarter of its time (3.5 of 15.3 s) walking rdflib terms and tables that could
    not be garbage, since all were still in use. Reference counting still frees what the
    block drops; cycles made in it wait for the collector, which resumes afterwards
    (validation's peak rose by 4 MiB). A block inside another, or in a process that paused
    the collector itself, leaves it as it found it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: mimalloc's number for its ``purge_delay`` option, in the versions 3.x it is checked on.
_MI_OPTION_PURGE_DELAY = 15
_MI_VERSIONS = range(30000, 40000)  # mi_version(): 30403 for 3.4.3


def purge_at_once() -> None:
    """Have mimalloc, where it is this process's allocator, return freed pages at once.

    For a child that builds something once and ends: the store's build at 1M triples
    peaked at 187 MiB instead of 235, in the same time, and it runs beside validation. Not
    for the query workers, which answered some queries 1.3-1.6 times slower so. An
    operator's ``MIMALLOC_PURGE_DELAY`` wins; another allocator, or a mimalloc whose
    option numbers are not known here, is left alone.
    """
    if "MIMALLOC_PURGE_DELAY" in os.environ:
        return
    symbols = _symbols()
    version = getattr(symbols, "mi_version", None)
    set_option = getattr(symbols, "mi_option_set", None)
    if version is None or set_option is None or version() not in _MI_VERSIONS:
        return
    set_option(_MI_OPTION_PURGE_DELAY, 0)


#: The allocators the server's child processes can run on (``--allocator``).
ALLOCATORS = ("auto", "mimalloc", "system")


def mimalloc_library() -> Path | None:
    """The mimalloc library of the ``cmeel-mimalloc`` package, if installed (Linux only)."""
    if not sys.platform.startswith("linux"):  # LD_PRELOAD is how it is used
        return None
    import importlib.metadata  # here: 13 ms that every command would pay at start

    try:
        files = importlib.metadata.distribution("cmeel-mimalloc").files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name.startswith("libmimalloc.so"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path.resolve()
    return None


@contextmanager
def children_allocator(choice: str) -> Iterator[str]:
    """Start the child processes started within on the chosen C allocator.

    mimalloc is preloaded (``LD_PRELOAD``) into processes started by ``exec``, as
    :mod:`multiprocessing`'s spawn does: the query workers, validation, the dump and the
    store's build, not this process; without transparent huge pages (see below). Call it
    before any thread starts: the environment is not thread-safe.

    Args:
        choice: ``mimalloc``, ``system``, or ``auto`` (mimalloc when installed).

    Yields:
        The allocator the children get: ``mimalloc`` or ``system``.

    Raises:
        SettingError: If mimalloc is asked for and not installed.
    """
    from swapgraph.errors import SettingError

    library = mimalloc_library() if choice != "system" else None
    if library is None:
        if choice == "mimalloc":
            raise SettingError(
                "--allocator mimalloc: the cmeel-mimalloc package is not installed "
                "(or this is not Linux)"
            )
        yield "system"
        return
    # mimalloc's own settings are kept but one. Told to return freed memory at once
    # (MIMALLOC_PURGE_DELAY=0), workers on the on-disk store answered some named queries
    # 1.3-1.6x slower than on glibc's allocator; with its defaults, 0.79-0.93x Oxigraph
    # server's time at 1M triples. A worker returns what a query freed after each job;
    # work done once in a child (validation, the store's build) returns it at once (see
    # purge_at_once, set in the child: the environment is the same for every child).
    # The one: where transparent huge pages are allowed, mimalloc backs its first arena
    # with them, and every process starts 17 MiB larger (26 against 9 MiB for an idle
    # interpreter; 57 MiB in all for the resource tracker and two workers), for no
    # measurable speed. An operator's own setting wins.
    wanted = {"LD_PRELOAD": " ".join(filter(None, [str(library), os.environ.get("LD_PRELOAD")]))}
    wanted.update({name: value for name, value in _MIMALLOC.items() if name not in os.environ})
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield "mimalloc"
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


#: mimalloc's settings for the children (read by mimalloc from the environment).
_MIMALLOC = {"MIMALLOC_ALLOW_THP": "0"}
