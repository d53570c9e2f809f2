"""Where a record goes: always the journal; into the Markdown log when that is safe, else after the commit
(DEC-006), at the commit it judged, carried across rewrites."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.frame import git, quality_block
from hooks.frame.config import Config
from hooks.frame.context import RunContext
from hooks.frame.documents import ActiveLog
from hooks.frame.errors import GateError
from hooks.frame.files import read_text, replace_atomically
from hooks.frame.journal import Journal
from hooks.frame.paths import inside_repo
from hooks.frame.record import Record

_CHECKED_ROWS = 50  # rows of the history checked for rewritten commits: rewrites touch recent ones
_DAY_S = 86400
_LOST_ROWS_SCAN = 5000  # journal records read back at most to find the rows a log lost


class LogNotWritten(GateError):
    """The record is safe in the journal, but the Markdown log could not be written (sync will retry)."""


class Outcome(NamedTuple):
    journal: Path
    log: str | None
    waits_for: str  # "": written; "commit": written after the commit; "sync": a tracked log under a hook
    written: int  # records this call placed in the Markdown log

    def describe(self) -> str:
        """The tail of a gate's summary line: where its record went."""
        if self.log is None:
            return "no active log; recorded in the journal only"
        if self.waits_for == "commit":
            return f"recorded for this commit; platform-log-sync writes it into {self.log} once it exists"
        if self.waits_for == "sync":
            return (
                f"recorded; pending for {self.log} (tracked: `pre-commit run platform-log-sync "
                "--hook-stage manual` writes it)"
            )
        return f"recorded in {self.log}"


