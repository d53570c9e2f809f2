"""platform-security: bandit's vulnerability scan with the project's `[tool.bandit]` config.

bandit ignores its own `exclude_dirs` for paths passed on the command line (PyCQA/bandit#499, #912), so
they are applied here; large change sets are split over the cores inside the one process, so a run
still gives one verdict and one record. Hard-coded password findings never repeat the password.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import fnmatch
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from hooks.lib import gate
from hooks.lib.baseline import find_baseline, new_findings, save_baseline
from hooks.lib.config import load_config, read_toml
from hooks.lib.errors import GateError
from hooks.lib.files import content_fingerprint
from hooks.lib.output import counts_text, plural, print_finding
from hooks.lib.record import Status

GATE = "platform-security"
BASELINE = Path(".platform-gates/security.baseline.json")
LEVELS = ("low", "medium", "high")
BANDIT_TIMEOUT_S = 1800
FILES_PER_WORKER_MIN = 24  # below this, a second bandit process costs more than it saves
_QUOTED = re.compile(r"'.*'|\".*\"")
_HOLDS_A_SECRET = frozenset({"B105", "B106", "B107"})  # hardcoded_password_*: the text quotes the value


@dataclasses.dataclass(frozen=True)
class SecuritySettings:
    severity: str = "low"
    confidence: str = "low"
    baseline: str | None = None


@dataclasses.dataclass(frozen=True)
class Finding:
    path: str
    line: int
    test_id: str
    severity: str
    confidence: str
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.test_id, self.message)


@dataclasses.dataclass(frozen=True)
class BanditConfig:
    exclude_dirs: tuple[str, ...]
    config_file: str | None  # pyproject.toml when it has [tool.bandit]: bandit reads skips, tests, plugins


@dataclasses.dataclass(frozen=True)
class ScanResult:
    findings: list[Finding]
    unscanned: list[tuple[str, str]]  # (path, bandit's reason)
    excluded: int
    fingerprint: str


def bandit_config(root: Path) -> BanditConfig:
    pyproject = root / "pyproject.toml"
    table = read_toml(pyproject).get("tool", {}).get("bandit") if pyproject.is_file() else None
    if not isinstance(table, dict):
        return BanditConfig((), None)
    excludes = table.get("exclude_dirs", [])
    if not isinstance(excludes, list) or not all(isinstance(item, str) for item in excludes):
        raise GateError("pyproject.toml: tool.bandit.exclude_dirs must be a list of strings")
    return BanditConfig(tuple(excludes), "pyproject.toml")


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
    included = [name for name in files if not is_excluded(name, config.exclude_dirs)]
    workers = max(1, min(os.cpu_count() or 1, len(included) // FILES_PER_WORKER_MIN))
    chunks = [included[index::workers] for index in range(workers)] if included else []
    processes = [_start_bandit(root, chunk, config) for chunk in chunks]
    checked = content_fingerprint(root, included)  # hashed while bandit works
    findings: list[Finding] = []
    unscanned: list[tuple[str, str]] = []
    for process in processes:
        report = _report(process)
        for item in report.get("results", []):
            finding = _finding(root, item)
            if _at_least(finding.severity, settings.severity) and _at_least(
                finding.confidence, settings.confidence
            ):
                findings.append(finding)
        unscanned += [
            (gate.relative(root, error["filename"]), error["reason"]) for error in report.get("errors", [])
        ]
    findings.sort(key=lambda f: (f.path, f.line, f.test_id))
    return ScanResult(findings, sorted(unscanned), len(files) - len(included), checked)


def _bandit() -> str:
    beside = Path(sys.executable).parent / "bandit"
    found = str(beside) if beside.exists() else shutil.which("bandit")
    if found is None:
        raise GateError("bandit is not installed (pip install bandit)")
    return found


def _start_bandit(root: Path, chunk: Sequence[str], config: BanditConfig) -> subprocess.Popen[bytes]:
    command = [_bandit(), "--format", "json", "--quiet", "--exit-zero"]
    if config.config_file:
        command += ["--configfile", config.config_file]
    return subprocess.Popen(
        [*command, "--", *chunk], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _report(process: subprocess.Popen[bytes]) -> Mapping[str, list[dict[str, str]]]:
    try:
        out, err = process.communicate(timeout=BANDIT_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        raise GateError(f"bandit did not finish within {BANDIT_TIMEOUT_S} s") from exc
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        reason = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        raise GateError(f"bandit failed: {reason[-1] if reason else f'exit {process.returncode}'}") from None
    if not isinstance(report, dict):
        raise GateError("bandit gave a report that is not a JSON object")
    return report


def _finding(root: Path, item: Mapping[str, object]) -> Finding:
    test_id = str(item["test_id"])
    message = str(item["issue_text"])
    if test_id in _HOLDS_A_SECRET:
        message = _QUOTED.sub("'<redacted>'", message)
    return Finding(
        path=gate.relative(root, os.path.normpath(str(item["filename"]))),
        line=int(str(item["line_number"])),
        test_id=test_id,
        severity=str(item["issue_severity"]).lower(),
        confidence=str(item["issue_confidence"]).lower(),
        message=message,
    )


def _at_least(level: str, threshold: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(threshold) if level in LEVELS else True


def summarize(counts: Mapping[str, int], files: int) -> str:
    by_test = {key: value for key, value in counts.items() if key.startswith("B")}
    by_severity = {key: value for key, value in counts.items() if key in LEVELS}
    total = sum(by_test.values())
    if not total:
        return f"no findings in {plural(files, 'file')}"
    found = f"{plural(total, 'finding')} in {plural(files, 'file')}"
    return f"{found}: {counts_text(by_test)}; severity {counts_text(by_severity)}"


def write_baseline(root: Path, output: Path) -> int:
    """`platform-gates baseline security`: every finding in the tracked Python files, as the baseline."""
    settings = load_config(root).gate("security", SecuritySettings)
    from hooks.lib.runner import candidate_files, files_for, select_gates

    files = files_for(select_gates(["security"])[0], root, candidate_files(root, all_files=True))
    findings = scan(root, files, bandit_config(root), settings).findings
    return save_baseline(output, GATE, (finding.key for finding in findings))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="Python files to scan (pre-commit passes them)")
    parser.add_argument("--severity", choices=LEVELS, help="report findings of this severity or higher")
    parser.add_argument("--confidence", choices=LEVELS, help="report findings of this confidence or higher")
    parser.add_argument("--baseline", help=f"baseline file (default: {BASELINE} when it exists)")
    args = parser.parse_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        settings = run.config.gate("security", SecuritySettings)
        for key in ("severity", "confidence"):
            value = getattr(args, key) or getattr(settings, key)
            if value not in LEVELS:
                raise GateError(f"{key} must be one of {', '.join(LEVELS)}, got {value!r}")
            settings = dataclasses.replace(settings, **{key: value})
        baseline = find_baseline(run.root, args.baseline or settings.baseline, run.root / BASELINE)
        result = scan(run.root, args.filenames, bandit_config(run.root), settings)
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    findings, excused = (
        new_findings(result.findings, lambda f: f.key, baseline) if baseline else (result.findings, 0)
    )
    for finding in findings:
        code = f"{finding.test_id} [{finding.severity}/{finding.confidence}]"
        print_finding(finding.path, finding.line, None, code, finding.message)
    for path, reason in result.unscanned:
        print(f"{path}: not scanned: {reason}")
    counts = collections.Counter(f.test_id for f in findings) + collections.Counter(
        f.severity for f in findings
    )
    scanned = len(args.filenames) - result.excluded
    notes = [f"{excused} excused by the baseline"] if excused else []
    notes += [f"{result.excluded} excluded by tool.bandit.exclude_dirs"] if result.excluded else []
    notes += [f"{len(result.unscanned)} not scanned"] if result.unscanned else []
    summary = summarize(counts, scanned) + (f" ({'; '.join(notes)})" if notes else "")
    record = run.record(
        Status.FAIL if findings else Status.PASS,
        summary,
        files=scanned,
        counts=dict(counts),
        threshold=f"severity >= {settings.severity}, confidence >= {settings.confidence}",
        tools={"bandit": importlib.metadata.version("bandit")},
        fingerprint=result.fingerprint,
    )
    return gate.finish(run, gate.merge_with_earlier_call(run, record, summarize))


if __name__ == "__main__":
    raise SystemExit(main())
