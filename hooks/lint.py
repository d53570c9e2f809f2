"""platform-lint: ruff check, ruff format and a complexity ceiling with the project's ruff config (DEC-016);
under a commit, a push or a CI job only findings on changed lines block, the others are counted (DEC-019)."""

from __future__ import annotations

import collections
import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.baseline import default_path, find_baseline
from hooks.frame.changes import ChangeSet, changed_files
from hooks.frame.errors import GateError
from hooks.frame.files import content_fingerprint
from hooks.frame.output import counts_text, findings_text, github_annotation, legacy_note, print_finding
from hooks.frame.paths import display_path
from hooks.frame.record import Record, Status
from hooks.frame.scope import SCOPES, Scope, checked_scope, find_scope, judge

GATE = "platform-lint"
RUFF_TIMEOUT_S = 600
UNFORMATTED = "format"
_UNFORMATTED = re.compile(r"^(?P<path>.+):\d+:\d+: unformatted\b", re.MULTILINE)
_FORMAT_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@")


class LintSettings(NamedTuple):
    max_complexity: int | None = None
    format: bool = True
    baseline: str | None = None
    scope: str = "changed-lines"
    config: Sequence[str] = ()  # ruff's own --config: a file, or a `key = value` override


class Finding(NamedTuple):
    path: str
    line: int
    col: int
    code: str
    message: str
    lines: frozenset[int] = frozenset()  # every line it spans; for `format`, the lines its diff touches

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.message)


class LintTally(NamedTuple):
    """What a lint call counted; `earlier + now` adds the calls of one pre-commit run."""

    counts: Mapping[str, int]  # blocking findings by rule code
    files: int
    excused: int  # findings the baseline excused
    legacy: int = 0  # findings on unchanged lines: counted, not blocking
    flagged_files: int = 0  # files with a blocking finding

    # A tuple's `+` concatenates; a tally's adds up what the calls counted.
    def __add__(self, other: LintTally) -> LintTally:  # type: ignore[override]
        return LintTally(
            collections.Counter(self.counts) + collections.Counter(other.counts),
            self.files + other.files,
            self.excused + other.excused,
            self.legacy + other.legacy,
            self.flagged_files + other.flagged_files,
        )

    @classmethod
    def from_record(cls, record: Record) -> LintTally:
        excused, legacy, flagged = (
            gate.metric_count(record, key) for key in ("excused", "legacy", "flagged_files")
        )
        return cls(record.counts, record.files, excused, legacy, flagged)

    @property
    def metrics(self) -> Mapping[str, float | str]:
        return {"excused": self.excused, "legacy": self.legacy, "flagged_files": self.flagged_files}

    @property
    def findings(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        notes = "; ".join(
            note
            for note in (
                legacy_note(self.legacy),
                f"{self.excused} excused by the baseline" if self.excused else "",
            )
            if note
        )
        return findings_text(self.findings, self.flagged_files, self.files, counts_text(self.counts), notes)


class Ruff(NamedTuple):
    path: str
    version: str | None  # known without running it when it is the ruff package of this environment


def find_ruff() -> Ruff:
    """The ruff installed with this package (the hook's own environment), else the one on PATH."""
    package = importlib.util.find_spec("ruff")  # found, not imported: ruff's own lookup costs 4 ms
    if package is not None and package.origin is not None:
        version = _version_beside(Path(package.origin).parent)
        beside = Path(sys.executable).parent / ("ruff.exe" if os.name == "nt" else "ruff")
        if beside.is_file():
            return Ruff(str(beside), version)
        from ruff.__main__ import find_ruff_bin  # a user or system install: ruff knows where it went

        with contextlib.suppress(FileNotFoundError):
            return Ruff(str(find_ruff_bin()), version)
    import shutil  # only for a ruff from outside this environment: ~4 ms otherwise spent on every run

    found = shutil.which("ruff")
    if found is None:
        raise GateError("ruff is not installed (pip install ruff)")
    return Ruff(found, None)


def _version_beside(package: Path) -> str | None:
    """The version in the name of the package's `ruff-<version>.dist-info` (importing importlib.metadata
    would cost more than the whole ruff run on a small change); None when that is not clear."""
    found = [entry.name for entry in package.parent.glob("ruff-*.dist-info")]
    return found[0].removeprefix("ruff-").removesuffix(".dist-info") if len(found) == 1 else None


class LintResult(NamedTuple):
    findings: list[Finding]
    ruff_version: str
    fingerprint: str


def lint(
    root: Path,
    files: Sequence[str],
    settings: LintSettings,
    ruff: Ruff,
    meanwhile: Callable[[], object] = lambda: None,
    by_lines: Collection[str] = (),
) -> LintResult:
    """Every ruff finding and unformatted file among `files`, ruff's version, and what was checked.

    An unformatted file of `by_lines` (judged by its changed lines) has a finding that spans the lines
    formatting would touch. `meanwhile` runs while ruff works (the gate finds its log and its scope).
    """
    with _running(root, ruff_commands(ruff, files, settings, by_lines)) as processes:
        checked = content_fingerprint(root, files)
        meanwhile()
        outputs = {name: _finish(name, process) for name, process in processes.items()}
    version = ruff.version or outputs["version"].decode().split()[-1]
    findings = parse_findings(root, outputs["check"], outputs.get("format"))
    if "format-diff" in outputs:
        findings += format_diff_findings(root, outputs["format-diff"])
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.code))
    return LintResult(findings, version, checked)


