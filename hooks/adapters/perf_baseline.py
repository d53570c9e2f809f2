"""The performance baseline, `.platform-gates/perf.baseline.json`: per machine and benchmark, the unit,
the direction, the samples of the last accepted run and the medians of the newest accepted runs (the
noise between runs is the noise that matters). Only `platform-gates baseline perf` writes it."""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from hooks.adapters.benchmark_results import Benchmark, thin
from hooks.frame.errors import GateError
from hooks.frame.files import replace_atomically

FORMAT_VERSION = 1
KEEP_RUNS = 20  # run medians kept per benchmark


class Reference(NamedTuple):
    """What a benchmark is compared with: a baseline entry, or the base revision measured in this run."""

    unit: str
    direction: str
    samples: tuple[float, ...]
    run_medians: tuple[float, ...]  # one per run; three or more measure the noise between runs


def machine() -> str:
    """This machine as a baseline names it: CPU model, cores, OS and Python (`AMD EPYC, 2 cores, Linux,
    CPython 3.11`). Results of another machine are not comparable."""
    python = f"{platform.python_implementation()} {'.'.join(platform.python_version_tuple()[:2])}"
    return f"{_cpu_model()}, {os.cpu_count() or 1} cores, {platform.system()}, {python}"


def _cpu_model() -> str:
    try:  # Linux names the model here; platform.processor() is often empty there
        with Path("/proc/cpuinfo").open(encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def parse_baseline(text: str, rel: str) -> dict[str, dict[str, Reference]]:
    """Machine → benchmark name → reference; a GateError when the text is not a perf baseline."""
    try:
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION or data.get("gate") != "platform-perf":
            raise ValueError("unknown format")
        return {
            name: {
                bench: Reference(
                    str(entry["unit"]),
                    str(entry["direction"]),
                    tuple(float(v) for v in entry["samples"]),
                    tuple(float(v) for v in entry["medians"]),
                )
                for bench, entry in benchmarks.items()
            }
            for name, benchmarks in data["machines"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise GateError(f"baseline {rel} is not a platform-perf baseline: {exc}") from exc


def accepted(
    previous: Mapping[str, dict[str, Reference]], here: str, runs: Iterable[Sequence[Benchmark]]
) -> dict[str, dict[str, Reference]]:
    """The baseline after accepting `runs` (oldest first) on the machine `here`: each benchmark keeps the
    last run's samples and adds its median to the newest KEEP_RUNS; benchmarks no run measured leave it."""
    own: dict[str, Reference] = {}
    for run in runs:
        for benchmark in run:
            known = own.get(benchmark.name) or previous.get(here, {}).get(benchmark.name)
            medians: tuple[float, ...] = ()
            if known is not None and (known.unit, known.direction) == (benchmark.unit, benchmark.direction):
                medians = known.run_medians
            median = statistics.median(benchmark.samples)
            own[benchmark.name] = Reference(
                benchmark.unit,
                benchmark.direction,
                tuple(thin(benchmark.samples)),
                (*medians, median)[-KEEP_RUNS:],
            )
    return {**previous, here: own}


def write_baseline(path: Path, machines: Mapping[str, Mapping[str, Reference]]) -> None:
    data: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "gate": "platform-perf",
        "machines": {
            name: {
                bench: {
                    "unit": ref.unit,
                    "direction": ref.direction,
                    "samples": list(ref.samples),
                    "medians": list(ref.run_medians),
                }
                for bench, ref in sorted(benchmarks.items())
            }
            for name, benchmarks in sorted(machines.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, (json.dumps(data, indent=1) + "\n").encode())
