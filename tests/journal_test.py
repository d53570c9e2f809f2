from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hooks.frame.journal import Journal, journal_name
from hooks.frame.quality_block import find_block
from hooks.frame.record import Record, Status, from_json, new_id, to_json
from hooks.frame.state import state_dir
from tests.util import add_platform_mode, git, run_cli

LOG_REL = ".platform-mode/execution/execution001.execution.md"


def make_record(number: int) -> Record:
    return Record(
        gate="demo",
        status=Status.PASS,
        summary=f"run {number}",
        time="2026-11-24T10:00:00Z",
        duration_s=0.0,
        id=f"{number:016x}",
    )


def test_state_directory_ignores_itself(repo: Path) -> None:
    directory = state_dir(repo)
    (directory / "anything.jsonl").write_text("{}\n")
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_record_round_trips_through_its_one_serialisation() -> None:
    record = Record(
        gate="platform-coverage",
        status=Status.FAIL,
        summary="coverage 81.0% ünïcode",
        time="2026-11-24T10:00:00Z",
        duration_s=1.5,
        id="f00dfeed12345678",
        files=3,
        counts={"E501": 2},
        metrics={"total": 81.0, "grade": "B"},
        tools={"coverage": "7.17.3"},
        commit="abc",
        supersedes="0" * 16,
    )
    line = to_json(record)
    assert "\n" not in line
    assert json.loads(line)["v"] == 1
    assert from_json(line) == record


@pytest.mark.parametrize(
    "line", ['{"v": 1, "gate": "x"', "[]", '{"v": 99, "gate": "x"}', '{"v": 1, "gate": "x"}', "\x00\x01"]
)
def test_anything_but_a_record_is_rejected(line: str) -> None:
    with pytest.raises(ValueError):
        from_json(line)


def test_torn_last_line_is_skipped_and_the_next_append_starts_a_fresh_line(repo: Path) -> None:
    journal = Journal(repo, LOG_REL)
    journal.append(make_record(1))
    with journal.path.open("ab") as f:
        f.write(to_json(make_record(2)).encode()[:25])  # a writer killed mid-line
    assert [r.summary for _, r in journal.records()] == ["run 1"]
    assert journal.skipped_lines == 1
    journal.append(make_record(3))
    reread = Journal(repo, LOG_REL)
    assert [r.summary for _, r in reread.records()] == ["run 1", "run 3"]
    assert reread.skipped_lines == 1


def test_reading_from_the_end_gives_newest_first(repo: Path) -> None:
    journal = Journal(repo, LOG_REL)
    for number in range(3000):  # several 64 KiB chunks
        journal.append(make_record(number))
    newest = [r.summary for _, r in zip(range(3), journal.records_from_end(), strict=False)]
    assert newest == ["run 2999", "run 2998", "run 2997"]
    assert sum(1 for _ in journal.records_from_end()) == 3000


def test_journal_names_are_safe_file_names() -> None:
    assert journal_name(LOG_REL) == ".platform-mode__execution__execution001.execution.md"
    assert journal_name("logs/my log?.md") == "logs__my_log_.md"
    assert journal_name(None) == "no-active-log"


@pytest.mark.slow
def test_eight_processes_times_one_hundred_records_lose_nothing(repo: Path) -> None:
    log = add_platform_mode(repo)

    def writer(worker: int) -> list[int]:
        return [
            run_cli(
                repo, "record", "--gate", f"w{worker}", "--status", "pass", "--summary", f"{worker}-{i}"
            ).returncode
            for i in range(100)
        ]

    with ThreadPoolExecutor(8) as pool:
        codes = [code for result in pool.map(writer, range(8)) for code in result]
    assert codes == [0] * 800
    journal = Journal(repo, LOG_REL)
    summaries = [record.summary for _, record in journal.records()]
    assert journal.skipped_lines == 0
    assert sorted(summaries) == sorted(f"{w}-{i}" for w in range(8) for i in range(100))
    block = find_block(log.read_text(encoding="utf-8"))
    assert block is not None  # every writer's newest record is its gate's status
    assert {gate: cells[1] for gate, cells in block.state.status.items()} == {
        f"w{w}": f"{w}-99" for w in range(8)
    }


