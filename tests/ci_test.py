"""The change a CI job judges is found, not configured (issue 14, item 1; DESIGN §5 "Which change a gate
judges"): in CI, `pre-commit run --all-files` stages nothing, so the gates read the CI's own range.

Real git throughout: a bare "origin" with main, a developer's clone that pushes branches, and a CI clone
checked out as the CI does it (all branches fetched, the job's commit checked out detached, or a depth-1
clone). GitHub's event is a real JSON file on disk. The gates run as `repo: local` hooks on the console
scripts (as in log_sync_test: no hook environment to build) through real `pre-commit run --all-files`, or
as `platform-log-freshness` directly where pre-commit adds nothing. conftest clears every CI variable;
each test sets the ones its CI would, in the subprocess's environment only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.secret_seeds import UPPER
from tests.secret_seeds import run as seed_run
from tests.util import BIN, PRE_COMMIT, add_platform_mode, commit, git, write

LOG_REL = ".platform-mode/execution/execution001.execution.md"
ENTRY_ANCHOR = "#### October 25, 2025 - Sprint Start\n"
NO_COMMIT = "0" * 40
FRESHNESS = str(BIN / "platform-log-freshness")

CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: platform-log-freshness
        name: platform-log-freshness
        entry: platform-log-freshness
        language: unsupported
        pass_filenames: false
        always_run: true
        stages: [pre-commit, pre-push, manual]
      - id: platform-coverage
        name: platform-coverage
        entry: platform-coverage
        language: unsupported
        pass_filenames: false
        always_run: true
        stages: [manual]
"""

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"

[tool.coverage.run]
source = ["pkg"]
"""

CALC = "def add(a, b):\n    return a + b\n"
# The branch's change: lines 3-10 of pkg/calc.py; executable 5, 6, 9, 10; the test runs all but 10.
CALC_ON_BRANCH = CALC + "\n\ndef double(x):\n    return 2 * x\n\n\ndef negate(x):\n    return -x\n"
TEST_CALC = """\
import unittest

from pkg.calc import add


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(1, 2), 3)
"""
TEST_CALC_ON_BRANCH = (
    TEST_CALC.replace("from pkg.calc import add", "from pkg.calc import add, double")
    + "\n    def test_double(self):\n        self.assertEqual(double(2), 4)\n"
)


class Project(NamedTuple):
    origin: Path  # the bare repository every clone fetches from
    dev: Path  # the developer's clone: branches are made and pushed here
    url: str


def short(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", "--short=7", rev).strip()


def sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).strip()


def add_entry(repo: Path, entry: str) -> None:
    """A human entry in the execution log's Implementation Log."""
    log = repo / LOG_REL
    text = log.read_text(encoding="utf-8")
    assert ENTRY_ANCHOR in text
    write(log, text.replace(ENTRY_ANCHOR, f"{ENTRY_ANCHOR}\n- {entry}\n", 1))


def push_commit(
    project: Project, branch: str, files: dict[str, str], message: str, *, entry: str = ""
) -> str:
    """A commit of `files` (and a log entry when given) on `branch` of the dev clone, pushed; its id."""
    for rel, text in files.items():
        write(project.dev / rel, text)
    if entry:
        add_entry(project.dev, entry)
    commit(project.dev, message)
    git(project.dev, "push", "-q", "origin", branch)
    return sha(project.dev)


