"""The managed results table in the execution log's Quality Report section.

The table sits between two marker comments; everything outside them is never touched. Rows are keyed by
the record id (kept in an HTML comment in the last cell, invisible when rendered), so writing a record
twice adds one row, and a record that supersedes another replaces that row in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from hooks.lib.errors import GateError
from hooks.lib.markdown import Outline, find_section, parse_outline
from hooks.lib.quality_block import BEGIN, END
from hooks.lib.record import Record, Status

SECTION = "Quality Report"
HEADER = (
    "| Time (UTC) | Gate | Result | Metric | Threshold | Tool | Commit |",
    "| --- | --- | --- | --- | --- | --- | --- |",
)
_ROW_ID = re.compile(r"<!-- id:([0-9A-Za-z]+) -->")
_RESULT = {
    Status.PASS: "✅ pass",
    Status.FAIL: "❌ fail",
    Status.ERROR: "⚠️ error",
    Status.SKIPPED: "⏭️ skipped",
}


class Block(NamedTuple):
    start: int  # offset of the begin marker line
    end: int  # offset just past the end marker line (and its line ending)
    rows: tuple[str, ...]  # the existing row lines, without line endings

    def row_ids(self) -> list[str]:
        return [match[1] for row in self.rows if (match := _ROW_ID.search(row))]


class Written(NamedTuple):
    text: str
    span: tuple[int, int]  # what this write inserted or replaced, in the new text
    added: int


def newline_of(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def find_block(text: str, outline: Outline | None = None) -> Block | None:
    """The managed block, or None; markers inside fenced code do not count."""
    outline = outline or parse_outline(text)
    begins = [start for start, _, content in outline.html_blocks if content.strip() == BEGIN]
    ends = [start for start, _, content in outline.html_blocks if content.strip() == END]
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise GateError(
            f"the results block needs exactly one '{BEGIN}' followed by one '{END}' "
            f"(found {len(begins)} and {len(ends)}); repair or delete the markers"
        )
    first, last = begins[0], ends[0]
    rows = tuple(
        line.rstrip("\r\n")
        for line in outline.lines[first + 1 : last]
        if line.lstrip().startswith("|") and _ROW_ID.search(line)
    )
    return Block(outline.line_offset(first), outline.line_offset(last + 1), rows)


def render_row(record: Record) -> str:
    cells = (
        record.time.replace("T", " "),
        record.gate,
        render_result(record.status),
        record.summary,
        record.threshold or "-",
        ", ".join(f"{tool} {version}".strip() for tool, version in record.tools.items()) or "-",
        f"{record.short_commit} <!-- id:{record.id} -->",
    )
    return "| " + " | ".join(_cell(cell, keep_comment=i == 6) for i, cell in enumerate(cells)) + " |"


def render_result(status: Status) -> str:
    return _RESULT[status]


def _cell(value: str, keep_comment: bool = False) -> str:
    text = " ".join(value.split()).replace("\\", "\\\\").replace("|", "\\|")
    if not keep_comment:
        text = text.replace("<!--", "&lt;!--").replace("-->", "--&gt;")
    return text or "-"


def write_records(text: str, records: Sequence[Record], aliases: Iterable[str] = ()) -> Written:
    """The log text with `records` in its block; the block (and a Quality Report heading) made if missing."""
    outline = parse_outline(text)
    block = find_block(text, outline)
    rows = list(block.rows) if block else []
    known = {row_id: index for index, row_id in enumerate(_ids(rows))}
    added = 0
    for record in records:
        if record.id in known:
            continue
        row = render_row(record)
        if record.supersedes in known:
            rows[known[record.supersedes]] = row
        else:
            rows.append(row)
            added += 1
        known[record.id] = known.get(record.supersedes or "", len(rows) - 1)
    nl = newline_of(text)
    rendered = nl.join((BEGIN, "", *HEADER, *rows, "", END)) + nl
    if block:
        new = text[: block.start] + rendered + text[block.end :]
        return Written(new, (block.start, block.start + len(rendered)), added)
    position, inserted = _insertion(text, outline, rendered, nl, tuple(aliases))
    new = text[:position] + inserted + text[position:]
    try:
        placed = find_block(new) is not None
    except GateError:
        placed = False
    if not placed:  # what we inserted was swallowed by a code fence that never closes
        raise GateError("cannot add the results block: the log ends inside an unclosed code fence")
    return Written(new, (position, position + len(inserted)), added)


def _ids(rows: Sequence[str]) -> list[str]:
    return [match[1] if (match := _ROW_ID.search(row)) else "" for row in rows]


def _insertion(
    text: str, outline: Outline, rendered: str, nl: str, aliases: tuple[str, ...]
) -> tuple[int, str]:
    lines = outline.lines
    section = find_section(outline, SECTION, aliases)
    if section is None:
        terminate = nl if text and not text.endswith(("\n", "\r")) else ""
        gap = nl if text.strip() else ""
        return len(text), f"{terminate}{gap}## {SECTION}{nl}{nl}{rendered}"
    line = section.end_line
    while line > section.line + 1 and not lines[line - 1].strip():
        line -= 1  # sit right after the section's last content, before its trailing blank lines
    terminate = nl if line and not lines[line - 1].endswith(("\n", "\r")) else ""
    after = nl if line < len(lines) and lines[line].strip() else ""
    return outline.line_offset(line), f"{terminate}{nl}{rendered}{after}"
