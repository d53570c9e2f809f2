"""Where a record goes: always the journal; the Markdown log too whenever that is safe.

pre-commit fails a hook that changes a tracked file (and rolls its writes back when the user has unstaged
edits), so inside pre-commit a tracked log is never written: the record stays pending in the journal until
`platform-gates sync`, or the next gate run outside pre-commit, writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from hooks.lib import git
from hooks.lib.config import Config
from hooks.lib.context import RunContext
from hooks.lib.documents import ActiveLog, inside_repo
from hooks.lib.errors import GateError
from hooks.lib.files import read_text, replace_atomically
from hooks.lib.journal import Journal
from hooks.lib.record import Record
from hooks.lib.results_table import SECTION, write_records


class LogNotWritten(GateError):
    """The record is safe in the journal, but the Markdown log could not be written (sync will retry)."""


class Outcome(NamedTuple):
    journal: Path
    log: str | None
    pending: bool  # the record waits in the journal for `platform-gates sync`
    written: int  # rows this call added to the Markdown log

    def describe(self) -> str:
        """The tail of a gate's summary line: where its record went."""
        if self.log is None:
            return "no active log; recorded in the journal only"
        if self.pending:
            return (
                f"recorded in the journal, pending for {self.log} "
                "(a tracked log is not written during a hook: run `platform-gates sync`)"
            )
        return f"recorded in {self.log}"


def record_result(root: Path, record: Record, log: ActiveLog, context: RunContext, config: Config) -> Outcome:
    journal = Journal(root, log.rel)
    with journal.locked():
        journal.append(record)
        if log.path is None or log.rel is None:
            return Outcome(journal.path, None, False, 0)
        target = inside_repo(root, log.path)
        if context.in_pre_commit and git.is_tracked(root, target):
            return Outcome(journal.path, log.rel, True, 0)
        try:
            written = _sync_locked(journal, target, log.rel, config)
        except (GateError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise LogNotWritten(f"recorded in the journal but NOT in {log.rel}: {reason}") from exc
        return Outcome(journal.path, log.rel, False, written)


def sync(root: Path, log: ActiveLog, config: Config) -> Outcome:
    """Write every pending record of the active log's journal into the Markdown log."""
    if log.path is None or log.rel is None:
        raise GateError("no active execution log to sync into; create one with `platform-gates new-log`")
    journal = Journal(root, log.rel)
    target = inside_repo(root, log.path)
    with journal.locked():
        written = _sync_locked(journal, target, log.rel, config)
    return Outcome(journal.path, log.rel, False, written)


def _sync_locked(journal: Journal, target: Path, rel: str, config: Config) -> int:
    pending = list(journal.records(journal.synced_offset()))
    if not pending:
        return 0
    text = read_text(target, rel)
    aliases = config.core().section_aliases.get(SECTION, [])
    try:
        written = write_records(text, [record for _, record in pending], aliases)
    except GateError as exc:
        raise GateError(f"{rel}: {exc}") from exc
    if written.text != text:
        replace_atomically(target, written.text.encode("utf-8"), scratch=journal.directory)
    journal.set_synced_offset(pending[-1][0])
    return written.added
