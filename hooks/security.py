"""platform-security: bandit's scan with the project's bandit config (`[tool.bandit]`, `-c FILE`, `.bandit`),
its excludes held for passed paths (DEC-016), only findings on changed lines blocking (DEC-019)."""

from __future__ import annotations

import collections
import fnmatch
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.adapters.bandit_scan import BanditConfig, Issue, bandit_version, load_config, run_bandit
from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.baseline import default_path, find_baseline
from hooks.frame.changes import ChangeSet
from hooks.frame.errors import GateError
from hooks.frame.files import content_fingerprint
from hooks.frame.output import counts_text, findings_text, legacy_note, print_finding, size_text
from hooks.frame.paths import display_path
from hooks.frame.record import Record, Status
from hooks.frame.scope import SCOPES, checked_scope, find_scope, judge

GATE = "platform-security"
LEVELS = ("low", "medium", "high")
NOTES = {  # metric: how the summary names it
    "excused": "excused by the baseline",
    "excluded": "excluded by the bandit config",
    "unscanned": "not scanned",
}
_QUOTED = re.compile(r"'.*'|\".*\"")
_HOLDS_A_SECRET = frozenset({"B105", "B106", "B107"})  # hardcoded_password_*: the text quotes the value


class SecuritySettings(NamedTuple):
    severity: str = "low"
    confidence: str = "low"
    baseline: str | None = None
    max_file_size_kib: int = 1024  # bandit takes about 10 s and 150 MB per MiB of source
    scope: str = "changed-lines"


class Finding(NamedTuple):
    path: str
    line: int
    test_id: str
    severity: str
    confidence: str
    message: str
    lines: tuple[int, ...] = ()  # every line it spans

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.test_id, self.message)


class ScanResult(NamedTuple):
    findings: list[Finding]  # at or above the thresholds
    unscanned: list[tuple[str, str]]  # (path, bandit's reason)
    excluded: int
    bandit_version: str
    fingerprint: str


class SecurityTally(NamedTuple):
    """What a security call counted; `earlier + now` adds the calls of one pre-commit run."""

    by_test: Mapping[str, int]
    by_severity: Mapping[str, int]
    files: int  # scanned: the files of exclude_dirs aside
    excused: int
    excluded: int
    unscanned: int
    legacy: int = 0  # findings on unchanged lines: counted, not blocking
    flagged_files: int = 0  # files with a blocking finding

    # A tuple's `+` concatenates; a tally's adds up what the calls counted.
    def __add__(self, other: SecurityTally) -> SecurityTally:  # type: ignore[override]
        return SecurityTally(
            collections.Counter(self.by_test) + collections.Counter(other.by_test),
            collections.Counter(self.by_severity) + collections.Counter(other.by_severity),
            self.files + other.files,
            self.excused + other.excused,
            self.excluded + other.excluded,
            self.unscanned + other.unscanned,
            self.legacy + other.legacy,
            self.flagged_files + other.flagged_files,
        )

    @classmethod
    def from_record(cls, record: Record) -> SecurityTally:
        by_test = {key: count for key, count in record.counts.items() if key not in LEVELS}
        by_severity = {key: count for key, count in record.counts.items() if key in LEVELS}
        excused, excluded, unscanned, legacy, flagged = (
            gate.metric_count(record, key) for key in (*NOTES, "legacy", "flagged_files")
        )
        return cls(by_test, by_severity, record.files, excused, excluded, unscanned, legacy, flagged)

    @property
    def counts(self) -> Mapping[str, int]:
        return {**self.by_test, **self.by_severity}

    @property
    def metrics(self) -> Mapping[str, float | str]:
        return {
            "excused": self.excused,
            "excluded": self.excluded,
            "unscanned": self.unscanned,
            "legacy": self.legacy,
            "flagged_files": self.flagged_files,
        }

    @property
    def findings(self) -> int:
        return sum(self.by_test.values())

    def summary(self) -> str:
        said = [f"{self.metrics[key]} {text}" for key, text in NOTES.items() if self.metrics[key]]
        notes = "; ".join(note for note in (legacy_note(self.legacy), *said) if note)
        detail = f"{counts_text(self.by_test)}; severity {counts_text(self.by_severity)}"
        return findings_text(self.findings, self.flagged_files, self.files, detail, notes)


def is_excluded(path: str, exclude_dirs: Sequence[str]) -> bool:
    """`tests` excludes tests/a.py and src/tests/b.py; globs like `*/migrations/*` work too."""
    parts = Path(path).parts
    for raw in exclude_dirs:
        entry = raw.strip().removeprefix("./").rstrip("/")
        if not entry:
            continue
        if fnmatch.fnmatchcase(path, entry) or path == entry or path.startswith(entry + "/"):
            return True
        if "/" not in entry and any(fnmatch.fnmatchcase(part, entry) for part in parts[:-1]):
            return True
    return False


