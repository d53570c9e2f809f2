"""platform-perf: benchmark results against a reviewed baseline of this machine, or the base revision
measured in the same run; a regression must exceed the noise and a minimum effect and be significant
(one-sided Mann-Whitney U, Holm-corrected): a bare ratio against one stored run alarms on noise."""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.adapters.benchmark_results import SMALLER, Benchmark, pooled, read_results, thin
from hooks.adapters.paired_runs import measure_paired
from hooks.adapters.perf_baseline import Reference, machine, parse_baseline
from hooks.adapters.significance import holm, mann_whitney_greater, robust_cv
from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.baseline import default_path
from hooks.frame.changes import ChangeSet
from hooks.frame.errors import GateError
from hooks.frame.git import file_at, run_git, split_z
from hooks.frame.output import plural
from hooks.frame.paths import display_path, setting_path
from hooks.frame.record import Record, Status, fingerprint

GATE = "platform-perf"
DEFAULT_RESULTS = "benchmarks.json"
MIN_SAMPLES = 6  # a side: below it the test cannot reach alpha, and the effect alone judges
_SCALES = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))  # how a time is shown
_TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_COUNTED_UNITS = ("b", "byte", "bytes", "count", "calls", "allocations")  # whole units: one is the floor
_NOT_SOURCES = (".md", ".rst", ".txt")


class PerfSettings(NamedTuple):
    results: str | list[str] | None = None
    min_effect: float = 5.0  # percent
    alpha: float = 0.05
    noise_k: float = 3.5
    command: str | None = None  # paired mode: measures the base revision and the change with it
    rounds: int = 3
    baseline: str | None = None
    compare_with: str | None = None

    @property
    def result_paths(self) -> list[str]:
        if isinstance(self.results, str):
            return [self.results]
        return list(self.results or [DEFAULT_RESULTS])


class Comparison(NamedTuple):
    name: str
    unit: str
    before: float  # the reference's median
    after: float  # the change's median
    noise: float  # robust CV of the reference
    p: float | None  # Holm-adjusted, in the direction the median moved; None: judged on the effect alone
    verdict: str  # "regression", "improvement" or "unchanged"
    samples: int  # the smaller side's count

    @property
    def change_percent(self) -> float:
        return (self.after - self.before) / self.before * 100 if self.before else math.inf

    def line(self) -> str:
        """`name: 1.30 ms -> 1.62 ms (+24.6%, p = 0.001, noise ±2.1%)`."""
        if self.p is None:
            evidence = f"effect only: {plural(self.samples, 'sample')} a side"
        else:
            evidence = f"p = {self.p:.3f}" if self.p >= 0.001 else "p < 0.001"
        shown = f"{_value(self.before, self.unit)} -> {_value(self.after, self.unit)}"
        return (
            f"{self.name}: {shown} ({self.change_percent:+.1f}%, {evidence}, noise ±{self.noise * 100:.1f}%)"
        )


class Verdict(NamedTuple):
    status: Status
    summary: str
    lines: list[str]  # what to print before the summary
    metrics: dict[str, float | str]
    action: str = ""  # the record's "Action required" when it is not the gate table's


def compare(
    references: Mapping[str, Reference], current: Mapping[str, Benchmark], settings: PerfSettings
) -> list[Comparison]:
    """Each benchmark measured on both sides, judged: worse (or better) beyond the noise, the minimum
    effect and the unit's floor, and significant after Holm's correction (unless a side is too small)."""
    names = sorted(
        name for name in current if name in references and comparable(references[name], current[name])
    )
    tests: dict[str, tuple[float, float]] = {}  # name -> (p worse, p better)
    for name in names:
        reference, benchmark = references[name], current[name]
        if min(len(reference.samples), len(benchmark.samples)) >= MIN_SAMPLES:
            ours, theirs = thin(benchmark.samples), thin(reference.samples)
            if reference.direction != SMALLER:  # then "worse" is "smaller"
                ours, theirs = theirs, ours
            tests[name] = (mann_whitney_greater(ours, theirs)[1], mann_whitney_greater(theirs, ours)[1])
    worse = dict(zip(tests, holm([p for p, _ in tests.values()]), strict=True))
    better = dict(zip(tests, holm([p for _, p in tests.values()]), strict=True))
    comparisons = []
    for name in names:
        reference, benchmark = references[name], current[name]
        medians = reference.run_medians if len(reference.run_medians) >= 3 else reference.samples
        before = statistics.median(medians)
        after = statistics.median(benchmark.samples)
        noise = robust_cv(medians)
        limit = 1 + max(settings.min_effect / 100, settings.noise_k * noise)
        ratio = _worse_ratio(before, after, reference.direction)
        beyond_floor = abs(after - before) > _floor(reference.unit)
        verdict, p = "unchanged", None
        if name in tests:
            p = worse[name] if ratio >= 1 else better[name]
        if beyond_floor and (p is None or p < settings.alpha):
            if ratio > limit:
                verdict = "regression"
            elif ratio and 1 / ratio > limit:
                verdict = "improvement"
        samples = min(len(reference.samples), len(benchmark.samples))
        comparisons.append(Comparison(name, reference.unit, before, after, noise, p, verdict, samples))
    return comparisons


