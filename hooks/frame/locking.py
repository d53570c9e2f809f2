"""An exclusive lock across processes: the operating system's own lock on a file (flock; msvcrt's on
Windows), released by the kernel when its holder exits or dies (DEC-004)."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

_FIRST_WAIT_S = 0.001  # waits double from here up to _LONGEST_WAIT_S while another process holds it
_LONGEST_WAIT_S = 0.05


class LockTimeout(Exception):
    pass


class FileLock:
    """Held with `with lock.held():`; re-entrant in one object, exclusive between objects and processes."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self._fd: int | None = None
        self._depth = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._fd is None:
            self._fd = self._acquire()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                os.close(self._fd)  # closing the descriptor releases the lock
                self._fd = None

    def _acquire(self) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout_s
        wait = _FIRST_WAIT_S
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LockTimeout(f"{self.path.name} stayed locked for {self.timeout_s:g} s")
            time.sleep(wait)
            wait = min(wait * 2, _LONGEST_WAIT_S)
        return fd


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
