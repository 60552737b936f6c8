"""Shared state in PostgreSQL (``SMASSIST_DB=postgresql://…``), for several instances.

One :class:`Database` per process: a psycopg 3 connection pool, the schema
migrated in place at start-up (one instance at a time, under an advisory lock;
never destructive: migrations only add), and the outage bookkeeping that every
part uses, so that an outage is logged once and its end once.

Nothing here may stop an answer. When PostgreSQL is down or restarting, each
part falls back to what this process knows (its own delivery claims, its own
copy of each conversation, its own notice state) and tries the database again
a couple of seconds later; the question log keeps its records in memory and
writes them when the database is back.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from smassist import metrics
from smassist.answering.conversation import Context, ConversationStore
from smassist.state import (
    DELIVERY_TTL_SECONDS,
    InstanceVersion,
    MemoryDeliveries,
    MemoryNotices,
    StateConfigError,
    instance_name,
)

log = logging.getLogger("smassist.postgres")

#: The schema this version of smassist writes. Each migration only adds.
MIGRATIONS: tuple[str, ...] = (
    # 1: the question log (the same columns as the SQLite log, with real types).
    """
    CREATE TABLE IF NOT EXISTS questions (
        reply_id    text PRIMARY KEY,
        asked_at    timestamptz NOT NULL,
        channel     text NOT NULL,
        user_key    text,
        lang        text,
        question    text NOT NULL,
        kind        text NOT NULL,
        topic       text,
        entry       text,
        confidence  double precision,
        suggestions jsonb NOT NULL DEFAULT '[]',
        version     text
    );
    CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
    CREATE TABLE IF NOT EXISTS feedback (
        id        bigserial PRIMARY KEY,
        reply_id  text NOT NULL,
        at        timestamptz NOT NULL,
        channel   text NOT NULL,
        user_key  text,
        useful    boolean NOT NULL
    );
    CREATE INDEX IF NOT EXISTS feedback_reply ON feedback (reply_id);
    CREATE TABLE IF NOT EXISTS clicks (
        id        bigserial PRIMARY KEY,
        reply_id  text NOT NULL,
        at        timestamptz NOT NULL,
        channel   text NOT NULL,
        user_key  text,
        entry     text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS clicks_reply ON clicks (reply_id);
    """,
    # 2: what instances share while serving.
    """
    CREATE TABLE IF NOT EXISTS deliveries (
        key        text PRIMARY KEY,
        claimed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS deliveries_claimed_at ON deliveries (claimed_at);
    CREATE TABLE IF NOT EXISTS conversations (
        key        text PRIMARY KEY,
        entry      text,
        lang       text,
        choices    jsonb NOT NULL DEFAULT '[]',
        shown      jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS conversations_updated_at ON conversations (updated_at);
    CREATE TABLE IF NOT EXISTS notices (
        topic      text PRIMARY KEY,
        state      text,
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS instances (
        instance   text PRIMARY KEY,
        version    text NOT NULL DEFAULT '',
        started_at timestamptz NOT NULL DEFAULT now(),
        seen_at    timestamptz NOT NULL DEFAULT now(),
        request    text
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

#: Advisory-lock namespaces (the first of the two int4 keys).
LOCK_MIGRATE = 0x736D6101
LOCK_CONVERSATION = 0x736D6102
RELOAD_CHANNEL = "smassist_reload"

#: An instance not seen for this long is not listed by /reload.
INSTANCE_STALE_SECONDS = 60
HEARTBEAT_SECONDS = 10
PRUNE_SECONDS = 600
CONVERSATION_TTL_SECONDS = 24 * 3600


class DatabaseDown(Exception):
    """PostgreSQL cannot be reached right now (already logged)."""


def describe(url: str) -> str:
    """``host:port/dbname`` of a connection URL: what logs say (never the password)."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured database"
    return f"{parts.get('host') or 'localhost'}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"


class Database:
    """The pool, the schema, and whether PostgreSQL is currently reachable."""

    def __init__(self, url: str, *, max_size: int = 10, timeout: float = 2.0,
                 retry_after: float = 2.0, connect_timeout: int = 3):
        self.url = url
        self.where = describe(url)
        self.retry_after = retry_after
        self.errors = 0  # store errors, for /metrics
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0
        # psycopg_pool logs every failed reconnection attempt; the outage is logged here, once.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        self.pool = ConnectionPool(
            url, min_size=1, max_size=max_size, timeout=timeout, open=False,
            name="smassist", reconnect_timeout=24 * 3600,
            # A connection broken while idle (a restart, a cut) is replaced, not handed out.
            check=ConnectionPool.check_connection,
            kwargs={"autocommit": True, "connect_timeout": connect_timeout,
                    "application_name": "smassist"},
        )

    # --- life ------------------------------------------------------------------------

    def open(self, wait: float = 10.0) -> None:
        """Connect and migrate the schema; StateConfigError when PostgreSQL cannot be used."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self.migrate()
                break
            except psycopg.OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise StateConfigError(
                        f"cannot reach PostgreSQL at {self.where} (SMASSIST_DB): "
                        f"{_first_line(exc)}") from None
                time.sleep(0.5)
        self.pool.open(wait=False)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.pool.close(timeout=2)

    def migrate(self) -> int:
        """Bring the schema to :data:`SCHEMA_VERSION`, one instance at a time; the version found."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5,
                             application_name="smassist-migrate") as conn:
            conn.execute("SELECT pg_advisory_lock(%s, 0)", (LOCK_MIGRATE,))
            try:
                conn.execute("CREATE TABLE IF NOT EXISTS smassist_schema ("
                             "version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())")
                row = conn.execute("SELECT max(version) FROM smassist_schema").fetchone()
                found = int(row[0]) if row and row[0] is not None else 0
                if found > SCHEMA_VERSION:
                    raise StateConfigError(
                        f"the database at {self.where} was set up by a newer smassist (schema "
                        f"{found}; this one knows up to {SCHEMA_VERSION}): upgrade this instance")
                for number in range(found + 1, SCHEMA_VERSION + 1):
                    with conn.transaction():
                        conn.execute(MIGRATIONS[number - 1])  # type: ignore[call-overload]
                        conn.execute("INSERT INTO smassist_schema (version) VALUES (%s)", (number,))
                    log.info("PostgreSQL schema at %s migrated to version %d", self.where, number)
                return found
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s, 0)", (LOCK_MIGRATE,))

    # --- use ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; DatabaseDown (logged once per outage) when it cannot be had."""
        if self._down_since is not None and time.monotonic() < self._retry_at:
            raise DatabaseDown(self.where)
        started = time.monotonic()
        try:
            with self.pool.connection() as conn:
                yield conn
                # A caller may catch the error of a cut connection itself (a conversation's
                # turn does, to answer anyway): that is no sign the database is back.
                broken = conn.broken
        except PoolTimeout as exc:
            # No pooled connection in time: the server down, or only the pool short of
            # connections (busy, or still reconnecting after an outage, with back-off).
            if self._answers():
                metrics.STORE_ERRORS.inc(store="postgresql", reason="pool exhausted")
                with self._lock:
                    self.errors += 1
            else:
                self.failed(exc)
            raise DatabaseDown(self.where) from exc
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            self.failed(exc)
            raise DatabaseDown(self.where) from exc
        if not broken:
            self.succeeded(started)

    def _answers(self) -> bool:
        """One direct connection, outside the pool: is the server there at all?"""
        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=2,
                                 application_name="smassist-probe"):
                return True
        except psycopg.Error:
            return False

    def failed(self, exc: BaseException) -> None:
        metrics.STORE_ERRORS.inc(store="postgresql", reason="unreachable")
        with self._lock:
            self.errors += 1
            self._retry_at = time.monotonic() + self.retry_after
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
        log.warning("PostgreSQL unreachable at %s (%s): questions are still answered, with "
                    "this instance's own context and delivery claims, until it is back",
                    self.where, _first_line(exc))

    def succeeded(self, started: float | None = None) -> None:
        """The database answered; an operation begun before the outage was seen is no sign it is back."""
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None or (started is not None and started < self._down_since):
                return
            lasted = time.monotonic() - self._down_since
            self._down_since = None
        log.warning("PostgreSQL at %s reachable again after %.1f s", self.where, lasted)

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def ping(self) -> bool:
        """One ``SELECT 1``: what ``/readyz`` asks."""
        try:
            with self.connection() as conn:
                conn.execute("SELECT 1")
        except DatabaseDown:
            return False
        return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


# --- delivery de-duplication --------------------------------------------------------------


class PostgresDeliveries:
    """``INSERT … ON CONFLICT DO NOTHING``: the instance whose insert lands handles the delivery."""

    def __init__(self, db: Database, ttl: float = DELIVERY_TTL_SECONDS):
        self.db = db
        self.ttl = ttl
        self.local = MemoryDeliveries(ttl=ttl)
        self.duplicates = 0  # dropped deliveries, for /metrics

    def claim(self, key: str) -> bool:
        if not self.local.claim(key):
            self.duplicates += 1
            return False
        try:
            with self.db.connection() as conn:
                if conn.execute("INSERT INTO deliveries (key) VALUES (%s) ON CONFLICT DO NOTHING",
                                (key,)).rowcount == 1:
                    return True
                # Taken already, unless so long ago that the claim has expired (not pruned yet).
                expired = conn.execute(
                    "UPDATE deliveries SET claimed_at = now() WHERE key = %s "
                    "AND claimed_at < now() - make_interval(secs => %s)", (key, self.ttl)).rowcount
        except DatabaseDown:
            return True  # better answered twice than not at all
        if expired:
            return True
        self.duplicates += 1
        return False

    def prune(self, conn: psycopg.Connection[Any]) -> int:
        return conn.execute("DELETE FROM deliveries WHERE claimed_at < now() - make_interval(secs => %s)",
                            (self.ttl,)).rowcount


# --- conversations ------------------------------------------------------------------------


@dataclass
class _Turn:
    context: Context
    changed: bool = False


class PostgresConversations:
    """Conversation context in PostgreSQL, one turn at a time per conversation (advisory lock).

    A turn holds a transaction with ``pg_advisory_xact_lock`` on the conversation
    key while the question is answered; the context read at its start and
    written at its end. This process keeps its own copy of every context it
    saw, which answers when the database cannot.
    """

    def __init__(self, db: Database, ttl: float = CONVERSATION_TTL_SECONDS):
        self.db = db
        self.ttl = ttl
        self.local = ConversationStore(ttl_seconds=ttl)
        self._threads = threading.local()

    def _active(self) -> dict[str, _Turn]:
        active = getattr(self._threads, "turns", None)
        if active is None:
            active = self._threads.turns = {}
        return active

    @contextlib.contextmanager
    def turn(self, key: str | None) -> Iterator[None]:
        active = self._active()
        if key is None or key in active:
            yield
            return
        with self.local.turn(key), contextlib.ExitStack() as stack:
            turn: _Turn | None = None
            conn: psycopg.Connection[Any] | None = None
            try:
                conn = stack.enter_context(self.db.connection())
                stack.enter_context(conn.transaction())
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                             (LOCK_CONVERSATION, key))
                turn = _Turn(self._read(conn, key) or self.local.get(key))
            except (DatabaseDown, psycopg.Error) as exc:
                if not isinstance(exc, DatabaseDown):
                    self.db.failed(exc)
                # This turn runs on this process's own context; the stack's exit
                # (below) gives the connection back without raising again.
                with contextlib.suppress(Exception):
                    stack.close()
                yield
                return
            active[key] = turn
            try:
                yield
            finally:
                del active[key]
            try:
                if turn.changed:
                    self._write(conn, key, turn.context)
                stack.close()  # commits, gives the connection back
            except (DatabaseDown, psycopg.Error) as exc:
                if not isinstance(exc, DatabaseDown):
                    self.db.failed(exc)

    def get(self, key: str | None) -> Context:
        if key is None:
            return Context()
        turn = self._active().get(key)
        if turn is not None:
            c = turn.context
            return Context(c.entry, c.lang, c.choices, c.updated, c.shown)
        try:
            with self.db.connection() as conn:
                found = self._read(conn, key)
        except DatabaseDown:
            return self.local.get(key)
        return found or Context()

    def remember(self, key: str | None, entry: str | None = None, lang: str | None = None,
                 choices: tuple[str, ...] = (), shown: tuple[str, ...] | None = None) -> None:
        if key is None:
            return
        self.local.remember(key, entry, lang, choices, shown)
        turn = self._active().get(key)
        if turn is None:  # outside a question's turn (a button): one short turn of its own
            with self.turn(key):
                if key in self._active():  # else the database is down: kept here only
                    self.remember(key, entry, lang, choices, shown)
            return
        previous = turn.context
        kept = entry if entry is not None else previous.entry
        if shown is None:
            shown = previous.shown if previous.entry == kept else ()
        turn.context = Context(kept, lang, tuple(choices), time.time(), tuple(shown))
        turn.changed = True

    def _read(self, conn: psycopg.Connection[Any], key: str) -> Context | None:
        row = conn.execute(
            "SELECT entry, lang, choices, shown FROM conversations WHERE key = %s "
            "AND updated_at > now() - make_interval(secs => %s)", (key, self.ttl)).fetchone()
        if row is None:
            return None
        return Context(row[0], row[1], tuple(str(c) for c in (row[2] or ())), time.time(),
                       tuple(str(c) for c in (row[3] or ())))

    @staticmethod
    def _write(conn: psycopg.Connection[Any], key: str, context: Context) -> None:
        conn.execute(
            "INSERT INTO conversations (key, entry, lang, choices, shown, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, now()) ON CONFLICT (key) DO UPDATE SET "
            "entry = excluded.entry, lang = excluded.lang, choices = excluded.choices, "
            "shown = excluded.shown, updated_at = now()",
            (key, context.entry, context.lang, Jsonb(list(context.choices)),
             Jsonb(list(context.shown))))

    def prune(self, conn: psycopg.Connection[Any]) -> int:
        return conn.execute("DELETE FROM conversations WHERE updated_at < now() - make_interval(secs => %s)",
                            (self.ttl,)).rowcount


# --- notices ---------------------------------------------------------------------------------


class PostgresNotices:
    """A row per topic; the instance whose UPDATE changes it sends the notice."""

    def __init__(self, db: Database):
        self.db = db
        self.local = MemoryNotices()

    def transition(self, topic: str, state: str | None) -> bool:
        changed_here = self.local.transition(topic, state)
        try:
            with self.db.connection() as conn:
                if state is None:  # no row is the same as a cleared state
                    query = ("UPDATE notices SET state = NULL, updated_at = now() "
                             "WHERE topic = %s AND state IS NOT NULL RETURNING topic")
                    row = conn.execute(query, (topic,)).fetchone()
                else:
                    row = conn.execute(
                        "INSERT INTO notices (topic, state) VALUES (%s, %s) ON CONFLICT (topic) "
                        "DO UPDATE SET state = excluded.state, updated_at = now() "
                        "WHERE notices.state IS DISTINCT FROM excluded.state RETURNING topic",
                        (topic, state)).fetchone()
        except DatabaseDown:
            return changed_here
        return row is not None


# --- knowledge-base versions ---------------------------------------------------------------


class PostgresVersions:
    """A row per live instance (heartbeat), reload requests by LISTEN/NOTIFY."""

    def __init__(self, db: Database, instance: str | None = None,
                 maintenance: Callable[[psycopg.Connection[Any]], object] | None = None):
        self.db = db
        self.instance = instance or instance_name()
        self._version = ""
        self._maintenance = maintenance
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._heartbeat = threading.Thread(target=self._beat, name="smassist-heartbeat", daemon=True)
        self._heartbeat.start()

    def serving(self, version: str, request: str | None = None) -> None:
        self._version = version
        with contextlib.suppress(DatabaseDown), self.db.connection() as conn:
            conn.execute(
                "INSERT INTO instances (instance, version, request) VALUES (%s, %s, %s) "
                "ON CONFLICT (instance) DO UPDATE SET version = excluded.version, seen_at = now(), "
                "request = COALESCE(excluded.request, instances.request)",
                (self.instance, version, request))

    def request_reload(self) -> str:
        request = uuid.uuid4().hex
        with contextlib.suppress(DatabaseDown), self.db.connection() as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (RELOAD_CHANNEL, f"{request} {self.instance}"))
        return request

    def listen(self, on_request: Callable[[str], object]) -> None:
        thread = threading.Thread(target=self._listen, args=(on_request,),
                                  name="smassist-reload-listener", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _listen(self, on_request: Callable[[str], object]) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.db.url, autocommit=True, connect_timeout=3,
                                     application_name="smassist-listen") as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(RELOAD_CHANNEL)))
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            request, _, origin = note.payload.partition(" ")
                            if origin != self.instance:
                                try:
                                    on_request(request)
                                except Exception:
                                    log.exception("reload requested by %s failed", origin)
            except psycopg.Error:
                self._stop.wait(1.0)  # the outage is logged by the pool's users

    def instances(self, request: str | None = None, wait: float = 0.0) -> list[InstanceVersion]:
        deadline = time.monotonic() + wait
        while True:
            try:
                with self.db.connection() as conn:
                    rows = conn.execute(
                        "SELECT instance, version, seen_at, request FROM instances "
                        "WHERE seen_at > now() - make_interval(secs => %s) OR instance = %s "
                        "ORDER BY instance", (INSTANCE_STALE_SECONDS, self.instance)).fetchall()
            except DatabaseDown:
                return [InstanceVersion(self.instance, self._version, current=True,
                                        answered=request is None)]
            found = [InstanceVersion(r[0], r[1], r[2].astimezone(UTC),
                                     answered=request is None or r[3] == request or r[0] == self.instance,
                                     current=r[0] == self.instance) for r in rows]
            if all(i.answered for i in found) or time.monotonic() >= deadline:
                return found
            time.sleep(0.1)

    def _beat(self) -> None:
        last_prune = 0.0
        while not self._stop.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(DatabaseDown), self.db.connection() as conn:
                if self._version:
                    self.serving(self._version)
                if self._maintenance is not None and time.monotonic() - last_prune > PRUNE_SECONDS:
                    last_prune = time.monotonic()
                    self._maintenance(conn)

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(DatabaseDown), self.db.connection() as conn:
            conn.execute("DELETE FROM instances WHERE instance = %s", (self.instance,))
        for thread in self._threads:
            thread.join(2)
