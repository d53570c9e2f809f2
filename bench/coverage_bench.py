"""platform-coverage against diff-cover on the same coverage.xml and the same diff, alternating in one run.

    python bench/coverage_bench.py [--runs 7] [--corpus DIR] [--work DIR]

The report is coverage.py's own (`Coverage.xml_report`, branch coverage on) over the large corpus
(bench/corpus.py), on synthetic measurement data: of the arcs coverage.py's parser finds in each file,
two of three are "executed" (every parsed file is listed, as a real run lists every imported file,
even one without statements). Scenarios, each on a clone of the corpus in WORK:

  10-file change   the corpus's own HEAD~1...HEAD: a function appended to 10 files
  wide change      a commit on top that edits 300 files: comments on statements, new comment and
                   blank lines (executable and non-executable changed lines)
  20 MB report     the wide change's report with every class repeated under copy2/ (root totals
                   doubled), and the same without the root totals (every line then counted)

For each: the changed-line figures and the uncovered lines must equal diff-cover's (its JSON report);
then the two commands take turns (A B A B ...) and the median of the per-pair time ratios is printed.
The target is platform-coverage at least 2x faster: a ratio of 0.50 or less. Reports are generated once
per corpus and coverage.py version (about a minute each) and kept in WORK/reports.

Needs diff-cover, which is not a dependency of the project: the script installs it into the running
environment with pip when it is missing (`pip install diff-cover` does the same by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import IDENTITY, build_corpus, corpus_files

BIN = Path(sys.executable).parent
# Both tools run as installed, with their bytecode cached (pip compiles it; an environment that forbids
# writing it would make every run of the editable checkout compile its sources again).
ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("PRE_COMMIT", "GITHUB_")) and key != "PYTHONDONTWRITEBYTECODE"
}
WIDE_FILES = 300
EDITS_PER_FILE = 6
TOTALS = re.compile(rb'(lines-valid|lines-covered|branches-valid|branches-covered)="(\d+)"')


def tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, env={**ENV, **IDENTITY}
    ).stdout


def clone(corpus: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", "--shared", str(corpus), str(dest)], check=True)
    return dest


def coverage_report(repo: Path, reports: Path) -> bytes:
    """coverage.py's XML report for HEAD of `repo` on synthetic data; cached by commit and version.

    Made in a child process: the parser's data would otherwise swell this process, and with it the
    peak memory every timed child inherits until it execs.
    """
    import coverage

    head = git(repo, "rev-parse", "HEAD").strip()
    cached = reports / f"{head[:12]}-coverage-{coverage.__version__}-{zlib.crc32(str(repo).encode())}-v2.xml"
    if not cached.exists():
        reports.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--generate", str(repo), str(cached)], check=True, env=ENV)
    return cached.read_bytes()


def generate(repo: Path, out: Path) -> None:
    import coverage
    from coverage.parser import PythonParser

    arcs: dict[str, list[tuple[int, int]]] = {}
    for name in corpus_files(repo):
        try:
            parser = PythonParser(filename=str(repo / name))
            parser.parse_source()
        except Exception:  # coverage.py leaves out files it cannot parse; so does this report
            continue
        arcs[str(repo / name)] = [
            arc for arc in sorted(parser.arcs()) if zlib.crc32(f"{name}{arc}".encode()) % 3
        ]
    os.chdir(repo)  # coverage.py names files relative to the working directory
    cov = coverage.Coverage(data_file=None, branch=True, config_file=False)
    cov.get_data().add_arcs(arcs)
    cov.get_data().touch_files(arcs)  # a file none of whose arcs ran is still a measured file
    partial = out.with_suffix(".partial")
    cov.xml_report(outfile=str(partial), ignore_errors=True)
    partial.replace(out)


def wide_change(repo: Path, report: bytes) -> None:
    """Edit WIDE_FILES files the report lists, EDITS_PER_FILE places each, and commit; the same every run.

    Only listed files: a changed file the data does not mention fails platform-coverage (diff-cover
    passes it), and the timings are to compare the same verdict.
    """
    chooser = random.Random(20261124)
    files = sorted(name.decode() for name in re.findall(rb'filename="([^"]+)"', report))
    for name in chooser.sample(files, WIDE_FILES):
        path = repo / name
        lines = path.read_bytes().split(b"\n")
        for number in sorted(
            chooser.sample(range(1, len(lines)), min(EDITS_PER_FILE, len(lines) - 1)), reverse=True
        ):
            line, previous = lines[number], lines[number - 1]
            if line.rstrip().endswith(b"\\") or previous.rstrip().endswith(b"\\"):
                continue  # a continuation line takes neither a comment nor a line before it
            kind = chooser.randrange(3)
            if kind == 0 and line.strip():
                lines[number] = line + b"  # bench edit"
            elif kind == 1:
                lines.insert(number, b"")
            else:
                indent = line[: len(line) - len(line.lstrip())]
                lines.insert(number, indent + b"# bench comment")
        path.write_bytes(b"\n".join(lines))
    git(repo, "commit", "-q", "-a", "--no-verify", "--no-gpg-sign", "-m", "wide change")


def repeated(data: bytes, copies: int, with_totals: bool) -> bytes:
    """The report with every class repeated under copyN/ (root totals scaled, or dropped)."""
    start, end = data.index(b"<packages>") + len(b"<packages>"), data.rindex(b"</packages>")
    packages = data[start:end]
    extra = b"".join(
        packages.replace(b'filename="', f'filename="copy{n}/'.encode()) for n in range(2, copies + 1)
    )
    root_end = data.index(b">", data.index(b"<coverage"))
    root = data[:root_end]
    if with_totals:
        root = TOTALS.sub(lambda m: m[1] + b'="' + str(int(m[2]) * copies).encode() + b'"', root)
    else:
        root = TOTALS.sub(b"", root)
    return root + data[root_end:end] + extra + data[end:]


def ours(report: Path) -> list[str]:
    return [tool("platform-coverage"), "--data", str(report), "--compare-with", "HEAD~1"]


def theirs(report: Path, *extra: str) -> list[str]:
    return [tool("diff-cover"), str(report), "--compare-branch=HEAD~1", *extra]


def agreement(repo: Path, report: Path) -> tuple[str, bool]:
    """Our changed-line figure and uncovered lines against diff-cover's JSON report."""
    out = subprocess.run(ours(report), cwd=repo, env=ENV, capture_output=True, text=True).stdout.splitlines()
    summary = out[-1]
    figure = re.search(r"changed lines (\d+)/(\d+)", summary)
    if figure is None:
        return f"no figure in: {summary}", False
    missed = {}
    for line in out:
        if line.endswith(": not covered"):
            path, spans = line.removesuffix(": not covered").split(":", 1)
            missed[path] = sorted(
                number
                for span in spans.split(", ")
                for number in range(int(span.split("-")[0]), int(span.split("-")[-1]) + 1)
            )
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(theirs(report, f"--format=json:{tmp}/dc.json"), cwd=repo, env=ENV, capture_output=True)
        dc = json.loads(Path(tmp, "dc.json").read_text())
    their_missed = {
        path: sorted(s["violation_lines"]) for path, s in dc["src_stats"].items() if s["violation_lines"]
    }
    hit, total = int(figure[1]), int(figure[2])
    their_hit = dc["total_num_lines"] - dc["total_num_violations"]
    same = (hit, total) == (their_hit, dc["total_num_lines"]) and missed == their_missed
    ours_pct = f"{100 * hit / total:.1f}%" if total else "n/a"
    text = (
        f"{hit}/{total} = {ours_pct} / {their_hit}/{dc['total_num_lines']} = {dc['total_percent_covered']}%"
    )
    return text + ("" if same else " DIFFER"), same


