"""The state directory: `<repo>/.platform-gates/state`, never committed (it ignores itself, as
`.pytest_cache` does). The journals, the caches and the log writer's notes live there."""

from __future__ import annotations

from pathlib import Path

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
