"""platform-coverage: the coverage threshold, the drop since the last recorded figure, and changed lines,
from coverage data that already exists; never a vacuous pass (DEC-011)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.adapters.coverage_data import (
    DATA_FILES,
    CoverageReport,
    NoUsableData,
    Scope,
    coverage_scope,
    find_data,
    read_report,
    uncombined,
)
from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.changes import ChangeSet, added_lines
from hooks.frame.errors import GateError
from hooks.frame.git import run_git, split_z
from hooks.frame.history import latest_with_metric
from hooks.frame.paths import setting_path
from hooks.frame.record import Record, Status

GATE = "platform-coverage"
PRECISION = 2  # decimals of a recorded figure, as coverage.py's `[report] precision`
_REPORT_COMMAND = {
    ".xml": " && coverage xml",
    ".json": " && coverage json",
    ".info": " && coverage lcov -o lcov.info",
    ".lcov": " && coverage lcov",
}


def what_to_run(data: str | None) -> str:
    """The command that (re)produces the data: `coverage run -m pytest`, then the report in its format."""
    suffix = Path(data).suffix if data else ".xml"
    return f"run the tests with coverage (e.g. `coverage run -m pytest{_REPORT_COMMAND.get(suffix, '')}`)"


class CoverageSettings(NamedTuple):
    data: str | None = None
    fail_under: float | None = None
    max_drop: float | None = None
    diff_fail_under: float | None = None
    compare_with: str | None = None


class ChangedLines(NamedTuple):
    countable: dict[str, set[int]]  # executable changed lines per covered file
    covered: dict[str, set[int]]
    not_mentioned: list[str]  # changed source files the data does not list

    @property
    def total(self) -> int:
        return sum(len(lines) for lines in self.countable.values())

    @property
    def hit(self) -> int:
        return sum(len(lines) for lines in self.covered.values())

    @property
    def percent(self) -> float | None:
        return 100.0 * self.hit / self.total if self.total else None

    def missed(self) -> dict[str, list[int]]:
        return {
            path: sorted(lines - self.covered[path])
            for path, lines in self.countable.items()
            if lines - self.covered[path]
        }


class Verdict(NamedTuple):
    status: Status
    summary: str
    problems: list[str]  # each a reason for a fail, in the user's words
    metrics: dict[str, float | str]
    files: int  # the files the data lists (0 without data)
    missed: dict[str, list[int]]  # changed lines the tests do not run, per file


def unjudged(what: str, to_do: str, files: int = 0) -> Verdict:
    """A fail on data missing or not to be trusted: the summary says what, the output also what to do."""
    return Verdict(Status.FAIL, what, [f"{what}: {to_do}"], {}, files, {})


def missing_data(named: str | None, parallel: Sequence[str]) -> Verdict:
    """No data file (the one `named`, or none of DATA_FILES); `parallel`: `.coverage.*` files not combined."""
    if parallel and not named:
        return unjudged(
            f"no combined coverage data ({len(parallel)} parallel .coverage.* files)",
            "run `coverage combine`",
        )
    where = named or f"{', '.join(DATA_FILES)} in the repository root"
    return unjudged(f"no coverage data ({where})", what_to_run(named))


def stale_data(report: CoverageReport, newer: str, to_run: str) -> Verdict:
    """The data is older than a source file it covers (`newer`): its figures may not hold any more."""
    return unjudged(f"{report.source} is older than {newer}", to_run, len(report.files))


# `rounded` and `under` mirror coverage.py 7's coverage/results.py (DEC-011)
def rounded(percent: float, places: int = PRECISION) -> float:
    """coverage.py's `display_covered`: rounded, but 0 or 100 only when exactly so (99.996 is 99.99)."""
    least = 10.0**-places
    if 0 < percent < least:
        return least
    if 100 - least < percent < 100:
        return 100 - least
    return round(percent, places)


