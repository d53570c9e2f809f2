"""Paired measurement: the benchmark command on the base revision (a temporary `git worktree`) and on the
change, turn about, on the same machine in the same minutes: the one comparison that holds on a shared CI
runner. The worktree is removed whatever happens, Ctrl-C and SIGTERM included."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from hooks.adapters.benchmark_results import Benchmark, read_results
from hooks.frame.errors import GateError
from hooks.frame.git import run_git

OUTPUT = "{output}"
COMMAND_TIMEOUT_S = 3600  # one run of the benchmark command
# git's hook environment names the repository it runs for: the command must find the worktree's own.
_GIT_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR")


def command_words(command: str) -> list[str]:
    """The command as an argument list (no shell); a GateError when it cannot name its results file."""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise GateError(f"perf command {command!r} cannot be split into arguments: {exc}") from exc
    if not words or not any(OUTPUT in word for word in words):
        raise GateError(f"perf command {command!r} must name its results file as {OUTPUT}")
    return words


def measure_paired(
    root: Path, base: str, command: str, rounds: int, progress: Callable[[str], None] = lambda _: None
) -> tuple[list[list[Benchmark]], list[list[Benchmark]]]:
    """The results of `rounds` runs each of the base revision and of the working tree, interleaved."""
    words = command_words(command)
    base_runs: list[list[Benchmark]] = []
    change_runs: list[list[Benchmark]] = []
    with base_worktree(root, base) as (scratch, checkout):
        for round_number in range(1, rounds + 1):
            for side, cwd, runs in (("base", checkout, base_runs), ("change", root, change_runs)):
                progress(f"round {round_number}/{rounds}: {side}")
                output = scratch / f"{side}-{round_number}.json"
                _run(words, cwd, output, f"{side} ({base[:7]})" if side == "base" else side)
                runs.append(read_results(output, f"the {side}'s results of `{command}`"))
    return base_runs, change_runs


def _run(words: list[str], cwd: Path, output: Path, side: str) -> None:
    argv = [word.replace(OUTPUT, str(output)) for word in words]
    executable = shutil.which(argv[0])
    if executable is None:
        raise GateError(f"perf command not found: {argv[0]}")
    environ = {key: value for key, value in os.environ.items() if key not in _GIT_VARIABLES}
    try:
        result = subprocess.run(
            [executable, *argv[1:]],
            cwd=cwd,
            env=environ,
            capture_output=True,
            check=False,
            timeout=COMMAND_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise GateError(f"`{shlex.join(words)}` did not finish within {COMMAND_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()
        last = lines[-1] if lines else ""
        raise GateError(f"`{shlex.join(words)}` exited {result.returncode} on the {side}: {last}")
    if not output.is_file():
        raise GateError(f"`{shlex.join(words)}` wrote no results to {OUTPUT} on the {side}")


@contextlib.contextmanager
def base_worktree(root: Path, base: str) -> Iterator[tuple[Path, Path]]:
    """(scratch directory, checkout of `base`) for the duration; both gone afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="platform-perf-"))
    checkout = scratch / "base"
    try:
        with _terminate_as_interrupt():
            run_git("worktree", "add", "--detach", "--force", str(checkout), base, cwd=root)
            yield scratch, checkout
    finally:
        # Ctrl-C again while cleaning up must not leave the worktree registered: ignore it here.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            with contextlib.suppress(GateError):
                run_git("worktree", "remove", "--force", str(checkout), cwd=root)
            shutil.rmtree(scratch, ignore_errors=True)
            with contextlib.suppress(GateError):
                run_git("worktree", "prune", cwd=root)
        finally:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, a hook timed out) unwinds like Ctrl-C, so `finally` blocks run."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
