"""The whole collection through `pre-commit run` against the raw tools through `repo: local` hooks.

    python bench/collection_bench.py [--runs 3] [--only full,staged] [--corpus DIR]

Clones the corpus (bench/corpus.py; the corpus itself is never touched) into a temporary directory,
commits a plan and an open execution log (tests/util.py PLAN, LOG) on its base commit and stages the
10-file change, so that the workflow gates do real work. Two configs, run turn about (A B A B ...) after
an untimed warm-up, on the full tree (`pre-commit run --all-files`) and on the 10 staged files
(`pre-commit run`):

  collection  platform-lint, -security, -secrets, -log-freshness, -traceability: `repo: local` hooks,
              `language: unsupported`, calling this venv's entry points with the `types`, `files` and
              `require_serial` of .pre-commit-hooks.yaml (platform-coverage is pre-push/manual: left out)
  raw         ruff check --force-exclude; ruff format --check --force-exclude (serial, as ruff's hooks);
              bandit (serial, as bandit's hook); detect-secrets-hook (as its hook: `files: .*`,
              pre-commit's parallel batches)

The secrets cache is wiped before every collection run (cold, as in a fresh CI checkout) except in the
"warm" row. Printed: median wall time, median of the per-pair ratios, and peak RSS: the largest single
process in pre-commit's tree (wait4 on pre-commit gives, on Linux, the max of its own maxrss and that of
every descendant it or they waited for), not the sum of processes running at once.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from corpus import build_corpus, changed_files
from gates_bench import ENV, compare, tool

from tests.util import add_platform_mode

ROOT = Path(__file__).resolve().parent.parent
IDENTITY = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
RAW_HOOKS = [
    {
        "id": "ruff-check",
        "entry": f"{tool('ruff')} check --force-exclude",
        "types_or": ["python", "pyi"],
        "require_serial": True,
    },
    {
        "id": "ruff-format",
        "entry": f"{tool('ruff')} format --check --force-exclude",
        "types_or": ["python", "pyi"],
        "require_serial": True,
    },
    {"id": "bandit", "entry": tool("bandit"), "types": ["python"], "require_serial": True},
    {"id": "detect-secrets", "entry": tool("detect-secrets-hook"), "files": ".*"},
]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def clone_with_plan(corpus: Path, dest: Path) -> Path:
    """A clone of the corpus: its base commit plus a plan and an open log, the 10-file change staged."""
    git(dest.parent, "clone", "--quiet", str(corpus), str(dest))
    change = git(dest, "rev-parse", "HEAD").strip()
    git(dest, "checkout", "--quiet", "-b", "bench", "HEAD~1")
    add_platform_mode(dest)
    git(dest, "add", ".platform-mode")
    git(dest, *IDENTITY, "commit", "--quiet", "--no-verify", "-m", "plan and execution log")
    git(dest, "checkout", change, "--", *changed_files(corpus))  # stages them
    return dest


def collection_hooks() -> list[dict[str, object]]:
    """.pre-commit-hooks.yaml as pre-commit would run it at commit time, from this venv."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return [
        {**hook, "entry": tool(hook["entry"]), "language": "unsupported"}
        for hook in hooks
        if "pre-commit" in hook.get("stages", ["pre-commit"])
    ]


def write_config(path: Path, hooks: list[dict[str, object]]) -> Path:
    local = [{**hook, "name": hook["id"], "language": "unsupported"} for hook in hooks]
    path.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}, sort_keys=False))
    return path


def pre_commit(config: Path, *args: str) -> list[str]:
    return [tool("pre-commit"), "run", "-c", str(config), *args]


def hook_verdicts(repo: Path, config: Path, *args: str) -> str:
    """One untimed run (the warm-up), summarised as `hook: Passed` ... to show every hook did its work.

    The output goes through a file: read into this process it would raise this process's peak RSS, and a
    child started by vfork starts with its parent's peak as its own (Linux exec), a floor under every
    memory figure measured after it (the full tree's output made it 201 MiB).
    """
    with tempfile.TemporaryFile("w+") as out:
        subprocess.run(pre_commit(config, *args), cwd=repo, env=ENV, stdout=out, stderr=subprocess.DEVNULL)
        out.seek(0)
        verdicts = [
            line.rsplit(".", 1) for line in out if line.rstrip().endswith(("Passed", "Failed", "Skipped"))
        ]
    return ", ".join(f"{name.rstrip('. ')}: {verdict.strip()}" for name, verdict in verdicts)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="full,staged", help="full: --all-files; staged: the 10 files")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-corpus")
    args = parser.parse_args()
    corpus = build_corpus(args.corpus, "large")
    work = Path(tempfile.mkdtemp(prefix="collection-bench-"))
    started = time.monotonic()
    try:
        repo = clone_with_plan(corpus, work / "repo")
        ours = write_config(work / "collection.yaml", collection_hooks())
        theirs = write_config(work / "raw.yaml", RAW_HOOKS)
        cache = repo / ".platform-gates" / "state" / "cache"
        cold = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
        warm = lambda: None  # noqa: E731
        print(
            f"corpus clone: {len(git(repo, 'ls-files').splitlines()):,} files, 10 staged ({repo}); "
            f"{args.runs} pairs each; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n"
        )
        modes = {"full": ("full tree", ["--all-files"]), "staged": ("10 staged files", [])}
        chosen = [modes[name] for name in args.only.split(",")]
        for label, extra in chosen:
            print(f"{label}, collection: {hook_verdicts(repo, ours, *extra)}")
            print(f"{label}, raw: {hook_verdicts(repo, theirs, *extra)}")
        print("\n| pre-commit run: collection vs raw tools | collection | raw | ratio | difference "
              "| collection MiB | raw MiB | memory |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        rows = [(label, extra, cold) for label, extra in chosen]
        rows += [("10 staged files, warm", [], warm)] if "staged" in args.only else []
        for label, extra, reset in rows:
            print(
                compare(
                    label, [pre_commit(ours, *extra)], [pre_commit(theirs, *extra)], repo, args.runs, reset
                )
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the floor (see hook_verdicts)
        print(f"\n{time.monotonic() - started:.0f} s; load average now {os.getloadavg()[0]:.2f}; "
              f"this process's peak RSS {peak:.0f} MiB")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
