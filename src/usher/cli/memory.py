"""glibc's allocator, set for a server that hashes passwords on threads."""

from __future__ import annotations

import contextlib
import ctypes
import sys

_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 1 << 20
ARENA_MAX = 2


def tune_allocator() -> bool:
    """Keeps a worker's resident memory near what it uses; True when glibc took the settings.

    - argon2id takes 19 MiB per hash. After the first such block is freed glibc raises its mmap threshold
      above it, and from then on every hash's memory comes from a heap that keeps it; a fixed 1 MiB threshold
      gives each big block a mapping of its own, returned to the system when the hash ends.
    - Each thread that allocates gets an arena of its own (up to eight per core), each holding on to freed
      memory; an event loop and a few hash threads need two.
    Inherited by forked workers. Elsewhere (musl, macOS) nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        mallopt = ctypes.CDLL(None).mallopt
        return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_ARENA_MAX, ARENA_MAX))
    return False
