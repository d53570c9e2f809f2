"""No byte of a secret, of any plugin type, reaches anything platform-secrets prints or writes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hooks.secret_scan import main
from tests.secret_seeds import PRIVATE_KEY_PLUGINS, SEEDS, run
from tests.util import BIN, PLATFORM_GATES, add_platform_mode, commit, git, write

PRIVATE_KEY_BODY = [run(64, seed=40 + n) for n in range(3)]
WINDOW = 12  # every run of this many characters of a value is searched for


def plant(root: Path) -> list[str]:
    """Each seed in a file of its own (the private key with a body), staged; returns the file names."""
    for seed in SEEDS:
        text = seed.line + "\n"
        if seed.plugin in PRIVATE_KEY_PLUGINS:
            text += "\n".join(PRIVATE_KEY_BODY) + "\n-----END PRIVATE KEY-----\n"
        write(root / "planted" / seed.filename, "import os\n\n" + text)
    git(root, "add", "-A")
    return sorted(f"planted/{seed.filename}" for seed in SEEDS)


def pieces(value: str) -> set[str]:
    if len(value) <= WINDOW:
        return {value}
    return {value[start : start + WINDOW] for start in range(len(value) - WINDOW + 1)}


def written_bytes(root: Path, planted: list[str], tmp: Path) -> bytes:
    """Every file in the repository (bar the planted ones and git's object store) and the temp dir."""
    skip = {root / name for name in planted}
    found = b""
    for directory in (root, tmp):
        for path in directory.rglob("*"):
            if path.is_file() and path not in skip and ".git/objects" not in path.as_posix():
                found += path.read_bytes()
    return found


def test_no_value_of_any_plugin_type_reaches_output_journal_log_cache_or_temp_files(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    add_platform_mode(repo)
    commit(repo, "log")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    names = plant(repo)
    printed = ""
    codes = []
    for env, args in (
        ({}, names),  # a commit from a shell: added lines, the Markdown log written
        ({"PRE_COMMIT": "1"}, names),  # inside pre-commit: the log stays pending
        ({"GITHUB_ACTIONS": "true"}, ["--all-lines", *names]),  # annotations
        ({}, ["--all-lines", "--no-cache", *names]),
    ):
        with monkeypatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            codes.append(main(args))
        captured = capsys.readouterr()
        printed += captured.out + captured.err
    process = subprocess.run(
        [str(BIN / "platform-secrets"), *names],
        cwd=repo, capture_output=True, text=True, env={**os.environ, "PRE_COMMIT": "1"},
    )  # fmt: skip
    others = [subprocess.run([PLATFORM_GATES, *a], cwd=repo, capture_output=True, text=True) for a in
              (["sync"], ["report"], ["status", "--json"])]  # fmt: skip
    printed += process.stdout + process.stderr + "".join(o.stdout + o.stderr for o in others)

    assert codes == [1, 1, 1, 1] and process.returncode == 1
    reported = {line.split(":", 1)[0] for line in printed.splitlines() if " (hash " in line}
    # every plugin type was found, so every value was in play; detect-secrets' default filters drop a
    # bare IP address (is_not_alphanumeric_string: it has no letter), so IPPublicDetector never reports
    assert reported >= {f"planted/{seed.filename}" for seed in SEEDS if seed.plugin != "IPPublicDetector"}
    log = (repo / ".platform-mode/execution/execution001.execution.md").read_text()
    assert log.count("| platform-secrets |") >= 2  # the Markdown log holds the records
    assert list((repo / ".platform-gates/state/journals").glob("*.jsonl"))
    assert list((repo / ".platform-gates/state/cache").glob("secrets-*.json"))
    everything = printed.encode() + written_bytes(repo, names, temp)
    values = [seed.value for seed in SEEDS if seed.value] + PRIVATE_KEY_BODY
    for value in values:
        for piece in pieces(value):
            assert piece.encode() not in everything, f"a piece of a planted value leaked ({piece[:3]}…)"
    for seed in SEEDS:
        assert seed.line.encode() not in everything
