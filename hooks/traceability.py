"""platform-traceability: the platform-mode documents agree with each other: names and numbers, headers,
required sections, and requirement IDs traced through decisions to the Validation Report."""

from __future__ import annotations

import bisect
import dataclasses
import enum
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.adapters.outline_cache import OutlineCache
from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.documents import (
    PLATFORM_DIR,
    Document,
    DocumentSet,
    Reference,
    references,
    scan_documents,
)
from hooks.frame.errors import GateError
from hooks.frame.files import read_text
from hooks.frame.markdown import (
    Header,
    Heading,
    Outline,
    find_section,
    normalize_heading,
    parse_header,
    parse_outline,
)
from hooks.frame.output import counts_text, plural, print_finding
from hooks.frame.paths import inside_repo
from hooks.frame.platform_mode import (
    OPEN_STATUSES,
    REQUIRED_SECTIONS,
    TERMINAL_STATUSES,
    is_terminal_status,
    parse_date,
    status_word,
)
from hooks.frame.record import Status, fingerprint

GATE = "platform-traceability"
REQUIREMENT = frozenset({"FR", "NFR", "BR", "TR", "SR"})  # FR-001, NFR-005.2, ... (DESIGN §3)
ADR = frozenset({"ADR"})  # design decisions, defined in design documents
DEC = frozenset({"DEC"})  # execution decisions, defined in the log's own Decision Log
REQUIREMENT_SOURCES = ("analysis", "design", "plan")
# Python's re skips ahead fast only to a literal: IDs are found by their tail (`-001.2`), then their family.
_ID_TAIL = re.compile(r"-\d{3,}(?:\.\d+)*\b")
_FAMILIES = sorted(REQUIREMENT | ADR | DEC, key=len, reverse=True)
# An ID is defined where it opens a line, a list item, a table row or a bold label, or is among the first
# words of a heading (`#### FR-001: ...`, `#### Decision DEC-001: ...`); anywhere else it is cited.
_DEFINING_PREFIX = re.compile(r"[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+|\|[ \t]*)?(?:\*\*|`)?")
_DEFINING_HEADING = re.compile(r"(?:[^\s:]+\s+){0,3}(?:\*\*|`)?(?P<id>[A-Z]+-\d{3,}(?:\.\d+)*)\b")
_DEC_IN_TITLE = re.compile(r"\bDEC-\d{3,}\b")
_BOLD_LABEL = re.compile(r"^\s*\*\*([^*\n]+)\*\*:?\s*$")  # `**Acceptance Criteria**:` alone on its line
_UNCHECKED = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[ \](?:\s|$)", re.MULTILINE)


class Level(enum.IntEnum):
    INFO = 0
    WARN = 1
    ERROR = 2


class Finding(NamedTuple):
    path: str
    line: int
    level: Level
    message: str


class TraceabilitySettings(NamedTuple):
    strict: bool = False


class Mention(NamedTuple):
    """One ID in a document, outside code and HTML comments."""

    line: int  # 1-based
    family: str  # FR, NFR, ADR, DEC, ...
    id: str
    defines: bool  # it opens a line, a list item, a table row or a bold label