def comparable(reference: Reference, benchmark: Benchmark) -> bool:
    """Measured in the same unit and judged in the same direction: 1.2 s is not 1.2 ms."""
    return (reference.unit, reference.direction) == (benchmark.unit, benchmark.direction)


def _worse_ratio(before: float, after: float, direction: str) -> float:
    """How many times worse the change is (above 1: worse), whichever way is better."""
    worse, better = (after, before) if direction == SMALLER else (before, after)
    if better == 0:
        return 1.0 if worse == 0 else math.inf
    return worse / better


def _floor(unit: str) -> float:
    """The smallest difference the unit can show: a nanosecond for times (the finest clock Python
    reads), one whole unit for counts and bytes, none otherwise."""
    if unit in _TIME_UNITS:
        return 1e-9 / _TIME_UNITS[unit]
    return 1.0 if unit.lower() in _COUNTED_UNITS else 0.0


def _value(value: float, unit: str) -> str:
    """1.3e-3 s → `1.30 ms`; 512.0 MiB → `512 MiB`: three significant digits."""
    if unit in _TIME_UNITS and value:
        seconds = value * _TIME_UNITS[unit]
        unit, scale = next(((name, scale) for name, scale in _SCALES if abs(seconds) >= scale), _SCALES[-1])
        value = seconds / scale
    digits = max(0, 2 - math.floor(math.log10(abs(value)))) if value else 0
    return f"{value:.{digits}f} {unit}".rstrip()


def judge(
    comparisons: Sequence[Comparison],
    current: Mapping[str, Benchmark],
    references: Mapping[str, Reference],
    against: str,
) -> Verdict:
    """The verdict on the comparisons; `against` names the reference ("the baseline of <machine>")."""
    regressions = [c for c in comparisons if c.verdict == "regression"]
    improvements = [c for c in comparisons if c.verdict == "improvement"]
    lines = [c.line() for c in regressions]
    lines += [f"{c.line()} improved" for c in improvements]
    effect_only = [c.name for c in comparisons if c.p is None]
    if effect_only:
        lines.append(
            f"fewer than {MIN_SAMPLES} samples a side for {', '.join(effect_only)}: the Mann-Whitney test "
            "cannot reach alpha there, so the effect alone judged them"
        )
    new = sorted(set(current) - set(references))
    if new:
        lines.append(f"new, not in the reference yet: {', '.join(new)}")
    changed = sorted(n for n in current if n in references and not comparable(references[n], current[n]))
    if changed:
        lines.append(f"measured in another unit or direction than the reference: {', '.join(changed)}")
    gone = sorted(set(references) - set(current))
    if gone:
        lines.append(f"in the reference but not measured: {', '.join(gone)}")
    metrics: dict[str, float | str] = {
        f"{name} ({benchmark.unit})" if benchmark.unit else name: statistics.median(benchmark.samples)
        for name, benchmark in sorted(current.items())
    }
    metrics["regressions"] = len(regressions)
    counted = f"{plural(len(comparisons), 'benchmark')} against {against}"
    if not comparisons:
        return Verdict(Status.SKIPPED, f"no benchmark of the results is in {against}", lines, metrics)
    found = f"{plural(len(regressions), 'regression')}, {plural(len(improvements), 'improvement')}"
    marked = " (some on the effect alone)" if effect_only else ""
    status = Status.FAIL if regressions else Status.PASS
    return Verdict(status, f"{found} in {counted}{marked}", lines, metrics)


def stale_results(root: Path, base: str | None, paths: Sequence[Path]) -> str | None:
    """A source file changed since `base` (or HEAD) that is newer than the oldest results file, if any."""
    written = min(path.stat().st_mtime for path in paths)
    against = ("HEAD",) if base is None else (base,)
    try:
        changed = split_z(run_git("diff", "--name-only", "--no-ext-diff", "-z", *against, "--", cwd=root))
    except GateError:  # no commit yet: nothing to be older than
        return None
    results = {path.resolve() for path in paths}
    for rel in changed:
        path = root / rel
        if rel.endswith(_NOT_SOURCES) or rel.startswith((".platform-mode/", ".platform-gates/")):
            continue
        if path.resolve() in results:
            continue
        try:
            if path.stat().st_mtime > written:
                return rel
        except OSError:  # deleted in the working tree
            continue
    return None


