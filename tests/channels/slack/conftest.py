"""Fixtures of this channel's tests: the stand-in server, the assistant, a running app."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from smassist.answering.assistant import Assistant
from smassist.channels.slack.app import build_app, make_client
from tests.channels.slack.harness import (
    _PROXIES,
    SECRET,
    QuestionLog,
    Running,
    start_http,
)
from tests.conftest import BUNDLED_KB
from tests.support.slack_standin import (
    SlackStandIn,
)


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack-sdk and urllib honour proxy variables; the stand-in is local."""
    for name in _PROXIES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def bundled() -> Assistant:
    """The bundled knowledge base, loaded once (SMASSIST_TEST_KB: another one, for development)."""
    return Assistant.load(os.environ.get("SMASSIST_TEST_KB") or BUNDLED_KB, use_cache=False)


@pytest.fixture
def assistant(bundled: Assistant) -> Assistant:
    """A fresh assistant (no conversations, an empty question log) on that knowledge base."""
    return Assistant(bundled.state.kb, bundled.state.engine, recorder=QuestionLog())


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def running(slack: SlackStandIn, assistant: Assistant) -> Iterator[Running]:
    app = build_app(assistant, client=make_client("xoxb-stand-in", slack.api_url),
                    signing_secret=SECRET)
    url, server = start_http(app)
    yield Running(url, slack, assistant)
    server.shutdown()
    server.server_close()
