"""platform-docs against interrogate on the same files: the same counts first, then the speed targets.

    python bench/docs_bench.py [--runs 3] [--corpus DIR] [--size large|small] [--skip-check]

interrogate is installed for the tests and this benchmark only (requirements-dev.txt), never at run time.
Both get the corpus's files outside the gate's default excludes (test files), as one list.

1. Counts: interrogate 1.7 with the flags for our rules (`-M -p -s -m -n -O -S`), per definition, through
   its own API, against the gate's `definitions`: every definition the gate counts, interrogate counts with
   the same documented verdict, and what remains of interrogate's is only the rules it has no flag for;
   then the gate's recorded X/Y equals interrogate's figure less those. The run stops if not.
2. Speed, the two commands alternating in one run, median of the per-pair ratios: cold full tree (no
   cache) >= 1.6x faster than `interrogate`; repeat run over unchanged files >= 10x faster. And, for
   scale, the 10-file change (`--compare-with HEAD~1`) against interrogate on the same 10 files.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus import build_corpus, changed_files, corpus_files
from gates_bench import ENV, tool
from secrets_bench import pairs, verdict_row

from hooks.docs import DEFAULT_EXCLUDE, definitions, is_excluded

FLAGS = [
    "-M",
    "-p",
    "-s",
    "-m",
    "-n",
    "-O",
    "-S",
]  # module, private, semiprivate, magic, nested, overload, setters
NO_FLAG = {"__init__ of a documented class", "not in __all__", "nested"}  # rules interrogate cannot express


def check_counts(repo: Path, files: Sequence[str]) -> str:
    """Per-definition agreement with interrogate, and the gate's own summary figure; raises if they differ."""
    from interrogate import config, coverage

    started = time.perf_counter()
    conf = config.InterrogateConfig(
        fail_under=0, ignore_module=True, ignore_private=True, ignore_semiprivate=True, ignore_magic=True,
        ignore_nested_functions=True, ignore_overloaded_functions=True, ignore_property_setters=True,
    )  # fmt: skip
    report = coverage.InterrogateCoverage([str(repo / name) for name in files], conf).get_coverage()
    theirs = {
        (Path(result.filename).relative_to(repo).as_posix(), node.lineno): node.covered
        for result in report.file_results
        for node in result.nodes
        if node.node_type != "Module"
    }
    ours = {(name, d.line): d for name in files for d in definitions((repo / name).read_bytes())}
    counted = {key: d.documented for key, d in ours.items() if not d.reason}
    if not counted.items() <= theirs.items():
        raise SystemExit("counts: the gate counts a definition interrogate does not, or judges it otherwise")
    rest = collections.Counter(
        ours[key].reason if key in ours else "?" for key in theirs if key not in counted
    )
    if set(rest) - NO_FLAG:
        raise SystemExit(
            f"counts: interrogate counts definitions the gate leaves out for other reasons: {rest}"
        )
    summary = subprocess.run(
        [tool("platform-docs"), "--no-cache", *files], cwd=repo, env=ENV, capture_output=True, text=True
    ).stdout.splitlines()[-1]
    expected = f"documented {sum(counted.values())}/{len(counted)} = "
    if expected not in summary:
        raise SystemExit(f"counts: the gate's summary {summary!r} lacks {expected!r}")
    return (
        f"counts: interrogate {report.covered}/{report.total} = {report.perc_covered:.1f}% with {' '.join(FLAGS)}; "
        f"platform-docs {sum(counted.values())}/{len(counted)} (its summary: {expected.strip(' =')}); "
        f"every definition it counts is interrogate's with the same verdict; the "
        f"{sum(rest.values())} it does not are {', '.join(f'{n} {r}' for r, n in rest.most_common())}; "
        f"{time.perf_counter() - started:.0f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", choices=["large", "small"], default="large")
    parser.add_argument("--corpus", type=Path, help="where the corpus is (built there if missing)")
    parser.add_argument("--skip-check", action="store_true", help="time only")
    args = parser.parse_args()
    if shutil.which(tool("interrogate")) is None:
        raise SystemExit("interrogate is not installed: pip install -r requirements-dev.txt")
    scratch = Path(tempfile.gettempdir()) / f"platform-gates-corpus-{args.size}"
    repo = build_corpus(args.corpus or scratch, args.size)
    files = [name for name in corpus_files(repo) if not is_excluded(name, DEFAULT_EXCLUDE)]
    lines = sum((repo / name).read_bytes().count(b"\n") for name in files)
    print(
        f"corpus: {len(files):,} Python files outside the test globs, {lines:,} lines ({repo}); {args.runs} pairs each\n"
    )
    if not args.skip_check:
        print(check_counts(repo, files) + "\n")
    interrogate = [[tool("interrogate"), *FLAGS, "--fail-under", "0", "-q", *files]]
    gate = [tool("platform-docs"), *files]
    cache = repo / ".platform-gates/state/cache"

    def forget() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    print("| run | platform-docs | interrogate | ratio (median of pairs) | target | |")
    print("| --- | --- | --- | --- | --- | --- |")
    cold = pairs([gate], interrogate, repo, args.runs, forget)
    print(verdict_row("cold, full tree", cold, ">= 1.6x faster", lambda a, b: b / a >= 1.6))
    warm = pairs([gate], interrogate, repo, args.runs, lambda: None)
    print(verdict_row("repeat, full tree", warm, ">= 10x faster", lambda a, b: b / a >= 10))
    change = changed_files(repo)
    small = pairs(
        [[tool("platform-docs"), "--compare-with", "HEAD~1", *change]],
        [[tool("interrogate"), *FLAGS, "--fail-under", "0", "-q", *change]],
        repo,
        args.runs,
        forget,
    )
    print(verdict_row("10-file change (HEAD~1...HEAD), cold", small, "(for scale)", lambda a, b: True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
