"""Merging execution logs (a git merge driver): the user's words three-way with `git merge-file`, the
results blocks by meaning, every commit's history row from both sides (DEC-014)."""

from __future__ import annotations

import shlex
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from hooks.frame import git, quality_block
from hooks.frame.errors import GateError
from hooks.frame.quality_block import BEGIN, END, HistoryRow, QualityStatus

DRIVER = "platform-gates"
DRIVER_ARGUMENTS = "merge-log %O %A %B %P"  # git fills in base, ours, theirs and the path
ATTRIBUTES = "/.platform-mode/execution/*.md merge=platform-gates"


def merge_states(ours: QualityStatus, theirs: QualityStatus, times: Mapping[str, int]) -> QualityStatus:
    """Both sides' history rows, newest commit first (`times`: a rank by short id, see `ranked`), and per
    gate the status row of the newer commit (ours when neither is ranked)."""
    rows: dict[str, HistoryRow] = {}
    for row in (*ours.history, *theirs.history):
        if row.commit.endswith("+"):
            continue  # runs on uncommitted files belong to one working tree
        known = rows.setdefault(row.commit, row._replace(cells=dict(row.cells)))
        for gate, cell in row.cells.items():
            known.cells.setdefault(gate, cell)
    history = sorted(rows.values(), key=lambda row: -times.get(row.commit, 0))
    status = dict(ours.status)
    for gate, cells in theirs.status.items():
        mine = status.get(gate)
        if mine is None or _time(cells, times) > _time(mine, times):
            status[gate] = cells
    return QualityStatus(status, history, max(ours.when, theirs.when))


def ranked(commits: Sequence[git.Commit]) -> dict[str, int]:
    """A rank per short id, a newer commit higher: by committer time, and among commits of one second by
    descent (a commit above its parent), as a rebase or a script makes many in a second."""
    by_id = {commit.id: commit for commit in commits}
    depth: dict[str, int] = {}

    def generation(commit: git.Commit) -> int:
        if commit.id not in depth:
            depth[commit.id] = 0  # a cycle cannot happen in git; this guards the recursion anyway
            depth[commit.id] = 1 + max(
                (generation(by_id[p]) for p in commit.parents if p in by_id), default=0
            )
        return depth[commit.id]

    order = sorted(commits, key=lambda commit: (commit.time, generation(commit)))
    return {commit.id[:7]: rank for rank, commit in enumerate(order, start=1)}


def _time(cells: tuple[str, ...], times: Mapping[str, int]) -> int:
    return times.get(cells[5].split()[0].rstrip("+"), 0) if len(cells) > 5 else 0


def merge_texts(root: Path, base: str, ours: str, theirs: str) -> tuple[str, bool]:
    """(the merged log, whether it merged cleanly). The blocks stand aside as bare markers while
    `git merge-file` merges the rest; the merged block then takes their place."""
    blocks = [quality_block.find_block(text) for text in (base, ours, theirs)]
    nl = quality_block.newline_of(ours)
    bare = [_bare(text, block, nl) for text, block in zip((base, ours, theirs), blocks, strict=True)]
    merged, clean = _merge_file(root, *bare)
    states = [block.state for block in blocks[1:] if block is not None]
    if not states:
        return merged, clean
    labels = {row.commit.rstrip("+") for state in states for row in state.history}
    labels |= {cells[5].split()[0].rstrip("+") for state in states for cells in state.status.values()}
    ranks = ranked(git.commits_named(root, sorted(labels)))
    state = states[0] if len(states) == 1 else merge_states(states[0], states[1], ranks)
    try:
        placeholder = quality_block.find_block(merged)
    except GateError:
        placeholder = None  # the markers themselves ended up in a conflict: leave it to the user
    if placeholder is None:
        return merged, False
    rendered = quality_block.render(state, nl)
    return merged[: placeholder.start] + rendered + merged[placeholder.end :], clean


def _bare(text: str, block: quality_block.Block | None, nl: str) -> str:
    return text if block is None else text[: block.start] + BEGIN + nl + END + nl + text[block.end :]


def _merge_file(root: Path, base: str, ours: str, theirs: str) -> tuple[str, bool]:
    with tempfile.TemporaryDirectory(prefix="platform-gates-merge-") as scratch:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(scratch) / name
            path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            paths.append(path)
        return git.merge_file(root, *paths)


def _driver_program() -> str:
    """Our console script beside this interpreter: `python -m hooks.cli`, run by git in the repository,
    would import the repository's own `hooks/` package, if it has one, instead of ours."""
    script = shutil.which("platform-gates", path=str(Path(sys.executable).parent))
    return shlex.quote(script) if script else f"{shlex.quote(sys.executable)} -m hooks.cli"


def register(root: Path) -> bool:
    """Register the merge driver for execution logs in this clone (its `.git/config` and
    `.git/info/attributes`); True when something was written. A driver the user set is left alone
    unless it names an interpreter that is gone (a rebuilt pre-commit environment)."""
    command = f"{_driver_program()} {DRIVER_ARGUMENTS}"
    key = f"merge.{DRIVER}.driver"
    try:
        current = git.run_git("config", "--get", key, cwd=root).strip()
    except GateError:
        current = ""
    wrote = False
    gone = bool(current) and not Path(shlex.split(current)[0]).exists()
    if current != command and (not current or current.endswith(DRIVER_ARGUMENTS) or gone):
        git.run_git("config", key, command, cwd=root)
        git.run_git(
            "config", f"merge.{DRIVER}.name", "platform-gates: execution logs and their results", cwd=root
        )
        wrote = True
    attributes = Path(git.run_git("rev-parse", "--git-path", "info/attributes", cwd=root).strip())
    attributes = root / attributes
    existing = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
    if ATTRIBUTES not in existing.splitlines():
        attributes.parent.mkdir(parents=True, exist_ok=True)
        separator = "" if not existing or existing.endswith("\n") else "\n"
        attributes.write_text(f"{existing}{separator}{ATTRIBUTES}\n", encoding="utf-8")
        wrote = True
    return wrote
