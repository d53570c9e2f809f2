"""`platform-gates report`: the Quality Report as Markdown, for people and for a CI job summary."""

from __future__ import annotations

from hooks.lib.history import History
from hooks.lib.record import Record
from hooks.lib.results_table import render_result

COVERAGE_METRICS = ("total", "coverage", "total_percent")


def quality_report(log_rel: str | None, history: History) -> str:
    lines = [f"## Quality Report: {log_rel or 'no active execution log'}", ""]
    if not history.latest:
        lines += ["No gate has recorded a result yet.", ""]
    else:
        lines += ["| Gate | Result | Summary | When (UTC) | Commit |", "| --- | --- | --- | --- | --- |"]
        for gate, record in sorted(history.latest.items()):
            lines.append(
                f"| {gate} | {render_result(record.status)} | {_cell(record.summary)} "
                f"| {record.time.replace('T', ' ')} | {record.short_commit} |"
            )
        lines.append("")
    trend = [(record, _coverage(record)) for record in history.trend]
    points = [(record, value) for record, value in trend if value is not None]
    if points:
        lines += [
            "### Coverage trend",
            "",
            "| When (UTC) | Commit | Coverage | Change |",
            "| --- | --- | --- | --- |",
        ]
        previous: float | None = None
        for record, value in points:
            change = "" if previous is None else f"{value - previous:+.1f}"
            lines.append(
                f"| {record.time.replace('T', ' ')} | {record.short_commit} | {value:.1f}% | {change} |"
            )
            previous = value
        lines.append("")
    if history.pending:
        advice = "run `platform-gates sync` and commit the log"
        lines += [f"{history.pending} record(s) pending for `{log_rel}`: {advice}.", ""]
    lines.append(f"{history.records} record(s) in the journal.")
    return "\n".join(lines) + "\n"


def _coverage(record: Record) -> float | None:
    for key in COVERAGE_METRICS:
        value = record.metrics.get(key)
        if isinstance(value, (int, float)):
            return float(value)
    return None


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
