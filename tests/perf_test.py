from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scipy.stats import mannwhitneyu

from hooks.adapters.benchmark_results import Benchmark, read_results, thin
from hooks.adapters.perf_baseline import KEEP_RUNS, Reference, machine
from hooks.adapters.significance import holm, mann_whitney_greater, robust_cv
from hooks.frame.record import Status
from hooks.perf import Comparison, PerfSettings, compare, judge, main
from tests.util import (
    PRE_COMMIT,
    add_platform_mode,
    commit,
    git,
    git_through_hooks,
    install_hooks,
    run_cli,
    try_repo,
    write,
)

BASELINE = ".platform-gates/perf.baseline.json"


# --- the statistics, against scipy ---------------------------------------------------------------


@pytest.mark.parametrize(("n1", "n2"), [(1, 6), (5, 5), (6, 9), (12, 19), (19, 19)])
@pytest.mark.parametrize("seed", range(5))
def test_exact_mann_whitney_equals_scipy(n1: int, n2: int, seed: int) -> None:
    rng = random.Random(seed * 100 + n1 * 7 + n2)
    x = [rng.gauss(0.4, 1) for _ in range(n1)]
    y = [rng.gauss(0, 1) for _ in range(n2)]
    u, p = mann_whitney_greater(x, y)
    theirs = mannwhitneyu(x, y, alternative="greater", method="exact")
    assert u == theirs.statistic
    assert p == pytest.approx(theirs.pvalue, rel=1e-12)


@pytest.mark.parametrize(
    ("n1", "n2", "levels"), [(20, 20, 0), (35, 50, 0), (200, 180, 0), (8, 9, 4), (30, 25, 6), (200, 200, 10)]
)
@pytest.mark.parametrize("seed", range(4))
def test_approximate_mann_whitney_with_ties_equals_scipy(n1: int, n2: int, levels: int, seed: int) -> None:
    """Normal approximation from 20 samples a side, and whenever values tie (`levels`: integer values)."""
    rng = random.Random(seed * 1000 + n1 + n2 + levels)

    def draw(shift: float) -> float:
        return float(rng.randint(0, levels) + (shift > rng.random())) if levels else rng.gauss(shift, 1)

    x = [draw(0.3) for _ in range(n1)]
    y = [draw(0.0) for _ in range(n2)]
    u, p = mann_whitney_greater(x, y)
    theirs = mannwhitneyu(x, y, alternative="greater", method="asymptotic")
    assert u == theirs.statistic
    assert p == pytest.approx(theirs.pvalue, rel=1e-9)


def test_holm_adjusts_in_rank_order_and_keeps_the_order_of_the_input() -> None:
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → kept at 0.06 (monotone)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([]) == []


def test_robust_cv_ignores_an_outlier() -> None:
    assert robust_cv([1, 2, 3, 4, 100]) == pytest.approx(1.4826 * 1 / 3)
    assert robust_cv([5.0]) == 0.0


def test_thinning_keeps_the_extremes_and_the_median() -> None:
    samples = [float(value) for value in range(1001)]
    kept = thin(samples, 201)
    assert len(kept) == 201
    assert (kept[0], kept[100], kept[-1]) == (0.0, 500.0, 1000.0)


# --- the decision rule on synthetic distributions ---------------------------------------------------


def reference(samples: list[float], unit: str = "s", direction: str = "smaller") -> Reference:
    return Reference(unit, direction, tuple(samples), ())


def current(name: str, samples: list[float], unit: str = "s", direction: str = "smaller") -> Benchmark:
    return Benchmark(name, unit, direction, tuple(samples))


def normal(rng: random.Random, mean: float, cv: float, count: int) -> list[float]:
    return [rng.gauss(mean, mean * cv) for _ in range(count)]


def level(median: float, spread: float = 0.02, count: int = 31) -> list[float]:
    """`count` samples evenly spread ±`spread` around `median` (exactly their median), shuffled."""
    samples = [median * (1 + spread * (2 * index / (count - 1) - 1)) for index in range(count)]
    random.Random(count).shuffle(samples)
    return samples


