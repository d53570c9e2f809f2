"""Coverage data in the four formats teams produce, read into one shape with repository paths.

`.coverage` goes through coverage.py's own API (its JSON report, so `source`, `include`, `omit` and
branch data mean what coverage.py means); Cobertura XML through defusedxml (no entity bombs); JSON and
LCOV as written by coverage.py, pytest-cov and most other tools.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import posixpath
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

# Only the exception and handler types come from xml.sax: parsing itself goes through defusedxml.sax.
from xml.sax import SAXParseException  # nosec B406
from xml.sax.handler import ContentHandler  # nosec B406

from hooks.lib.errors import GateError

DATA_FILES = (".coverage", "coverage.xml", "coverage.json", "lcov.info")
_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


@dataclasses.dataclass(frozen=True)
class FileCoverage:
    statements: frozenset[int]
    covered: frozenset[int]
    branches: int = 0
    covered_branches: int = 0


@dataclasses.dataclass(frozen=True)
class CoverageReport:
    source: str  # the data file, repo-relative
    files: Mapping[str, FileCoverage]  # repo-relative POSIX path → its coverage
    has_branches: bool

    @property
    def total_percent(self) -> float:
        """coverage.py's figure: covered statements and branches over all statements and branches."""
        covered = sum(len(f.covered) + f.covered_branches for f in self.files.values())
        total = sum(len(f.statements) + f.branches for f in self.files.values())
        return 100.0 * covered / total if total else 100.0


def find_data(root: Path, explicit: str | None) -> Path | None:
    """The data file named, else the newest of the usual ones in the repository root."""
    if explicit:
        path = Path(explicit) if Path(explicit).is_absolute() else root / explicit
        return path if path.exists() else None
    present = [root / name for name in DATA_FILES if (root / name).is_file()]
    return max(present, key=lambda path: path.stat().st_mtime, default=None)