def new_branch(project: Project, name: str, start: str = "main") -> None:
    git(project.dev, "checkout", "-q", "-b", name, start)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """origin/main holds a plan, an open execution log, code with a test and the hooks' config."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    url = origin.as_uri()
    dev = tmp_path / "dev"
    git(tmp_path, "clone", "-q", url, str(dev))
    git(dev, "config", "commit.gpgsign", "false")
    git(dev, "checkout", "-q", "-b", "main")
    write(dev / "README.md", "# demo\n")
    add_platform_mode(dev)
    write(dev / "pyproject.toml", PYPROJECT)
    write(dev / ".gitignore", ".coverage\ncoverage.xml\n__pycache__/\n")
    write(dev / ".pre-commit-config.yaml", CONFIG)
    write(dev / "pkg/__init__.py", "")
    write(dev / "pkg/calc.py", CALC)
    write(dev / "tests/test_calc.py", TEST_CALC)
    commit(dev, "start")
    git(dev, "push", "-q", "-u", "origin", "main")
    return Project(origin, dev, url)


def ci_checkout(project: Project, dest: Path, commit_id: str) -> Path:
    """What actions/checkout does with `fetch-depth: 0` (GitLab's fetch with `GIT_DEPTH: 0` alike): every
    branch fetched as origin/*, the job's commit checked out detached."""
    git(dest.parent, "init", "-q", str(dest))
    git(dest, "remote", "add", "origin", project.url)
    git(dest, "fetch", "-q", "--no-tags", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*")
    git(dest, "checkout", "-q", "--detach", commit_id)
    return dest


def github_event(tmp_path: Path, payload: dict[str, object]) -> str:
    path = tmp_path / "github-event.json"
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return str(path)


def github_pr_env(tmp_path: Path, base: str = "main", head: str = "feature") -> dict[str, str]:
    """The variables GitHub Actions sets for a `pull_request` job, with the event it writes."""
    event = {
        "action": "synchronize",
        "number": 1,
        "pull_request": {"number": 1, "base": {"ref": base}, "head": {"ref": head}},
        "repository": {"default_branch": "main", "full_name": "acme/demo"},
    }
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": base,
        "GITHUB_HEAD_REF": head,
        "GITHUB_REF": "refs/pull/1/merge",
        "GITHUB_EVENT_PATH": github_event(tmp_path, event),
    }


def github_push_env(tmp_path: Path, before: str, after: str, ref: str) -> dict[str, str]:
    """The variables GitHub Actions sets for a `push` job (GITHUB_BASE_REF is empty there)."""
    event = {
        "ref": f"refs/heads/{ref}",
        "before": before,
        "after": after,
        "created": before == NO_COMMIT,
        "repository": {"default_branch": "main", "full_name": "acme/demo"},
    }
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_BASE_REF": "",
        "GITHUB_REF": f"refs/heads/{ref}",
        "GITHUB_EVENT_PATH": github_event(tmp_path, event),
    }


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`command` in `cwd` with `env` added to the (CI-free) test environment; both streams in stdout."""
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )


def pre_commit_all_files(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([PRE_COMMIT, "run", "--all-files", "--color", "never", *args], repo, env)


def freshness(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([FRESHNESS, *args], repo, env)


def hook_result(output: str, hook: str) -> str:
    """pre-commit's verdict line for `hook`: Passed, Failed or Skipped."""
    found = re.search(rf"^{re.escape(hook)}\.+(Passed|Failed|\(no files to check\)Skipped)$", output, re.M)
    assert found, output
    return found[1]


def stale_log(range_text: str) -> str:
    return f"is not part of {range_text}"


# --- GitHub Actions: a pull request ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_github_pull_request_job_judges_the_branch_against_its_base(
    project: Project, tmp_path: Path
) -> None:
    new_branch(project, "feature")
    fork_point = sha(project.dev)
    head = push_commit(
        project,
        "feature",
        {"pkg/calc.py": CALC_ON_BRANCH, "tests/test_calc.py": TEST_CALC_ON_BRANCH},
        "code only",
    )
    # main moves on meanwhile, with code and a log entry of its own: neither is the pull request's change
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {"pkg/other.py": "X = 1\n"}, "other work", entry="other work on main")

    ci = ci_checkout(project, tmp_path / "ci", head)
    env = github_pr_env(tmp_path)
    refused = pre_commit_all_files(ci, env)
    assert refused.returncode == 1, refused.stdout
    assert hook_result(refused.stdout, "platform-log-freshness") == "Failed"
    range_text = f"pull request into main: {fork_point[:7]}...HEAD"
    assert stale_log(range_text) in refused.stdout, refused.stdout
    assert "2 implementation files changed" in refused.stdout
    assert "implementation files: pkg/calc.py, tests/test_calc.py" in refused.stdout
    assert "no implementation files in staged changes" not in refused.stdout

    # the developer adds a log entry on the branch; the next job checks out the new tip
    git(project.dev, "checkout", "-q", "feature")
    fixed = push_commit(project, "feature", {}, "log entry", entry="Story 1.1: double and negate (FR-001)")
    ci2 = ci_checkout(project, tmp_path / "ci2", fixed)
    passed = pre_commit_all_files(ci2, env)
    assert passed.returncode == 0, passed.stdout
    assert hook_result(passed.stdout, "platform-log-freshness") == "Passed"

    # the coverage gate (stages: manual) counts the branch's changed lines with data the job produces
    make_coverage_data(ci2)
    manual = pre_commit_all_files(ci2, env, "--hook-stage", "manual", "--verbose")
    assert hook_result(manual.stdout, "platform-log-freshness") == "Passed", manual.stdout
    assert hook_result(manual.stdout, "platform-coverage") == "Passed", manual.stdout
    assert "changed lines 3/4 = 75.0%" in manual.stdout, manual.stdout
    assert "pkg/calc.py:10: not covered" in manual.stdout, manual.stdout
    assert "changed lines 0/0" not in manual.stdout


def test_a_pull_request_branch_behind_main_is_judged_from_its_fork_point(
    project: Project, tmp_path: Path
) -> None:
    """Three dots, not two: main's later code is not the branch's, and main's later log entry does not
    excuse the branch's code."""
    new_branch(project, "docs")
    docs_head = push_commit(project, "docs", {"docs/usage.md": "# Usage\n"}, "docs only")
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {"pkg/other.py": "X = 1\n"}, "code on main, no entry")
    new_branch(project, "feature", "main~1")
    code_head = push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "code only")
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {}, "an entry on main", entry="main's own entry")

    ci = tmp_path / "ci"
    ci_checkout(project, ci, docs_head)
    docs = freshness(ci, github_pr_env(tmp_path, head="docs"))
    assert docs.returncode == 0, docs.stdout
    assert f"no implementation files in pull request into main: {short(ci, 'HEAD~1')}...HEAD" in docs.stdout

    git(ci, "checkout", "-q", "--force", "--detach", code_head)  # a job's record may sit in the log
    code = freshness(ci, github_pr_env(tmp_path))
    assert code.returncode == 1, code.stdout
    assert stale_log(f"pull request into main: {short(ci, 'HEAD~1')}...HEAD") in code.stdout
    status = json.loads(run([str(BIN / "platform-gates"), "status", "--json"], ci).stdout)
    action = status["latest"]["platform-log-freshness"]["action"]  # the log's "Action required" cell
    assert action.endswith(f"commit it within pull request into main: {short(ci, 'HEAD~1')}...HEAD"), action


def test_without_github_base_ref_the_pull_request_s_base_comes_from_the_event(
    project: Project, tmp_path: Path
) -> None:
    """The base branch named only in the event's pull_request.base.ref (here a release branch, not main)."""
    new_branch(project, "release")
    git(project.dev, "push", "-q", "origin", "release")
    release_tip = sha(project.dev)
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {"pkg/other.py": "X = 1\n"}, "main moves on", entry="main's entry")
    new_branch(project, "fix", "release")
    head = push_commit(project, "fix", {"pkg/calc.py": CALC_ON_BRANCH}, "code only")
    ci = ci_checkout(project, tmp_path / "ci", head)
    env = {**github_pr_env(tmp_path, base="release", head="fix"), "GITHUB_BASE_REF": ""}
    result = freshness(ci, env)
    assert result.returncode == 1, result.stdout
    assert stale_log(f"pull request into release: {release_tip[:7]}...HEAD") in result.stdout


def test_the_merge_commit_actions_checks_out_by_default_is_judged_by_the_branch_s_changes(
    project: Project, tmp_path: Path
) -> None:
    """actions/checkout of a pull request checks out refs/pull/N/merge: the branch merged into main's tip."""
    new_branch(project, "feature")
    push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "code only")
    git(project.dev, "checkout", "-q", "main")
    main_tip = push_commit(project, "main", {"pkg/other.py": "X = 1\n"}, "other", entry="main's entry")
    git(project.dev, "merge", "-q", "--no-ff", "--no-edit", "feature")  # what GitHub builds for the PR
    git(project.dev, "push", "-q", "origin", "HEAD:refs/pull/1/merge")
    merge = sha(project.dev)
    git(project.dev, "reset", "-q", "--hard", "origin/main")

    ci = ci_checkout(project, tmp_path / "ci", "origin/main")
    git(ci, "fetch", "-q", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge")
    git(ci, "checkout", "-q", "--detach", merge)
    result = freshness(ci, github_pr_env(tmp_path))
    assert result.returncode == 1, result.stdout
    assert stale_log(f"pull request into main: {main_tip[:7]}...HEAD") in result.stdout
    assert "implementation files: pkg/calc.py\n" in result.stdout  # not main's pkg/other.py


def make_coverage_data(repo: Path) -> None:
    """`coverage run` of the tests and `coverage xml`, as a CI job's test step makes them."""
    for command in (
        [str(BIN / "coverage"), "run", "-m", "unittest", "-q", "tests.test_calc"],
        [str(BIN / "coverage"), "xml", "-q"],
    ):
        made = run(command, repo)
        assert made.returncode == 0, made.stdout


def test_a_passing_summary_names_the_range_it_judged(project: Project, tmp_path: Path) -> None:
    """Issue 14: "The summary says which range and why" — a pass too, or a reader cannot tell a judged pull
    request from a vacuous run (freshness's pass and the coverage line)."""
    new_branch(project, "feature")
    fork_point = sha(project.dev)
    head = push_commit(
        project,
        "feature",
        {"pkg/calc.py": CALC_ON_BRANCH, "tests/test_calc.py": TEST_CALC_ON_BRANCH},
        "code with entry",
        entry="Story 1.1: double and negate (FR-001)",
    )
    ci = ci_checkout(project, tmp_path / "ci", head)
    make_coverage_data(ci)
    env = github_pr_env(tmp_path)
    range_text = f"pull request into main: {fork_point[:7]}...HEAD"
    fresh = freshness(ci, env)
    coverage = run([str(BIN / "platform-coverage")], ci, env)
    assert fresh.returncode == 0, fresh.stdout
    assert coverage.returncode == 0, coverage.stdout
    assert "changed lines 3/4 = 75.0%" in coverage.stdout, coverage.stdout
    assert range_text in coverage.stdout, coverage.stdout
    assert range_text in fresh.stdout, fresh.stdout


# --- GitHub Actions: a push --------------------------------------------------------------------------------


def test_a_github_push_job_judges_before_to_after(project: Project, tmp_path: Path) -> None:
    start = sha(project.dev)
    with_entry = push_commit(project, "main", {"pkg/a.py": "A = 1\n"}, "code with entry", entry="a.py")
    code_only = push_commit(project, "main", {"pkg/b.py": "B = 1\n"}, "code without entry")
    ci = ci_checkout(project, tmp_path / "ci", code_only)

    last_push = freshness(ci, github_push_env(tmp_path, with_entry, code_only, "main"))
    assert last_push.returncode == 1, last_push.stdout
    assert stale_log(f"push: {with_entry[:7]}...HEAD") in last_push.stdout
    assert "implementation files: pkg/b.py\n" in last_push.stdout

    # one push of both commits: the entry came with it
    both = freshness(ci, github_push_env(tmp_path, start, code_only, "main"))
    assert both.returncode == 0, both.stdout
    assert "2 implementation files changed in " in both.stdout and "is updated with them" in both.stdout


def test_a_github_push_of_a_new_branch_judges_it_from_the_merge_base_with_the_default_branch(
    project: Project, tmp_path: Path
) -> None:
    new_branch(project, "feature")
    fork_point = sha(project.dev)
    code = push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "code only")
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {}, "main moves on", entry="main's entry")
    ci = ci_checkout(project, tmp_path / "ci", code)

    refused = freshness(ci, github_push_env(tmp_path, NO_COMMIT, code, "feature"))
    assert refused.returncode == 1, refused.stdout
    range_text = f"new branch: the merge base with main: {fork_point[:7]}...HEAD"
    assert stale_log(range_text) in refused.stdout, refused.stdout

    git(project.dev, "checkout", "-q", "feature")
    fixed = push_commit(project, "feature", {}, "entry", entry="Story 1.1 (FR-001)")
    ci2 = ci_checkout(project, tmp_path / "ci2", fixed)  # the next job: a clone of its own
    passed = freshness(ci2, github_push_env(tmp_path, NO_COMMIT, fixed, "feature"))
    assert passed.returncode == 0, passed.stdout
    assert "is updated with them" in passed.stdout


def test_a_github_push_after_a_force_push_in_a_full_clone_is_judged_not_refused(
    project: Project, tmp_path: Path
) -> None:
    """After `git push --force` the event's `before` is a commit no branch holds any more: a full clone
    (fetch-depth: 0) cannot have it, so "fetch-depth: 0" is no fix. The branch is judged as a new one is,
    from the merge base with the default branch."""
    new_branch(project, "feature")
    fork_point = sha(project.dev)
    old_tip = push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "first try", entry="a.py")
    git(project.dev, "reset", "-q", "--hard", fork_point)
    write(project.dev / "pkg/a.py", "A = 2\n")
    commit(project.dev, "second try, no entry")
    git(project.dev, "push", "-q", "--force", "origin", "feature")
    new_tip = sha(project.dev)
    ci = ci_checkout(project, tmp_path / "ci", new_tip)
    assert git(ci, "rev-parse", "--is-shallow-repository").strip() == "false"

    result = freshness(ci, github_push_env(tmp_path, old_tip, new_tip, "feature"))
    assert result.returncode == 1, result.stdout  # the code came without an entry: refused, not exit 2
    assert "implementation files: pkg/a.py" in result.stdout
    assert fork_point[:7] in result.stdout


# --- any other CI ------------------------------------------------------------------------------------------


def test_another_ci_judges_from_the_merge_base_with_origin_head(project: Project, tmp_path: Path) -> None:
    new_branch(project, "feature")
    fork_point = sha(project.dev)
    push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "code only")
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {}, "main moves on", entry="main's entry")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", "feature", project.url, str(ci))  # sets origin/HEAD
    result = freshness(ci, {"CI": "true"})
    assert result.returncode == 1, result.stdout
    assert stale_log(f"CI: the merge base with origin/HEAD: {fork_point[:7]}...HEAD") in result.stdout


def test_another_ci_takes_the_base_from_the_config_key(project: Project, tmp_path: Path) -> None:
    new_branch(project, "feature")
    fork_point = sha(project.dev)
    write(project.dev / ".platform-gates.toml", 'base = "origin/main"\n')
    head = push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "code only")
    ci = ci_checkout(project, tmp_path / "ci", head)  # fetched, not cloned: no origin/HEAD
    result = freshness(ci, {"CI": "true"})
    assert result.returncode == 1, result.stdout
    assert stale_log(f"config key base = origin/main: {fork_point[:7]}...HEAD") in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"CI": "true"}, id="a-ci-that-fetches-like-jenkins"),
        pytest.param(
            {
                "CI": "true",
                "GITLAB_CI": "true",
                "CI_COMMIT_BEFORE_SHA": NO_COMMIT,
                "CI_DEFAULT_BRANCH": "main",
            },
            id="gitlab-new-branch",
        ),
        pytest.param({"TF_BUILD": "True", "BUILD_REASON": "IndividualCI"}, id="azure-branch-build"),
    ],
)
def test_a_full_clone_without_origin_head_is_never_told_to_fetch_more_history(
    project: Project, tmp_path: Path, env: dict[str, str]
) -> None:
    """CI runners that `git init` and fetch (GitLab's runner, Azure, Jenkins) leave no origin/HEAD; the
    history is all there, so "fetch-depth: 0" / "GIT_DEPTH: 0" fixes nothing. Either the job is judged
    (GitLab names its default branch in CI_DEFAULT_BRANCH) or the message names a fix that works: the
    config key `base`, or `git remote set-head origin --auto`."""
    new_branch(project, "feature")
    head = push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "code only")
    ci = ci_checkout(project, tmp_path / "ci", head)
    assert git(ci, "rev-parse", "--is-shallow-repository").strip() == "false"
    result = freshness(ci, env)
    if result.returncode == 2:
        [line] = error_lines(result.stdout)
        assert "base" in line.split(":", 2)[-1] or "set-head" in line, line
    else:
        assert result.returncode == 1, result.stdout  # code without an entry


# --- GitLab CI ---------------------------------------------------------------------------------------------


def test_a_gitlab_merge_request_job_judges_the_branch_against_its_diff_base(
    project: Project, tmp_path: Path
) -> None:
    new_branch(project, "feature")
    base = sha(project.dev)
    code = push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "code only")
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {}, "main moves on", entry="main's entry")
    ci = ci_checkout(project, tmp_path / "ci", code)
    env = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_COMMIT_BEFORE_SHA": NO_COMMIT,  # as GitLab sets it in merge request pipelines
    }
    refused = freshness(ci, env)
    assert refused.returncode == 1, refused.stdout
    assert stale_log(f"merge request: {base[:7]}...HEAD") in refused.stdout

    git(project.dev, "checkout", "-q", "feature")
    fixed = push_commit(project, "feature", {}, "entry", entry="Story 1.1 (FR-001)")
    ci2 = ci_checkout(project, tmp_path / "ci2", fixed)  # the next pipeline: a clone of its own
    passed = freshness(ci2, env)
    assert passed.returncode == 0, passed.stdout
    assert "2 implementation files changed" not in passed.stdout  # one: pkg/calc.py
    assert "1 implementation file changed in " in passed.stdout and "is updated with them" in passed.stdout


def test_a_gitlab_push_pipeline_judges_from_the_commit_before_the_push(
    project: Project, tmp_path: Path
) -> None:
    with_entry = push_commit(project, "main", {"pkg/a.py": "A = 1\n"}, "code with entry", entry="a.py")
    code_only = push_commit(project, "main", {"pkg/b.py": "B = 1\n"}, "code without entry")
    ci = ci_checkout(project, tmp_path / "ci", code_only)
    result = freshness(ci, {"CI": "true", "GITLAB_CI": "true", "CI_COMMIT_BEFORE_SHA": with_entry})
    assert result.returncode == 1, result.stdout
    assert stale_log(f"push: {with_entry[:7]}...HEAD") in result.stdout


# --- a clone that lacks the base ---------------------------------------------------------------------------


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("platform-log-freshness: ERROR")]


def test_a_depth_1_clone_in_a_github_pull_request_job_is_exit_2_naming_the_fix(
    project: Project, tmp_path: Path
) -> None:
    new_branch(project, "feature")
    push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "code only")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", project.url, str(ci))
    assert git(ci, "rev-parse", "--is-shallow-repository").strip() == "true"
    env = github_pr_env(tmp_path)

    direct = freshness(ci, env)
    assert direct.returncode == 2, direct.stdout
    [line] = error_lines(direct.stdout)
    assert "fetch-depth: 0" in line and "origin/main" in line, line
    assert "Traceback" not in direct.stdout

    through = pre_commit_all_files(ci, env)
    assert through.returncode == 1, through.stdout
    assert hook_result(through.stdout, "platform-log-freshness") == "Failed"
    assert "- exit code: 2" in through.stdout, through.stdout
    assert "fetch-depth: 0" in through.stdout


@pytest.mark.parametrize(
    "clone_args",
    [
        pytest.param(("--no-single-branch",), id="main-fetched-too-but-shallow"),
        pytest.param(("--single-branch",), id="only-the-branch"),
    ],
)
def test_a_shallow_pull_request_clone_never_passes(
    project: Project, tmp_path: Path, clone_args: tuple[str, ...]
) -> None:
    new_branch(project, "feature")
    push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "one", entry="Story 1.1 (FR-001)")
    push_commit(project, "feature", {"pkg/calc.py": CALC_ON_BRANCH + "\nY = 2\n"}, "two")
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {"pkg/other.py": "X = 1\n"}, "main moves on")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth", "1", *clone_args, "--branch", "feature", project.url, str(ci))
    result = freshness(ci, github_pr_env(tmp_path))
    assert result.returncode == 2, result.stdout
    [line] = error_lines(result.stdout)
    assert "fetch-depth: 0" in line, line


def test_a_github_push_job_in_a_depth_1_clone_lacking_before_is_exit_2(
    project: Project, tmp_path: Path
) -> None:
    before = sha(project.dev)
    after = push_commit(project, "main", {"pkg/a.py": "A = 1\n"}, "code")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth", "1", project.url, str(ci))
    result = freshness(ci, github_push_env(tmp_path, before, after, "main"))
    assert result.returncode == 2, result.stdout
    [line] = error_lines(result.stdout)
    assert before[:12] in line and "fetch-depth: 0" in line, line


def test_a_gitlab_merge_request_in_a_shallow_clone_lacking_the_diff_base_is_exit_2(
    project: Project, tmp_path: Path
) -> None:
    new_branch(project, "feature")
    base = sha(project.dev)
    push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "one")
    push_commit(project, "feature", {"pkg/b.py": "B = 1\n"}, "two")
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", project.url, str(ci))
    env = {"CI": "true", "GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base}
    result = freshness(ci, env)
    assert result.returncode == 2, result.stdout
    [line] = error_lines(result.stdout)
    assert "GIT_DEPTH: 0" in line, line


# --- what still wins over the CI's range -------------------------------------------------------------------


def test_a_local_git_commit_judges_the_staged_change_in_or_out_of_ci(
    project: Project, tmp_path: Path
) -> None:
    dev = project.dev
    new_branch(project, "feature")
    push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "code with entry", entry="a.py")
    subprocess.run([PRE_COMMIT, "install"], cwd=dev, check=True, capture_output=True, timeout=300)
    write(dev / "pkg/b.py", "B = 1\n")
    git(dev, "add", "pkg/b.py")

    outside = run(["git", "commit", "-m", "code only"], dev)
    assert outside.returncode == 1, outside.stdout
    assert hook_result(outside.stdout, "platform-log-freshness") == "Failed"
    assert stale_log("staged changes") in outside.stdout, outside.stdout

    # a commit made inside a CI job (a bot's): the pull request's range would pass, the staged change does not
    assert freshness(dev, github_pr_env(tmp_path)).returncode == 0
    inside = run(["git", "commit", "-m", "code only"], dev, github_pr_env(tmp_path))
    assert inside.returncode == 1, inside.stdout
    assert stale_log("staged changes") in inside.stdout, inside.stdout
    assert "pull request into main" not in inside.stdout

    add_entry(dev, "b.py")
    git(dev, "add", LOG_REL)
    committed = run(["git", "commit", "-m", "code with entry"], dev)
    assert committed.returncode == 0, committed.stdout


def test_an_explicit_compare_with_wins_over_the_ci_range(project: Project, tmp_path: Path) -> None:
    new_branch(project, "feature")
    push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "code with entry", entry="a.py")
    head = push_commit(project, "feature", {"pkg/b.py": "B = 1\n"}, "code only")
    ci = ci_checkout(project, tmp_path / "ci", head)
    env = github_pr_env(tmp_path)

    ci_range = freshness(ci, env)
    assert ci_range.returncode == 0, ci_range.stdout  # the entry is in the pull request's range
    assert "2 implementation files changed in " in ci_range.stdout

    explicit = freshness(ci, env, "--compare-with", "HEAD~1")
    assert explicit.returncode == 1, explicit.stdout
    assert stale_log("HEAD~1...HEAD") in explicit.stdout
    assert "pull request into main" not in explicit.stdout


def test_a_pre_push_range_wins_over_the_ci_range(project: Project, tmp_path: Path) -> None:
    new_branch(project, "feature")
    first = push_commit(project, "feature", {"pkg/a.py": "A = 1\n"}, "code with entry", entry="a.py")
    head = push_commit(project, "feature", {"pkg/b.py": "B = 1\n"}, "code only")
    ci = ci_checkout(project, tmp_path / "ci", head)
    env = {
        **github_pr_env(tmp_path),
        "PRE_COMMIT": "1",
        "PRE_COMMIT_FROM_REF": first,
        "PRE_COMMIT_TO_REF": head,
        "PRE_COMMIT_REMOTE_NAME": "origin",
    }
    result = freshness(ci, env)
    assert result.returncode == 1, result.stdout
    assert stale_log(f"{first}...{head}") in result.stdout


def test_a_pull_request_job_judges_the_branch_s_added_lines_not_the_legacy_of_untouched_files(
    project: Project, tmp_path: Path
) -> None:
    """Issue 14, items 1 and 2: under `--all-files` every file is passed, but a CI range judges each file by
    the lines the branch adds; an old secret or lint finding in a file the branch never touched is legacy."""
    key = "AKIA" + seed_run(16, UPPER, seed=14)
    git(project.dev, "checkout", "-q", "main")
    push_commit(project, "main", {"legacy/old.py": f'import os\nAWS = "{key[:-1]}Q"\n'}, "legacy code")
    new_branch(project, "feature")
    head = push_commit(
        project, "feature", {"pkg/calc.py": CALC_ON_BRANCH}, "code", entry="Story 1.1 (FR-001)"
    )
    ci = ci_checkout(project, tmp_path / "ci", head)
    env = github_pr_env(tmp_path)
    files = git(ci, "ls-files", "*.py").split()
    whole_files = {"platform-secrets": ["--all-lines"], "platform-lint": ["--scope", "files"]}
    for gate, judge_whole_files in whole_files.items():
        result = run([str(BIN / gate), *files], ci, env)
        assert result.returncode == 0, result.stdout
        assert key[:-1] not in result.stdout
        legacy = run([str(BIN / gate), *judge_whole_files, "legacy/old.py"], ci, env)
        assert legacy.returncode == 1, legacy.stdout  # the legacy file does hold a finding
    write(ci / "pkg/calc.py", CALC_ON_BRANCH + f'\nTOKEN = "{key}"\n')  # the branch adds one of its own
    git(ci, "commit", "-qam", "a key on the branch")
    secrets = run([str(BIN / "platform-secrets"), *files], ci, env)
    assert secrets.returncode == 1, secrets.stdout
    assert "pkg/calc.py" in secrets.stdout and "legacy/old.py" not in secrets.stdout
    assert "1 new secret" in secrets.stdout and key not in secrets.stdout
