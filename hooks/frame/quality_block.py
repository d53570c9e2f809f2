"""The managed block in the execution log's Quality Report: verdict, one status row per gate, charts, and
the history one row per commit, between markers whose neighbouring lines never change (DEC-015)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from hooks.frame.errors import GateError
from hooks.frame.gates import BY_ID
from hooks.frame.markdown import Outline, find_section, parse_outline
from hooks.frame.record import Record, Status

BEGIN = "<!-- platform-gates:results:begin -->"
END = "<!-- platform-gates:results:end -->"
SECTION = "Quality Report"
CAPTION = "_Quality gates of this execution log, written by platform-gates after each commit._"
CLOSING = "_Every run, refused commit attempts included: `platform-gates report --history`._"
STATUS_HEADER = ("Gate", "Result", "Metric", "Change", "Threshold", "Tool", "Commit", "Action required")
HISTORY_COMMIT = "Commit"
CHART_POINTS = 30
SYMBOL = {Status.PASS: "✅", Status.FAIL: "❌", Status.ERROR: "⚠️", Status.SKIPPED: "⏭️"}
_WORD = {Status.PASS: "pass", Status.FAIL: "fail", Status.ERROR: "error", Status.SKIPPED: "skipped"}
_STATUS_OF_SYMBOL = {symbol: status for status, symbol in SYMBOL.items()}
_OLD_HEADER = "| Time (UTC) | Gate | Result |"  # the one-row-per-record table of platform-gates 0.1
_OLD_ROW_ID = re.compile(r"\s*<!-- id:[0-9A-Za-z]+ -->")
_FIGURE = re.compile(r"(-?\d+(?:\.\d+)?)(%?)")
_PERCENT = re.compile(r"\d+(?:\.\d+)?%")
_FINDINGS = re.compile(r"\b(\d+) (?:new )?(?:findings?|secrets?)\b")
_NO_FINDINGS = re.compile(r"\bno (?:new )?(?:findings|secrets)\b")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_UNESCAPED = re.compile(r"(?<!\\)[|_*]")  # what a table cell must escape: a pipe ends it, `_`/`*` emphasise
_ESCAPED = re.compile(r"\\([_*])")
_CONFLICT_MARKERS = ("<<<<<<< ", "=======", ">>>>>>> ", "||||||| ")
_WHEN = re.compile(r" at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
PERCENT_METRICS = ("total", "documented_percent")
# Where the execute template puts the Quality Report: before these sections, else after this one.
_FOLLOWING_SECTIONS = ("Decision Log", "Validation Report", "Deployment Package", "Lessons Learned")
_PRECEDING_SECTION = "Implementation Log"


class HistoryRow(NamedTuple):
    commit: str  # the short commit id; `abc1234+` for a run on files that differ from that commit
    note: str  # "" or where the results were carried from ("from abc1234" after a rebase)
    cells: dict[str, str]  # gate → "✅ 87.5%"


class QualityStatus(NamedTuple):
    """What the block shows: the latest row per gate and the history, newest commit first."""

    status: dict[str, tuple[str, ...]]  # gate → its cells after the first, as STATUS_HEADER[1:]
    history: list[HistoryRow]
    when: str = ""  # UTC time of the newest record placed, as the verdict line shows it


class Block(NamedTuple):
    start: int  # offset of the begin marker line
    end: int  # offset just past the end marker line (and its line ending)
    state: QualityStatus


class Placed(NamedTuple):
    """A record and the commit it belongs to (the label its history row carries)."""

    commit: str
    record: Record


def empty() -> QualityStatus:
    return QualityStatus({}, [], "")


def without_block(text: str) -> str:
    """The user's words: `text` with the managed block (markers included) cut out.

    Markers inside code fences are not markers; a text without a complete block is returned whole.
    """
    outline = parse_outline(text)
    try:
        span = _marker_lines(outline)
    except GateError:
        return text
    if span is None:
        return text
    return text[: outline.line_offset(span[0])] + text[outline.line_offset(span[1] + 1) :]


def find_block(text: str, outline: Outline | None = None) -> Block | None:
    """The block and what it shows, or None; markers inside fenced code do not count."""
    outline = outline or parse_outline(text)
    span = _marker_lines(outline)
    if span is None:
        return None
    first, last = span
    lines = [line.rstrip("\r\n") for line in outline.lines[first + 1 : last]]
    if any(line.startswith(_CONFLICT_MARKERS) for line in lines):
        raise GateError(
            "the results block holds unresolved merge conflict markers: resolve the merge (keep either "
            "side's block; `platform-gates sync` restores what the journal holds) before it is written"
        )
    return Block(outline.line_offset(first), outline.line_offset(last + 1), _parse(lines))


def _marker_lines(outline: Outline) -> tuple[int, int] | None:
    begins = [start for start, _, content in outline.html_blocks if content.strip() == BEGIN]
    ends = [start for start, _, content in outline.html_blocks if content.strip() == END]
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise GateError(
            f"the results block needs exactly one '{BEGIN}' followed by one '{END}' "
            f"(found {len(begins)} and {len(ends)}); repair or delete the markers"
        )
    return begins[0], ends[0]


def _parse(lines: Sequence[str]) -> QualityStatus:
    tables = _tables(lines)
    state = empty()
    for header, rows in tables:
        if header[:1] == ("Gate",) and "Action required" in header:
            for cells in rows:
                if cells and cells[0]:
                    state.status[cells[0]] = tuple(cells[1 : len(STATUS_HEADER)])
        elif header[:1] == (HISTORY_COMMIT,):
            gates = header[1:]
            for cells in rows:
                commit, _, note = cells[0].partition(" ")
                filled = {gate: cell for gate, cell in zip(gates, cells[1:], strict=False) if cell != "-"}
                state.history.append(HistoryRow(commit, note.strip("() "), filled))
    if not state.status and not state.history:
        return _converted(lines)
    when = next((match[1].replace(" ", "T") + "Z" for line in lines[:4] if (match := _WHEN.search(line))), "")
    return state._replace(when=when)


def _tables(lines: Sequence[str]) -> list[tuple[tuple[str, ...], list[list[str]]]]:
    """Every pipe table among `lines`: (header cells, rows of cells)."""
    tables: list[tuple[tuple[str, ...], list[list[str]]]] = []
    index = 0
    while index < len(lines):
        if lines[index].lstrip().startswith("|") and index + 1 < len(lines) and "---" in lines[index + 1]:
            header = tuple(split_row(lines[index]))
            rows = []
            index += 2
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                rows.append(split_row(lines[index]))
                index += 1
            tables.append((header, rows))
        else:
            index += 1
    return tables


def split_row(line: str) -> list[str]:
    """`| a | b \\| c |` → `["a", "b \\| c"]`: cells as written, escaped pipes kept."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [_ESCAPED.sub(r"\1", cell.strip()) for cell in _CELL_SPLIT.split(body)]


