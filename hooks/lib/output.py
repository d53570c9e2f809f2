"""What a gate prints: one line per finding, then one summary line naming gate, verdict, counts and record."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from hooks.lib.record import Status


def finding_line(path: str, line: int | None, col: int | None, code: str, message: str) -> str:
    where = ":".join(str(part) for part in (path, line, col) if part is not None)
    return f"{where}: {code} {message}"


def counts_text(counts: Mapping[str, int]) -> str:
    """`{'E501': 2, 'F401': 1}` → `E501 x2, F401 x1`, largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} x{count}" for name, count in ordered if count)


def summary_line(gate: str, status: Status, summary: str, where: str) -> str:
    return f"{gate}: {status.value.upper()} - {summary} · {where}"


def error_line(gate: str, reason: str) -> str:
    return f"{gate}: ERROR - {reason}"


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