@dataclasses.dataclass(frozen=True)
class Parsed:
    document: Document
    text: str
    header: Header
    outline: Outline
    references: tuple[Reference, ...]

    @property
    def rel(self) -> str:
        return self.document.rel

    @property
    def kind(self) -> str:
        return self.document.kind

    @functools.cached_property
    def resolved(self) -> Path:
        return self.document.path.resolve()

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        return list(itertools.accumulate((len(line) for line in self.outline.lines), initial=0))

    @functools.cached_property
    def _hidden(self) -> frozenset[int]:
        """0-based lines in code blocks or HTML comments: what they hold is neither cited nor defined."""
        hidden = set(self.outline.code_lines)
        for start, end, content in self.outline.html_blocks:
            if content.lstrip().startswith("<!--"):
                hidden.update(range(start, end))
        return frozenset(hidden)

    def line_of(self, offset: int) -> int | None:
        """The 0-based line holding `offset`, or None when it is hidden."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return None if index in self._hidden else index

    @functools.cached_property
    def mentions(self) -> tuple[Mention, ...]:
        found = []
        for match in _ID_TAIL.finditer(self.text):
            family = _family_before(self.text, match.start())
            index = self.line_of(match.start()) if family else None
            if family is None or index is None:
                continue
            start = match.start() - len(family)
            prefix = self.text[self._line_starts[index] : start]
            defines = _DEFINING_PREFIX.fullmatch(prefix) is not None
            found.append(Mention(index + 1, family, family + match[0], defines))
        return tuple(found)

    def cited(self, families: frozenset[str], section: Heading | None = None) -> dict[str, int]:
        """Each ID of `families` the document (or one section of it) mentions, with its first line."""
        first: dict[str, int] = {}
        for mention in self.mentions:
            if mention.family in families and (
                section is None or section.line < mention.line - 1 < section.end_line
            ):
                first.setdefault(mention.id, mention.line)
        return first

    def headings_in(self, section: Heading | None) -> list[Heading]:
        if section is None:
            return []
        return [h for h in self.outline.headings if section.line < h.line < section.end_line]


def _family_before(text: str, offset: int) -> str | None:
    for family in _FAMILIES:
        start = offset - len(family)
        if start >= 0 and text.startswith(family, start) and (start == 0 or not _is_word(text[start - 1])):
            return family
    return None


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def check_traceability(
    root: Path,
    documents: DocumentSet,
    aliases: Mapping[str, Sequence[str]],
    outline_of: Callable[[str], Outline] = parse_outline,
) -> list[Finding]:
    """Every finding on the platform-mode `documents` of the repository at `root`."""
    findings = list(_naming(documents))
    parsed: list[Parsed] = []
    for document in documents.documents:
        try:
            inside_repo(root, document.path)
            text = read_text(document.path, document.rel)
            header = parse_header(_head(text), document.rel)
            linked = tuple(references(root, document.path, header))
            parsed.append(Parsed(document, text, header, outline_of(text), linked))
        except GateError as exc:
            findings.append(Finding(document.rel, 1, Level.ERROR, str(exc).removeprefix(f"{document.rel}: ")))
    requirements = _definitions(parsed, REQUIREMENT, REQUIREMENT_SOURCES)
    adrs = _definitions(parsed, ADR, ("design",))
    for doc in parsed:
        findings += _header(doc)
        findings += _references(doc, documents)
        findings += _undefined(doc, REQUIREMENT, requirements, "requirement", "analysis, design or plan")
        findings += _undefined(doc, ADR, adrs, "design decision", "design")
        if doc.kind == "execution":
            findings += _execution_log(doc, parsed, aliases)
    findings += _open_logs(parsed)
    return sorted(findings, key=lambda f: (f.path, f.line, -f.level, f.message))


def _head(text: str) -> str:
    """The text up to the first `##` heading: all of a bold-field header block (front matter: all of it)."""
    if text.lstrip("\ufeff").startswith("---"):
        return text
    end = text.find("\n## ")
    return text if end < 0 else text[: end + 1]


def _naming(documents: DocumentSet) -> Iterator[Finding]:
    for misnamed in documents.misnamed:
        hint = f"; did you mean {misnamed.suggestion}?" if misnamed.suggestion else ""
        yield Finding(misnamed.rel, 1, Level.ERROR, f"file name does not follow <type>###.<type>.md{hint}")
    for group in documents.duplicates():
        for document in group[1:]:
            yield Finding(document.rel, 1, Level.ERROR, f"duplicate number {document.number}: {group[0].rel}")
    for kind in sorted({d.kind for d in documents.documents}):
        of_kind = documents.of_kind(kind)
        numbers = sorted({d.number for d in of_kind})
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
        if missing:
            yield Finding(of_kind[-1].rel, 1, Level.WARN, f"{kind} numbering has gaps: {_numbers(missing)}")
        if numbers[0] == 0:
            yield Finding(of_kind[0].rel, 1, Level.WARN, f"{kind} numbers start at 001, not 000")


def _numbers(values: Sequence[int]) -> str:
    shown = ", ".join(f"{value:03d}" for value in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def _header(doc: Parsed) -> Iterator[Finding]:
    fields = doc.header.fields
    document_id = fields.get("document id")
    if document_id is None:
        if not doc.header.front_matter:  # front matter names the document by its file (DESIGN §3)
            yield Finding(doc.rel, 1, Level.WARN, "header has no **Document ID** field")
    elif document_id.value.strip().strip("`") != doc.document.path.name:
        named, file_name = document_id.value.strip(), doc.document.path.name
        message = f"Document ID {named!r} does not match the file name {file_name!r}"
        yield Finding(doc.rel, document_id.line, Level.ERROR, message)
    status = fields.get("status")
    if status is None or not status_word(status.value):
        yield Finding(doc.rel, 1, Level.WARN, "header has no **Status** field")
    elif doc.kind == "execution" and not _known_status(status.value):
        known = f"open: {', '.join(OPEN_STATUSES)}; terminal: {', '.join(TERMINAL_STATUSES)}"
        message = f"Status {status_word(status.value)!r} is not a known status word ({known}); read as open"
        yield Finding(doc.rel, status.line, Level.WARN, message)
    created = fields.get("created")
    if created is not None and parse_date(created.value) is None:
        message = f"Created {created.value.strip()!r} is not a date (2025-10-25 or October 25, 2025)"
        yield Finding(doc.rel, created.line, Level.WARN, message)


def _known_status(value: str) -> bool:
    words = status_word(value).replace("-", " ")
    return is_terminal_status(value) or any(f"{words} ".startswith(f"{word} ") for word in OPEN_STATUSES)


def _references(doc: Parsed, documents: DocumentSet) -> Iterator[Finding]:
    """Links that leave the repository are errors (never opened); a broken one is an error in a log."""
    missing_level = Level.ERROR if doc.kind == "execution" else Level.WARN
    by_name = {d.path.name: d for d in documents.documents}
    for reference in doc.references:
        if reference.path is None:
            if "://" not in reference.target and not reference.target.startswith(("mailto:", "#")):
                message = f"reference {reference.target} leaves the repository"
                yield Finding(doc.rel, reference.line, Level.ERROR, message)
        elif not reference.path.exists():
            named = by_name.get(Path(reference.target.split("#", 1)[0]).name)
            hint = ""
            if named is not None:
                hint = f"; links are relative to the document: did you mean {_link(doc.document, named)}?"
            message = f"reference {reference.target} does not exist{hint}"
            yield Finding(doc.rel, reference.line, missing_level, message)


def _link(source: Document, target: Document) -> str:
    folder = target.path.parent.name
    return target.path.name if folder == source.path.parent.name else f"../{folder}/{target.path.name}"


def _definitions(parsed: Iterable[Parsed], families: frozenset[str], kinds: Sequence[str]) -> set[str]:
    """IDs the documents of `kinds` define; a sub-ID defines its parent too (`FR-001.1` → `FR-001`)."""
    defined: set[str] = set()
    for doc in parsed:
        if doc.kind not in kinds:
            continue
        for heading in doc.outline.headings:
            match = _DEFINING_HEADING.match(heading.title)
            if match and match["id"].split("-")[0] in families:
                defined.add(match["id"])
        defined.update(m.id for m in doc.mentions if m.defines and m.family in families)
    return defined | {identifier.split(".")[0] for identifier in defined}


def _covered(identifier: str, ids: set[str]) -> bool:
    """`FR-001.2` is covered by itself or by its parent `FR-001`."""
    return identifier in ids or identifier.split(".")[0] in ids


def _undefined(
    doc: Parsed, families: frozenset[str], defined: set[str], what: str, where: str
) -> Iterator[Finding]:
    for identifier, line in doc.cited(families).items():
        if not _covered(identifier, defined):
            message = f"{what} {identifier} is not defined in any {where} document"
            yield Finding(doc.rel, line, Level.ERROR, message)


def _execution_log(
    doc: Parsed, parsed: Sequence[Parsed], aliases: Mapping[str, Sequence[str]]
) -> Iterator[Finding]:
    terminal = is_terminal_status(doc.header.get("status"))
    yield from _plan_reference(doc, parsed)
    for section in REQUIRED_SECTIONS:
        if _section(doc, section, aliases) is None:
            level = Level.ERROR if terminal else Level.WARN
            message = f"no {section} section (a heading with the words '{section}')"
            yield Finding(doc.rel, 1, level, message)
    yield from _decisions(doc, aliases)
    if not doc.cited(REQUIREMENT):
        message = "cites no requirement ID (FR-/NFR-/BR-/TR-/SR-): traceability stops at the plan"
        yield Finding(doc.rel, 1, Level.INFO, message)
    if terminal:
        yield from _terminal(doc, parsed, aliases)


def _section(doc: Parsed, section: str, aliases: Mapping[str, Sequence[str]]) -> Heading | None:
    return find_section(doc.outline, section, aliases.get(section, ()))


def _plan_reference(doc: Parsed, parsed: Sequence[Parsed]) -> Iterator[Finding]:
    if not doc.references:
        yield Finding(doc.rel, 1, Level.ERROR, "header has no **References** to the plan it executes")
    elif not _plans(doc, parsed):
        message = "References name no existing plan in .platform-mode/plans/"
        yield Finding(doc.rel, doc.references[0].line, Level.ERROR, message)


def _plans(doc: Parsed, parsed: Sequence[Parsed]) -> list[Parsed]:
    """The plan documents the log's References point to."""
    targets = {reference.path for reference in doc.references if reference.path is not None}
    return [p for p in parsed if p.kind == "plan" and p.resolved in targets]


