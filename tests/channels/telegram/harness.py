"""Helpers the tests of this channel share (fixtures are in conftest.py)."""

from __future__ import annotations

import functools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from smassist.answering.assistant import Assistant
from smassist.channels.telegram import render
from smassist.channels.telegram.access import AllowList
from smassist.channels.telegram.bot import (
    Command,
    add_command,
    build_application,
)
from tests.conftest import ListRecorder
from tests.support.telegram_standin import TOKEN, BotAPIStandIn, Call

REPO = Path(__file__).resolve().parents[3]

KB_PATH = os.environ.get("SMASSIST_TEST_KB") or str(REPO / "knowledge")

ALICE = 1001  # allowed

MALLORY = 6666  # not on the allow-list

ROI_QUESTION = "Combien d'entreprises mesurent leur ROI ?"


RecorderSpy = ListRecorder

@functools.cache
def _compiled() -> Assistant:
    return Assistant.load(KB_PATH)

@asynccontextmanager
async def running(standin: BotAPIStandIn, assistant: Assistant, allowed: str | None = str(ALICE),
                  admins: frozenset[int] = frozenset(),
                  commands: tuple[Command, ...] = ()) -> AsyncIterator[Any]:
    """The real Application, started as `run_polling` starts it, polling the stand-in."""
    app = build_application(assistant, TOKEN, base_url=standin.base_url,
                            allowed=AllowList.parse(allowed), admins=admins)
    for command in commands:
        add_command(app, command)
    await app.initialize()
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

def keyboard(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]

def button_data(call: Call) -> list[str]:
    return [b["callback_data"] for b in keyboard(call)]

def all_buttons(messages: list[render.Outgoing]) -> list[str]:
    return [b.callback_data for m in messages if m.keyboard
            for row in m.keyboard.inline_keyboard for b in row]



