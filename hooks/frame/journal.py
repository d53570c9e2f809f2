"""The journal: append-only JSON Lines, one file per execution log, in a self-ignoring state directory.
Appends are locked, single writes, fsynced; a torn last line is skipped, no earlier record lost (DEC-001)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from hooks.frame.errors import GateError
from hooks.frame.files import fsync_directory, replace_atomically, write_all
from hooks.frame.locking import FileLock, LockTimeout
from hooks.frame.record import Record, from_json, to_json
from hooks.frame.state import STATE_DIR, state_dir

NO_LOG_JOURNAL = "no-active-log"
LOCK_TIMEOUT_S = 120
_READ_CHUNK = 1 << 16


def journal_name(log_rel: str | None) -> str:
    if log_rel is None:
        return NO_LOG_JOURNAL
    return re.sub(r"[^A-Za-z0-9._-]", "_", log_rel.replace("/", "__"))


class Journal:
    """The journal of one execution log (or of "no active log")."""

    def __init__(self, root: Path, log_rel: str | None) -> None:
        name = journal_name(log_rel)
        self.root = root
        self.directory = root / STATE_DIR / "journals"  # made on the first write, not by readers
        self.path = self.directory / f"{name}.jsonl"
        self.synced_path = self.directory / f"{name}.synced"
        self.skipped_lines = 0
        self._lock = FileLock(self.directory / f"{name}.lock", LOCK_TIMEOUT_S)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the journal's lock (re-entrant in one process): appends and log rewrites take it."""
        state_dir(self.root)
        self.directory.mkdir(exist_ok=True)
        try:
            with self._lock.held():
                yield
        except LockTimeout as exc:
            raise GateError(f"journal {self.path.name} stayed locked for {LOCK_TIMEOUT_S} s") from exc

    def append(self, record: Record) -> None:
        data = (to_json(record) + "\n").encode()
        with self.locked():
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0))
            try:
                size = os.fstat(fd).st_size
                if size:
                    os.lseek(fd, size - 1, os.SEEK_SET)
                    if os.read(fd, 1) != b"\n":
                        data = b"\n" + data  # a torn line from a crashed writer stays alone
                write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if size == 0:
                fsync_directory(self.directory)

    def records(self, start: int = 0) -> Iterator[tuple[int, Record]]:
        """Stream (end offset, record) from byte `start` on; unreadable lines are counted and skipped."""
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            return
        with f:
            f.seek(start)
            offset = start
            for line in f:
                offset += len(line)
                if not line.strip():
                    continue
                try:
                    yield offset, from_json(line)
                except ValueError:
                    self.skipped_lines += 1

    def records_from_end(self) -> Iterator[Record]:
        """Newest first, reading backwards in chunks: finding the latest records costs O(their size)."""
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            return
        with f:
            position = f.seek(0, os.SEEK_END)
            rest = b""
            while position > 0:
                step = min(_READ_CHUNK, position)
                position -= step
                f.seek(position)
                lines = (f.read(step) + rest).split(b"\n")
                rest = lines.pop(0)
                for line in reversed(lines):
                    yield from self._parsed(line)
            yield from self._parsed(rest)

    def _parsed(self, line: bytes) -> Iterator[Record]:
        if line.strip():
            try:
                yield from_json(line)
            except ValueError:
                self.skipped_lines += 1

    def synced_offset(self) -> int:
        """Byte offset up to which every record is already a row in the Markdown log.

        Kept with the journal's file identity: a journal deleted and begun anew starts from 0 again
        (rows already in the log are recognised by their ids, so nothing is written twice).
        """
        try:
            offset, identity = self.synced_path.read_text().split()
            return int(offset) if identity == self._identity() else 0
        except (OSError, ValueError):
            return 0

    def set_synced_offset(self, offset: int) -> None:
        replace_atomically(self.synced_path, f"{offset} {self._identity()}\n".encode())

    def _identity(self) -> str:
        """The journal's first line, hashed: every journal begins with a record of its own unique id
        (an inode number is no identity: a file deleted and made anew often gets the same one)."""
        with self.path.open("rb") as f:
            first = f.readline(1 << 16)
        return hashlib.sha256(first).hexdigest()[:16]
