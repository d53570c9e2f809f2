"""platform-log-freshness and platform-traceability on a repository with 50 platform-mode documents.

    python bench/workflow_bench.py [--documents 50] [--runs 9]

The documents have the size and shape of the only public platform-mode project with real artifacts
(analysis ~700 lines, design ~1,000, plan ~1,300, execution log ~800): bold header fields, `October 25,
2025` dates, numbered and emoji headings, requirement definitions with sub-IDs, stories with acceptance
criteria, tables, mermaid/yaml/bash fences, a Decision Log with DEC entries, combined sections.
Ten documents of each type; one execution log is open, the others COMPLETE and fully traced.

Each gate runs as a whole process, as pre-commit starts it (PRE_COMMIT=1, a staged code change), turn
about with `python -c pass` (A B A B ...). Printed: the median wall time of each, and the median of the
per-pair differences (the gate's own cost above interpreter start-up). Traceability is timed cold (its
cache of parsed documents removed before each run), warm (a commit that touched no document), and with
one log entry added before each run (the usual commit: the active log is parsed again, the rest is not).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GITHUB_", "PLATFORM_GATES"))},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}
KINDS = ("analysis", "design", "plans", "execution", "validation")
DATES = ("October 25, 2025", "2025-10-26", "October 27, 2025", "November 3, 2025")


def header(title: str, name: str, status: str, references: str = "") -> list[str]:
    lines = [
        f"# {title}",
        "",
        f"**Document ID**: {name}",
        f"**Created**: {DATES[len(name) % len(DATES)]}",
        "**Owner**: Platform Engineering Team",
        f"**Status**: {status}",
    ]
    if references:
        lines.append(f"**References**: {references}")
    return [*lines, "", "---", "", "## Executive Summary", "", _prose(3), "", "---", ""]


def _prose(sentences: int, topic: str = "the platform") -> str:
    text = (
        f"This section describes how {topic} is provisioned, validated and operated, with quality gates "
        "at each stage and evidence kept next to the code. "
    )
    return (text * sentences).strip()


def requirement_ids(number: int) -> list[str]:
    """The requirements analysis `number` defines (each with four sub-IDs)."""
    base = (number - 1) * 8
    return [f"FR-{base + i:03d}" for i in range(1, 9)] + [f"NFR-{base + i:03d}" for i in range(1, 5)]


def analysis(number: int) -> str:
    name = f"analysis{number:03d}.analysis.md"
    lines = header(f"Analysis Document {number:03d}: Requirements", name, "Requirements Analysis Complete")
    lines += ["## 1. Requirements Gathering", "", "### 1.1 Functional Requirements", ""]
    for identifier in requirement_ids(number):
        lines += [
            f"#### {identifier}: Capability {identifier}",
            "**Priority**: P0 (Must Have)",
            "**Source**: Platform Engineers, DevOps Engineers",
            f"**Description**: {_prose(1, identifier)}",
            "",
            "**Detailed Requirements**:",
            *(f"- **{identifier}.{k}**: {_prose(1, f'part {k}')}" for k in range(1, 5)),
            "",
            "**Acceptance Criteria**:",
            *(f"- [ ] Criterion {k} of {identifier} holds in every environment" for k in range(1, 6)),
            "",
            "**User Workflows**:",
            *(f"{k}. The engineer runs step {k} and checks its output" for k in range(1, 5)),
            "",
        ]
    lines += ["### 1.2 Business and Technical Requirements", "", "| ID | Requirement | Priority |"]
    lines += ["|----|-------------|----------|"]
    lines += [f"| BR-{(number - 1) * 6 + k:03d} | Business rule {k} | P1 |" for k in range(1, 7)]
    lines += [f"| TR-{(number - 1) * 6 + k:03d} | Technical rule {k} | P1 |" for k in range(1, 7)]
    lines += [f"| SR-{(number - 1) * 6 + k:03d} | Security rule {k} | P0 |" for k in range(1, 7)]
    lines += ["", "## 2. Constraint Analysis", ""]
    for k in range(1, 9):
        lines += [
            f"#### TC-{k:03d}: Constraint {k}",
            "**Type**: Infrastructure",
            "**Impact**: High",
            f"**Description**: {_prose(2, 'the constraint')}",
            "",
            "**Implications**:",
            *(f"- Implication {j} of constraint {k}" for j in range(1, 6)),
            "",
        ]
    lines += ["```python", "# Existing configuration", 'endpoint: str = os.getenv("ENDPOINT", "")']
    lines += ["# FR-999 in code is not a citation", "```", ""]
    lines += ["## 3. Stakeholder Requirements Validation", "", "### 3.1 User Acceptance Criteria", ""]
    for k in range(1, 9):
        lines += [f"#### Stakeholder Group {k}", "**Primary Requirements**:"]
        lines += [f"- ✅ Need {j} of group {k} is covered by the platform" for j in range(1, 6)]
        lines += [
            "",
            "**Success Metrics**:",
            f"- Deployment time: < {k + 5} minutes",
            "- Build success: > 95%",
            "",
        ]
    return "\n".join(lines) + "\n"


def design(number: int) -> str:
    name = f"design{number:03d}.design.md"
    reference = f"[analysis{number:03d}.analysis.md](../analysis/analysis{number:03d}.analysis.md)"
    lines = header(f"Design Document {number:03d}: Architecture", name, "Design Complete", reference)
    lines += ["## 1. Architecture Overview", "", "```mermaid", "graph TD"]
    lines += [f"    A{k}[Component {k}] --> B{k}[Service {k}]" for k in range(1, 30)]
    lines += ["```", "", "## 2. Architecture Decision Records", ""]
    for k, identifier in enumerate(requirement_ids(number), start=1):
        adr = f"ADR-{(number - 1) * 8 + k:03d}"
        lines += [
            f"### {adr}: Decision for {identifier}",
            "",
            f"**Status**: Accepted · **Date**: {DATES[k % len(DATES)]}",
            "",
            "#### Context",
            _prose(3, identifier),
            "",
            "#### Options Considered",
            *(f"{j}. Option {j}: {_prose(1, f'option {j}')}" for j in range(1, 4)),
            "",
            "#### Decision",
            f"Option 2, which satisfies {identifier} and {identifier}.2.",
            "",
            "#### Consequences",
            *(f"- Consequence {j}: {_prose(1)}" for j in range(1, 6)),
            "",
            "```yaml",
            *(f"setting_{j}: value-{j}" for j in range(1, 12)),
            "```",
            "",
        ]
    lines += ["## 3. Component Specifications", ""]
    for k in range(1, 13):
        lines += [f"### 3.{k} Component {k}", "", "| Property | Value | Notes |", "|---|---|---|"]
        lines += [f"| property {j} | value {j} | {_prose(1)} |" for j in range(1, 9)]
        lines += ["", _prose(4, f"component {k}"), ""]
    return "\n".join(lines) + "\n"


def plan(number: int) -> str:
    name = f"plan{number:03d}.plan.md"
    reference = f"[design{number:03d}.design.md](../design/design{number:03d}.design.md)"
    lines = header(f"Plan {number:03d}: Sprint Plan", name, "Sprint Planning Complete", reference)
    lines += ["## 1. Product Backlog", ""]
    ids = requirement_ids(number)
    for sprint in range(1, 5):
        lines += [f"### 3.{sprint} Sprint {sprint}: Delivery (Weeks {2 * sprint - 1}-{2 * sprint})", ""]
        lines += ["#### Sprint Goal", f'"{_prose(1, "the sprint")}"', ""]
        for story in range(1, 9):
            identifier = ids[(sprint * 8 + story) % len(ids)]
            lines += [
                f"**Story {sprint}.{story}: Story title {sprint}.{story}** ({story % 5 + 3} points)",
                "- **As a** Platform Engineer",
                "- **I want** a capability that works",
                "- **So that** the team can ship safely",
                f"- **Requirements**: {identifier}, {identifier}.1",
                "",
                "**Acceptance Criteria**:",
                *(f"- [ ] Criterion {k} of story {sprint}.{story} is met" for k in range(1, 6)),
                "",
                "**Technical Tasks**:",
                *(f"- Task {k}: {_prose(1, 'the task')}" for k in range(1, 6)),
                "",
                "---",
                "",
            ]
        lines += [f"#### Sprint {sprint} Capacity Allocation", "| Story | Points | Owner | Dependencies |"]
        lines += ["|-------|--------|-------|--------------|"]
        lines += [
            f"| {sprint}.{k} Story | {k + 2} | Engineer | Story {sprint}.{k - 1} |" for k in range(1, 9)
        ]
        lines += [""]
    lines += ["## 4. Quality Integration and Testing Strategy", "", "```mermaid", "graph TD"]
    lines += [f"    T{k}[Test level {k}] --> T{k + 1}[Test level {k + 1}]" for k in range(1, 25)]
    lines += ["```", "", "## 5. Risk Mitigation Plan", "", "| Risk ID | Description | Probability | Impact |"]
    lines += [
        "|---|---|---|---|",
        *(f"| **R{k:03d}** | Risk {k}: {_prose(1)} | MEDIUM | HIGH |" for k in range(1, 40)),
    ]
    lines += ["", "## 6. Success Metrics", ""]
    for k in range(1, 21):
        lines += [f"### 6.{k} Metric {k}", f"- **Target**: {k * 5} units", "- **Measurement**: dashboard", ""]
    return "\n".join(lines) + "\n"


def execution(number: int, status: str) -> str:
    name = f"execution{number:03d}.execution.md"
    reference = f"[plan{number:03d}.plan.md](../plans/plan{number:03d}.plan.md)"
    lines = header(f"Execution Log {number:03d}: Sprint {number:03d}", name, status, reference)
    mark = "x" if status == "COMPLETE" else " "
    lines += ["## 1. Implementation Preparation", "", "### 1.1 Pre-Implementation Checklist", ""]
    lines += ["#### ✅ Requirements Review", "**Completed**: October 25, 2025", ""]
    lines += [f"- [x] **Check {k}**: {_prose(1, 'the check')}" for k in range(1, 8)]
    lines += ["", "**Decision Log Template**:", "```markdown", "## Decision DEC-001: [Decision Title]"]
    lines += ["**Context**: [Why]", "```", ""]
    lines += ["## 2. Quality-Driven Implementation", "", "### 2.1 Automated Quality Framework", "", "```yaml"]
    lines += [
        "name: validation",
        "on: [push]",
        "jobs:",
        "  validate:",
        "    runs-on: ubuntu-latest",
        "    steps:",
    ]
    lines += [f"      - name: Step {k}" for k in range(1, 20)]
    lines += ["```", "", "**Security Quality Gates**:"]
    lines += [f"- [{mark}] Security gate {k} holds" for k in range(1, 12)]
    lines += ["", "| Story | Planned | Completed | Blockers |", "|---|---|---|---|"]
    lines += [f"| Story{k:03d} | {k % 5 + 3} | 0 | None |" for k in range(1, 17)]
    lines += ["", "## 3. 🔄 Implementation Execution Log", "", "### 3.1 Sprint Progress", ""]
    for day in range(1, 6):
        lines += [f"#### {DATES[day % len(DATES)]} - Day {day}", ""]
        lines += [f"- ✅ **Activity {k}**: {_prose(1, 'the activity')}" for k in range(1, 7)]
        lines += [""]
    lines += ["### 3.2 Story Implementation Tracking", ""]
    ids = requirement_ids(number)
    for story in range(1, 17):
        identifier = ids[story % len(ids)]
        lines += [
            f"#### Story {story:03d}: Story title {story} ({identifier})",
            f"**Status**: {'COMPLETE' if mark == 'x' else 'IN PROGRESS'}",
            "**Assigned**: Senior Platform Engineer",
            f"**Story Points**: {story % 5 + 3}",
            "",
            "**Acceptance Criteria Progress**:",
            *(f"- [{mark}] Criterion {k} of story {story}" for k in range(1, 6)),
            "",
            "**Implementation Notes**:",
            *(f"- **Note {k}**: {_prose(1, 'the story')}" for k in range(1, 4)),
            "",
            "---",
            "",
        ]
    lines += ["## 4. ✅ Quality Report", "", "| Metric | Threshold | Tool | Result |", "|---|---|---|---|"]
    lines += [f"| metric {k} | ≥ {k * 10} | tool {k} | pass |" for k in range(1, 9)]
    lines += ["", "```bash", "#!/bin/bash", *(f'echo "check {k}"' for k in range(1, 15)), "```", ""]
    lines += ["## 5. Validation Report", "", "| Requirement | Evidence | Result |", "|---|---|---|"]
    plan_ids = sorted(set(ids) | {f"{i}.1" for i in ids})
    lines += [f"| {identifier} | tests/test_{k}.py | ✅ verified |" for k, identifier in enumerate(plan_ids)]
    lines += ["", "## 6. Decision Log and Lessons Learned", "", "### 6.1 Implementation Decisions", ""]
    for k in range(1, 6):
        lines += [
            f"#### Decision DEC-{k:03d}: Decision {k}",
            f"**Date**: {DATES[k % len(DATES)]}",
            f"**Context**: {_prose(1, 'the decision')}",
            "**Alternatives Considered**:",
            *(f"{j}. Alternative {j}" for j in range(1, 4)),
            f"**Decision**: Alternative 2 (see ADR-{(number - 1) * 8 + 1:03d})",
            f"**Rationale**: {_prose(1)}",
            "**Consequences**: faster delivery",
            "",
        ]
    lines += ["### 6.3 Lessons Learned (Continuous Update)", ""]
    lines += [f"- **Lesson {k}**: {_prose(1, 'the lesson')}" for k in range(1, 10)]
    lines += ["", "## 7. 📦 Deployment Package", "", _prose(4, "the release"), ""]
    lines += ["## 8. Continuous Improvement and Optimization", ""]
    for k in range(1, 11):
        lines += [f"#### Improvement {k}", f"**Trade-off**: {_prose(1)}", "**Impact**: lower cost", ""]
        lines += [f"- Step {j} of improvement {k}" for j in range(1, 5)]
        lines += [""]
    lines += [f"**Next Update**: {DATES[number % len(DATES)]}", ""]
    return "\n".join(lines) + "\n"


def validation(number: int) -> str:
    name = f"validation{number:03d}.validation.md"
    reference = f"[execution{number:03d}.execution.md](../execution/execution{number:03d}.execution.md)"
    lines = header(f"Validation {number:03d}", name, "VALIDATED", reference)
    lines += ["## 1. Requirements Traceability", "", "| Requirement | Evidence | Verdict |", "|---|---|---|"]
    for identifier in requirement_ids(number):
        lines += [f"| {identifier}.{k} | tests/test_{k}.py | ✅ pass |" for k in range(1, 5)]
    for section in range(2, 12):
        lines += ["", f"## {section}. Validation Area {section}", "", _prose(3, f"area {section}"), ""]
        lines += [f"- [x] Check {k} of area {section} passed with evidence" for k in range(1, 16)]
    return "\n".join(lines) + "\n"


def build(root: Path, documents: int) -> None:
    """A committed repository with `documents` platform-mode documents and a staged code change."""
    base = root / ".platform-mode"
    per_kind = max(documents // len(KINDS), 1)
    writers: dict[str, Callable[[int], str]] = {
        "analysis": analysis,
        "design": design,
        "plans": plan,
        "validation": validation,
    }
    for folder in KINDS:
        (base / folder).mkdir(parents=True, exist_ok=True)
    for number in range(1, per_kind + 1):
        for folder, write in writers.items():
            stem = "plan" if folder == "plans" else folder
            (base / folder / f"{stem}{number:03d}.{stem}.md").write_text(write(number), encoding="utf-8")
        status = "IN PROGRESS" if number == per_kind else "COMPLETE"
        log = base / "execution" / f"execution{number:03d}.execution.md"
        log.write_text(execution(number, status), encoding="utf-8")
    (root / "app.py").write_text("print('hi')\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "documents", "--no-gpg-sign")
    (root / "app.py").write_text("print('hello')\n")
    git(root, "add", "app.py")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=ENV, check=True)


def run_once(command: list[str], cwd: Path, env: dict[str, str], before: Callable[[], None]) -> float:
    before()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} could not judge:\n{result.stdout.decode()}")
    return elapsed


def compare(label: str, command: list[str], root: Path, runs: int, before: Callable[[], None]) -> str:
    """The gate and `python -c pass`, turn about; medians and the median per-pair difference."""
    env = {**ENV, "PRE_COMMIT": "1"}
    floor = [sys.executable, "-c", "pass"]
    run_once(command, root, env, before)  # warm the page cache, untimed
    pairs = [
        (run_once(command, root, env, before), run_once(floor, root, env, lambda: None)) for _ in range(runs)
    ]
    gate_ms = statistics.median(a for a, _ in pairs) * 1000
    floor_ms = statistics.median(b for _, b in pairs) * 1000
    above_ms = statistics.median(a - b for a, b in pairs) * 1000
    return f"| {label} | {gate_ms:.0f} ms | {floor_ms:.0f} ms | {above_ms:+.0f} ms |"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.documents)
        texts = [path.read_bytes() for path in sorted((root / ".platform-mode").rglob("*.md"))]
        lines = sum(text.count(b"\n") for text in texts)
        size_kib = sum(len(text) for text in texts) / 1024
        print(f"{len(texts)} documents, {lines:,} lines, {size_kib:,.0f} KiB; median of {args.runs} runs\n")
        print("| gate (whole process) | median | python -c pass | gate minus python |")
        print("| --- | --- | --- | --- |")
        cache = root / ".platform-gates" / "state" / "outlines.json"
        print(
            compare(
                "platform-log-freshness", [str(BIN / "platform-log-freshness")], root, args.runs, lambda: None
            )
        )
        cold = lambda: cache.unlink(missing_ok=True)  # noqa: E731
        traceability = [str(BIN / "platform-traceability")]
        print(compare("platform-traceability, cold", traceability, root, args.runs, cold))
        print(compare("platform-traceability, warm", traceability, root, args.runs, lambda: None))
        active = sorted((root / ".platform-mode" / "execution").iterdir())[-1]
        entry = lambda: active.write_text(active.read_text() + "\n- ✅ another entry\n")  # noqa: E731
        print(compare("platform-traceability, a log entry added", traceability, root, args.runs, entry))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
