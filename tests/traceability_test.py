from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hooks.frame.documents import scan_documents
from hooks.traceability import Level, check_traceability, main
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
**Acceptance Criteria**:
- [x] A bookmark can be saved

## 4. Quality Report

## 5. Validation Report

- FR-001: tests/test_store.py

## 6. Decision Log and Lessons Learned

#### Decision DEC-001: In memory

## 7. Deployment Package
"""

# The shape of the only public execution log (tjsullivan1/bookmarks), in our own words: bold header fields
# with a second link, prose dates, an executive summary between rules, numbered `##`/`###` headings,
# emoji `####` headings, story blocks with acceptance criteria, a decision template and a status table
# inside fences, mermaid, DEC entries under a combined "Decision Log and Lessons Learned", and no
# separate Quality Report, Validation Report or Deployment Package heading.
REAL_WORLD_LOG = """\
# Execution Log 001: Sprint 001 Infrastructure Foundation Implementation

**Document ID**: execution001.execution.md
**Created**: October 25, 2025
**Implementation Lead**: Senior Platform Engineering Team
**Sprint**: Sprint 001 - Infrastructure Foundation
**Status**: INITIATED
**References**: [plan001.plan.md](../plans/plan001.plan.md), [sprint-plan.md](../sprints/sprint001/sprint-plan.md)

---

## Executive Summary

This log tracks Sprint 001 (FR-001), step by step.

---

## 1. Implementation Preparation

### 1.1 Pre-Implementation Checklist

#### ✅ Requirements Review
**Completed**: October 25, 2025
**Status**: VERIFIED

- [x] **Sprint Plan Reviewed**: 54 story points across 8 stories
- [ ] **Technical Specifications**: reviewed for each story

#### 🔄 Environment Setup
**Status**: IN PROGRESS

```mermaid
graph TD
    A[Resource Group] --> B[App Service Plan]
```

#### Decision Logging
**Decision Log Template**:
```markdown
## Decision DEC-001: [Decision Title]
**Date**: [Date]
## Validation Report
```

---

## 3. Implementation Execution Log

### 3.1 Sprint 001 Implementation Progress

#### October 25, 2025 - Sprint Start

- ✅ **Sprint Goal Confirmed**: infrastructure automation (see DEC-002)

#### Story 001: Terraform Module Structure Setup
**Status**: READY TO START
**Story Points**: 5

**Acceptance Criteria Progress**:
- [ ] Module structure created
- [x] Naming convention defined

---

## 4. Quality Assurance and Validation

| Quality Gate | Status |
|--------------|--------|
| Terraform Validation | ✅ READY |

## 5. Implementation Validation and Verification

- [ ] **Web Apps to Key Vault**: secret retrieval testing

---

## 6. Decision Log and Lessons Learned

### 6.1 Implementation Decisions

#### Decision DEC-001: Terraform Module Structure
**Date**: October 25, 2025
**Context**: one module per environment or one for all
**Decision**: one module with environment variables

#### Decision DEC-002: Azure Resource Naming Convention
**Date**: October 25, 2025

### 6.3 Lessons Learned (Continuous Update)

- **Dependency Management**: find blockers before the sprint starts

---

## 7. Implementation Status and Next Steps

