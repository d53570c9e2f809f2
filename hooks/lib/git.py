"""The one way the gates talk to git: argument lists, `-z` output, explicit errors, never the index."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hooks.lib.errors import GateError

GIT_TIMEOUT_S = 60


def run_git(*args: str, cwd: Path | None = None) -> str:
    """Run git and return its stdout; any failure becomes a one-line GateError."""
    try:
        result = subprocess.run(
            ["git", *args],  # nosec B607: git from PATH, as every git tool finds it
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_S,
        )
    except FileNotFoundError as exc:
        raise GateError("git is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise GateError(f"git {args[0]} did not finish within {GIT_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip().splitlines()
        detail = reason[-1] if reason else f"exit {result.returncode}"
        raise GateError(f"git {args[0]} failed: {detail}")
    return result.stdout.decode(errors="surrogateescape")


def split_z(output: str) -> list[str]:
    """Split NUL-separated git output (`-z`) into its entries."""
    return [entry for entry in output.split("\0") if entry]


def repo_root(start: Path | None = None) -> Path:
    """The top of the work tree that contains `start` (default: the current directory)."""
    try:
        top = run_git("rev-parse", "--show-toplevel", cwd=start).strip()
    except GateError as exc:
        raise GateError("not inside a git repository") from exc
    return Path(top)


def head_commit(root: Path) -> str | None:
    """The full HEAD commit id, or None in a repository with no commits yet."""
    try:
        return run_git("rev-parse", "--verify", "--quiet", "HEAD", cwd=root).strip() or None
    except GateError:
        return None


def current_branch(root: Path) -> str | None:
    """The checked-out branch name, or None on a detached HEAD."""
    try:
        return run_git("symbolic-ref", "--quiet", "--short", "HEAD", cwd=root).strip() or None
    except GateError:
        return None


def head(root: Path) -> tuple[str | None, str | None]:
    """(HEAD commit, branch) in one git call; None for a repository with no commits or a detached HEAD."""
    try:
        commit, branch = run_git("rev-parse", "HEAD", "--abbrev-ref", "HEAD", cwd=root).split()
    except (GateError, ValueError):
        return None, current_branch(root)
    return commit, None if branch == "HEAD" else branch


def is_tracked(root: Path, path: Path) -> bool:
    """Whether git tracks `path` (in HEAD or in the index): such a file is pre-commit's to watch."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    return bool(split_z(run_git("ls-files", "-z", "--cached", "--", f":(literal){rel}", cwd=root)))


def file_at(root: Path, revision: str, rel: str) -> str | None:
    """The text of `rel` at `revision` ("" is the index), or None where it does not exist there."""
    try:
        return run_git("cat-file", "blob", f"{revision}:{rel}", cwd=root)
    except GateError:
        return None


def index_fingerprint_source(root: Path) -> str:
    """The staged blob ids of every path: what "the checked content" is for a whole-tree command."""
    return run_git("ls-files", "-z", "--stage", cwd=root)
