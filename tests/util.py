"""Helpers for tests that drive real git repositories and the real `platform-gates` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
PLATFORM_GATES = str(BIN / "platform-gates")
PRE_COMMIT = str(BIN / "pre-commit")

PLAN = """\
# Plan 001: Bookmarks

**Document ID**: plan001.plan.md
**Created**: October 24, 2025
**Status**: Sprint Planning Complete
**References**: [design001.design.md](../design/design001.design.md)

## Stories

**Story 1.1: Save a bookmark** (3 points) implements FR-001.

**Acceptance Criteria**:
- [ ] A bookmark can be saved
"""

LOG = """\
# Execution Log 001: Sprint 001

**Document ID**: execution001.execution.md
**Created**: October 25, 2025
**Status**: IN PROGRESS
**References**: [plan001.plan.md](../plans/plan001.plan.md)

## 3. Implementation Execution Log

#### October 25, 2025 - Sprint Start

## 4. ✅ Quality Report

## 6. Decision Log and Lessons Learned
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "--no-gpg-sign", "-m", message)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def add_platform_mode(repo: Path, log: str = LOG, plan: str = PLAN) -> Path:
    """A plan and an open execution log in the real-world format; returns the log's path."""
    write(repo / ".platform-mode/plans/plan001.plan.md", plan)
    return write(repo / ".platform-mode/execution/execution001.execution.md", log)


def run_cli(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`platform-gates ARGS` as a user runs it, in `repo`."""
    return subprocess.run(
        [PLATFORM_GATES, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


PROJECT = Path(__file__).resolve().parent.parent


def snapshot_project(dest: Path) -> Path:
    """A committed copy of this project (tracked and new, unignored files) for `pre-commit try-repo`.

    try-repo leaves untracked files out of its shadow clone, and CI starts from a clean clone: a copy
    committed on its own makes the hooks under test exactly the files in this checkout.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT, check=True, capture_output=True,
    ).stdout.decode()  # fmt: skip
    for rel in filter(None, listed.split("\0")):
        source = PROJECT / rel
        if source.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    git(dest, "init", "-q", "-b", "main")
    commit(dest, "snapshot")
    return dest


def try_repo(
    repo: Path, hook_repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo HOOK_REPO ARGS` in `repo`: the hooks as users get them."""
    return subprocess.run(
        [PRE_COMMIT, "try-repo", str(hook_repo), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )


def install_hooks(repo: Path, hook_repo: Path, *hook_ids: str) -> None:
    """A `.pre-commit-config.yaml` with `hook_ids` of `hook_repo` at its HEAD, installed as git hooks."""
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    hooks = "".join(f"      - id: {hook_id}\n" for hook_id in hook_ids)
    write(
        repo / ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n{hooks}",
    )
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, check=True, capture_output=True, timeout=900)


def git_through_hooks(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`git ARGS` (commit, push) with the installed hooks; pre-commit's report, both streams, in stdout."""
    return subprocess.run(
        ["git", *args], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900
    )


def detect_secrets_scan(root: Path, names: list[str], *, ours: bool = False) -> set[tuple[str, int, str]]:
    """(path, line, type) of what detect-secrets' own `scan` finds: with its defaults, or with our plugins
    and filters loaded through its extension points (`--plugin`, `--filter`) when `ours`."""
    from hooks.adapters.secrets_engine import EXTRA_FILTERS, PLUGINS_FILE

    extra = [f"--plugin={PLUGINS_FILE}", *(f"--filter={path}" for path in EXTRA_FILTERS)] if ours else []
    out = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", *extra, *names],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    results = json.loads(out)["results"]
    return {(path, item["line_number"], item["type"]) for path, items in results.items() for item in items}
