from __future__ import annotations

import collections
from pathlib import Path
from typing import NamedTuple

import pytest

from hooks.frame.baseline import Key
from hooks.frame.changes import ChangeSet
from hooks.frame.context import RunContext, run_context
from hooks.frame.errors import GateError
from hooks.frame.scope import Scope, checked_scope, find_scope, judge
from tests.util import commit, git, write


class Found(NamedTuple):
    path: str
    lines: tuple[int, ...]
    code: str = "F401"

    @property
    def key(self) -> Key:
        return (self.path, self.code)


def key(finding: Found) -> Key:
    return finding.key


SCOPE = Scope({"a.py": frozenset({3, 4})}, whole_files=False)


@pytest.mark.parametrize(
    ("finding", "blocks"),
    [
        (Found("a.py", (3,)), True),
        (Found("a.py", (1, 2, 3)), True),  # a multi-line finding: any of its lines
        (Found("a.py", (5, 6)), False),
        (Found("a.py", ()), False),  # no line at all: never on a changed line
        (Found("b.py", (9,)), True),  # a file the scope does not list is judged whole
    ],
)
def test_a_finding_blocks_when_one_of_its_lines_changed(finding: Found, blocks: bool) -> None:
    assert SCOPE.blocks(finding) is blocks


def test_findings_on_unchanged_lines_are_legacy_and_without_scope_every_finding_blocks() -> None:
    findings = [Found("a.py", (1,)), Found("a.py", (3,)), Found("a.py", (7,))]
    verdict = judge(findings, SCOPE, key, None)
    assert (verdict.blocking, verdict.legacy, verdict.excused) == (
        [findings[1]],
        [findings[0], findings[2]],
        0,
    )
    whole = judge(findings, None, key, None)
    assert (whole.blocking, whole.legacy) == (findings, [])


@pytest.mark.parametrize(
    ("entries", "blocking", "legacy", "excused"),
    [
        (1, 1, 0, 1),  # the entry excuses the old copy: the copy the change adds still blocks
        (2, 0, 0, 2),
        (0, 1, 1, 0),
    ],
)
def test_a_baseline_entry_excuses_a_finding_on_an_unchanged_line_first(
    entries: int, blocking: int, legacy: int, excused: int
) -> None:
    added, old = Found("a.py", (3,)), Found("a.py", (9,))
    baseline: collections.Counter[Key] = collections.Counter({("a.py", "F401"): entries} if entries else {})
    verdict = judge([added, old], SCOPE, key, baseline)
    assert (len(verdict.blocking), len(verdict.legacy), verdict.excused) == (blocking, legacy, excused)
    assert verdict.blocking == [added] * blocking


def test_a_scope_setting_other_than_the_two_is_a_gate_error() -> None:
    assert checked_scope("files") == "files"
    with pytest.raises(GateError, match="scope must be one of changed-lines, files, got 'lines'"):
        checked_scope("lines")


def test_the_staged_change_judges_its_files_by_line_and_the_others_whole(repo: Path) -> None:
    write(repo / "a.py", "one\ntwo\nthree\n")
    write(repo / "b.py", "old\n")
    write(repo / "c.py", "kept\n")
    commit(repo, "legacy")
    write(repo / "a.py", "one\nTWO\nthree\nfour\n")
    git(repo, "mv", "b.py", "renamed.py")  # changed, no line added
    git(repo, "add", "a.py")
    scope = find_scope(repo, ChangeSet.for_run(repo, _outside_commit()), ["a.py", "renamed.py", "c.py"])
    assert scope == Scope({"a.py": frozenset({2, 4}), "renamed.py": frozenset()}, whole_files=True)
    assert scope.judged == "changed lines and whole files"
    # Nothing staged among the files (`pre-commit run --all-files` locally): no scope, whole files.
    assert find_scope(repo, ChangeSet.for_run(repo, _outside_commit()), ["c.py"]) is None
    assert find_scope(repo, None, ["a.py"]) is None


def test_a_range_judges_a_file_it_leaves_alone_by_its_lines(repo: Path) -> None:
    write(repo / "a.py", "one\n")
    write(repo / "c.py", "kept\n")
    commit(repo, "legacy")
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo / "a.py", "one\ntwo\n")
    commit(repo, "change")
    scope = find_scope(repo, ChangeSet.for_run(repo, _outside_commit(), compare_with=base), ["a.py", "c.py"])
    assert scope == Scope({"a.py": frozenset({2}), "c.py": frozenset()}, whole_files=False)
    assert scope.judged == "changed lines"


def _outside_commit() -> RunContext:
    return run_context({})  # a shell, not CI: the staged change
