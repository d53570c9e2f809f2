"""platform-log-freshness: the execution log keeps up with the code.

Decided from the change set, not the calendar (as towncrier checks for a news fragment): when the staged
files (pre-push: FROM..TO; CI: `--compare-with REF`) touch implementation files, the active execution
log must change in the same change set, or within a configured window of commits or hours.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import time
from collections.abc import Sequence
from pathlib import Path

from hooks.lib import gate, git
from hooks.lib.changes import ChangeSet, changed_files
from hooks.lib.documents import PLATFORM_DIR, ActiveLog, scan_documents
from hooks.lib.errors import GateError
from hooks.lib.files import read_text
from hooks.lib.markdown import find_section, parse_outline
from hooks.lib.record import Status, fingerprint

GATE = "platform-log-freshness"
DEFAULT_IGNORE = (
    f"{PLATFORM_DIR}/*",
    ".platform-gates/*",
    ".platform-gates.toml",
    "docs/*",
    "*.md",
    "*.rst",
    "*.txt",
    "LICENSE*",
    "*.lock",
    "package-lock.json",
    "pnpm-lock.yaml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".secrets.baseline",
)


@dataclasses.dataclass(frozen=True)
class FreshnessSettings:
    ignore: list[str] = dataclasses.field(default_factory=lambda: list(DEFAULT_IGNORE))
    extend_ignore: list[str] = dataclasses.field(default_factory=list)
    max_commits: int = 0  # an update of the log in the last N commits still counts
    max_age_hours: float = 0.0  # an update of the log within the last N hours still counts
    compare_with: str | None = None


@dataclasses.dataclass(frozen=True)
class Verdict:
    status: Status
    summary: str
    implementation: tuple[str, ...] = ()
    advice: str = ""


def is_implementation(path: str, ignore: Sequence[str]) -> bool:
    """`fnmatch` globs, where `*` crosses `/`: `docs/*` ignores all of docs/."""
    return not any(fnmatch.fnmatchcase(path, pattern) for pattern in ignore)


def judge_freshness(
    root: Path, changed: Sequence[str], log: ActiveLog, changes: ChangeSet, settings: FreshnessSettings
) -> Verdict:
    ignore = [*settings.ignore, *settings.extend_ignore]
    implementation = tuple(path for path in changed if is_implementation(path, ignore))
    if not implementation:
        return Verdict(Status.PASS, f"no implementation files in {changes.description}")
    what = f"{len(implementation)} implementation file(s) changed"
    if log.rel is None or log.path is None:
        if scan_documents(root).documents:
            return Verdict(
                Status.FAIL,
                f"{what} but there is no open execution log",
                implementation,
                "start one with `platform-gates new-log` (or reopen the last one: set its Status back)",
            )
        return Verdict(Status.SKIPPED, f"{what}; no plans or execution logs yet")
    if log.rel in changed:
        return Verdict(Status.PASS, f"{what}; {log.rel} is updated with them", implementation)
    if not git.is_tracked(root, log.path) and _untracked_log_is_newer(root, log.path, implementation):
        return Verdict(
            Status.PASS, f"{what}; {log.rel} (not committed yet) changed after them", implementation
        )
    last = _last_log_commit(root, log.rel)
    window = _within_window(root, last, settings)
    if window:
        return Verdict(Status.PASS, f"{what}; {log.rel} was updated {window}", implementation)
    since = f"last updated {last[1]} in {last[0][:7]}" if last else "never committed"
    section = _implementation_section(log.path, log.rel)
    return Verdict(
        Status.FAIL,
        f"{what} but {log.rel} is not part of {changes.description} ({since})",
        implementation,
        f"add an entry to its {section} section and stage it: git add {log.rel}",
    )


def _untracked_log_is_newer(root: Path, log: Path, implementation: Sequence[str]) -> bool:
    if git.head_commit(root) is None:
        return True
    # Past a few hundred paths the newest commit of all stands in (and keeps the command line short).
    paths = [f":(literal){path}" for path in implementation] if len(implementation) <= 500 else []
    output = git.run_git("log", "-1", "--format=%ct", "--", *paths, cwd=root)
    newest_commit = int(output.strip() or 0)
    return log.stat().st_mtime > newest_commit


def _last_log_commit(root: Path, rel: str) -> tuple[str, str, int] | None:
    """(commit, ISO date, unix time) of the newest commit that changed the log."""
    if git.head_commit(root) is None:
        return None
    output = git.run_git("log", "-1", "--format=%H %cs %ct", "--", f":(literal){rel}", cwd=root).split()
    return (output[0], output[1], int(output[2])) if output else None


def _within_window(root: Path, last: tuple[str, str, int] | None, settings: FreshnessSettings) -> str:
    if last is None:
        return ""
    if settings.max_commits > 0:
        since = int(git.run_git("rev-list", "--count", f"{last[0]}..HEAD", cwd=root).strip())
        if since < settings.max_commits:
            return f"{since} commit(s) ago, within max-commits {settings.max_commits}"
    if settings.max_age_hours > 0:
        age_hours = (time.time() - last[2]) / 3600
        if age_hours <= settings.max_age_hours:
            return f"{age_hours:.1f} h ago, within max-age-hours {settings.max_age_hours:g}"
    return ""


def _implementation_section(path: Path, rel: str) -> str:
    heading = find_section(parse_outline(read_text(path, rel)), "Implementation Log")
    return f"'{heading.title}'" if heading else "Implementation Log"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored: the change set comes from git")
    parser.add_argument("--compare-with", metavar="REF", help="judge REF...HEAD (CI), e.g. origin/main")
    parser.add_argument("--max-commits", type=int, help="a log update in the last N commits still counts")
    parser.add_argument("--max-age-hours", type=float, help="a log update in the last N hours still counts")
    args = parser.parse_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        settings = run.config.gate("log-freshness", FreshnessSettings)
        overrides = {
            "compare_with": args.compare_with,
            "max_commits": args.max_commits,
            "max_age_hours": args.max_age_hours,
        }
        settings = dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        if not (run.root / PLATFORM_DIR).is_dir():
            print(f"{GATE}: no {PLATFORM_DIR}/ directory: this repository has not opted in")
            return gate.finish(run, run.record(Status.SKIPPED, f"no {PLATFORM_DIR}/ directory"))
        changes = ChangeSet.for_run(run.context, settings.compare_with)
        changed = changed_files(run.root, changes)
        verdict = judge_freshness(run.root, changed, run.log, changes, settings)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    if verdict.status is Status.FAIL:
        shown = ", ".join(verdict.implementation[:5])
        more = f" and {len(verdict.implementation) - 5} more" if len(verdict.implementation) > 5 else ""
        print(f"implementation files: {shown}{more}")
        print(f"to fix: {verdict.advice}")
    record = run.record(
        verdict.status,
        verdict.summary,
        files=len(verdict.implementation),
        threshold=_threshold(settings),
        fingerprint=fingerprint(changed),
    )
    return gate.finish(run, record)


def _threshold(settings: FreshnessSettings) -> str:
    parts = [f"max-commits {settings.max_commits}"] if settings.max_commits else []
    parts += [f"max-age-hours {settings.max_age_hours:g}"] if settings.max_age_hours else []
    return ", ".join(parts) or "same change set"


if __name__ == "__main__":
    raise SystemExit(main())
