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

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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


@dataclass(frozen=True, slots=True)
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
EXPORT_FIELDS = tuple(QuestionRecord.__dataclass_fields__)


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

    def close(self) -> None: ...


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

    One connection shared by every thread behind a lock: the writes are a
    single small INSERT each.
    """

    def __init__(self, path: str | os.PathLike[str], *, secret: str | bytes | None = None,
                 raw_users: bool = False, timeout: float = 1.0):
        self.path = Path(path).expanduser()
        self.users = UserKeys(self.path.parent / KEY_NAME, secret, raw_users)
        self._timeout = timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._failing = False

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # --- the Recorder side: never raises ---------------------------------------

    def record_question(self, reply: Reply, channel: str, user: str | None) -> None:
        self._write(
            "INSERT OR REPLACE INTO questions (reply_id, asked_at, channel, user_key, lang, "
            "question, kind, topic, entry, confidence, suggestions, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            lambda: (reply.id, _iso(utcnow()), channel, self.users.key(user), reply.lang,
                     reply.question, reply.kind, reply.topic, reply.entry,
                     float(reply.confidence),
                     json.dumps([s.entry for s in reply.suggestions]), reply.version or None),
        )

    def record_feedback(self, reply_id: str, useful: bool, channel: str, user: str | None) -> None:
        self._write(
            "INSERT INTO feedback (reply_id, at, channel, user_key, useful) VALUES (?, ?, ?, ?, ?)",
            lambda: (reply_id, _iso(utcnow()), channel, self.users.key(user), int(bool(useful))),
        )

    def record_click(self, reply_id: str, entry: str, channel: str, user: str | None) -> None:
        self._write(
            "INSERT INTO clicks (reply_id, at, channel, user_key, entry) VALUES (?, ?, ?, ?, ?)",
            lambda: (reply_id, _iso(utcnow()), channel, self.users.key(user), entry),
        )

    def _write(self, sql: str, params: Any) -> None:
        try:
            with self._lock:
                conn = self._connection(create=True)
                with conn:
                    conn.execute(sql, params())
        except Exception as exc:  # the log must never stop an answer
            self._failed(exc)
        else:
            if self._failing:
                self._failing = False
                log.warning("question log %s is writable again", self.path)

    def _failed(self, exc: BaseException) -> None:
        if not self._failing:
            self._failing = True
            log.warning("cannot write the question log %s (%s); questions are still answered "
                        "but not logged until it is fixed", self.path, exc)
        self._drop_connection()

    # --- the admin side: raises StoreUnavailable --------------------------------

    def questions(self, since: datetime | None = None) -> list[QuestionRecord]:
        return list(self.iter_questions(since))

    def iter_questions(self, since: datetime | None = None) -> Iterator[QuestionRecord]:
        if not self.path.exists():
            return iter(())
        import sqlite3

        try:
            with self._lock:
                conn = self._connection(create=False)
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
            self._drop_connection()
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
        if not self.path.exists():
            return 0
        import sqlite3

        cutoff = _iso(before)
        try:
            with self._lock:
                conn = self._connection(create=False)
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
            self._drop_connection()
            raise StoreUnavailable(f"cannot prune the question log {self.path}: {exc}") from None
        return deleted

    def close(self) -> None:
        self._drop_connection()

    # --- the connection -------------------------------------------------------------

    def _connection(self, create: bool) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
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
        self._conn = conn
        return conn

    def _drop_connection(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()
                self._conn = None


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


def default_db_path(settings: Settings | None = None) -> Path | None:
    """``$SMASSIST_DB``, else ``smassist.sqlite3`` in the user data folder; None when off."""
    settings = current(settings)
    value = settings.db
    if settings.question_log_off:
        return None
    if value:
        if "://" in value:
            raise ValueError(
                f"SMASSIST_DB={value.split('://')[0]}://… is not supported by this version; "
                "give a file path for SQLite, or 'off'")
        return Path(value).expanduser()
    return settings.data_dir() / DB_NAME


def open_default_store(settings: Settings | None = None) -> SQLiteStore | None:
    """The question log configured by the environment, or None when it is off.

    Cheap: nothing is opened until the first question is recorded.
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
