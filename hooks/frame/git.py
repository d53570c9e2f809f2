"""The one way the gates talk to git: argument lists, `-z` output, explicit errors, never the index."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.frame.errors import GateError

GIT_TIMEOUT_S = 60


# git status and friends refresh the index when they may; a hook must never write it.
_ENVIRONMENT = {"GIT_OPTIONAL_LOCKS": "0"}


def run_git(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, stdin: str | None = None
) -> str:
    """Run git and return its stdout; any failure becomes a one-line GateError."""
    try:
        result = subprocess.run(
            ["git", *args],  # nosec B607: git from PATH, as every git tool finds it
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_S,
            env={**os.environ, **_ENVIRONMENT, **(env or {})},
            input=stdin.encode() if stdin is not None else None,
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


def merge_file(root: Path, ours: Path, base: Path, theirs: Path) -> tuple[str, bool]:
    """`git merge-file -p`: the merged text, and whether it merged without conflicts (it holds conflict
    markers otherwise). git exits with the number of conflicts, so a non-zero exit is not a failure here."""
    labels = ("-L", "ours", "-L", "base", "-L", "theirs")
    command = ["git", "merge-file", "-p", *labels, str(ours), str(base), str(theirs)]  # nosec B607
    result = subprocess.run(
        command,
        cwd=root,
        capture_output=True,
        check=False,
        timeout=GIT_TIMEOUT_S,
        env={**os.environ, **_ENVIRONMENT},
    )
    if result.returncode < 0 or result.returncode > 127:
        raise GateError(f"git merge-file failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8", errors="surrogateescape"), result.returncode == 0


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


def is_unmerged(root: Path, path: Path) -> bool:
    """Whether `path` has unresolved merge-conflict entries in the index (a merge, rebase or stash apply)."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    return bool(run_git("ls-files", "-z", "--unmerged", "--", f":(literal){rel}", cwd=root))


def index_fingerprint_source(root: Path) -> str:
    """The staged blob ids of every path: what "the checked content" is for a whole-tree command."""
    return run_git("ls-files", "-z", "--stage", cwd=root)


def staged_tree(root: Path, index_file: str) -> str:
    """The tree `git commit` is about to record: written from a copy of its index, never the index."""
    from hooks.frame.state import state_dir

    copy = state_dir(root) / f"index.{os.getpid()}"
    try:
        copy.write_bytes((root / index_file).read_bytes())
        return run_git("write-tree", cwd=root, env={"GIT_INDEX_FILE": str(copy)}).strip()
    except OSError as exc:
        raise GateError(f"cannot read the index being committed: {exc.strerror or exc}") from exc
    finally:
        copy.unlink(missing_ok=True)


def worktree_differs(root: Path, exclude: str | None = None) -> bool:
    """Whether any tracked file differs from HEAD (the active log, which we write, aside)."""
    pathspec = [".", f":(exclude,literal){exclude}"] if exclude else []
    return bool(run_git("diff", "--no-ext-diff", "--name-only", "-z", "HEAD", "--", *pathspec, cwd=root))


class Commit(NamedTuple):
    id: str
    tree: str
    time: int  # the committer's, unix
    author_time: int  # kept by a rebase or an amend, as the subject is: they recognise a rewritten commit
    subject: str
    parents: tuple[str, ...] = ()


def recent_commits(root: Path, count: int = 200, start: str = "HEAD") -> list[Commit]:
    """The newest `count` commits reachable from `start`, newest first; [] before the first commit."""
    return _commits(root, "-n", str(count), start)


def reflog_commits(root: Path, count: int = 200) -> list[Commit]:
    """The commits HEAD has been at, its newest `count` moves first (repeats kept); [] without a reflog."""
    return _commits(root, "--walk-reflogs", "-n", str(count), "HEAD")


def commits_named(root: Path, ids: Sequence[str]) -> list[Commit]:
    """The commits with these (abbreviated) ids that this repository has, in any order."""
    known = [
        line.split()[0]
        for line in run_git(
            "cat-file", "--batch-check", cwd=root, stdin="".join(f"{i}^{{commit}}\n" for i in ids)
        ).splitlines()
        if line.endswith(tuple("0123456789")) and " commit " in line
    ]
    return _commits(root, "--no-walk=unsorted", *known) if known else []