def _decisions(doc: Parsed, aliases: Mapping[str, Sequence[str]]) -> Iterator[Finding]:
    defined: dict[str, int] = {}
    for heading in doc.headings_in(_section(doc, "Decision Log", aliases)):
        for match in _DEC_IN_TITLE.finditer(heading.title):
            if match[0] in defined:
                message = f"decision {match[0]} is defined twice (first at line {defined[match[0]]})"
                yield Finding(doc.rel, heading.line + 1, Level.ERROR, message)
            else:
                defined[match[0]] = heading.line + 1
    for identifier, line in doc.cited(DEC).items():
        if identifier not in defined:
            message = (
                f"decision {identifier} is not defined in this log's Decision Log "
                f"(a heading such as '#### Decision {identifier}: title' inside it)"
            )
            yield Finding(doc.rel, line, Level.ERROR, message)


def _terminal(
    doc: Parsed, parsed: Sequence[Parsed], aliases: Mapping[str, Sequence[str]]
) -> Iterator[Finding]:
    status = status_word(doc.header.get("status"))
    other_lines: list[int] = []
    for match in _UNCHECKED.finditer(doc.text):
        index = doc.line_of(match.start())
        if index is None:
            continue
        if _is_acceptance_criterion(doc, index):
            yield Finding(
                doc.rel, index + 1, Level.ERROR, f"unchecked acceptance criterion in a {status} log"
            )
        else:
            other_lines.append(index + 1)
    if other_lines:  # checklists of preparation, environments, reviews: worth a look, not a refusal
        message = (
            f"{plural(len(other_lines), 'unchecked checklist item')} outside acceptance criteria in a "
            f"{status} log (first at line {other_lines[0]})"
        )
        yield Finding(doc.rel, other_lines[0], Level.WARN, message)
    plan_ids: set[str] = set()
    for plan in _plans(doc, parsed):
        plan_ids |= set(plan.cited(REQUIREMENT))
    if not plan_ids:
        return
    section = _section(doc, "Validation Report", aliases)
    cited = set(doc.cited(REQUIREMENT, section)) if section is not None else set()
    at = section.line + 1 if section else 1
    for identifier in sorted(plan_ids):
        if not _covered(identifier, cited):
            message = f"Validation Report does not cite {identifier}, which its plan cites"
            yield Finding(doc.rel, at, Level.ERROR, message)


