"""What every channel shares, written once in channels/base.py."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from smassist import Assistant, Reply
from smassist.answering.reply import Suggestion
from smassist.channels.base import (
    COMMANDS,
    Channel,
    actions,
    conversation_key,
    retrying,
)
from smassist.channels.logs import Redacting
from smassist.settings import Settings
from smassist.texts import LANGS, text


class Digits(Channel):
    name = "digits"
    admin_id = re.compile(r"\d+")


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


def test_conversation_keys_name_the_channel_then_the_place() -> None:
    assert conversation_key("slack", "T1", "C1", "1700.1") == "slack:T1:C1:1700.1"


def test_each_channel_keeps_the_admin_ids_of_its_own_platform(assistant: Assistant) -> None:
    channel = Digits(assistant, Settings.from_env({"SMASSIST_ADMINS": "U0ADMIN, 123, 456"}))
    assert channel.admin_ids() == ("123", "456")
    assert channel.is_admin(123) and not channel.is_admin("U0ADMIN") and not channel.is_admin(None)


def test_buttons_depend_on_the_kind_of_reply() -> None:
    follow = (Suggestion("a", "A"),)
    answer = actions(Reply("q", "answer", "t", "fr", entry="a", follow_ups=follow))
    assert answer.follow_ups == follow and answer.feedback and answer.sources_of is None
    clarify = actions(Reply("q", "clarify", "t", "fr", suggestions=follow * 5))
    assert len(clarify.choices) == 3 and not clarify.follow_ups
    assert not actions(Reply("q", "invalid", "t", "fr")).feedback


def test_every_command_has_a_menu_text_in_both_languages() -> None:
    for command in COMMANDS.values():
        assert all(command.description(lang) for lang in LANGS)
        assert command.description("fr") == text("fr", f"command.{command.name}")


def test_the_language_hint_is_the_locale_only_when_the_text_cannot_tell(assistant: Assistant) -> None:
    channel = Digits(assistant, Settings.from_env({}))
    asked = []
    assert channel.language_hint("Combien d'entreprises ont une charte ?", "k", lambda: asked.append(1)) is None
    assert asked == []  # a clear question needs no platform call
    assert channel.language_hint("ROI ?", "k", "en-GB") == "en-GB"


def test_secrets_never_reach_the_log() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET https://api/bot123:SECRET/getMe",
                               None, None)
    assert "SECRET" not in Redacting(logging.Formatter("%(message)s"), ["123:SECRET"]).format(record)


def test_a_transient_error_is_retried_and_a_permanent_one_is_not() -> None:
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 2:
            raise ConnectionError("reset")
        return "sent"

    assert asyncio.run(retrying(flaky, retry_on=(OSError,), pause=0)) == "sent" and len(calls) == 2

    async def refused() -> None:
        calls.append(1)
        raise PermissionError("forbidden")

    calls.clear()
    with pytest.raises(PermissionError):
        asyncio.run(retrying(refused, retry_on=(OSError,), never=(PermissionError,), pause=0))
    assert len(calls) == 1
