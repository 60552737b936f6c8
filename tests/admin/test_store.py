"""The SQLite question log: its key file, WAL, the commands, and never in the way.

What every QuestionStore does (records, feedback, clicks, keys, prune, concurrent
writers) is tested on SQLite and PostgreSQL alike in test_store_protocol.py.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from smassist.admin.store import (
    SQLiteStore,
    default_db_path,
    open_default_store,
    parse_duration,
)
from smassist.answering.assistant import Assistant
from smassist.cli import main


@pytest.fixture(scope="module")
def assistant_template() -> Assistant:
    return Assistant.load(use_cache=False)


@pytest.fixture
def assistant(assistant_template: Assistant, tmp_path: Path) -> Assistant:
    return Assistant(assistant_template.kb, assistant_template.state.engine,
                     recorder=SQLiteStore(tmp_path / "log.sqlite3", secret="test-secret"))


def test_user_keys_are_pseudonymous_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    store = SQLiteStore(path)
    assistant = Assistant.load(recorder=store)
    assistant.ask("ROI ?", user="U0SECRETID1")
    assistant.ask("Charte ?", user="U0SECRETID1")
    assistant.ask("ROI ?", user="U0OTHERUSER")
    keys = [r.user_key for r in store.questions()]
    assert keys[0] == keys[1]
    assert keys[0] != keys[2]
    assert all(k and "U0SECRETID1" not in k and "U0OTHERUSER" not in k for k in keys)
    store.close()
    for file in tmp_path.iterdir():
        assert b"U0SECRETID1" not in file.read_bytes(), file

    # A new process with the same key file gives the same key; the key file is private.
    key_file = tmp_path / "smassist-log.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = SQLiteStore(path)
    assert again.users.key("U0SECRETID1") == keys[0]


def test_log_key_from_the_environment_changes_every_key(tmp_path: Path) -> None:
    a = SQLiteStore(tmp_path / "a.sqlite3", secret="one")
    b = SQLiteStore(tmp_path / "b.sqlite3", secret="two")
    assert a.users.key("U1") == SQLiteStore(tmp_path / "c.sqlite3", secret="one").users.key("U1")
    assert a.users.key("U1") != b.users.key("U1")
    assert not (tmp_path / "smassist-log.key").exists()


def test_raw_user_ids_only_when_the_admin_opts_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMASSIST_DB", str(tmp_path / "log.sqlite3"))
    monkeypatch.setenv("SMASSIST_LOG_RAW_USERS", "1")
    store = open_default_store()
    Assistant.load(recorder=store).ask("ROI ?", user="U42")
    assert store.questions()[0].user_key == "U42"


def test_database_is_created_in_wal_mode_with_a_schema_version(assistant: Assistant) -> None:
    assistant.ask("ROI ?")
    assert assistant.recorder.flush()
    conn = sqlite3.connect(assistant.recorder.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_smassist_db_off_disables_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("off", "none", "OFF"):
        monkeypatch.setenv("SMASSIST_DB", value)
        assert default_db_path() is None
        assert open_default_store() is None


def test_unwritable_database_path_still_answers_and_warns_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = SQLiteStore(blocker / "sub" / "log.sqlite3")  # its parent can never be created
    assistant = Assistant.load(recorder=store)
    with caplog.at_level(logging.WARNING, logger="smassist.admin.store"):
        replies = [assistant.ask("Combien d'entreprises mesurent leur ROI ?") for _ in range(3)]
        assistant.record_feedback(replies[0].id, True)
        assistant.record_click(replies[0].id, "platforms-used")
        assert not store.flush(timeout=2)  # tried, and failed
    assert all(r.kind == "answer" for r in replies)
    warnings = [r for r in caplog.records if r.name == "smassist.admin.store"]
    assert len(warnings) == 1
    assert "cannot write the question log" in warnings[0].getMessage()


def test_cli_ask_logs_on_the_cli_channel(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Combien d'entreprises mesurent leur ROI ?"]) == 0
    [record] = open_default_store().questions()
    assert record.channel == "cli"


def test_cli_ask_answers_when_the_log_cannot_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SMASSIST_DB", str(blocker / "log.sqlite3"))
    assert main(["ask", "--json", "Combien d'entreprises mesurent leur ROI ?"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["matched"] is True
    assert "Traceback" not in err


def test_log_prune_and_export_commands(capsys: pytest.CaptureFixture[str]) -> None:
    store = open_default_store()
    assistant = Assistant.load(recorder=store)
    first = assistant.ask("Combien d'entreprises mesurent leur ROI ?", channel="telegram", user="42")
    assistant.record_feedback(first.id, True, channel="telegram", user="42")
    assistant.ask("Quelle est la météo ?", channel="slack")
    assert store.flush()  # the server's writer thread; the CLI below is another reader
    capsys.readouterr()

    assert main(["log", "export", "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [r["channel"] for r in exported] == ["telegram", "slack"]
    assert exported[0]["useful"] is True
    assert exported[0]["user_key"] != "42"

    assert main(["log", "export", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("reply_id,asked_at,channel,")
    assert len(lines) == 3

    assert main(["log", "prune", "--older-than", "12h"]) == 0
    assert "0 " in capsys.readouterr().out
    assert len(store.questions()) == 2
    assert main(["log", "prune", "--older-than", "soon"]) == 2
    assert "12h, 90d or 4w" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "hours"), [("12h", 12), ("90d", 90 * 24), ("4w", 4 * 7 * 24),
                                             ("30", 30 * 24)])
def test_durations(text: str, hours: int) -> None:
    assert parse_duration(text) == timedelta(hours=hours)
