from __future__ import annotations

from pathlib import Path

import pytest

from hooks.frame.config import load_config
from hooks.frame.documents import find_active_log, plan_of, read_header, references, scan_documents
from hooks.frame.errors import GateError
from tests.util import LOG, PLAN, add_platform_mode, write


def test_scan_reads_numbers_as_decimal_and_finds_duplicates(tmp_path: Path) -> None:
    base = tmp_path / ".platform-mode"
    write(base / "plans/plan008.plan.md", PLAN)
    write(base / "plans/plan0008.plan.md", PLAN)
    write(base / "plans/plan1000.plan.md", PLAN)
    write(base / "analysis/analysis001.analysis.md", "# A\n")
    documents = scan_documents(tmp_path)
    assert [d.number for d in documents.of_kind("plan")] == [8, 8, 1000]
    assert [[d.rel for d in group] for group in documents.duplicates()] == [
        [".platform-mode/plans/plan0008.plan.md", ".platform-mode/plans/plan008.plan.md"]
    ]
    assert [d.kind for d in documents.of_kind("analysis")] == ["analysis"]


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("execution1.execution.md", "execution001.execution.md"),
        ("Execution001.md", "execution001.execution.md"),
        ("execution-log.md", "execution001.execution.md"),
        ("notes.md", None),
    ],
)
def test_misnamed_documents_get_a_did_you_mean(tmp_path: Path, name: str, suggestion: str | None) -> None:
    write(tmp_path / ".platform-mode/execution" / name, LOG)
    documents = scan_documents(tmp_path)
    assert documents.documents == ()
    assert [(m.rel.rsplit("/", 1)[1], m.suggestion) for m in documents.misnamed] == [(name, suggestion)]


def test_active_log_is_the_highest_open_one(tmp_path: Path) -> None:
    add_platform_mode(tmp_path)
    write(
        tmp_path / ".platform-mode/execution/execution002.execution.md", LOG.replace("IN PROGRESS", "CLOSED")
    )
    active = find_active_log(tmp_path, load_config(tmp_path), environ={})
    assert active.rel == ".platform-mode/execution/execution001.execution.md"
    assert active.warnings == ()


def test_config_log_key_picks_the_log(tmp_path: Path) -> None:
    add_platform_mode(tmp_path)
    write(tmp_path / "notes/log.md", "# Log\n")
    write(tmp_path / ".platform-gates.toml", 'log = "notes/log.md"\n')
    active = find_active_log(tmp_path, load_config(tmp_path), environ={})
    assert active.rel == "notes/log.md"
    assert "config key 'log'" in active.reason


def test_explicit_log_that_does_not_exist_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(GateError, match="does not exist"):
        find_active_log(tmp_path, load_config(tmp_path), environ={"PLATFORM_GATES_LOG": "nope.md"})


def test_references_resolve_inside_the_repository_only(tmp_path: Path) -> None:
    log = add_platform_mode(tmp_path)
    write(tmp_path.parent / "elsewhere.plan.md", PLAN)
    text = LOG.replace(
        "[plan001.plan.md](../plans/plan001.plan.md)",
        "[plan001.plan.md](../plans/plan001.plan.md), [x](../../../elsewhere.plan.md), [w](https://example.com)",
    )
    log.write_text(text)
    found = references(tmp_path, log, read_header(log, "log"))
    assert [(r.target, r.path is not None) for r in found] == [
        ("../plans/plan001.plan.md", True),
        ("../../../elsewhere.plan.md", False),
        ("https://example.com", False),
    ]
    assert plan_of(tmp_path, log) == (tmp_path / ".platform-mode/plans/plan001.plan.md").resolve()
