"""Each gate's time against the number of files passed, next to its raw tool on the same files.

    python bench/scaling_bench.py [--runs 3] [--largest-runs 1] [--sizes 10,100,1000,10000]
                                  [--only lint,security,secrets] [--corpus DIR]

In a clone of the corpus (bench/collection_bench.py's: a plan and an open log committed; the corpus itself
is never touched), the 10-file change, then every n-th corpus file for 100 and 1,000, and for 10,000 the
2,395 corpus files plus copies of them under `copy2/` ... `copy5/` (committed in the clone) up to 10,000.
Each gate and its raw tool run turn about on the same files, as gates_bench.py runs them:

  lint      platform-lint                       vs  ruff check --force-exclude; ruff format --check ...
  security  platform-security                   vs  bandit -q (one serial process, as bandit's hook)
  secrets   platform-secrets --all-lines, cold  vs  detect-secrets-hook in pre-commit's 2 parallel batches

Every size but the largest gets one untimed warm-up of each and `--runs` pairs; the largest gets
`--largest-runs` pairs, and a warm-up for lint only (ruff's cache; serial bandit on 10,000 files takes
minutes). detect-secrets-hook runs without a baseline. Printed: median gate
and raw wall time, median of the per-pair ratios, and each side's milliseconds per file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from collection_bench import IDENTITY, clone_with_plan, git
from corpus import build_corpus, changed_files, corpus_files
from gates_bench import Batch, halves, timed, tool

RUFF = f'{tool("ruff")} check --force-exclude "$@"; {tool("ruff")} format --check --force-exclude "$@"'
GATES: dict[str, tuple[Callable[[list[str]], Batch], Callable[[list[str]], Batch]]] = {
    "lint": (
        lambda files: [[tool("platform-lint"), *files]],
        lambda files: [["sh", "-c", RUFF, "sh", *files]],
    ),
    "security": (
        lambda files: [[tool("platform-security"), *files]],
        lambda files: [[tool("bandit"), "-q", *files]],
    ),
    "secrets": (
        lambda files: [[tool("platform-secrets"), "--all-lines", *files]],
        lambda files: [[tool("detect-secrets-hook"), *part] for part in halves(files)],
    ),
}


def with_copies(repo: Path, files: list[str], total: int) -> list[str]:
    """`files` plus copies under copy2/, copy3/ ... until `total`, committed in `repo`."""
    chosen = list(files)
    copy = 1
    while len(chosen) < total:
        copy += 1
        for name in files[: total - len(chosen)]:
            target = repo / f"copy{copy}" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repo / name, target)
            chosen.append(f"copy{copy}/{name}")
    git(repo, "add", "--", *{name.split("/")[0] for name in chosen if name.startswith("copy")})
    git(repo, *IDENTITY, "commit", "--quiet", "--no-verify", "-m", f"copies up to {total} files")
    return chosen


def choose(repo: Path, corpus: Path, size: int) -> list[str]:
    everything = corpus_files(corpus)
    if size == 10:
        return changed_files(corpus)
    if size <= len(everything):
        return everything[:: len(everything) // size][:size]
    return with_copies(repo, everything, size)


def row(gate: str, files: list[str], repo: Path, runs: int, warm_up: bool) -> str:
    ours, theirs = (make(files) for make in GATES[gate])
    cache = repo / ".platform-gates" / "state" / "cache"
    if warm_up:
        timed(ours, repo), timed(theirs, repo)
    pairs = []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)  # the secrets gate runs cold; the others keep no cache
        pairs.append((timed(ours, repo)[0], timed(theirs, repo)[0]))
    gate_s = statistics.median(a for a, _ in pairs)
    raw_s = statistics.median(b for _, b in pairs)
    ratio = statistics.median(a / b for a, b in pairs)
    per_file = f"{gate_s * 1000 / len(files):.2f} / {raw_s * 1000 / len(files):.2f}"
    return (
        f"| {gate} | {len(files):,} | {gate_s:.3f} s | {raw_s:.3f} s | {ratio:.2f}x | {per_file} | {runs} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--largest-runs", type=int, default=1)
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--only", default="lint,security,secrets")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-corpus")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    corpus = build_corpus(args.corpus, "large")
    work = Path(tempfile.mkdtemp(prefix="scaling-bench-"))
    started = time.monotonic()
    try:
        repo = clone_with_plan(corpus, work / "repo")
        print(
            f"corpus clone: {len(corpus_files(corpus)):,} Python files ({repo}); {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.2f}\n"
        )
        print("| gate | files | gate | raw | ratio (median of pairs) | ms per file, gate / raw | pairs |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for size in sizes:
            files = choose(repo, corpus, size)
            largest = size == sizes[-1]
            for gate in args.only.split(","):
                runs = args.largest_runs if largest else args.runs
                # ruff's cache must be warm for both sides; bandit and detect-secrets keep none
                print(row(gate, files, repo, runs, warm_up=not largest or gate == "lint"), flush=True)
        print(f"\n{time.monotonic() - started:.0f} s; load average now {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
