"""bandit's own scanner run in-process, a large file list spread over the CPU cores, one report
(DEC-007); a short list is scanned right here."""

from __future__ import annotations

import concurrent.futures
import importlib.metadata
import logging
import multiprocessing
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from hooks.frame.errors import GateError

CHUNK_FILES = 16  # files per task at most: small enough to balance the cores, large enough to amortise
POOL_MIN_BYTES = 256 * 1024  # less source than this: one process beats starting workers (measured)


class Issue(NamedTuple):
    filename: str  # as it was passed in
    line: int
    test_id: str
    severity: str  # low / medium / high (lower case)
    confidence: str
    text: str


class BanditReport(NamedTuple):
    issues: list[Issue]
    skipped: list[tuple[str, str]]  # (filename, bandit's reason), e.g. a syntax error
    version: str


class _Setup(NamedTuple):
    config: Any  # bandit.core.config.BanditConfig
    profile: dict[str, set[str]]


_setup: _Setup | None = None  # per process: the parent, or a pool worker


def run_bandit(paths: Sequence[str], config_file: str | None, workers: int | None = None) -> BanditReport:
    """bandit's findings (at every level, `# nosec` honoured) and skipped files for `paths`.

    `config_file` is a file bandit reads as with `-c` (`pyproject.toml` for `[tool.bandit]`); `workers`
    defaults to the usable CPU count. A config bandit rejects, or bandit itself missing or crashing, is a
    GateError with bandit's reason.
    """
    global _setup
    _setup = _load(config_file)
    workers = min(workers or _usable_cpus(), len(paths))
    try:
        if workers <= 1 or _total_bytes(paths) < POOL_MIN_BYTES:
            results = [_scan(list(paths))]
        else:
            results = _scan_in_pool(list(_chunks(paths, workers)), config_file, workers)
    except GateError:
        raise
    except Exception as exc:  # a worker that died, or bandit failing outside its per-file guard
        raise GateError(f"bandit crashed: {type(exc).__name__}: {exc}") from exc
    issues = [issue for found, _ in results for issue in found]
    skipped = [entry for _, found in results for entry in found]
    return BanditReport(issues, skipped, bandit_version())


def bandit_version() -> str:
    """The installed bandit's version, read from its metadata (bandit itself is not imported)."""
    try:
        return importlib.metadata.version("bandit")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _load(config_file: str | None) -> _Setup:
    try:
        with warnings.catch_warnings():  # stevedore's deprecation notices, raised while bandit loads plugins
            warnings.simplefilter("ignore", DeprecationWarning)
            from bandit.core import config, extension_loader, utils
    except ImportError as exc:
        raise GateError(f"bandit is not installed (pip install bandit): {exc}") from exc
    # bandit warns about every comment that merely mentions "nosec"; what it skips is reported by us.
    logging.getLogger("bandit").setLevel(logging.ERROR)
    try:
        loaded = config.BanditConfig(config_file=config_file)
    except utils.ConfigError as exc:
        raise GateError(f"bandit: {exc}") from exc
    profile = {
        "include": set(loaded.get_option("tests") or []),
        "exclude": set(loaded.get_option("skips") or []),
    }
    try:
        extension_loader.MANAGER.validate_profile(profile)
    except ValueError as exc:
        raise GateError(f"bandit: {exc}") from exc
    return _Setup(loaded, profile)


def _scan(paths: list[str]) -> tuple[list[Issue], list[tuple[str, str]]]:
    from bandit.core import manager

    if _setup is None:
        raise RuntimeError("bandit_scan: _scan before _load")
    scanner = manager.BanditManager(_setup.config, "file", profile=_setup.profile, quiet=True)
    if not scanner.b_ts.tests:
        raise GateError("bandit: no tests would be run: check tests and skips in [tool.bandit]")
    scanner.files_list = paths
    scanner.run_tests()
    issues = [
        Issue(
            filename=str(issue.fname),
            line=int(issue.lineno),
            test_id=str(issue.test_id),
            severity=str(issue.severity).lower(),
            confidence=str(issue.confidence).lower(),
            text=str(issue.text),
        )
        for issue in scanner.results
    ]
    return issues, [(str(name), str(reason)) for name, reason in scanner.get_skipped()]


def _scan_in_pool(
    chunks: list[list[str]], config_file: str | None, workers: int
) -> list[tuple[list[Issue], list[tuple[str, str]]]]:
    # fork shares the imported bandit with the workers for free; where fork is unsafe (macOS) or missing
    # (Windows), workers start fresh and load bandit and the config themselves.
    method = "fork" if sys.platform.startswith("linux") else None
    with concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(config_file,),
    ) as pool:
        return list(pool.map(_scan, chunks))


def _init_worker(config_file: str | None) -> None:
    global _setup
    _setup = _setup or _load(config_file)


def _chunks(paths: Sequence[str], workers: int) -> Iterator[list[str]]:
    # Largest files first: the pool's last tasks are then small ones, and the cores finish together.
    # A short list goes out in smaller tasks, at least 4 per worker.
    ordered = sorted(paths, key=_size, reverse=True)
    size = max(1, min(CHUNK_FILES, len(ordered) // (4 * workers)))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # bandit reports it as skipped, with the reason


def _total_bytes(paths: Sequence[str]) -> int:
    total = 0
    for path in paths:
        total += _size(path)
        if total >= POOL_MIN_BYTES:
            break
    return total


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
