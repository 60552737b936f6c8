"""The question log in PostgreSQL: the ``QuestionStore`` protocol, shared by every instance.

Writes never wait for the database: each record goes into a bounded queue that
one writer thread empties in batches. While PostgreSQL is down the records wait
there (the oldest dropped, and counted, past ``max_pending``) and are written
when it is back; the outage is logged once by the :class:`Database`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg

from smassist import metrics
from smassist.admin.store import QuestionRecord, StoreUnavailable, UserKeys, utcnow
from smassist.state.postgres import Database, DatabaseDown, log

if TYPE_CHECKING:
    from smassist.reply import Reply

_INSERT = {
    "question": "INSERT INTO questions (reply_id, asked_at, channel, user_key, lang, question, kind, "
                "topic, entry, confidence, suggestions, version) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (reply_id) DO NOTHING",
    "feedback": "INSERT INTO feedback (reply_id, at, channel, user_key, useful) VALUES (%s, %s, %s, %s, %s)",
    "click": "INSERT INTO clicks (reply_id, at, channel, user_key, entry) VALUES (%s, %s, %s, %s, %s)",
}


class PostgresStore:
    """The question log in the shared database (see the module's doc)."""

    def __init__(self, db: Database, *, secret: str | bytes | None, raw_users: bool = False,
                 max_pending: int = 20_000, batch: int = 500):
        self.db = db
        #: Where the log is, as the CLI shows it (``host:port/dbname``, never the password).
        self.path = db.where
        self.users = UserKeys(None, secret, raw_users)
        self.max_pending = max_pending
        self.batch = batch
        self.dropped = 0
        self._pending: deque[tuple[str, tuple[Any, ...]]] = deque()
        self._cond = threading.Condition()
        self._writing = False
        self._closed = False
        self._thread = threading.Thread(target=self._write_loop, name="smassist-log-writer",
                                        daemon=True)
        self._thread.start()
        ref = weakref.ref(self)
        atexit.register(lambda: (store := ref()) is not None and store.close())

    def __repr__(self) -> str:
        return f"PostgresStore({self.db.where!r})"

    # --- the Recorder side: never raises, never waits -------------------------------

    def record_question(self, reply: Reply, channel: str, user: str | None) -> None:
        self._enqueue("question", (
            reply.id, utcnow(), channel, self.users.key(user), reply.lang, reply.question,
            reply.kind, reply.topic, reply.entry, float(reply.confidence),
            json.dumps([s.entry for s in reply.suggestions]), reply.version or None))

    def record_feedback(self, reply_id: str, useful: bool, channel: str, user: str | None) -> None:
        self._enqueue("feedback", (reply_id, utcnow(), channel, self.users.key(user), bool(useful)))

    def record_click(self, reply_id: str, entry: str, channel: str, user: str | None) -> None:
        self._enqueue("click", (reply_id, utcnow(), channel, self.users.key(user), entry))

    def _enqueue(self, kind: str, params: tuple[Any, ...]) -> None:
        try:
            with self._cond:
                self._pending.append((kind, params))
                while len(self._pending) > self.max_pending:
                    self._pending.popleft()
                    self.dropped += 1
                    metrics.STORE_DROPPED.inc(store="postgresql")
                self._cond.notify()
        except Exception as exc:  # the log must never stop an answer
            log.warning("cannot queue a question-log record: %s", type(exc).__name__)

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending and self._closed:
                    return
                items = [self._pending[i] for i in range(min(self.batch, len(self._pending)))]
                self._writing = True
            try:
                with self.db.connection() as conn, conn.transaction(), conn.cursor() as cur:
                    for kind in ("question", "feedback", "click"):
                        rows = [p for k, p in items if k == kind]
                        if rows:
                            cur.executemany(_INSERT[kind], rows)
            except DatabaseDown:
                with self._cond:
                    self._writing = False
                    self._cond.notify_all()
                    if self._closed:
                        return
                time.sleep(self.db.retry_after / 2)
                continue
            except psycopg.Error as exc:  # a record the database refuses: drop that batch
                self.db.errors += 1
                metrics.STORE_ERRORS.inc(store="postgresql", reason="error")
                log.warning("question-log records dropped (%s)", str(exc).splitlines()[0][:200])
            with self._cond:
                for _ in items:
                    self._pending.popleft()
                self._writing = False
                self._cond.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued record is written; False if that took longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._writing:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._cond.wait(min(left, 0.1))
        return True

    # --- the admin side: raises StoreUnavailable --------------------------------------

    def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        return list(self.iter_questions(since))

    def iter_questions(self, since: datetime | None = None) -> Iterator[QuestionRecord]:
        self.flush(timeout=2.0)
        where, params = ("WHERE asked_at >= %s", (since,)) if since else ("", ())
        try:
            with self.db.connection() as conn:
                rows = conn.execute(
                    "SELECT reply_id, asked_at, channel, user_key, lang, question, kind, topic, "
                    f"entry, confidence, suggestions, version FROM questions {where} "
                    "ORDER BY asked_at, reply_id", params).fetchall()
                reply_ids = [r[0] for r in rows]
                feedback: dict[str, bool] = {}
                for reply_id, useful in conn.execute(
                        "SELECT reply_id, useful FROM feedback WHERE reply_id = ANY(%s) "
                        "ORDER BY at, id", (reply_ids,)):
                    feedback[reply_id] = bool(useful)  # the last word counts
                clicks: dict[str, list[str]] = {}
                for reply_id, entry in conn.execute(
                        "SELECT reply_id, entry FROM clicks WHERE reply_id = ANY(%s) ORDER BY at, id",
                        (reply_ids,)):
                    clicks.setdefault(reply_id, []).append(entry)
        except (DatabaseDown, psycopg.Error) as exc:
            raise StoreUnavailable(f"cannot read the question log at {self.db.where}: "
                                   f"{_reason(exc)}") from None
        return iter([
            QuestionRecord(
                reply_id=r[0], asked_at=r[1].astimezone(UTC), channel=r[2], user_key=r[3],
                lang=r[4], question=r[5], kind=r[6], topic=r[7], entry=r[8],
                confidence=r[9] or 0.0, suggestions=tuple(str(s) for s in (r[10] or ())),
                version=r[11], useful=feedback.get(r[0]), clicks=tuple(clicks.get(r[0], ())),
            )
            for r in rows
        ])

    def prune(self, before: datetime) -> int:
        self.flush(timeout=2.0)
        try:
            with self.db.connection() as conn, conn.transaction():
                old = "SELECT reply_id FROM questions WHERE asked_at < %s"
                conn.execute(f"DELETE FROM feedback WHERE reply_id IN ({old}) OR at < %s",
                             (before, before))
                conn.execute(f"DELETE FROM clicks WHERE reply_id IN ({old}) OR at < %s",
                             (before, before))
                return conn.execute("DELETE FROM questions WHERE asked_at < %s", (before,)).rowcount
        except (DatabaseDown, psycopg.Error) as exc:
            raise StoreUnavailable(f"cannot prune the question log at {self.db.where}: "
                                   f"{_reason(exc)}") from None

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (at most ``timeout`` seconds), then stop the writer."""
        if self._closed:
            return
        self.flush(timeout=timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        with contextlib.suppress(RuntimeError):
            self._thread.join(2)
        if self.dropped:
            log.warning("%d question-log records could not be written", self.dropped)


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    text = str(cause).strip()
    return text.splitlines()[0][:200] if text else type(cause).__name__