def _converted(lines: Sequence[str]) -> QualityStatus:
    """A block of platform-gates 0.1 (one row per record, oldest first) as status and history."""
    state = empty()
    header = next((i for i, line in enumerate(lines) if line.startswith(_OLD_HEADER)), None)
    if header is None:
        return state
    for line in lines[header + 2 :]:
        if not line.lstrip().startswith("|"):
            break
        cells = split_row(line)
        if len(cells) < 7:
            continue
        _, gate, result, metric, threshold, tool, commit = cells[:7]
        commit = _OLD_ROW_ID.sub("", commit).strip() or "-"
        status = _status_of(result)
        cell = _history_cell(status, _figure_text(gate, metric))
        change = _change(state, gate, commit, cell, {})
        action = "-" if status in (Status.PASS, Status.SKIPPED) else _default_action(gate)
        state.status[gate] = (result, metric, change, threshold, tool, commit, action)
        _put(state, commit, gate, cell, {})
    return state


def _status_of(result: str) -> Status:
    for status, symbol in SYMBOL.items():
        if result.startswith(symbol) or _WORD[status] in result.lower():
            return status
    return Status.ERROR


def place(state: QualityStatus, placed: Iterable[Placed], order: Mapping[str, int] = {}) -> QualityStatus:
    """`state` with each record in its commit's history row and, unless its gate's status row names a
    newer commit, as the gate's status.

    `order` ranks the commits of HEAD's line (a newer one higher), so a commit placed late still sits
    where it belongs; a commit it does not rank goes on top. A record of a real commit retires the rows of
    runs on uncommitted files (`abc1234+`): they were a passing state, and the journal keeps them.
    """
    state = QualityStatus(
        dict(state.status), [row._replace(cells=dict(row.cells)) for row in state.history], state.when
    )
    for commit, record in placed:
        if not commit.endswith("+"):
            state.history[:] = [row for row in state.history if not row.commit.endswith("+")]
        cell = _history_cell(record.status, figure_text(record))
        change = _change(state, record.gate, commit, cell, order)
        _put(state, commit, record.gate, cell, order)
        if _ranked_below(commit, state.status.get(record.gate), order):
            continue
        failed = record.status in (Status.FAIL, Status.ERROR)
        action = (record.action or _default_action(record.gate)) if failed else "-"
        state.status[record.gate] = (
            f"{SYMBOL[record.status]} {_WORD[record.status]}",
            record.summary,
            change,
            record.threshold or "-",
            ", ".join(f"{tool} {version}".strip() for tool, version in record.tools.items()) or "-",
            commit,
            action,
        )
        state = state._replace(when=max(state.when, record.time))
    return state