DEFAULTS = PerfSettings()


def test_a_30_percent_slowdown_with_1_percent_noise_fails() -> None:
    rng = random.Random(1)
    before, after = normal(rng, 1.3e-3, 0.01, 50), normal(rng, 1.3e-3 * 1.3, 0.01, 50)
    [result] = compare({"parse": reference(before)}, {"parse": current("parse", after)}, DEFAULTS)
    assert result.verdict == "regression"
    assert result.p is not None and result.p < 0.001
    assert re.fullmatch(
        r"parse: 1\.30 ms -> 1\.69 ms \(\+(29|30)\.\d%, p < 0\.001, noise ±[01]\.\d%\)", result.line()
    )


def test_a_10_percent_shift_with_30_percent_noise_passes() -> None:
    rng = random.Random(2)
    before, after = normal(rng, 10.0, 0.3, 50), normal(rng, 11.0, 0.3, 50)
    [result] = compare({"load": reference(before)}, {"load": current("load", after)}, DEFAULTS)
    assert result.verdict == "unchanged"


def test_forty_benchmarks_of_one_distribution_never_fail_over_200_seeds() -> None:
    """What Holm's correction is for: 40 tests at alpha 0.05 would alarm by chance without it."""
    failures = 0
    for seed in range(200):
        rng = random.Random(seed)
        names = [f"bench_{index}" for index in range(40)]
        references = {name: reference(normal(rng, 1.0, 0.05, 20)) for name in names}
        measured = {name: current(name, normal(rng, 1.0, 0.05, 20)) for name in names}
        comparisons = compare(references, measured, DEFAULTS)
        failures += judge(comparisons, measured, references, "the baseline").status is Status.FAIL
    assert failures == 0


def test_the_significance_test_alone_would_alarm_where_holm_does_not() -> None:
    """The control for the test above: uncorrected, some of the 40 benchmarks come out 'significant'."""
    rng = random.Random(7)
    uncorrected = sum(
        mann_whitney_greater(normal(rng, 1.0, 0.05, 20), normal(rng, 1.0, 0.05, 20))[1] < 0.05
        for _ in range(40 * 20)
    )
    assert uncorrected > 20  # about 5% of 800


def test_a_five_sample_side_is_judged_on_the_effect_alone_and_says_so() -> None:
    rng = random.Random(3)
    references = {"render": reference(normal(rng, 2.0, 0.01, 40))}
    measured = {"render": current("render", normal(rng, 2.6, 0.01, 5))}
    comparisons = compare(references, measured, DEFAULTS)
    assert comparisons[0].verdict == "regression"
    assert comparisons[0].p is None
    verdict = judge(comparisons, measured, references, "the baseline")
    assert verdict.status is Status.FAIL
    assert "effect only: 5 samples a side" in verdict.lines[0]
    assert any("fewer than 6 samples a side for render" in line for line in verdict.lines)
    assert "(some on the effect alone)" in verdict.summary


def test_noise_between_runs_raises_the_bar() -> None:
    """With three or more run medians their robust CV is the noise: 8% between runs hides a 20% shift."""
    rng = random.Random(4)
    samples = normal(rng, 1.0, 0.01, 40)
    noisy = Reference("s", "smaller", tuple(samples), (0.92, 1.0, 1.08, 0.95, 1.05))
    measured = {"q": current("q", normal(rng, 1.2, 0.01, 40))}
    [result] = compare({"q": noisy}, measured, DEFAULTS)
    assert result.verdict == "unchanged"
    assert result.noise == pytest.approx(1.4826 * 0.05 / 1.0)
    quiet = noisy._replace(run_medians=(0.99, 1.0, 1.01, 1.0, 1.0))
    assert compare({"q": quiet}, measured, DEFAULTS)[0].verdict == "regression"


