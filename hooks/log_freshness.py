"""platform-log-freshness: the execution log keeps up with the code. When the change set touches
implementation files, the log's own words must change in it too, or within a window (DEC-017)."""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.frame import gate, git
from hooks.frame.arguments import Parser
from hooks.frame.changes import ChangeSet, changed_files
from hooks.frame.documents import PLATFORM_DIR, ActiveLog, scan_documents
from hooks.frame.errors import GateError
from hooks.frame.files import read_text
from hooks.frame.markdown import find_section, parse_outline
from hooks.frame.output import plural
from hooks.frame.quality_block import without_block
from hooks.frame.record import Status, fingerprint

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


class FreshnessSettings(NamedTuple):
    ignore: Sequence[str] = DEFAULT_IGNORE
    extend_ignore: Sequence[str] = ()
    max_commits: int = 0  # an update of the log in the last N commits still counts
    max_age_hours: float = 0.0  # an update of the log within the last N hours still counts
    compare_with: str | None = None
    also_counts: Sequence[str] = ()  # globs of documents whose change counts as a log update (stories)


class Verdict(NamedTuple):
    status: Status
    summary: str
    implementation: tuple[str, ...] = ()
    advice: str = ""


def is_implementation(path: str, ignore: Sequence[str]) -> bool:
    """`fnmatch` globs, where `*` crosses `/`: `docs/*` ignores all of docs/."""
    return not any(fnmatch.fnmatchcase(path, pattern) for pattern in ignore)


def judge_freshness(
    root: Path,
    changed: Sequence[str],
    log: ActiveLog,
    changes: ChangeSet,
    settings: FreshnessSettings,
    tip: str = "HEAD",
) -> Verdict:
    """The verdict on `changed` (the change set's paths); `tip` is the commit the window counts back from."""
    ignore = [f"{PLATFORM_DIR}/*", *settings.ignore, *settings.extend_ignore]
    implementation = tuple(path for path in changed if is_implementation(path, ignore))
    if not implementation:
        return Verdict(Status.PASS, f"no implementation files in {changes.description}")
    count = f"{plural(len(implementation), 'implementation file')} changed"
    what = f"{count} in {changes.description}"  # a pass says what it judged, or it could be vacuous
    if log.rel is None or log.path is None:
        documents = scan_documents(root)
        if documents.of_kind("plan") or documents.of_kind("execution"):
            return Verdict(
                Status.FAIL,
                f"{count} but there is no open execution log",
                implementation,
                "start one with `platform-gates new-log` (or reopen the last one: set its Status back)",
            )
        return Verdict(Status.SKIPPED, f"{what}; no plans or execution logs yet")
    in_change_set = log.rel in changed
    if in_change_set and _user_text_changed(root, log.rel, *changes.sides(root)):
        return Verdict(Status.PASS, f"{what}; {log.rel} is updated with them", implementation)
    progress = [path for path in changed if any(fnmatch.fnmatchcase(path, g) for g in settings.also_counts)]
    if progress:
        return Verdict(
            Status.PASS, f"{what}; {progress[0]} (also-counts) is updated with them", implementation
        )
    tracked = git.is_tracked(root, log.path)
    if not tracked and _untracked_log_is_newer(root, log.path, implementation):
        return Verdict(
            Status.PASS, f"{what}; {log.rel} (not committed yet) changed after them", implementation
        )
    last = _last_log_commit(root, log.rel, tip, settings) if tracked else None
    window = _within_window(last, settings) if last and last.by_hand else ""
    if window:
        return Verdict(Status.PASS, f"{what}; {log.rel} was updated {window}", implementation)
    section = _implementation_section(log.path, log.rel)
    staged = changes.is_staged
    how = f"stage it: git add {log.rel}" if staged else f"commit it within {changes.description}"
    missing = (
        f"{changes.description} change only the platform-gates block of {log.rel}"
        if in_change_set
        else f"{log.rel} is not part of {changes.description}"
    )
    return Verdict(
        Status.FAIL,
        f"{count} but {missing} ({_since(log.path, last, settings)})",
        implementation,
        f"add an entry to its {section} section and {how}",
    )


def _user_text_changed(root: Path, rel: str, base: str | None, tip: str) -> bool:
    """Whether `rel` differs outside the managed block between the revisions `base` and `tip`."""
    new = git.file_at(root, tip, rel)
    old = git.file_at(root, base, rel) if base is not None else None
    if new is None or old is None:
        return new is not None  # a log the change set adds is updated; one it deletes is not
    # Words, not bytes: the writer sets a new block apart with a blank line, which lies outside the markers.
    return without_block(new).split() != without_block(old).split()