def read_report(root: Path, path: Path, tracked: Iterable[str]) -> CoverageReport:
    """Read any of the four formats; a corrupt or foreign file is a GateError (exit 2)."""
    rel = _display(root, path)
    mapper = _PathMapper(root, tracked)
    try:
        if path.suffix == ".xml":
            files, branches = _cobertura(path, mapper)
        elif path.suffix == ".json":
            files, branches = _coverage_json(json.loads(path.read_text(encoding="utf-8")), mapper)
        elif path.suffix == ".info" or path.name.endswith(".lcov"):
            files, branches = _lcov(path.read_text(encoding="utf-8"), mapper)
        else:
            files, branches = _coverage_py(root, path, mapper)
    except GateError as exc:
        raise GateError(f"{rel}: {exc}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise GateError(f"{rel} is not readable coverage data ({type(exc).__name__}: {exc})") from None
    return CoverageReport(rel, files, branches)


def _display(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return str(path)


class _PathMapper:
    """Data paths (absolute, under a `source` root, Windows separators) → repository paths."""

    def __init__(self, root: Path, tracked: Iterable[str]) -> None:
        self.root = root.resolve()
        self.tracked = set(tracked)
        self.bases: dict[str, str | None] = {}

    def _base(self, base: str) -> str | None:
        """A source root as a repo-relative prefix ("" for the root), or None when it is elsewhere."""
        if base not in self.bases:
            try:
                self.bases[base] = Path(base).resolve().relative_to(self.root).as_posix().removeprefix(".")
            except (ValueError, OSError):
                self.bases[base] = None
        return self.bases[base]

    def __call__(self, raw: str, base: str = "") -> str:
        text = raw.replace("\\", "/")
        if base and not PurePosixPath(text).is_absolute() and not re.match(r"^[A-Za-z]:/", text):
            prefix = self._base(base)
            if prefix is not None:  # a source root inside the repository: no need to resolve each file
                joined = posixpath.normpath(f"{prefix}/{text}") if prefix else posixpath.normpath(text)
                if joined in self.tracked or not self.tracked:
                    return joined
            text = f"{base.replace(chr(92), '/').rstrip('/')}/{text}"
        if PurePosixPath(text).is_absolute():
            try:
                return Path(text).resolve().relative_to(self.root).as_posix()
            except (ValueError, OSError):
                pass
        if text in self.tracked:
            return text
        # Data made on another machine (CI, Windows): the longest suffix that names a tracked file.
        parts = PurePosixPath(text.split(":", 1)[-1]).parts
        for start in range(len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in self.tracked:
                return candidate
        return PurePosixPath(text).as_posix().removeprefix("./")


def _cobertura(path: Path, mapper: _PathMapper) -> tuple[dict[str, FileCoverage], bool]:
    import defusedxml.sax
    from defusedxml import DefusedXmlException

    # SAX, not a tree: a 7 MB report streams in a third of the time defusedxml's ElementTree takes.
    handler = _CoberturaHandler(mapper)
    try:
        defusedxml.sax.parse(str(path), handler)
    except DefusedXmlException as exc:
        raise GateError(f"refused unsafe XML ({type(exc).__name__})") from None
    except SAXParseException as exc:
        raise GateError(f"not well-formed XML ({exc.getMessage()} at line {exc.getLineNumber()})") from None
    if not handler.seen_root:
        raise GateError("not a Cobertura report (no <coverage> root)")
    handler.close_class()
    return handler.files, handler.has_branches


class _CoberturaHandler(ContentHandler):
    def __init__(self, mapper: _PathMapper) -> None:
        super().__init__()
        self.mapper = mapper
        self.files: dict[str, FileCoverage] = {}
        self.has_branches = False
        self.seen_root = False
        self.source: str | None = None
        self.in_source = False
        self.name: str | None = None
        self.statements: set[int] = set()
        self.covered: set[int] = set()
        self.branches = self.covered_branches = 0

    def startElement(self, name: str, attrs: Any) -> None:
        if name == "line" and self.name is not None:
            number = int(attrs.get("number", "0"))
            self.statements.add(number)
            if int(attrs.get("hits", "0")) > 0:
                self.covered.add(number)
            if attrs.get("branch") == "true" and (
                match := _CONDITION.search(attrs.get("condition-coverage", ""))
            ):
                self.covered_branches += int(match[1])
                self.branches += int(match[2])
                self.has_branches = True
        elif name == "class":
            self.close_class()
            self.name = self.mapper(attrs.get("filename", ""), self.source or "")
        elif name == "source" and self.source is None:
            self.in_source, self.source = True, ""
        elif name == "coverage":
            self.seen_root = True
        elif not self.seen_root:
            raise GateError("not a Cobertura report (no <coverage> root)")

    def characters(self, content: str) -> None:
        if self.in_source:
            self.source = (self.source or "") + content

    def endElement(self, name: str) -> None:
        if name == "source":
            self.in_source = False
            self.source = (self.source or "").strip()

    def close_class(self) -> None:
        if self.name is not None:
            entry = FileCoverage(
                frozenset(self.statements), frozenset(self.covered), self.branches, self.covered_branches
            )
            self.files[self.name] = _merge(self.files.get(self.name), entry)
        self.name, self.statements, self.covered, self.branches, self.covered_branches = (
            None,
            set(),
            set(),
            0,
            0,
        )


def _coverage_json(data: Mapping[str, Any], mapper: _PathMapper) -> tuple[dict[str, FileCoverage], bool]:
    if not isinstance(data.get("files"), dict):
        raise GateError("not a coverage.py JSON report (no files object)")
    files: dict[str, FileCoverage] = {}
    has_branches = bool(data.get("meta", {}).get("branch_coverage"))
    for raw, entry in data["files"].items():
        executed = frozenset(int(n) for n in entry["executed_lines"])
        missing = frozenset(int(n) for n in entry["missing_lines"])
        summary = entry.get("summary", {})
        files[mapper(raw)] = FileCoverage(
            executed | missing,
            executed,
            int(summary.get("num_branches", 0)),
            int(summary.get("covered_branches", 0)),
        )
    return files, has_branches


def _lcov(text: str, mapper: _PathMapper) -> tuple[dict[str, FileCoverage], bool]:
    files: dict[str, FileCoverage] = {}
    has_branches = False
    name: str | None = None
    statements: set[int] = set()
    covered: set[int] = set()
    branches = covered_branches = 0
    for raw_line in text.splitlines():
        tag, _, value = raw_line.strip().partition(":")
        if tag == "SF":
            name, statements, covered, branches, covered_branches = mapper(value), set(), set(), 0, 0
        elif tag == "DA" and name is not None:
            number, hits = value.split(",")[:2]
            statements.add(int(number))
            if int(float(hits)) > 0:
                covered.add(int(number))
        elif tag == "BRDA" and name is not None:
            has_branches = True
            branches += 1
            taken = value.rsplit(",", 1)[-1]
            covered_branches += taken not in ("-", "0")
        elif tag == "end_of_record" and name is not None:
            entry = FileCoverage(frozenset(statements), frozenset(covered), branches, covered_branches)
            files[name] = _merge(files.get(name), entry)
            name = None
    if not files and text.strip():
        raise GateError("not LCOV data (no SF/end_of_record entries)")
    return files, has_branches


def _coverage_py(root: Path, path: Path, mapper: _PathMapper) -> tuple[dict[str, FileCoverage], bool]:
    import coverage
    from coverage.exceptions import CoverageException

    try:
        cov = coverage.Coverage(data_file=str(path), config_file=True)  # the project's own settings
        cov.load()
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "coverage.json"
            cov.json_report(outfile=str(report), ignore_errors=True)
            return _coverage_json(json.loads(report.read_text()), mapper)
    except CoverageException as exc:
        raise GateError(f"coverage.py cannot read it ({' '.join(str(exc).split())})") from None
    except Exception as exc:  # coverage.py reports a foreign or damaged SQLite file in several ways
        raise GateError(f"coverage.py cannot read it ({type(exc).__name__})") from None


def _merge(old: FileCoverage | None, new: FileCoverage) -> FileCoverage:
    """A file listed twice (one Cobertura class per Python class, LCOV per test) is one file."""
    if old is None:
        return new
    return FileCoverage(
        old.statements | new.statements,
        old.covered | new.covered,
        max(old.branches, new.branches),
        max(old.covered_branches, new.covered_branches),
    )


@dataclasses.dataclass(frozen=True)
class Scope:
    """Which files the data is meant to cover: coverage.py's `source`, `include` and `omit` settings."""

    source: tuple[str, ...]
    include: tuple[str, ...]
    omit: tuple[str, ...]

    def covers(self, path: str) -> bool:
        if not path.endswith(".py") or _matches(path, self.omit):
            return False
        if self.include:
            return _matches(path, self.include)
        parts = PurePosixPath(path).parts
        if self.source:
            return any(_under(parts, entry) for entry in self.source)
        # No settings: everything but the tests, as `coverage run -m pytest` is usually meant.
        name = parts[-1]
        test_dir = any(part in ("tests", "test", "testing") for part in parts[:-1])
        return not (
            test_dir or name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
        )


def _matches(path: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch("/" + path, pattern) for pattern in patterns)


def _under(parts: tuple[str, ...], entry: str) -> bool:
    """`src` covers src/a.py; a package name `bookmarks` covers src/bookmarks/a.py too."""
    cleaned = entry.replace("\\", "/").removeprefix("./").rstrip("/")
    wanted = tuple(cleaned.split(".")) if "/" not in cleaned else PurePosixPath(cleaned).parts
    return any(parts[start : start + len(wanted)] == wanted for start in range(len(parts) - len(wanted)))


def coverage_scope() -> Scope:
    """coverage.py's own reading of the project's config files (a hook's cwd is the repository root)."""
    import coverage

    try:
        cov = coverage.Coverage(config_file=True, data_file=None)
        keys = ("run:source", "run:include", "run:omit", "report:include", "report:omit")
        values = {key: _strings(cov.get_option(key)) for key in keys}
    except Exception as exc:  # coverage.py's config errors come in several types
        raise GateError(f"coverage configuration: {' '.join(str(exc).split())}") from None
    return Scope(
        tuple(values["run:source"]),
        tuple(values["run:include"] + values["report:include"]),
        tuple(values["run:omit"] + values["report:omit"]),
    )


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
