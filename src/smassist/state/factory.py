"""The one place that chooses where shared state lives: in memory, or in PostgreSQL.

``SMASSIST_DB`` unset, a path or ``off``: the SQLite question log (or none) and
everything else in this process, with nothing to configure. A ``postgresql://``
URL: everything in that database (psycopg 3, the ``smassist[postgres]`` extra),
with ``SMASSIST_LOG_KEY`` required so that every instance keys users alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smassist.admin.store import QuestionStore, StoreUnavailable, database_url, open_default_store
from smassist.settings import Settings, current
from smassist.state import SharedState, StateConfigError, instance_name, memory_state

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant

_KEY_HINT = "make one with:  python3 -c 'import secrets; print(secrets.token_hex(32))'"


def config_problem(settings: Settings | None = None) -> str | None:
    """What :func:`open_state` would refuse before reaching any server (the PostgreSQL extra
    missing, ``SMASSIST_LOG_KEY`` missing), else None: ``serve`` says it with the other
    configuration errors, before loading anything or calling the platform."""
    settings = current(settings)
    if not database_url(settings):
        return None
    from smassist.state.postgres_support import require_driver

    try:
        require_driver()
    except StateConfigError as exc:
        return str(exc)
    if not (settings.log_key or "").strip():
        return _NO_KEY
    return None


_NO_KEY = ("SMASSIST_DB is a PostgreSQL URL, so SMASSIST_LOG_KEY must be set, the same secret "
           f"on every instance (else each host would key users differently); {_KEY_HINT}")


def open_state(settings: Settings | None = None) -> SharedState:
    """The shared state ``SMASSIST_DB`` configures; StateConfigError when a PostgreSQL URL
    cannot be used (extra missing, SMASSIST_LOG_KEY missing, server unreachable)."""
    settings = current(settings)
    url = database_url(settings)
    if not url:
        return memory_state(open_default_store(settings))
    from smassist.state.postgres_support import require_driver

    require_driver()
    secret = (settings.log_key or "").strip()
    if not secret:
        raise StateConfigError(_NO_KEY)
    from smassist.admin.postgres import PostgresStore
    from smassist.state import postgres

    db = postgres.Database(url)
    db.open()
    deliveries = postgres.PostgresDeliveries(db)
    conversations = postgres.PostgresConversations(db)

    def maintenance(conn: Any) -> None:  # every few minutes: expired claims and contexts go
        deliveries.prune(conn)
        conversations.prune(conn)

    versions = postgres.PostgresVersions(db, instance_name(settings), maintenance=maintenance)
    store = PostgresStore(db, secret=secret, raw_users=settings.log_raw_users)
    return SharedState(deliveries, conversations, postgres.PostgresNotices(db), versions, store,
                       kind="postgresql", health=db, _closers=[db.close])


def serve_state(assistant: Assistant, settings: Settings | None = None) -> SharedState:
    """``open_state`` installed on ``assistant`` for ``smassist serve``: its conversations and
    question log, its version recorded, and a reload whenever another instance asks."""
    from smassist.admin.reloader import reload_now

    shared = open_state(settings)
    shared.install(assistant, reload_now)
    return shared


def open_question_store(settings: Settings | None = None, *,
                        strict: bool = False) -> QuestionStore | None:
    """The question log alone (``smassist log``, ``report``, ``ask``): SQLite, PostgreSQL or None.

    For PostgreSQL the server is reached (and its schema migrated) now; when that fails,
    ``strict`` raises StoreUnavailable, else the log is off with a warning.
    """
    settings = current(settings)
    url = database_url(settings)
    if not url:
        return open_default_store(settings)
    from smassist.admin.store import log

    try:
        from smassist.state.postgres_support import require_driver

        require_driver()
        secret = (settings.log_key or "").strip()
        if not secret and not strict:  # reading, exporting, pruning need no key; recording does
            raise StateConfigError("SMASSIST_DB is a PostgreSQL URL: set SMASSIST_LOG_KEY (the "
                                   f"same secret on every instance) to log questions; {_KEY_HINT}")
        from smassist.state.postgres import Database

        db = Database(url, max_size=2)
        db.open(wait=2.0)
    except StateConfigError as exc:
        if strict:
            raise StoreUnavailable(str(exc)) from None
        log.warning("question log off: %s", exc)
        return None
    from smassist.admin.postgres import PostgresStore

    return PostgresStore(db, secret=secret or None, raw_users=settings.log_raw_users)
