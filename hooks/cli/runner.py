"""`platform-gates run`: every gate outside pre-commit, in parallel, each as its own console script (so it
records and judges as the hook does), files chosen as pre-commit would, one summary at the end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import NamedTuple

from identify import identify

from hooks.frame.errors import GateError
from hooks.frame.gates import GATES, Gate, by_name
from hooks.frame.git import run_git, split_z

GATE_TIMEOUT_S = 3600


class GateResult(NamedTuple):
    hook_id: str
    exit_code: int
    summary: str  # the gate's own summary line, or the reason it could not run
    output: str
    duration_s: float
    files: int


def select_gates(names: Sequence[str]) -> list[Gate]:
    if not names:
        return list(GATES)
    chosen = [by_name(name) for name in names]
    if None in chosen:
        unknown = names[chosen.index(None)]
        known = ", ".join(gate.hook_id for gate in GATES)
        raise GateError(f"unknown gate {unknown!r} (known: {known})")
    return list(dict.fromkeys(gate for gate in chosen if gate is not None))


def candidate_files(root: Path, all_files: bool) -> list[str]:
    """Tracked files with `all_files`, else what changed against HEAD (staged, unstaged, new)."""
    if all_files:
        return split_z(run_git("ls-files", "-z", cwd=root))
    has_head = bool(run_git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", cwd=root).strip())
    changed = (
        split_z(run_git("diff", "--name-only", "-z", "--no-ext-diff", "HEAD", cwd=root)) if has_head else []
    )
    staged = split_z(run_git("diff", "--name-only", "-z", "--cached", cwd=root)) if not has_head else []
    new = split_z(run_git("ls-files", "-z", "--others", "--exclude-standard", cwd=root))
    return list(dict.fromkeys([*changed, *staged, *new]))


def files_for(spec: Gate, root: Path, files: Sequence[str]) -> list[str]:
    if spec.tags is None:
        return []
    chosen = []
    for name in files:
        path = root / name
        if path.is_file() and not path.is_symlink() and identify.tags_from_path(str(path)) & spec.tags:
            chosen.append(name)
    return chosen


def run_gates(
    root: Path,
    specs: Sequence[Gate],
    files: Sequence[str],
    all_files: bool,
    on_done: Callable[[GateResult], None] = lambda result: None,
) -> list[GateResult]:
    """Run the gates concurrently; results come back in `specs` order."""
    jobs = {spec.hook_id: files_for(spec, root, files) for spec in specs}
    results: dict[str, GateResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(len(specs), os.cpu_count() or 1))) as pool:
        futures = {
            pool.submit(_run_one, root, spec, jobs[spec.hook_id], all_files): spec.hook_id for spec in specs
        }
        for future in as_completed(futures):
            result = future.result()
            results[result.hook_id] = result
            on_done(result)
    return [results[spec.hook_id] for spec in specs]


def _run_one(root: Path, spec: Gate, files: list[str], all_files: bool) -> GateResult:
    started = time.monotonic()
    if spec.tags is not None and not files:
        return GateResult(spec.hook_id, 0, "skipped: no files of its type", "", 0.0, 0)
    command = [_executable(spec.hook_id)]
    if all_files and spec.hook_id == "platform-secrets":
        command.append("--all-lines")  # CI judges whole files, whatever happens to be staged
    if all_files and spec.hook_id in ("platform-lint", "platform-security"):
        command += ["--scope", "files"]  # no change set: whole files, as the secrets gate above
    command += ["--", *files] if files else []
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PRE_COMMIT")}
    try:
        completed = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=GATE_TIMEOUT_S,
            env=environ,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return GateResult(
            spec.hook_id, 2, f"could not run: {exc}", "", time.monotonic() - started, len(files)
        )
    output = completed.stdout + completed.stderr
    summary = next(
        (line for line in reversed(output.splitlines()) if line.startswith(f"{spec.hook_id}:")),
        output.strip().splitlines()[-1] if output.strip() else f"exit {completed.returncode}",
    )
    return GateResult(
        spec.hook_id, completed.returncode, summary, output, time.monotonic() - started, len(files)
    )


def _executable(hook_id: str) -> str:
    beside = Path(sys.executable).parent / hook_id
    return str(beside) if beside.exists() else shutil.which(hook_id) or hook_id
