"""The QuestionStore protocol, the same tests on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from smassist.answering.assistant import Assistant
from smassist.store import SQLiteStore, StoreUnavailable, utcnow

QUESTION = "Combien d'entreprises mesurent leur ROI ?"


@pytest.fixture(scope="module")
def loaded() -> Assistant:
    return Assistant.load(use_cache=False)


def _postgres_store(url: str, secret: str = "test-secret", **kwargs: Any) -> Any:
    from smassist.admin.postgres import PostgresStore
    from smassist.state.postgres import Database

    db = Database(url)
    db.open()
    return PostgresStore(db, secret=secret, **kwargs)


class Backend:
    """Opens stores of one kind on one location (a file, a database)."""

    def __init__(self, kind: str, where: str):
        self.kind = kind
        self.where = where
        self.opened: list[Any] = []

    def open(self, secret: str = "test-secret", **kwargs: Any) -> Any:
        if self.kind == "sqlite":
            store = SQLiteStore(self.where, secret=secret, **kwargs)
        else:
            store = _postgres_store(self.where, secret, **kwargs)
        self.opened.append(store)
        return store

    def age_everything(self) -> None:
        """Move every logged question and feedback to 2020 (to test pruning)."""
        if self.kind == "sqlite":
            import sqlite3

            with sqlite3.connect(self.where) as conn:
                conn.execute("UPDATE questions SET asked_at = '2020-01-01T00:00:00.000000Z'")
                conn.execute("UPDATE feedback SET at = '2020-01-01T00:00:00.000000Z'")
        else:
            import psycopg

            with psycopg.connect(self.where, autocommit=True) as conn:
                conn.execute("UPDATE questions SET asked_at = '2020-01-01T00:00:00Z'")
                conn.execute("UPDATE feedback SET at = '2020-01-01T00:00:00Z'")

    def count(self, table: str) -> int:
        if self.kind == "sqlite":
            import sqlite3

            with sqlite3.connect(self.where) as conn:
                return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        import psycopg

        with psycopg.connect(self.where) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        found = Backend("sqlite", str(tmp_path / "log.sqlite3"))
    else:
        found = Backend("postgresql", request.getfixturevalue("postgres_url"))
    yield found
    for store in found.opened:
        store.close()


@pytest.fixture
def assistant(loaded: Assistant, backend: Backend) -> Assistant:
    return Assistant(loaded.kb, loaded.state.engine, recorder=backend.open())


def test_a_question_is_logged_with_its_answer_channel_and_version(assistant: Assistant) -> None:
    reply = assistant.ask(QUESTION, channel="slack", user="U1")
    [record] = assistant.recorder.questions()
    assert (record.reply_id, record.channel, record.question) == (reply.id, "slack", QUESTION)
    assert (record.kind, record.entry, record.topic, record.lang) == (reply.kind, reply.entry,
                                                                       reply.topic, "fr")
    assert record.confidence == pytest.approx(reply.confidence)
    assert record.version == reply.version
    assert abs(utcnow() - record.asked_at) < timedelta(minutes=1)
    assert record.asked_at.utcoffset() == timedelta(0)


def test_feedback_last_word_counts_and_clicks_are_linked(assistant: Assistant) -> None:
    first = assistant.ask("How many companies measure their social media ROI?", user="U1")
    second = assistant.ask("Quelle est la météo demain ?", user="U2")
    assistant.record_feedback(first.id, False, user="U1")
    assistant.record_feedback(first.id, True, user="U1")
    assistant.record_click(first.id, "platforms-used", user="U1")
    assistant.record_click(first.id, "roi-alternatives", user="U1")
    by_id = {r.reply_id: r for r in assistant.recorder.questions()}
    assert by_id[first.id].useful is True
    assert by_id[first.id].clicks == ("platforms-used", "roi-alternatives")
    assert (by_id[second.id].useful, by_id[second.id].kind, by_id[second.id].entry) == (
        None, "unknown", None)
    assert [s for s in by_id[second.id].suggestions] == [s.entry for s in second.suggestions]


def test_same_secret_same_key_on_every_instance_and_no_raw_id(backend: Backend,
                                                              loaded: Assistant) -> None:
    one, two = backend.open(secret="shared"), backend.open(secret="shared")
    Assistant(loaded.kb, loaded.state.engine, recorder=one).ask(QUESTION, user="U0SECRETID1")
    Assistant(loaded.kb, loaded.state.engine, recorder=two).ask("Charte ?", user="U0SECRETID1")
    Assistant(loaded.kb, loaded.state.engine, recorder=two).ask("ROI ?", user="U0OTHER")
    two.questions()  # its writes are done (PostgreSQL's are queued)
    keys = [r.user_key for r in one.questions()]
    assert len(keys) == 3
    assert keys[0] == keys[1] != keys[2]
    assert all(k and "U0SECRETID1" not in k for k in keys)
    assert backend.open(secret="other").users.key("U0SECRETID1") != keys[0]


def test_since_filters_and_questions_are_oldest_first(assistant: Assistant) -> None:
    replies = [assistant.ask(f"ROI question {i}") for i in range(3)]
    assert [r.reply_id for r in assistant.recorder.questions()] == [r.id for r in replies]
    assert assistant.recorder.questions(utcnow() + timedelta(seconds=5)) == []
    assert len(assistant.recorder.questions(utcnow() - timedelta(hours=1))) == 3


def test_prune_deletes_old_questions_and_their_feedback(assistant: Assistant,
                                                        backend: Backend) -> None:
    old = assistant.ask(QUESTION)
    assistant.record_feedback(old.id, False)
    assistant.recorder.questions()  # written
    backend.age_everything()
    recent = assistant.ask("Faut-il une charte ?")
    assert assistant.recorder.prune(utcnow() - timedelta(days=90)) == 1
    assert [r.reply_id for r in assistant.recorder.questions()] == [recent.id]
    assert backend.count("feedback") == 0


def test_concurrent_writers_lose_nothing(assistant: Assistant) -> None:
    def worker(n: int) -> None:
        for i in range(20):
            assistant.ask(f"ROI question {n}-{i}", channel="slack", user=f"U{n}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(assistant.recorder.questions()) == 160


def test_odd_text_is_kept_exactly(assistant: Assistant) -> None:
    odd = "{{ 7*7 }} <!channel> 'quote' \"double\" ; DROP TABLE questions; -- émoji 🎉"
    assistant.ask(odd, channel="telegram", user="42")
    [record] = assistant.recorder.questions()
    assert record.question == odd


def test_reading_an_unreachable_log_raises_store_unavailable(backend: Backend,
                                                             tmp_path: Path) -> None:
    if backend.kind == "sqlite":
        blocker = tmp_path / "file"
        blocker.write_text("not a database, not a folder")
        store = SQLiteStore(blocker, secret="s")
    else:
        store = backend.open()
        store.db.close()  # the pool is gone: every use fails
    with pytest.raises(StoreUnavailable):
        store.questions()