def test_bigger_is_better_units_regress_when_they_fall_and_improvements_are_listed() -> None:
    references = {
        "throughput": reference(level(1000), "req/s", "bigger"),
        "peak memory": reference(level(512), "MiB"),
    }
    measured = {
        "throughput": current("throughput", level(700), "req/s", "bigger"),
        "peak memory": current("peak memory", level(256), "MiB"),
    }
    verdict = judge(compare(references, measured, DEFAULTS), measured, references, "the baseline")
    assert verdict.status is Status.FAIL
    assert verdict.lines[0] == "throughput: 1000 req/s -> 700 req/s (-30.0%, p < 0.001, noise ±1.6%)"
    assert verdict.lines[1] == "peak memory: 512 MiB -> 256 MiB (-50.0%, p < 0.001, noise ±1.6%) improved"
    assert verdict.summary.startswith("1 regression, 1 improvement in 2 benchmarks against the baseline")


def test_a_difference_below_the_unit_s_floor_is_not_a_regression() -> None:
    references = {"size": reference([100.0] * 10, "bytes")}
    measured = {"size": current("size", [100.6] * 10, "bytes")}
    settings = PerfSettings(min_effect=0)
    assert compare(references, measured, settings)[0].verdict == "unchanged"
    measured = {"size": current("size", [102.0] * 10, "bytes")}
    assert compare(references, measured, settings)[0].verdict == "regression"


def test_a_benchmark_now_in_another_unit_is_not_compared_and_is_named() -> None:
    references = {"load": reference(level(1.5), "s")}
    measured = {"load": current("load", level(1500), "ms")}
    comparisons = compare(references, measured, DEFAULTS)
    assert comparisons == []
    verdict = judge(comparisons, measured, references, "the baseline")
    assert verdict.status is Status.SKIPPED
    assert "measured in another unit or direction than the reference: load" in verdict.lines


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1.3e-3, "s", "1.30 ms"),
        (0.0162, "s", "16.2 ms"),
        (2.5e-10, "s", "0.250 ns"),
        (1500.0, "ms", "1.50 s"),
        (512.0, "MiB", "512 MiB"),
    ],
)
def test_values_are_shown_with_three_significant_digits_and_times_in_a_fitting_unit(
    value: float, unit: str, shown: str
) -> None:
    assert (
        Comparison("x", unit, value, value, 0.0, None, "unchanged", 1)
        .line()
        .startswith(f"x: {shown} -> {shown} ")
    )


# --- results files, written by the real tools --------------------------------------------------------

BENCHED = "def work():\n    return sum(range(2000))\n"
BENCH = "from work import work\n\n\ndef test_work(benchmark):\n    benchmark(work)\n"
PYTEST_BENCH = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--benchmark-max-time=0.05"]


def pytest_benchmark(project: Path, output: str = "benchmarks.json") -> Path:
    subprocess.run(
        [*PYTEST_BENCH, f"--benchmark-json={output}", "bench"], cwd=project, check=True, capture_output=True
    )
    return project / output


@pytest.fixture
def project(repo: Path) -> Path:
    write(repo / "work.py", BENCHED)
    write(repo / "bench/test_work.py", BENCH)
    write(repo / ".gitignore", "benchmarks*.json\n__pycache__/\n")
    add_platform_mode(repo)
    commit(repo, "project")
    return repo