def timed(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run."""
    started = time.perf_counter()
    pid = subprocess.Popen(
        command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).pid
    rusage = os.wait4(pid, 0)[2]
    return time.perf_counter() - started, rusage.ru_maxrss / 1024


def compare(label: str, repo: Path, report: Path, runs: int, figures: str) -> tuple[str, float]:
    timed(ours(report), repo)  # warm the page cache and the journal, untimed
    timed(theirs(report), repo)
    pairs = [(timed(ours(report), repo), timed(theirs(report), repo)) for _ in range(runs)]
    ours_s = statistics.median(a[0] for a, _ in pairs)
    theirs_s = statistics.median(b[0] for _, b in pairs)
    ratio = statistics.median(a[0] / b[0] for a, b in pairs)
    ours_mib, theirs_mib = max(a[1] for a, _ in pairs), max(b[1] for _, b in pairs)
    size = report.stat().st_size / 1e6
    row = (
        f"| {label} | {size:.1f} MB | {figures} | {ours_s:.3f} s | {theirs_s:.3f} s | {ratio:.2f}x "
        f"| {ours_mib:.0f} | {theirs_mib:.0f} |"
    )
    return row, ratio


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-corpus")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "platform-gates-coverage-bench"
    )
    parser.add_argument("--generate", nargs=2, type=Path, metavar=("REPO", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(*args.generate)
        return 0
    if not (BIN / "diff-cover").exists():  # a benchmark-only tool, never a dependency
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "diff-cover"], check=True)
    corpus = build_corpus(args.corpus, "large")
    repo = clone(corpus, args.work / "repo")
    reports = args.work / "reports"
    versions = subprocess.run(
        [tool("diff-cover"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    print(f"corpus: {len(corpus_files(repo)):,} Python files; {args.runs} pairs each; Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs; {versions}\n")  # fmt: skip
    print("| scenario | report | changed lines: platform-coverage / diff-cover | platform-coverage | diff-cover "
          "| ratio (median of pairs) | MiB | diff-cover MiB |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows: list[tuple[str, float, bool]] = []

    def scenario(label: str, data: bytes, name: str) -> None:
        report = repo / ".git" / name  # inside .git: neither tracked nor untracked for either tool
        report.write_bytes(data)  # written after the sources: fresh
        figures, same = agreement(repo, report)
        row, ratio = compare(label, repo, report, args.runs, figures)
        print(row, flush=True)
        rows.append((label, ratio, same))

    base = coverage_report(repo, reports)
    scenario("10-file change", base, "coverage-10.xml")
    wide_change(repo, base)
    wide = coverage_report(repo, reports)
    scenario(f"wide change ({WIDE_FILES} files)", wide, "coverage-wide.xml")
    scenario("wide change, 20 MB report", repeated(wide, 2, with_totals=True), "coverage-20mb.xml")
    scenario(
        "wide change, 20 MB, no root totals", repeated(wide, 2, with_totals=False), "coverage-20mb-nt.xml"
    )

    print()
    for label, ratio, same in rows:
        speed = "at least 2x faster" if ratio <= 0.5 else "NOT 2x faster"
        print(f"{label}: figures {'agree' if same else 'DIFFER'}; {speed} ({1 / ratio:.1f}x)")
    return 0 if all(same for _, _, same in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
