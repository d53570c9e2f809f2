"""platform-traceability: the platform-mode documents agree with each other.

Names and numbers, header blocks, the plan an execution log executes, its required sections, and the
chain from requirement IDs (defined in analysis, design or plan documents) through the log's decisions
to its Validation Report. Findings are INFO, WARN or ERROR; `--strict` makes warnings fail.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from hooks.lib import gate
from hooks.lib.documents import (
    PLATFORM_DIR,
    Document,
    DocumentSet,
    inside_repo,
    references,
    scan_documents,
)
from hooks.lib.errors import GateError
from hooks.lib.files import read_text
from hooks.lib.markdown import (
    REQUIRED_SECTIONS,
    Header,
    Outline,
    find_section,
    is_terminal_status,
    parse_header,
    parse_outline,
    status_word,
)
from hooks.lib.output import counts_text, print_finding
from hooks.lib.record import Status, fingerprint

GATE = "platform-traceability"
REQUIREMENT = re.compile(r"\b(?:FR|NFR|BR|TR|SR)-\d{3,}(?:\.\d+)*\b")
ADR = re.compile(r"\bADR-\d{3,}\b")
DEC = re.compile(r"\bDEC-\d{3,}\b")
# An ID is defined where it opens a heading, a list item, a table row or a bold label; elsewhere it is cited.
_DEFINITION = re.compile(
    r"^\s*(?:#{1,6}\s+(?:\S+\s+)?|[-*+]\s+|\d+[.)]\s+|\|\s*)?(?:\*\*)?(?P<id>[A-Z]+-\d[\d.]*)"
)
_UNCHECKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[ \]\s")
REQUIREMENT_SOURCES = ("analysis", "design", "plan")


class Level(enum.IntEnum):
    INFO = 0
    WARN = 1
    ERROR = 2


@dataclasses.dataclass(frozen=True)
class Finding:
    path: str
    line: int
    level: Level
    message: str


@dataclasses.dataclass(frozen=True)
class TraceabilitySettings:
    strict: bool = False


@dataclasses.dataclass(frozen=True)
class Parsed:
    document: Document
    header: Header
    outline: Outline

    def lines(self) -> Iterator[tuple[int, str]]:
        """(1-based number, text) of every line outside fenced or indented code."""
        for index, line in enumerate(self.outline.lines):
            if index not in self.outline.code_lines:
                yield index + 1, line.rstrip("\r\n")


def check_traceability(root: Path, documents: DocumentSet, aliases: dict[str, list[str]]) -> list[Finding]:
    """Every finding on the platform-mode `documents` of the repository at `root`."""
    findings = list(_naming(documents))
    parsed: list[Parsed] = []
    for document in documents.documents:
        try:
            inside_repo(root, document.path)
            text = read_text(document.path, document.rel)
            parsed.append(Parsed(document, parse_header(text, document.rel), parse_outline(text)))
        except GateError as exc:
            findings.append(Finding(document.rel, 1, Level.ERROR, str(exc).removeprefix(f"{document.rel}: ")))
    defined_requirements = _definitions(parsed, REQUIREMENT, REQUIREMENT_SOURCES)
    defined_adrs = _definitions(parsed, ADR, ("design",))
    for doc in parsed:
        findings += _header(doc)
        findings += _undefined(
            doc, REQUIREMENT, defined_requirements, "requirement", "analysis, design or plan"
        )
        findings += _undefined(doc, ADR, defined_adrs, "design decision", "design")
        if doc.document.kind == "execution":
            findings += _execution_log(root, doc, parsed, aliases)
    return sorted(findings, key=lambda f: (f.path, f.line, -f.level))


def _naming(documents: DocumentSet) -> Iterator[Finding]:
    for misnamed in documents.misnamed:
        hint = f"; did you mean {misnamed.suggestion}?" if misnamed.suggestion else ""
        yield Finding(misnamed.rel, 1, Level.ERROR, f"file name does not follow <type>###.<type>.md{hint}")
    for group in documents.duplicates():
        for document in group[1:]:
            yield Finding(document.rel, 1, Level.ERROR, f"duplicate number {document.number}: {group[0].rel}")
    for kind in sorted({d.kind for d in documents.documents}):
        numbers = sorted({d.number for d in documents.of_kind(kind)})
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
        if missing:
            first = documents.of_kind(kind)[-1]
            yield Finding(first.rel, 1, Level.WARN, f"{kind} numbering has gaps: {_numbers(missing)}")


def _numbers(values: Sequence[int]) -> str:
    shown = ", ".join(f"{value:03d}" for value in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def _header(doc: Parsed) -> Iterator[Finding]:
    rel, header = doc.document.rel, doc.header
    document_id = header.fields.get("document id")
    if document_id is None:
        yield Finding(rel, 1, Level.WARN, "header has no **Document ID** field")
    elif document_id.value.strip().strip("`") != doc.document.path.name:
        yield Finding(
            rel,
            document_id.line,
            Level.ERROR,
            f"Document ID {document_id.value.strip()!r} does not match the file name",
        )
    if not status_word(header.get("status")):
        yield Finding(rel, 1, Level.WARN, "header has no **Status** field")


def _definitions(parsed: Iterable[Parsed], pattern: re.Pattern[str], kinds: Sequence[str]) -> set[str]:
    defined: set[str] = set()
    for doc in parsed:
        if doc.document.kind in kinds:
            for _, line in doc.lines():
                match = _DEFINITION.match(line)
                if match and pattern.fullmatch(match["id"]):
                    defined.add(match["id"])
    return defined


def _citations(doc: Parsed, pattern: re.Pattern[str]) -> dict[str, int]:
    """Each ID the document mentions, with the line of its first mention."""
    first: dict[str, int] = {}
    for number, line in doc.lines():
        for match in pattern.finditer(line):
            first.setdefault(match[0], number)
    return first


def _undefined(
    doc: Parsed, pattern: re.Pattern[str], defined: set[str], what: str, where: str
) -> Iterator[Finding]:
    for identifier, line in _citations(doc, pattern).items():
        if identifier not in defined and identifier.split(".")[0] not in defined:
            yield Finding(
                doc.document.rel,
                line,
                Level.ERROR,
                f"{what} {identifier} is not defined in any {where} document",
            )


def _execution_log(
    root: Path, doc: Parsed, parsed: Sequence[Parsed], aliases: dict[str, list[str]]
) -> Iterator[Finding]:
    rel = doc.document.rel
    terminal = is_terminal_status(doc.header.get("status"))
    yield from _plan_reference(root, doc)
    for section in REQUIRED_SECTIONS:
        if find_section(doc.outline, section, aliases.get(section, ())) is None:
            level = Level.ERROR if terminal else Level.WARN
            yield Finding(rel, 1, level, f"no {section} section (a heading with the words '{section}')")
    yield from _decisions(doc, aliases)
    if terminal:
        yield from _terminal(root, doc, parsed, aliases)


def _plan_reference(root: Path, doc: Parsed) -> Iterator[Finding]:
    rel = doc.document.rel
    found = references(root, doc.document.path, doc.header)
    if not found:
        yield Finding(rel, 1, Level.ERROR, "header has no **References** to the plan it executes")
        return
    plans = 0
    for reference in found:
        if reference.path is None:
            if "://" not in reference.target:
                yield Finding(
                    rel, reference.line, Level.ERROR, f"reference {reference.target} leaves the repository"
                )
            continue
        if not reference.path.exists():
            yield Finding(rel, reference.line, Level.ERROR, f"reference {reference.target} does not exist")
        elif reference.path.parent.name == "plans" and reference.path.parent.parent.name == PLATFORM_DIR:
            plans += 1
    if plans == 0:
        yield Finding(
            rel, found[0].line, Level.ERROR, "References name no existing plan in .platform-mode/plans/"
        )


def _decisions(doc: Parsed, aliases: dict[str, list[str]]) -> Iterator[Finding]:
    rel = doc.document.rel
    section = find_section(doc.outline, "Decision Log", aliases.get("Decision Log", ()))
    defined: dict[str, int] = {}
    for heading in doc.outline.headings:
        inside = section is not None and section.line < heading.line < section.end_line
        for match in DEC.finditer(heading.title):
            if not inside:
                continue
            if match[0] in defined:
                yield Finding(
                    rel,
                    heading.line + 1,
                    Level.ERROR,
                    f"decision {match[0]} is defined twice (first at line {defined[match[0]]})",
                )
            else:
                defined[match[0]] = heading.line + 1
    for identifier, line in _citations(doc, DEC).items():
        if identifier not in defined:
            yield Finding(
                rel, line, Level.ERROR, f"decision {identifier} is not defined in this log's Decision Log"
            )


def _terminal(
    root: Path, doc: Parsed, parsed: Sequence[Parsed], aliases: dict[str, list[str]]
) -> Iterator[Finding]:
    rel = doc.document.rel
    status = status_word(doc.header.get("status"))
    for number, line in doc.lines():
        if _UNCHECKED.match(line):
            yield Finding(rel, number, Level.ERROR, f"unchecked acceptance criterion in a {status} log")
    plan_paths = {r.path for r in references(root, doc.document.path, doc.header) if r.path is not None}
    plan_ids: set[str] = set()
    for other in parsed:
        if other.document.kind == "plan" and other.document.path.resolve() in plan_paths:
            plan_ids |= set(_citations(other, REQUIREMENT))
    if not plan_ids:
        return
    section = find_section(doc.outline, "Validation Report", aliases.get("Validation Report", ()))
    cited: set[str] = set()
    if section is not None:
        cited = {
            match[0]
            for number, line in doc.lines()
            if section.line < number - 1 < section.end_line
            for match in REQUIREMENT.finditer(line)
        }
    at = section.line + 1 if section else 1
    for identifier in sorted(plan_ids - cited):
        yield Finding(
            rel, at, Level.ERROR, f"Validation Report does not cite {identifier}, which its plan cites"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored: the gate checks every platform-mode document")
    parser.add_argument("--strict", action="store_true", default=None, help="warnings fail the gate too")
    args = parser.parse_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        settings = run.config.gate("traceability", TraceabilitySettings)
        strict = settings.strict if args.strict is None else args.strict
        if not (run.root / PLATFORM_DIR).is_dir():
            print(f"{GATE}: no {PLATFORM_DIR}/ directory: this repository has not opted in")
            return gate.finish(run, run.record(Status.SKIPPED, f"no {PLATFORM_DIR}/ directory"))
        documents = scan_documents(run.root)
        findings = check_traceability(run.root, documents, run.config.core().section_aliases)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    for finding in findings:
        print_finding(finding.path, finding.line, None, finding.level.name, finding.message)
    counts = {level.name: sum(1 for f in findings if f.level is level) for level in Level}
    failing = Level.WARN if strict else Level.ERROR
    status = Status.FAIL if any(f.level >= failing for f in findings) else Status.PASS
    summary = f"{len(documents.documents)} documents, " + (counts_text(counts) or "no findings")
    if strict:
        summary += " (strict)"
    record = run.record(
        status,
        summary,
        files=len(documents.documents),
        counts=counts,
        threshold="strict: warnings fail" if strict else "errors fail",
        fingerprint=fingerprint(f"{f.path}:{f.line}:{f.message}" for f in findings),
    )
    return gate.finish(run, record)


if __name__ == "__main__":
    raise SystemExit(main())
