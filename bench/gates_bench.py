"""Each gate against the raw tool it wraps, on the same files, alternating in one run.

    python bench/gates_bench.py [--runs 3] [--only lint,security,secrets,coverage] [--corpus DIR]

Builds the corpus (bench/corpus.py), then for the full tree and for its 10-file change times the gate
and the raw tool turn about (A B A B ...), and prints median wall time, peak RSS of the largest process
and the median of the per-pair ratios (shared machines drift; paired ratios hold).

  lint      platform-lint            vs  ruff check --force-exclude; ruff format --check --force-exclude
  security  platform-security        vs  bandit on all the files in one process (its hook is serial)
  secrets   platform-secrets, cold   vs  detect-secrets-hook as pre-commit runs it: 2 parallel batches
            platform-secrets, warm       the same, a repeat run over unchanged files (its cache)
  coverage  platform-coverage        vs  diff-cover on the same coverage.xml and diff (HEAD~1)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import build_corpus, changed_files

BIN = Path(sys.executable).parent
Batch = list[list[str]]  # commands started together (pre-commit's parallel batches); one entry: one process
ENV = {key: value for key, value in os.environ.items() if not key.startswith(("PRE_COMMIT", "GITHUB_"))}


def tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


def hook_install(directory: Path) -> Path:
    """The `bin` of this checkout installed the way pre-commit installs a hook repository: a virtual
    environment of its own and a regular `pip install` (not editable, bytecode compiled by pip), so that a
    gate starts as it does under pre-commit. Made once with the dependencies; this checkout's code is
    reinstalled on every call."""
    python = directory / "bin" / "python"
    repo = str(Path(__file__).resolve().parent.parent)
    if not python.exists():
        venv.create(directory, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-q", repo], check=True)
    else:
        subprocess.run(
            [python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", repo], check=True
        )
    return directory / "bin"


def timed(batch: Batch, cwd: Path) -> tuple[float, float]:
    """Wall seconds until every process ends, and the peak RSS (MiB) of the largest one."""
    started = time.perf_counter()
    pids = [
        subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid
        for command in batch
    ]
    peak = max(os.wait4(pid, 0)[2].ru_maxrss for pid in pids)
    return time.perf_counter() - started, peak / 1024


def compare(label: str, ours: Batch, theirs: Batch, cwd: Path, runs: int, reset: Callable[[], None]) -> str:
    timed(theirs, cwd)  # warm the page cache, untimed
    pairs = []
    for _ in range(runs):
        reset()
        pairs.append((timed(ours, cwd), timed(theirs, cwd)))
    ours_s = statistics.median(a[0] for a, _ in pairs)
    theirs_s = statistics.median(b[0] for _, b in pairs)
    ratio = statistics.median(a[0] / b[0] for a, b in pairs)
    ours_mib, theirs_mib = max(a[1] for a, _ in pairs), max(b[1] for _, b in pairs)
    return (
        f"| {label} | {ours_s:.3f} s | {theirs_s:.3f} s | {ratio:.2f}x | {(ours_s - theirs_s) * 1000:+.0f} ms "
        f"| {ours_mib:.0f} | {theirs_mib:.0f} | {ours_mib / theirs_mib:.2f}x |"
    )


def halves(files: Sequence[str]) -> list[list[str]]:
    """pre-commit's split of a non-serial hook's files on 2 CPUs: shuffled with a fixed seed, 2 parts."""
    shuffled = list(files)
    random.Random(1542676187).shuffle(shuffled)
    middle = (len(shuffled) + 1) // 2
    return [part for part in (shuffled[:middle], shuffled[middle:]) if part]


def coverage_xml(repo: Path, files: Sequence[str], copies: int = 1) -> Path:
    """A Cobertura report over every file: statements from coverage.py's own parser, 2 of 3 of them hit.

    `copies` > 1 repeats every class under other names (`copy2/...`): a bigger report, the same diff.
    """
    from coverage.parser import PythonParser

    lines = [
        '<?xml version="1.0" ?>',
        '<coverage version="7">',
        f"<sources><source>{repo}</source></sources>",
    ]
    lines.append('<packages><package name="all"><classes>')
    for name in files:
        try:
            parser = PythonParser(filename=str(repo / name))
            parser.parse_source()
        except Exception:  # coverage.py leaves out files it cannot parse; so does this report
            continue
        for copy in range(1, copies + 1):
            filename = name if copy == 1 else f"copy{copy}/{name}"
            lines.append(f'<class name="{filename}" filename="{filename}"><methods/><lines>')
            lines += [f'<line number="{n}" hits="{int(n % 3 != 0)}"/>' for n in sorted(parser.statements)]
            lines.append("</lines></class>")
    lines += ["</classes></package></packages>", "</coverage>"]
    path = repo / ".git" / f"coverage-{copies}.xml"
    path.write_text("\n".join(lines) + "\n")
    return path


def changed_line_figures(repo: Path, xml: Path) -> str:
    ours = subprocess.run(
        [tool("platform-coverage"), "--data", str(xml), "--compare-with", "HEAD~1"],
        cwd=repo, env=ENV, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    theirs = subprocess.run(
        [tool("diff-cover"), str(xml), "--compare-branch=HEAD~1"],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
    ).stdout
    total = next((line for line in theirs.splitlines() if line.startswith("Total:")), "?")
    covered = next((line for line in theirs.splitlines() if line.startswith("Coverage:")), "?")
    return f"platform-coverage: {ours.split('changed lines ')[-1].split(' ·')[0]}; diff-cover: {total}, {covered}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="lint,security,secrets,coverage")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-corpus")
    args = parser.parse_args()
    only = set(args.only.split(","))
    repo = build_corpus(args.corpus, "large")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    everything = [name for name in listed.split("\0") if name.endswith(".py")]
    cache = repo / ".platform-gates" / "state" / "cache"
    baseline = repo / ".git" / "empty.secrets.baseline"
    empty = Path(tempfile.mkdtemp())
    baseline.write_text(
        subprocess.run([tool("detect-secrets"), "scan"], cwd=empty, capture_output=True, text=True).stdout
    )
    print(f"corpus: {len(everything):,} Python files ({repo}); {args.runs} pairs each; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")  # fmt: skip
    print(
        "| gate vs raw tool | gate | raw | ratio (median of pairs) | difference | gate MiB | raw MiB | memory |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    for label, files in (("full tree", everything), ("10-file change", changed_files(repo))):
        if "lint" in only:
            ruff = f'{tool("ruff")} check --force-exclude "$@"; {tool("ruff")} format --check --force-exclude "$@"'
            raw = [["sh", "-c", ruff, "sh", *files]]
            print(compare(f"lint, {label}", [[tool("platform-lint"), *files]], raw, repo, args.runs, nothing))
        if "security" in only:
            raw = [[tool("bandit"), "-q", *files]]
            print(
                compare(
                    f"security, {label}", [[tool("platform-security"), *files]], raw, repo, args.runs, nothing
                )
            )
        if "secrets" in only:
            ours = [[tool("platform-secrets"), "--all-lines", *files]]
            raw = [
                [tool("detect-secrets-hook"), "--baseline", str(baseline), *part] for part in halves(files)
            ]
            wipe = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
            print(compare(f"secrets cold, {label}", ours, raw, repo, args.runs, wipe))
            print(compare(f"secrets warm, {label}", ours, raw, repo, args.runs, nothing))
    if "coverage" in only:
        if not (BIN / "diff-cover").exists():  # a benchmark-only tool, never a dependency
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "diff-cover"], check=True)
        xml = coverage_xml(repo, everything)
        ours = [[tool("platform-coverage"), "--data", str(xml), "--compare-with", "HEAD~1"]]
        raw = [[tool("diff-cover"), str(xml), "--compare-branch=HEAD~1"]]
        print(
            compare(
                f"coverage ({xml.stat().st_size / 1e6:.0f} MB xml), HEAD~1",
                ours,
                raw,
                repo,
                args.runs,
                nothing,
            )
        )
        big = coverage_xml(repo, everything, copies=3)
        ours = [[tool("platform-coverage"), "--data", str(big), "--compare-with", "HEAD~1"]]
        raw = [[tool("diff-cover"), str(big), "--compare-branch=HEAD~1"]]
        print(
            compare(
                f"coverage ({big.stat().st_size / 1e6:.0f} MB xml), HEAD~1",
                ours,
                raw,
                repo,
                args.runs,
                nothing,
            )
        )
        print(f"\nchanged lines: {changed_line_figures(repo, xml)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
