"""The result record: one per gate per run, and its one serialisation (a JSON object on one line)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT_VERSION = 1


class Status(str, enum.Enum):
    PASS = "pass"  # nosec B105: a status word, not a password
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def exit_code(self) -> int:
        return {Status.PASS: 0, Status.SKIPPED: 0, Status.FAIL: 1, Status.ERROR: 2}[self]


@dataclasses.dataclass(frozen=True)
class Record:
    gate: str
    status: Status
    summary: str
    time: str  # UTC, ISO 8601 with a Z
    duration_s: float
    files: int = 0
    counts: Mapping[str, int] = dataclasses.field(default_factory=dict)
    metrics: Mapping[str, float | str] = dataclasses.field(default_factory=dict)
    threshold: str = ""
    tools: Mapping[str, str] = dataclasses.field(default_factory=dict)
    commit: str | None = None
    branch: str | None = None
    fingerprint: str = ""
    stage: str = "cli"
    run_id: str = ""
    id: str = dataclasses.field(default_factory=lambda: os.urandom(8).hex())
    supersedes: str | None = None  # a later call of the same run replaced this record's verdict

    @property
    def short_commit(self) -> str:
        return self.commit[:7] if self.commit else "-"


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def fingerprint(parts: Iterable[bytes | str]) -> str:
    """A short content hash of what a gate checked (file contents, staged blob ids)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def as_dict(record: Record) -> dict[str, Any]:
    """The record as plain JSON-ready data (what `status --json` shows and the journal holds)."""
    data = dataclasses.asdict(record)
    data["status"] = record.status.value
    return data


def to_json(record: Record) -> str:
    return json.dumps({"v": FORMAT_VERSION, **as_dict(record)}, ensure_ascii=False, separators=(",", ":"))


def from_json(line: str | bytes) -> Record:
    """Parse one journal line; ValueError (or its subclasses) for anything that is not a record."""
    data = json.loads(line)
    if not isinstance(data, dict) or data.pop("v", None) != FORMAT_VERSION:
        raise ValueError("not a platform-gates record")
    names = {field.name for field in dataclasses.fields(Record)}
    try:
        data["status"] = Status(data["status"])
        return Record(**{key: value for key, value in data.items() if key in names})
    except (KeyError, TypeError) as exc:
        raise ValueError(f"incomplete record: {exc}") from exc