def _ranked_below(commit: str, status: tuple[str, ...] | None, order: Mapping[str, int]) -> bool:
    """Whether the status row names a commit of HEAD's line newer than `commit` (or `commit` is not on it):
    a result placed late, for a commit a rebase left without a row, does not hide the newest."""
    if status is None or len(status) < 6:
        return False
    shown = order.get(status[5].split()[0].rstrip("+"))
    if shown is None:
        return False
    placed = order.get(commit.rstrip("+"))
    return placed is None or placed < shown


def _default_action(gate: str) -> str:
    known = BY_ID.get(gate)
    return known.action if known else f"see the output of {gate}"


def _put(state: QualityStatus, commit: str, gate: str, cell: str, order: Mapping[str, int]) -> None:
    row = next((row for row in state.history if row.commit == commit), None)
    if row is None:
        row = HistoryRow(commit, "", {})
        state.history.insert(_slot(state.history, commit, order), row)
    row.cells[gate] = cell


def _slot(history: Sequence[HistoryRow], commit: str, order: Mapping[str, int]) -> int:
    """Where a new row goes: above the first older commit `order` dates, or on top if it cannot date it."""
    when = order.get(commit.rstrip("+"))
    if when is None:
        return 0
    older = (i for i, row in enumerate(history) if order.get(row.commit.rstrip("+"), when) < when)
    return next(older, len(history))


def _change(state: QualityStatus, gate: str, commit: str, cell: str, order: Mapping[str, int]) -> str:
    """The difference from the gate's figure on the previous commit: `+1.4`, `-3`, `=`, or `new`."""
    rows = state.history
    own = next((i for i, row in enumerate(rows) if row.commit == commit), None)
    if own is None:  # the commit's row is yet to be made: it goes where _put will put it
        when = order.get(commit.rstrip("+"))
        own = (
            -1
            if when is None
            else next(
                (i - 1 for i, row in enumerate(rows) if order.get(row.commit.rstrip("+"), when + 1) < when),
                len(rows) - 1,
            )
        )
    previous = next((row.cells[gate] for row in rows[own + 1 :] if gate in row.cells), None)
    if previous is None:
        return "new"
    now, before = figure_of(cell), figure_of(previous)
    if now is None or before is None:
        return "=" if _status_of(cell) is _status_of(previous) else f"was {previous.split()[0]}"
    delta = round(now - before, 1)
    if delta == 0:
        return "="
    return f"{delta:+g}"


def figure_text(record: Record) -> str:
    """A record's key figure as its history cell shows it: `87.5%`, `3` (findings), or ""."""
    gate = BY_ID.get(record.gate)
    if gate is None or not gate.figure:
        return ""
    if gate.figure == "findings":
        found = record.metrics.get("findings")  # counts may hold more than findings (severities)
        return f"{found:g}" if isinstance(found, (int, float)) else str(sum(record.counts.values()))
    value = record.metrics.get(gate.figure)
    if not isinstance(value, (int, float)):
        return ""
    return f"{value:g}%" if gate.figure in PERCENT_METRICS else f"{value:g}"


def _figure_text(gate: str, metric: str) -> str:
    """The key figure read back from a 0.1 row's text: "3 findings in 9 files" → 3, "coverage 87.5%" →
    87.5%."""
    known = BY_ID.get(gate)
    if known is None or not known.figure:
        return ""
    if known.figure == "findings":
        if _NO_FINDINGS.search(metric):
            return "0"
        match = _FINDINGS.search(metric)
        return match[1] if match else ""
    match = _PERCENT.search(metric)
    return match[0] if match else ""


