"""What this process holds in memory, and giving back what it no longer uses.

Parsing a large graph leaves hundreds of megabytes freed but still resident: the C allocator
keeps freed blocks for reuse instead of returning them. A process that parsed once and will
not again (the server after writing its dump, a worker after loading it) returns them with
:func:`give_back`, so that its resident memory is what it really holds.
"""

from __future__ import annotations

import ctypes
import os
import resource

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


def give_back() -> None:
    """Return the allocator's free memory to the system (glibc only; a no-op elsewhere)."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None)  # the symbols the process has loaded, the C library's too
        except OSError:
            return
    trim = getattr(_libc, "malloc_trim", None)  # glibc's; musl and macOS have none
    if trim is not None:
        trim(0)
