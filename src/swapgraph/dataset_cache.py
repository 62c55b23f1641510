"""Copies of the dataset kept in the project's cache folder, and their clean-up.

Two copies, each named by a hash of what it was made from (:func:`_cache_key`), so that it
is reused only while that is unchanged: an N-Quads dump that the server's in-memory workers
load, and an on-disk Oxigraph store that ``swapgraph query`` and ``serve --store disk`` open
read-only. Both are written aside and renamed, so that a name always holds a whole copy. A
store may be read for days by a server while a curator changes the files, so it is leased
(:class:`StoreLease`) and removed only once nobody reads it; what a killed writer left
aside is removed by the next writer once that process is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from swapgraph import daily_totals, oxigraph_load
from swapgraph.child import Group
from swapgraph.paths import Project

#: The niceness a store's build in a child process adds. ``serve`` validates beside the
#: build, in one thread. When validation was the longer (15 s at 1M triples), the build
#: giving way had the first start ready 1.4 s sooner (16.5 s, not 17.9); with validation
#: at 11 s the build is the longer, and builds at nice 0 and 10, and validation at nice
#: 10, were ready in 14.3-16.3 s alike (the machine's noise).
_NICE = 10
#: Prefix of what is being written in the cache folder, followed by the writer's pid.
_BUILDING = ".building-"
_LEFTOVER = re.compile(r"\.(?:building|removing)-(\d+)-")


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_left_by_dead(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove what processes killed half-way left in ``folder``; never a live one's.

    Args:
        folder: Where to look.
        pattern: Matches the names to consider; its first group is the owner's pid.

    Returns:
        What was removed: only entries of this user whose owner no longer exists.
    """
    removed = []
    for path in folder.glob("*"):
        match = pattern.match(path.name)
        try:
            if match is None or path.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        if _alive(int(match.group(1))):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _cache_key(project: Project, files: Sequence[Path]) -> str:
    """What names the dataset's dump and store in the cache folder."""
    from swapgraph.checked import files_key

    # The daily-totals view is part of both: one built before it (or with another) is not
    # reused.
    key = files_key(project, files, ("pyoxigraph",))
    return hashlib.sha256(f"{key}\n{daily_totals.FORMAT}".encode()).hexdigest()


