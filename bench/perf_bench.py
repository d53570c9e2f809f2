"""platform-perf on pure noise: how often it alarms when nothing changed, and what it adds to the benchmark.

    python bench/perf_bench.py [--trials 20] [--paired-trials 10] [--work DIR]

A real repository with five pytest-benchmark benchmarks (arithmetic, string building, sorting, a dict
round trip, a 1 ms sleep), measured with `--benchmark-max-time=0.1`. Nothing in it ever changes, so
every FAIL is a false alarm:

  baseline mode   three runs accepted with `platform-gates baseline perf` and committed; then TRIALS
                  times: the benchmarks run again, the gate judges them against the committed baseline
  paired mode     PAIRED_TRIALS times: the gate measures HEAD (its worktree) against the working tree,
                  3 rounds each, interleaved; the same code on both sides

Time the gate adds beyond the benchmark itself, alternating A B A B in one run:

  baseline mode   the gate's whole run (it does not run the benchmarks) against one benchmark run
  paired mode     the gate against the command run 6 times directly (3 rounds x 2 sides): the
                  difference is the worktree, the results and the statistics
  statistics      `compare` on 40 benchmarks x 200 samples a side, in-process
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hooks.adapters.benchmark_results import Benchmark
from hooks.adapters.perf_baseline import Reference
from hooks.perf import PerfSettings, compare

BIN = Path(sys.executable).parent
ENV = {key: value for key, value in os.environ.items() if not key.startswith(("PRE_COMMIT", "GITHUB_", "CI"))}
BENCH = """\
import time

from work import build, roundtrip, sort_numbers, total


def test_total(benchmark):
    benchmark(total)


def test_build(benchmark):
    benchmark(build)


def test_sort(benchmark):
    benchmark(sort_numbers)


def test_roundtrip(benchmark):
    benchmark(roundtrip)


def test_sleep(benchmark):
    benchmark(time.sleep, 0.001)
"""
WORK = """\
import json
import random

NUMBERS = [random.Random(1).random() for _ in range(2000)]


def total():
    return sum(range(5000))


def build():
    return "".join(str(n) for n in range(500))


def sort_numbers():
    return sorted(NUMBERS)


def roundtrip():
    return json.loads(json.dumps({str(n): n for n in range(200)}))
"""
COMMAND = [
    sys.executable,
    "-m",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "--benchmark-max-time=0.1",
    "bench",
]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=ENV
    ).stdout


def make_repo(root: Path) -> Path:
    repo = root / "repo"
    (repo / "bench").mkdir(parents=True)
    (repo / "work.py").write_text(WORK)
    (repo / "bench/test_work.py").write_text(BENCH)
    (repo / ".gitignore").write_text("*.json\n__pycache__/\n")
    git(repo, "init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "bench"),
        ("user.email", "bench@example.invalid"),
        ("commit.gpgsign", "false"),
    ):
        git(repo, "config", key, value)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "benchmarks")
    return repo


def run_benchmarks(repo: Path, output: str = "benchmarks.json") -> float:
    started = time.perf_counter()
    subprocess.run(
        [*COMMAND, f"--benchmark-json={output}"], cwd=repo, check=True, capture_output=True, env=ENV
    )
    return time.perf_counter() - started


def gate(repo: Path, *args: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "platform-perf"), *args], cwd=repo, capture_output=True, text=True, env=ENV
    )
    return result.returncode, result.stdout, time.perf_counter() - started


def baseline_trials(repo: Path, trials: int) -> tuple[int, list[str], list[tuple[float, float]]]:
    runs = []
    for index in range(3):
        run_benchmarks(repo, f"accepted-{index}.json")
        runs += ["--results", f"accepted-{index}.json"]
    subprocess.run([str(BIN / "platform-gates"), "baseline", "perf", *runs], cwd=repo, check=True, env=ENV,
                   capture_output=True)  # fmt: skip
    git(repo, "add", "-f", ".platform-gates/perf.baseline.json")
    git(repo, "commit", "-qm", "perf baseline")
    alarms, lines, pairs = 0, [], []
    for _ in range(trials):
        bench_s = run_benchmarks(repo)
        code, out, gate_s = gate(repo)
        pairs.append((gate_s, bench_s))
        if code != 0:
            alarms += 1
            lines += [line for line in out.splitlines() if ": " in line and "->" in line]
        if code not in (0, 1):
            raise SystemExit(f"the gate could not judge:\n{out}")
    return alarms, lines, pairs


def paired_trials(repo: Path, trials: int) -> tuple[int, list[str], list[tuple[float, float]]]:
    command = " ".join([*COMMAND, "--benchmark-json={output}"])
    alarms, lines, pairs = 0, [], []
    for _ in range(trials):
        code, out, gate_s = gate(repo, "--command", command)
        raw_s = sum(run_benchmarks(repo, "raw.json") for _ in range(6))
        pairs.append((gate_s, raw_s))
        if code != 0:
            alarms += 1
            lines += [line for line in out.splitlines() if ": " in line and "->" in line]
        if code not in (0, 1):
            raise SystemExit(f"the gate could not judge:\n{out}")
    return alarms, lines, pairs


def statistics_cost(repeats: int = 5) -> float:
    rng = random.Random(1)
    names = [f"b{index}" for index in range(40)]
    references = {
        n: Reference("s", "smaller", tuple(rng.gauss(1, 0.05) for _ in range(200)), ()) for n in names
    }
    current = {n: Benchmark(n, "s", "smaller", tuple(rng.gauss(1, 0.05) for _ in range(200))) for n in names}
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        compare(references, current, PerfSettings())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def describe(name: str, alarms: int, trials: int, pairs: list[tuple[float, float]], raw: str) -> None:
    gate_s = statistics.median(g for g, _ in pairs)
    raw_s = statistics.median(r for _, r in pairs)
    added = statistics.median(g - r for g, r in pairs)
    print(f"{name}: {alarms}/{trials} false alarms ({alarms / trials:.0%}), 5 benchmarks a trial")
    print(f"  gate {gate_s:.2f} s, {raw} {raw_s:.2f} s, difference (median of pairs) {added * 1000:+.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--paired-trials", type=int, default=10)
    parser.add_argument("--work", type=Path, help="keep the repository here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perf-bench-") as scratch:
        repo = make_repo(args.work or Path(scratch))
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        alarms, lines, pairs = baseline_trials(repo, args.trials)
        describe("baseline mode", alarms, args.trials, pairs, "one benchmark run")
        for line in lines:
            print(f"    {line}")
        alarms, lines, pairs = paired_trials(repo, args.paired_trials)
        describe("paired mode", alarms, args.paired_trials, pairs, "6 benchmark runs")
        for line in lines:
            print(f"    {line}")
        print(
            f"statistics: compare() on 40 benchmarks x 200 samples a side: {statistics_cost() * 1000:.0f} ms"
        )
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
        print(json.dumps({"python": sys.version.split()[0]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
