"""The frame every gate shares: repository, config and active log first; the verdict recorded last."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, TypeVar

from hooks.frame import git
from hooks.frame.config import Config, load_config
from hooks.frame.context import RunContext, run_context
from hooks.frame.errors import GateError
from hooks.frame.output import error_line, summary_line, warn
from hooks.frame.record import Record, Status, fingerprint, new_id, utc_now

if TYPE_CHECKING:
    from hooks.frame.documents import ActiveLog
    from hooks.frame.recording import Outcome


class GateRun:
    """One run of one gate: the repository, its config, where it runs; the active log and HEAD on first use.

    A plain class, not a NamedTuple: those two are cached properties, which need an instance dictionary.
    """

    def __init__(self, gate: str, root: Path, config: Config, context: RunContext, started: float) -> None:
        self.gate = gate
        self.root = root
        self.config = config
        self.context = context
        self.started = started  # time.monotonic() at the start

    @functools.cached_property
    def log(self) -> ActiveLog:
        """The active execution log, found on first use (a GateError when its setting is bad)."""
        from hooks.frame.documents import find_active_log  # with the Markdown parser: see `start`

        log = find_active_log(self.root, self.config)
        for message in log.warnings:
            warn(message)
        return log

    @functools.cached_property
    def head(self) -> tuple[str | None, str | None]:
        """(HEAD commit, branch) for the record, asked of git once."""
        return git.head(self.root)

    @functools.cached_property
    def judged(self) -> tuple[str | None, str, bool]:
        """(commit, staged tree, dirty): what the record names as judged.

        Under `git commit` the commit does not exist yet: the record keeps the staged tree, and the commit
        made of that tree gets it after the fact. Elsewhere it is the pushed tip or HEAD, marked dirty when
        the tracked files differ from it (the active log aside: we write it).
        """
        if self.context.in_commit and self.context.index_file:
            try:
                return None, git.staged_tree(self.root, self.context.index_file), False
            except GateError as exc:  # then it is what it also is: a run on files that differ from HEAD
                warn(f"{exc}; the record names HEAD")
                return self.head[0], "", True
        if self.context.to_ref:
            return self.context.to_ref, "", False
        commit = self.head[0]
        return commit, "", commit is not None and git.worktree_differs(self.root, self.log.rel)

    def prepare_recording(self) -> None:
        """Find the active log, HEAD and what is judged, and import the recorder: what a gate does while
        its tool works."""
        _ = self.log, self.head, self.judged
        _recording()

    def record(
        self,
        status: Status,
        summary: str,
        *,
        files: int = 0,
        counts: Mapping[str, int] | None = None,
        metrics: Mapping[str, float | str] | None = None,
        threshold: str = "",
        tools: Mapping[str, str] | None = None,
        fingerprint: str = "",
        action: str = "",
    ) -> Record:
        commit, tree, dirty = self.judged
        return Record(
            gate=self.gate,
            status=status,
            summary=summary,
            time=utc_now(),
            duration_s=round(time.monotonic() - self.started, 3),
            id=new_id(),
            files=files,
            counts=dict(counts or {}),
            metrics=dict(metrics or {}),
            threshold=threshold,
            tools=dict(tools or {}),
            commit=commit,
            branch=self.head[1],
            fingerprint=fingerprint,
            stage=self.context.stage,
            run_id=self.context.run_id,
            tree=tree,
            dirty=dirty,
            action=action,
        )

    def record_tally(
        self,
        status: Status,
        tally: Tally,
        *,
        threshold: str = "",
        tools: Mapping[str, str] | None = None,
        fingerprint: str = "",
    ) -> Record:
        """The record of a gate that counts: this call's tally, added to the earlier call's of the same
        pre-commit run (`merge_with_earlier_call`)."""
        record = self.record(
            status,
            tally.summary(),
            files=tally.files,
            counts=tally.counts,
            metrics={**tally.metrics, "findings": tally.findings},
            threshold=threshold,
            tools=tools,
            fingerprint=fingerprint,
        )
        return merge_with_earlier_call(self, record, tally)


def start(gate: str, cwd: Path | None = None) -> GateRun:
    """The repository and config (a GateError when either is bad); the active log is found on first use.

    A gate that must not judge under a bad log setting touches `run.log` at once; one whose tool runs in a
    subprocess starts the tool first and calls `prepare_recording()` while it works.
    """
    started = time.monotonic()
    root = git.repo_root(cwd)
    return GateRun(gate, root, load_config(root), run_context(), started)


TallyT = TypeVar("TallyT", bound="Tally")


class Tally(Protocol):
    """What one call of a gate counted, in the record's terms: `earlier + now` is what the calls counted
    together (as coverage.py's `Numbers` add), and `summary()` says it."""

    @property
    def files(self) -> int: ...

    @property
    def counts(self) -> Mapping[str, int]: ...

    @property
    def metrics(self) -> Mapping[str, float | str]: ...

    @property
    def findings(self) -> int:
        """What the gate found in all (the Quality Report's key figure)."""
        ...

    def summary(self) -> str: ...

    def __add__(self: TallyT, other: TallyT, /) -> TallyT: ...

    @classmethod
    def from_record(cls: type[TallyT], record: Record) -> TallyT: ...


def metric_count(record: Record, name: str) -> int:
    """A count that a record keeps among its metrics (0 when it has none)."""
    value = record.metrics.get(name)
    return int(value) if isinstance(value, (int, float)) else 0


_SEVERITY = {Status.SKIPPED: 0, Status.PASS: 1, Status.FAIL: 2, Status.ERROR: 3}
_RUN_LOOKBACK = 64  # pre-commit's calls of one hook follow each other: the earlier one is near the end


def merge_with_earlier_call(run: GateRun, record: Record, tally: Tally) -> Record:
    """One record per pre-commit run: a later call of the same run supersedes the earlier call's record.

    pre-commit splits a long file list into several calls even with `require_serial: true`; each call
    judges its own files (`record`, which counted `tally`), and the record of the last one carries what
    the whole run counted.
    """
    if not run.context.in_pre_commit:
        return record
    earlier = next(
        (
            previous
            for _, previous in zip(
                range(_RUN_LOOKBACK),
                _recording().Journal(run.root, run.log.rel).records_from_end(),
                strict=False,
            )
            if previous.gate == record.gate and previous.run_id == record.run_id
        ),
        None,
    )
    if earlier is None:
        return record
    total = tally.from_record(earlier) + tally
    return record._replace(
        status=max(earlier.status, record.status, key=_SEVERITY.__getitem__),
        summary=total.summary(),
        counts=dict(total.counts),
        metrics={**total.metrics, "findings": total.findings},
        files=total.files,
        duration_s=round(earlier.duration_s + record.duration_s, 3),
        fingerprint=fingerprint([earlier.fingerprint, record.fingerprint]),
        supersedes=earlier.id,
    )


def finish(run: GateRun, record: Record) -> int:
    """Record the verdict, print the summary line, and return the exit code (2 if it was not recorded)."""
    try:
        outcome: Outcome = _recording().record_result(run.root, record, run.log, run.context, run.config)
    except _recording().LogNotWritten as exc:
        print(summary_line(run.gate, record.status, record.summary, str(exc)))
        return 2
    except (GateError, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(summary_line(run.gate, record.status, record.summary, f"record NOT written: {reason}"))
        return 2
    print(summary_line(run.gate, record.status, record.summary, outcome.describe()))
    return record.status.exit_code


def fail(gate: str, error: GateError, run: GateRun | None = None) -> int:
    """Report a run that could not judge: one line, exit 2, and an `error` record when possible."""
    print(error_line(gate, str(error)))
    if run is not None:
        # The line above already says what went wrong; a record that cannot be written must not hide it.
        with contextlib.suppress(GateError, OSError):
            _recording().record_result(
                run.root, run.record(Status.ERROR, str(error)), run.log, run.context, run.config
            )
    return 2


def _recording() -> ModuleType:
    """The recording machinery (journal, lock, Markdown writer), imported on first use (see `start`)."""
    import hooks.frame.recording

    return hooks.frame.recording
