"""What platform-log-sync costs a commit, and how soon after `git commit` returns the log holds the results.

A repository with the freshness gate installed through real pre-commit (`repo: local` hooks on this
environment's console scripts), committed to in alternating pairs: one commit with platform-log-sync
installed at post-commit, one without. Prints the median commit time of each, their difference and
ratio, and the time from `git commit` returning to the log naming the new commit.

    python bench/log_sync_bench.py [--commits 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
LOG = ".platform-mode/execution/execution001.execution.md"
GATE = """      - id: platform-log-freshness
        name: platform-log-freshness
        entry: {bin}/platform-log-freshness
        language: unsupported
        pass_filenames: false
        always_run: true
        stages: [pre-commit]
"""
SYNC = """      - id: platform-log-sync
        name: platform-log-sync
        entry: {bin}/platform-log-sync
        language: unsupported
        pass_filenames: false
        always_run: true
        stages: [post-commit]
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def configure(repo: Path, with_sync: bool) -> None:
    hooks = GATE.format(bin=BIN) + (SYNC.format(bin=BIN) if with_sync else "")
    (repo / ".pre-commit-config.yaml").write_text(f"repos:\n  - repo: local\n    hooks:\n{hooks}")
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "configure")


def timed_commit(repo: Path, number: int, with_sync: bool) -> tuple[float, float | None]:
    """(seconds `git commit` took, seconds from its return to the log naming the commit, or None)."""
    (repo / "app.py").write_text(f"VALUE = {number}\n")
    with (repo / LOG).open("a") as log:
        log.write(f"\n- entry {number}\n")
    git(repo, "add", "-A")
    started = time.perf_counter()
    subprocess.run(
        ["git", "commit", "-q", "-m", f"change {number}"], cwd=repo, check=True, capture_output=True
    )
    returned = time.perf_counter()
    if not with_sync:
        return returned - started, None
    head = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    while f"| {head} |" not in (repo / LOG).read_text():
        if time.perf_counter() - returned > 10:
            raise SystemExit(f"the log never named {head}")
        time.sleep(0.0005)
    return returned - started, time.perf_counter() - returned


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=15, help="commits of each kind (default 15)")
    args = parser.parse_args()
    environ = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid"}
    os.environ.update(
        environ | {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    )
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        (repo / ".platform-mode/plans").mkdir(parents=True)
        (repo / ".platform-mode/execution").mkdir(parents=True)
        (repo / ".platform-mode/plans/plan001.plan.md").write_text("# Plan 001\n\n**Status**: READY\n")
        (repo / LOG).write_text(
            "# Execution Log 001\n\n**Status**: IN PROGRESS\n\n## 1. Implementation Log\n\n"
            "## 2. Quality Report\n\n## 3. Decision Log\n"
        )
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "start")
        subprocess.run(
            [BIN / "pre-commit", "install", "-t", "pre-commit", "-t", "post-commit"], cwd=repo, check=True,
            capture_output=True,
        )  # fmt: skip
        without: list[float] = []
        with_sync: list[float] = []
        latency: list[float] = []
        for number in range(args.commits):
            for sync in (number % 2 == 0, number % 2 == 1):  # alternate which goes first
                configure(repo, sync)
                took, landed = timed_commit(repo, number * 2 + sync, sync)
                (with_sync if sync else without).append(took)
                if landed is not None:
                    latency.append(landed)
    off, on = statistics.median(without), statistics.median(with_sync)
    print(f"git commit, freshness gate only:        median {off * 1000:7.1f} ms ({len(without)} commits)")
    print(f"git commit, plus platform-log-sync:     median {on * 1000:7.1f} ms ({len(with_sync)} commits)")
    print(f"added by platform-log-sync:             {(on - off) * 1000:+7.1f} ms ({on / off:.2f}x)")
    print(
        f"git commit returned -> log written:     median {statistics.median(latency) * 1000:7.1f} ms, "
        f"max {max(latency) * 1000:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