def scan(root: Path, files: Sequence[str], config: BanditConfig, settings: SecuritySettings) -> ScanResult:
    """bandit's findings at or above the thresholds in `files` (repo-relative), outside exclude_dirs."""
    included = [name for name in files if not is_excluded(name, config.exclude)]
    excluded = len(files) - len(included)
    oversized = {name: reason for name in included if (reason := _oversized(root / name, settings))}
    included = [name for name in included if name not in oversized]
    if not included:  # nothing for bandit to do: spare its start-up
        return ScanResult(
            [], sorted(oversized.items()), excluded, bandit_version(), content_fingerprint(root, [])
        )
    # The names bandit sees are the ones its CLI would show when run at the root (`./src/app.py`), so
    # per-plugin path patterns in [tool.bandit] match as they do for bandit itself.
    prefix = "./" if Path.cwd() == root else f"{root}{os.sep}"
    names = {prefix + name: name for name in included}
    report = run_bandit(list(names), config)
    findings = [
        _finding(names.get(issue.filename, issue.filename), issue)
        for issue in report.issues
        if _at_least(issue.severity, settings.severity) and _at_least(issue.confidence, settings.confidence)
    ]
    findings.sort(key=lambda f: (f.path, f.line, f.test_id))
    unscanned = sorted(
        [*oversized.items(), *((names.get(name, name), reason) for name, reason in report.skipped)]
    )
    checked = content_fingerprint(root, included)
    return ScanResult(findings, unscanned, excluded, report.version, checked)


def _oversized(path: Path, settings: SecuritySettings) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return ""  # bandit says why it cannot read it
    if size <= settings.max_file_size_kib * 1024:
        return ""
    return f"{size_text(size)}, over max-file-size-kib {settings.max_file_size_kib}"


def _finding(path: str, issue: Issue) -> Finding:
    message = issue.text
    if issue.test_id in _HOLDS_A_SECRET:
        message = _QUOTED.sub("'<redacted>'", message)
    return Finding(path, issue.line, issue.test_id, issue.severity, issue.confidence, message, issue.lines)


def _at_least(level: str, threshold: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(threshold) if level in LEVELS else True


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="Python files to scan (pre-commit passes them)")
    parser.add_argument("--severity", choices=LEVELS, help="report findings of this severity or higher")
    parser.add_argument("--confidence", choices=LEVELS, help="report findings of this confidence or higher")
    parser.add_argument(
        "--baseline", help=f"baseline file (default: {default_path('security')} when it exists)"
    )
    parser.add_argument("--scope", choices=SCOPES, help="judge changed lines (default) or whole files")
    parser.add_argument(
        "-c", "--configfile", metavar="FILE", help="bandit's config file, YAML or TOML (as `bandit -c`)"
    )
    parser.add_argument("--ini", metavar="FILE", help="bandit's INI file (default: .bandit when it exists)")
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("security", SecuritySettings)
        for key in ("severity", "confidence"):
            value = getattr(args, key) or getattr(settings, key)
            if value not in LEVELS:
                raise GateError(f"{key} must be one of {', '.join(LEVELS)}, got {value!r}")
            settings = settings._replace(**{key: value})
        settings = settings._replace(scope=checked_scope(args.scope or settings.scope))
        baseline = find_baseline(
            run.root, args.baseline or settings.baseline, run.root / default_path("security")
        )
        files = [display_path(run.root, name) for name in args.filenames]
        scope = None
        if files and settings.scope == "changed-lines":
            changes = ChangeSet.for_run(run.root, run.context, base=run.config.core().base)
            scope = find_scope(run.root, changes, files)
        result = scan(run.root, files, load_config(run.root, args.configfile, args.ini), settings)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    verdict = judge(result.findings, scope, lambda f: f.key, baseline)
    for finding in verdict.blocking:
        code = f"{finding.test_id} [{finding.severity}/{finding.confidence}]"
        print_finding(finding.path, finding.line, None, code, finding.message)
    for path, reason in result.unscanned:
        print(f"{path}: not scanned: {reason}")
    tally = SecurityTally(
        collections.Counter(f.test_id for f in verdict.blocking),
        collections.Counter(f.severity for f in verdict.blocking),
        len(files) - result.excluded,
        verdict.excused,
        result.excluded,
        len(result.unscanned),
        len(verdict.legacy),
        len({f.path for f in verdict.blocking}),
    )
    judged = scope.judged if scope is not None else "whole files"
    record = run.record_tally(
        Status.FAIL if verdict.blocking else Status.PASS,
        tally,
        threshold=f"{judged}: severity >= {settings.severity}, confidence >= {settings.confidence}",
        tools={"bandit": result.bandit_version},
        fingerprint=result.fingerprint,
    )
    return gate.finish(run, record)


if __name__ == "__main__":
    raise SystemExit(main())
