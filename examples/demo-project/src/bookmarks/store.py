"""Save, find and remove bookmarks in memory (FR-001, FR-002)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse


@dataclass(frozen=True)
class Bookmark:
    url: str
    title: str
    tags: frozenset[str] = field(default_factory=frozenset)


class BookmarkStore:
    def __init__(self) -> None:
        self._items: dict[str, Bookmark] = {}

    def save(self, url: str, title: str, tags: set[str] | None = None) -> Bookmark:
        if urlparse(url).scheme not in ("http", "https"):
            raise ValueError(f"not a web address: {url}")
        bookmark = Bookmark(url, title.strip() or url, frozenset(tags or ()))
        self._items[url] = bookmark
        return bookmark

    def find(self, tag: str) -> list[Bookmark]:
        return sorted((b for b in self._items.values() if tag in b.tags), key=lambda b: b.title)

    def remove(self, url: str) -> bool:
        return self._items.pop(url, None) is not None
