"""Two real `smassist serve telegram` webhook processes on one PostgreSQL, as behind a load balancer.

Both talk to the same Bot API stand-in and share one fixed webhook secret; the
test plays Telegram, posting each update (and its redeliveries) to one instance
or the other. What several instances must get right (issue 16): one answer per
update whichever instance it lands on, a chat's context shared, one message to
the admin per broken edit and per fix, `/reload` on one reloading both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from smassist.answering.assistant import Assistant
from smassist.kb.loader import content_version
from tests.admin.test_reloader import MARKER, write
from tests.channels.slack.test_instances import same_size_edit
from tests.channels.telegram.harness import ALICE, ROI_QUESTION
from tests.support.instances import (
    LOG_KEY,
    START_TIMEOUT,
    Instance,
    assert_outage_said_once,
    questions_logged,
    start_instances,
    stop_and_check,
    url_via,
    wait_until,
)
from tests.support.telegram_standin import TOKEN, BotAPIStandIn, Call, visible_text

# python-telegram-bot's own rate limiter reads RetryAfter.retry_after, deprecated in 22.2.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

ADMIN = 77
SECRET = "several-instances_webhook-secret"
#: The address Telegram is given (the load balancer's); each instance listens on its own port.
PUBLIC_URL = "https://bot.example.test/telegram"

Start = Callable[..., Coroutine[Any, Any, list[Instance]]]


async def waiting(condition: Callable[[], object], what: str,
                  timeout: float = START_TIMEOUT) -> Any:
    """:func:`wait_until` off the event loop (the stand-in answers the instances from it)."""
    return await asyncio.to_thread(wait_until, condition, timeout, what)


@pytest.fixture
async def start(standin: BotAPIStandIn, postgres_url: str,
                tmp_path: Path) -> AsyncIterator[Start]:
    """``await start(kb, cache, db=None)``: two webhook instances, ``telegram-a`` and ``telegram-b``, ready."""
    started: list[Instance] = []

    async def two(kb: Path, cache: Path, db: str | None = None) -> list[Instance]:
        pair = start_instances(
            "telegram", ("telegram-a", "telegram-b"), ["--webhook-url", PUBLIC_URL], tmp_path,
            kb=kb, cache=cache, db=db or postgres_url, admins=str(ADMIN), TELEGRAM_BOT_TOKEN=TOKEN,
            SMASSIST_TELEGRAM_API_URL=standin.base_url, SMASSIST_TELEGRAM_ALLOWED_USERS="*",
            SMASSIST_TELEGRAM_WEBHOOK_SECRET=SECRET)
        started.extend(pair)
        for instance in pair:  # off the loop: the stand-in answers their start-up from it
            await asyncio.to_thread(instance.wait_ready)
        await standin.wait_for("setWebhook", 2 * (len(started) // 2), timeout=START_TIMEOUT)
        return pair

    yield two
    await asyncio.to_thread(stop_and_check, started, SECRET, TOKEN, LOG_KEY)


async def deliver(instance: Instance, update: dict[str, Any]) -> int:
    """POST an update to an instance's webhook, with the secret token Telegram sends."""
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        response = await client.post(instance.url + "/telegram", json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    return response.status_code


def settled(standin: BotAPIStandIn, chats: list[int]) -> Callable[[], dict[int, int] | None]:
    """A condition: once every chat has an answer and a second passed with nothing new, the counts."""
    seen: list[int] = []

    def check() -> dict[int, int] | None:
        if not all(standin.sent_to(c) for c in chats):
            return None
        seen.append(len(standin.calls))
        if len(seen) < 20 or seen[-20] != seen[-1]:  # 20 x 0.05 s without a new call
            return None
        return {c: len(standin.sent_to(c)) for c in chats}

    return check


# --- deliveries ----------------------------------------------------------------------------


async def test_updates_and_their_redeliveries_on_the_other_instance_are_answered_once(
        start: Start, served_kb: tuple[Path, Path], standin: BotAPIStandIn) -> None:
    a, b = await start(*served_kb)
    for call in standin.calls_to("setWebhook"):
        assert (call.params["url"], call.params["secret_token"]) == (PUBLIC_URL, SECRET)
    chats = list(range(5001, 5021))
    updates = [standin.message(chat, ROI_QUESTION) for chat in chats]
    assert [await deliver((a, b)[i % 2], u) for i, u in enumerate(updates)] == [200] * 20
    # Telegram sends an update again when it got no answer in time: here to the other instance.
    assert [await deliver((b, a)[i % 2], u) for i, u in enumerate(updates)] == [200] * 20
    counts = await waiting(settled(standin, chats), "an answer in each of the 20 chats")
    assert counts == dict.fromkeys(chats, 1)
    answered = [i.metric("smassist_questions_total", channel="telegram") for i in (a, b)]
    dropped = [i.metric("smassist_delivery_duplicates_dropped_total", channel="telegram")
               for i in (a, b)]
    # Whichever instance claims a delivery first answers it (the front acks before the claim),
    # so the split may differ from 10/10; each took 20 deliveries and answered or dropped each.
    assert sum(answered) == 20 and sum(dropped) == 20
    assert [x + y for x, y in zip(answered, dropped, strict=True)] == [20, 20] and min(answered) > 0


async def test_one_update_delivered_to_both_instances_at_once_gets_exactly_one_answer(
        start: Start, served_kb: tuple[Path, Path], standin: BotAPIStandIn) -> None:
    a, b = await start(*served_kb)
    chats = list(range(6001, 6013))
    statuses = []
    for chat in chats:
        update = standin.message(chat, ROI_QUESTION)
        statuses += await asyncio.gather(deliver(a, update), deliver(b, update))
    assert statuses == [200] * 24
    counts = await waiting(settled(standin, chats), "an answer in each of the 12 chats")
    assert counts == dict.fromkeys(chats, 1)


# --- conversations -------------------------------------------------------------------------


async def test_a_follow_up_answered_by_the_other_instance_keeps_the_chats_context(
        start: Start, served_kb: tuple[Path, Path], standin: BotAPIStandIn,
        assistant: Assistant) -> None:
    a, b = await start(*served_kb)
    assert await deliver(a, standin.message(ALICE, ROI_QUESTION)) == 200
    await standin.wait_for("sendMessage", chat_id=ALICE, timeout=START_TIMEOUT)
    assert await deliver(b, standin.message(ALICE, "source ?")) == 200
    sources = (await standin.wait_for("sendMessage", 2, chat_id=ALICE, timeout=START_TIMEOUT))[1]
    roi = assistant.answer_entry("roi-measurement", "fr")
    assert roi.statistics[0].source in visible_text(sources.params["text"])
    # Another chat has no context, whichever instance answers it.
    assert await deliver(b, standin.message(ALICE + 1, "source ?")) == 200
    [elsewhere] = await standin.wait_for("sendMessage", chat_id=ALICE + 1, timeout=START_TIMEOUT)
    assert roi.statistics[0].source not in visible_text(elsewhere.params["text"])


# --- the admins' loop ------------------------------------------------------------------------


def to_admin(standin: BotAPIStandIn) -> list[Call]:
    return standin.sent_to(ADMIN)


async def test_a_broken_edit_is_one_message_to_the_admin_across_instances_and_its_fix_one_more(
        start: Start, own_kb: tuple[Path, Path], standin: BotAPIStandIn) -> None:
    kb, _ = own_kb
    a, b = await start(*own_kb)
    roi = kb / "entries" / "roi.yaml"
    original = roi.read_text(encoding="utf-8")
    write(roi, original.replace("topic: roi", "topic: <roii>", 1))

    def refused_by_both() -> bool:
        return all(i.metric("smassist_kb_reloads_total", outcome="failed") for i in (a, b))

    await waiting(refused_by_both, "both instances refusing the broken edit")
    await waiting(settled(standin, [ADMIN]), "the admin told")
    [broken] = to_admin(standin)
    assert "&lt;roii&gt;" in broken.params["text"] and "roi.yaml:" in broken.params["text"]

    write(roi, original)

    def fixed_on_both() -> bool:
        return all(i.metric("smassist_kb_reloads_total", outcome="unchanged") for i in (a, b))

    await waiting(fixed_on_both, "both instances reloading the fixed files")
    told = settled(standin, [ADMIN])
    await waiting(lambda: len(to_admin(standin)) >= 2 and told(), "the admin told of the fix")
    messages = to_admin(standin)
    assert len(messages) == 2 and "fixed" in messages[1].params["text"]


async def test_reload_on_one_instance_reloads_both_and_lists_each_version(
        start: Start, own_kb: tuple[Path, Path], standin: BotAPIStandIn) -> None:
    kb, _ = own_kb
    a, b = await start(*own_kb)
    same_size_edit(kb / "entries" / "roi.yaml")  # unseen by the watchers
    new = content_version(kb)[:12]
    assert await deliver(b, standin.message(ADMIN, "/reload", language_code="en")) == 200
    [reply] = await standin.wait_for("sendMessage", chat_id=ADMIN, timeout=START_TIMEOUT)
    said = visible_text(reply.params["text"])
    assert f"version {new}" in said and "Instances (2):" in said, said
    assert f"- telegram-a: {new}\n" in said + "\n" and f"- telegram-b: {new} (this one)" in said, said
    assert "did not answer" not in said and "different versions" not in said, said
    for instance, chat in ((a, 7001), (b, 7002)):
        assert await deliver(instance, standin.message(chat, ROI_QUESTION)) == 200
        [answer] = await standin.wait_for("sendMessage", chat_id=chat, timeout=START_TIMEOUT)
        assert MARKER in visible_text(answer.params["text"])



# --- PostgreSQL down while serving -----------------------------------------------------------


async def test_database_down_both_keep_answering_one_warning_each_and_nothing_lost(
        start: Start, served_kb: tuple[Path, Path], standin: BotAPIStandIn,
        postgres_url: str) -> None:
    """The webhook twin of the Slack test: answers keep flowing while PostgreSQL is away, each
    instance says so once (and once when it is back), and the shared log gets every question."""

    from tests.support.tcp_proxy import TcpProxy

    parts = urlsplit(postgres_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        a, b = await start(*served_kb, db=url_via(proxy.port, postgres_url))
        assert await deliver(a, standin.message(7001, ROI_QUESTION)) == 200
        await standin.wait_for("sendMessage", chat_id=7001, timeout=START_TIMEOUT)

        proxy.cut()
        during = list(range(7101, 7107))
        for i, chat in enumerate(during):
            assert await deliver((a, b)[i % 2], standin.message(chat, ROI_QUESTION)) == 200
        # A follow-up in the first chat, on the instance that answered it: its own context.
        assert await deliver(a, standin.message(7001, "source ?")) == 200
        counts = await waiting(settled(standin, during), "an answer in each chat during the outage")
        assert counts == dict.fromkeys(during, 1)
        await standin.wait_for("sendMessage", 2, chat_id=7001, timeout=START_TIMEOUT)
        await waiting(lambda: a.get("/readyz")[0] == 503 and b.get("/readyz")[0] == 503,
                      "both instances not ready while the database is down")

        proxy.restore()
        await waiting(lambda: a.get("/readyz")[0] == 200 and b.get("/readyz")[0] == 200,
                      "both instances ready again")
        after = [7201, 7202]
        for i, chat in enumerate(after):
            assert await deliver((a, b)[i], standin.message(chat, ROI_QUESTION)) == 200
        assert await waiting(settled(standin, after), "an answer after the outage") == dict.fromkeys(after, 1)

        sent = standin.calls_to("sendMessage")
        assert not any("Traceback" in str(c.params) or "psycopg" in str(c.params) for c in sent)
        asked = 1 + len(during) + 1 + len(after)

        await waiting(lambda: questions_logged(postgres_url) >= asked, f"{asked} questions in the log")
        assert questions_logged(postgres_url) == asked
        assert_outage_said_once((a, b))
    finally:
        proxy.close()
