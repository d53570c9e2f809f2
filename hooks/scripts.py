"""The console scripts: each one imports its gate with the garbage collector held off, then runs it.

A gate is a process that pre-commit starts and ends on every commit, and what it imports lives until it
exits. Collecting while the imports run finds nothing to free, and so does the teardown's walk over them:
frozen (`gc.freeze`), they are skipped by both, which spares a small lint run about a fifth of its Python
time. Objects made afterwards are collected as usual.
"""

from __future__ import annotations

import gc
import importlib


def _run(module: str) -> int:
    gc.disable()
    try:
        main = importlib.import_module(module).main
    finally:
        gc.freeze()
        gc.enable()
    code: int = main()
    return code


def platform_gates() -> int:
    return _run("hooks.cli.main")


def lint() -> int:
    return _run("hooks.lint")


def security() -> int:
    return _run("hooks.security")


def secrets() -> int:
    return _run("hooks.secret_scan")


def coverage() -> int:
    return _run("hooks.coverage_check")


def log_freshness() -> int:
    return _run("hooks.log_freshness")


def traceability() -> int:
    return _run("hooks.traceability")


def docs() -> int:
    return _run("hooks.docs")


def log_sync() -> int:
    return _run("hooks.log_sync")
