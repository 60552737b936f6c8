"""Shared state: in memory by default, in a real PostgreSQL server for several instances.

"Instances" here are separate ``SharedState`` objects, each with its own pool,
on one database; the multi-process tests (tests/channels/test_instances.py)
run real ``smassist serve`` processes.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from smassist.answering.assistant import Assistant
from smassist.settings import Settings
from smassist.state import MemoryDeliveries, MemoryNotices, SharedState, StateConfigError
from smassist.state.factory import open_state
from tests.support.instances import wait_until
from tests.support.tcp_proxy import TcpProxy

QUESTION = "Combien d'entreprises mesurent leur ROI ?"
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def loaded() -> Assistant:
    return Assistant.load(use_cache=False)


def fresh(loaded: Assistant) -> Assistant:
    return Assistant(loaded.kb, loaded.state.engine)


@pytest.fixture
def instances(postgres_url: str) -> Iterator[Callable[..., SharedState]]:
    """``instances(name)``: a new instance's shared state on the test's database."""
    opened: list[SharedState] = []

    def open_one(name: str, url: str = postgres_url) -> SharedState:
        state = open_state(Settings.from_env({"SMASSIST_DB": url, "SMASSIST_LOG_KEY": KEY,
                                              "SMASSIST_INSTANCE": name}))
        opened.append(state)
        return state

    yield open_one
    for state in opened:
        state.close()


# --- configuration ------------------------------------------------------------------------


def test_default_state_is_in_memory_and_needs_no_configuration() -> None:
    state = open_state(Settings.from_env({"SMASSIST_DB": "off"}))
    assert state.kind == "memory" and not state.shared and state.ready()
    assert state.deliveries.claim("slack:event:Ev1") and not state.deliveries.claim("slack:event:Ev1")


def test_a_postgresql_url_needs_the_log_key(postgres_url: str) -> None:
    with pytest.raises(StateConfigError, match="SMASSIST_LOG_KEY"):
        open_state(Settings.from_env({"SMASSIST_DB": postgres_url}))


def test_an_unreachable_database_is_one_clear_message_without_the_password() -> None:
    url = "postgresql://smassist:hunter2-secret@127.0.0.1:1/nowhere"
    from smassist.state.postgres import Database

    with pytest.raises(StateConfigError) as raised:
        Database(url).open(wait=0.5)
    assert "127.0.0.1:1/nowhere" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_without_the_extra_the_message_names_it() -> None:
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from smassist.settings import Settings\n"
            "from smassist.state import StateConfigError\n"
            "from smassist.state.factory import open_state\n"
            "env = {'SMASSIST_DB': 'postgresql://x@127.0.0.1/db', 'SMASSIST_LOG_KEY': 'k'}\n"
            "try:\n    open_state(Settings.from_env(env))\n"
            "except StateConfigError as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'smassist[postgres]'" in out.stdout
    assert "Traceback" not in out.stderr


def test_ask_with_a_postgresql_log_records_the_question_and_exits_cleanly(postgres_url: str) -> None:
    import os

    import psycopg

    env = {**os.environ, "SMASSIST_DB": postgres_url, "SMASSIST_LOG_KEY": KEY}
    done = subprocess.run([sys.executable, "-m", "smassist", "ask", QUESTION], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT question, channel FROM questions").fetchall() == [(QUESTION, "cli")]


def test_the_admin_console_and_the_python_api_read_the_shared_log(
        postgres_url: str, served_kb: tuple[Path, Path], tmp_path: Path) -> None:
    import os

    from smassist.store import open_default_store
    from tests.support.instances import Instance, child_environment, free_port

    asked = "Quelle est la météo à Paris demain ?"
    env = {**os.environ, "SMASSIST_DB": postgres_url, "SMASSIST_LOG_KEY": KEY}
    subprocess.run([sys.executable, "-m", "smassist", "ask", asked], env=env, check=True,
                   capture_output=True, timeout=300)
    store = open_default_store(Settings.from_env({"SMASSIST_DB": postgres_url, "SMASSIST_LOG_KEY": KEY}))
    assert store is not None and [q.question for q in store.questions()] == [asked]
    store.close()
    kb, cache = served_kb
    port = free_port()  # reading needs no SMASSIST_LOG_KEY
    console = Instance("admin", ["admin", "--host", "127.0.0.1", "--port", str(port)],
                       child_environment(SMASSIST_DB=postgres_url, SMASSIST_KB=str(kb),
                                         SMASSIST_CACHE_DIR=str(cache)), port, tmp_path)
    try:
        status, page = console.wait_ready().get("/report?since=all")
    finally:
        log = console.stop()
    assert status == 200 and "météo" in page and "log is off" not in page, page
    assert "Traceback" not in log


# --- schema ---------------------------------------------------------------------------------


def test_schema_is_migrated_once_even_when_instances_start_together(postgres_url: str) -> None:
    import psycopg

    from smassist.state.postgres import SCHEMA_VERSION, Database

    errors: list[BaseException] = []

    def start() -> None:
        try:
            Database(postgres_url).migrate()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(postgres_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM smassist_schema ORDER BY 1")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_migration_from_version_1_keeps_the_logged_questions(postgres_url: str) -> None:
    import psycopg

    from smassist.state.postgres import MIGRATIONS, Database

    with psycopg.connect(postgres_url, autocommit=True) as conn:  # a database at schema 1
        conn.execute("CREATE TABLE smassist_schema (version integer NOT NULL, "
                     "migrated_at timestamptz NOT NULL DEFAULT now())")
        conn.execute(MIGRATIONS[0])
        conn.execute("INSERT INTO smassist_schema (version) VALUES (1)")
        conn.execute("INSERT INTO questions (reply_id, asked_at, channel, question, kind) "
                     "VALUES ('r1', now(), 'slack', 'kept?', 'answer')")
    assert Database(postgres_url).migrate() == 1
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT question FROM questions").fetchall() == [("kept?",)]
        assert conn.execute("SELECT count(*) FROM deliveries").fetchone() == (0,)


def test_a_newer_schema_is_refused_and_left_alone(postgres_url: str) -> None:
    import psycopg

    from smassist.state.postgres import Database

    Database(postgres_url).migrate()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("INSERT INTO smassist_schema (version) VALUES (99)")
    with pytest.raises(StateConfigError, match="newer smassist"):
        Database(postgres_url).open()
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT max(version) FROM smassist_schema").fetchone() == (99,)


# --- deliveries -----------------------------------------------------------------------------


def test_a_delivery_is_claimed_by_exactly_one_instance_even_at_once(instances: Any) -> None:
    a, b = instances("a"), instances("b")
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def race(state: SharedState) -> None:
        barrier.wait()
        results.append(state.deliveries.claim("slack:event:Ev42"))

    threads = [threading.Thread(target=race, args=(s,)) for s in (a, b) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_an_expired_claim_can_be_claimed_again() -> None:
    now = [0.0]
    claims = MemoryDeliveries(ttl=60, clock=lambda: now[0])
    assert claims.claim("k") and not claims.claim("k")
    now[0] = 61
    assert claims.claim("k")


def test_an_expired_claim_in_postgresql_can_be_claimed_again(instances: Any, postgres_url: str) -> None:
    import psycopg

    a, b = instances("a"), instances("b")
    assert a.deliveries.claim("telegram:1:7")
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE deliveries SET claimed_at = now() - interval '1 day'")
    assert b.deliveries.claim("telegram:1:7")
    assert not a.deliveries.claim("telegram:1:7")


# --- conversations --------------------------------------------------------------------------


def test_a_follow_up_on_another_instance_keeps_the_context(instances: Any, loaded: Assistant) -> None:
    a, b = fresh(loaded), fresh(loaded)
    instances("a").install(a)
    instances("b").install(b)
    first = a.ask(QUESTION, conversation="slack:T:C:1")
    follow = b.ask("source ?", conversation="slack:T:C:1")
    assert first.kind == "answer"
    assert (follow.kind, follow.entry) == ("sources", first.entry)
    assert b.ask("source ?", conversation="slack:T:C:other").entry is None


def test_a_pending_choice_is_picked_on_another_instance(instances: Any, loaded: Assistant) -> None:
    a, b = fresh(loaded), fresh(loaded)
    instances("a").install(a)
    instances("b").install(b)
    a.conversations.remember("c", lang="en", choices=("charter-content", "roi-measurement"))
    reply = b.ask("2", conversation="c")
    assert (reply.kind, reply.entry) == ("answer", "roi-measurement")


def test_turns_of_one_conversation_run_one_at_a_time_across_instances(instances: Any) -> None:
    a, b = instances("a"), instances("b")
    inside: list[str] = []
    overlaps: list[str] = []

    def turn(state: SharedState, name: str) -> None:
        for _ in range(5):
            with state.conversations.turn("telegram:99"):
                if inside:
                    overlaps.append(name)
                inside.append(name)
                time.sleep(0.02)
                state.conversations.remember("telegram:99", entry="roi-measurement", lang="fr")
                inside.remove(name)

    threads = [threading.Thread(target=turn, args=(s, n)) for s, n in ((a, "a"), (b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []
    assert b.conversations.get("telegram:99").entry == "roi-measurement"


def test_different_conversations_do_not_wait_for_each_other(instances: Any) -> None:
    a, b = instances("a"), instances("b")
    entered = threading.Event()
    with a.conversations.turn("one"):
        def other() -> None:
            with b.conversations.turn("two"):
                entered.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert entered.wait(5)
    thread.join()


# --- notices --------------------------------------------------------------------------------


def test_a_problem_set_is_noticed_once_across_instances_and_its_fix_once(instances: Any) -> None:
    a, b = instances("a"), instances("b")
    assert a.notices.transition("knowledge", "digest-1")
    assert not b.notices.transition("knowledge", "digest-1")
    assert b.notices.transition("knowledge", "digest-2")  # another mistake: told again
    assert a.notices.transition("knowledge", None)  # fixed
    assert not b.notices.transition("knowledge", None)


def test_nothing_to_fix_is_no_notice() -> None:
    notices = MemoryNotices()
    assert not notices.transition("knowledge", None)


# --- versions -------------------------------------------------------------------------------


def test_reload_request_reaches_the_other_instance_and_lists_both_versions(instances: Any) -> None:
    a, b = instances("host-a:1"), instances("host-b:2")
    heard: list[str] = []
    a.versions.serving("aaaaaaaaaaaa")
    b.versions.serving("bbbbbbbbbbbb")

    def on_request(request: str) -> None:
        heard.append(request)
        b.versions.serving("cccccccccccc", request)

    b.versions.listen(on_request)
    time.sleep(0.5)  # LISTEN is in place
    request = a.versions.request_reload()
    found = a.versions.instances(request, wait=5)
    assert heard == [request]
    assert [(i.instance, i.version, i.answered, i.current) for i in found] == [
        ("host-a:1", "aaaaaaaaaaaa", True, True), ("host-b:2", "cccccccccccc", True, False)]


def test_a_stopped_instance_is_no_longer_listed(instances: Any) -> None:
    a, b = instances("a"), instances("b")
    a.versions.serving("v1")
    b.versions.serving("v1")
    b.close()
    assert [i.instance for i in a.versions.instances()] == ["a"]


# --- faults ---------------------------------------------------------------------------------


def _via(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0] + "@" if len(netloc) == 2 else ""
    return urlunsplit((parts.scheme, f"{user}127.0.0.1:{proxy.port}", parts.path, parts.query, ""))


def test_database_down_questions_answered_logged_once_and_log_resumes(
        instances: Any, postgres_url: str, loaded: Assistant,
        caplog: pytest.LogCaptureFixture) -> None:
    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        state = instances("a", _via(proxy, postgres_url))
        state.health.retry_after = 0.3  # type: ignore[union-attr]
        assistant = fresh(loaded)
        state.install(assistant)
        before = assistant.ask(QUESTION, conversation="c", user="U1")
        assert state.ready()
        with caplog.at_level(logging.WARNING, logger="smassist.postgres"):
            proxy.cut()
            during = [assistant.ask(QUESTION, conversation="c", user="U1") for _ in range(3)]
            follow = assistant.ask("source ?", conversation="c")  # this process's own context
            assert state.deliveries.claim("slack:event:during")
            assert not state.ready()
            time.sleep(0.5)
            assert all(r.kind == "answer" for r in during)
            assert (follow.kind, follow.entry) == ("sources", before.entry)
            proxy.restore()
            # Polled, not slept: on CI's busy cores the reconnection and the writer's
            # flush of what the outage held back can take longer than half a second.
            wait_until(state.ready, 30, "the database reachable again")
            after = assistant.ask(QUESTION, conversation="c", user="U1")
            wanted = {before.id, after.id, follow.id, *(r.id for r in during)}
            wait_until(lambda: wanted <= {r.reply_id for r in state.store.questions()},  # type: ignore[union-attr]
                       30, "every question of the outage in the shared log")
        warnings = [r.getMessage() for r in caplog.records if r.name == "smassist.postgres"]
        assert len([w for w in warnings if "unreachable" in w]) == 1, warnings
        assert len([w for w in warnings if "reachable again" in w]) == 1, warnings
    finally:
        proxy.close()


def test_a_turn_cut_in_the_middle_leaves_the_database_down_until_it_answers_again(
        instances: Any, postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        state = instances("a", _via(proxy, postgres_url))
        db = state.health
        with state.conversations.turn("telegram:5"):
            proxy.cut()  # the turn's own connection breaks under it
            state.conversations.remember("telegram:5", entry="roi-measurement", lang="fr")
        # The turn caught the error itself (to answer anyway); that is no recovery.
        assert db.down  # type: ignore[union-attr]
        assert state.conversations.get("telegram:5").entry == "roi-measurement"  # its own copy
        proxy.restore()
        db.retry_after = 0.0  # type: ignore[union-attr]
        wait_until(state.ready, 30, "the database reachable again")
        assert not db.down  # type: ignore[union-attr]
    finally:
        proxy.close()
