"""New platform-mode files: the directories and config stub of `init`, the execution log of `new-log`."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import NamedTuple

from hooks.frame.config import OWN_FILE, config_source
from hooks.frame.documents import PLATFORM_DIR, document_name, read_header, scan_documents
from hooks.frame.errors import GateError
from hooks.frame.files import read_text, replace_atomically
from hooks.frame.markdown import normalize_key, parse_header, parse_outline, split_lines
from hooks.frame.platform_mode import REQUIRED_SECTIONS, is_terminal_status

HEADER_KEYS = ("Document ID", "Created", "Status", "References")
_BOLD_KEY = re.compile(r"^\s*\*\*(?P<key>[^*\n]+?):?\*\*:?")
_STATUS_VALUE = re.compile(r"^(\s*(?:\*\*[^*]+?:?\*\*:?|status:)[ \t]*).*$", re.IGNORECASE)

CONFIG_STUB = """\
# platform-gates settings; every key is optional. See the README for each gate's keys.
# log = ".platform-mode/execution/execution001.execution.md"  # pin the active log

# [section-aliases]
# "Quality Report" = ["Quality Assurance"]
"""

SECTION_HINTS = {
    "Implementation Log": "Dated entries of what was built, per story, with acceptance-criteria progress.",
    "Quality Report": "The gates record their results here (the table below is managed by platform-gates).",
    "Decision Log": "One `#### Decision DEC-###: title` entry per decision: Context, Decision, Rationale.",
    "Validation Report": "Each requirement of the plan, validated with evidence (cite its FR-/NFR- ID).",
    "Deployment Package": "What ships, how it is deployed and rolled back.",
    "Lessons Learned": "What to keep and what to change next time.",
}


def init(root: Path) -> list[str]:
    """Create `.platform-mode/{plans,execution}`, and a config stub if the repository has no config (a
    stub would win over a pyproject.toml table); returns what was created."""
    stub = config_source(root) is None
    created = []
    for folder in ("plans", "execution"):
        directory = root / PLATFORM_DIR / folder
        if not directory.is_dir():
            directory.mkdir(parents=True)
            created.append(f"{PLATFORM_DIR}/{folder}/")
    if stub:
        (root / OWN_FILE).write_text(CONFIG_STUB)
        created.append(OWN_FILE)
    return created


def new_log(
    root: Path, plan: Path | None, title: str | None, today: dt.date | None = None, supersede: bool = False
) -> NewLog:
    """Write the next numbered execution log, referencing `plan` (default: the highest-numbered plan).

    It keeps the previous log's header fields and section headings (new values, empty sections), else
    follows the execute template. An open log is superseded only when asked (two open logs mislead).
    """
    documents = scan_documents(root)
    if plan is None:
        plans = documents.of_kind("plan")
        plan = plans[-1].path if plans else None
    elif not plan.is_file():
        raise GateError(f"plan not found: {plan}")
    logs = documents.of_kind("execution")
    still_open = [log for log in logs if not is_terminal_status(read_header(log.path, log.rel).get("status"))]
    if still_open and not supersede:
        names = ", ".join(log.rel for log in still_open)
        raise GateError(
            f"{names} is still open: set its Status to COMPLETE first, or run "
            "`platform-gates new-log --supersede` (its Status becomes SUPERSEDED)"
        )
    number = logs[-1].number + 1 if logs else 1
    directory = root / PLATFORM_DIR / "execution"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / document_name("execution", number)
    heading = title or _title_from(plan)
    reference = "(none yet: add a link to the plan)"
    if plan is not None:
        link = Path(os.path.relpath(plan.absolute(), directory.absolute())).as_posix()
        reference = f"[{plan.name}]({link})"
    created = (today or dt.date.today()).isoformat()
    values = dict(
        zip(map(normalize_key, HEADER_KEYS), (path.name, created, "IN PROGRESS", reference), strict=True)
    )
    previous = read_text(logs[-1].path, logs[-1].rel) if logs else None
    shape = _shape_of(previous) if previous is not None else None
    lines = [f"# Execution Log {number:03d}" + (f": {heading}" if heading else ""), ""]
    if shape is None:
        lines += [f"**{key}**: {values[normalize_key(key)]}" for key in HEADER_KEYS] + [""]
        for index, section in enumerate(REQUIRED_SECTIONS, start=1):
            lines += [f"## {index}. {section}", "", SECTION_HINTS[section], ""]
    else:
        fields, headings = shape
        lines += [f"**{key}**: {values.get(normalize_key(key), '')}".rstrip() for key in fields] + [""]
        lines += [line for heading_line in headings for line in (heading_line, "")]
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))
    for log in still_open:
        _set_status(log.path, log.rel, "SUPERSEDED")
    return NewLog(path, tuple(log.rel for log in still_open))


class NewLog(NamedTuple):
    path: Path
    superseded: tuple[str, ...]  # the logs whose Status became SUPERSEDED


def _shape_of(text: str) -> tuple[list[str], list[str]] | None:
    """The bold header keys (as written) and the `##`/`###` headings of a log; None for front matter."""
    if parse_header(text).front_matter:
        return None
    fields: list[str] = []
    for line in split_lines(text.removeprefix("\ufeff")):
        if line.startswith("## "):
            break
        match = _BOLD_KEY.match(line)
        if match:
            fields.append(match["key"])
    keys = {normalize_key(key) for key in fields}
    fields += [
        key for key in ("Document ID", "Created", "Status", "References") if normalize_key(key) not in keys
    ]
    outline = parse_outline(text)
    headings = [f"{'#' * h.level} {h.title}" for h in outline.headings if h.level in (2, 3)]
    return fields, headings


def _set_status(path: Path, rel: str, status: str) -> None:
    """Rewrite the Status field's value in place; every other byte stays."""
    text = read_text(path, rel)
    field = parse_header(text, rel).fields.get("status")
    if field is None:
        raise GateError(f"{rel}: no Status field to mark {status}")
    lines = split_lines(text)
    index = field.line - 1
    line = lines[index]
    ending = line[len(line.rstrip("\r\n")) :]
    lines[index] = _STATUS_VALUE.sub(lambda m: m[1] + status, line.rstrip("\r\n"), count=1) + ending
    replace_atomically(path, "".join(lines).encode("utf-8"))


def _title_from(plan: Path | None) -> str | None:
    if plan is None:
        return None
    first = plan.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    if first.startswith("# "):
        return first[2:].split(":", 1)[-1].strip() or None
    header = read_header(plan, plan.name)
    return header.get("title")
