"""Benchmark results as the tools write them: pytest-benchmark's `--benchmark-json`, hyperfine's
`--export-json`, and a generic list (github-action-benchmark's custom format, plus samples) for response
times, memory or sizes. Each becomes named samples with a unit and a direction."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hooks.frame.errors import GateError

SMALLER, BIGGER = "smaller", "bigger"  # which way is better
MAX_SAMPLES = 200  # samples kept per benchmark and side: evenly spaced order statistics beyond that
_EXPECTED = (
    "pytest-benchmark --benchmark-json, hyperfine --export-json, "
    'or a list of {"name", "unit", "value" or "samples", "direction"}'
)


@dataclasses.dataclass(frozen=True)
class Benchmark:
    name: str
    unit: str
    direction: str  # SMALLER or BIGGER is better
    samples: tuple[float, ...]
    runs: int = 1  # how many runs the samples were pooled from

    def __add__(self, other: Benchmark) -> Benchmark:
        """The same benchmark measured in another run: the samples pooled."""
        if (other.unit, other.direction) != (self.unit, self.direction):
            raise GateError(
                f"benchmark {self.name!r} is in {self.unit} ({self.direction} is better) in one results "
                f"file and in {other.unit} ({other.direction} is better) in another"
            )
        return dataclasses.replace(self, samples=self.samples + other.samples, runs=self.runs + other.runs)


def read_results(path: Path, rel: str) -> list[Benchmark]:
    """The benchmarks of one results file; a GateError naming the file and what was expected otherwise."""
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise GateError(f"cannot read {rel} ({exc.strerror or exc})") from exc
    except ValueError as exc:
        raise GateError(f"{rel} is not JSON ({exc}); expected {_EXPECTED}") from exc
    try:
        benchmarks = _parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise GateError(f"{rel} is not benchmark results ({_reason(exc)}); expected {_EXPECTED}") from exc
    if not benchmarks:
        raise GateError(f"{rel} holds no benchmarks; expected {_EXPECTED}")
    return benchmarks


def _reason(exc: Exception) -> str:
    return f"no {exc}" if isinstance(exc, KeyError) else str(exc)


def _parse(data: Any) -> list[Benchmark]:
    if isinstance(data, dict) and "benchmarks" in data:
        return [_pytest_benchmark(entry) for entry in data["benchmarks"]]
    if isinstance(data, dict) and "results" in data:
        return [_hyperfine(entry) for entry in data["results"]]
    if isinstance(data, list):
        return [_generic(entry) for entry in data]
    raise ValueError("neither a pytest-benchmark, a hyperfine nor a generic results file")


def _pytest_benchmark(entry: dict[str, Any]) -> Benchmark:
    """The per-round times of `stats.data` (with `--benchmark-save-data`), else the median alone."""
    stats = entry["stats"]
    samples = stats.get("data") or [stats["median"]]
    return Benchmark(str(entry["fullname"]), "s", SMALLER, _numbers(samples, entry["fullname"]))


def _hyperfine(entry: dict[str, Any]) -> Benchmark:
    return Benchmark(str(entry["command"]), "s", SMALLER, _numbers(entry["times"], entry["command"]))


def _generic(entry: dict[str, Any]) -> Benchmark:
    name = entry["name"]
    if not isinstance(name, str) or not name:
        raise ValueError(f"a benchmark name must be a text, got {name!r}")
    direction = entry.get("direction", SMALLER)
    if direction not in (SMALLER, BIGGER):
        raise ValueError(f'{name}: direction must be "smaller" or "bigger", got {direction!r}')
    samples = entry["samples"] if "samples" in entry else [entry["value"]]
    return Benchmark(name, str(entry.get("unit", "")), direction, _numbers(samples, name))


def _numbers(values: Any, name: object) -> tuple[float, ...]:
    if not isinstance(values, list) or not values:
        raise ValueError(f"{name}: samples must be a non-empty list of numbers")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        raise ValueError(f"{name}: samples must be finite numbers")
    return tuple(float(value) for value in values)


def pooled(runs: Iterable[Sequence[Benchmark]]) -> dict[str, Benchmark]:
    """The benchmarks of several runs (or files) by name, the samples of one name pooled."""
    merged: dict[str, Benchmark] = {}
    for run in runs:
        for benchmark in run:
            known = merged.get(benchmark.name)
            merged[benchmark.name] = benchmark if known is None else known + benchmark
    return merged


def thin(samples: Sequence[float], limit: int = MAX_SAMPLES) -> list[float]:
    """At most `limit` samples: evenly spaced order statistics (min and max kept), which keep the shape of
    the distribution; fewer samples are returned sorted, as they are."""
    ordered = sorted(samples)
    if len(ordered) <= limit:
        return ordered
    step = (len(ordered) - 1) / (limit - 1)
    return [ordered[round(index * step)] for index in range(limit)]
