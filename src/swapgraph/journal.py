"""One writer at a time, and multi-file writes that survive a crash: the project journal.

Every command that writes to a graph project goes through :func:`commit` while holding
:func:`project_lock`. A write of several files is a transaction in four steps:

1. each new text is staged beside its target as ``.NAME.sgXXXXXXXX.tmp`` and flushed to
   disk, and each existing target gets a hard-linked backup ``.NAME.sgXXXXXXXX.bak``;
2. a write-ahead journal, ``.swapgraph-journal.json`` in the project root, lists every
   staged file, its target, the backup and the SHA-256 of the old and new content; it is
   flushed and moved into place, and that rename is the commit point;
3. the staged files replace their targets;
4. the backups and the journal are removed.

A process killed anywhere in these steps leaves a state that the next command that touches
the project repairs (:func:`recover`), before it reads anything: with a committed journal
the transaction is rolled forward (every staged file whose hash matches replaces its
target), without one the staged files and backups are removed and the targets, never
touched before the commit, are the old ones. So after the next command the project is the
old one or the new one as a whole.

A write that fails inside the process (a full disk) is rolled back instead: the journal is
first marked ``back`` and then every replaced target is restored from its backup; a crash in
the middle of that repair is finished by :func:`recover` the same way.

:func:`project_lock` is an advisory ``fcntl.flock`` on ``.swapgraph.lock`` in the project
root, held for the whole read-modify-write of a command, so that two commands never write
from stale reads; a command that cannot get it within a short wait gives up with the other
writer's process id. The lock file exists only while a command writes.

For tests only, ``SWAPGRAPH_KILL_AT_STEP=k`` makes the writer SIGKILL itself at its k-th
step, so that a crash can be placed at every step deterministically.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import signal
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from swapgraph.errors import ConcurrentChange, LockBusy, SwapgraphError

__all__ = [
    "JOURNAL_NAME",
    "LOCK_NAME",
    "commit",
    "fingerprint",
    "leftovers",
    "project_lock",
    "recover",
]

JOURNAL_NAME = ".swapgraph-journal.json"
LOCK_NAME = ".swapgraph.lock"
#: Seconds a writer waits for another one to finish (``SWAPGRAPH_LOCK_WAIT`` overrides).
LOCK_WAIT = 10.0
_KILL_ENV = "SWAPGRAPH_KILL_AT_STEP"
# Our own staged files and backups; mkstemp adds eight characters of [a-z0-9_].
_OURS = re.compile(r"^\..+\.sg[a-z0-9_]{8}\.(?:tmp|bak)$")
# Anything that looks like an interrupted write's debris (ours or an older swapgraph's).
_DEBRIS = re.compile(r"^\..+\.(?:tmp|bak)$")
# Folders below the root that a command writes to.
_WRITTEN_DIRS = ("ontology", "shapes", "graph", "api", "dist")


# --------------------------------------------------------------------------- test hook

_steps = 0


def _step() -> None:
    """Count one write step; die at the step named by the test hook, as a crash would."""
    global _steps
    _steps += 1
    target = os.environ.get(_KILL_ENV)
    if target and target.isdigit() and int(target) == _steps:
        os.kill(os.getpid(), signal.SIGKILL)


# --------------------------------------------------------------------------- hashes


def fingerprint(path: Path) -> str | None:
    """Return the SHA-256 of a file's bytes, or None if it does not exist.

    Args:
        path: The file.

    Raises:
        SwapgraphError: If the file exists but cannot be read.
    """
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SwapgraphError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- lock

_held: dict[Path, int] = {}


@contextlib.contextmanager
def project_lock(root: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the project's write lock; re-entrant within one process.

    On first acquisition, an interrupted transaction is repaired (:func:`recover`).

    Args:
        root: The project root.
        wait: Seconds to wait for another writer (default ``SWAPGRAPH_LOCK_WAIT`` or 10).

    Raises:
        LockBusy: If another process holds the lock past the wait, naming its pid.
        SwapgraphError: If the lock file cannot be created.
    """
    root = root.resolve()
    if root in _held:
        _held[root] += 1
        try:
            yield
        finally:
            _held[root] -= 1
        return
    fd = _acquire(root, _wait_seconds(wait))
    _held[root] = 1
    try:
        _recover_locked(root)
        yield
    finally:
        del _held[root]
        # Unlink while still holding the lock: a waiter that then locks the removed file
        # sees that its inode is no longer the path's and starts again (see _acquire).
        with contextlib.suppress(OSError):
            os.unlink(root / LOCK_NAME)
        os.close(fd)


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return wait
    try:
        return float(os.environ.get("SWAPGRAPH_LOCK_WAIT", LOCK_WAIT))
    except ValueError:
        return LOCK_WAIT


