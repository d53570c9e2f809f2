"""The result record: one per gate per run, and its one serialisation (a JSON object on one line)."""

from __future__ import annotations

import enum
import json
import os
import time
import types
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

FORMAT_VERSION = 1
_NONE: Mapping[str, Any] = types.MappingProxyType({})


class Status(str, enum.Enum):
    PASS = "pass"  # nosec B105: a status word, not a password
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def exit_code(self) -> int:
        return {Status.PASS: 0, Status.SKIPPED: 0, Status.FAIL: 1, Status.ERROR: 2}[self]


class Record(NamedTuple):
    """One gate's verdict. `as_dict` and `to_json` are its serialisation: the mapping fields may hold
    read-only mapping proxies, which json cannot write as they are."""

    gate: str
    status: Status
    summary: str
    time: str  # UTC, ISO 8601 with a Z
    duration_s: float
    id: str  # new_id() for a new record: a later call of the same run supersedes it by this
    files: int = 0
    counts: Mapping[str, int] = _NONE
    metrics: Mapping[str, float | str] = _NONE
    threshold: str = ""
    tools: Mapping[str, str] = _NONE
    commit: str | None = None
    branch: str | None = None
    fingerprint: str = ""
    stage: str = "cli"
    run_id: str = ""
    supersedes: str | None = None  # a later call of the same run replaced this record's verdict
    tree: str = ""  # under `git commit`: the staged tree judged; the commit made of it gets the record
    dirty: bool = False  # outside a commit: the files judged differ from `commit`
    action: str = ""  # on a failure, the one thing to do (a command or the file to fix)

    @property
    def short_commit(self) -> str:
        return self.commit[:7] if self.commit else "-"

    @property
    def is_attempt(self) -> bool:
        """Recorded under `git commit`: it belongs to the commit made of its tree, if one ever is."""
        return self.commit is None and bool(self.tree)


def new_id() -> str:
    return os.urandom(8).hex()


def utc_now() -> str:
    """The current UTC time as records hold it: `2026-11-24T10:00:00Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def fingerprint(parts: Iterable[bytes | str]) -> str:
    """A short content hash of what a gate checked (file contents, staged blob ids)."""
    import hashlib  # here, not at the top: loading OpenSSL costs ~4 ms a gate's start-up need not wait

    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def as_dict(record: Record) -> dict[str, Any]:
    """The record as plain JSON-ready data (what `status --json` shows and the journal holds)."""
    data = record._asdict()
    data.update(status=record.status.value, counts=dict(record.counts), metrics=dict(record.metrics))
    data["tools"] = dict(record.tools)
    return data


def to_json(record: Record) -> str:
    return json.dumps({"v": FORMAT_VERSION, **as_dict(record)}, ensure_ascii=False, separators=(",", ":"))


def from_json(line: str | bytes) -> Record:
    """Parse one journal line; ValueError (or its subclasses) for anything that is not a record."""
    data = json.loads(line)
    if not isinstance(data, dict) or data.pop("v", None) != FORMAT_VERSION:
        raise ValueError("not a platform-gates record")
    try:
        data["status"] = Status(data["status"])
        return Record(**{key: value for key, value in data.items() if key in Record._fields})
    except (KeyError, TypeError) as exc:
        raise ValueError(f"incomplete record: {exc}") from exc
