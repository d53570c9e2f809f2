"""platform-log-sync: not a gate. After a commit (merge, rewrite) it starts a detached writer that puts
the gates' records into the execution log once git has exited (DEC-006)."""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from hooks.adapters import processes
from hooks.frame import git
from hooks.frame.arguments import Parser
from hooks.frame.context import run_context
from hooks.frame.errors import GateError
from hooks.frame.files import replace_atomically
from hooks.frame.gates import SYNC_HOOK
from hooks.frame.output import error_line
from hooks.frame.state import SYNC_NOTES, state_dir

WAIT_TIMEOUT_S = 600  # a rebase with many commits, or an editor left open, still gets its write


def write_now(root: Path) -> str:
    """Write the pending records into the active log; returns what happened, for people."""
    from hooks.frame.config import load_config
    from hooks.frame.documents import find_active_log
    from hooks.frame.recording import sync

    config = load_config(root)
    log = find_active_log(root, config)
    if log.rel is None:
        return "no active execution log; nothing to write"
    outcome = sync(root, log, config)
    return f"{outcome.written} record(s) placed in {outcome.log}"


def outer_process() -> int:
    """The process to outlive: the git command that ran pre-commit, or pre-commit itself when a person or
    a script ran it (`pre-commit run platform-log-sync --hook-stage manual`)."""
    pre_commit = os.getppid()
    git_process = processes.parent_of(pre_commit)
    if git_process and processes.name_of(git_process) in ("git", "git.exe"):
        return git_process
    return pre_commit


def start_writer(root: Path, wait_for: int, head: str | None) -> None:
    """The writer, detached: no inherited stream (pre-commit reads the hook's pipes to their end, and
    `git commit | cat` would wait for it), a session of its own, the index left to git. Where it can, this
    process forks it: a child that is already started and imported writes sooner than a new one."""
    if hasattr(os, "fork"):
        if os.fork() == 0:
            _become_writer(root, wait_for, head or "")
        return
    environ = {k: v for k, v in os.environ.items() if k not in ("GIT_INDEX_FILE", "PRE_COMMIT")}
    command = [sys.executable, "-m", "hooks.log_sync", "--write-after", str(wait_for), "--head", head or ""]
    subprocess.Popen(  # nosec B603: our own module, by argument list
        command,
        cwd=root,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


def _become_writer(root: Path, wait_for: int, head: str) -> None:
    """In the forked child: let go of pre-commit's pipes and session, write, and exit."""
    code = 0
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 256)
        os.environ.pop("GIT_INDEX_FILE", None)
        _note_outcome(root, wait_for, head)
    except BaseException:  # nothing may escape a forked child: it would run the parent's code on
        code = 1
    finally:
        os._exit(code)


def _note_outcome(root: Path, wait_for: int, head: str) -> None:
    try:
        _note(root, write_after(root, wait_for, head))
    except GateError as exc:
        _note(root, f"not written: {exc}")


def write_after(root: Path, pid: int, head: str) -> str:
    """The detached writer: once `pid` has exited, write, unless HEAD moved or git is mid-operation."""
    from hooks.frame import log_merge
    from hooks.frame.markdown import parse_outline

    parse_outline("")  # the Markdown parser is imported and built while git finishes, not after
    with contextlib.suppress(GateError, OSError):  # merges of two branches' results: see log_merge
        log_merge.register(root)
    if not processes.wait_for_exit(pid, WAIT_TIMEOUT_S):
        return f"not written: the git process {pid} was still running after {WAIT_TIMEOUT_S} s"
    now = git.checkout(root)
    operation = now.operation_in_progress()
    if operation:
        return f"not written: a {operation} is under way (the next commit's sync writes it)"
    if (now.head or "") != head:
        return "not written: HEAD moved before the write (a checkout or reset right after the commit)"
    return write_now(root)


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=SYNC_HOOK, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored")
    parser.add_argument("--write-after", type=int, metavar="PID", help=argparse.SUPPRESS)
    parser.add_argument("--head", default="", help=argparse.SUPPRESS)
    args = parser.parse_hook_args(argv)
    try:
        here = git.checkout()
        if args.write_after:
            _note_outcome(here.root, args.write_after, args.head)
            return 0
        if not run_context().in_pre_commit:
            print(f"{SYNC_HOOK}: {write_now(here.root)}")
            return 0
        operation = here.operation_in_progress()
        # post-merge and post-rewrite end a merge or a rebase while git's state of it is still on disk:
        # the writer checks again once git has exited
        ending = any(
            name in os.environ for name in ("PRE_COMMIT_REWRITE_COMMAND", "PRE_COMMIT_IS_SQUASH_MERGE")
        )
        if operation and not ending:
            print(f"{SYNC_HOOK}: a {operation} is under way; the records wait for its end")
            return 0
        start_writer(here.root, outer_process(), here.head)
        print(f"{SYNC_HOOK}: the log is written as soon as git has finished")
    except GateError as exc:
        print(error_line(SYNC_HOOK, str(exc)))
        return 2
    return 0


def _note(root: Path, outcome: str) -> None:
    """Keep the writer's outcome where `status` finds it: nobody sees a detached process's output."""
    from hooks.frame.record import utc_now

    with contextlib.suppress(OSError):
        replace_atomically(state_dir(root) / SYNC_NOTES, f"{utc_now()} {outcome}\n".encode())


if __name__ == "__main__":
    raise SystemExit(main())
