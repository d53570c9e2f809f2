from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.adapters import outline_cache
from hooks.adapters.outline_cache import CACHE_FILE, OutlineCache
from hooks.frame.markdown import Outline, parse_outline
from tests.traceability_test import REAL_WORLD_LOG
from tests.util import LOG, git

CACHE = f".platform-gates/state/{CACHE_FILE}"
LINES = st.sampled_from(
    [
        "# Title",
        "## 3. Implementation Execution Log",
        "#### ✅ Decision DEC-001: x",
        "```",
        "~~~markdown",
        "    indented",
        "- [ ] FR-001",
        "1. item",
        "   - nested",
        "<!-- comment",
        "-->",
        "<details>",
        "Setext",
        "===",
        "---",
        "> quote",
        "| a | b |",
        "",
        "text FR-002.1",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_cached_outline_is_the_parsed_outline(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], nl: str
) -> None:
    root = tmp_path_factory.mktemp("cache")
    text = nl.join(lines)
    cold = OutlineCache.load(root)
    assert cold.outline(text) == parse_outline(text)
    cold.save()
    assert OutlineCache.load(root).outline(text) == parse_outline(text)


def test_a_warm_cache_does_not_parse_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = OutlineCache.load(tmp_path)
    expected = [cache.outline(LOG), cache.outline(REAL_WORLD_LOG)]
    cache.save()

    def no_parse(text: str) -> Outline:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(outline_cache, "parse_outline", no_parse)
    warm = OutlineCache.load(tmp_path)
    assert [warm.outline(LOG), warm.outline(REAL_WORLD_LOG)] == expected


def test_save_keeps_only_what_the_run_used(tmp_path: Path) -> None:
    cache = OutlineCache.load(tmp_path)
    cache.outline(LOG)
    cache.outline(REAL_WORLD_LOG)
    cache.save()
    second = OutlineCache.load(tmp_path)
    second.outline(LOG)
    second.save()
    assert len(json.loads((tmp_path / CACHE).read_text())["outlines"]) == 1


def test_the_cache_lives_in_the_ignored_state_directory(repo: Path) -> None:
    cache = OutlineCache.load(repo)
    cache.outline(LOG)
    cache.save()
    assert (repo / CACHE).is_file()
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"[]",
        b'{"parser": "another markdown-it or another parse_outline", "outlines": {}}',
        b'{"parser": "%s", "outlines": {"x": 1}}',
        b'{"parser": "%s", "outlines": []}',
    ],
)
def test_a_corrupt_or_stale_cache_is_a_parse_not_an_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / CACHE
    path.parent.mkdir(parents=True)
    path.write_bytes(content.replace(b"%s", str(outline_cache.parser_version()).encode()))
    assert OutlineCache.load(tmp_path).outline(LOG) == parse_outline(LOG)


@pytest.mark.parametrize(
    "damage",
    [
        {"headings": [["x"]]},
        {"code": [[0, 10**12]]},  # a line far past the end: parsed again, not a huge range
        {"html": [[-1, 2, "<!-- -->"]]},
        {"headings": None},
    ],
)
def test_a_damaged_entry_is_parsed_again(tmp_path: Path, damage: dict[str, object]) -> None:
    cache = OutlineCache.load(tmp_path)
    cache.outline(LOG)
    cache.save()
    path = tmp_path / CACHE
    data = json.loads(path.read_text())
    for entry in data["outlines"].values():
        entry.update(damage)
    path.write_text(json.dumps(data))
    assert OutlineCache.load(tmp_path).outline(LOG) == parse_outline(LOG)


def test_an_unwritable_state_directory_only_costs_the_cache(tmp_path: Path) -> None:
    (tmp_path / ".platform-gates").write_text("a file where the state directory would be\n")
    cache = OutlineCache.load(tmp_path)
    assert cache.outline(LOG) == parse_outline(LOG)
    cache.save()
    assert OutlineCache.load(tmp_path).outline(LOG) == parse_outline(LOG)


def _run_with_cache(root: str, index: int) -> bool:
    texts = [LOG, REAL_WORLD_LOG, f"{LOG}\n#### entry {index}\n"]
    cache = OutlineCache.load(Path(root))
    same = all(cache.outline(text) == parse_outline(text) for text in texts)
    cache.save()
    return same


def test_concurrent_runs_never_leave_a_broken_cache(tmp_path: Path) -> None:
    with ProcessPoolExecutor(4) as pool:
        assert all(pool.map(_run_with_cache, [str(tmp_path)] * 40, range(40)))
    data = json.loads((tmp_path / CACHE).read_text())
    assert data["parser"] == outline_cache.parser_version()
    assert len(data["outlines"]) == 3  # the last writer's entries, whole
    assert list((tmp_path / ".platform-gates/state").glob("*.tmp")) == []
