"""Cost of recording as the journal grows: `platform-gates record`, `status`, and the latest-record lookup.

    .venv/bin/python bench/recording_bench.py [--sizes 10,10000,1000000] [--runs 5]

Prints medians and ratios against `python -c pass` measured in the same run (shared machines drift;
ratios hold). `record` and the lookup should stay flat as the journal grows (append; read from the
end); `status` streams the journal, so it grows linearly and its memory stays flat.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hooks.frame.config import load_config
from hooks.frame.documents import find_active_log
from hooks.frame.history import latest_record
from hooks.frame.journal import Journal
from hooks.frame.record import Record, Status, new_id, to_json

BIN = Path(sys.executable).parent
LOG = """# Execution Log 001: Bench

**Document ID**: execution001.execution.md
**Status**: IN PROGRESS

## 2. Quality Report
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return elapsed, peak / 1024


def make_repo(base: Path, size: int) -> Path:
    root = base / f"journal-{size}"
    log = root / ".platform-mode/execution/execution001.execution.md"
    log.parent.mkdir(parents=True)
    log.write_text(LOG)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    journal = Journal(root, ".platform-mode/execution/execution001.execution.md")
    template = Record(
        gate="platform-coverage",
        status=Status.PASS,
        summary="coverage 81.2% · changed lines 12/15 = 80.0%",
        time="2026-11-24T10:00:00Z",
        duration_s=0.4,
        id="0123456789abcdef",
        files=40,
        metrics={"total": 81.2},
        tools={"coverage": "7.17.3"},
        commit="0" * 40,
    )
    journal.directory.mkdir(parents=True, exist_ok=True)
    with journal.path.open("w") as f:
        for number in range(size):
            # six gates take turns, as in a real journal; the lookup finds coverage among the last few
            gate = "platform-coverage" if number % 6 == 0 else f"gate-{number % 6}"
            line = to_json(template).replace('"platform-coverage"', f'"{gate}"', 1)
            f.write(line.replace(template.id, f"{number:016x}") + "\n")
    journal.set_synced_offset(journal.path.stat().st_size)  # as if every record were in the log already
    os.sync()  # or the first fsync of a timed append pays for writing the whole generated journal
    return root


def median_of(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    samples = [timed(command, cwd) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10,10000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    gates = str(BIN / "platform-gates")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        floor, _ = median_of([sys.executable, "-c", "pass"], base, args.runs)
        print(f"python -c pass: {floor * 1000:.1f} ms (the unit of the ratios below)")

        root = make_repo(base, 0)
        journal = Journal(root, ".platform-mode/execution/execution001.execution.md")
        started = time.perf_counter()
        for number in range(1000):
            journal.append(Record("bench", Status.PASS, f"n{number}", "2026-11-24T10:00:00Z", 0.0, new_id()))
        appends = time.perf_counter() - started
        print(f"1,000 sequential appends through the library: {appends:.2f} s ({appends:.3f} ms per append)")

        print(
            f"\n{'journal records':>16} | {'record ms':>9} {'x pass':>6} | {'status ms':>9} {'x pass':>6} "
            f"{'MiB':>5} | {'lookup ms':>9}"
        )
        for size in sizes:
            root = make_repo(base, size)
            record, _ = median_of([gates, "record", "--gate", "bench", "--status", "pass"], root, args.runs)
            status, peak = median_of([gates, "status", "--json"], root, max(1, args.runs // 2))
            config = load_config(root)
            log = find_active_log(root, config, environ={})
            started = time.perf_counter()
            found = latest_record(root, log, "platform-coverage")
            lookup = time.perf_counter() - started
            assert found is not None
            count = json.loads(
                subprocess.run(
                    [gates, "status", "--json"], cwd=root, capture_output=True, text=True, check=True
                ).stdout
            )["records"]
            assert count >= size, count
            print(
                f"{size:>16,} | {record * 1000:>9.1f} {record / floor:>6.1f} | {status * 1000:>9.1f} "
                f"{status / floor:>6.1f} {peak:>5.0f} | {lookup * 1000:>9.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