def _commits(root: Path, *args: str) -> list[Commit]:
    try:
        output = run_git("log", "--format=%H%x1f%T%x1f%ct%x1f%at%x1f%P%x1f%s", *args, "--", cwd=root)
    except GateError:
        return []
    commits = []
    for line in output.splitlines():
        commit, tree, time, author_time, parents, subject = line.split("\x1f", 5)
        commits.append(Commit(commit, tree, int(time), int(author_time), subject, tuple(parents.split())))
    return commits


def is_ancestor(root: Path, commit: str, of: str = "HEAD") -> bool:
    try:
        run_git("merge-base", "--is-ancestor", commit, of, cwd=root)
    except GateError:
        return False
    return True


# What git leaves in its directory while an operation that replays or combines commits is under way.
_OPERATIONS = {
    "rebase-merge": "rebase",
    "rebase-apply": "rebase or am",
    "MERGE_HEAD": "merge",
    "CHERRY_PICK_HEAD": "cherry-pick",
    "REVERT_HEAD": "revert",
    "BISECT_LOG": "bisect",
    "sequencer": "cherry-pick or revert",
}


class Checkout(NamedTuple):
    root: Path
    git_dir: Path
    head: str | None  # None before the first commit

    def operation_in_progress(self) -> str | None:
        """The name of the rebase, merge, cherry-pick, revert, am or bisect under way, or None."""
        return next((name for entry, name in _OPERATIONS.items() if (self.git_dir / entry).exists()), None)


def checkout(cwd: Path | None = None) -> Checkout:
    """The work tree's top, its git directory and HEAD, in one git call."""
    try:
        output = run_git("rev-parse", "--show-toplevel", "--absolute-git-dir", cwd=cwd).split("\n")
    except GateError as exc:
        raise GateError("not inside a git repository") from exc
    root = Path(output[0])
    return Checkout(root, Path(output[1]), head_commit(root))


def listing(root: Path, tip: str) -> dict[str, tuple[str, str]]:
    """Path → (mode, blob id) of the files at `tip` ("" is the index: what a commit records)."""
    found: dict[str, tuple[str, str]] = {}
    if tip:
        for entry in split_z(run_git("ls-tree", "-r", "-z", "--full-tree", tip, cwd=root)):
            meta, path = entry.split("\t", 1)
            mode, _, blob = meta.split()
            found[path] = (mode, blob)
        return found
    for entry in split_z(run_git("ls-files", "--stage", "-z", cwd=root)):
        meta, path = entry.split("\t", 1)
        mode, blob, stage = meta.split()
        found[path] = (mode, blob) if stage == "0" else ("unmerged", "")
    return found


def read_blobs(root: Path, blobs: Sequence[str]) -> dict[str, bytes]:
    """The content of each blob, in one `git cat-file --batch`."""
    found: dict[str, bytes] = {}
    if not blobs:
        return found
    # run_git decodes with surrogateescape: encoding back gives git's bytes exactly
    data = run_git("cat-file", "--batch", cwd=root, stdin="\n".join(blobs) + "\n").encode(
        "utf-8", "surrogateescape"
    )
    position = 0
    while position < len(data):
        header_end = data.index(b"\n", position)
        blob, _, size = data[position:header_end].decode().split()
        start = header_end + 1
        found[blob] = data[start : start + int(size)]
        position = start + int(size) + 1
    return found


def blob_sizes(root: Path, blobs: Iterable[str]) -> dict[str, int]:
    """The size of each blob, from `git cat-file --batch-check` (it reads no content)."""
    wanted = "\n".join(blobs)
    if not wanted:
        return {}
    output = run_git("cat-file", "--batch-check", cwd=root, stdin=wanted + "\n")
    return {blob: int(size) for blob, _, size in (line.split() for line in output.splitlines())}


def blob_id(data: bytes) -> str:
    """git's id of a blob with this content (for a file git does not track yet)."""
    import hashlib  # here: every gate imports this module, and OpenSSL costs its start-up ~4 ms

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
