"""Reading platform-mode Markdown: the header block, front matter, headings and sections, with
markdown-it-py's block pass, so markers inside fenced code are not mistaken for real ones (DEC-002)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks.frame.errors import GateError
from hooks.frame.platform_mode import section_names, strip_symbols

if TYPE_CHECKING:  # markdown-it is imported when a document is parsed, not when a gate starts
    from markdown_it import MarkdownIt

# markdown-it's own idea of a line break; str.splitlines() also splits on these others.
_NEWLINE = re.compile(r"\r\n|\r|\n")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BOLD_FIELD = re.compile(r"^\s*\*\*(?P<key>[^*\n]+?):?\*\*:?[ \t]*(?P<value>.*?)\s*$")
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[ivxlc]+[.)]|[a-z][.)])\s+", re.IGNORECASE)


class Heading(NamedTuple):
    level: int
    title: str
    line: int  # 0-based line of the heading itself
    end_line: int  # 0-based line where its section ends (next heading of the same or higher level)

    @property
    def words(self) -> tuple[str, ...]:
        """The title's words, numbering, emoji and punctuation stripped."""
        return _title_words(self.title)


@functools.lru_cache(maxsize=4096)
def _title_words(title: str) -> tuple[str, ...]:
    return tuple(normalize_heading(title).split())


class Outline(NamedTuple):
    """What the block parser saw: headings with their section spans, code lines and HTML blocks."""

    lines: tuple[str, ...]  # with their own line endings
    headings: tuple[Heading, ...]
    code_lines: frozenset[int]
    html_blocks: tuple[tuple[int, int, str], ...]  # (first line, end line, content)

    def line_offset(self, line: int) -> int:
        return sum(len(text) for text in self.lines[:line])


class HeaderField(NamedTuple):
    value: str
    line: int  # 1-based, for messages


class Header(NamedTuple):
    """The `**Field**: value` block (or YAML front matter) before the first `##` heading."""

    fields: dict[str, HeaderField]
    front_matter: bool

    def get(self, key: str) -> str | None:
        field = self.fields.get(normalize_key(key))
        return field.value if field else None


def split_lines(text: str) -> list[str]:
    """Lines with their endings kept, split exactly where markdown-it splits them."""
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)  # the same split, in C: most logs take this path
    lines: list[str] = []
    start = 0
    for match in _NEWLINE.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


@functools.cache
def _block_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable(["inline", "text_join"])


@functools.cache
def _inline_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def parse_outline(text: str) -> Outline:
    lines = split_lines(text)
    # A byte-order mark would hide a fence or heading on the first line; a space keeps every offset.
    tokens = _block_parser().parse(" " + text[1:] if text.startswith("\ufeff") else text)
    raw: list[tuple[int, str, int]] = []
    code: set[int] = set()
    html: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open":
            raw.append((int(token.tag[1]), tokens[index + 1].content, start))
        elif token.type in ("fence", "code_block"):
            code.update(range(start, end))
        elif token.type == "html_block":
            html.append((start, end, token.content))
    headings = []
    for position, (level, title, line) in enumerate(raw):
        end_line = next((other for lvl, _, other in raw[position + 1 :] if lvl <= level), len(lines))
        headings.append(Heading(level, title, line, end_line))
    return Outline(tuple(lines), tuple(headings), frozenset(code), tuple(html))


def normalize_heading(title: str) -> str:
    """`## 3. ✅ Implementation Execution Log:` → `implementation execution log`."""
    kept = "".join(
        char if unicodedata.category(char)[0] in "LN" else " "
        for char in _NUMBERING.sub("", strip_symbols(title))
    )
    return " ".join(kept.lower().split())


def heading_matches(title: str, section: str, aliases: Iterable[str] = ()) -> bool:
    """The heading holds the section's words (or a synonym's, or an alias's) in order, case-insensitively."""
    return _matches_words(tuple(normalize_heading(title).split()), section_names(section, aliases))


@functools.lru_cache(maxsize=256)
def _section_words(name: str) -> tuple[str, ...]:
    return tuple(normalize_heading(name).split())


def _matches_words(words: Sequence[str], names: Iterable[str]) -> bool:
    return any(_in_order(_section_words(name), words) for name in names)


def _in_order(needles: Sequence[str], haystack: Sequence[str]) -> bool:
    remaining = iter(haystack)
    return all(any(word == candidate for candidate in remaining) for word in needles)


def find_section(outline: Outline, section: str, aliases: Iterable[str] = ()) -> Heading | None:
    names = section_names(section, aliases)
    return next((h for h in outline.headings if _matches_words(h.words, names)), None)


def normalize_key(key: str) -> str:
    return " ".join(key.replace("_", " ").replace("-", " ").lower().split())


def parse_header(text: str, name: str = "document") -> Header:
    """The header block of a platform-mode document; malformed front matter is a GateError."""
    lines = split_lines(text.removeprefix("\ufeff"))
    if lines and lines[0].rstrip("\r\n") == "---":
        return _front_matter(lines, name)
    fields: dict[str, HeaderField] = {}
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            break
        match = _BOLD_FIELD.match(line)
        if match:
            fields.setdefault(normalize_key(match["key"]), HeaderField(match["value"], number))
    return Header(fields, front_matter=False)


def _front_matter(lines: list[str], name: str) -> Header:
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip("\r\n") == "---"), None)
    if closing is None:
        raise GateError(f"{name}: front matter opened with '---' is never closed")
    import yaml  # only logs with front matter pay for it

    try:
        data = yaml.safe_load("".join(lines[1:closing]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise GateError(f"{name}: malformed front matter{where}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise GateError(f"{name}: front matter must be a mapping of keys to values")
    fields = {
        normalize_key(str(key)): HeaderField(_scalar(value), 2 + index)
        for index, (key, value) in enumerate(data.items())
    }
    return Header(fields, front_matter=True)


def _scalar(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_scalar(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def link_targets(value: str) -> list[str]:
    """The link destinations in one line of Markdown (`[plan](../plans/plan001.plan.md)`)."""
    targets: list[str] = []
    for token in _inline_parser().parseInline(value):
        targets.extend(
            str(child.attrs["href"])
            for child in token.children or ()
            if child.type == "link_open" and "href" in child.attrs
        )
    return targets