def _since(path: Path, last: LogCommit | None, settings: FreshnessSettings) -> str:
    if last is None:
        saved = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
        return f"not committed yet, last saved {saved}, before the newest commit of that code"
    ago = "in the newest commit" if last.commits_since == 0 else f"{plural(last.commits_since, 'commit')} ago"
    since = f"last updated {last.date} in {last.commit[:7]}, {ago}"
    if not last.by_hand:
        since = (
            f"no entry of yours in the last commits that changed it (back to {last.commit[:7]}, {ago}): "
            "only results"
        )
    return (
        f"{since}; window: {_threshold(settings)}"
        if settings.max_commits or settings.max_age_hours
        else since
    )


def _untracked_log_is_newer(root: Path, log: Path, implementation: Sequence[str]) -> bool:
    if git.head_commit(root) is None:
        return True
    # Past a few hundred paths the newest commit of all stands in (and keeps the command line short).
    paths = [f":(literal){path}" for path in implementation] if len(implementation) <= 500 else []
    output = git.run_git("log", "-1", "--format=%ct", "--", *paths, cwd=root)
    newest_commit = int(output.strip() or 0)
    return log.stat().st_mtime > newest_commit


class LogCommit(NamedTuple):
    """The newest commit that changed the log's user text, as of the tip of the change set.

    With `by_hand` False, none of the commits read back did (they changed only the managed block): this is
    the oldest of them.
    """

    commit: str
    date: str  # ISO, the committer's
    time: int  # unix, the committer's
    commits_since: int  # commits from it to the tip
    by_hand: bool


WALK_LIMIT = 50  # commits of the log read back, at most, looking for the user's last words


def _last_log_commit(root: Path, rel: str, tip: str, settings: FreshnessSettings) -> LogCommit | None:
    """Newest first, the commits that changed the log until one changed its user text or left the window."""
    if git.head_commit(root) is None:
        return None
    history = git.run_git(
        "log", f"-{WALK_LIMIT}", "--format=%H %cs %ct", tip, "--", f":(literal){rel}", cwd=root
    )
    last = None
    for line in history.splitlines():
        commit, date, when = line.split()
        since = int(git.run_git("rev-list", "--count", f"{commit}..{tip}", cwd=root).strip())
        by_hand = _user_text_changed(root, rel, f"{commit}^", commit)
        last = LogCommit(commit, date, int(when), since, by_hand)
        if by_hand or not _within_window(last, settings):
            break
    return last


def _within_window(last: LogCommit, settings: FreshnessSettings) -> str:
    if settings.max_commits > 0 and last.commits_since < settings.max_commits:
        return f"{plural(last.commits_since, 'commit')} ago, within max-commits {settings.max_commits}"
    if settings.max_age_hours > 0:
        age_hours = (time.time() - last.time) / 3600
        if age_hours <= settings.max_age_hours:
            return f"{age_hours:.1f} h ago, within max-age-hours {settings.max_age_hours:g}"
    return ""


def _implementation_section(path: Path, rel: str) -> str:
    heading = find_section(parse_outline(read_text(path, rel)), "Implementation Log")
    return f"'{heading.title}'" if heading else "Implementation Log"


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="ignored: the change set comes from git")
    parser.add_argument("--compare-with", metavar="REF", help="judge REF...HEAD (CI), e.g. origin/main")
    parser.add_argument("--max-commits", type=int, help="a log update in the last N commits still counts")
    parser.add_argument("--max-age-hours", type=float, help="a log update in the last N hours still counts")
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("log-freshness", FreshnessSettings)
        overrides = {
            "compare_with": args.compare_with,
            "max_commits": args.max_commits,
            "max_age_hours": args.max_age_hours,
        }
        settings = settings._replace(**{k: v for k, v in overrides.items() if v is not None})
        _check(settings)
        if not (run.root / PLATFORM_DIR).is_dir():
            summary = f"no {PLATFORM_DIR}/ directory: this repository has not opted in"
            return gate.finish(run, run.record(Status.SKIPPED, summary))
        changes = ChangeSet.for_run(run.root, run.context, settings.compare_with, run.config.core().base)
        changed = changed_files(run.root, changes)
        tip = run.context.to_ref if run.context.to_ref and not settings.compare_with else "HEAD"
        verdict = judge_freshness(run.root, changed, run.log, changes, settings, tip)
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
        action=verdict.advice,
        fingerprint=fingerprint(changed),
    )
    return gate.finish(run, record)


def _check(settings: FreshnessSettings) -> None:
    if settings.max_commits < 0 or settings.max_age_hours < 0:
        raise GateError("max-commits and max-age-hours must be 0 (off) or more")


def _threshold(settings: FreshnessSettings) -> str:
    parts = [f"max-commits {settings.max_commits}"] if settings.max_commits else []
    parts += [f"max-age-hours {settings.max_age_hours:g}"] if settings.max_age_hours else []
    return ", ".join(parts) or "same change set"


if __name__ == "__main__":
    raise SystemExit(main())