def ruff_commands(
    ruff: Ruff, files: Sequence[str], settings: LintSettings, by_lines: Collection[str] = ()
) -> dict[str, list[str]]:
    """The ruff runs that lint `files`, by name: check, format (unless off: `--diff` for the files of
    `by_lines`, to tell which lines formatting would touch, `--check` for the others), version if unknown."""
    configs = [arg for value in settings.config for arg in ("--config", value)]
    # JSON Lines, parsed a line at a time: a whole JSON array of a big tree's findings (with their fixes)
    # would be held in memory at once.
    check = [
        ruff.path,
        "check",
        "--force-exclude",
        "--no-fix",
        "--exit-zero",
        "--output-format",
        "json-lines",
        *configs,
    ]
    if settings.max_complexity is not None:
        check += [
            "--extend-select",
            "C901",
            "--config",
            f"lint.mccabe.max-complexity={settings.max_complexity}",
        ]
    commands = {"check": [*check, "--", *files]}
    if ruff.version is None:
        commands["version"] = [ruff.path, "--version"]
    if not settings.format:
        return commands
    diffed = [name for name in files if name in by_lines]
    checked = [name for name in files if name not in by_lines]
    if diffed:
        commands["format-diff"] = [ruff.path, "format", "--diff", "--force-exclude", *configs, "--", *diffed]
    if checked:
        # `concise` names each unformatted file; its JSON would carry every file's formatted source.
        commands["format"] = [
            ruff.path, "format", "--check", "--force-exclude", *configs,
            "--output-format", "concise", "--", *checked,
        ]  # fmt: skip
    return commands


def parse_findings(root: Path, check: bytes, format_check: bytes | None) -> list[Finding]:
    """The findings in the output of `ruff check` and of `ruff format --check` (None when it did not run)."""
    findings = [_finding(root, item) for item in _json_lines(check)]
    if format_check is not None:
        findings += [
            Finding(display_path(root, match["path"]), 0, 0, UNFORMATTED, "would reformat")
            for match in _UNFORMATTED.finditer(format_check.decode(errors="surrogateescape"))
        ]
    return sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code))


