"""Which findings block: with `scope = "changed-lines"`, those on lines the change adds or modifies; the
others are counted as legacy (DEC-019). A file the staged change does not touch is judged whole."""

from __future__ import annotations

import collections
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Generic, NamedTuple, Protocol, TypeVar

from hooks.frame.baseline import Key, new_findings
from hooks.frame.changes import ChangeSet, added_lines, changed_files
from hooks.frame.errors import GateError

SCOPES = ("changed-lines", "files")


class Located(Protocol):
    """A finding as the scope sees it: its file and the lines it spans (a multi-line call: all of them)."""

    @property
    def path(self) -> str: ...

    @property
    def lines(self) -> Collection[int]: ...


FindingT = TypeVar("FindingT", bound=Located)


class Scope(NamedTuple):
    """The lines a run judges: a listed file's changed lines; a file it does not list is judged whole."""

    changed: Mapping[str, frozenset[int]]
    whole_files: bool  # some judged files are judged whole (nothing of theirs is in the staged change)

    def blocks(self, finding: Located) -> bool:
        lines = self.changed.get(finding.path)
        return lines is None or any(line in lines for line in finding.lines)

    @property
    def judged(self) -> str:
        """What was judged, as the record's threshold names it."""
        return "changed lines and whole files" if self.whole_files else "changed lines"


def checked_scope(value: str) -> str:
    if value not in SCOPES:
        raise GateError(f"scope must be one of {', '.join(SCOPES)}, got {value!r}")
    return value


def find_scope(
    root: Path, changes: ChangeSet | None, files: Sequence[str], changed: Collection[str] | None = None
) -> Scope | None:
    """The changed lines of `files` (repo-relative) in `changes`; None when every file is judged whole
    (no change set, or a staged change that touches none of them). `changed`: its files, when known."""
    if changes is None:
        return None
    # A range judges every file by its lines (one it leaves alone has none); the staged change only the
    # files it touches: the others are passed by `--all-files`, and nothing of them is being committed.
    if not changes.is_staged:
        touched = set(files)
    else:
        touched = set(changed_files(root, changes) if changed is None else changed) & set(files)
    if not touched:
        return None
    added = added_lines(root, changes, files)
    by_lines = {path: frozenset(added.get(path, ())) for path in files if path in touched}
    return Scope(by_lines, whole_files=len(by_lines) < len(set(files)))


class Verdict(Generic[FindingT]):
    """What `judge` decided (a plain class: `dataclasses` would cost every gate's start-up, DEC-005)."""

    __slots__ = ("blocking", "excused", "legacy")

    def __init__(self, blocking: list[FindingT], legacy: list[FindingT], excused: int) -> None:
        self.blocking = blocking  # on changed lines (or in files judged whole), not excused by the baseline
        self.legacy = legacy  # on unchanged lines, not excused: counted, not blocking
        self.excused = excused  # by the baseline


def judge(
    findings: Sequence[FindingT],
    scope: Scope | None,
    key: Callable[[FindingT], Key],
    baseline: collections.Counter[Key] | None,
) -> Verdict[FindingT]:
    """Split `findings` into blocking and legacy; a baseline entry excuses a legacy finding before one on
    a changed line, so a second copy of a baselined finding that the change adds still blocks."""
    blocking = [f for f in findings if scope is None or scope.blocks(f)]
    legacy = [f for f in findings if scope is not None and not scope.blocks(f)]
    if baseline is None:
        return Verdict(blocking, legacy, 0)
    # What the legacy findings use up of each entry is left to nobody else (Counter `-` stops at zero).
    left = baseline - collections.Counter(key(f) for f in legacy)
    legacy, excused_legacy = new_findings(legacy, key, baseline)
    blocking, excused = new_findings(blocking, key, left)
    return Verdict(blocking, legacy, excused_legacy + excused)
