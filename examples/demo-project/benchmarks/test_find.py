"""Performance baseline of FR-002 (find by tag): platform-perf judges these results."""

from bookmarks.store import BookmarkStore

STORE = BookmarkStore()
for number in range(1000):
    tag = "news" if number % 3 == 0 else "docs"
    STORE.save(f"https://example.com/{number}", f"Page {number}", {tag})


def test_find_by_tag(benchmark) -> None:
    found = benchmark(STORE.find, "news")
    assert len(found) == 334
