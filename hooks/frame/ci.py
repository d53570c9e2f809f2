"""The change a CI job judges, found from the CI's own variables: a pull request's base, a push's range;
a base that a shallow clone lacks is named, never judged as nothing (DEC-013)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from hooks.frame.errors import GateError
from hooks.frame.git import run_git

_NO_COMMIT = "0" * 40
_FETCH_ALL = "fetch the history (GitHub Actions: actions/checkout with fetch-depth: 0; GitLab: GIT_DEPTH: 0)"


class CiRange(NamedTuple):
    base: str  # a commit id: the change is base...HEAD
    why: str  # "pull request into main", for the summary


def ci_range(root: Path, environ: Mapping[str, str], base_setting: str | None = None) -> CiRange | None:
    """The range the CI job judges, or None outside CI; a GateError when the clone lacks its base."""
    if not any(_set(environ.get(name)) for name in ("CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI")):
        return None
    if environ.get("GITHUB_ACTIONS") == "true":
        return _github(root, environ)
    if environ.get("GITLAB_CI"):
        sha = environ.get("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        if sha:
            return CiRange(_commit(root, sha, "the merge request's base"), "merge request")
        before = environ.get("CI_COMMIT_BEFORE_SHA", _NO_COMMIT)
        default = environ.get("CI_DEFAULT_BRANCH") or "HEAD"
        if before != _NO_COMMIT:
            return _pushed(root, before, default)
        return CiRange(_merge_base(root, f"origin/{default}"), f"new branch: the merge base with {default}")
    if environ.get("TF_BUILD") and environ.get("SYSTEM_PULLREQUEST_TARGETBRANCH"):
        branch = environ["SYSTEM_PULLREQUEST_TARGETBRANCH"].removeprefix("refs/heads/")
        return CiRange(_merge_base(root, f"origin/{branch}"), f"pull request into {branch}")
    if environ.get("BITBUCKET_PR_DESTINATION_BRANCH"):
        branch = environ["BITBUCKET_PR_DESTINATION_BRANCH"]
        return CiRange(_merge_base(root, f"origin/{branch}"), f"pull request into {branch}")
    if base_setting:
        return CiRange(_merge_base(root, base_setting), f"config key base = {base_setting}")
    return CiRange(_merge_base(root, "origin/HEAD"), "CI: the merge base with origin/HEAD")


def _github(root: Path, environ: Mapping[str, str]) -> CiRange:
    event = _event(environ.get("GITHUB_EVENT_PATH"))
    name = environ.get("GITHUB_EVENT_NAME", "")
    if name.startswith("pull_request") or environ.get("GITHUB_BASE_REF"):
        branch = environ.get("GITHUB_BASE_REF") or _nested(event, "pull_request", "base", "ref")
        if not branch:
            raise GateError("a pull request job without GITHUB_BASE_REF: the base branch is unknown")
        return CiRange(_merge_base(root, f"origin/{branch}"), f"pull request into {branch}")
    before = _nested(event, "before")
    default = _nested(event, "repository", "default_branch") or "HEAD"
    if name == "push" and before and before != _NO_COMMIT:
        return _pushed(root, before, default)
    why = "new branch" if name == "push" else name or "CI"
    return CiRange(_merge_base(root, f"origin/{default}"), f"{why}: the merge base with {default}")


def _pushed(root: Path, before: str, default: str) -> CiRange:
    """A push's range. A `before` that a full clone lacks was dropped by a force push: the branch is then
    judged from its merge base with the default branch; a shallow clone is told to fetch."""
    if _is_shallow(root) or _exists(root, before):
        return CiRange(_commit(root, before, "the pushed range's start"), "push")
    base = _merge_base(root, f"origin/{default}")
    return CiRange(
        base, f"push (before {before[:7]} is not in this repository: a force push?), from {default}"
    )


def _set(value: str | None) -> bool:
    """`CI=true` is CI; `CI=false` (set by some projects for local runs) is not."""
    return value is not None and value.strip().lower() not in ("", "0", "false", "no")


def _is_shallow(root: Path) -> bool:
    return run_git("rev-parse", "--is-shallow-repository", cwd=root).strip() == "true"


def _exists(root: Path, sha: str) -> bool:
    try:
        run_git("cat-file", "-e", f"{sha}^{{commit}}", cwd=root)
    except GateError:
        return False
    return True


def _event(path: str | None) -> dict[str, object]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GateError(f"GITHUB_EVENT_PATH: cannot read the event: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _nested(data: Mapping[str, object], *keys: str) -> str | None:
    value: object = data
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) and value else None


def _commit(root: Path, sha: str, what: str) -> str:
    try:
        return run_git("rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}", cwd=root).strip()
    except GateError as exc:
        raise GateError(f"this clone lacks {what}, {sha[:12]}: {_FETCH_ALL}") from exc


def _merge_base(root: Path, ref: str) -> str:
    if not _exists(root, ref):
        if ref == "origin/HEAD" and not _is_shallow(root):  # a runner that fetched rather than cloned
            raise GateError(
                "this clone has no origin/HEAD to compare with: set the config key base (e.g. "
                '"origin/main"), or run `git remote set-head origin --auto` in the job'
            )
        raise GateError(f"this clone has no {ref} to compare with: {_FETCH_ALL}")
    try:
        return run_git("merge-base", ref, "HEAD", cwd=root).strip()
    except GateError as exc:
        raise GateError(
            f"no merge base of {ref} and HEAD in this clone (a shallow one?): {_FETCH_ALL}"
        ) from exc
