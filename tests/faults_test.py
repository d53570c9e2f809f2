"""A write that fails (disk full, file too large) never costs a verdict or an earlier record."""

from __future__ import annotations

import resource
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from hooks.frame.journal import Journal
from tests.util import LOG, PLATFORM_GATES, add_platform_mode, run_cli

LOG_REL = ".platform-mode/execution/execution001.execution.md"


def limited_to(max_bytes: int) -> Callable[[], None]:
    """A child whose writes past `max_bytes` fail with EFBIG, as on a full disk."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return apply


def record_with_limit(repo: Path, max_bytes: int, summary: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PLATFORM_GATES, "record", "--gate", "demo", "--status", "fail", "--summary", summary],
        cwd=repo,
        capture_output=True,
        text=True,
        preexec_fn=limited_to(max_bytes),
        timeout=60,
    )


def test_failing_journal_write_reports_the_verdict_and_keeps_earlier_records(repo: Path) -> None:
    add_platform_mode(repo)
    assert run_cli(repo, "record", "--gate", "demo", "--status", "pass", "--summary", "first").returncode == 0
    journal = Journal(repo, LOG_REL)
    size = journal.path.stat().st_size

    result = record_with_limit(repo, size + 10, "second")

    assert result.returncode == 2
    assert result.stdout.startswith("demo: FAIL - second · record NOT written: ")
    assert "Traceback" not in result.stdout + result.stderr
    assert [r.summary for _, r in Journal(repo, LOG_REL).records()] == ["first"]
    assert run_cli(repo, "record", "--gate", "demo", "--status", "pass", "--summary", "third").returncode == 0
    assert [r.summary for _, r in Journal(repo, LOG_REL).records()] == ["first", "third"]


def test_failing_log_write_keeps_the_record_pending_and_the_log_whole(repo: Path) -> None:
    log = add_platform_mode(repo, log=LOG + "\n" + "Padding so the log outgrows the limit.\n" * 600)
    before = log.read_bytes()

    result = record_with_limit(repo, 8192, "kept")

    assert result.returncode == 2
    assert f"recorded in the journal but NOT in {LOG_REL}: File too large" in result.stdout
    assert log.read_bytes() == before
    assert [path.name for path in log.parent.iterdir()] == [log.name]
    assert [r.summary for _, r in Journal(repo, LOG_REL).records()] == ["kept"]
    assert run_cli(repo, "sync").returncode == 0
    assert "| kept |" in log.read_text()
