"""The platform-mode documents of a repository (`.platform-mode/<folder>/<stem>###.<stem>.md`) and the
active execution log: the highest-numbered open one, unless `PLATFORM_GATES_LOG` or `log` names one."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from hooks.frame.config import Config
from hooks.frame.errors import GateError
from hooks.frame.markdown import Header, link_targets, parse_header
from hooks.frame.paths import inside_repo, setting_path
from hooks.frame.platform_mode import is_terminal_status

PLATFORM_DIR = ".platform-mode"
LOG_ENV = "PLATFORM_GATES_LOG"
# folder → file stem, per DESIGN.md §3
DOCUMENT_TYPES = {
    "plans": "plan",
    "execution": "execution",
    "analysis": "analysis",
    "design": "design",
    "validation": "validation",
}
_HEADER_BYTES = 16384  # the header block sits at the top; a huge log need not be read whole


class Document(NamedTuple):
    path: Path
    rel: str  # repo-relative POSIX path, for output
    kind: str  # the file stem: plan, execution, ...
    number: int


class Misnamed(NamedTuple):
    rel: str
    suggestion: str | None


class DocumentSet(NamedTuple):
    documents: tuple[Document, ...]
    misnamed: tuple[Misnamed, ...]

    def of_kind(self, kind: str) -> list[Document]:
        return sorted((d for d in self.documents if d.kind == kind), key=lambda d: d.number)

    def duplicates(self) -> list[list[Document]]:
        """Documents of one type that share a number (`plan1.plan.md` after `plan001.plan.md`...)."""
        groups: dict[tuple[str, int], list[Document]] = {}
        for document in self.documents:
            groups.setdefault((document.kind, document.number), []).append(document)
        return [sorted(group, key=lambda d: d.rel) for group in groups.values() if len(group) > 1]


class ActiveLog(NamedTuple):
    path: Path | None
    rel: str | None
    reason: str  # how it was chosen, or why there is none
    warnings: tuple[str, ...] = ()


def document_name(kind: str, number: int) -> str:
    return f"{kind}{number:03d}.{kind}.md"


def _name_pattern(kind: str) -> re.Pattern[str]:
    return re.compile(rf"{kind}(\d{{3,}})\.{kind}\.md")


def scan_documents(root: Path) -> DocumentSet:
    documents: list[Document] = []
    misnamed: list[Misnamed] = []
    base = root / PLATFORM_DIR
    for folder, kind in DOCUMENT_TYPES.items():
        directory = base / folder
        if not directory.is_dir():
            continue
        pattern = _name_pattern(kind)
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix.lower() != ".md":
                continue
            rel = path.relative_to(root).as_posix()
            match = pattern.fullmatch(path.name)
            if match:
                documents.append(Document(path, rel, kind, int(match[1], 10)))
            elif path.name.lower() != "readme.md":
                misnamed.append(Misnamed(rel, _suggest_name(path.name, kind)))
    return DocumentSet(tuple(documents), tuple(misnamed))


def _suggest_name(name: str, kind: str) -> str | None:
    digits = re.findall(r"\d+", name)
    if digits:
        return document_name(kind, int(digits[0], 10))
    import difflib  # only for a misnamed document: not on every gate's start-up

    close = difflib.get_close_matches(name, [document_name(kind, 1)], n=1, cutoff=0.6)
    return close[0] if close else None


def read_header(path: Path, rel: str) -> Header:
    """The header of a document, read from its first bytes; an undecodable file is a GateError."""
    with path.open("rb") as f:
        head = f.read(_HEADER_BYTES)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the read boundary
            raise GateError(f"{rel}: not UTF-8 text (byte {exc.start})") from exc
        text = head[: exc.start].decode("utf-8")
    return parse_header(text, rel)


def find_active_log(root: Path, config: Config, environ: Mapping[str, str] = os.environ) -> ActiveLog:
    explicit = environ.get(LOG_ENV) or config.core().log
    if explicit:
        source = LOG_ENV if environ.get(LOG_ENV) else f"config key 'log' in {config.source}"
        return _explicit_log(root, explicit, source)
    open_logs = [
        document
        for document in reversed(scan_documents(root).of_kind("execution"))
        if not is_terminal_status(_header_inside(root, document).get("status"))
    ]
    if not open_logs:
        return ActiveLog(None, None, "no open execution log in .platform-mode/execution/")
    active = open_logs[0]
    warnings: tuple[str, ...] = ()
    if len(open_logs) > 1:
        others = ", ".join(d.rel for d in open_logs[1:])
        warnings = (f"several open execution logs; using {active.rel}, also open: {others}",)
    return ActiveLog(active.path, active.rel, "highest-numbered open execution log", warnings)


def _header_inside(root: Path, document: Document) -> Header:
    try:
        inside_repo(root, document.path)
    except GateError as exc:
        raise GateError(f"{document.rel} is a symlink that leaves the repository") from exc
    return read_header(document.path, document.rel)


def _explicit_log(root: Path, value: str, source: str) -> ActiveLog:
    candidate = setting_path(root, value)
    try:
        resolved = inside_repo(root, candidate)
    except GateError as exc:
        raise GateError(f"{source} names a log outside the repository: {value}") from exc
    if not resolved.is_file():
        raise GateError(f"{source} names a log that does not exist: {value}")
    return ActiveLog(resolved, resolved.relative_to(root.resolve()).as_posix(), f"chosen by {source}")


class Reference(NamedTuple):
    target: str  # as written in the References field
    path: Path | None  # resolved inside the repository; None when it leaves it or is a URL
    line: int


def references(root: Path, document: Path, header: Header) -> list[Reference]:
    """The links of the References (or front matter `plan`) field, resolved without leaving the repo."""
    found: list[Reference] = []
    for key in ("references", "plan"):
        field = header.fields.get(key)
        if field is None:
            continue
        targets = link_targets(field.value) or [part.strip() for part in field.value.split(",")]
        for target in filter(None, targets):
            found.append(Reference(target, _resolve_link(root, document, target), field.line))
    return found


def _resolve_link(root: Path, document: Path, target: str) -> Path | None:
    if "://" in target or target.startswith(("mailto:", "#")):
        return None
    relative = target.split("#", 1)[0]
    candidate = (root / relative.lstrip("/")) if relative.startswith("/") else document.parent / relative
    # Judged on the path as written, before anything is opened: a link out of the repo is never followed.
    normalized = Path(os.path.normpath(candidate.absolute()))
    if not normalized.is_relative_to(root.absolute()):
        return None
    try:
        return inside_repo(root, normalized)
    except GateError:
        return None


def plan_of(root: Path, log: Path) -> Path | None:
    """The first plan the log's References point to, if it exists inside the repository."""
    header = read_header(log, log.name)
    pattern = _name_pattern("plan")
    for reference in references(root, log, header):
        if reference.path and pattern.fullmatch(reference.path.name) and reference.path.is_file():
            return reference.path
    return None
