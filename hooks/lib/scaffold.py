"""New platform-mode files: the directories and config stub of `init`, the execution log of `new-log`."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hooks.lib.config import OWN_FILE, config_source
from hooks.lib.documents import PLATFORM_DIR, document_name, read_header, scan_documents
from hooks.lib.errors import GateError
from hooks.lib.markdown import REQUIRED_SECTIONS

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


def new_log(root: Path, plan: Path | None, title: str | None, today: dt.date | None = None) -> Path:
    """Write the next numbered execution log, referencing `plan` (default: the highest-numbered plan)."""
    documents = scan_documents(root)
    if plan is None:
        plans = documents.of_kind("plan")
        plan = plans[-1].path if plans else None
    elif not plan.is_file():
        raise GateError(f"plan not found: {plan}")
    logs = documents.of_kind("execution")
    number = logs[-1].number + 1 if logs else 1
    directory = root / PLATFORM_DIR / "execution"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / document_name("execution", number)
    today = today or dt.date.today()
    heading = title or _title_from(plan) or f"Execution Log {number:03d}"
    reference = "(none yet: add a link to the plan)"
    if plan is not None:
        link = Path(os.path.relpath(plan.absolute(), directory.absolute())).as_posix()
        reference = f"[{plan.name}]({link})"
    lines = [
        f"# Execution Log {number:03d}: {heading}",
        "",
        f"**Document ID**: {path.name}",
        f"**Created**: {today.isoformat()}",
        "**Status**: IN PROGRESS",
        f"**References**: {reference}",
        "",
    ]
    for index, section in enumerate(REQUIRED_SECTIONS, start=1):
        lines += [f"## {index}. {section}", "", SECTION_HINTS[section], ""]
    with path.open("x", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))
    return path


def _title_from(plan: Path | None) -> str | None:
    if plan is None:
        return None
    first = plan.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    if first.startswith("# "):
        return first[2:].split(":", 1)[-1].strip() or None
    header = read_header(plan, plan.name)
    return header.get("title")
