"""The managed block in the execution log's Quality Report: a status of the gates, not a dump of runs.

Between two marker comments: a fixed caption, a one-line verdict, one status row per gate, a chart of the
numeric metrics over the last commits, the history (one row per commit, newest first) and a fixed closing
line. Everything outside the markers is never touched; the lines next to the markers never change, so an
edit of the user's beside the block never conflicts with a write of ours.
"""

from __future__ import annotations

from hooks.lib.markdown import parse_outline

BEGIN = "<!-- platform-gates:results:begin -->"
END = "<!-- platform-gates:results:end -->"


def without_block(text: str) -> str:
    """The user's words: `text` with the managed block (markers included) cut out.

    Markers inside code fences are not markers; a text without a complete block is returned whole.
    """
    outline = parse_outline(text)
    begins = [start for start, _, content in outline.html_blocks if content.strip() == BEGIN]
    ends = [start for start, _, content in outline.html_blocks if content.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        return text
    return text[: outline.line_offset(begins[0])] + text[outline.line_offset(ends[0] + 1) :]
