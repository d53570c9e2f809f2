"""platform-lint and platform-security against the raw tools, and the ways of spreading bandit over cores.

    python bench/lint_security.py [--runs 5] [--only lint,security,strategies] [--corpus DIR] [--hook-env DIR]

On the large corpus (bench/corpus.py: 2,395 files) and on its 10-file change, each gate and the raw tool
run turn about (gate, raw, gate, raw ...) after one untimed warm-up of each; printed are the median wall
times, the median of the per-pair ratios with their range, and whether the issue's target holds:

  lint      platform-lint      vs  ruff check --force-exclude F...; ruff format --check --force-exclude F...
            target: gate <= 1.10 x raw + 60 ms
  security  platform-security  vs  bandit -q F... (one serial process, as bandit's own hook runs)
            target: full tree >= 1.6x faster; 10-file change: gate <= 1.10 x raw + 60 ms

The gates and the raw tools run from one installation like pre-commit's (`--hook-env`, default
`$TMPDIR/platform-gates-hook-env`): a virtual environment with this checkout pip-installed, not editable,
so the gates start from compiled bytecode with the dependencies' versions pre-commit would install.

`strategies` times bandit alone, spread in different ways, on the same files (all must find the same):
  serial         bandit's manager in one process
  pool           hooks.adapters.bandit_scan: the manager in a pool of forked workers, tasks of up to 16 files,
                 largest first (what platform-security does above POOL_MIN_BYTES of source)
  subprocesses   one `bandit -f json` per core on an equal share of the files, outputs merged
  subprocesses4  4 shares per core, one core each at a time (better balance, more start-ups)
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from corpus import build_corpus, changed_files, corpus_files
from gates_bench import ENV, hook_install, timed, tool

STRATEGIES = ("serial", "pool", "subprocesses", "subprocesses4")


def compare(label: str, ours: list[str], theirs: list[str], cwd: Path, runs: int, slack: float) -> str:
    """One table row; `slack` is the target's allowance: ratio target 1.10 with 60 ms, or None."""
    timed([ours], cwd), timed([theirs], cwd)  # warm the page cache and the tools' own caches, untimed
    pairs = [(timed([ours], cwd)[0], timed([theirs], cwd)[0]) for _ in range(runs)]
    gate = statistics.median(a for a, _ in pairs)
    raw = statistics.median(b for _, b in pairs)
    ratios = [a / b for a, b in pairs]
    if slack:
        excess = statistics.median(a - (1.10 * b + slack) for a, b in pairs)
        target = f"<= 1.10x + {slack * 1000:.0f} ms: {'met' if excess <= 0 else 'MISSED'} ({excess * 1000:+.0f} ms)"
    else:
        speedup = statistics.median(b / a for a, b in pairs)
        target = f">= 1.6x faster: {'met' if speedup >= 1.6 else 'MISSED'} ({speedup:.2f}x)"
    return (
        f"| {label} | {gate:.3f} s | {raw:.3f} s | {statistics.median(ratios):.2f}x "
        f"({min(ratios):.2f}-{max(ratios):.2f}) | {(gate - raw) * 1000:+.0f} ms | {target} |"
    )


def strategy_rows(repo: Path, label: str, files: Sequence[str], runs: int) -> list[str]:
    listing = repo / ".git" / f"bench-files-{len(files)}.txt"
    listing.write_text("\n".join(files))
    commands = {name: [sys.executable, __file__, "--strategy", name, str(listing)] for name in STRATEGIES}
    found = {
        name: subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True, check=True).stdout
        for name, command in commands.items()
    }
    if len(set(found.values())) != 1:
        raise SystemExit(f"the strategies disagree: { {name: len(out) for name, out in found.items()} }")
    times: dict[str, list[float]] = {name: [] for name in STRATEGIES}
    for _ in range(runs):  # round-robin, so drift of the shared machine hits every strategy alike
        for name, command in commands.items():
            times[name].append(timed([command], repo)[0])
    serial = times["serial"]
    rows = []
    for name in STRATEGIES:
        speedup = statistics.median(s / t for s, t in zip(serial, times[name], strict=True))
        rows.append(f"| {label} | {name} | {statistics.median(times[name]):.3f} s | {speedup:.2f}x |")
    return rows


def run_strategy(name: str, listing: Path) -> None:
    """The timed body of one strategy: prints the sorted findings, so that the strategies can be compared."""
    files = [f"./{line}" for line in listing.read_text().splitlines() if line]
    if name in ("serial", "pool"):
        from hooks.adapters import bandit_scan

        bandit_scan.POOL_MIN_BYTES = sys.maxsize if name == "serial" else 0
        report = bandit_scan.run_bandit(files, bandit_scan.BanditConfig(None))
        found = [(i.filename, i.line, i.test_id) for i in report.issues]
    else:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        shares = cpus * (4 if name == "subprocesses4" else 1)
        ordered = sorted(files, key=lambda f: Path(f).stat().st_size, reverse=True)
        parts = [ordered[start::shares] for start in range(shares)]

        def bandit(part: list[str]) -> list[tuple[str, int, str]]:
            out = subprocess.run(
                [tool("bandit"), "-q", "-f", "json", "--exit-zero", *part], capture_output=True, check=True
            ).stdout
            return [(r["filename"], r["line_number"], r["test_id"]) for r in json.loads(out)["results"]]

        with concurrent.futures.ThreadPoolExecutor(cpus) as threads:
            found = [issue for part in threads.map(bandit, parts) for issue in part]
    for name, line, test_id in sorted(found):
        print(os.path.normpath(name), line, test_id)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="lint,security,strategies")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-corpus")
    parser.add_argument(
        "--hook-env", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-hook-env"
    )
    parser.add_argument("--strategy", nargs=2, metavar=("NAME", "LISTING"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.strategy:
        run_strategy(args.strategy[0], Path(args.strategy[1]))
        return 0
    only = set(args.only.split(","))
    installed = hook_install(args.hook_env)

    def command(name: str) -> str:
        return str(installed / name)

    repo = build_corpus(args.corpus, "large")
    sets = {"full tree": corpus_files(repo), "10-file change": changed_files(repo)}
    started = time.monotonic()
    print(
        f"corpus: {len(sets['full tree']):,} Python files ({repo}); {args.runs} pairs each; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n"
    )
    print("| gate vs raw tool | gate | raw | ratio (median, range) | difference | target |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, files in sets.items():
        if "lint" in only:
            ruff = command("ruff")
            script = f'{ruff} check --force-exclude "$@"; {ruff} format --check --force-exclude "$@"'
            raw = ["sh", "-c", script, "sh", *files]
            print(compare(f"lint, {label}", [command("platform-lint"), *files], raw, repo, args.runs, 0.060))
        if "security" in only:
            slack = 0.0 if label == "full tree" else 0.060
            raw = [command("bandit"), "-q", *files]
            print(
                compare(
                    f"security, {label}", [command("platform-security"), *files], raw, repo, args.runs, slack
                )
            )
    if "strategies" in only:
        print(
            "\n| files | bandit spread over the cores | median wall | speed-up over serial (median of rounds) |"
        )
        print("| --- | --- | --- | --- |")
        for label, files in sets.items():
            for row in strategy_rows(repo, label, files, args.runs):
                print(row)
    print(f"\n{time.monotonic() - started:.0f} s; load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
