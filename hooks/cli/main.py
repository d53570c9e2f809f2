"""`platform-gates`: everything that is not a hook — set up, write logs, record any tool, inspect, sync."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hooks.cli import runner, scaffold
from hooks.cli.report import quality_report, run_history
from hooks.frame import gate, git, log_merge
from hooks.frame.arguments import Parser
from hooks.frame.baseline import Key, default_path, write_baseline
from hooks.frame.config import Config, load_config
from hooks.frame.documents import PLATFORM_DIR, find_active_log, plan_of
from hooks.frame.errors import GateError
from hooks.frame.files import read_text
from hooks.frame.gates import GATES, INSTALL_HOOK_TYPES, SYNC_HOOK, Gate
from hooks.frame.history import read_history
from hooks.frame.output import plural, warn
from hooks.frame.paths import display_path, inside_repo, setting_path
from hooks.frame.quality_block import find_block
from hooks.frame.record import Record, Status, as_dict, fingerprint
from hooks.frame.recording import sync
from hooks.frame.state import STATE_DIR, SYNC_NOTES

PROG = "platform-gates"
GATE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

PRE_COMMIT_SNIPPET = """\
Add to .pre-commit-config.yaml:

default_install_hook_types: [{hook_types}]
repos:
  - repo: https://github.com/platform-gates/platform-gates
    rev: v0.1.0
    hooks:
{hooks}
Then: pre-commit install
      git config rebase.autoStash true
      git config merge.autoStash true

After each commit, {sync} writes the gates' results into the execution log in the working
tree, and your next commit carries them. Until then the log shows as modified: `git rebase`, `git pull
--rebase`, `git merge` and a checkout of a branch whose log differs need it committed or stashed first,
which the autoStash settings do for rebases and merges. Merges and rebases of two branches' results
are combined by a merge driver that platform-log-sync registers in .git/config (never a tracked file)."""


def _gate_name(value: str) -> str:
    if not GATE_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(f"invalid gate name {value!r} (lowercase letters, digits, . _ -)")
    return value


def _metric(value: str) -> tuple[str, float | str]:
    key, sep, raw = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"metric must be KEY=VALUE, got {value!r}")
    try:
        return key.strip(), float(raw)
    except ValueError:
        return key.strip(), raw.strip()


def _snippet_note(gate: Gate) -> str:
    if "pre-commit" in gate.stages:
        return ""
    stages = " and ".join(gate.stages)
    return f"  # {stages}; needs {gate.needs}" if gate.needs else f"  # {stages}"


def cmd_init(args: argparse.Namespace) -> int:
    root = git.repo_root()
    for created in scaffold.init(root):
        print(f"created {created}")
    if log_merge.register(root):
        print("registered the merge driver for execution logs (.git/config, .git/info/attributes)")
    hooks = "".join(f"      - id: {gate.hook_id}{_snippet_note(gate)}\n" for gate in GATES)
    hooks += f"      - id: {SYNC_HOOK}  # not a gate: writes the results into the log after each commit\n"
    print(PRE_COMMIT_SNIPPET.format(hook_types=", ".join(INSTALL_HOOK_TYPES), hooks=hooks, sync=SYNC_HOOK))
    return 0


def cmd_merge_log(args: argparse.Namespace) -> int:
    """git's merge driver for execution logs (see log_merge): the result goes to OURS; 1 on a conflict."""
    root = git.repo_root()
    ours = Path(args.ours)
    try:
        contents = [Path(path).read_bytes() for path in (args.base, args.ours, args.theirs)]
    except OSError as exc:
        raise GateError(f"merge-log: {exc.filename}: {exc.strerror}") from None
    try:
        texts = [content.decode("utf-8") for content in contents]
        merged, clean = log_merge.merge_texts(root, *texts)
    except (GateError, UnicodeDecodeError) as exc:  # then as git would: the text merged, conflicts marked
        warn(f"{args.path or ours}: merged as plain text ({exc})")
        merged, clean = git.merge_file(root, ours, Path(args.base), Path(args.theirs))
        ours.write_bytes(merged.encode("utf-8", errors="surrogateescape"))
        return 0 if clean else 1
    ours.write_bytes(merged.encode("utf-8"))
    return 0 if clean else 1