def test_pytest_benchmark_results_give_their_raw_samples(project: Path) -> None:
    path = pytest_benchmark(project)
    [benchmark] = read_results(path, "benchmarks.json")
    stats = json.loads(path.read_text())["benchmarks"][0]["stats"]
    assert benchmark.name == "bench/test_work.py::test_work"
    assert (benchmark.unit, benchmark.direction) == ("s", "smaller")
    assert len(benchmark.samples) == stats["rounds"] >= 5
    assert sorted(benchmark.samples)[len(benchmark.samples) // 2] == pytest.approx(stats["median"], rel=0.5)


def test_pytest_benchmark_results_without_data_give_the_median(tmp_path: Path) -> None:
    entry = {"fullname": "t.py::test_x", "stats": {"median": 0.002, "mean": 0.0021, "rounds": 9}}
    path = write(tmp_path / "r.json", json.dumps({"machine_info": {}, "benchmarks": [entry]}))
    assert read_results(path, "r.json")[0].samples == (0.002,)


HYPERFINE = {  # hyperfine's documented --export-json shape (1.15)
    "results": [
        {
            "command": "sleep 0.01",
            "mean": 0.0125, "stddev": 0.0015, "median": 0.0122, "user": 0.0005, "system": 0.0004,
            "min": 0.0110, "max": 0.0145,
            "times": [0.0111, 0.0109, 0.0138, 0.0145, 0.0122],
            "exit_codes": [0, 0, 0, 0, 0],
        }
    ]
}  # fmt: skip


def test_hyperfine_results_give_their_times(tmp_path: Path) -> None:
    path = write(tmp_path / "h.json", json.dumps(HYPERFINE))
    [benchmark] = read_results(path, "h.json")
    assert benchmark == Benchmark("sleep 0.01", "s", "smaller", (0.0111, 0.0109, 0.0138, 0.0145, 0.0122))


@pytest.mark.skipif(shutil.which("hyperfine") is None, reason="hyperfine is not installed")
def test_results_written_by_the_real_hyperfine(tmp_path: Path) -> None:
    subprocess.run(
        ["hyperfine", "-N", "--runs", "7", "--export-json", "h.json", "sleep 0.001"],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    [benchmark] = read_results(tmp_path / "h.json", "h.json")
    assert benchmark.name == "sleep 0.001"
    assert len(benchmark.samples) == 7
    assert all(0.001 <= sample < 1 for sample in benchmark.samples)


def test_generic_results_take_a_value_or_samples_and_a_direction(tmp_path: Path) -> None:
    entries = [
        {"name": "bundle size", "unit": "bytes", "value": 52110},
        {"name": "p95 latency", "unit": "ms", "samples": [12.1, 12.4, 11.9]},
        {"name": "throughput", "unit": "req/s", "value": 950, "direction": "bigger"},
    ]
    path = write(tmp_path / "g.json", json.dumps(entries))
    assert read_results(path, "g.json") == [
        Benchmark("bundle size", "bytes", "smaller", (52110.0,)),
        Benchmark("p95 latency", "ms", "smaller", (12.1, 12.4, 11.9)),
        Benchmark("throughput", "req/s", "bigger", (950.0,)),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "is not JSON"),
        (
            '{"coverage": 1}',
            "is not benchmark results (neither a pytest-benchmark, a hyperfine nor a generic results file)",
        ),
        ('[{"name": "x", "unit": "ms"}]', "is not benchmark results (no 'value')"),
        ('[{"name": "x", "value": "fast"}]', "is not benchmark results (x: samples must be finite numbers)"),
        ('[{"name": "x", "value": 1, "direction": "up"}]', 'direction must be "smaller" or "bigger"'),
        ('{"results": [{"command": "x", "times": []}]}', "x: samples must be a non-empty list of numbers"),
        ("[]", "holds no benchmarks"),
    ],
)
def test_foreign_or_broken_results_are_exit_2_naming_the_file_and_what_was_expected(
    project: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
) -> None:
    write(project / "benchmarks.json", content)
    code = main([])
    out, err = capsys.readouterr()
    assert code == 2
    [line] = out.splitlines()
    assert line.startswith("platform-perf: ERROR - benchmarks.json ")
    assert reason in line
    assert "expected pytest-benchmark --benchmark-json, hyperfine --export-json, or a list of" in line
    assert "Traceback" not in out + err


# --- the gate in baseline mode -----------------------------------------------------------------------


