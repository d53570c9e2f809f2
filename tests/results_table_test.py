from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.lib.errors import GateError
from hooks.lib.record import Record, Status
from hooks.lib.results_table import BEGIN, END, find_block, render_row, write_records


def make_record(number: int, **changes: Any) -> Record:
    record = Record(
        gate=f"gate-{number % 3}",
        status=Status.PASS,
        summary=f"summary {number}",
        time="2026-11-24T10:00:00Z",
        duration_s=0.1,
        commit="0123456789abcdef",
        id=f"r{number:06d}",
    )
    return record._replace(**changes)


# Log text as users write it: any unicode, CRLF or LF or CR, fenced code with fake headings and fake
# markers, an existing Quality Report section or none, a final newline or none.
_fragments = st.sampled_from(
    [
        "# Execution Log 001\n",
        "**Status**: IN PROGRESS\n",
        "## 4. ✅ Quality Report\n",
        "## Quality Report\n",
        "## 6. Decision Log and Lessons Learned\n",
        "```markdown\n## Quality Report\n" + BEGIN + "\n```\n",
        "~~~\n" + END + "\n~~~\n",
        "\n",
        "- [ ] criterion\n",
        "| a | b |\n| - | - |\n",
    ]
)
_prose = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n<>`~#|"),
    max_size=40,
)
log_texts = st.builds(
    lambda parts, newline, final, bom: (
        ("\ufeff" if bom else "")
        + (
            "".join(parts).replace("\n", newline)
            if final
            else "".join(parts).replace("\n", newline).rstrip("\r\n")
        )
    ),
    st.lists(st.one_of(_fragments, _prose.map(lambda s: s + "\n")), max_size=12),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(text=log_texts, counts=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4))
def test_records_written_are_read_back_and_nothing_outside_the_block_changes(
    text: str, counts: list[int]
) -> None:
    first = write_records(text, [])
    start, end = first.span
    # Creating the block only inserts: removing the inserted span gives the original bytes back.
    assert first.text[:start] + first.text[end:] == text
    tail = len(first.text) - end
    current, written, number = first.text, [], 0
    for count in counts:
        batch = [make_record(number + i) for i in range(count)]
        number += count
        current = write_records(current, batch).text
        written += batch
    block = find_block(current)
    assert block is not None
    assert block.row_ids() == [record.id for record in written]
    assert current[:start] + current[len(current) - tail :] == text


def test_block_is_created_inside_the_quality_report_section() -> None:
    text = "# Log\n\n## 4. Quality Report\n\nManual notes.\n\n## 5. Deployment Package\n"
    new = write_records(text, [make_record(1)]).text
    assert new.index("Manual notes.") < new.index(BEGIN) < new.index(END) < new.index("## 5.")
    assert "\n\n## 5. Deployment Package\n" in new


def test_section_is_created_when_missing() -> None:
    new = write_records("# Log\n\nno sections", [make_record(1)]).text
    assert new.startswith("# Log\n\nno sections\n\n## Quality Report\n\n" + BEGIN)
    assert new.endswith(END + "\n")


def test_crlf_log_gets_crlf_rows() -> None:
    new = write_records("# Log\r\n## Quality Report\r\n", [make_record(1)]).text
    assert "\n" not in new.replace("\r\n", "")


def test_writing_the_same_record_twice_adds_one_row() -> None:
    record = make_record(1)
    once = write_records("# Log\n", [record]).text
    twice = write_records(once, [record])
    assert twice.text == once
    assert twice.added == 0


def test_a_superseding_record_replaces_the_row_in_place() -> None:
    first, other = make_record(1), make_record(2)
    text = write_records("# Log\n", [first, other]).text
    later = make_record(3, supersedes=first.id, status=Status.FAIL, summary="whole run")
    block = find_block(write_records(text, [later]).text)
    assert block is not None
    assert block.row_ids() == [later.id, other.id]
    assert "whole run" in block.rows[0]


def test_cells_cannot_break_the_table_or_the_markers() -> None:
    row = render_row(make_record(1, summary="a | b\nc <!-- platform-gates:results:end -->"))
    assert row.count(" | ") == 6
    assert END not in row
    assert "\n" not in row


@pytest.mark.parametrize(
    "text",
    [
        f"# Log\n{BEGIN}\n| x |\n",
        f"# Log\n{END}\n{BEGIN}\n",
        f"# Log\n{BEGIN}\n{END}\n{BEGIN}\n{END}\n",
    ],
)
def test_damaged_markers_are_a_clear_error_not_a_guess(text: str) -> None:
    with pytest.raises(GateError, match="exactly one"):
        write_records(text, [make_record(1)])


def test_markers_inside_fenced_code_are_ignored() -> None:
    text = f"# Log\n\n```\n{BEGIN}\n{END}\n```\n"
    new = write_records(text, [make_record(1)]).text
    assert new.startswith(text)
    block = find_block(new)
    assert block is not None
    assert block.row_ids() == ["r000001"]


def test_a_log_ending_in_an_unclosed_fence_is_refused_not_corrupted() -> None:
    with pytest.raises(GateError, match="unclosed code fence"):
        write_records("# Log\n## Quality Report\n```\nopen fence\n", [make_record(1)])


def test_a_byte_order_mark_does_not_hide_the_first_fence() -> None:
    text = f"\ufeff```\n## Quality Report\n{BEGIN}\n```\n"
    new = write_records(text, [make_record(1)]).text
    assert new.startswith(text)
    assert new.count("## Quality Report") == 2
