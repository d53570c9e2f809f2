import pytest

from bookmarks.store import BookmarkStore


def test_save_and_find_by_tag() -> None:
    store = BookmarkStore()
    store.save("https://example.com", "Example", {"docs"})
    assert [b.title for b in store.find("docs")] == ["Example"]


def test_only_web_addresses() -> None:
    with pytest.raises(ValueError):
        BookmarkStore().save("ftp://example.com", "x")


def test_remove() -> None:
    store = BookmarkStore()
    store.save("https://example.com", "")
    assert store.remove("https://example.com")
    assert not store.remove("https://example.com")
