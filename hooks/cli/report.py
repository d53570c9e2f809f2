"""`platform-gates report`: the Quality Report as the log shows it (the same renderer), with what is still
pending placed; `--history` lists every recorded run, refused commit attempts included."""

from __future__ import annotations

from pathlib import Path

from hooks.frame import git, quality_block
from hooks.frame.config import Config
from hooks.frame.documents import ActiveLog
from hooks.frame.files import read_text
from hooks.frame.journal import Journal
from hooks.frame.paths import inside_repo
from hooks.frame.recording import updated_status


def quality_report(root: Path, log: ActiveLog, config: Config) -> str:
    journal = Journal(root, log.rel)
    text = read_text(inside_repo(root, log.path), log.rel or "") if log.path else ""
    start = journal.synced_offset() if log.path else 0
    state, _ = updated_status(root, journal, text, config, start)
    title = f"## Quality Report: {log.rel or 'no active execution log'}\n\n"
    return title + quality_block.render(state, markers=False)


def run_history(root: Path, log: ActiveLog) -> str:
    """Every run in the journal, oldest first, with the commit it judged or what became of the attempt."""
    by_tree = {commit.tree: commit.id[:7] for commit in reversed(git.recent_commits(root, 1000, "--all"))}
    lines = [
        f"## Every recorded run: {log.rel or 'no active execution log'}",
        "",
        "| Time (UTC) | Gate | Result | Summary | Judged | Stage |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    superseded = set()
    records = [record for _, record in Journal(root, log.rel).records()]
    for record in records:
        if record.supersedes:
            superseded.add(record.supersedes)
    for record in records:
        if record.id in superseded:
            continue
        if record.is_attempt:
            made = by_tree.get(record.tree)
            judged = f"{made} (commit)" if made else "attempt, never committed"
        else:
            judged = record.short_commit + ("+" if record.dirty else "")
        cells = (
            record.time.replace("T", " "),
            record.gate,
            f"{quality_block.SYMBOL[record.status]} {record.status.value}",
            record.summary,
            judged,
            record.stage,
        )
        lines.append("| " + " | ".join(quality_block.escape_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"