def figure_of(cell: str) -> float | None:
    match = _FIGURE.search(cell)
    return float(match[1]) if match else None


def _history_cell(status: Status, figure: str) -> str:
    return f"{SYMBOL[status]} {figure}".strip()


def relabel(state: QualityStatus, rewritten: Mapping[str, str | None]) -> QualityStatus:
    """Carry the rows of rewritten commits to their new ids (`None`: the commit is gone, its row too); a
    commit's own verdicts win over those carried to it."""
    if not rewritten:
        return state
    history: list[HistoryRow] = []
    for row in state.history:
        base = row.commit.rstrip("+")
        new = rewritten.get(base, base)
        if new is None:
            continue
        carried = new != base
        target = new + row.commit[len(base) :]
        at = next((i for i, other in enumerate(history) if other.commit == target), None)
        if at is None:
            history.append(HistoryRow(target, f"from {base}", row.cells) if carried else row)
        elif carried:
            history[at] = history[at]._replace(cells={**row.cells, **history[at].cells})
        else:
            history[at] = row._replace(cells={**history[at].cells, **row.cells})
    status = {}
    for gate, cells in state.status.items():
        base = cells[5].rstrip("+")
        if base in rewritten:
            new = rewritten[base]
            commit = f"{new}{cells[5][len(base) :]} (from {base})" if new else f"{cells[5]} (rewritten)"
            cells = (*cells[:5], commit, *cells[6:])
        status[gate] = cells
    return QualityStatus(status, history, state.when)


def in_order(state: QualityStatus, order: Mapping[str, int]) -> QualityStatus:
    """The history newest first: the rows of the commits `order` ranks, then the others (commits this clone
    cannot rank: never fetched, replaced elsewhere, older than `order` reaches) in the order they had."""
    ranked = [row for row in state.history if row.commit.rstrip("+") in order]
    ranked.sort(key=lambda row: -order[row.commit.rstrip("+")])
    others = [row for row in state.history if row.commit.rstrip("+") not in order]
    return state._replace(history=ranked + others)


def keep_newest(state: QualityStatus, rows: int | None) -> QualityStatus:
    return state if not rows or len(state.history) <= rows else state._replace(history=state.history[:rows])


def render(state: QualityStatus, nl: str = "\n", markers: bool = True) -> str:
    """The block with `nl` line endings; `platform-gates report` shows it without the markers."""
    lines = [BEGIN, CAPTION, "", verdict_line(state), ""]
    if state.status:
        lines += [_row(STATUS_HEADER), _row(("---",) * len(STATUS_HEADER))]
        lines += [_row((gate, *cells)) for gate, cells in sorted(state.status.items())]
        lines.append("")
    lines += chart(state)
    gates = sorted({gate for row in state.history for gate in row.cells})
    lines += [f"<details><summary>History: {len(state.history)} commit(s), newest first</summary>", ""]
    if state.history:
        lines += [_row((HISTORY_COMMIT, *gates)), _row(("---",) * (len(gates) + 1))]
        for row in state.history:
            commit = f"{row.commit} ({row.note})" if row.note else row.commit
            lines.append(_row((commit, *(row.cells.get(gate, "-") for gate in gates))))
        lines.append("")
    lines += ["</details>", "", CLOSING, END]
    return nl.join(lines if markers else lines[1:-1]) + nl


def verdict_line(state: QualityStatus) -> str:
    """`**abc1234** at … UTC: 4 pass, 1 fails, 1 skipped`: the newest commit, and each gate's latest."""
    if not state.status:
        return "**No gate has recorded a result yet.**"
    results = [_status_of(cells[0]) for cells in state.status.values()]
    parts = [
        f"{count} {'fails' if status is Status.FAIL and count == 1 else _WORD[status]}"
        for status in (Status.PASS, Status.FAIL, Status.ERROR, Status.SKIPPED)
        if (count := results.count(status))
    ]
    newest = state.history[0].commit if state.history else "-"
    at = f" at {state.when.replace('T', ' ').removesuffix('Z')} UTC" if state.when else ""
    return f"**{newest}**{at}: latest result of each gate: {', '.join(parts)}."


