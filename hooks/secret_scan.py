"""platform-secrets: no new secret enters the repository, judged by the detect-secrets engine in-process
on the lines a change adds; its baseline and pragmas honoured, never rewritten (DEC-016); no value shown."""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.adapters.secrets_engine import Secret, load_engine, scan_files
from hooks.adapters.secrets_prefilter import VERIFIED
from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.changes import ChangeSet
from hooks.frame.errors import GateError
from hooks.frame.output import counts_text, plural, print_finding, size_text
from hooks.frame.paths import display_path, setting_path
from hooks.frame.record import Record, Status, fingerprint
from hooks.frame.scope import find_scope
from hooks.frame.state import state_dir

GATE = "platform-secrets"
BINARY_PROBE_BYTES = 8192
ADDED_LINES, WHOLE_FILES = "added lines", "whole files"  # what a run judged, as the record's threshold
BOTH = f"{ADDED_LINES} and {WHOLE_FILES}"


class SecretsSettings(NamedTuple):
    baseline: str = ".secrets.baseline"
    all_lines: bool = False
    max_file_size_kib: int = 1024
    cache: bool = True


class SecretsTally(NamedTuple):
    """What a secrets call counted; `earlier + now` adds the calls of one pre-commit run."""

    counts: Mapping[str, int]  # secrets by type
    files: int
    skipped: int | None  # None once an earlier call is added: a record does not keep how many it skipped
    prefilter_off: str  # why the pre-filter was off (`prefilter_off`), or ""
    judged: str = ADDED_LINES  # what was judged: ADDED_LINES, WHOLE_FILES, or both

    # A tuple's `+` concatenates; a tally's adds up what the calls counted.
    def __add__(self, other: SecretsTally) -> SecretsTally:  # type: ignore[override]
        counts = collections.Counter(self.counts) + collections.Counter(other.counts)
        skipped = None if self.skipped is None or other.skipped is None else self.skipped + other.skipped
        judged = self.judged if self.judged == other.judged else BOTH
        return SecretsTally(counts, self.files + other.files, skipped, other.prefilter_off, judged)

    @classmethod
    def from_record(cls, record: Record) -> SecretsTally:
        return cls(record.counts, record.files, None, "", record.threshold or ADDED_LINES)

    @property
    def metrics(self) -> Mapping[str, float | str]:
        return {}

    @property
    def findings(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        files = plural(self.files, "file")
        notes = f" ({plural(self.skipped, 'file')} skipped)" if self.skipped else ""
        notes += f" ({self.prefilter_off})" if self.prefilter_off else ""
        total = sum(self.counts.values())
        # "new" only when nothing but added lines was judged: a whole file's secrets may be years old.
        noun = "new secret" if self.judged == ADDED_LINES else "secret"
        if not total:
            return f"no {noun}s in {files}{notes}"
        return f"{plural(total, noun)} in {files}: {counts_text(self.counts)}{notes}"


def choose_files(root: Path, names: Sequence[str], settings: SecretsSettings) -> tuple[list[str], list[str]]:
    """The files to scan, and a note for each one skipped (deleted, symlink, binary, huge, not UTF-8)."""
    baseline = setting_path(root, settings.baseline).absolute()
    chosen: list[str] = []
    notes: list[str] = []
    for name in names:
        path = Path(name)
        if path.absolute() == baseline:
            continue  # the baseline holds hashes of known secrets, as in detect-secrets' own hook
        reason = _skip_reason(path, settings.max_file_size_kib)
        if reason:
            notes.append(f"{display_path(root, path)}: skipped ({reason})")
        else:
            chosen.append(name)
    return chosen, notes


def _skip_reason(path: Path, max_kib: int) -> str:
    if path.is_symlink():
        return "symlink"
    if not path.is_file():
        return "deleted or not a file"
    try:
        size = path.stat().st_size
        if size > max_kib * 1024:
            return f"{size_text(size)}, over max-file-size-kib {max_kib}"
        with path.open("rb") as f:
            data = f.read()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    if b"\0" in data[:BINARY_PROBE_BYTES]:
        return "binary"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    return ""


class ScanResult(NamedTuple):
    secrets: list[Secret]  # new: outside the baseline, and on added lines unless whole files are judged
    files: list[str]  # the files scanned
    skipped: list[str]  # a note for each file not scanned, with the reason
    detect_secrets_version: str
    prefilter: bool  # False on a detect-secrets the pre-filter was not verified against: its own loop ran
    judged: str = WHOLE_FILES  # ADDED_LINES, WHOLE_FILES, or both


def scan(
    root: Path, names: Sequence[str], settings: SecretsSettings, changes: ChangeSet | None
) -> ScanResult:
    """The new secrets in `names`: not in the baseline, and on the lines `changes` adds (None: any line)."""
    files, skipped = choose_files(root, names, settings)
    baseline = setting_path(root, settings.baseline)
    engine = load_engine(root, baseline if baseline.is_file() else None)
    secrets = scan_files(root, files, engine, state_dir(root) / "cache" if settings.cache else None)
    scope = find_scope(root, changes, [display_path(root, f) for f in files])
    what = WHOLE_FILES
    if scope is not None:
        secrets = [secret for secret in secrets if scope.blocks(secret)]
        what = BOTH if scope.whole_files else ADDED_LINES
    return ScanResult(secrets, files, skipped, engine.version, engine.prefilter, what)


def prefilter_off(version: str) -> str:
    """The note for a detect-secrets the pre-filter was not verified against: its own, slower, scan."""
    return f"pre-filter off: detect-secrets {version} is not one it was verified against ({VERIFIED}.x)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="files to scan (pre-commit passes them)")
    parser.add_argument(
        "--all-lines", action="store_true", default=None, help="judge whole files, not added lines"
    )
    parser.add_argument(
        "--baseline", help="detect-secrets baseline (default: .secrets.baseline if it exists)"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not reuse results for unchanged files")
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("secrets", SecretsSettings)
        if args.baseline:
            settings = settings._replace(baseline=args.baseline)
        if args.all_lines:
            settings = settings._replace(all_lines=True)
        if args.no_cache:
            settings = settings._replace(cache=False)
        if args.baseline and not setting_path(run.root, settings.baseline).is_file():
            raise GateError(f"baseline {args.baseline} does not exist")
        changes = (
            None
            if settings.all_lines
            else ChangeSet.for_run(run.root, run.context, base=run.config.core().base)
        )
        result = scan(run.root, args.filenames, settings, changes)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    for secret in result.secrets:
        print_finding(secret.path, secret.line, None, secret.type, f"(hash {secret.short_hash})")
    for note in result.skipped:
        print(note)
    off = "" if result.prefilter else prefilter_off(result.detect_secrets_version)
    if off:
        print(off)
    by_type = collections.Counter(secret.type for secret in result.secrets)
    tally = SecretsTally(by_type, len(result.files), len(result.skipped), off, result.judged)
    record = run.record_tally(
        Status.FAIL if result.secrets else Status.PASS,
        tally,
        threshold=result.judged,
        tools={"detect-secrets": result.detect_secrets_version},
        fingerprint=fingerprint(f"{s.path}:{s.line}:{s.hash}" for s in result.secrets),
    )
    return gate.finish(run, record)


if __name__ == "__main__":
    raise SystemExit(main())
