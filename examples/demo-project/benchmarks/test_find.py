"""Performance baseline of FR-002 (find by tag): platform-perf judges these results."""

from bookmarks.store import BookmarkStore

STORE = BookmarkStore()
for number in range(1000):
    STORE.save(f"https://example.com/{number}", f"Page {number}", {"docs" if number % 3 else "news"})


def test_find_by_tag(benchmark) -> None:
    found = benchmark(STORE.find, "news")
    assert len(found) == 334
