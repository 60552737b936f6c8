"""Telegram under load and hostile input: chats in parallel and in order, a webhook that refuses
garbage cleanly, edits not answered twice, polling outages said once. Real bot, stand-in Bot API."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import pytest

from smassist import metrics
from smassist.channels.telegram import render
from smassist.channels.telegram.access import AllowList
from smassist.channels.telegram.bot import Command, build_application, send
from smassist.channels.telegram.server import make_front
from smassist.channels.telegram.updates import PollingWatch, WatchedRequest
from tests.channels.telegram.harness import ALICE, ROI_QUESTION, running
from tests.support.telegram_standin import TOKEN, BotAPIStandIn

SECRET = "webhook-secret_for-tests"


async def echo(update: Any, context: Any) -> None:
    """/echo WORDS: sends WORDS back (to see the order answers leave in)."""
    await send(context, update.effective_chat.id, [render.Outgoing(" ".join(context.args))])


ECHO = Command("echo", echo, {"fr": "écho", "en": "echo"})


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


async def test_a_chat_whose_send_hangs_does_not_delay_another_chat(standin, assistant):
    async with running(standin, assistant, allowed="*", commands=(ECHO,)):
        standin.message(2001, "/echo warm-up")
        await standin.wait_for("sendMessage", chat_id=2001, timeout=10)
        started = time.monotonic()
        standin.message(2002, "/echo alone")
        await standin.wait_for("sendMessage", chat_id=2002, timeout=10)
        alone = time.monotonic() - started

        standin.hang_next(2001, 3.0)
        standin.message(2001, ROI_QUESTION)
        await asyncio.sleep(0.2)  # chat 2001's answer is now hanging in sendMessage
        started = time.monotonic()
        standin.message(2003, ROI_QUESTION)
        await standin.wait_for("sendMessage", chat_id=2003, timeout=10)
        other = time.monotonic() - started
        assert len(standin.sent_to(2001)) == 1  # still hanging
    # Both include one getUpdates round trip; the benchmark has the finer figure.
    assert other < alone + 0.5, (other, alone)


async def test_updates_of_one_chat_are_answered_in_the_order_they_arrived(standin, assistant):
    async with running(standin, assistant, allowed="*", commands=(ECHO,)):
        standin.hang_next(3001, 0.5)  # the first answer is slow to leave
        for i in range(5):
            standin.message(3001, f"/echo n{i}")
        standin.message(3002, "/echo other")
        sent = await standin.wait_for("sendMessage", 5, chat_id=3001, timeout=10)
        # The other chat did not wait for this one's slow first answer.
        assert standin.sent_to(3002)
    assert [c.params["text"] for c in sent] == [f"n{i}" for i in range(5)]


async def test_a_question_and_its_follow_up_are_answered_in_order_even_when_the_first_send_is_slow(
        standin, assistant):
    """The chat's turn covers the whole update (ask, then every send), not only the ask: a
    follow-up asked while the answer is still being sent waits for it, and sees its context."""
    from tests.support.telegram_standin import visible_text

    async with running(standin, assistant, allowed="*"):
        standin.hang_next(3101, 0.8)  # the answer is slow to leave
        standin.message(3101, ROI_QUESTION)
        standin.message(3101, "source ?")  # asked at once, answered from the first's context
        standin.message(3102, ROI_QUESTION)
        sent = await standin.wait_for("sendMessage", 2, chat_id=3101, timeout=15)
        [other] = standin.sent_to(3102)
        await asyncio.sleep(0.3)
        assert len(standin.sent_to(3101)) == 2  # nothing more, nothing twice
    roi = assistant.answer_entry("roi-measurement", "fr")
    answer, sources = (visible_text(c.params["text"]) for c in sent)
    assert roi.statistics[0].formatted in answer
    assert roi.statistics[0].source in sources and sources != answer
    # The other chat did not wait for this one's slow send: delivered before it.
    assert standin.calls.index(other) < standin.calls.index(sent[0])


async def test_an_edited_message_is_not_answered_again(standin, assistant):
    async with running(standin, assistant) as app:
        update = standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage", chat_id=ALICE, timeout=10)
        edited = dict(update["message"], text="Faut-il une charte ?", edit_date=int(time.time()))
        standin.push({"edited_message": edited})
        standin.message(ALICE, "/echo after")  # not registered: the unknown-command answer
        await standin.wait_for("sendMessage", 2, chat_id=ALICE, timeout=10)
        await asyncio.sleep(0.3)
        assert app is not None
    assert len(standin.sent_to(ALICE)) == 2
    assert len(assistant.recorder.questions) == 1


async def _webhook(standin, assistant):
    application = build_application(assistant, TOKEN, base_url=standin.base_url,
                                    allowed=AllowList.parse(str(ALICE)))
    front = make_front(application, assistant, secret=SECRET, path="telegram", port=0)
    await front.start()
    return front


def _update(update_id: int, text: str = ROI_QUESTION) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": ALICE, "type": "private"},
        "from": BotAPIStandIn.user(ALICE, "fr"), "text": text}}


BAD_BODIES = {
    "truncated JSON": (b'{"update_id": 1, "message": {"text": "a', 400),
    "JSON array": (b"[1, 2]", 400),
    "deep array": (b"[" * 100_000 + b"]" * 100_000, 400),
    "not an update": (b'{"hello": "world"}', 400),
    "message is a string": (b'{"update_id": 9, "message": "hi"}', 400),
    "not UTF-8": (b"\xff\xfe{", 400),
    "empty": (b"", 400),
}


@pytest.mark.parametrize("name", BAD_BODIES)
async def test_a_malformed_webhook_update_is_refused_in_one_line_without_traceback(
        standin, assistant, caplog, name):
    body, expected = BAD_BODIES[name]
    front = await _webhook(standin, assistant)
    try:
        with caplog.at_level(logging.INFO):
            async with httpx.AsyncClient(trust_env=False) as client:
                answer = await client.post(front.url + "/telegram", content=body, headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})
                good = await client.post(front.url + "/telegram", json=_update(50),
                                         headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            await standin.wait_for("sendMessage", chat_id=ALICE, timeout=10)
    finally:
        await front.stop()
    assert answer.status_code == expected and "error" in answer.json()
    assert good.status_code == 200  # and the bot goes on answering
    assert tracebacks(caplog) == []
    refused = [r.getMessage() for r in caplog.records
               if r.name == "smassist.http.access" and f" {expected} " in r.getMessage()]
    assert len(refused) == 1 and len(refused[0]) < 200


async def test_a_button_of_an_inline_mode_message_is_answered_without_a_chat(standin, assistant,
                                                                             caplog):
    front = await _webhook(standin, assistant)
    try:
        with caplog.at_level(logging.INFO):
            async with httpx.AsyncClient(trust_env=False) as client:
                answer = await client.post(front.url + "/telegram", headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET}, json={
                    "update_id": 77, "callback_query": {
                        "id": "cbq-inline", "from": BotAPIStandIn.user(ALICE, "fr"),
                        "chat_instance": "1", "inline_message_id": "AAAinline", "data": "o:1:x"}})
            [answered] = await standin.wait_for("answerCallbackQuery", timeout=10)
    finally:
        await front.stop()
    assert answer.status_code == 200 and answered.params["callback_query_id"] == "cbq-inline"
    assert tracebacks(caplog) == []


async def test_a_redelivered_update_is_acknowledged_and_answered_once(standin, assistant):
    front = await _webhook(standin, assistant)
    before = metrics.DUPLICATES_DROPPED.value(channel="telegram")
    try:
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(3):
                answer = await client.post(front.url + "/telegram", json=_update(123),
                                           headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert answer.status_code == 200
        await standin.wait_for("sendMessage", chat_id=ALICE, timeout=10)
        await asyncio.sleep(0.3)
    finally:
        await front.stop()
    assert len(standin.sent_to(ALICE)) == 1
    assert metrics.DUPLICATES_DROPPED.value(channel="telegram") - before == 2


async def test_polling_failures_are_one_warning_per_outage(standin, assistant, caplog):
    watch = PollingWatch()
    application = build_application(assistant, TOKEN, base_url=standin.base_url,
                                    allowed=AllowList.parse(str(ALICE)),
                                    get_updates_request=WatchedRequest(watch, connection_pool_size=1))
    for _ in range(3):
        standin.fail_next("getUpdates", 502, "Bad Gateway")
    with caplog.at_level(logging.DEBUG):
        await application.initialize()
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1,
                                                error_callback=watch.failed)
        try:
            standin.message(ALICE, ROI_QUESTION)
            await standin.wait_for("sendMessage", chat_id=ALICE, timeout=20)
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
    warnings = [r.getMessage() for r in caplog.records
                if r.name.startswith(("smassist", "telegram")) and r.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings
    assert "cannot poll Telegram" in warnings[0] and "works again" in warnings[1]
    assert "3 failed polls" in warnings[1]
    assert tracebacks(caplog) == []
