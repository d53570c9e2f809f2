from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hooks.frame.baseline import find_baseline, load_baseline, new_findings, write_baseline
from hooks.frame.errors import GateError
from tests.util import write

A: tuple[str, ...] = ("app.py", "E711", "Comparison to `None`")
B: tuple[str, ...] = ("lib.py", "B101", "Use of assert detected.")


def keep(key: tuple[str, ...]) -> tuple[str, ...]:
    return key


def test_a_saved_baseline_loads_back_with_its_counts(tmp_path: Path) -> None:
    path = tmp_path / ".platform-gates/lint.baseline.json"
    assert write_baseline(path, "platform-lint", [A, B, A]) == 3
    assert load_baseline(path, "x") == collections.Counter({A: 2, B: 1})
    data = json.loads(path.read_text())
    assert data["gate"] == "platform-lint"
    assert data["findings"] == [{"key": list(A), "count": 2}, {"key": list(B), "count": 1}]


def test_the_same_findings_write_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    write_baseline(first, "platform-security", [B, A, A])
    write_baseline(second, "platform-security", [A, B, A])
    assert first.read_bytes() == second.read_bytes()  # sorted: a re-run makes no diff to commit


@pytest.mark.parametrize(
    ("findings", "baseline", "fresh", "excused"),
    [
        ([A], {A: 1}, [], 1),
        ([A, A], {A: 1}, [A], 1),  # one entry excuses one finding, not its twin
        ([A, A, A], {A: 2}, [A], 2),
        ([A, B], {A: 5}, [B], 1),
        ([], {A: 1}, [], 0),
        ([A], {}, [A], 0),
    ],
)
def test_n_identical_entries_excuse_at_most_n_findings(
    findings: list[tuple[str, ...]],
    baseline: dict[tuple[str, ...], int],
    fresh: list[tuple[str, ...]],
    excused: int,
) -> None:
    assert new_findings(findings, keep, collections.Counter(baseline)) == (fresh, excused)


def test_matching_leaves_the_baseline_itself_untouched() -> None:
    baseline = collections.Counter({A: 1})
    new_findings([A, A], keep, baseline)
    assert baseline == collections.Counter({A: 1})


keys = st.tuples(st.sampled_from(["a.py", "b.py"]), st.sampled_from(["E1", "E2"]), st.just("m"))


@given(st.lists(keys), st.dictionaries(keys, st.integers(min_value=1, max_value=3)))
def test_every_finding_is_either_new_or_excused_within_its_allowance(
    findings: list[tuple[str, ...]], allowance: dict[tuple[str, ...], int]
) -> None:
    fresh, excused = new_findings(findings, keep, collections.Counter(allowance))
    assert len(fresh) + excused == len(findings)
    seen, reported = collections.Counter(findings), collections.Counter(fresh)
    for key, count in seen.items():
        assert reported[key] == max(0, count - allowance.get(key, 0))


def test_no_baseline_file_means_no_baseline(tmp_path: Path) -> None:
    assert find_baseline(tmp_path, None, tmp_path / ".platform-gates/lint.baseline.json") is None


def test_the_default_file_is_used_when_it_exists(tmp_path: Path) -> None:
    default = tmp_path / ".platform-gates/lint.baseline.json"
    write_baseline(default, "platform-lint", [A])
    assert find_baseline(tmp_path, None, default) == collections.Counter({A: 1})


def test_a_named_baseline_wins_and_is_read_relative_to_the_root(tmp_path: Path) -> None:
    default = tmp_path / ".platform-gates/lint.baseline.json"
    write_baseline(default, "platform-lint", [A])
    write_baseline(tmp_path / "ci/lint.json", "platform-lint", [B])
    assert find_baseline(tmp_path, "ci/lint.json", default) == collections.Counter({B: 1})
    absolute = str(tmp_path / "ci/lint.json")
    assert find_baseline(tmp_path, absolute, default) == collections.Counter({B: 1})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "baseline b.json does not exist"),
        ("{not json", "baseline b.json is not a platform-gates baseline: "),
        (
            '{"version": 99, "findings": []}',
            "baseline b.json is not a platform-gates baseline: unknown format",
        ),
        (
            '{"version": 1, "findings": [{"key": ["a"]}]}',
            "baseline b.json is not a platform-gates baseline: ",
        ),
        ('{"results": []}', "baseline b.json is not a platform-gates baseline: "),  # bandit's own format
    ],
)
def test_a_named_baseline_that_is_missing_or_not_a_baseline_is_a_gate_error(
    tmp_path: Path, text: str | None, reason: str
) -> None:
    if text is not None:
        write(tmp_path / "b.json", text)
    with pytest.raises(GateError) as error:
        find_baseline(tmp_path, "b.json", tmp_path / "default.json")
    assert str(error.value).startswith(reason)
