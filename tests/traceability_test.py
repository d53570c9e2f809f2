from __future__ import annotations

from pathlib import Path

import pytest

from hooks.traceability import main
from tests.util import LOG, PLAN, add_platform_mode, run_cli, write

ANALYSIS = """\
# Analysis 001: Bookmarks

**Document ID**: analysis001.analysis.md
**Created**: October 20, 2025
**Status**: COMPLETE

#### FR-001: Save a bookmark
#### FR-002: Find by tag
| NFR-005.2 | Pages render in 200 ms |
"""

DESIGN = """\
# Design 001

**Document ID**: design001.design.md
**Status**: APPROVED

### ADR-001: Keep bookmarks in memory
Satisfies FR-001.
"""

COMPLETE_LOG = """\
# Execution Log 001: Sprint 001

**Document ID**: execution001.execution.md
**Created**: October 25, 2025
**Status**: ✅ COMPLETE
**References**: [plan001.plan.md](../plans/plan001.plan.md)

## 3. Implementation Execution Log

#### Story 1.1 (FR-001), following ADR-001 and DEC-001
- [x] A bookmark can be saved

## 4. Quality Report

## 5. Validation Report

- FR-001: tests/test_store.py

## 6. Decision Log and Lessons Learned

#### Decision DEC-001: In memory

## 7. Deployment Package
"""


@pytest.fixture
def documents(repo: Path) -> Path:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    write(repo / ".platform-mode/design/design001.design.md", DESIGN)
    add_platform_mode(repo, log=COMPLETE_LOG)
    return repo


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    lines = capsys.readouterr().out.splitlines()
    return code, [line for line in lines if not line.startswith("platform-traceability:")]


def test_a_consistent_set_of_documents_passes(documents: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = findings(capsys)
    assert (code, lines) == (0, [])


def test_the_new_log_template_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    write(repo / ".platform-mode/plans/plan001.plan.md", PLAN)
    assert run_cli(repo, "new-log").returncode == 0
    code, lines = findings(capsys)
    assert code == 0, lines
    assert lines == []


LOG_PATH = ".platform-mode/execution/execution001.execution.md"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("- [x] A bookmark", "- [ ] A bookmark"),
            f"{LOG_PATH}:11: ERROR unchecked acceptance criterion in a COMPLETE log",
        ),
        (
            ("- FR-001: tests", "- see tests"),
            f"{LOG_PATH}:15: ERROR Validation Report does not cite FR-001, which its plan cites",
        ),
        (
            ("(FR-001)", "(FR-009)"),
            f"{LOG_PATH}:10: ERROR requirement FR-009 is not defined in any analysis, design or plan document",
        ),
        (
            ("ADR-001 and", "ADR-007 and"),
            f"{LOG_PATH}:10: ERROR design decision ADR-007 is not defined in any design document",
        ),
        (
            ("and DEC-001", "and DEC-002"),
            f"{LOG_PATH}:10: ERROR decision DEC-002 is not defined in this log's Decision Log",
        ),
        (
            (
                "#### Decision DEC-001: In memory",
                "#### Decision DEC-001: In memory\n#### Decision DEC-001: Again",
            ),
            f"{LOG_PATH}:22: ERROR decision DEC-001 is defined twice (first at line 21)",
        ),
        (
            ("execution001.execution.md\n", "execution002.execution.md\n"),
            f"{LOG_PATH}:3: ERROR Document ID 'execution002.execution.md' does not match the file name",
        ),
        (
            ("../plans/plan001.plan.md)", "../../../../outside/plan001.plan.md)"),
            f"{LOG_PATH}:6: ERROR reference ../../../../outside/plan001.plan.md leaves the repository",
        ),
        (
            ("../plans/plan001.plan.md)", "../plans/plan404.plan.md)"),
            f"{LOG_PATH}:6: ERROR reference ../plans/plan404.plan.md does not exist",
        ),
        (
            ("## 7. Deployment Package\n", ""),
            f"{LOG_PATH}:1: ERROR no Deployment Package section (a heading with the words 'Deployment Package')",
        ),
    ],
)
def test_each_broken_link_of_the_chain_is_an_error(
    documents: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], expected: str
) -> None:
    log = documents / LOG_PATH
    old, new = edit
    assert old in log.read_text()
    log.write_text(log.read_text().replace(old, new, 1))
    code, lines = findings(capsys)
    assert code == 1
    assert expected in lines


def test_an_open_log_only_warns_about_missing_sections_and_strict_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    add_platform_mode(repo, log=LOG.replace("## 6. Decision Log and Lessons Learned\n", ""))
    code, lines = findings(capsys)
    assert code == 0
    assert f"{LOG_PATH}:1: WARN no Decision Log section (a heading with the words 'Decision Log')" in lines
    assert findings(capsys, "--strict")[0] == 1


def test_ids_inside_fenced_code_are_not_citations(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = documents / LOG_PATH
    log.write_text(log.read_text() + "\n```\nFR-999 DEC-999 ADR-999\n- [ ] not a criterion\n```\n")
    assert findings(capsys) == (0, [])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "execution1.execution.md",
            "ERROR file name does not follow <type>###.<type>.md; did you mean execution001.execution.md?",
        ),
        (
            "execution0001.execution.md",
            "ERROR duplicate number 1: .platform-mode/execution/execution0001.execution.md",
        ),
    ],
)
def test_names_and_numbers(
    documents: Path, capsys: pytest.CaptureFixture[str], name: str, expected: str
) -> None:
    write(documents / ".platform-mode/execution" / name, COMPLETE_LOG)
    code, lines = findings(capsys)
    assert code == 1
    assert any(expected in line for line in lines), lines


def test_without_platform_mode_the_gate_is_skipped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "has not opted in" in capsys.readouterr().out


def test_the_link_that_leaves_the_repository_is_never_opened(
    documents: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = write(tmp_path / "outside.plan.md", "FR-123 secret plan\n")
    log = documents / LOG_PATH
    log.write_text(log.read_text().replace("../plans/plan001.plan.md)", f"{secret})"))
    before = secret.stat().st_atime_ns
    code, lines = findings(capsys)
    assert code == 1
    assert "FR-123" not in "\n".join(lines)
    assert secret.stat().st_atime_ns == before