**Next Update**: October 26, 2025
"""

LOG_PATH = ".platform-mode/execution/execution001.execution.md"


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


def edit_log(repo: Path, old: str, new: str) -> None:
    log = repo / LOG_PATH
    assert old in log.read_text()
    log.write_text(log.read_text().replace(old, new, 1))


def test_a_consistent_set_of_documents_passes(documents: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = findings(capsys)
    assert (code, lines) == (0, [])


def test_the_new_log_template_passes_with_only_a_note_that_it_cites_nothing_yet(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    write(repo / ".platform-mode/design/design001.design.md", DESIGN)
    write(repo / ".platform-mode/plans/plan001.plan.md", PLAN)
    assert run_cli(repo, "new-log").returncode == 0
    code, lines = findings(capsys, "--strict")
    assert code == 0, lines
    assert lines == [
        f"{LOG_PATH}:1: INFO cites no requirement ID (FR-/NFR-/BR-/TR-/SR-): traceability stops at the plan"
    ]


def real_world(repo: Path, log: str = REAL_WORLD_LOG) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    write(repo / ".platform-mode/design/design001.design.md", DESIGN)
    write(repo / ".platform-mode/sprints/sprint001/sprint-plan.md", "# Sprint 001\n")
    add_platform_mode(repo, log=log)


def test_a_real_world_log_in_progress_passes_and_warns_about_the_sections_it_lacks(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_world(repo)  # "4. Quality Assurance and Validation", "5. Implementation Validation and Verification"
    code, lines = findings(capsys)
    assert code == 0
    assert lines == [
        f"{LOG_PATH}:1: WARN no Deployment Package section (a heading with the words 'Deployment Package')",
    ]
    assert findings(capsys, "--strict")[0] == 1


def test_section_aliases_from_config_make_real_world_headings_count(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_world(
        repo, REAL_WORLD_LOG.replace("## 7. Implementation Status", "## 7. Deployment Package and Status")
    )
    write(
        repo / ".platform-gates.toml",
        '[section-aliases]\n"Quality Report" = ["Quality Assurance"]\n'
        '"Validation Report" = ["Implementation Validation"]\n',
    )
    assert findings(capsys, "--strict") == (0, [])


def test_a_real_world_log_marked_complete_fails_on_its_acceptance_criteria_and_counts_other_checklists(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_world(repo, REAL_WORLD_LOG.replace("**Status**: INITIATED", "**Status**: COMPLETED"))
    code, lines = findings(capsys)
    assert code == 1
    unchecked = [line for line in lines if "unchecked" in line]
    assert unchecked == [  # only the story's "Acceptance Criteria Progress" list holds acceptance criteria
        f"{LOG_PATH}:27: WARN 2 unchecked checklist items outside acceptance criteria in a COMPLETED log "
        "(first at line 27)",
        f"{LOG_PATH}:60: ERROR unchecked acceptance criterion in a COMPLETED log",
    ]
    assert (
        f"{LOG_PATH}:1: ERROR no Deployment Package section (a heading with the words 'Deployment Package')"
        in lines
    )
    assert not [line for line in lines if "no Quality Report" in line or "no Validation Report" in line]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("- [x] A bookmark", "- [ ] A bookmark"),
            f"{LOG_PATH}:12: ERROR unchecked acceptance criterion in a COMPLETE log",
        ),
        (
            ("- [x] A bookmark can be saved", "- [ ]"),
            f"{LOG_PATH}:12: ERROR unchecked acceptance criterion in a COMPLETE log",
        ),
        (
            ("- FR-001: tests", "- see tests"),
            f"{LOG_PATH}:16: ERROR Validation Report does not cite FR-001, which its plan cites",
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
            f"{LOG_PATH}:10: ERROR decision DEC-002 is not defined in this log's Decision Log "
            "(a heading such as '#### Decision DEC-002: title' inside it)",
        ),
        (
            (
                "#### Decision DEC-001: In memory",
                "#### Decision DEC-001: In memory\n#### Decision DEC-001: Again",
            ),
            f"{LOG_PATH}:23: ERROR decision DEC-001 is defined twice (first at line 22)",
        ),
        (
            ("## 6. Decision Log and Lessons Learned\n\n#### Decision DEC-001: In memory\n", ""),
            f"{LOG_PATH}:10: ERROR decision DEC-001 is not defined in this log's Decision Log "
            "(a heading such as '#### Decision DEC-001: title' inside it)",
        ),
        (
            ("execution001.execution.md\n", "execution002.execution.md\n"),
            f"{LOG_PATH}:3: ERROR Document ID 'execution002.execution.md' does not match the file name 'execution001.execution.md'",
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
            ("../plans/plan001.plan.md)", "plan001.plan.md)"),
            f"{LOG_PATH}:6: ERROR reference plan001.plan.md does not exist; links are relative to the "
            "document: did you mean ../plans/plan001.plan.md?",
        ),
        (
            ("../plans/plan001.plan.md)", "../analysis/analysis001.analysis.md)"),
            f"{LOG_PATH}:6: ERROR References name no existing plan in .platform-mode/plans/",
        ),
        (
            ("**References**: [plan001.plan.md](../plans/plan001.plan.md)\n", ""),
            f"{LOG_PATH}:1: ERROR header has no **References** to the plan it executes",
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
    edit_log(documents, *edit)
    code, lines = findings(capsys)
    assert code == 1
    assert expected in lines


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("✅ COMPLETE", "DONE"),
            f"{LOG_PATH}:5: WARN Status 'DONE' is not a known status word (open: INITIATED, IN PROGRESS, "
            "BLOCKED, READY TO START, WAITING, PENDING; terminal: COMPLETE, COMPLETED, CLOSED, SUPERSEDED, "
            "ABANDONED); read as open",
        ),
        (("**Status**: ✅ COMPLETE\n", ""), f"{LOG_PATH}:1: WARN header has no **Status** field"),
        (
            ("October 25, 2025", "last Tuesday"),
            f"{LOG_PATH}:4: WARN Created 'last Tuesday' is not a date (2025-10-25 or October 25, 2025)",
        ),
        (
            ("**Document ID**: execution001.execution.md\n", ""),
            f"{LOG_PATH}:1: WARN header has no **Document ID** field",
        ),
    ],
)
def test_header_problems_are_warnings(
    documents: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], expected: str
) -> None:
    edit_log(documents, *edit)
    assert findings(capsys) == (0, [expected])
    assert findings(capsys, "--strict")[0] == 1


def test_an_open_log_only_warns_about_missing_sections_and_strict_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo / ".platform-mode/analysis/analysis001.analysis.md", ANALYSIS)
    write(repo / ".platform-mode/design/design001.design.md", DESIGN)
    add_platform_mode(repo, log=LOG.replace("## 6. Decision Log and Lessons Learned\n", ""))
    code, lines = findings(capsys)
    assert code == 0
    assert f"{LOG_PATH}:1: WARN no Decision Log section (a heading with the words 'Decision Log')" in lines
    assert findings(capsys, "--strict")[0] == 1


def test_strict_from_config(documents: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(documents / ".platform-gates.toml", "[traceability]\nstrict = true\n")
    edit_log(documents, "**Document ID**: execution001.execution.md\n", "")
    assert main([]) == 1
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith("platform-traceability: FAIL - 4 documents, WARN x1 (strict)")


def test_two_open_logs_warn_on_the_one_that_is_not_active(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_log(documents, "✅ COMPLETE", "IN PROGRESS")
    second = COMPLETE_LOG.replace("execution001", "execution002").replace("✅ COMPLETE", "INITIATED")
    write(documents / ".platform-mode/execution/execution002.execution.md", second)
    code, lines = findings(capsys)
    assert code == 0
    assert lines == [
        f"{LOG_PATH}:5: WARN another execution log is open too, the higher-numbered "
        ".platform-mode/execution/execution002.execution.md: close this one (COMPLETE, SUPERSEDED or ABANDONED)"
    ]


def test_ids_inside_code_and_html_comments_are_not_citations(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = documents / LOG_PATH
    extra = "\n```\nFR-999 DEC-999 ADR-999\n- [ ] not a criterion\n```\n\n    FR-998 indented code\n"
    log.write_text(log.read_text() + extra + "\n<!-- FR-997 template\n- [ ] not one either -->\n")
    assert findings(capsys) == (0, [])


@pytest.mark.parametrize(
    ("definition", "citation"),
    [
        ("#### FR-003: Export", "FR-003"),
        ("### Functional Requirement FR-003: Export", "FR-003"),
        ("- **FR-003.1**: Export as HTML", "FR-003"),  # a sub-ID defines its parent
        ("- **FR-003**: Export", "FR-003.2"),  # a parent defines its sub-IDs
        ("| SR-003 | Secrets in a vault |", "SR-003"),
        ("`TR-003` Python 3.10", "TR-003"),
    ],
)
def test_where_an_id_is_defined(
    documents: Path, capsys: pytest.CaptureFixture[str], definition: str, citation: str
) -> None:
    analysis = documents / ".platform-mode/analysis/analysis001.analysis.md"
    analysis.write_text(analysis.read_text() + definition + "\n")
    edit_log(documents, "(FR-001)", f"(FR-001, {citation})")
    assert findings(capsys) == (0, [])


@pytest.mark.parametrize(
    "mention",
    ["Story 1.1: implements FR-003", "```\n#### FR-003: in code\n```", "We considered FR-003 later."],
)
def test_a_mere_mention_defines_nothing(
    documents: Path, capsys: pytest.CaptureFixture[str], mention: str
) -> None:
    analysis = documents / ".platform-mode/analysis/analysis001.analysis.md"
    analysis.write_text(analysis.read_text() + mention + "\n")
    edit_log(documents, "(FR-001)", "(FR-001, FR-003)")
    code, lines = findings(capsys)
    assert code == 1
    assert any("requirement FR-003 is not defined" in line for line in lines)


def test_adr_ids_count_only_when_a_design_document_defines_them(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    analysis = documents / ".platform-mode/analysis/analysis001.analysis.md"
    analysis.write_text(analysis.read_text() + "### ADR-002: not a design document\n")
    edit_log(documents, "ADR-001 and", "ADR-002 and")
    code, lines = findings(capsys)
    assert code == 1
    assert f"{LOG_PATH}:10: ERROR design decision ADR-002 is not defined in any design document" in lines


def test_a_validation_report_citing_the_parent_covers_the_plans_sub_ids(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = documents / ".platform-mode/plans/plan001.plan.md"
    plan.write_text(plan.read_text().replace("implements FR-001.", "implements FR-001.1 and NFR-005.2."))
    code, lines = findings(capsys)
    assert code == 1
    assert lines == [f"{LOG_PATH}:16: ERROR Validation Report does not cite NFR-005.2, which its plan cites"]
    edit_log(documents, "- FR-001: tests", "- FR-001, NFR-005.2: tests")
    assert findings(capsys) == (0, [])


def test_front_matter_logs_need_no_document_id_and_may_name_the_plan(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = COMPLETE_LOG.split("\n\n", 2)[2]
    front = "---\nstatus: COMPLETE\ncreated: 2025-10-25\nplan: ../plans/plan001.plan.md\n---\n\n# Log\n\n"
    (documents / LOG_PATH).write_text(front + body)
    assert findings(capsys) == (0, [])


def test_other_documents_references_are_checked_too(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = documents / ".platform-mode/plans/plan001.plan.md"
    plan.write_text(
        plan.read_text().replace("../design/design001.design.md)", "../design/design009.design.md)")
    )
    write(
        documents / ".platform-mode/validation/validation001.validation.md",
        "# V\n\n**Document ID**: validation001.validation.md\n**Status**: PASSED\n"
        "**References**: [log](../../../elsewhere/log.md), [gone](/docs/gone.md)\n",
    )
    code, lines = findings(capsys)
    assert code == 1
    validation = ".platform-mode/validation/validation001.validation.md"
    assert lines == [
        ".platform-mode/plans/plan001.plan.md:6: WARN reference ../design/design009.design.md does not exist",
        f"{validation}:5: ERROR reference ../../../elsewhere/log.md leaves the repository",
        f"{validation}:5: WARN reference /docs/gone.md does not exist",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "execution1.execution.md",
            "ERROR file name does not follow <type>###.<type>.md; did you mean execution001.execution.md?",
        ),
        (
            "Execution002.md",
            "ERROR file name does not follow <type>###.<type>.md; did you mean execution002.execution.md?",
        ),
        (
            "execution0001.execution.md",
            "ERROR duplicate number 1: .platform-mode/execution/execution0001.execution.md",
        ),
        ("execution004.execution.md", "WARN execution numbering has gaps: 002, 003"),
    ],
)
def test_names_and_numbers(
    documents: Path, capsys: pytest.CaptureFixture[str], name: str, expected: str
) -> None:
    write(documents / ".platform-mode/execution" / name, COMPLETE_LOG.replace("execution001", name[:12]))
    _, lines = findings(capsys)
    assert any(expected in line for line in lines), lines


def test_without_platform_mode_the_gate_is_skipped_in_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert out[0].startswith("platform-traceability: SKIPPED - no .platform-mode/ directory: this repository")


def test_the_link_that_leaves_the_repository_is_never_opened(
    documents: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = write(tmp_path / "outside.plan.md", "FR-123 secret plan\n")
    link = os.path.relpath(secret, documents / ".platform-mode/execution")
    assert link.startswith("../../../")
    edit_log(documents, "../plans/plan001.plan.md)", f"{link})")
    before = secret.stat().st_atime_ns
    code, lines = findings(capsys)
    assert code == 1
    assert f"{LOG_PATH}:6: ERROR reference {link} leaves the repository" in lines
    assert "FR-123" not in "\n".join(lines)
    assert secret.stat().st_atime_ns == before


def test_bad_config_is_exit_2_in_one_line(documents: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(documents / ".platform-gates.toml", "[traceability]\nstrict = 'yes'\n")
    assert main([]) == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert "traceability.strict must be true or false" in out[0]


def test_findings_are_plain_data(documents: Path) -> None:
    edit_log(documents, "(FR-001)", "(FR-009)")
    found = check_traceability(documents, scan_documents(documents), {})
    assert [(f.path, f.line, f.level, f.message.split(" is ")[0]) for f in found] == [
        (LOG_PATH, 10, Level.ERROR, "requirement FR-009")
    ]


def test_a_second_run_reads_outlines_from_the_cache_and_agrees(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_log(documents, "- [x] A bookmark", "- [ ] A bookmark")
    first = findings(capsys)
    cache = documents / ".platform-gates/state/outlines.json"
    assert cache.is_file()
    assert findings(capsys) == first
    edit_log(documents, "- [ ] A bookmark", "- [x] A bookmark")
    assert findings(capsys) == (0, [])  # the edited log is parsed anew


def test_a_passing_run_keeps_its_first_warning_in_the_record(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_world(repo)
    assert main([]) == 0
    capsys.readouterr()
    latest = json.loads(run_cli(repo, "status", "--json").stdout)["latest"]["platform-traceability"]
    assert latest["status"] == "pass"
    assert latest["summary"].endswith(
        f"first WARN: {LOG_PATH}:1 no Deployment Package section (a heading with the words 'Deployment Package')"
    )
