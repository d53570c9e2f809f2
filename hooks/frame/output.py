"""What a gate prints: one line per finding, then one summary line naming gate, verdict, counts and record."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from hooks.frame.record import Status


def finding_line(path: str, line: int | None, col: int | None, code: str, message: str) -> str:
    where = ":".join(str(part) for part in (path, line, col) if part is not None)
    return f"{where}: {code} {message}"


def print_finding(path: str, line: int | None, col: int | None, code: str, message: str) -> None:
    """One finding line; under GitHub Actions also an `::error` annotation on that line of the file."""
    print(finding_line(path, line, col, code, message))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(github_annotation(path, line, col, f"{code} {message}"))


def github_annotation(path: str, line: int | None, col: int | None, message: str) -> str:
    properties = [f"file={_escape_property(path)}"]
    if line is not None:
        properties.append(f"line={line}")
    if col is not None:
        properties.append(f"col={col}")
    return f"::error {','.join(properties)}::{_escape_data(message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def counts_text(counts: Mapping[str, int]) -> str:
    """`{'E501': 2, 'F401': 1}` → `E501 x2, F401 x1`, largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} x{count}" for name, count in ordered if count)


def plural(count: int, noun: str) -> str:
    """`plural(1, "file")` → `1 file`; `plural(3, "file")` → `3 files`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def findings_text(total: int, flagged_files: int, files: int, detail: str, notes: str = "") -> str:
    """`86 findings in 10 of 14 files: E501 x80, F401 x6` (files with findings of files checked), with the
    notes in parentheses; `no findings in 14 files`."""
    tail = f" ({notes})" if notes else ""
    if not total:
        return f"no findings in {plural(files, 'file')}{tail}"
    return f"{plural(total, 'finding')} in {flagged_files} of {plural(files, 'file')}: {detail}{tail}"


def legacy_note(count: int) -> str:
    """What the changed-lines scope let through: `3 legacy findings on unchanged lines, not blocking`."""
    return f"{plural(count, 'legacy finding')} on unchanged lines, not blocking" if count else ""


def size_text(size: int) -> str:
    """`2150` → `2.1 KiB`; `51000000` → `48.6 MiB`."""
    return f"{size / 1024:.1f} KiB" if size < 1048576 else f"{size / 1048576:.1f} MiB"


def summary_line(gate: str, status: Status, summary: str, where: str) -> str:
    return f"{gate}: {status.value.upper()} - {summary} · {where}"


def error_line(gate: str, reason: str) -> str:
    return f"{gate}: ERROR - {reason}"


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