def format_diff_findings(root: Path, diff: bytes) -> list[Finding]:
    """One `format` finding per file in the output of `ruff format --diff`, spanning the lines of the
    file as it is that formatting would change: the lines a change removes or replaces, and for a pure
    insertion the lines on both sides of it."""
    touched: dict[str, set[int]] = {}
    current: set[int] | None = None
    lines = iter(diff.decode(errors="surrogateescape").split("\n"))
    for line in lines:
        if line.startswith("+++ "):
            current = touched.setdefault(display_path(root, line[4:].rstrip("\t")), set())
        elif current is not None and (hunk := _FORMAT_HUNK.match(line)):
            current.update(_hunk_lines(lines, int(hunk[1]), int(hunk[2] or 1), int(hunk[3] or 1)))
    return [
        Finding(path, 0, 0, UNFORMATTED, "would reformat", frozenset(spanned))
        for path, spanned in touched.items()
    ]


def _hunk_lines(body: Iterator[str], old: int, old_left: int, new_left: int) -> set[int]:
    """The old lines one hunk changes. Its body is counted, not scanned: a source line may start "---"."""
    touched: set[int] = set()
    removed, inserted = False, False
    while old_left or new_left:
        line = next(body, None)
        if line is None:
            break
        if line.startswith("-"):
            touched.add(old)
            old, old_left, removed = old + 1, old_left - 1, True
        elif line.startswith("+"):
            new_left, inserted = new_left - 1, True
        elif not line.startswith("\\"):  # context ("\ No newline at end of file" is neither)
            if inserted and not removed:
                touched.update((old - 1, old))
            removed, inserted = False, False
            old, old_left, new_left = old + 1, old_left - 1, new_left - 1
    if inserted and not removed:
        touched.update((old - 1, old))
    return touched


@contextlib.contextmanager
def _running(root: Path, commands: Mapping[str, list[str]]) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """The commands, started at once in `root`; one still running when the block is left (on an error)
    is killed: it must not outlive the gate."""
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            processes[name] = _start(name, command, root)
        yield processes
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def _start(name: str, command: list[str], root: Path) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:  # not executable, not a program for this machine, out of processes...
        raise GateError(f"cannot run ruff {name} ({command[0]}): {exc.strerror or exc}") from exc