_WRITER = """
import sys
from pathlib import Path
from hooks.frame.config import load_config
from hooks.frame.context import run_context
from hooks.frame.documents import find_active_log
from hooks.frame.record import Record, Status
from hooks.frame.recording import record_result
root = Path(sys.argv[1])
config = load_config(root)
log = find_active_log(root, config)
context = run_context()
for n in range(10**6):
    record = Record(gate="crash", status=Status.PASS, summary=f"n{n}", time="2026-11-24T10:00:00Z",
                    duration_s=0.0, id=f"{sys.argv[2]}{n:08d}", commit=sys.argv[3])
    record_result(root, record, log, context, config)
    print(record.id, flush=True)
"""


@pytest.mark.slow
def test_sigkill_at_random_points_never_loses_or_tears_a_record(repo: Path) -> None:
    log = add_platform_mode(repo)
    original = log.read_text(encoding="utf-8")
    prefix, suffix = original.split("## 6. Decision Log")[0], "## 6. Decision Log and Lessons Learned\n"
    rng = random.Random(20261124)
    confirmed: list[str] = []  # ids a writer reported as recorded before it was killed
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    head = git(repo, "rev-parse", "HEAD").strip()
    for kill in range(60):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(repo), f"{kill:08x}", head],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        time.sleep(rng.uniform(0.15, 0.6))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        confirmed += out.split()

        journal = Journal(repo, LOG_REL)
        ids = [record.id for _, record in journal.records()]
        assert journal.skipped_lines <= kill + 1  # at most one torn line per kill
        assert set(confirmed) <= set(ids)  # nothing ever recorded is lost
        text = log.read_text(encoding="utf-8")  # old or new version: always whole
        assert text.startswith(prefix)
        assert text.endswith(suffix)
        block = find_block(text)
        if block is not None and "crash" in block.state.status:
            assert block.state.status["crash"][1] in {f"n{n}" for n in range(10**6)}
    assert len(confirmed) > 100
    assert [path.name for path in log.parent.iterdir()] == [log.name]  # no temporary file left behind
    result = run_cli(repo, "sync")
    assert result.returncode == 0, result.stderr
    block = find_block(log.read_text(encoding="utf-8"))
    assert block is not None  # the newest record reached the log
    newest = [record for _, record in Journal(repo, LOG_REL).records()][-1]
    assert block.state.status["crash"][1] == newest.summary


def _append_many(root: str, worker: int, count: int, head: str) -> None:
    from hooks.frame.config import load_config
    from hooks.frame.context import run_context
    from hooks.frame.documents import find_active_log
    from hooks.frame.recording import record_result

    path = Path(root)
    config = load_config(path)
    log = find_active_log(path, config, environ={})
    context = run_context({})
    for number in range(count):
        record = Record(
            gate=f"load-{worker}",
            status=Status.PASS,
            summary=f"{worker}-{number}",
            time="2026-11-24T10:00:00Z",
            duration_s=0.0,
            id=new_id(),
            commit=head,  # a record names the commit it judged: the log's rows are per commit
        )
        record_result(path, record, log, context, config)


@pytest.mark.slow
def test_sixteen_processes_times_two_hundred_records_through_the_library(repo: Path) -> None:
    import multiprocessing

    log = add_platform_mode(repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    workers = [
        multiprocessing.Process(target=_append_many, args=(str(repo), n, 200, head)) for n in range(16)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=900)
    assert [worker.exitcode for worker in workers] == [0] * 16
    journal = Journal(repo, LOG_REL)
    summaries = [record.summary for _, record in journal.records()]
    assert journal.skipped_lines == 0
    assert sorted(summaries) == sorted(f"{w}-{n}" for w in range(16) for n in range(200))
    block = find_block(log.read_text(encoding="utf-8"))
    assert block is not None  # each worker's newest record is its gate's status
    assert {gate: cells[1] for gate, cells in block.state.status.items()} == {
        f"load-{w}": f"{w}-199" for w in range(16)
    }
