"""Coverage data in the four formats teams produce, read into one shape with repository paths:
`.coverage` through coverage.py's own API, Cobertura XML, JSON and LCOV as coverage.py writes them."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import fnmatch
import functools
import json
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from hooks.adapters.coverage_totals import Totals
from hooks.frame.errors import GateError
from hooks.frame.paths import display_path, setting_path
from hooks.frame.record import fingerprint

if TYPE_CHECKING:
    from hooks.adapters.cobertura import CoberturaClass

DATA_FILES = (".coverage", "coverage.xml", "coverage.json", "lcov.info", "coverage.lcov")
_DRIVE = re.compile(r"^[A-Za-z]:/")


class NoUsableData(Exception):
    """Coverage data the user has to (re)produce: unreadable, empty, or about no file at all (exit 1)."""


@dataclasses.dataclass(frozen=True)
class FileCoverage:
    """One file of the data: hit count per statement line, and (covered, total) branches per branch line."""

    hits: Mapping[int, int]
    branch_lines: Mapping[int, tuple[int, int]] = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def statements(self) -> frozenset[int]:
        return frozenset(self.hits)

    @functools.cached_property
    def covered(self) -> frozenset[int]:
        return frozenset(line for line, count in self.hits.items() if count > 0)

    def totals(self) -> Totals:
        return Totals.of_lines(self.hits.values(), self.branch_lines.values())


class FilesOnDemand(Mapping[str, FileCoverage]):
    """Repository path → its coverage, each file read when first asked for (a big report, a small diff)."""

    def __init__(self, readers: Mapping[str, Callable[[], FileCoverage]]) -> None:
        self._readers = readers
        self._read: dict[str, FileCoverage] = {}

    def __getitem__(self, path: str) -> FileCoverage:
        if path not in self._read:
            self._read[path] = self._readers[path]()
        return self._read[path]

    def __contains__(self, path: object) -> bool:
        return path in self._readers

    def __iter__(self) -> Iterator[str]:
        return iter(self._readers)

    def __len__(self) -> int:
        return len(self._readers)


class CoverageReport(NamedTuple):
    source: str  # the data file, repo-relative
    files: Mapping[str, FileCoverage]  # repo-relative POSIX path → its coverage
    totals: Totals  # over every file, as coverage.py counts them
    fingerprint: str = ""  # of the data file's bytes

    @property
    def has_branches(self) -> bool:
        return self.totals.branches > 0

    @property
    def total_percent(self) -> float:
        return self.totals.percent


def find_data(root: Path, explicit: str | None) -> Path | None:
    """The data file named, else the newest of the usual ones in the repository root."""
    if explicit:
        path = setting_path(root, explicit)
        return path if path.exists() else None
    present = [root / name for name in DATA_FILES if (root / name).is_file()]
    return max(present, key=lambda path: path.stat().st_mtime, default=None)


def uncombined(root: Path) -> list[str]:
    """`.coverage.<host>.<pid>…` files that `coverage combine` has not merged yet."""
    return sorted(path.name for path in root.glob(".coverage.*") if path.is_file())


def read_report(root: Path, path: Path, tracked: Iterable[str]) -> CoverageReport:
    """Read any of the four formats.

    NoUsableData when the file cannot be read, is empty or lists no file; GateError (exit 2) when it is
    corrupt, hostile or from a coverage.py that cannot read it.
    """
    rel = display_path(root, path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoUsableData(f"cannot read {rel} ({exc.strerror or type(exc).__name__})") from None
    if not data or data.isspace():  # isspace, not strip: no copy of a report of many megabytes
        raise NoUsableData(f"{rel} is empty")
    mapper = PathMapper(root, tracked)
    try:
        if path.suffix == ".xml":
            files, totals = _cobertura(data, mapper)
        else:
            if path.suffix == ".json":
                read = _coverage_json(json.loads(data), mapper)
            elif path.suffix in (".info", ".lcov"):
                read = _lcov(data.decode("utf-8"), mapper)
            else:
                read = _coverage_py(root, path, mapper)
            files, totals = read, sum((f.totals() for f in read.values()), Totals())
    except (GateError, NoUsableData) as exc:
        raise type(exc)(f"{rel}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise GateError(f"{rel} is not readable coverage data ({type(exc).__name__}: {exc})") from None
    if not files:
        raise NoUsableData(f"{rel} lists no files")
    return CoverageReport(rel, files, totals, fingerprint([data]))


class PathMapper:
    """Data paths (absolute, under a `source` root, Windows separators) → repository paths."""

    def __init__(self, root: Path, tracked: Iterable[str]) -> None:
        self.root = root.resolve()
        self.root_prefix = self.root.as_posix().rstrip("/") + "/"
        self.tracked = set(tracked)
        self.bases: dict[str, str | None] = {}

    def __call__(self, raw: str, bases: Sequence[str] = ()) -> str:
        text = raw.replace("\\", "/")
        spellings = [text] if _is_absolute(text) else [*(self._join(base, text) for base in bases), text]
        inside: list[str] = []
        outside: list[str] = []
        for spelling in spellings:
            found = self._repository_path(spelling)
            if found is None:
                outside.append(spelling)
            elif found in self.tracked or not self.tracked:
                return found
            else:
                inside.append(found)
        for spelling in outside:  # made on another machine (CI, Windows): the tracked path it ends with
            if found := self._tracked_suffix(spelling):
                return found
        return inside[0] if inside else spellings[0]

    def _join(self, base: str, text: str) -> str:
        prefix = self._base(base)
        if prefix is None:  # a root elsewhere: keep its absolute form for the suffix match
            return posixpath.join(base.replace("\\", "/"), text)
        return posixpath.join(prefix, text) if prefix else text

    def _base(self, base: str) -> str | None:
        """A source root as a repo-relative prefix ("" for the root), or None when it is elsewhere."""
        if base not in self.bases:
            text = base.replace("\\", "/")
            self.bases[base] = None
            if not _DRIVE.match(text):
                with contextlib.suppress(ValueError, OSError):
                    relative = (self.root / text).resolve().relative_to(self.root).as_posix()
                    self.bases[base] = "" if relative == "." else relative
        return self.bases[base]

    def _repository_path(self, text: str) -> str | None:
        """`text` as a repo-relative path if it names a place inside the repository, else None."""
        if _DRIVE.match(text):
            return None
        if not text.startswith("/"):
            relative = posixpath.normpath(text)
            return None if relative == ".." or relative.startswith("../") else relative
        if text.startswith(self.root_prefix):
            return posixpath.normpath(text[len(self.root_prefix) :])
        try:  # a symlinked or relative spelling of the root
            return Path(text).resolve().relative_to(self.root).as_posix()
        except (ValueError, OSError):
            return None

    def _tracked_suffix(self, text: str) -> str | None:
        parts = PurePosixPath(text.split(":", 1)[-1] if _DRIVE.match(text) else text).parts
        for start in range(len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in self.tracked:
                return candidate
        return None


def _is_absolute(text: str) -> bool:
    return text.startswith("/") or bool(_DRIVE.match(text))


def _cobertura(data: bytes, mapper: PathMapper) -> tuple[Mapping[str, FileCoverage], Totals]:
    from hooks.adapters.cobertura import read_cobertura

    report = read_cobertura(data)
    classes: dict[str, list[CoberturaClass]] = {}
    for entry in report.classes:
        classes.setdefault(mapper(entry.filename, report.sources), []).append(entry)
    files = FilesOnDemand(
        {path: functools.partial(_merged_classes, parts) for path, parts in classes.items()}
    )
    if report.totals:  # the root's totals are the producer's own (coverage.py's `coverage report`)
        return files, report.totals
    # Without them every file is counted; a file in several classes is merged first, to count lines once.
    return files, sum(
        (parts[0].totals() if len(parts) == 1 else files[path].totals() for path, parts in classes.items()),
        Totals(),
    )


def _merged_classes(parts: Sequence[CoberturaClass]) -> FileCoverage:
    files = [FileCoverage(*part.lines()) for part in parts]
    return functools.reduce(_merge, files[1:], files[0])


def _coverage_json(data: Mapping[str, Any], mapper: PathMapper) -> dict[str, FileCoverage]:
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise GateError("not a coverage.py JSON report (no files object)")
    files: dict[str, FileCoverage] = {}
    for raw, entry in data["files"].items():
        hits = dict.fromkeys(map(int, entry["missing_lines"]), 0)
        hits.update(dict.fromkeys(map(int, entry["executed_lines"]), 1))
        files[mapper(raw)] = FileCoverage(hits, _json_branches(entry))
    return files


def _json_branches(entry: Mapping[str, Any]) -> dict[int, tuple[int, int]]:
    if "executed_branches" not in entry:  # a report without per-arc lists: the file's totals, on line 0
        summary = entry.get("summary", {})
        total = int(summary.get("num_branches", 0))
        return {0: (int(summary.get("covered_branches", 0)), total)} if total else {}
    covered = collections.Counter(int(arc[0]) for arc in entry["executed_branches"])
    missed = collections.Counter(int(arc[0]) for arc in entry["missing_branches"])
    return {line: (covered[line], covered[line] + missed[line]) for line in covered | missed}


def _lcov(text: str, mapper: PathMapper) -> dict[str, FileCoverage]:
    files: dict[str, FileCoverage] = {}
    name: str | None = None
    hits: dict[int, int] = {}
    taken: dict[tuple[int, str, str], bool] = {}
    for raw_line in text.splitlines():
        tag, _, value = raw_line.strip().partition(":")
        if tag == "SF":
            name, hits, taken = mapper(value), {}, {}
        elif name is None:
            continue
        elif tag == "DA":
            number, count = value.split(",")[:2]
            hits[int(number)] = max(hits.get(int(number), 0), int(float(count)))
        elif tag == "BRDA":
            number, block, branch, count = value.split(",")[:4]
            key = (int(number), block, branch)
            taken[key] = taken.get(key, False) or count not in ("-", "0")
        elif tag == "end_of_record":
            per_line: dict[int, tuple[int, int]] = {}
            for (branch_line, _, _), hit in taken.items():
                covered, total = per_line.get(branch_line, (0, 0))
                per_line[branch_line] = (covered + hit, total + 1)
            entry = FileCoverage(hits, per_line)
            files[name] = _merge(files[name], entry) if name in files else entry
            name = None
    if not files:
        raise GateError("not LCOV data (no SF/end_of_record entries)")
    return files


def _coverage_py(root: Path, path: Path, mapper: PathMapper) -> dict[str, FileCoverage]:
    import tempfile

    import coverage
    from coverage.exceptions import CoverageException, NoDataError

    try:
        with in_directory(root), tempfile.TemporaryDirectory() as tmp:
            # The project's own settings (source, omit, branch), read from the repository root.
            cov = coverage.Coverage(data_file=str(path.absolute()), config_file=True)
            cov.load()
            report = Path(tmp) / "coverage.json"
            cov.json_report(outfile=str(report), ignore_errors=True)
            return _coverage_json(json.loads(report.read_text(encoding="utf-8")), mapper)
    except NoDataError as exc:
        raise NoUsableData(f"no measured files ({' '.join(str(exc).split())})") from None
    except Exception as exc:  # coverage.py reports a foreign or damaged SQLite file in several ways
        reason = " ".join(str(exc).split()) if isinstance(exc, CoverageException) else type(exc).__name__
        raise GateError(
            f"coverage.py {coverage.__version__} cannot read it ({reason}); "
            "if another coverage.py version wrote it, run the tests again with this one"
        ) from None


@contextlib.contextmanager
def in_directory(path: Path) -> Iterator[None]:
    """coverage.py finds its config files and relative paths from the working directory."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _merge(old: FileCoverage, new: FileCoverage) -> FileCoverage:
    """A file listed twice (one Cobertura class per Python class, LCOV per test) is one file."""
    hits = dict(old.hits)
    for line, count in new.hits.items():
        hits[line] = max(hits.get(line, 0), count)
    branch_lines = dict(old.branch_lines)
    for line, (covered, total) in new.branch_lines.items():
        before = branch_lines.get(line, (0, 0))
        branch_lines[line] = (max(before[0], covered), max(before[1], total))
    return FileCoverage(hits, branch_lines)


