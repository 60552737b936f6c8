"""A question log and a running console for the console's tests."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from smassist import Assistant
from smassist.admin.store import SQLiteStore, _iso, utcnow

#: A question smassist cannot answer, carrying markup and a template: shown as text, never run.
SCRIPT_QUESTION = "<script>document.title='pwned'</script> quel temps fera-t-il demain ?"
TEMPLATE_QUESTION = "Quelle est la météo à Paris demain {{ 7*7 }} ?"

#: (days ago, channel, question, times asked, feedback on the first answer, expected kind)
PLAN = [
    (3, "slack", "Combien d'entreprises mesurent leur ROI ?", 3, True, "answer"),
    (3, "telegram", "Faut-il une charte des médias sociaux ?", 2, False, "answer"),
    (2, "slack", "How many companies measure their ROI?", 2, None, "answer"),
    (1, "cli", SCRIPT_QUESTION, 2, None, "unknown"),
    (1, "slack", TEMPLATE_QUESTION, 1, None, "unknown"),
]
#: What the report must say about PLAN: 10 questions, 7 answered (70 %),
#: 2 rated of which 1 useful (50 %), 5 days from 3 days ago to today.
QUESTIONS = 10
ANSWERED = 7
RATED, USEFUL = 2, 1


def build_log(path: Path, kb: Path) -> list[str]:
    """Ask PLAN's questions through a real assistant into a SQLite log at ``path``; their kinds."""
    store = SQLiteStore(path, secret="test-log-key-" + "x" * 20)
    assistant = Assistant.load(kb, recorder=store)
    kinds = []
    now = utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < timedelta(hours=1):
        # Each day's records are dated up to an hour back: keep them on one calendar day.
        now = midnight - timedelta(seconds=1)
    when = []
    for days, channel, question, times, useful, _kind in PLAN:
        for n in range(times):
            reply = assistant.ask(question, channel=channel, user=f"user-{n}")
            kinds.append(reply.kind)
            if useful is not None and n == 0:
                assistant.record_feedback(reply.id, useful, channel=channel, user=f"user-{n}")
            when.append((_iso(now - timedelta(days=days, minutes=n + 1)), reply.id))
    store.close()  # the writer thread writes what is queued first
    conn = sqlite3.connect(path)
    conn.executemany("UPDATE questions SET asked_at = ? WHERE reply_id = ?", when)
    conn.commit()
    conn.close()
    return kinds


def expected_kinds() -> list[str]:
    return [kind for _d, _c, _q, times, _u, kind in PLAN for _ in range(times)]


@dataclass
class RunningConsole:
    url: str
    console: object
    stop: object


def start_console(kb: Path, db: Path | None, token: str | None) -> RunningConsole:
    """The console on the shared HTTP front, 127.0.0.1 and a free port, served from a thread."""
    from smassist.web.console.app import Console
    from smassist.web.console.server import build_front

    assistant = Assistant.load(kb)
    store = SQLiteStore(db) if db is not None else None
    console = Console(assistant, store, token)
    front = build_front(console, "127.0.0.1", 0)
    url = front.start_in_thread(timeout=30)
    return RunningConsole(url, console, front.stop_thread)