def cmd_new_log(args: argparse.Namespace) -> int:
    root = git.repo_root()
    plan = Path(args.plan).absolute() if args.plan else None
    created = scaffold.new_log(root, plan, args.title, supersede=args.supersede)
    for rel in created.superseded:
        print(f"{rel}: Status set to SUPERSEDED")
    print(f"created {display_path(root, created.path)}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    root = git.repo_root()
    log = find_active_log(root, load_config(root))
    for message in log.warnings:
        warn(message)
    history = read_history(root, log)
    plan = plan_of(root, log.path) if log.path else None
    if history.skipped_lines:
        warn(f"{history.skipped_lines} unreadable journal line(s) skipped (a writer was interrupted)")
    notes = root / STATE_DIR / SYNC_NOTES
    last_write = notes.read_text().strip() if notes.is_file() else None
    block = find_block(read_text(inside_repo(root, log.path), log.rel or "")) if log.path else None
    commits = [row.commit for row in block.state.history] if block else []
    uncommitted = (
        bool(log.rel)
        and git.head_commit(root) is not None
        and bool(git.run_git("diff", "--name-only", "HEAD", "--", f":(literal){log.rel}", cwd=root))
    )
    if args.json:
        report = {
            "active_log": log.rel,
            "reason": log.reason,
            "warnings": list(log.warnings),
            "plan": display_path(root, plan) if plan else None,
            "journal": display_path(root, history.journal),
            "records": history.records,
            "pending": history.pending,
            "latest": {name: as_dict(record) for name, record in sorted(history.latest.items())},
            "last_write": last_write,
            "history": commits,
            "log_uncommitted": uncommitted,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"active log: {log.rel or 'none'} ({log.reason})")
    print(f"plan: {display_path(root, plan) if plan else 'none'}")
    journal = display_path(root, history.journal)
    print(f"journal: {journal}: {history.records} records, {history.pending} pending")
    if log.rel:
        newest = f", newest {commits[0]}" if commits else ""
        print(f"log: {plural(len(commits), 'commit')} in its Quality Report history{newest}")
        if uncommitted:
            print("     modified in the working tree (results, or your entries): your next commit carries it")
    for name, record in sorted(history.latest.items()):
        print(f"  {name:<24} {record.status.value:<8} {record.time}  {record.summary}")
    if history.pending:
        print(
            f"{history.pending} pending: {SYNC_HOOK} writes them after the next commit "
            "(`platform-gates sync` now); the log then shows as modified until a commit carries it"
        )
    if last_write:
        print(f"last write after a commit: {last_write}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    root = git.repo_root()
    config = load_config(root)
    log = find_active_log(root, config)
    outcome = sync(root, log, config)
    print(f"{PROG} sync: {outcome.written} record(s) written to {outcome.log}")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    run = gate.start(args.gate)
    _ = run.log  # found now: a bad log setting stops the gate before it judges
    status = Status(args.status)
    summary = args.summary or f"{status.value} (recorded by hand)"
    return gate.finish(run, _record(run, status, summary, dict(args.metric or [])))


def cmd_exec(args: argparse.Namespace) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise GateError("exec needs a command after --")
    run = gate.start(args.gate)
    _ = run.log  # found now: a bad log setting stops the gate before it judges
    executable = shutil.which(command[0])
    if executable is None:
        return gate.fail(args.gate, GateError(f"command not found: {command[0]}"), run)
    started = time.monotonic()
    returncode = subprocess.run([executable, *command[1:]], check=False).returncode
    elapsed = time.monotonic() - started
    status = Status.PASS if returncode == 0 else Status.FAIL
    summary = args.summary or f"{Path(command[0]).name} exited {returncode} in {elapsed:.1f} s"
    record = _record(run, status, summary, {"exit_code": float(returncode)}, tool=Path(command[0]).name)
    code = gate.finish(run, record)
    return returncode if code in (0, 1) and returncode else code


def _record(
    run: gate.GateRun, status: Status, summary: str, metrics: dict[str, float | str], tool: str = ""
) -> Record:
    staged = git.index_fingerprint_source(run.root)
    return run.record(
        status, summary, metrics=metrics, tools={tool: ""} if tool else {}, fingerprint=fingerprint([staged])
    )


def cmd_baseline(args: argparse.Namespace) -> int:
    root = git.repo_root()
    output = Path(args.output).absolute() if args.output else root / default_path(args.gate)
    config = load_config(root)
    if args.gate == "perf":
        return _perf_baseline(root, config, output, args.results)
    if args.results:
        raise GateError(f"--results is for the perf baseline, not {args.gate}")
    spec = runner.select_gates([args.gate])[0]
    files = runner.files_for(spec, root, runner.candidate_files(root, all_files=True))
    count = write_baseline(output, spec.hook_id, _finding_keys(args.gate, root, config, files))
    print(f"{PROG} baseline: {count} {args.gate} finding(s) written to {display_path(root, output)}")
    return 0


def _perf_baseline(root: Path, config: Config, output: Path, results: list[str] | None) -> int:
    """Accept the benchmark results (each file one run, oldest first) as this machine's baseline."""
    from hooks import perf
    from hooks.adapters import benchmark_results, perf_baseline

    paths = results or config.gate("perf", perf.PerfSettings).result_paths
    runs = []
    for rel in paths:
        path = setting_path(root, rel)
        if not path.is_file():
            raise GateError(
                f"no benchmark results {rel}: run the benchmarks first (e.g. `pytest --benchmark-json={rel}`)"
            )
        runs.append(benchmark_results.read_results(path, rel))
    shown = display_path(root, output)
    previous = (
        perf_baseline.parse_baseline(output.read_text(encoding="utf-8"), shown) if output.is_file() else {}
    )
    here = perf_baseline.machine()
    machines = perf_baseline.accepted(previous, here, runs)
    perf_baseline.write_baseline(output, machines)
    runs_kept = max((len(ref.run_medians) for ref in machines[here].values()), default=0)
    print(
        f"{PROG} baseline: {plural(len(machines[here]), 'benchmark')} of {here} written to {shown} "
        f"({plural(runs_kept, 'run')} of medians); commit it for review"
    )
    return 0


def _finding_keys(name: str, root: Path, config: Config, files: list[str]) -> list[Key]:
    """The baseline keys of every finding of the gate `name` (lint or security) in `files`."""
    # Each gate imports its tool's helpers: only the one asked for is imported.
    if name == "lint":
        from hooks import lint

        settings = config.gate("lint", lint.LintSettings)
        findings = lint.lint(root, files, settings, lint.find_ruff()).findings if files else []
        return [finding.key for finding in findings]
    from hooks import security
    from hooks.adapters import bandit_scan

    scanned = security.scan(
        root, files, bandit_scan.load_config(root), config.gate("security", security.SecuritySettings)
    )
    return [finding.key for finding in scanned.findings]


def cmd_run(args: argparse.Namespace) -> int:
    root = git.repo_root()
    if not (root / PLATFORM_DIR).is_dir() and not args.gates:
        raise GateError(f"no {PLATFORM_DIR}/ in {root}: run `platform-gates init` first, or name the gates")
    specs = runner.select_gates(args.gates)
    files = runner.candidate_files(root, args.all_files)
    progress = sys.stderr.isatty()
    if progress:
        print(f"running {len(specs)} gate(s) on {len(files)} file(s)...", file=sys.stderr)

    def done(result: runner.GateResult) -> None:
        if progress:
            print(f"  {result.hook_id} finished in {result.duration_s:.1f} s", file=sys.stderr)

    results = runner.run_gates(root, specs, files, args.all_files, on_done=done)
    for result in results:
        details = [line for line in result.output.splitlines() if line != result.summary]
        if details and result.exit_code:
            print(f"--- {result.hook_id}")
            print("\n".join(details))
    width = max(len(result.hook_id) for result in results)
    print(f"\n{'gate':<{width}}  {'verdict':<7}  {'time':>7}  summary")
    for result in results:
        verdict = {0: "pass", 1: "FAIL"}.get(result.exit_code, "ERROR")
        summary = result.summary.removeprefix(f"{result.hook_id}: ")
        print(f"{result.hook_id:<{width}}  {verdict:<7}  {result.duration_s:>6.1f}s  {summary}")
    return max((result.exit_code for result in results), default=0)


def cmd_report(args: argparse.Namespace) -> int:
    root = git.repo_root()
    config = load_config(root)
    log = find_active_log(root, config)
    markdown = run_history(root, log) if args.history else quality_report(root, log, config)
    print(markdown, end="")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.github_summary or summary_file:
        if not summary_file:
            raise GateError("--github-summary needs GITHUB_STEP_SUMMARY (set by GitHub Actions)")
        with Path(summary_file).open("a", encoding="utf-8") as f:
            f.write(markdown + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=__doc__)
    commands = parser.add_subparsers(dest="command_name", required=True, metavar="COMMAND")

    sub = commands.add_parser("init", help="create .platform-mode/ and a config stub")
    sub.set_defaults(func=cmd_init)

    sub = commands.add_parser("merge-log", help="git's merge driver for execution logs (registered by init)")
    sub.add_argument("base")
    sub.add_argument("ours")
    sub.add_argument("theirs")
    sub.add_argument("path", nargs="?", default="")
    sub.set_defaults(func=cmd_merge_log)

    sub = commands.add_parser("new-log", help="write the next numbered execution log")
    sub.add_argument("--plan", help="the plan it executes (default: the highest-numbered plan)")
    sub.add_argument("--title", help="the log's title (default: the plan's)")
    sub.add_argument(
        "--supersede", action="store_true", help="set the open log's Status to SUPERSEDED (else refused)"
    )
    sub.set_defaults(func=cmd_new_log)

    sub = commands.add_parser("status", help="active log, plan, records, pending, latest per gate")
    sub.add_argument("--json", action="store_true", help="one JSON object")
    sub.set_defaults(func=cmd_status)

    sub = commands.add_parser("sync", help="write pending records into the Markdown log")
    sub.set_defaults(func=cmd_sync)

    sub = commands.add_parser("record", help="record a result of any tool")
    sub.add_argument("--gate", required=True, type=_gate_name)
    sub.add_argument("--status", required=True, choices=[s.value for s in Status])
    sub.add_argument("--summary", help="one line; the default names the status")
    sub.add_argument("--metric", action="append", type=_metric, metavar="KEY=VALUE")
    sub.set_defaults(func=cmd_record)

    sub = commands.add_parser("exec", help="run a command, keep its exit code, record its result")
    sub.add_argument("--gate", required=True, type=_gate_name)
    sub.add_argument("--summary", help="one line; the default names the command and its exit code")
    sub.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD [ARG...]")
    sub.set_defaults(func=cmd_exec)

    sub = commands.add_parser("run", help="run the gates outside pre-commit, in parallel, with one summary")
    sub.add_argument("gates", nargs="*", metavar="GATE", help="gate names (default: all)")
    sub.add_argument("--all-files", action="store_true", help="every tracked file, not only changed ones")
    sub.set_defaults(func=cmd_run)

    sub = commands.add_parser("report", help="the Quality Report as Markdown")
    sub.add_argument(
        "--github-summary",
        action="store_true",
        help="also append it to $GITHUB_STEP_SUMMARY (automatic there)",
    )
    sub.add_argument("--history", action="store_true", help="every recorded run, refused attempts included")
    sub.set_defaults(func=cmd_report)

    sub = commands.add_parser("baseline", help="write a gate's baseline of the findings present now")
    sub.add_argument("gate", choices=["lint", "security", "perf"])
    sub.add_argument("--output", help=f"where to write it (default: {default_path('<gate>')})")
    sub.add_argument(
        "--results",
        action="append",
        metavar="PATH",
        help="perf: a benchmark results file, each one run, oldest first (default: the config's `results`)",
    )
    sub.set_defaults(func=cmd_baseline)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except GateError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
