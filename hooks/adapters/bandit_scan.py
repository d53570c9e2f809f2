"""bandit's own scanner run in-process, a large file list spread over the CPU cores, one report
(DEC-007); the user's config read by bandit's own loaders: `-c` YAML or TOML, `[tool.bandit]`, `.bandit`."""

from __future__ import annotations

import concurrent.futures
import functools
import importlib
import importlib.metadata
import logging
import multiprocessing
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from hooks.frame.config import read_toml
from hooks.frame.context import usable_cpus
from hooks.frame.errors import GateError
from hooks.frame.paths import setting_path

CHUNK_FILES = 16  # files per task at most: small enough to balance the cores, large enough to amortise
POOL_MIN_BYTES = 256 * 1024  # less source than this: one process beats starting workers (measured)


class Issue(NamedTuple):
    filename: str  # as it was passed in
    line: int
    test_id: str
    severity: str  # low / medium / high (lower case)
    confidence: str
    text: str
    lines: tuple[int, ...] = ()  # every line it spans (a call over several lines: all of them)


class BanditConfig(NamedTuple):
    """The user's bandit config: the config file bandit reads (`-c`), and what a `.bandit` INI adds."""

    config_file: str | None  # a YAML or TOML file, or pyproject.toml when it has [tool.bandit]
    exclude: tuple[str, ...] = ()  # the config file's exclude_dirs and the INI's exclude
    tests: tuple[str, ...] = ()  # the INI's tests and skips, added to the config file's as bandit does
    skips: tuple[str, ...] = ()


class BanditReport(NamedTuple):
    issues: list[Issue]
    skipped: list[tuple[str, str]]  # (filename, bandit's reason), e.g. a syntax error
    version: str


class _Setup(NamedTuple):
    config: Any  # bandit.core.config.BanditConfig
    profile: dict[str, set[str]]


_setup: _Setup | None = None  # per process: the parent, or a pool worker


def load_config(root: Path, config_file: str | None = None, ini_file: str | None = None) -> BanditConfig:
    """The bandit config of the repository at `root`, read as bandit reads it.

    `config_file` (bandit's `-c`) wins over the INI's `configfile`, which wins over `[tool.bandit]` of
    pyproject.toml; the INI is `ini_file` (bandit's `--ini`) or a `.bandit` file at the root.
    """
    ini = _read_ini(root, ini_file)
    chosen = config_file or ini.get("configfile")
    if chosen:
        path = setting_path(root, chosen)
        if not path.is_file():
            raise GateError(f"bandit config file {chosen} does not exist")
        config_path: str | None = str(path)
    else:
        pyproject = root / "pyproject.toml"
        tool = read_toml(pyproject).get("tool", {}) if pyproject.is_file() else {}
        config_path = str(pyproject) if isinstance(tool, dict) and "bandit" in tool else None
    loaded = _bandit_config(config_path)
    named = Path(config_path).name if config_path else "the bandit config"
    listed = {key: loaded.get_option(key) or [] for key in ("exclude_dirs", "tests", "skips")}
    for key, value in listed.items():
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            where = "tool.bandit." if named == "pyproject.toml" else ""
            raise GateError(f"{named}: {where}{key} must be a list of strings")
    return BanditConfig(
        config_path,
        (*listed["exclude_dirs"], *_ini_list(ini, "exclude")),
        _ini_list(ini, "tests"),
        _ini_list(ini, "skips"),
    )


def _read_ini(root: Path, ini_file: str | None) -> dict[str, str]:
    """The [bandit] section of the INI (bandit's own reader), {} when there is none."""
    path = setting_path(root, ini_file) if ini_file else root / ".bandit"
    if not path.is_file():
        if ini_file:
            raise GateError(f"bandit INI file {ini_file} does not exist")
        return {}
    utils = _bandit_module("utils")
    options = utils.parse_ini_file(str(path))
    if options is None:
        raise GateError(f"{ini_file or '.bandit'}: not a bandit INI file (it needs a [bandit] section)")
    return dict(options)


def _ini_list(ini: dict[str, str], key: str) -> tuple[str, ...]:
    """A comma-separated INI value as bandit splits it."""
    return tuple(item.strip() for item in ini.get(key, "").split(",") if item.strip())


def run_bandit(paths: Sequence[str], config: BanditConfig, workers: int | None = None) -> BanditReport:
    """bandit's findings (at every level, `# nosec` honoured) and skipped files for `paths`.

    `config` is what `load_config` read; `workers` defaults to the usable CPU count. A config bandit
    rejects, or bandit itself missing or crashing, is a GateError with bandit's reason.
    """
    global _setup
    _setup = _load(config)
    workers = min(workers or usable_cpus(), len(paths))
    try:
        if workers <= 1 or _total_bytes(paths) < POOL_MIN_BYTES:
            results = [_scan(list(paths))]
        else:
            results = _scan_in_pool(list(_chunks(paths, workers)), config, workers)
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


def _bandit_module(name: str) -> Any:
    """A module of bandit.core, imported on first use (bandit loads its plugins then)."""
    try:
        with warnings.catch_warnings():  # stevedore's deprecation notices, raised while bandit loads plugins
            warnings.simplefilter("ignore", DeprecationWarning)
            return importlib.import_module(f"bandit.core.{name}")
    except ImportError as exc:
        raise GateError(f"bandit is not installed (pip install bandit): {exc}") from exc


@functools.cache
def _bandit_config(config_file: str | None) -> Any:
    """bandit's own BanditConfig of the file (YAML, or TOML by its extension), as with `bandit -c`; read
    once per process (`load_config` checks it, the scan uses it)."""
    config, utils = _bandit_module("config"), _bandit_module("utils")
    # bandit warns about every comment that merely mentions "nosec"; what it skips is reported by us.
    logging.getLogger("bandit").setLevel(logging.ERROR)
    try:
        return config.BanditConfig(config_file=config_file)
    except utils.ConfigError as exc:
        raise GateError(f"bandit: {exc}") from exc


def _load(bandit: BanditConfig) -> _Setup:
    loaded = _bandit_config(bandit.config_file)
    profile = {
        "include": {*(loaded.get_option("tests") or []), *bandit.tests},
        "exclude": {*(loaded.get_option("skips") or []), *bandit.skips},
    }
    try:
        _bandit_module("extension_loader").MANAGER.validate_profile(profile)
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
            lines=tuple(int(line) for line in (issue.linerange or [issue.lineno])),
        )
        for issue in scanner.results
    ]
    return issues, [(str(name), str(reason)) for name, reason in scanner.get_skipped()]


def _scan_in_pool(
    chunks: list[list[str]], config: BanditConfig, workers: int
) -> list[tuple[list[Issue], list[tuple[str, str]]]]:
    # fork shares the imported bandit with the workers for free; where fork is unsafe (macOS) or missing
    # (Windows), workers start fresh and load bandit and the config themselves.
    method = "fork" if sys.platform.startswith("linux") else None
    with concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(config,),
    ) as pool:
        return list(pool.map(_scan, chunks))


def _init_worker(config: BanditConfig) -> None:
    global _setup
    _setup = _setup or _load(config)


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
