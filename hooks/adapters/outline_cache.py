"""Outlines of Markdown documents kept between runs, keyed by a hash of their text and the parser's
version, so it answers exactly what `parse_outline` would (DEC-009); a bad cache only costs a parse."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hooks.frame import markdown
from hooks.frame.files import replace_atomically
from hooks.frame.markdown import Heading, Outline, parse_outline, split_lines
from hooks.frame.state import STATE_DIR, state_dir

CACHE_FILE = "outlines.json"


class OutlineCache:
    """`outline(text)` as `parse_outline(text)` would return it; `save()` keeps what this run used."""

    def __init__(self, root: Path | None, entries: dict[str, Any] | None = None) -> None:
        self.root = root  # None: kept in memory only
        self._entries = entries or {}
        self._used: dict[str, Any] = {}
        self._changed = False

    @classmethod
    def load(cls, root: Path) -> OutlineCache:
        version = parser_version()
        if version is None:
            return cls(None)
        try:
            data = json.loads((root / STATE_DIR / CACHE_FILE).read_bytes())
        except (OSError, ValueError):
            return cls(root)
        if not isinstance(data, dict) or data.get("parser") != version:
            return cls(root)
        entries = data.get("outlines")
        return cls(root, entries if isinstance(entries, dict) else None)

    def outline(self, text: str) -> Outline:
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        entry = self._entries.get(key)
        if entry is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                outline = _from_entry(text, entry)
                self._used[key] = entry
                return outline
        outline = parse_outline(text)
        self._used[key] = _to_entry(outline)
        self._changed = True
        return outline

    def save(self) -> None:
        """Write the entries this run used (so deleted or edited documents drop out); errors are ignored."""
        if self.root is None or not (self._changed or len(self._used) != len(self._entries)):
            return
        data = json.dumps({"parser": parser_version(), "outlines": self._used}, separators=(",", ":"))
        # Concurrent runs each write a file of their own and rename it into place: the last one wins whole.
        with contextlib.suppress(OSError):
            directory = state_dir(self.root)
            replace_atomically(directory / CACHE_FILE, data.encode(), scratch=directory)


@functools.cache
def parser_version() -> str | None:
    """markdown-it's version and a hash of our code that turns its tokens into outlines and entries.

    None when that code cannot be read (a zip import, say): then nothing is cached.
    """
    from markdown_it import __version__

    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    try:
        for source in (markdown.__file__, __file__):
            digest.update(Path(source).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _to_entry(outline: Outline) -> dict[str, Any]:
    return {
        "headings": [[h.level, h.title, h.line, h.end_line] for h in outline.headings],
        "code": _ranges(outline.code_lines),
        "html": [list(block) for block in outline.html_blocks],
    }


def _from_entry(text: str, entry: dict[str, Any]) -> Outline:
    """The outline an entry holds; a ValueError when a line number is out of the text's range."""
    lines = split_lines(text)

    def line(value: object) -> int:
        number = int(str(value))
        if not 0 <= number <= len(lines):
            raise ValueError(f"line {number} is outside the text")
        return number

    code: set[int] = set()
    for start, end in entry["code"]:
        code.update(range(line(start), line(end)))
    return Outline(
        lines=tuple(lines),
        headings=tuple(Heading(int(a), str(b), line(c), line(d)) for a, b, c, d in entry["headings"]),
        code_lines=frozenset(code),
        html_blocks=tuple((line(a), line(b), str(c)) for a, b, c in entry["html"]),
    )


def _ranges(lines: Iterable[int]) -> list[list[int]]:
    """`{3, 4, 5, 9}` → `[[3, 6], [9, 10]]` (end exclusive)."""
    ranges: list[list[int]] = []
    for line in sorted(lines):
        if ranges and ranges[-1][1] == line:
            ranges[-1][1] = line + 1
        else:
            ranges.append([line, line + 1])
    return ranges
