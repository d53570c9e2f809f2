"""Paths as the gates show them and as settings name them: output and records show repo-relative POSIX
paths; a setting's path is read against the repository root; nothing a gate opens leaves the repository."""

from __future__ import annotations

import os
from pathlib import Path

from hooks.frame.errors import GateError


def display_path(root: Path, path: str | os.PathLike[str]) -> str:
    """`path` as output and records show it: relative to the repository, POSIX; as given when outside."""
    candidate = Path(path)
    try:
        return candidate.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return candidate.as_posix()


def setting_path(root: Path, value: str | os.PathLike[str]) -> Path:
    """A path named by a setting or an argument: absolute as given, else against the repository root."""
    return root / value


def inside_repo(root: Path, path: Path) -> Path:
    """`path` resolved (symlinks followed); a GateError when it leaves the repository."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise GateError(f"{path} is outside the repository {root}")
    return resolved