class Scope(NamedTuple):
    """Which files the data is meant to cover: coverage.py's `source`, `include` and `omit` settings.

    Without `source` or `include`, the top-level directories the data lists (`listed`, "" for files at
    the root) stand for what was measured, as with `pytest --cov=pkg`; test files never count.
    """

    source: tuple[str, ...]
    include: tuple[str, ...]
    omit: tuple[str, ...]
    listed: frozenset[str] | None = None  # None: no restriction

    def covers(self, path: str) -> bool:
        if not path.endswith(".py") or _matches(path, self.omit):
            return False
        if self.include:
            return _matches(path, self.include)
        parts = PurePosixPath(path).parts
        if self.source:
            return any(_under(parts, entry) for entry in self.source)
        name = parts[-1]
        test_dir = any(part in ("tests", "test", "testing") for part in parts[:-1])
        if test_dir or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
            return False
        return self.listed is None or _top(path) in self.listed


def _top(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def _matches(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch("/" + path, pattern) for pattern in patterns)


def _under(parts: tuple[str, ...], entry: str) -> bool:
    """`src` covers src/a.py; a package name `bookmarks` covers src/bookmarks/a.py too."""
    cleaned = entry.replace("\\", "/").removeprefix("./").rstrip("/")
    wanted = tuple(cleaned.split(".")) if "/" not in cleaned else PurePosixPath(cleaned).parts
    return any(parts[start : start + len(wanted)] == wanted for start in range(len(parts) - len(wanted)))


def coverage_scope(root: Path, report: CoverageReport | None = None) -> Scope:
    """coverage.py's own reading of the project's config files, and the extent of the data."""
    import coverage

    try:
        with in_directory(root):
            cov = coverage.Coverage(config_file=True, data_file=None)
        keys = ("run:source", "run:include", "run:omit", "report:include", "report:omit")
        values = {key: _strings(cov.get_option(key)) for key in keys}
    except Exception as exc:  # coverage.py's config errors come in several types
        raise GateError(f"coverage configuration: {' '.join(str(exc).split())}") from None
    return Scope(
        tuple(values["run:source"]),
        tuple(values["run:include"] + values["report:include"]),
        tuple(values["run:omit"] + values["report:omit"]),
        frozenset(_top(path) for path in report.files) if report is not None else None,
    )


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