def _is_acceptance_criterion(doc: Parsed, index: int) -> bool:
    """Under an acceptance-criteria or definition-of-done heading, or such a bold label
    (`**Acceptance Criteria Progress**:`), whichever is nearer above the checkbox."""
    heading = max((h.line for h in doc.outline.headings if h.line < index), default=-1)
    for number in range(index - 1, heading, -1):
        label = _BOLD_LABEL.match(doc.outline.lines[number])
        if label:
            return _names_acceptance(label[1])
    return heading >= 0 and _names_acceptance(
        next(h.title for h in doc.outline.headings if h.line == heading)
    )


def _names_acceptance(title: str) -> bool:
    words = f" {normalize_heading(title)} "
    return " acceptance criteri" in words or " definition of done " in words


def _open_logs(parsed: Sequence[Parsed]) -> Iterator[Finding]:
    """Two open execution logs are a warning (DESIGN §3), on each but the highest-numbered one."""
    logs = [d for d in parsed if d.kind == "execution" and not is_terminal_status(d.header.get("status"))]
    logs.sort(key=lambda d: d.document.number)
    for log in logs[:-1]:
        status = log.header.fields.get("status")
        message = (
            f"another execution log is open too, the higher-numbered {logs[-1].rel}: "
            "close this one (COMPLETE, SUPERSEDED or ABANDONED)"
        )
        yield Finding(log.rel, status.line if status else 1, Level.WARN, message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored: the gate checks every platform-mode document")
    parser.add_argument("--strict", action="store_true", default=None, help="warnings fail the gate too")
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("traceability", TraceabilitySettings)
        strict = settings.strict if args.strict is None else args.strict
        if not (run.root / PLATFORM_DIR).is_dir():
            summary = f"no {PLATFORM_DIR}/ directory: this repository has not opted in"
            return gate.finish(run, run.record(Status.SKIPPED, summary))
        documents = scan_documents(run.root)
        cache = OutlineCache.load(run.root)
        findings = check_traceability(run.root, documents, run.config.core().section_aliases, cache.outline)
        cache.save()
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
    worst = max(findings, key=lambda finding: finding.level, default=None)
    if worst is not None and worst.level >= Level.WARN:  # the record shows it even when the hook passes
        summary += f"; first {worst.level.name}: {worst.path}:{worst.line} {worst.message}"
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
