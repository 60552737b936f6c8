"""The question log: what was asked, what smassist answered, and how it was received.

Nothing here is needed to answer a question. Every failure to open or write the
log (read-only disk, full disk, a path that cannot be created) is logged once
and then swallowed, so answering goes on without it.

The log sits behind :class:`QuestionStore`, a small protocol that the
assistant (through its ``Recorder`` hook), the admin reports and the ``smassist
log`` commands use. :class:`SQLiteStore` is the embedded default; a server
database (PostgreSQL for several instances) would be another class with the
same methods. ``sqlite3`` itself is imported on first use: ``smassist ask``
pays for it only when it records.

Users are pseudonymous: the platform's user id is replaced by an HMAC-SHA256
keyed with ``SMASSIST_LOG_KEY`` (else a random key kept in a 0600 file beside
the database). ``SMASSIST_LOG_RAW_USERS=1`` keeps raw ids instead.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from smassist import metrics
from smassist.records import field, field_names, record
from smassist.settings import Settings, current

if TYPE_CHECKING:
    import sqlite3

    from smassist.answering.reply import Reply



class _Log:
    """The module's logger, importing :mod:`logging` only when there is a failure to report."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger(__name__), name)


log = _Log()

SCHEMA_VERSION = 1
DB_NAME = "smassist.sqlite3"
KEY_NAME = "smassist-log.key"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    reply_id    TEXT PRIMARY KEY,
    asked_at    TEXT NOT NULL,          -- UTC, ISO 8601 with microseconds and 'Z'
    channel     TEXT NOT NULL,
    user_key    TEXT,                   -- HMAC of the platform user id (or the raw id if opted in)
    lang        TEXT,
    question    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    topic       TEXT,
    entry       TEXT,
    confidence  REAL,
    suggestions TEXT NOT NULL DEFAULT '[]',   -- JSON list of entry ids shown
    version     TEXT
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS feedback (
    reply_id  TEXT NOT NULL,
    at        TEXT NOT NULL,
    channel   TEXT NOT NULL,
    user_key  TEXT,
    useful    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_reply ON feedback (reply_id);
CREATE TABLE IF NOT EXISTS clicks (
    reply_id  TEXT NOT NULL,
    at        TEXT NOT NULL,
    channel   TEXT NOT NULL,
    user_key  TEXT,
    entry     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clicks_reply ON clicks (reply_id);
"""


@record
class QuestionRecord:
    """One logged question with what followed it."""

    reply_id: str
    asked_at: datetime
    channel: str
    user_key: str | None
    lang: str | None
    question: str
    kind: str
    topic: str | None
    entry: str | None
    confidence: float
    suggestions: tuple[str, ...] = ()
    version: str | None = None
    #: The last feedback given (True: useful), None when none was given.
    useful: bool | None = None
    clicks: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reply_id": self.reply_id,
            "asked_at": _iso(self.asked_at),
            "channel": self.channel,
            "user_key": self.user_key,
            "lang": self.lang,
            "question": self.question,
            "kind": self.kind,
            "topic": self.topic,
            "entry": self.entry,
            "confidence": round(self.confidence, 4),
            "suggestions": list(self.suggestions),
            "version": self.version,
            "useful": self.useful,
            "clicks": list(self.clicks),
        }


#: Column order of ``smassist log export --csv``.
EXPORT_FIELDS = field_names(QuestionRecord)


class QuestionStore(Protocol):
    """Where questions, feedback and clicks are kept (implements assistant.Recorder)."""

    def record_question(self, reply: Reply, channel: str, user: str | None) -> None: ...

    def record_feedback(self, reply_id: str, useful: bool, channel: str, user: str | None) -> None: ...

    def record_click(self, reply_id: str, entry: str, channel: str, user: str | None) -> None: ...

    def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        """Logged questions asked at or after ``since``, oldest first."""
        ...

    def prune(self, before: datetime) -> int:
        """Delete questions asked before ``before`` (and their feedback); how many."""
        ...

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (at most ``timeout`` seconds), then stop."""
        ...


class StoreUnavailable(Exception):
    """The log cannot be read (for the admin commands, which need it)."""


# --- time and durations ----------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw]?)\s*$", re.IGNORECASE)
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7}


def split_duration(text: str | None) -> tuple[str, str] | None:
    """``"90d"`` -> ``("90", "d")``; the unit is h, d or w (a bare number is days); None if not a duration."""
    found = _DURATION.match(text or "")
    return (found.group(1), found.group(2).lower() or "d") if found else None


def parse_duration(text: str) -> timedelta:
    """``12h``, ``90d``, ``4w`` (a bare number is days). Raises ValueError otherwise."""
    parts = split_duration(text)
    if parts is None:
        raise ValueError(f"'{text}' is not a duration; write it like 12h, 90d or 4w")
    return timedelta(hours=float(parts[0]) * _UNIT_HOURS[parts[1]])


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    # Fixed width, so text comparison in SQL is time order.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# --- pseudonymous user keys --------------------------------------------------------


class UserKeys:
    """Turns platform user ids into stable pseudonymous keys."""

    def __init__(self, key_file: Path | None, secret: str | bytes | None = None,
                 raw: bool = False):
        self.key_file = key_file
        self.raw = raw
        self._secret = secret.encode() if isinstance(secret, str) else secret
        self._lock = threading.Lock()

    def key(self, user: str | None) -> str | None:
        if user is None or user == "":
            return None
        user = str(user)
        if self.raw:
            return user
        import hashlib
        import hmac

        return hmac.new(self._load_secret(), user.encode(), hashlib.sha256).hexdigest()[:32]

    def _load_secret(self) -> bytes:
        with self._lock:
            if self._secret is None:
                self._secret = _read_or_create_key(self.key_file)
            return self._secret


def _read_or_create_key(path: Path | None) -> bytes:
    import secrets

    if path is None:
        return secrets.token_bytes(32)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        log.warning("cannot read the question-log key %s (%s); users are keyed with a "
                    "temporary key until it is fixed", path, exc)
        return secrets.token_bytes(32)
    secret = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secret.hex() + "\n")
    except FileExistsError:  # another process created it first: use theirs
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except OSError as exc:
        log.warning("cannot keep the question-log key in %s (%s); users are keyed with a "
                    "temporary key", path, exc)
    return secret


