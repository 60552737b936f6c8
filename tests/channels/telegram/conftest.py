"""Fixtures of this channel's tests: the stand-in server, the assistant, a running app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from smassist.answering.assistant import Assistant
from tests.channels.telegram.harness import (
    RecorderSpy,
    _compiled,
)
from tests.support.telegram_standin import BotAPIStandIn


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables; the stand-in is on 127.0.0.1."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("TELEGRAM_BOT_TOKEN", "SMASSIST_TELEGRAM_API_URL",
                 "SMASSIST_TELEGRAM_ALLOWED_USERS", "SMASSIST_TELEGRAM_WEBHOOK_SECRET",
                 "SMASSIST_ADMINS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def assistant() -> Assistant:
    """A fresh assistant (own conversations, own recorder) on the knowledge base loaded once."""
    loaded = _compiled()
    fresh = Assistant(loaded.kb, loaded.state.engine)
    fresh.recorder = RecorderSpy()
    return fresh


@pytest.fixture
async def standin() -> AsyncIterator[BotAPIStandIn]:
    server = BotAPIStandIn()
    await server.start()
    yield server
    await server.stop()
