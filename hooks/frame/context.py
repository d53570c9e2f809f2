"""Where a gate runs: inside pre-commit or prek (and at which stage), or from a shell or CI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple


class RunContext(NamedTuple):
    in_pre_commit: bool  # PRE_COMMIT=1: a tracked file must not change while we run
    stage: str
    from_ref: str | None
    to_ref: str | None
    run_id: str  # shared by every call of one hook within one pre-commit run
    index_file: str | None = None  # GIT_INDEX_FILE: git sets it for the hooks of `git commit`

    @property
    def is_ci(self) -> bool:
        return bool(os.environ.get("CI"))

    @property
    def in_commit(self) -> bool:
        """Run by `git commit`: the staged tree is judged, and the commit made of it gets the record."""
        return self.in_pre_commit and self.stage == "pre-commit" and self.index_file is not None


def run_context(environ: Mapping[str, str] = os.environ) -> RunContext:
    in_pre_commit = environ.get("PRE_COMMIT") == "1"
    from_ref = environ.get("PRE_COMMIT_FROM_REF") or environ.get("PRE_COMMIT_ORIGIN") or None
    to_ref = environ.get("PRE_COMMIT_TO_REF") or environ.get("PRE_COMMIT_SOURCE") or None
    return RunContext(
        in_pre_commit=in_pre_commit,
        stage=_stage(environ, in_pre_commit, from_ref),
        from_ref=from_ref,
        to_ref=to_ref,
        run_id=_run_id() if in_pre_commit else os.urandom(16).hex(),
        index_file=environ.get("GIT_INDEX_FILE") or None,
    )


def _stage(environ: Mapping[str, str], in_pre_commit: bool, from_ref: str | None) -> str:
    if not in_pre_commit:
        return "cli"
    if environ.get("PREK_HOOK_STAGE"):
        return environ["PREK_HOOK_STAGE"]
    # pre-commit does not name the stage; its environment gives it away.
    if environ.get("PRE_COMMIT_REMOTE_NAME"):
        return "pre-push"
    if environ.get("PRE_COMMIT_COMMIT_MSG_SOURCE") is not None:
        return "commit-msg"
    if from_ref:
        return "manual"  # `pre-commit run --from-ref X --to-ref Y`
    return "pre-commit"


def _run_id() -> str:
    # pre-commit calls a hook once per file batch, each call a child of the one pre-commit process;
    # that process's pid and start time name the run (the pid alone could be reused later).
    parent = os.getppid()
    try:
        stat = Path(f"/proc/{parent}/stat").read_text()
        started = stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        started = "0"
    return f"{parent}-{started}"


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the OS has one), as Python 3.13's
    `os.process_cpu_count`."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1
