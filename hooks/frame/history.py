"""Reading the journal back: counts, latest record per gate, what is pending; streamed, never loaded whole."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from hooks.frame.documents import ActiveLog
from hooks.frame.journal import Journal
from hooks.frame.record import Record


class History(NamedTuple):
    journal: Path
    records: int  # one per gate per run: superseded partial records are not counted
    pending: int
    latest: dict[str, Record]
    skipped_lines: int


def read_history(root: Path, log: ActiveLog) -> History:
    journal = Journal(root, log.rel)
    synced = journal.synced_offset() if log.path is not None else None
    total = 0
    pending: list[str] = []
    latest: dict[str, Record] = {}
    superseded: set[str] = set()
    for offset, record in journal.records():
        total += 1
        if record.supersedes:
            superseded.add(record.supersedes)
        latest[record.gate] = record
        if synced is not None and offset > synced:
            pending.append(record.id)
    waiting = sum(1 for record_id in pending if record_id not in superseded)  # a superseded one needs no row
    return History(journal.path, total - len(superseded), waiting, latest, journal.skipped_lines)


def latest_record(root: Path, log: ActiveLog, gate: str) -> Record | None:
    """The newest record of `gate`, read from the end of the journal."""
    return next((r for r in Journal(root, log.rel).records_from_end() if r.gate == gate), None)


def latest_with_metric(root: Path, log: ActiveLog, gate: str, metric: str) -> Record | None:
    """The newest record of `gate` that carries `metric` (a coverage total, say), read from the end."""
    return next(
        (r for r in Journal(root, log.rel).records_from_end() if r.gate == gate and metric in r.metrics),
        None,
    )
