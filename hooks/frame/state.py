"""The state directory: `<repo>/.platform-gates/state`, never committed (it ignores itself, as
`.pytest_cache` does). The journals, the caches and the log writer's notes live there."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from hooks.frame.files import replace_atomically

STATE_DIR = ".platform-gates/state"
SYNC_NOTES = "log-sync.log"  # the detached log writer's last outcome (nobody sees its output)


def state_dir(root: Path) -> Path:
    """The state directory, created on first use with a `.gitignore` of `*`."""
    directory = root / STATE_DIR
    ignore = directory / ".gitignore"
    if not ignore.exists():
        directory.mkdir(parents=True, exist_ok=True)
        ignore.write_text("# created by platform-gates: its state is never committed\n*\n")
    return directory


class JsonCache:
    """Results kept between runs in one JSON file of the state directory, named for the version of what
    computes them: a missing, corrupt or unwritable file only costs the work, and a write replaces the
    file whole (concurrent runs: the last one wins, nobody reads half). Past `max_entries`, a save keeps
    only what this run used."""

    def __init__(self, path: Path | None, max_entries: int = 0) -> None:
        self.path = path
        self.max_entries = max_entries
        self.entries: dict[str, Any] = {}
        self.used: set[str] = set()
        self.changed = False
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_bytes())
                self.entries = loaded if isinstance(loaded, dict) else {}

    def get(self, key: str) -> Any | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.used.add(key)
        return entry

    def put(self, key: str, entry: Any) -> None:
        self.entries[key] = entry
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        if self.max_entries and len(self.entries) > self.max_entries:
            self.entries = {key: self.entries[key] for key in self.used}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps(self.entries, separators=(",", ":")).encode()
            replace_atomically(self.path, data, scratch=self.path.parent)
