"""Baselines: findings already present do not block, new ones do. Matching ignores line numbers but
counts: N identical entries excuse at most N findings (DEC-012)."""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from hooks.frame.errors import GateError
from hooks.frame.files import replace_atomically
from hooks.frame.paths import display_path, setting_path

FORMAT_VERSION = 1
DIRECTORY = Path(".platform-gates")
Key = tuple[str, ...]
FindingT = TypeVar("FindingT")


def default_path(gate: str) -> Path:
    """Where a gate's baseline is unless one is named, repo-relative: `.platform-gates/lint.baseline.json`."""
    return DIRECTORY / f"{gate}.baseline.json"


def load_baseline(path: Path, rel: str) -> collections.Counter[Key]:
    """The baseline's entries with their counts; a file that is not a baseline is a GateError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["findings"]
        if data.get("version") != FORMAT_VERSION or not isinstance(entries, list):
            raise ValueError("unknown format")
        return collections.Counter(
            {tuple(str(part) for part in entry["key"]): int(entry["count"]) for entry in entries}
        )
    except FileNotFoundError as exc:
        raise GateError(f"baseline {rel} does not exist") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GateError(f"baseline {rel} is not a platform-gates baseline: {exc}") from exc


def write_baseline(path: Path, gate: str, keys: Iterable[Key]) -> int:
    """Write the baseline of `keys` (one per finding); returns how many findings it holds."""
    counts = collections.Counter(keys)
    entries = [{"key": list(key), "count": count} for key, count in sorted(counts.items())]
    text = json.dumps({"version": FORMAT_VERSION, "gate": gate, "findings": entries}, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, (text + "\n").encode())
    return sum(counts.values())


def new_findings(
    findings: Sequence[FindingT], key: Callable[[FindingT], Key], baseline: collections.Counter[Key]
) -> tuple[list[FindingT], int]:
    """The findings the baseline does not excuse, and how many it excused."""
    allowance = baseline.copy()
    fresh: list[FindingT] = []
    for finding in findings:
        identity = key(finding)
        if allowance[identity] > 0:
            allowance[identity] -= 1
        else:
            fresh.append(finding)
    return fresh, len(findings) - len(fresh)


def find_baseline(root: Path, explicit: str | None, default: Path) -> collections.Counter[Key] | None:
    """The baseline to use: the one named (it must exist), else the default if it exists, else None."""
    if explicit:
        path = setting_path(root, explicit)
        return load_baseline(path, explicit)
    if default.is_file():
        return load_baseline(default, display_path(root, default))
    return None