def under(percent: float, threshold: float) -> bool:
    """coverage.py's `should_fail_under`: the exact figure, rounded to PRECISION or to the threshold's own
    decimals if it has more, is under the threshold; 100 takes exactly 100 (99.996 fails it)."""
    if threshold == 100:
        return percent != 100
    places = PRECISION
    if threshold != int(threshold):
        from decimal import Decimal  # here: few thresholds need it, and it costs every gate's start-up

        places = max(PRECISION, -int(Decimal(str(threshold)).as_tuple().exponent))
    return round(percent, places) < threshold


def changed_lines(
    report: CoverageReport, added: dict[str, set[int]], scope: Callable[[], Scope]
) -> ChangedLines:
    """Changed lines the data counts as executable; `scope` is asked only about files it does not list."""
    countable: dict[str, set[int]] = {}
    covered: dict[str, set[int]] = {}
    not_mentioned: list[str] = []
    for path, lines in sorted(added.items()):
        data = report.files.get(path)
        if data is None:
            if path.endswith(".py") and scope().covers(path):
                not_mentioned.append(path)
            continue
        countable[path] = lines & data.statements
        covered[path] = countable[path] & data.covered
    return ChangedLines(countable, covered, not_mentioned)


def stale_against(report: CoverageReport, root: Path, data_path: Path) -> str | None:
    """The newest covered source file changed after the data was written, if any."""
    made = data_path.stat().st_mtime
    newest: tuple[float, str] | None = None
    for path in report.files:
        try:  # os.stat on a string: a third of pathlib's time over the thousands of files of a big report
            changed = os.stat(f"{root}/{path}").st_mtime  # noqa: PTH116
        except OSError:  # deleted since, or a path outside the repository
            continue
        if newest is None or changed > newest[0]:
            newest = (changed, path)
    return newest[1] if newest and newest[0] > made else None


def judge(
    report: CoverageReport,
    settings: CoverageSettings,
    previous: tuple[float, str] | None,
    changes: ChangedLines,
    to_run: str = "run the tests with coverage",
    judged: str = "",
) -> Verdict:
    """The verdict on `report`; `judged` names the change whose lines count ("staged changes")."""
    exact = report.total_percent
    total = rounded(exact)  # the figure the record keeps, so deltas compare like with like
    problems: list[str] = []
    metrics: dict[str, float | str] = {"total": total}
    shown_total = f"{rounded(exact, 1):.1f}%"
    parts = [f"coverage {shown_total}"]
    if report.has_branches:
        parts[0] += " (with branches)"
    if settings.fail_under is not None and under(exact, settings.fail_under):
        problems.append(f"total coverage {shown_total} is under fail-under {settings.fail_under:g}%")
    limit = f", max drop {settings.max_drop:g}" if settings.max_drop is not None else ""
    if previous is not None:
        before, since = previous
        delta = round(total - before, 2)
        metrics["delta"] = delta
        parts.append(f"({_signed(delta)} since {since}{limit})")
        if settings.max_drop is not None and -delta > settings.max_drop:
            problems.append(
                f"coverage dropped {-delta:g} points since {since} (max-drop {settings.max_drop:g})"
            )
    elif limit:
        parts.append(f"(first recorded figure{limit})")
    percent = changes.percent
    shown = f"{rounded(percent, 1):.1f}%" if percent is not None else "n/a"
    parts.append(
        f"· changed lines {changes.hit}/{changes.total} = {shown}" + (f" in {judged}" if judged else "")
    )
    metrics |= {"diff_covered": changes.hit, "diff_lines": changes.total}
    if percent is not None:
        metrics["diff_percent"] = rounded(percent)
    for path in changes.not_mentioned:
        problems.append(f"{path} changed but the coverage data does not mention it: {to_run}")
    if (
        settings.diff_fail_under is not None
        and percent is not None
        and under(percent, settings.diff_fail_under)
    ):
        problems.append(
            f"changed-line coverage {shown} is under diff-fail-under {settings.diff_fail_under:g}%"
        )
    status = Status.FAIL if problems else Status.PASS
    return Verdict(status, " ".join(parts), problems, metrics, len(report.files), changes.missed())


def _signed(delta: float) -> str:
    """+1.3, -0.4, and ±0.0 for a change that rounds away (never "-0.0")."""
    shown = round(delta, 1)
    return f"{shown:+.1f}" if shown else "±0.0"


