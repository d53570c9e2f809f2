"""Durable file writes: whole writes, fsync, atomic replacement (a crash leaves old or new, never half)."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable
from pathlib import Path

from hooks.frame.errors import GateError


def read_text(path: Path, rel: str) -> str:
    """A file's text, strictly UTF-8 (a BOM stays as it is); anything else is a GateError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GateError(f"{rel}: cannot read: {exc.strerror}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GateError(
            f"{rel}: not UTF-8 text (byte {exc.start}); platform-gates only edits UTF-8 logs"
        ) from exc


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(
    path: Path, data: bytes, scratch: Path | None = None, mtime_ns: int | None = None
) -> None:
    """Write `data` to a temporary file, fsync it, then rename it over `path` (with `mtime_ns` as its
    modification time when given: no reader ever sees another).

    The temporary file lives in `scratch` (the ignored state directory) when given, so a writer killed
    mid-write leaves nothing in the user's tree; across file systems it falls back to `path`'s folder.
    """
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            _replace_via(scratch / f"{path.name}.{os.getpid()}.tmp", path, data, mode, mtime_ns)
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
    _replace_via(path.with_name(f".{path.name}.{os.getpid()}.tmp"), path, data, mode, mtime_ns)


def _replace_via(temporary: Path, path: Path, data: bytes, mode: int, mtime_ns: int | None) -> None:
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), mode)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if mtime_ns is not None:
            os.utime(temporary, ns=(mtime_ns, mtime_ns))
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    fsync_directory(path.parent)


def content_fingerprint(root: Path, files: Iterable[str]) -> str:
    """A short hash of the named files' paths and bytes: what a gate checked (unreadable files by name)."""
    import hashlib  # here, not at the top: see record.fingerprint

    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with (root / name).open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
        except OSError:
            digest.update(b"unreadable")
    return "sha256:" + digest.hexdigest()[:16]