def generic(project: Path, samples: dict[str, list[float]], name: str = "benchmarks.json") -> Path:
    entries = [{"name": bench, "unit": "ms", "samples": values} for bench, values in samples.items()]
    return write(project / name, json.dumps(entries))


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


def accept(project: Path, *results: str) -> str:
    """`platform-gates baseline perf`, committed: the reviewed baseline."""
    made = run_cli(project, "baseline", "perf", *(arg for path in results for arg in ("--results", path)))
    assert made.returncode == 0, made.stderr
    commit(project, "perf baseline")
    return made.stdout


def test_no_results_fails_saying_what_to_run(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0] == (
        "no benchmark results (benchmarks.json): run the benchmarks first (e.g. `pytest --benchmark-json=benchmarks.json`)"
    )
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-perf"]
    assert latest["action"] == "run the benchmarks first (e.g. `pytest --benchmark-json=benchmarks.json`)"


def test_without_a_committed_baseline_it_skips_naming_the_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generic(project, {"query": level(10)})
    code, lines = gate(capsys)
    assert code == 0
    assert lines[-1].startswith(
        f"platform-perf: SKIPPED - no baseline {BASELINE} at {git(project, 'rev-parse', '--short=7', 'HEAD').strip()}: "
        "run `platform-gates baseline perf` and commit it"
    )


def test_a_change_cannot_approve_itself_the_baseline_is_read_at_the_base(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generic(project, {"query": level(10)})
    accept(project)
    generic(project, {"query": level(15)})  # 50% slower ...
    assert (
        run_cli(project, "baseline", "perf").returncode == 0
    )  # ... and a working-tree baseline accepting it
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0] == "query: 10.0 ms -> 15.0 ms (+50.0%, p < 0.001, noise ±1.6%)"
    assert "FAIL - 1 regression, 0 improvements in 1 benchmark against the baseline at " in lines[-1]


