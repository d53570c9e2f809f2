from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.frame.errors import GateError
from hooks.frame.markdown import (
    find_section,
    heading_matches,
    link_targets,
    normalize_heading,
    parse_header,
    parse_outline,
    split_lines,
)
from hooks.frame.platform_mode import is_terminal_status, parse_date, status_word
from tests.util import LOG


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("3. Implementation Execution Log", "implementation execution log"),
        ("✅ Requirements Review", "requirements review"),
        ("6. Decision Log and Lessons Learned", "decision log and lessons learned"),
        ("4.2) 📊 Quality Report:", "quality report"),
        ("IV. Validation Report", "validation report"),
        ("Quality-Report (automated)", "quality report automated"),
    ],
)
def test_normalize_heading_strips_numbering_emoji_and_punctuation(title: str, expected: str) -> None:
    assert normalize_heading(title) == expected


@pytest.mark.parametrize(
    ("title", "section", "expected"),
    [
        ("3. Implementation Execution Log", "Implementation Log", True),
        ("6. Decision Log and Lessons Learned", "Decision Log", True),
        ("6. Decision Log and Lessons Learned", "Lessons Learned", True),
        ("## Log of Implementation", "Implementation Log", False),
        ("Quality Assurance and Validation", "Quality Report", True),  # a synonym real logs use
        ("Implementation Validation and Verification", "Validation Report", True),
        ("Quality Gate Definition", "Quality Report", False),
        ("QUALITY report", "Quality Report", True),
    ],
)
def test_heading_matches_section_words_in_order(title: str, section: str, expected: bool) -> None:
    assert heading_matches(title, section) is expected


def test_alias_makes_another_heading_count() -> None:
    assert heading_matches("4. Quality Assurance and Validation", "Quality Report", ["Quality Assurance"])


def test_headings_inside_fenced_code_are_not_headings() -> None:
    text = "# Top\n\n```markdown\n## Quality Report\n```\n\n~~~\n## Decision Log\n~~~\n## Real\n"
    outline = parse_outline(text)
    assert [h.title for h in outline.headings] == ["Top", "Real"]
    assert find_section(outline, "Quality Report") is None
    assert outline.code_lines == {2, 3, 4, 6, 7, 8}


def test_section_ends_at_the_next_heading_of_the_same_or_higher_level() -> None:
    outline = parse_outline("# T\n## A\n### A.1\ntext\n## B\n")
    spans = {h.title: (h.line, h.end_line) for h in outline.headings}
    assert spans == {"T": (0, 5), "A": (1, 4), "A.1": (2, 4), "B": (4, 5)}


def test_split_lines_agrees_with_markdown_it_on_line_breaks() -> None:
    text = "a\r\nb\rc\nd\x0ce\u2028f"
    assert split_lines(text) == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f"]


def test_header_block_of_a_real_world_log() -> None:
    header = parse_header(LOG)
    assert header.get("Document ID") == "execution001.execution.md"
    assert header.get("status") == "IN PROGRESS"
    assert header.fields["references"].line == 6
    assert link_targets(header.get("references") or "") == ["../plans/plan001.plan.md"]


def test_header_stops_at_the_first_second_level_heading() -> None:
    header = parse_header("# T\n**Status**: OPEN\n## Body\n**Owner**: someone\n")
    assert header.get("owner") is None


def test_front_matter_gives_the_same_keys() -> None:
    text = "---\nstatus: COMPLETE\nplan: ../plans/plan001.plan.md\ncreated: 2025-10-25\n---\n# Log\n"
    header = parse_header(text)
    assert header.front_matter
    assert header.get("status") == "COMPLETE"
    assert header.get("created") == "2025-10-25"


@pytest.mark.parametrize(
    "text",
    ["---\nstatus: [unclosed\n---\n", "---\n- a\n- b\n---\n", "---\nstatus: open\n"],
)
def test_malformed_front_matter_is_a_one_line_error(text: str) -> None:
    with pytest.raises(GateError) as info:
        parse_header(text, "execution001.execution.md")
    assert "\n" not in str(info.value)
    assert "execution001.execution.md" in str(info.value)


@pytest.mark.parametrize(
    ("value", "word", "terminal"),
    [
        ("IN PROGRESS", "IN PROGRESS", False),
        ("✅ Complete", "COMPLETE", True),
        ("COMPLETED - all stories done", "COMPLETED - ALL STORIES DONE", True),
        ("Superseded by execution002", "SUPERSEDED BY EXECUTION002", True),
        ("Sprint Planning Complete", "SPRINT PLANNING COMPLETE", False),
        (None, "", False),
    ],
)
def test_status_words(value: str | None, word: str, terminal: bool) -> None:
    assert status_word(value) == word
    assert is_terminal_status(value) is terminal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-25", dt.date(2025, 10, 25)),
        ("October 25, 2025", dt.date(2025, 10, 25)),
        ("Oct 5, 2025", dt.date(2025, 10, 5)),
        ("2025-10-25T10:00:00+00:00", dt.date(2025, 10, 25)),
        ("soon", None),
    ],
)
def test_parse_date_reads_iso_and_prose(value: str, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


_markdownish = st.lists(
    st.sampled_from([*"#*-:`~ \n\r\t|>[]()!_09aZ", "**Status**: ", "---\n", "```\n", "## ", "✅", "é"]),
    max_size=120,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(_markdownish, st.text(max_size=200)))
def test_parsers_never_fail_but_with_a_gate_error(text: str) -> None:
    try:
        header = parse_header(text, "fuzz.md")
    except GateError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(field.line >= 1 for field in header.fields.values())
    outline = parse_outline(text)
    assert "".join(outline.lines) == text
    for heading in outline.headings:
        assert 0 <= heading.line < heading.end_line <= len(outline.lines)
        assert heading.line not in outline.code_lines


_BREAKS = st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\u2028", "\x85", "é"])


@given(st.lists(_BREAKS).map("".join))
def test_split_lines_breaks_only_at_cr_lf_and_crlf(text: str) -> None:
    lines = split_lines(text)
    assert "".join(lines) == text
    for line, following in itertools.pairwise([*lines, ""]):
        body = line.removesuffix("\n").removesuffix("\r")
        assert "\n" not in body and "\r" not in body
        assert line.endswith(("\n", "\r")) or not following
        assert not (line.endswith("\r") and following.startswith("\n"))
