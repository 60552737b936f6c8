"""How Telegram updates are processed: chats in parallel, each chat in order; polling outages said once.

:class:`ChatOrdered` is python-telegram-bot's update processor hook: updates of
different chats run concurrently (a send that hangs for one chat holds up
nobody else), while the updates of one chat run one after the other, in the
order they arrived (an answer never overtakes the question before it).

:class:`PollingWatch` turns python-telegram-bot's one-traceback-per-failed-poll
into one warning when polling starts failing and one line when it works again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.request import HTTPXRequest, RequestData

logger = logging.getLogger("smassist.telegram")

#: Updates processed at once, all chats together.
MAX_CONCURRENT_UPDATES = 64


class ChatOrdered(BaseUpdateProcessor):
    """Concurrent across chats, sequential (FIFO) within a chat."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES):
        super().__init__(max_concurrent_updates)
        self._chats: dict[Any, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._chats.get(key) or (asyncio.Lock(), 0)
        self._chats[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock is FIFO: arrival order within the chat
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users <= 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def chat_key(update: object) -> Any:
    """What orders an update: its chat, else its sender (an inline-mode button has no chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class PollingWatch:
    """One warning when getUpdates starts failing, one line when it answers again."""

    def __init__(self) -> None:
        self.failing_since: float | None = None
        self.failures = 0

    def failed(self, error: BaseException) -> None:
        """python-telegram-bot's polling ``error_callback``."""
        self.failures += 1
        if self.failing_since is None:
            self.failing_since = time.monotonic()
            logger.warning("cannot poll Telegram for updates (%s: %s); retrying quietly until "
                           "it answers", type(error).__name__, error)

    def succeeded(self) -> None:
        if self.failing_since is not None:
            logger.warning("polling Telegram works again after %.0fs (%d failed polls)",
                           time.monotonic() - self.failing_since, self.failures)
            self.failing_since = None
            self.failures = 0


class WatchedRequest(HTTPXRequest):
    """The getUpdates connection, telling ``watch`` each time Telegram answers (failures reach it
    through ``start_polling(error_callback=watch.failed)``)."""

    def __init__(self, watch: PollingWatch, **kwargs: Any):
        super().__init__(**kwargs)
        self.watch = watch

    async def post(self, url: str, request_data: RequestData | None = None, **kwargs: Any) -> Any:
        result = await super().post(url, request_data, **kwargs)  # failures: the error_callback
        self.watch.succeeded()
        return result
