"""What a gate judges: staged under a commit, FROM...TO under pre-push, `--compare-with REF`, a CI's range."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from hooks.frame.ci import ci_range
from hooks.frame.context import RunContext
from hooks.frame.git import head_commit, run_git, split_z

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


STAGED = ("--cached",)  # git diff of the index against HEAD


class ChangeSet(NamedTuple):
    """Which diff to read: `git diff <args>` names it."""

    diff_args: tuple[str, ...]
    description: str  # for messages: "staged changes", "origin/main...HEAD"
    span: tuple[str, str] | None = None  # (FROM, TO) of a range; None for the staged change

    @classmethod
    def for_run(
        cls, root: Path, context: RunContext, compare_with: str | None = None, base: str | None = None
    ) -> ChangeSet:
        """The one place that decides: an explicit `--compare-with`, the pushed range, the CI job's range
        (`base` is the config key for a CI this does not know), else the staged change."""
        if compare_with:
            return cls((f"{compare_with}...HEAD",), f"{compare_with}...HEAD", (compare_with, "HEAD"))
        if context.from_ref and context.to_ref:
            span = f"{context.from_ref}...{context.to_ref}"
            return cls((span,), span, (context.from_ref, context.to_ref))
        if not context.in_commit:
            found = ci_range(root, os.environ, base)
            if found is not None:
                span = f"{found.base[:7]}...HEAD"
                return cls((f"{found.base}...HEAD",), f"{found.why}: {span}", (found.base, "HEAD"))
        return cls(STAGED, "staged changes")

    @property
    def is_staged(self) -> bool:
        """The index against HEAD: what the commit under way records."""
        return self.diff_args == STAGED

    def sides(self, root: Path) -> tuple[str | None, str]:
        """The revisions the diff compares, (base, tip), for `REV:path`: "" is the index, None no commit yet.

        `git diff FROM...TO` compares TO with the merge base of FROM and TO.
        """
        if self.span is None:
            return head_commit(root), ""
        start, tip = self.span
        return run_git("merge-base", start, tip, cwd=root).strip(), tip


def changed_files(root: Path, changes: ChangeSet) -> list[str]:
    """Repo-relative paths that the change set adds, copies, modifies, renames or deletes."""
    output = run_git("diff", "--name-only", "--no-ext-diff", "-z", *changes.diff_args, "--", cwd=root)
    return split_z(output)


def added_lines(root: Path, changes: ChangeSet, paths: Iterable[str] = ()) -> dict[str, set[int]]:
    """Line numbers (1-based, in the new version) that the change set adds or modifies, per file.

    The whole diff is read and then narrowed to `paths` (all files when empty): a pathspec would hide a
    renamed file's old name from git, and the rename would look like a new file, every line added.
    """
    output = run_git(
        "-c", "core.quotePath=false", "diff", "--no-ext-diff", "--no-color", "--unified=0",
        "--find-renames", "--diff-filter=d", *changes.diff_args, "--", cwd=root,
    )  # fmt: skip
    added: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in output.split("\n"):
        if line.startswith("+++ "):
            name = line[4:].removesuffix("\t")  # git appends a tab to names with spaces
            current = None if name == "/dev/null" else added.setdefault(_unquote(name)[2:], set())
        elif current is not None and (match := _HUNK.match(line)):
            start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
            current.update(range(start, start + count))
    wanted = set(paths)
    return {path: lines for path, lines in added.items() if lines and (not wanted or path in wanted)}


def _unquote(name: str) -> str:
    """git's C-style quoting of unusual path names (`"b/caf\\303\\251.py"`)."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    raw = bytearray()
    body = name[1:-1]
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            if following in "01234567":
                raw.append(int(body[index + 1 : index + 4], 8))
                index += 4
                continue
            raw.append(_ESCAPES.get(following, ord(following)))
            index += 2
            continue
        raw.extend(char.encode())
        index += 1
    return raw.decode(errors="surrogateescape")