def _baseline_mode(run: gate.GateRun, settings: PerfSettings, base: str | None) -> Verdict:
    rel = settings.baseline or default_path("perf").as_posix()
    paths = [setting_path(run.root, p) for p in settings.result_paths]
    missing = [p for p, path in zip(settings.result_paths, paths, strict=True) if not path.is_file()]
    if missing:
        problem = f"no benchmark results ({', '.join(missing)})"
        to_run = f"run the benchmarks first (e.g. `pytest --benchmark-json={missing[0]}`)"
        return Verdict(Status.FAIL, problem, [f"{problem}: {to_run}"], {}, to_run)
    newer = stale_results(run.root, base, paths)
    if newer:
        problem = f"{settings.result_paths[0]} is older than {newer}"
        return Verdict(
            Status.FAIL, problem, [f"{problem}: run the benchmarks again"], {}, "run the benchmarks again"
        )
    current = pooled(read_results(path, display_path(run.root, path)) for path in paths)
    text = file_at(run.root, base, rel) if base else None
    if base is None or text is None:
        where = f"at {base[:7]}" if base else "(no commit yet)"
        summary = (
            f"no baseline {rel} {where}: run `platform-gates baseline perf` and commit it "
            "(the gate reads it as committed at the change's base)"
        )
        return Verdict(Status.SKIPPED, summary, [], {})
    machines = parse_baseline(text, f"{base[:7]}:{rel}")
    here = machine()
    if here not in machines:
        has = "; ".join(sorted(machines)) or "none"
        summary = f"the baseline has no results of this machine ({here}); it has: {has}"
        return Verdict(Status.SKIPPED, summary, [], {})
    references = machines[here]
    against = f"the baseline at {base[:7]}"
    return judge(compare(references, current, settings), current, references, against)


def _paired_mode(run: gate.GateRun, settings: PerfSettings, command: str, base: str | None) -> Verdict:
    if base is None:
        raise GateError("paired mode needs a base revision, and the repository has no commit yet")
    if settings.rounds < 1:
        raise GateError(f"rounds must be at least 1, got {settings.rounds}")

    def progress(step: str) -> None:
        print(f"{GATE}: {step}", file=sys.stderr)

    base_runs, change_runs = measure_paired(run.root, base, command, settings.rounds, progress)
    current = pooled(change_runs)
    rounds = [pooled([results]) for results in base_runs]
    references = {
        name: Reference(
            bench.unit,
            bench.direction,
            bench.samples,
            tuple(statistics.median(side[name].samples) for side in rounds if name in side),
        )
        for name, bench in pooled(base_runs).items()
    }
    against = f"{base[:7]} measured alongside ({plural(settings.rounds, 'round')})"
    return judge(compare(references, current, settings), current, references, against)


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored: the gate reads benchmark results, not files")
    parser.add_argument(
        "--results", action="append", metavar="PATH", help=f"a results file (default: {DEFAULT_RESULTS})"
    )
    parser.add_argument("--min-effect", type=float, help="a regression is at least this %% worse (5)")
    parser.add_argument("--alpha", type=float, help="significance level, Holm-corrected (0.05)")
    parser.add_argument("--noise-k", type=float, help="a regression exceeds this many robust CVs (3.5)")
    parser.add_argument("--command", help="paired mode: the benchmark command, with {output} for its JSON")
    parser.add_argument("--rounds", type=int, help="paired mode: runs of each side, interleaved (3)")
    parser.add_argument("--baseline", help=f"the baseline file (default: {default_path('perf')})")
    parser.add_argument("--compare-with", metavar="REF", help="judge REF...HEAD (CI)")
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("perf", PerfSettings)
        overrides = {
            key: value
            for key, value in vars(args).items()
            if key in PerfSettings._fields and value is not None
        }
        settings = settings._replace(**overrides)
        if not 0 < settings.alpha < 1 or settings.min_effect < 0 or settings.noise_k < 0:
            raise GateError("alpha must be between 0 and 1, min-effect and noise-k at least 0")
        change_set = ChangeSet.for_run(run.root, run.context, settings.compare_with, run.config.core().base)
        base = change_set.sides(run.root)[0]
        if settings.command:
            verdict = _paired_mode(run, settings, settings.command, base)
        else:
            verdict = _baseline_mode(run, settings, base)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    except KeyboardInterrupt:
        print(f"{GATE}: interrupted", file=sys.stderr)
        return 130
    for line in verdict.lines:
        print(line)
    return gate.finish(run, _record(run, settings, verdict))


def _record(run: gate.GateRun, settings: PerfSettings, verdict: Verdict) -> Record:
    threshold = f"min-effect {settings.min_effect:g}%, noise-k {settings.noise_k:g}, alpha {settings.alpha:g}"
    measured = [key for key in verdict.metrics if key != "regressions"]
    return run.record(
        verdict.status,
        verdict.summary,
        files=len(measured),
        metrics=verdict.metrics,
        threshold=threshold,
        action=verdict.action,
        fingerprint=fingerprint(f"{key}={value}" for key, value in sorted(verdict.metrics.items())),
    )


if __name__ == "__main__":
    raise SystemExit(main())
