"""The frame every gate shares: repository, config and active log first; the verdict recorded last."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from hooks.lib import git
from hooks.lib.config import Config, load_config
from hooks.lib.context import RunContext, run_context
from hooks.lib.documents import ActiveLog, find_active_log
from hooks.lib.errors import GateError
from hooks.lib.output import error_line, summary_line, warn
from hooks.lib.record import Record, Status, fingerprint, utc_now

if TYPE_CHECKING:
    from hooks.lib.recording import Outcome


@dataclasses.dataclass(frozen=True)
class GateRun:
    gate: str
    root: Path
    config: Config
    context: RunContext
    log: ActiveLog
    started: float  # time.monotonic() at the start

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
    ) -> Record:
        commit, branch = git.head(self.root)
        return Record(
            gate=self.gate,
            status=status,
            summary=summary,
            time=utc_now(),
            duration_s=round(time.monotonic() - self.started, 3),
            files=files,
            counts=dict(counts or {}),
            metrics=dict(metrics or {}),
            threshold=threshold,
            tools=dict(tools or {}),
            commit=commit,
            branch=branch,
            fingerprint=fingerprint,
            stage=self.context.stage,
            run_id=self.context.run_id,
        )


def start(gate: str, cwd: Path | None = None) -> GateRun:
    """Everything a gate needs before it judges; a GateError when the repository or config is unusable."""
    started = time.monotonic()
    root = git.repo_root(cwd)
    config = load_config(root)
    log = find_active_log(root, config)
    for message in log.warnings:
        warn(message)
    return GateRun(gate, root, config, run_context(), log, started)


_SEVERITY = {Status.SKIPPED: 0, Status.PASS: 1, Status.FAIL: 2, Status.ERROR: 3}
_RUN_LOOKBACK = 64  # pre-commit's calls of one hook follow each other: the earlier one is near the end


def merge_with_earlier_call(
    run: GateRun,
    record: Record,
    summarize: Callable[[Mapping[str, int], int], str],
    *,
    summed_metrics: Collection[str] = (),
    notes: Callable[[Mapping[str, float | str]], str] | None = None,
) -> Record:
    """One record per pre-commit run: a later call of the same run supersedes the earlier call's record.

    pre-commit splits a long file list into several calls even with `require_serial: true`; each call
    judges its own files, and the record of the last one carries the counts of the whole run. The
    `summed_metrics` (numbers such as "excused by the baseline") add up over the calls too, and `notes`
    turns them into the text that follows the summary.
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
    counts = collections.Counter(earlier.counts)
    counts.update(record.counts)
    files = earlier.files + record.files
    status = max(earlier.status, record.status, key=_SEVERITY.__getitem__)
    metrics = dict(record.metrics)
    for name in summed_metrics:
        metrics[name] = _number(earlier.metrics.get(name)) + _number(record.metrics.get(name))
    return dataclasses.replace(
        record,
        status=status,
        summary=summarize(counts, files) + (notes(metrics) if notes else ""),
        counts=dict(counts),
        metrics=metrics,
        files=files,
        duration_s=round(earlier.duration_s + record.duration_s, 3),
        fingerprint=fingerprint([earlier.fingerprint, record.fingerprint]),
        supersedes=earlier.id,
    )


def _number(value: float | str | None) -> float | int:
    return value if isinstance(value, (int, float)) else 0


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


def relative(root: Path, path: str | os.PathLike[str]) -> str:
    """A path as output and records show it: repo-relative, POSIX."""
    candidate = Path(path)
    try:
        return candidate.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return candidate.as_posix()


def _recording() -> ModuleType:
    """The recording machinery (journal, lock, Markdown writer), imported on first use.

    A gate whose tool runs in a subprocess calls `load_recording()` after starting it, so these imports
    overlap the tool's run instead of adding to the gate's start-up.
    """
    import hooks.lib.recording

    return hooks.lib.recording


def load_recording() -> None:
    _recording()
