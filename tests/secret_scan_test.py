from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hooks.adapters import secrets_prefilter
from hooks.adapters.secrets_engine import EXTRA_FILTERS, PLUGINS_FILE
from hooks.frame.changes import STAGED, ChangeSet
from hooks.secret_scan import SecretsSettings, main, scan
from tests.secrets_corpus import FILES, LOOK_ALIKES, all_values, plant
from tests.util import (
    BIN,
    PLATFORM_GATES,
    add_platform_mode,
    commit,
    detect_secrets_scan,
    git,
    run_cli,
    write,
)


def secrets(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def findings(lines: list[str]) -> set[tuple[str, int, str]]:
    """(path, line, type) of each finding line, `path:line: Type (hash 1a2b3c4d)`."""
    found = set()
    for line in lines:
        if " (hash " in line and not line.startswith(("platform-secrets:", "::error")):
            where, kind = line.split(": ", 1)
            path, number = where.rsplit(":", 1)
            found.add((path, int(number), kind.split(" (hash ")[0]))
    return found


@pytest.fixture
def project(repo: Path) -> Path:
    add_platform_mode(repo)
    commit(repo, "log")
    return repo


def test_finds_everything_detect_secrets_finds_and_more(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = plant(project) + plant(project, LOOK_ALIKES)
    code, lines = secrets(capsys, "--all-lines", *names)
    ours = findings(lines)
    defaults = detect_secrets_scan(project, names)
    assert code == 1
    assert ours == detect_secrets_scan(project, names, ours=True)  # same engine, plugins and filters
    # every line its defaults report is reported (none here is a digest, SRI value or policy text) ...
    assert {f[:2] for f in defaults} <= {f[:2] for f in ours}
    # ... and the formats detect-secrets 1.5 misses on top
    assert {f[2] for f in ours - defaults} >= {"GitHub Fine-Grained Token", "Google API Key", "Npmrc Auth"}
    assert {f[0] for f in ours} >= set(FILES)


def test_a_detect_secrets_the_pre_filter_was_not_verified_against_scans_without_it_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from detect_secrets.core import scan

    names = plant(project) + plant(project, LOOK_ALIKES)
    with_prefilter = findings(secrets(capsys, "--all-lines", "--no-cache", *names)[1])
    monkeypatch.setattr("detect_secrets.__version__.VERSION", "1.6.0")  # the scan itself is 1.5.0's
    code, lines = secrets(capsys, "--all-lines", "--no-cache", *names)
    assert scan._process_line_based_plugins is not secrets_prefilter._prefiltered_lines
    assert code == 1
    assert findings(lines) == with_prefilter
    assert findings(lines) == detect_secrets_scan(project, names, ours=True)
    note = "pre-filter off: detect-secrets 1.6.0 is not one it was verified against (1.5.x)"
    assert note in lines
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-secrets"]
    assert latest["summary"].endswith(f" ({note})")


def test_no_secret_value_reaches_output_journal_log_or_cache(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = plant(project)
    outputs = []
    for env in ({}, {"PRE_COMMIT": "1"}, {"GITHUB_ACTIONS": "true"}):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        outputs += secrets(capsys, "--all-lines", *names)[1]
    cli = subprocess.run([PLATFORM_GATES, "report"], cwd=project, capture_output=True, text=True)
    status = subprocess.run([PLATFORM_GATES, "status", "--json"], cwd=project, capture_output=True, text=True)
    written = "\n".join(outputs).encode() + (cli.stdout + cli.stderr + status.stdout).encode()
    for path in [*(project / ".platform-gates").rglob("*"), *(project / ".platform-mode").rglob("*")]:
        if path.is_file():
            written += path.read_bytes()
    assert len(findings(outputs)) >= len(FILES)
    for value in all_values():
        for piece in {value, value[:12], value[-12:]}:
            assert piece.encode() not in written, f"leaked a piece of a planted secret: {piece[:4]}…"


def test_under_a_commit_only_added_lines_are_judged(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "legacy.py", 'OLD_TOKEN = "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0"\n')
    commit(project, "legacy secret")
    write(project / "legacy.py", 'OLD_TOKEN = "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0"\nVERSION = 2\n')
    git(project, "add", "legacy.py")
    assert secrets(capsys, "legacy.py")[0] == 0
    assert secrets(capsys, "legacy.py", "--all-lines")[0] == 1
    write(
        project / "legacy.py",
        'OLD_TOKEN = "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0"\nstripe = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\n',
    )
    git(project, "add", "legacy.py")
    code, lines = secrets(capsys, "legacy.py")
    assert code == 1
    assert {f[1] for f in findings(lines)} == {2}


def test_scan_returns_the_new_secrets_and_the_files_it_skipped_and_prints_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "legacy.py", 'OLD_TOKEN = "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0"\n')
    commit(project, "legacy secret")
    write(
        project / "legacy.py",
        'OLD_TOKEN = "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0"\nstripe = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\n',
    )
    (project / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    git(project, "add", "-A")
    settings = SecretsSettings(cache=False)

    staged = scan(project, ["legacy.py", "logo.png"], settings, ChangeSet(STAGED, "staged changes"))
    whole = scan(project, ["legacy.py"], settings, None)

    assert {(s.path, s.line) for s in staged.secrets} == {("legacy.py", 2)}
    assert (staged.files, staged.skipped) == (["legacy.py"], ["logo.png: skipped (binary)"])
    assert {(s.path, s.line) for s in whole.secrets} == {("legacy.py", 1), ("legacy.py", 2)}
    assert capsys.readouterr().out == ""


def test_split_calls_of_one_pre_commit_run_leave_one_record(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "a.py", 'token = "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0"\n')
    write(project / "b.py", "x = 1\n")
    write(project / "c.py", 'other = "ghp_Wq8Zkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH1"\n')
    git(project, "add", "-A")
    monkeypatch.setenv("PRE_COMMIT", "1")  # both calls share pre-commit's process as parent: one run
    assert secrets(capsys, "a.py", "b.py")[0] == 1
    code, lines = secrets(capsys, "c.py")
    assert code == 1
    summary = "4 new secrets in 3 files: Base64 High Entropy String x2, GitHub Token x2"
    assert lines[-1].startswith(f"platform-secrets: FAIL - {summary} · recorded")
    report = json.loads(run_cli(project, "status", "--json").stdout)
    assert report["records"] == 1
    latest = report["latest"]["platform-secrets"]
    assert (latest["summary"], latest["files"]) == (summary, 3)
    assert latest["counts"] == {"Base64 High Entropy String": 2, "GitHub Token": 2}


def test_a_file_with_nothing_staged_is_judged_whole(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "legacy.py", 'stripe = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\n')
    commit(project, "legacy secret")
    assert secrets(capsys, "legacy.py")[0] == 1  # as under `pre-commit run --all-files` in CI


def test_baseline_and_pragmas_are_honoured_and_the_baseline_never_rewritten(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = plant(project, {"app/billing.py": FILES["app/billing.py"]})
    baseline = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", *names], cwd=project, capture_output=True, text=True, check=True
    ).stdout
    write(project / ".secrets.baseline", baseline)
    before = (project / ".secrets.baseline").read_bytes()
    write(project / "app/other.py", 'key = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"  # pragma: allowlist secret\n')
    git(project, "add", "-A")
    code, lines = secrets(capsys, *names, "app/other.py", ".secrets.baseline")
    assert code == 0, lines
    assert (project / ".secrets.baseline").read_bytes() == before
    write(
        project / "app/billing.py", FILES["app/billing.py"] + 'second = "sk_live_99ZqLyjWDarjtT1zdp7dc4eC3"\n'
    )
    git(project, "add", "-A")
    assert secrets(capsys, *names)[0] == 1


@pytest.mark.parametrize("kind", ["binary", "huge", "latin-1", "deleted", "symlink"])
def test_files_it_cannot_judge_are_skipped_with_a_note(
    project: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    path = project / "thing.txt"
    if kind == "binary":
        path.write_bytes(b"\x00\x01PK" + b"sk_live_51HqLyjWDarjtT1zdp7dc4eC3")
    elif kind == "huge":
        path.write_text("x = 1\n" * 200_000)
    elif kind == "latin-1":
        path.write_bytes("caf\xe9 = 'sk_live_51HqLyjWDarjtT1zdp7dc4eC3'\n".encode("latin-1"))
    elif kind == "symlink":
        path.symlink_to("/etc/hostname")
    code, lines = secrets(capsys, "thing.txt")
    assert code == 0
    assert any(line.startswith("thing.txt: skipped (") for line in lines), lines
    assert "Traceback" not in "\n".join(lines)


def test_many_files_are_spread_over_cores_with_the_same_findings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = plant(project)
    for number in range(60):
        names.append(
            write(project / f"pkg/m{number:02d}.py", f"VALUE_{number} = {number}\n")
            .relative_to(project)
            .as_posix()
        )
    code, parallel = secrets(capsys, "--all-lines", "--no-cache", *names)
    serial = set()
    for name in names:
        serial |= findings(secrets(capsys, "--all-lines", "--no-cache", name)[1])
    assert code == 1
    assert findings(parallel) == serial


def test_a_repeat_run_reuses_the_cache_and_agrees(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = plant(project)
    first = findings(secrets(capsys, "--all-lines", *names)[1])
    cache = list((project / ".platform-gates/state/cache").glob("secrets-*.json"))
    assert len(cache) == 1
    assert findings(secrets(capsys, "--all-lines", *names)[1]) == first
    write(project / "app/billing.py", "stripe = None\n")
    assert ("app/billing.py", 1, "Stripe Access Key") not in findings(
        secrets(capsys, "--all-lines", *names)[1]
    )


def test_a_named_baseline_that_is_missing_or_broken_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "a.py", "x = 1\n")
    code, lines = secrets(capsys, "--baseline", "nope.baseline", "a.py")
    assert (code, lines) == (2, ["platform-secrets: ERROR - baseline nope.baseline does not exist"])
    write(project / ".secrets.baseline", "{not json")
    code, lines = secrets(capsys, "a.py")
    assert code == 2
    assert lines == [
        "platform-secrets: ERROR - .secrets.baseline is not a detect-secrets baseline (JSONDecodeError)"
    ]


@pytest.mark.slow
def test_a_commit_with_a_planted_key_is_refused_and_goes_in_once_the_key_is_gone(
    project: Path, hook_repo: Path
) -> None:
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    write(
        project / ".pre-commit-config.yaml",
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: platform-secrets\n",
    )
    commit(project, "hooks")
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=project, check=True, capture_output=True)
    head = git(project, "rev-parse", "HEAD")
    write(project / "app/aws.py", 'AWS_ACCESS_KEY_ID = "AKIAZZQ3X5RYBKQ7NOP4"\n')
    git(project, "add", "app/aws.py")

    refused = subprocess.run(["git", "commit", "-m", "add key"], cwd=project, capture_output=True, text=True)

    assert refused.returncode == 1
    output = refused.stdout + refused.stderr
    assert "app/aws.py:1: AWS Access Key (hash " in output
    assert "AKIAZZQ3X5RYBKQ7NOP4" not in output
    assert git(project, "rev-parse", "HEAD") == head

    write(project / "app/aws.py", 'import os\n\nAWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]\n')
    git(project, "add", "app/aws.py")
    accepted = subprocess.run(
        ["git", "commit", "-m", "read key from env"], cwd=project, capture_output=True, text=True
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(project, "rev-parse", "HEAD") != head


def test_a_commit_id_pinned_as_rev_in_the_pre_commit_config_is_no_secret(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    write(project / ".pre-commit-config.yaml", f"repos:\n  - repo: https://github.com/x/y\n    rev: {sha}\n")
    write(project / "elsewhere.yaml", f"value: {sha}\n")
    code, lines = secrets(capsys, "--all-lines", ".pre-commit-config.yaml", "elsewhere.yaml")
    assert code == 1
    assert {f[0] for f in findings(lines)} == {"elsewhere.yaml"}


@pytest.mark.slow
def test_the_pre_filter_changes_no_finding_on_real_code(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """detect-secrets' own scan (with our plugins and filters) and ours agree on several installed
    packages' sources and the corpus."""
    import shutil

    import bandit
    import detect_secrets
    import pre_commit

    names = plant(project) + plant(project, LOOK_ALIKES)
    for package in (detect_secrets, bandit, pre_commit):
        source = Path(package.__file__).parent
        shutil.copytree(source, project / "vendor" / source.name)
    names += sorted(p.relative_to(project).as_posix() for p in (project / "vendor").rglob("*.py"))
    assert len(names) > 200
    lines = secrets(capsys, "--all-lines", "--no-cache", *names)[1]
    # detect-secrets keeps one occurrence of a value per file (its baseline ignores line numbers), and
    # the gate reports each line: compare (file, type, hash).
    ours = {(path, kind, digest) for path, _, kind, digest in hashed(lines)}
    extra = [f"--plugin={PLUGINS_FILE}", *(f"--filter={path}" for path in EXTRA_FILTERS)]
    out = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", *extra, *names],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    theirs = {
        (path, item["type"], item["hashed_secret"][:8])
        for path, items in json.loads(out)["results"].items()
        for item in items
    }
    assert ours == theirs
    assert len(ours) > len(FILES)


def hashed(lines: list[str]) -> list[tuple[str, int, str, str]]:
    """(path, line, type, hash) of each finding line, `path:line: Type (hash 1a2b3c4d)`."""
    found = []
    for line in lines:
        if " (hash " in line and not line.startswith(("platform-secrets:", "::error")):
            where, rest = line.split(": ", 1)
            path, number = where.rsplit(":", 1)
            kind, digest = rest.rsplit(" (hash ", 1)
            found.append((path, int(number), kind, digest.rstrip(")")))
    return found


@pytest.mark.parametrize("change", ["delete a line", "make it executable", "rename it"])
def test_a_change_that_adds_no_line_is_judged_on_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    write(project / "legacy.py", 'OLD = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\nVERSION = 1\n')
    commit(project, "legacy secret")
    name = "legacy.py"
    if change == "delete a line":
        write(project / "legacy.py", 'OLD = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\n')
    elif change == "make it executable":
        (project / "legacy.py").chmod(0o755)
    else:
        git(project, "mv", "legacy.py", "renamed.py")
        name = "renamed.py"
    git(project, "add", "-A")
    code, lines = secrets(capsys, name)
    assert code == 0, lines


def test_a_google_api_key_ending_in_a_dash_is_found(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "maps.py", 'KEY = "AIzaSyZq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF-"\n')
    code, lines = secrets(capsys, "--all-lines", "maps.py")
    assert code == 1
    assert ("maps.py", 1, "Google API Key") in findings(lines)