def _acquire(root: Path, wait: float) -> int:
    path = root / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise SwapgraphError(f"{path}: cannot create the lock: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise SwapgraphError(f"{path}: cannot lock: {exc.strerror or exc}") from exc
            if time.monotonic() >= deadline:
                raise LockBusy(
                    f"another swapgraph command is writing to this project "
                    f"(pid {_holder(path)}); try again when it has finished"
                ) from None
            time.sleep(0.05)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # the holder removed the file as we locked it: lock the new one
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return "unknown"
    return text if text.isdigit() else "unknown"


# --------------------------------------------------------------------------- recovery


@dataclass(frozen=True)
class _Entry:
    target: str
    staged: str
    backup: str | None
    old: str | None
    new: str


def recover(root: Path) -> None:
    """Finish or undo an interrupted write, if the project shows one.

    Does nothing (and takes no lock) when there is neither a journal, a staged file of ours
    nor a lock file, so read-only commands on a read-only checkout never write. A lock file
    left by a killed command is removed; a live writer is waited for, so that the files are
    not read in the middle of its write.

    Args:
        root: The project root.

    Raises:
        LockBusy: If another command is writing right now.
        SwapgraphError: If the repair cannot be written.
    """
    root = root.resolve()
    if root in _held:
        _recover_locked(root)
        return
    marks = (root / JOURNAL_NAME, root / LOCK_NAME)
    if not any(path.exists() for path in marks) and not _ours(root):
        return
    with project_lock(root):
        pass  # acquiring the lock repairs


def _recover_locked(root: Path) -> None:
    journal = root / JOURNAL_NAME
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        raise SwapgraphError(f"{journal}: cannot read: {exc.strerror or exc}") from exc
    if raw is not None:
        try:
            document = json.loads(raw)
            entries = [_Entry(**e) for e in document["files"]]
            state = document["state"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SwapgraphError(
                f"{journal}: unreadable journal of an interrupted write ({exc}); "
                "check the files it names and remove it"
            ) from exc
        if state == "forward" and all(_forwardable(root, e) for e in entries):
            _roll_forward(root, entries)
        else:
            _roll_back(root, entries)
        journal.unlink()
        _fsync_dir(root)
    for path in _ours(root):
        with contextlib.suppress(OSError):
            path.unlink()


def _forwardable(root: Path, entry: _Entry) -> bool:
    staged = root / entry.staged
    if staged.exists():
        return fingerprint(staged) == entry.new
    return fingerprint(root / entry.target) == entry.new  # replaced already


def _roll_forward(root: Path, entries: list[_Entry]) -> None:
    for entry in entries:
        staged = root / entry.staged
        if staged.exists():
            os.replace(staged, root / entry.target)
    for directory in {(root / e.target).parent for e in entries}:
        _fsync_dir(directory)
    for entry in entries:
        if entry.backup is not None:
            with contextlib.suppress(FileNotFoundError):
                (root / entry.backup).unlink()


def _roll_back(root: Path, entries: list[_Entry]) -> None:
    for entry in entries:
        target = root / entry.target
        backup = root / entry.backup if entry.backup is not None else None
        if backup is not None and backup.exists():
            if target.exists() and os.path.samefile(backup, target):
                backup.unlink()  # never replaced; rename(2) would do nothing on one inode
            else:
                os.replace(backup, target)
        elif entry.old is None and fingerprint(target) == entry.new:
            target.unlink()  # created by the transaction
        with contextlib.suppress(FileNotFoundError):
            (root / entry.staged).unlink()
    for directory in {(root / e.target).parent for e in entries}:
        _fsync_dir(directory)


def _dirs(root: Path) -> list[Path]:
    return [root, *(root / name for name in _WRITTEN_DIRS if (root / name).is_dir())]


def _ours(root: Path) -> list[Path]:
    found = []
    for directory in _dirs(root):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        found += [directory / n for n in names if _OURS.match(n)]
        found += [directory / n for n in names if n.startswith(JOURNAL_NAME + ".")]
    return sorted(found)


def leftovers(root: Path) -> list[Path]:
    """Return files that look like the debris of an interrupted write (``.NAME.*.tmp``/``.bak``).

    Call after :func:`recover`: what remains was not left by this swapgraph's writer (an
    older version's, or another tool's), so it is reported rather than removed.

    Args:
        root: The project root.
    """
    found = []
    for directory in _dirs(root.resolve()):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        found += [directory / n for n in names if _DEBRIS.match(n)]
    return sorted(found)


# --------------------------------------------------------------------------- commit


def commit(
    root: Path,
    files: Mapping[Path, bytes],
    expected: Mapping[Path, str | None] | None = None,
) -> None:
    """Replace several files under ``root`` as one transaction (see the module's text).

    Args:
        root: The project root: the journal lives there, every target lies below it.
        files: New content by target path.
        expected: For files the caller read, the :func:`fingerprint` it read (None: the
            file did not exist). A target whose content differs now is not overwritten.

    Raises:
        ConcurrentChange: If a target changed since it was read; nothing is written.
        LockBusy: If another command holds the lock.
        SwapgraphError: If a file cannot be written; nothing is changed.
    """
    root = root.resolve()
    targets = {Path(os.path.abspath(p)): data for p, data in files.items()}
    for path in targets:
        if not path.is_relative_to(root):
            raise SwapgraphError(f"{path}: outside the project {root}")
    with project_lock(root):
        for path, seen in (expected or {}).items():
            now = fingerprint(Path(os.path.abspath(path)))
            if now != seen:
                raise ConcurrentChange(
                    f"{path}: changed on disk since this command read it (another editor or "
                    "command?); nothing was written: run the command again"
                )
        _transaction(root, targets)


def _transaction(root: Path, files: dict[Path, bytes]) -> None:
    entries: list[_Entry] = []
    made: list[Path] = []
    journal = root / JOURNAL_NAME
    replaced: list[_Entry] = []
    committed = False
    try:
        for path, data in files.items():
            staged = _stage(path, data)
            made.append(staged)
            _step()
            backup = _backup(path) if path.exists() else None
            if backup is not None:
                made.append(backup)
            entries.append(
                _Entry(
                    target=_rel(root, path),
                    staged=_rel(root, staged),
                    backup=_rel(root, backup) if backup is not None else None,
                    old=fingerprint(path),
                    new=_sha(data),
                )
            )
        _write_journal(root, entries, "forward")
        committed = True
        _step()
        for entry in entries:
            os.replace(root / entry.staged, root / entry.target)
            replaced.append(entry)
            _step()
        for directory in {p.parent for p in files}:
            _fsync_dir(directory)
        for entry in entries:
            if entry.backup is not None:
                with contextlib.suppress(FileNotFoundError):
                    (root / entry.backup).unlink()
        journal.unlink()
        _fsync_dir(root)
        _step()
    except OSError as exc:
        if committed:
            # Undo in a way a crash cannot half-do: mark the journal first, then restore.
            with contextlib.suppress(OSError):
                _write_journal(root, entries, "back")
                _roll_back(root, entries)
                journal.unlink()
                _fsync_dir(root)
        else:
            for path in made:
                with contextlib.suppress(OSError):
                    path.unlink()
        name = getattr(exc, "filename", None) or ", ".join(str(p) for p in files)
        raise SwapgraphError(f"{name}: could not write: {exc.strerror or exc}") from exc


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _write_journal(root: Path, entries: list[_Entry], state: str) -> None:
    document = {"state": state, "files": [e.__dict__ for e in entries]}
    data = json.dumps(document, indent=1).encode("utf-8")
    fd, name = tempfile.mkstemp(prefix=JOURNAL_NAME + ".", suffix=".tmp", dir=root)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, root / JOURNAL_NAME)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    _fsync_dir(root)


def _stage(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.sg", suffix=".tmp", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
        os.chmod(temp, mode)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def _backup(path: Path) -> Path:
    # A hard link keeps the original bytes reachable at no cost while the target is
    # replaced; it is removed once the transaction is through.
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.sg", suffix=".bak", dir=path.parent)
    os.close(fd)
    backup = Path(name)
    backup.unlink()
    try:
        os.link(path, backup)
    except OSError:
        with open(path, "rb") as src, open(backup, "wb") as dst:
            dst.write(src.read())
            dst.flush()
            os.fsync(dst.fileno())
    return backup


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
