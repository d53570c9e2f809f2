"""The gates this collection ships, in one table: every other place (the console scripts, the config's
sub-tables, `platform-gates run` and `init`, the Quality Report) reads it; a test keeps
`.pre-commit-hooks.yaml` in step with it."""

from __future__ import annotations

from typing import NamedTuple


class Gate(NamedTuple):
    hook_id: str
    module: str  # `hooks.<module>` holds its main()
    table: str  # its settings: [tool.platform-gates.<table>]
    tags: frozenset[str] | None  # identify tags a file needs one of; None: it takes no file names
    figure: str  # its key figure in the history and chart: "findings", a metric name, or ""
    action: str  # on a failure, the one thing to do when the record names nothing better
    stages: tuple[str, ...] = ()  # the manifest's `stages`
    needs: str = ""  # what it judges that a project makes itself, as the config snippet says


# A hook without `stages` runs at every stage installed, post-commit included: each gate names its own.
COMMIT_STAGES = ("pre-commit", "pre-merge-commit", "pre-push", "manual")
GATES = (
    Gate(
        "platform-lint", "lint", "lint", frozenset({"python", "pyi"}), "findings",
        "fix the findings listed by `pre-commit run platform-lint` (`ruff check --fix`, `ruff format`)",
        COMMIT_STAGES,
    ),
    Gate(
        "platform-security", "security", "security", frozenset({"python"}), "findings",
        "fix the findings listed by `pre-commit run platform-security`, or mark a reviewed one `# nosec`",
        COMMIT_STAGES,
    ),
    Gate(
        "platform-secrets", "secret_scan", "secrets", frozenset({"text"}), "findings",
        "remove the secret and rotate it, or allowlist a false alarm (`# pragma: allowlist secret`)",
        COMMIT_STAGES,
    ),
    Gate(
        "platform-coverage", "coverage_check", "coverage", None, "total",
        "add tests for the changed lines, then `coverage run -m pytest && coverage xml`",
        ("pre-push", "manual"), "coverage data: `coverage run -m pytest` before you push",
    ),
    Gate(
        "platform-log-freshness", "log_freshness", "log-freshness", None, "",
        "add an entry to the execution log's Implementation Log and stage it",
        COMMIT_STAGES,
    ),
    Gate(
        "platform-traceability", "traceability", "traceability", None, "",
        "define or correct the IDs listed by `pre-commit run platform-traceability`",
        COMMIT_STAGES,
    ),
    Gate(
        "platform-perf", "perf", "perf", None, "regressions",
        "find the regression named by `pre-commit run platform-perf --hook-stage manual`, or accept it: "
        "`platform-gates baseline perf`, reviewed and merged on its own",
        ("pre-push", "manual"), "benchmark results: leave it out without benchmarks",
    ),
    Gate(
        "platform-docs", "docs", "docs", frozenset({"python"}), "documented_percent",
        "add docstrings to the definitions listed by `pre-commit run platform-docs`",
        COMMIT_STAGES,
    ),
)  # fmt: skip
SYNC_HOOK = "platform-log-sync"  # not a gate: it writes the gates' records into the log after a commit
SYNC_STAGES = ("post-commit", "post-merge", "post-rewrite", "manual")
INSTALL_HOOK_TYPES = ("pre-commit", "pre-push", "post-commit", "post-merge", "post-rewrite")
BY_ID = {gate.hook_id: gate for gate in GATES}
TABLES = tuple(gate.table for gate in GATES)


def by_name(name: str) -> Gate | None:
    """A gate by its hook id (`platform-lint`) or its short name (`lint`)."""
    return BY_ID.get(name) or BY_ID.get(f"platform-{name}")