# --- SQLite ------------------------------------------------------------------------


class SQLiteStore:
    """The question log in one SQLite file (WAL mode), opened on first use.

    Recording never waits for the disk: ``record_*`` put a row on a bounded
    queue (``queue_size``) and return; one writer thread writes what has queued
    in batches, one transaction each. When SQLite is busy (another process holds
    the lock) the batch is kept and tried again, so a lock held for seconds
    delays the log, not the answers, and loses nothing the queue can hold; what
    arrives while the queue is full is dropped and counted (``dropped``,
    ``smassist_question_log_dropped``). Before each batch the writer checks that
    the file it has open is still the one at ``path``: a log deleted or replaced
    while running is reopened (a new file is created) and the admins told so in
    the log. Each outage gives one warning, and its end one line.

    Reads (``questions``, ``prune``) first let the writer catch up (``flush``),
    then use a connection of their own.
    """

    def __init__(self, path: str | os.PathLike[str], *, secret: str | bytes | None = None,
                 raw_users: bool = False, timeout: float = 0.5, queue_size: int = 10_000,
                 batch_size: int = 500):
        self.path = Path(path).expanduser()
        self.users = UserKeys(self.path.parent / KEY_NAME, secret, raw_users)
        self._timeout = timeout  # SQLite's busy timeout, in the writer thread only
        self._queue_size = queue_size
        self._batch_size = batch_size
        self._pending: deque[tuple[int, str, tuple[Any, ...]]] = deque()
        self._cond = threading.Condition()
        self._queued = 0  # sequence number of the last record queued
        self._attempts = 0  # batches the writer started to write
        self._failed_attempt = 0  # the number of the last one that failed
        self._writer: threading.Thread | None = None
        self._closing = False
        self._wconn: sqlite3.Connection | None = None
        self._wfile: tuple[int, int] | None = None  # (device, inode) of the file the writer has open
        self._lock = threading.RLock()  # reads and prune, one at a time
        self._failing: str | None = None  # the reason of the current outage
        self._queue_full = False
        self.dropped = 0
        self.written = 0
        metrics.STORE_QUEUE.read_from(lambda: len(self._pending))

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # --- the Recorder side: never raises, never waits --------------------------

    def record_question(self, reply: Reply, channel: str, user: str | None) -> None:
        self._enqueue("question", (
            reply.id, _iso(utcnow()), channel, user, reply.lang, reply.question, reply.kind,
            reply.topic, reply.entry, float(reply.confidence),
            json.dumps([s.entry for s in reply.suggestions]), reply.version or None))

    def record_feedback(self, reply_id: str, useful: bool, channel: str, user: str | None) -> None:
        self._enqueue("feedback", (reply_id, _iso(utcnow()), channel, user, int(bool(useful))))

    def record_click(self, reply_id: str, entry: str, channel: str, user: str | None) -> None:
        self._enqueue("click", (reply_id, _iso(utcnow()), channel, user, entry))

    def _enqueue(self, kind: str, row: tuple[Any, ...]) -> None:
        with self._cond:
            if self._closing:
                return
            if len(self._pending) >= self._queue_size:
                self.dropped += 1
                metrics.STORE_DROPPED.inc(store="sqlite")
                if not self._queue_full:
                    self._queue_full = True
                    log.warning("question log %s: %d records waiting to be written; new "
                                "questions are answered but not logged until it catches up",
                                self.path, len(self._pending))
                return
            self._queued += 1
            self._pending.append((self._queued, kind, row))
            if self._writer is None:
                self._start_writer()
            self._cond.notify()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every record queued so far is written; True if so.

        Returns False sooner when a write tried after this call failed (the log is
        failing: nothing to wait for), or after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            target = self._queued
            started = self._attempts
            while any(seq <= target for seq, _, _ in self._pending):
                left = deadline - time.monotonic()
                if left <= 0 or self._failed_attempt > started:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    # --- the writer thread -------------------------------------------------------------

    def _start_writer(self) -> None:
        self._writer = threading.Thread(target=self._write_loop, name="question-log-writer",
                                        daemon=True)
        self._writer.start()
        atexit.register(self._at_exit)

    def _write_loop(self) -> None:
        delay = 0.05
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if not self._pending:
                    return
                batch = [self._pending[i] for i in range(min(self._batch_size, len(self._pending)))]
                self._attempts += 1
                attempt = self._attempts
            reason = self._write_batch(batch)
            with self._cond:
                if reason is not None:
                    self._failed_attempt = attempt
                else:
                    for _ in batch:
                        self._pending.popleft()
                    self.written += len(batch)
                    if self._queue_full and len(self._pending) < self._queue_size // 2:
                        self._queue_full = False
                self._cond.notify_all()
                closing = self._closing
            if reason is None:
                delay = 0.05
                if self._failing:
                    log.warning("question log %s is writable again (%d records waited; %d "
                                "dropped so far)", self.path, len(batch), self.dropped)
                    self._failing = None
                continue
            metrics.STORE_ERRORS.inc(store="sqlite", reason=reason.split(":")[0])
            if closing:
                return
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _write_batch(self, batch: list[tuple[int, str, tuple[Any, ...]]]) -> str | None:
        """None once written; else why not (the batch stays queued)."""
        import sqlite3

        try:
            conn = self._writer_connection()
            with conn:
                for _, kind, row in batch:
                    conn.execute(_INSERT[kind], self._with_user_key(kind, row))
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            self._outage("busy" if busy else "error", exc)
            if not busy:
                self._drop_writer_connection()
            return "busy" if busy else "error"
        except Exception as exc:  # the log must never stop an answer, nor its writer
            self._outage("error", exc)
            self._drop_writer_connection()
            return "error"
        return None

    def _with_user_key(self, kind: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*row[:3], self.users.key(row[3]), *row[4:])

    def _outage(self, reason: str, exc: BaseException) -> None:
        if self._failing is None:
            self._failing = reason
            if reason == "busy":
                log.warning("question log %s is locked by another process (%s); questions are "
                            "answered and their records wait in memory (up to %d)", self.path,
                            exc, self._queue_size)
            else:
                log.warning("cannot write the question log %s (%s); questions are still "
                            "answered but not logged until it is fixed", self.path, exc)

    def _writer_connection(self) -> sqlite3.Connection:
        if self._wconn is not None:
            try:
                now = os.stat(self.path)
                same = (now.st_dev, now.st_ino) == self._wfile
            except OSError:
                same = False
            if not same:
                metrics.STORE_ERRORS.inc(store="sqlite", reason="missing_file")
                log.warning("question log %s was deleted or replaced while in use; opening "
                            "the file now at that path (a new log if there is none)", self.path)
                self._drop_writer_connection()
        if self._wconn is None:
            self._wconn = self._connection(create=True)
            found = os.stat(self.path)
            self._wfile = (found.st_dev, found.st_ino)
        return self._wconn

    def _drop_writer_connection(self) -> None:
        if self._wconn is not None:
            with contextlib.suppress(Exception):
                self._wconn.close()
            self._wconn = None
            self._wfile = None

    def _at_exit(self) -> None:
        # A command that records and exits (smassist ask) still gets its line written.
        if self._pending:
            self.flush(timeout=2.0)

    # --- the admin side: raises StoreUnavailable --------------------------------

    def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        return list(self.iter_questions(since))

    def iter_questions(self, since: datetime | None = None) -> Iterator[QuestionRecord]:
        self.flush(timeout=2.0)
        if not self.path.exists():
            return iter(())
        import sqlite3

        try:
            with self._lock, contextlib.closing(self._connection(create=False)) as conn:
                where, params = ("WHERE asked_at >= ?", (_iso(since),)) if since else ("", ())
                rows = conn.execute(
                    f"SELECT reply_id, asked_at, channel, user_key, lang, question, kind, topic, "
                    f"entry, confidence, suggestions, version FROM questions {where} "
                    f"ORDER BY asked_at, rowid", params).fetchall()
                feedback: dict[str, bool] = {}
                for reply_id, useful in conn.execute(
                        "SELECT reply_id, useful FROM feedback ORDER BY at, rowid"):
                    feedback[reply_id] = bool(useful)  # the last word counts
                clicks: dict[str, list[str]] = {}
                for reply_id, entry in conn.execute(
                        "SELECT reply_id, entry FROM clicks ORDER BY at, rowid"):
                    clicks.setdefault(reply_id, []).append(entry)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot read the question log {self.path}: {exc}") from None
        return iter([
            QuestionRecord(
                reply_id=r[0], asked_at=_parse_iso(r[1]), channel=r[2], user_key=r[3], lang=r[4],
                question=r[5], kind=r[6], topic=r[7], entry=r[8], confidence=r[9] or 0.0,
                suggestions=tuple(_json_list(r[10])), version=r[11],
                useful=feedback.get(r[0]), clicks=tuple(clicks.get(r[0], ())),
            )
            for r in rows
        ])

    def prune(self, before: datetime) -> int:
        self.flush(timeout=2.0)
        if not self.path.exists():
            return 0
        import sqlite3

        cutoff = _iso(before)
        try:
            with self._lock, contextlib.closing(self._connection(create=False)) as conn:
                with conn:
                    old = "SELECT reply_id FROM questions WHERE asked_at < ?"
                    conn.execute(f"DELETE FROM feedback WHERE reply_id IN ({old}) OR at < ?",
                                 (cutoff, cutoff))
                    conn.execute(f"DELETE FROM clicks WHERE reply_id IN ({old}) OR at < ?",
                                 (cutoff, cutoff))
                    deleted = conn.execute("DELETE FROM questions WHERE asked_at < ?",
                                           (cutoff,)).rowcount
                # Give the space back: pruning is about not keeping personal data around.
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot prune the question log {self.path}: {exc}") from None
        return deleted

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (at most ``timeout`` seconds), then stop the writer."""
        if self._writer is not None:
            self.flush(timeout)
        with self._cond:
            self._closing = True
            left = len(self._pending)
            self._cond.notify_all()
        if self._writer is not None:
            self._writer.join(timeout=1.0)
            with contextlib.suppress(Exception):
                atexit.unregister(self._at_exit)
        if left:
            log.warning("question log %s closed with %d records not written", self.path, left)
        if self._writer is None or not self._writer.is_alive():
            self._drop_writer_connection()

    # --- connections -------------------------------------------------------------------

    def _connection(self, create: bool) -> sqlite3.Connection:
        import sqlite3

        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise sqlite3.OperationalError(f"no question log at {self.path}")
        conn = sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                with conn:
                    conn.executescript(_SCHEMA)
                    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                _restrict(self.path)
            elif version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"the question log was written by a newer smassist (schema {version}, "
                    f"this one knows {SCHEMA_VERSION})")
        except BaseException:
            conn.close()
            raise
        return conn


_INSERT = {
    "question": "INSERT OR REPLACE INTO questions (reply_id, asked_at, channel, user_key, lang, "
                "question, kind, topic, entry, confidence, suggestions, version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "feedback": "INSERT INTO feedback (reply_id, at, channel, user_key, useful) "
                "VALUES (?, ?, ?, ?, ?)",
    "click": "INSERT INTO clicks (reply_id, at, channel, user_key, entry) VALUES (?, ?, ?, ?, ?)",
}


def _restrict(path: Path) -> None:
    """The log holds what people asked: readable by its owner only."""
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


# --- the configured store ----------------------------------------------------------


def is_database_url(value: str | None) -> bool:
    """Whether ``SMASSIST_DB`` names a PostgreSQL server (the shared log of several instances)."""
    return bool(value) and str(value).strip().lower().startswith(("postgresql://", "postgres://"))


def database_url(settings: Settings | None = None) -> str | None:
    """``SMASSIST_DB`` when it is a PostgreSQL URL, else None."""
    value = current(settings).db
    return value if is_database_url(value) else None


def default_db_path(settings: Settings | None = None) -> Path | None:
    """``$SMASSIST_DB``, else ``smassist.sqlite3`` in the user data folder; None when off
    or when it is a PostgreSQL URL (:func:`database_url`)."""
    settings = current(settings)
    value = settings.db
    if settings.question_log_off or is_database_url(value):
        return None
    if value:
        if "://" in value:
            raise ValueError(
                f"SMASSIST_DB={value.split('://')[0]}://… is not supported; give a file path "
                "for SQLite, a postgresql:// URL, or 'off'")
        return Path(value).expanduser()
    return settings.data_dir() / DB_NAME


def open_default_store(settings: Settings | None = None) -> SQLiteStore | None:
    """The SQLite question log configured by the environment, or None when it is off.

    Cheap: nothing is opened until the first question is recorded. For a PostgreSQL
    URL this is None: :func:`smassist.store.open_default_store` (the public entry
    point) opens that one (:func:`smassist.state.factory.open_question_store`).
    """
    settings = current(settings)
    try:
        path = default_db_path(settings)
    except ValueError as exc:
        log.warning("question log off: %s", exc)
        return None
    if path is None:
        return None
    return SQLiteStore(path, secret=settings.log_key, raw_users=settings.log_raw_users)