def _finish(name: str, process: subprocess.Popen[bytes]) -> bytes:
    try:
        out, err = process.communicate(timeout=RUFF_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        raise GateError(f"ruff {name} did not finish within {RUFF_TIMEOUT_S} s") from exc
    # exit 0: clean; 1: `format --check` found unformatted files; 2 from `format --check` with nothing on
    # stderr: a file it cannot parse (ruff check reports the syntax error); anything else: ruff failed.
    # `format --diff` names such files on stderr instead: ruff check reports them too.
    code = process.returncode
    if code == 0 or (name.startswith("format") and (code == 1 or (code == 2 and _per_file(err)))):
        return out
    raise GateError(f"ruff {name} failed: {ruff_reason(err) or f'exit {code}'}")


_FILE_ERROR = re.compile(rb"^error: Failed to (?:read|format|parse) |^\d+ files? (?:would be|already) ")


def _per_file(stderr: bytes) -> bool:
    """Only errors about single files (unreadable, unparsable) on stderr: ruff itself worked."""
    return all(_FILE_ERROR.match(line) for line in stderr.splitlines() if line.strip())


_SNIPPET = re.compile(r"^\d*\s*\|")  # the source excerpt ruff shows under a TOML error


def ruff_reason(stderr: bytes) -> str:
    """ruff's own reason in one line: `ruff failed` + `Cause:` lines (+ a TOML error's last line)."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    causes = [line.removeprefix("Cause:").strip() for line in lines if line.startswith("Cause:")]
    if not causes:
        return next((line for line in lines if line != "ruff failed"), "")
    if not lines[-1].startswith("Cause:") and not _SNIPPET.match(lines[-1]):
        causes.append(lines[-1])
    return ": ".join(causes)


def _json_lines(output: bytes) -> Iterator[Mapping[str, object]]:
    for line in io.BytesIO(output):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GateError(f"ruff check gave output that is not JSON: {exc}") from exc
            if isinstance(item, dict):
                yield item


def _finding(root: Path, item: Mapping[str, object]) -> Finding:
    location, end = item.get("location"), item.get("end_location")
    row, column = (
        (int(location.get("row") or 0), int(location.get("column") or 0))
        if isinstance(location, dict)
        else (0, 0)
    )
    last = int(end.get("row") or row) if isinstance(end, dict) else row
    return Finding(
        path=display_path(root, str(item["filename"])),
        line=row,
        col=column,
        code=str(item.get("code") or "syntax-error"),
        message=str(item.get("message", "")),
        lines=frozenset(range(row, max(last, row) + 1)) if row else frozenset(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="files to lint (pre-commit passes them)")
    parser.add_argument("--max-complexity", type=int, help="turn on C901 at this ceiling")
    parser.add_argument("--no-format", action="store_true", help="skip `ruff format --check`")
    parser.add_argument("--baseline", help=f"baseline file (default: {default_path('lint')} when it exists)")
    parser.add_argument("--scope", choices=SCOPES, help="judge changed lines (default) or whole files")
    parser.add_argument(
        "--config", action="append", metavar="CONFIG_OPTION", help="passed to ruff: a file or a key = value"
    )
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)  # the log is found while ruff works
        settings = run.config.gate("lint", LintSettings)
        if args.max_complexity is not None:
            settings = settings._replace(max_complexity=args.max_complexity)
        if args.no_format:
            settings = settings._replace(format=False)
        if args.config:
            settings = settings._replace(config=[*settings.config, *args.config])
        settings = settings._replace(scope=checked_scope(args.scope or settings.scope))
        if settings.max_complexity is not None and settings.max_complexity < 1:
            raise GateError(f"max-complexity must be 1 or more, got {settings.max_complexity}")
        baseline = find_baseline(
            run.root, args.baseline or settings.baseline, run.root / default_path("lint")
        )
        files = list(args.filenames)
        shown = {name: display_path(run.root, name) for name in files}
        changes: ChangeSet | None = None
        touched: set[str] = set()
        if files and settings.scope == "changed-lines":
            changes = ChangeSet.for_run(run.root, run.context, base=run.config.core().base)
            touched = set(changed_files(run.root, changes))  # names only: the lines are read meanwhile
        scope: Scope | None = None

        def meanwhile() -> None:  # while ruff works: git's diff for the scope, the log, the recorder
            nonlocal scope
            scope = find_scope(run.root, changes, list(shown.values()), touched)
            run.prepare_recording()

        if files:
            by_lines = {name for name in files if shown[name] in touched}
            result = lint(run.root, files, settings, find_ruff(), meanwhile, by_lines)
        else:
            run.prepare_recording()
            result = LintResult([], "", "")
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    verdict = judge(result.findings, scope, lambda f: f.key, baseline)
    for finding in verdict.blocking:
        if finding.code == UNFORMATTED:
            print(f"{finding.path}: would reformat")
            if os.environ.get("GITHUB_ACTIONS") == "true":
                first = min(finding.lines, default=None)
                print(github_annotation(finding.path, first, None, "would reformat"))
        else:
            print_finding(finding.path, finding.line, finding.col, finding.code, finding.message)
    tally = LintTally(
        collections.Counter(finding.code for finding in verdict.blocking),
        len(files),
        verdict.excused,
        len(verdict.legacy),
        len({finding.path for finding in verdict.blocking}),
    )
    record = run.record_tally(
        Status.FAIL if verdict.blocking else Status.PASS,
        tally,
        threshold=_threshold(settings, scope),
        tools={"ruff": result.ruff_version} if result.ruff_version else {},
        fingerprint=result.fingerprint,
    )
    return gate.finish(run, record)


def _threshold(settings: LintSettings, scope: Scope | None) -> str:
    parts = ["ruff check", "ruff format" if settings.format else ""]
    if settings.max_complexity is not None:
        parts.append(f"max-complexity {settings.max_complexity}")
    judged = scope.judged if scope is not None else "whole files"
    return f"{judged}: " + ", ".join(part for part in parts if part)


if __name__ == "__main__":
    raise SystemExit(main())
