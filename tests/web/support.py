"""A question log and a running console for the console's tests."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
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
    conn = sqlite3.connect(path)
    now = utcnow()
    for days, channel, question, times, useful, _kind in PLAN:
        for n in range(times):
            reply = assistant.ask(question, channel=channel, user=f"user-{n}")
            kinds.append(reply.kind)
            if useful is not None and n == 0:
                assistant.record_feedback(reply.id, useful, channel=channel, user=f"user-{n}")
            asked = now - timedelta(days=days, minutes=n + 1)
            conn.execute("UPDATE questions SET asked_at = ? WHERE reply_id = ?", (_iso(asked), reply.id))
            conn.commit()
    conn.close()
    store.close()
    return kinds


def expected_kinds() -> list[str]:
    return [kind for _d, _c, _q, times, _u, kind in PLAN for _ in range(times)]


@dataclass
class RunningConsole:
    url: str
    console: object
    stop: object


def start_console(kb: Path, db: Path | None, token: str | None) -> RunningConsole:
    """The console app on 127.0.0.1 (a free port), served from a thread with its own loop."""
    from aiohttp import web

    from smassist.web.console.app import Console, make_app

    assistant = Assistant.load(kb)
    store = SQLiteStore(db) if db is not None else None
    console = Console(assistant, store, token)
    app = make_app(console)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        holder["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        holder["runner"] = runner
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30), "the console did not start"

    def stop() -> None:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)

    return RunningConsole(f"http://127.0.0.1:{holder['port']}", console, stop)