def ranges(lines: Iterable[int]) -> str:
    """[3, 4, 5, 9] → `3-5, 9`."""
    spans: list[list[int]] = []
    for line in sorted(lines):
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def _previous(run: gate.GateRun, baseline: str | None, tracked: list[str]) -> tuple[float, str] | None:
    """The figure to compare with: `--baseline` (a number or a data file), else the journal's last one."""
    if baseline:
        try:
            return float(baseline), "--baseline"
        except ValueError:
            path = setting_path(run.root, baseline)
            try:
                return rounded(read_report(run.root, path, tracked).total_percent), baseline
            except NoUsableData as exc:
                raise GateError(f"--baseline {exc}") from None
    record = latest_with_metric(run.root, run.log, GATE, "total")
    if record is None:
        return None
    return float(record.metrics["total"]), f"{record.time[:10]} {record.short_commit}"


def _check(
    run: gate.GateRun, settings: CoverageSettings, baseline: str | None
) -> tuple[Verdict, CoverageReport | None]:
    """The verdict, and the report it judged: None when the data was missing, unusable or stale."""
    data_path = find_data(run.root, settings.data)
    if data_path is None:
        return missing_data(settings.data, uncombined(run.root)), None
    to_run = what_to_run(data_path.name)
    tracked = split_z(run_git("ls-files", "-z", cwd=run.root))
    try:
        report = read_report(run.root, data_path, tracked)
    except NoUsableData as exc:
        return unjudged(str(exc), to_run), None
    newer = stale_against(report, run.root, data_path)
    if newer:
        return stale_data(report, newer, to_run), None
    previous = _previous(run, baseline, tracked)
    change_set = ChangeSet.for_run(run.root, run.context, settings.compare_with, run.config.core().base)
    scope = functools.cache(functools.partial(coverage_scope, run.root, report))
    changes = changed_lines(report, added_lines(run.root, change_set), scope)
    return judge(report, settings, previous, changes, to_run, change_set.description), report


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored: the gate reads coverage data, not files")
    parser.add_argument("--data", help=f"coverage data file (default: the newest of {', '.join(DATA_FILES)})")
    parser.add_argument("--fail-under", type=float, help="total coverage must be at least this %%")
    parser.add_argument("--max-drop", type=float, help="points total coverage may fall since the last record")
    parser.add_argument(
        "--diff-fail-under", type=float, help="coverage of changed lines must be at least this %%"
    )
    parser.add_argument("--compare-with", metavar="REF", help="changed lines of REF...HEAD (CI)")
    parser.add_argument(
        "--baseline", help="for --max-drop: a figure (81.5) or a data file, instead of the journal"
    )
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("coverage", CoverageSettings)
        overrides = {
            key: value
            for key, value in vars(args).items()
            if key in CoverageSettings._fields and value is not None
        }
        settings = settings._replace(**overrides)
        verdict, judged = _check(run, settings, args.baseline)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    for path, lines in verdict.missed.items():
        print(f"{path}:{ranges(lines)}: not covered")
    for problem in verdict.problems:
        print(problem)
    return gate.finish(run, _record(run, settings, verdict, judged))


def _record(
    run: gate.GateRun, settings: CoverageSettings, verdict: Verdict, judged: CoverageReport | None
) -> Record:
    """The verdict's record: one on data that was missing, unusable or stale names no threshold or data."""
    if judged is None:
        return run.record(verdict.status, verdict.summary, files=verdict.files)
    return run.record(
        verdict.status,
        verdict.summary,
        files=verdict.files,
        metrics=verdict.metrics,
        threshold=_threshold(settings),
        tools={"data": judged.source},
        fingerprint=judged.fingerprint,
    )


def _threshold(settings: CoverageSettings) -> str:
    parts = [f"fail-under {settings.fail_under:g}%"] if settings.fail_under is not None else []
    parts += [f"max-drop {settings.max_drop:g}"] if settings.max_drop is not None else []
    parts += (
        [f"diff-fail-under {settings.diff_fail_under:g}%"] if settings.diff_fail_under is not None else []
    )
    return ", ".join(parts) or "-"


if __name__ == "__main__":
    raise SystemExit(main())