def test_same_distribution_passes_and_the_record_carries_each_median(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generic(project, {"query": level(10), "render": level(3)})
    accept(project)
    generic(project, {"query": level(10), "render": level(2), "new": [1.0]})
    code, lines = gate(capsys)
    assert code == 0
    assert lines[0] == "render: 3.00 ms -> 2.00 ms (-33.3%, p < 0.001, noise ±1.6%) improved"
    assert "new, not in the reference yet: new" in lines
    assert "PASS - 0 regressions, 1 improvement in 2 benchmarks against the baseline at" in lines[-1]
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-perf"]
    assert set(latest["metrics"]) == {"query (ms)", "render (ms)", "new (ms)", "regressions"}
    assert latest["metrics"]["render (ms)"] == pytest.approx(2.0)
    assert latest["metrics"]["regressions"] == 0


def test_a_baseline_of_another_machine_is_not_compared_across(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generic(project, {"query": level(10)})
    run_cli(project, "baseline", "perf")
    data = json.loads((project / BASELINE).read_text())
    data["machines"] = {"Apple M2, 8 cores, Darwin, CPython 3.12": data["machines"][machine()]}
    write(project / BASELINE, json.dumps(data))
    commit(project, "baseline from a laptop")
    code, lines = gate(capsys)
    assert code == 0
    assert (
        f"SKIPPED - the baseline has no results of this machine ({machine()}); it has: Apple M2, 8 cores, Darwin, CPython 3.12"
        in lines[-1]
    )


def test_results_older_than_the_code_they_measure_fail(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generic(project, {"query": level(10)})
    accept(project)
    old = time.time() - 60
    os.utime(project / "benchmarks.json", (old, old))
    write(project / "work.py", BENCHED + "\n\ndef more():\n    return 1\n")
    code, lines = gate(capsys)
    assert code == 1
    assert lines[0] == "benchmarks.json is older than work.py: run the benchmarks again"


def test_a_broken_baseline_at_the_base_is_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / BASELINE, '{"version": 1, "findings": []}')
    commit(project, "a lint baseline in the wrong place")
    generic(project, {"query": [1.0] * 8})
    code, lines = gate(capsys)
    assert code == 2
    assert lines == [
        f"platform-perf: ERROR - baseline {git(project, 'rev-parse', '--short=7', 'HEAD').strip()}:{BASELINE} is not a platform-perf baseline: unknown format"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alpha", "2"], "alpha must be between 0 and 1, min-effect and noise-k at least 0"),
        (["--min-effect", "fast"], "argument --min-effect: invalid float value: 'fast'"),
        (["--command", "pytest bench"], "perf command 'pytest bench' must name its results file as {output}"),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own exit, through our Parser: one line on stderr
        code = int(str(exc.code))
    out, err = capsys.readouterr()
    assert code == 2
    assert message in out + err
    assert len((out + err).strip().splitlines()) == 1


def test_config_table_sets_results_and_thresholds(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project / ".platform-gates.toml", '[perf]\nresults = ["a.json", "b.json"]\nmin-effect = 60\n')
    generic(project, {"query": level(10)}, "a.json")
    generic(project, {"bundle": level(500)}, "b.json")
    accept(project)
    generic(project, {"query": level(15)}, "a.json")  # +50%: under min-effect 60
    generic(project, {"bundle": level(500)}, "b.json")
    code, lines = gate(capsys)
    assert code == 0, lines
    assert "in 2 benchmarks" in lines[-1]
    assert gate(capsys, "--min-effect", "20")[0] == 1


def test_baseline_command_keeps_the_newest_run_medians_and_at_most_200_samples(project: Path) -> None:
    rng = random.Random(14)
    for index in range(KEEP_RUNS + 3):
        generic(project, {"query": normal(rng, 10 + index, 0.01, 500)}, f"benchmarks-{index}.json")
    paths = [f"benchmarks-{index}.json" for index in range(KEEP_RUNS + 3)]
    result = run_cli(project, "baseline", "perf", *(arg for path in paths[:3] for arg in ("--results", path)))
    assert result.stdout.startswith(
        f"platform-gates baseline: 1 benchmark of {machine()} written to {BASELINE} (3 runs of medians)"
    )
    for path in paths[3:]:
        run_cli(project, "baseline", "perf", "--results", path)
    entry = json.loads((project / BASELINE).read_text())["machines"][machine()]["query"]
    assert len(entry["medians"]) == KEEP_RUNS
    assert entry["medians"][0] == pytest.approx(13, rel=0.01)  # the three oldest runs dropped out
    assert entry["medians"][-1] == pytest.approx(10 + KEEP_RUNS + 2, rel=0.01)
    assert len(entry["samples"]) == 200
    assert (entry["unit"], entry["direction"]) == ("ms", "smaller")


# --- paired mode: the base revision in a temporary worktree -------------------------------------------


def paired_config(project: Path, extra: str = "") -> None:
    command = " ".join([*PYTEST_BENCH, "--benchmark-json={output}", "bench"])
    write(project / ".platform-gates.toml", f"[perf]\ncommand = {json.dumps(command)}\n{extra}")
    commit(project, "paired mode")


def worktrees(project: Path) -> list[str]:
    return [
        line
        for line in git(project, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_paired_mode_fails_on_a_slowed_function_naming_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paired_config(project)
    write(
        project / "work.py",
        "import time\n\n\ndef work():\n    time.sleep(0.002)\n    return sum(range(2000))\n",
    )
    commit(project, "slower")
    code, lines = gate(capsys, "--compare-with", "HEAD~1")
    assert code == 1, lines
    assert lines[0].startswith("bench/test_work.py::test_work: ")
    assert "p < 0.001" in lines[0]
    assert "FAIL - 1 regression, 0 improvements in 1 benchmark against " in lines[-1]
    assert "measured alongside (3 rounds)" in lines[-1]
    assert worktrees(project) == [f"worktree {project}"]


def test_paired_mode_passes_the_same_code_and_leaves_no_worktree(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paired_config(project)
    write(project / "README.md", "# demo, documented\n")
    commit(project, "docs only")
    code, lines = gate(capsys, "--compare-with", "HEAD~1")
    assert code == 0, lines
    assert "PASS - 0 regressions" in lines[-1]
    assert worktrees(project) == [f"worktree {project}"]


def test_paired_mode_on_a_failing_command_is_exit_2_and_leaves_no_worktree(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paired_config(project)
    write(project / "work.py", "def work():\n    raise ValueError('broken')\n")
    commit(project, "broken")
    code, lines = gate(capsys, "--compare-with", "HEAD~1")
    assert code == 2
    assert lines[0].startswith("platform-perf: ERROR - `")
    assert "exited 1 on the change" in lines[0]
    assert worktrees(project) == [f"worktree {project}"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_removes_the_worktree(project: Path, signum: int) -> None:
    slow = "import time\n\n\ndef test_slow():\n    time.sleep(30)\n"
    write(project / "slow/test_slow.py", slow)
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider slow --benchmark-json={{output}}"
    write(project / ".platform-gates.toml", f"[perf]\ncommand = {json.dumps(command)}\n")
    commit(project, "a slow benchmark")
    gate_process = subprocess.Popen(
        [sys.executable, "-m", "hooks.perf", "--compare-with", "HEAD~1"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(worktrees(project)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(worktrees(project)) == 2
    scratch = Path(worktrees(project)[1].removeprefix("worktree ")).parent
    time.sleep(0.5)  # the benchmark command is running in it
    gate_process.send_signal(signum)
    out, err = gate_process.communicate(timeout=60)
    assert gate_process.returncode == 130, out + err
    assert "interrupted" in err
    assert "Traceback" not in err
    assert worktrees(project) == [f"worktree {project}"]
    assert not scratch.exists()


# --- through real pre-commit --------------------------------------------------------------------------


@pytest.mark.slow
def test_manual_stage_through_pre_commit_judges_against_the_committed_baseline(
    project: Path, hook_repo: Path
) -> None:
    generic(project, {"query": level(10)})
    accept(project)
    generic(project, {"query": level(10, spread=0.03)})
    passed = try_repo(project, hook_repo, "platform-perf", "--hook-stage", "manual", "--verbose")
    assert passed.returncode == 0, passed.stdout
    assert "platform-perf: PASS - 0 regressions, 0 improvements in 1 benchmark" in passed.stdout
    generic(project, {"query": level(13)})
    failed = try_repo(project, hook_repo, "platform-perf", "--hook-stage", "manual")
    assert failed.returncode == 1
    assert "query: 10.0 ms -> 13.0 ms (+30.0%, p < 0.001, noise ±1.6%)" in failed.stdout


@pytest.mark.slow
def test_installed_pre_push_hook_stops_a_push_that_slows_a_benchmark(
    project: Path, hook_repo: Path, tmp_path: Path
) -> None:
    paired_config(project)
    install_hooks(project, hook_repo, "platform-perf")
    subprocess.run(
        [PRE_COMMIT, "install", "--hook-type", "pre-push"], cwd=project, check=True, capture_output=True
    )
    commit(project, "hooks")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    first = git_through_hooks(project, "push", "origin", "main")
    assert first.returncode == 0, first.stdout

    write(
        project / "work.py",
        "import time\n\n\ndef work():\n    time.sleep(0.002)\n    return sum(range(2000))\n",
    )
    committed = git_through_hooks(project, "commit", "-am", "slower")
    assert committed.returncode == 0, committed.stdout
    assert "platform-perf" not in committed.stdout  # not at commit time
    refused = git_through_hooks(project, "push", "origin", "main")
    assert refused.returncode != 0, refused.stdout
    assert "bench/test_work.py::test_work: " in refused.stdout
    assert "platform-perf: FAIL - 1 regression" in refused.stdout
    assert worktrees(project) == [f"worktree {project}"]
