"""The question log's writer: a locked, deleted or replaced database never slows or breaks an answer."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smassist import metrics
from smassist.admin.store import SQLiteStore
from smassist.answering.assistant import Assistant

QUESTION = "Combien d'entreprises mesurent leur ROI ?"


@pytest.fixture(scope="module")
def template() -> Assistant:
    return Assistant.load(use_cache=False)


def assistant_on(template: Assistant, store: SQLiteStore) -> Assistant:
    return Assistant(template.kb, template.state.engine, recorder=store)


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding SQLite's write lock on ``path`` for ``seconds``; returns once it holds it."""
    script = (
        "import sqlite3, sys, time\n"
        f"conn = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "conn.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        f"time.sleep({seconds})\n"
        "conn.execute('COMMIT')\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    return process


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "smassist.admin.store" and r.levelno >= logging.WARNING]


def test_a_database_locked_by_another_process_delays_no_answer_and_loses_nothing(
        template: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SQLiteStore(tmp_path / "log.sqlite3", secret="s")
    assistant = assistant_on(template, store)
    assistant.ask("warm-up: the file and its schema exist")
    assert store.flush()
    holder = hold_lock(store.path, 4)
    durations = []
    with caplog.at_level(logging.WARNING, logger="smassist.admin.store"):
        for i in range(15):
            started = time.perf_counter()
            assistant.ask(f"{QUESTION} ({i})", channel="slack", user=f"U{i}")
            durations.append(time.perf_counter() - started)
            time.sleep(0.1)
        assert len(store.questions()) < 16  # still locked: the records wait in memory
        holder.wait(timeout=10)
        assert store.flush(timeout=10)
    assert max(durations) < 0.25, durations  # an answer takes ms; the benchmark has the figure
    assert len(store.questions()) == 16
    assert store.dropped == 0
    warnings = store_warnings(caplog)
    assert len(warnings) == 2, warnings  # one for the outage, one for its end
    assert "locked" in warnings[0] and "writable again" in warnings[1]


def test_a_full_queue_drops_what_it_cannot_hold_and_counts_it(
        template: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = SQLiteStore(tmp_path / "log.sqlite3", secret="s", queue_size=5)
    assistant = assistant_on(template, store)
    assistant.ask("warm-up")
    assert store.flush()
    before = metrics.STORE_DROPPED.value(store="sqlite")
    holder = hold_lock(store.path, 2)
    with caplog.at_level(logging.WARNING, logger="smassist.admin.store"):
        for i in range(12):
            assistant.ask(f"{QUESTION} ({i})")
        holder.wait(timeout=10)
        assert store.flush(timeout=10)
    # The writer holds one batch while the lock lasts; the queue holds 5 in all.
    assert store.dropped == 12 - 5
    assert metrics.STORE_DROPPED.value(store="sqlite") - before == 7
    assert len(store.questions()) == 1 + 5
    assert sum("not logged until it catches up" in w for w in store_warnings(caplog)) == 1


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_log_deleted_or_replaced_while_running_is_reopened_and_said(
        template: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str) -> None:
    store = SQLiteStore(tmp_path / "log.sqlite3", secret="s")
    assistant = assistant_on(template, store)
    first = assistant.ask(QUESTION)
    assert store.flush()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store.path}{suffix}").unlink(missing_ok=True)
    if how == "replaced":
        other = tmp_path / "other.sqlite3"
        sqlite3.connect(other).close()
        os.replace(other, store.path)
    with caplog.at_level(logging.WARNING, logger="smassist.admin.store"):
        later = [assistant.ask(f"{QUESTION} ({i})") for i in range(3)]
        assert store.flush()
    ids = [r.reply_id for r in store.questions()]
    assert ids == [r.id for r in later] and first.id not in ids
    warnings = store_warnings(caplog)
    assert len(warnings) == 1 and "deleted or replaced" in warnings[0]


def test_recording_returns_at_once_and_close_writes_what_is_queued(tmp_path: Path,
                                                                   template: Assistant) -> None:
    store = SQLiteStore(tmp_path / "log.sqlite3", secret="s")
    assistant = assistant_on(template, store)
    reply = assistant.ask(QUESTION)
    started = time.perf_counter()
    for _ in range(2000):
        store.record_feedback(reply.id, True, "slack", "U1")
    assert time.perf_counter() - started < 0.5  # queueing, not writing
    store.close()
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT count(*) FROM feedback").fetchone()[0] == 2000


def test_a_command_that_records_and_exits_still_writes_its_line(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    env = {**os.environ, "SMASSIST_DB": str(db)}
    done = subprocess.run([sys.executable, "-m", "smassist.cli", "ask", QUESTION], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT channel FROM questions").fetchall() == [("cli",)]