def cached_dump(project: Project, children: Group | None = None) -> Path:
    """The project's dataset as one N-Quads file in its cache folder, written on first use.

    Named, as the cached store is, by a hash of the data files, of pyoxigraph's version and
    of the daily-totals view's format, so it is reused only while they are unchanged. It is
    written aside, flushed to disk and renamed, so that a killed writer leaves no half file
    under its name; dumps of earlier content are removed.

    Args:
        project: The project whose data files are dumped.
        children: Parse and write in a child process of this group (see
            :mod:`swapgraph.child`): for a caller that lives long, such as a server.

    Raises:
        RDFSyntaxError: If a file is not well-formed RDF.
        OSError: If the cache folder cannot be written.
    """
    files = project.data_files()
    path = project.dump_cache_file(_cache_key(project, files))
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_left_by_dead(path.parent, _LEFTOVER)
    handle, building = tempfile.mkstemp(
        dir=path.parent, prefix=f"{_BUILDING}{os.getpid()}-", suffix=".nq"
    )
    os.close(handle)
    try:
        write_dump(files, Path(building), children=children)
        with open(building, "rb") as written:
            os.fsync(written.fileno())
        os.replace(building, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(building)
    for stale in path.parent.glob("dataset-*.nq"):  # earlier content is never read again
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def cached_store(project: Project, children: Group | None = None) -> tuple[Path, StoreLease]:
    """The project's dataset as an on-disk store in its cache folder, and a lease on it.

    Named, as the dump is, by a hash of the data files, of pyoxigraph's version and of the
    daily-totals view's format. Built on first use, aside and then renamed, so that a killed
    build leaves no half store under its name. Each call removes the stores of earlier
    content that no server or command reads any more (see :class:`StoreLease`).

    Args:
        project: The project whose data files are loaded.
        children: Build in a child process of this group (see :mod:`swapgraph.child`):
            for a caller that lives long, such as a server.

    Raises:
        RDFSyntaxError: If a file is not well-formed RDF.
        OSError: If the cache folder cannot be written.
    """
    files = project.data_files()
    path = project.store_cache_dir(_cache_key(project, files))
    for _ in range(3):
        if not path.is_dir():
            _build_store(files, path, children)
        lease = StoreLease.take(path)
        if lease is not None:
            # Stores of earlier content are never read again, once their readers are gone.
            for stale in path.parent.glob("store-*"):
                if stale != path:
                    _remove_if_unused(stale)
            return path, lease
    raise OSError(f"{path} was removed each time it was about to be opened")


#: In every cached store: the file whose lock says the store is in use.
_IN_USE = "swapgraph-in-use"


class StoreLease:
    """A shared lock on a cached store: while any process holds one, no build removes it.

    A server reading the store for days, or a command reading it for seconds, holds a lease;
    a build for changed content removes an earlier store only if it can lock it alone. The
    lock (``flock``) goes with the process, so a killed holder never leaves it taken.
    """

    def __init__(self, descriptor: int) -> None:
        self._descriptor: int | None = descriptor

    @classmethod
    def take(cls, path: Path) -> StoreLease | None:
        """Lease the store at ``path``; None if it was removed meanwhile (build it again)."""
        try:
            # Created if missing: a store built by an earlier version has no such file.
            descriptor = os.open(path / _IN_USE, os.O_RDONLY | os.O_CREAT, 0o644)
        except FileNotFoundError:
            return None
        lease = cls(descriptor)
        # Waits only while a removal holds the store (the time to rename it away).
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        try:
            still_there = os.stat(path / _IN_USE).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            still_there = False
        if not still_there:  # removed between the open and the lock
            lease.close()
            return None
        return lease

    def close(self) -> None:
        """Give the lease back."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __del__(self) -> None:
        self.close()


def _remove_if_unused(store: Path) -> None:
    """Remove a cached store of earlier content, unless a lease on it is held."""
    try:
        descriptor = os.open(store / _IN_USE, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # a server or a command still reads it: the next build tries
        os.close(descriptor)
        return
    try:
        # Renamed first: a store under its name is always whole, even while this removal
        # runs or if it is killed half-way.
        aside = store.with_name(f".removing-{os.getpid()}-{store.name}")
        os.rename(store, aside)
        shutil.rmtree(aside, ignore_errors=True)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def write_store(
    files: Sequence[Path],
    path: Path,
    named_graphs: Mapping[str, Path] | None = None,
    *,
    children: Group | None = None,
) -> None:
    """Load ``files`` into a new on-disk store at ``path``, compacted and closed.

    Args:
        files: The files of the default graph.
        path: The store's folder, made by the build.
        named_graphs: Graph IRI to the file loaded as that named graph.
        children: Build in a child process of this group (see :mod:`swapgraph.child`).
    """
    what = f"building the store {path}"
    _run(children, what, oxigraph_load.write_store, files, path, named_graphs, nice=_NICE)
    (path / _IN_USE).touch()


def write_dump(
    files: Sequence[Path],
    path: Path,
    named_graphs: Mapping[str, Path] | None = None,
    *,
    children: Group | None = None,
) -> None:
    """Write the dataset :func:`write_store` would hold (view included) to ``path`` as N-Quads.

    The arguments are :func:`write_store`'s; ``path`` is a file, written over.
    """
    # Not given way: in-memory workers wait for the dump, then load it (3.5 s at 1M).
    _run(children, f"writing the dump {path}", oxigraph_load.write_dump, files, path, named_graphs)


def _run(
    children: Group | None, what: str, function: Callable[..., None], *args: Any, nice: int = 0
) -> None:
    """Call ``function(*args)`` in a child process of ``children``, or here if None."""
    if children is None:
        function(*args)
    else:
        children.run(what, function, *args, nice=nice)


def _build_store(files: Sequence[Path], path: Path, children: Group | None) -> None:
    """Load ``files`` into a new on-disk store at ``path``, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_left_by_dead(path.parent, _LEFTOVER)
    building = Path(tempfile.mkdtemp(dir=path.parent, prefix=f"{_BUILDING}{os.getpid()}-"))
    try:
        write_store(files, building, children=children)
        try:
            os.rename(building, path)
        except OSError:
            if not path.is_dir():  # not another process having built the same store first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