def chart(state: QualityStatus) -> list[str]:
    """A Mermaid `xychart-beta` per numeric gate figure over the last commits (GitHub renders it): the
    percentages always, a count only when it moved (a flat line of zero findings says nothing)."""
    recent = list(reversed(state.history[:CHART_POINTS]))
    series: dict[str, list[tuple[str, float]]] = {}
    for row in recent:
        for gate, cell in row.cells.items():
            value = figure_of(cell)
            if value is not None:
                series.setdefault(gate, []).append((row.commit, value))
    lines: list[str] = []
    for gate in sorted(series, key=lambda name: (name != "platform-coverage", name)):
        points = series[gate]
        unit = "%" if "%" in next(row.cells[gate] for row in recent if gate in row.cells) else "count"
        if len(points) < 2 or (unit == "count" and len({value for _, value in points}) == 1):
            continue
        labels = ", ".join(f'"{commit}"' for commit, _ in points)
        values = ", ".join(f"{value:g}" for _, value in points)
        lines += [
            "```mermaid",
            "xychart-beta",
            f'    title "{gate} over the last {len(points)} commits"',
            f"    x-axis [{labels}]",
            f'    y-axis "{unit}"',
            f"    line [{values}]",
            "```",
            "",
        ]
    return lines


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(escape_cell(cell) for cell in cells) + " |"


def escape_cell(value: str) -> str:
    """One table cell: on one line, its pipes escaped, no comment markers, no emphasis (`__init__.py`)."""
    text = " ".join(value.split())
    text = _UNESCAPED.sub(r"\\\g<0>", text).replace("<!--", "&lt;!--").replace("-->", "--&gt;")
    return text or "-"


def write_block(text: str, state: QualityStatus, aliases: Iterable[str] = ()) -> str:
    """The log text with `state` rendered in its block; the block (and a Quality Report section) made if
    missing. Everything outside the block stays as it was, byte for byte."""
    outline = parse_outline(text)
    block = find_block(text, outline)
    nl = newline_of(text)
    rendered = render(state, nl)
    if block is not None:
        if not text[: block.end].endswith(("\n", "\r")):  # the log ended on the marker, with no newline
            rendered = rendered.removesuffix(nl)
        return text[: block.start] + rendered + text[block.end :]
    position, inserted = _insertion(text, outline, rendered, nl, tuple(aliases))
    new = text[:position] + inserted + text[position:]
    try:
        placed = find_block(new) is not None
    except GateError:
        placed = False
    if not placed:  # what we inserted was swallowed by a code fence that never closes
        raise GateError("cannot add the results block: the log ends inside an unclosed code fence")
    return new


def newline_of(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def _insertion(
    text: str, outline: Outline, rendered: str, nl: str, aliases: tuple[str, ...]
) -> tuple[int, str]:
    lines = outline.lines
    section = find_section(outline, SECTION, aliases)
    if section is not None:
        # after its own words, before its first subsection (a block after one would read as part of it)
        line = next(
            (h.line for h in outline.headings if section.line < h.line < section.end_line), section.end_line
        )
        while line > section.line + 1 and not lines[line - 1].strip():
            line -= 1  # right after the section's last content, before its trailing blank lines
        terminate = nl if line and not lines[line - 1].endswith(("\n", "\r")) else ""
        after = nl if line < len(lines) and lines[line].strip() else ""
        return outline.line_offset(line), f"{terminate}{nl}{rendered}{after}"
    following = [found for name in _FOLLOWING_SECTIONS if (found := find_section(outline, name))]
    preceding = find_section(outline, _PRECEDING_SECTION)
    if following:
        anchor = min(following, key=lambda heading: heading.line)
        level = "#" * anchor.level
        return outline.line_offset(anchor.line), f"{level} {SECTION}{nl}{nl}{rendered}{nl}"
    if preceding is not None and preceding.end_line < len(lines):
        level = "#" * preceding.level
        return outline.line_offset(preceding.end_line), f"{level} {SECTION}{nl}{nl}{rendered}{nl}"
    sections = [heading for heading in outline.headings if heading.level == 2]
    if len(sections) > 1:  # never after the document's closing section
        return outline.line_offset(sections[-1].line), f"## {SECTION}{nl}{nl}{rendered}{nl}"
    terminate = nl if text and not text.endswith(("\n", "\r")) else ""
    gap = nl if text.strip() else ""
    return len(text), f"{terminate}{gap}## {SECTION}{nl}{nl}{rendered}"
