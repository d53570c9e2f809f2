"""The cost of the changed-lines scope: platform-lint and platform-security on the corpus's 10-file change,
`--scope changed-lines` against `--scope files`, same files, same run.

    python bench/scope_bench.py [--runs 7] [--corpus DIR]

The corpus's "change" commit is staged again in a clone (so the change set is the staged change, as
under a commit), and each gate runs turn about with either scope after one untimed warm-up of each.
Printed are the median wall times and the median of the per-pair ratios with their range. The
changed-lines scope adds two `git diff` calls, and `ruff format --diff` instead of `--check`.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus, changed_files
from gates_bench import ENV, tool


def wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def row(gate: str, files: list[str], repo: Path, runs: int) -> str:
    commands = {scope: [tool(gate), "--scope", scope, *files] for scope in ("changed-lines", "files")}
    for command in commands.values():
        wall(command, repo)  # warm-up, untimed
    pairs = [(wall(commands["changed-lines"], repo), wall(commands["files"], repo)) for _ in range(runs)]
    lines_s = statistics.median(a for a, _ in pairs)
    files_s = statistics.median(b for _, b in pairs)
    ratios = [a / b for a, b in pairs]
    return (
        f"| {gate} | {lines_s * 1000:.0f} ms | {files_s * 1000:.0f} ms | {statistics.median(ratios):.2f}x "
        f"({min(ratios):.2f}-{max(ratios):.2f}) | {(lines_s - files_s) * 1000:+.0f} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-corpus")
    args = parser.parse_args()
    corpus = build_corpus(args.corpus, "large")
    files = changed_files(corpus)
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        subprocess.run(["git", "clone", "-q", str(corpus), str(repo)], check=True)
        subprocess.run(["git", "reset", "-q", "--soft", "HEAD~1"], cwd=repo, check=True)  # the change, staged
        print(
            f"{len(files)}-file change staged in a clone of {corpus}; {args.runs} pairs each; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n"
        )
        print("| gate | scope changed-lines | scope files | ratio (median, range) | difference |")
        print("| --- | --- | --- | --- | --- |")
        for gate in ("platform-lint", "platform-security"):
            print(row(gate, files, repo, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