def record_result(root: Path, record: Record, log: ActiveLog, context: RunContext, config: Config) -> Outcome:
    journal = Journal(root, log.rel)
    with journal.locked():
        journal.append(record)
        if log.path is None or log.rel is None:
            return Outcome(journal.path, None, "", 0)
        target = inside_repo(root, log.path)
        if context.in_commit:
            return Outcome(journal.path, log.rel, "commit", 0)
        if context.in_pre_commit and git.is_tracked(root, target):
            return Outcome(journal.path, log.rel, "sync", 0)
        try:
            written = _sync_locked(root, journal, target, log.rel, config)
        except (GateError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise LogNotWritten(f"recorded in the journal but NOT in {log.rel}: {reason}") from exc
        return Outcome(journal.path, log.rel, "", written)


def sync(root: Path, log: ActiveLog, config: Config) -> Outcome:
    """Write every pending record of the active log's journal into the Markdown log."""
    if log.path is None or log.rel is None:
        raise GateError("no active execution log to sync into; create one with `platform-gates new-log`")
    journal = Journal(root, log.rel)
    target = inside_repo(root, log.path)
    with journal.locked():
        written = _sync_locked(root, journal, target, log.rel, config)
    return Outcome(journal.path, log.rel, "", written)


class Placement(NamedTuple):
    placed: list[quality_block.Placed]
    resolved: int  # journal offset up to which every record is placed or known never to be a commit's


def place_records(
    pending: Sequence[tuple[int, Record]], commits: Sequence[git.Commit], start: int
) -> Placement:
    """Each pending record at the commit it judged. An attempt (a record made under `git commit`) goes to
    the newest commit made of its tree; one older than HEAD that matches none was refused or aborted and is
    left out; a newer one may be a commit under way, and it and what follows stay pending."""
    by_tree: dict[str, str] = {}
    for commit in commits:
        by_tree.setdefault(commit.tree, commit.id)
    head_time = commits[0].time if commits else 0
    placed: list[quality_block.Placed] = []
    resolved, waiting = start, False
    for offset, record in pending:
        if record.is_attempt:
            made = by_tree.get(record.tree)
            if made is None:
                waiting = waiting or _epoch(record.time) > head_time
            else:
                placed.append(quality_block.Placed(made[:7], record))
        elif record.commit:
            placed.append(quality_block.Placed(record.short_commit + ("+" if record.dirty else ""), record))
        if not waiting:
            resolved = offset
    return Placement(placed, resolved)


def _epoch(utc: str) -> int:
    return calendar.timegm(time.strptime(utc, "%Y-%m-%dT%H:%M:%SZ"))


def rewritten_commits(
    root: Path, state: quality_block.QualityStatus, commits: Sequence[git.Commit]
) -> dict[str, str | None]:
    """Commits the block names that a rebase, an amend or a reset replaced: old short id → the new one, or
    None when there is none (see `successors`). Commits this clone lacks (shallow, another's) are kept."""
    recent = {commit.id[:7] for commit in commits}
    named = {row.commit.rstrip("+") for row in state.history[:_CHECKED_ROWS]}
    named |= {cells[5].split()[0].rstrip("+") for cells in state.status.values() if len(cells) > 5}
    unknown = sorted(name for name in named - recent if len(name) >= 4 and name != "-")
    if not unknown:
        return {}
    replaced = [c for c in git.commits_named(root, unknown) if not git.is_ancestor(root, c.id)]
    return successors(replaced, commits)


def successors(replaced: Iterable[git.Commit], commits: Sequence[git.Commit]) -> dict[str, str | None]:
    """Each replaced commit's short id → the commit on HEAD's line that replaced it: the one with the same
    author time and subject (a rebase, an amend) or, reworded, the same author time and tree; else None."""
    by_subject = {(c.author_time, c.subject): c.id[:7] for c in reversed(commits)}
    by_tree = {(c.author_time, c.tree): c.id[:7] for c in reversed(commits)}
    return {
        c.id[:7]: by_subject.get((c.author_time, c.subject)) or by_tree.get((c.author_time, c.tree))
        for c in replaced
    }


def updated_status(
    root: Path, journal: Journal, text: str, config: Config, start: int
) -> tuple[quality_block.QualityStatus, Placement]:
    """What the block in `text` becomes with the journal's records from byte `start` placed in it, the rows
    of rewritten commits carried, and the rows the log lost (a stash dropped, a merge that took one side)
    of commits on HEAD's line placed again from the journal."""
    commits = git.recent_commits(root)
    order = {commit.id[:7]: len(commits) - rank for rank, commit in enumerate(commits)}  # newer: higher
    placement = place_records(list(journal.records(start)), commits, start)
    block = quality_block.find_block(text)
    state = block.state if block else quality_block.empty()
    state = quality_block.relabel(state, rewritten_commits(root, state, commits))
    lost, carried = _lost_rows(root, journal, commits, state)
    lost_order = {**order, **{old: order[new] for old, new in carried.items()}}
    state = quality_block.relabel(quality_block.place(state, lost, lost_order), carried)
    state = quality_block.in_order(quality_block.place(state, placement.placed, order), order)
    return quality_block.keep_newest(state, config.core().history), placement


def _lost_rows(
    root: Path, journal: Journal, commits: Sequence[git.Commit], state: quality_block.QualityStatus
) -> tuple[list[quality_block.Placed], dict[str, str]]:
    """Records of commits on HEAD's line that have no history row, oldest first, read from the journal's
    end back to a day before the oldest such commit; and the commits they are carried from. A commit a
    rebase or an amend made has no records of its own: those of the commit it replaced (found in HEAD's
    reflog) are its results, under the replaced id, to be carried (they may never have reached the block:
    a stash to switch branches holds them)."""
    shown = {row.commit for row in state.history}
    lacking = {commit.id[:7]: commit for commit in commits if commit.id[:7] not in shown}
    if not lacking:
        return [], {}
    on_line = {commit.id for commit in commits}
    left = [commit for commit in git.reflog_commits(root) if commit.id not in on_line]
    carried = {
        old: new for old, new in successors(left, commits).items() if new is not None and new in lacking
    }
    sources = [
        *reversed([commit for commit in left if commit.id[:7] in carried]),
        *reversed(lacking.values()),
    ]
    made_of = {commit.tree: commit.id[:7] for commit in sources}  # a commit's own tree wins, the newest
    since = min(commit.time for commit in sources) - _DAY_S
    found: list[quality_block.Placed] = []
    for count, record in enumerate(journal.records_from_end()):
        if count >= _LOST_ROWS_SCAN or _epoch(record.time) < since:
            break
        label = made_of.get(record.tree) if record.is_attempt else record.short_commit
        if (label in lacking or label in carried) and not record.dirty:
            found.append(quality_block.Placed(label, record))
    return found[::-1], carried


def _sync_locked(root: Path, journal: Journal, target: Path, rel: str, config: Config) -> int:
    """Place the pending records; with none, still carry the rows of commits a rebase replaced."""
    start = journal.synced_offset()
    if git.is_unmerged(root, target):
        raise GateError(f"{rel} has an unresolved merge conflict: resolve it, then the results are written")
    text = read_text(target, rel)
    aliases = config.core().section_aliases.get(quality_block.SECTION, [])
    try:
        state, placement = updated_status(root, journal, text, config, start)
        new = quality_block.write_block(text, state, aliases)
    except GateError as exc:
        raise GateError(f"{rel}: {exc}") from exc
    if new != text:
        _replace_keeping_mtime(root, target, new, journal.directory)
    if placement.resolved != start:
        journal.set_synced_offset(placement.resolved)
    return len(placement.placed)


def _replace_keeping_mtime(root: Path, target: Path, text: str, scratch: Path) -> None:
    """Replace the log; an untracked one keeps its modification time, which says when the user last
    wrote it (log-freshness reads it: our rows must not look like an update)."""
    mtime_ns = None if git.is_tracked(root, target) else target.stat().st_mtime_ns
    replace_atomically(target, text.encode("utf-8"), scratch=scratch, mtime_ns=mtime_ns)
