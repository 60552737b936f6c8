"""``/reload`` and ``/report``: the admins' loop on Telegram.

:func:`register` adds both commands (admins only: the Telegram ids in
``SMASSIST_ADMINS``) and starts the knowledge-base watcher with the bot; a
broken edit is sent to each admin once, from the watcher thread onto the
bot's event loop.
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import Application, ContextTypes

from smassist.channels.telegram import render
from smassist.channels.telegram.channel import (
    Command,
    add_command,
    chat_lang,
    notify_admins,
    send,
    state,
)
from smassist.texts import descriptions

if TYPE_CHECKING:
    from smassist.admin.reloader import Watcher

logger = logging.getLogger(__name__)

_WATCHER_KEY = "smassist.watcher"
DESCRIPTIONS = {name: descriptions(f"command.{name}") for name in ("reload", "report")}


async def _send_text(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    if update.effective_chat is None:
        return
    escaped = html.escape(text, quote=False)
    # One message in <pre> keeps the report's columns aligned; a long one is split.
    parts = [f"<pre>{escaped}</pre>"] if len(escaped) < 3800 else render.split_html(escaped)
    await send(context, update.effective_chat.id, [render.Outgoing(p) for p in parts])


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reload the knowledge base now; say the version, the counts, or every problem."""
    channel = state(context)
    text = await asyncio.to_thread(channel.admin_text, "reload", chat_lang(update, context))
    await _send_text(update, context, text)


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The question log of the last REPORT_PERIOD: per day and channel, answered rate, gaps."""
    channel = state(context)
    text = await asyncio.to_thread(channel.admin_text, "report", chat_lang(update, context))
    await _send_text(update, context, text)


def commands() -> tuple[Command, ...]:
    """/reload and /report, for admins only."""
    return (Command("reload", reload, DESCRIPTIONS["reload"], admin=True),
            Command("report", report, DESCRIPTIONS["report"], admin=True))


def register(application: Application, *, watch: bool = True, interval: float = 1.0) -> None:
    """Add /reload and /report; with ``watch``, reload edits live while the bot runs.

    Call before the application starts.
    """
    for command in commands():
        add_command(application, command)
    if not watch:
        return
    previous_init, previous_shutdown = application.post_init, application.post_shutdown

    async def start_watching(app: Application) -> None:
        if previous_init is not None:
            await previous_init(app)
        app.bot_data[_WATCHER_KEY] = start_watching_now(app, interval)

    async def stop_watching(app: Application) -> None:
        watcher = app.bot_data.pop(_WATCHER_KEY, None)
        if watcher is not None:
            await asyncio.to_thread(watcher.stop)
        if previous_shutdown is not None:
            await previous_shutdown(app)

    application.post_init = start_watching
    application.post_shutdown = stop_watching


def start_watching_now(application: Application, interval: float = 1.0) -> Watcher:
    """The watcher for the running bot; call from its event loop."""
    from smassist.admin.reloader import start_watcher

    loop = asyncio.get_running_loop()

    def tell_admins(text: str) -> None:
        # Called from the watcher thread: hand the sending to the bot's loop.
        future = asyncio.run_coroutine_threadsafe(notify_admins(application, text), loop)
        future.result(timeout=60)

    channel = state(application)
    # Each reload also reads the access files again (the allow-list, the admins).
    return start_watcher(channel.assistant, notify=tell_admins, interval=interval,
                         on_reload=channel.rereading_access())
