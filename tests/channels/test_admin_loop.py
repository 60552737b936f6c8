"""The admins' loop in the channels: reload and report commands, live reload with DMs.

Real bolt and python-telegram-bot against the channels' stand-in servers.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from smassist.admin.store import open_default_store
from smassist.answering.assistant import Assistant
from smassist.channels.slack.app import build_app, make_client, watch
from smassist.channels.telegram import admin_commands as telegram_admin
from smassist.channels.telegram.bot import state
from tests.admin.test_reloader import MARKER, QUESTION, version_b, write
from tests.channels.slack.harness import SECRET, Running, post_command, start_http
from tests.channels.telegram.harness import ALICE, running
from tests.support.slack_standin import SlackStandIn
from tests.support.telegram_standin import BotAPIStandIn, visible_text

ADMIN_SLACK = "U0ADMIN"
ADMIN_TELEGRAM = 77


@pytest.fixture
def live_assistant(kb_copy: Path) -> Assistant:
    return Assistant.load(kb_copy, use_cache=False, recorder=open_default_store())


@pytest.fixture
def slack_running(live_assistant: Assistant, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SMASSIST_ADMINS", f"{ADMIN_SLACK},{ADMIN_TELEGRAM}")
    with SlackStandIn() as slack:
        app = build_app(live_assistant, client=make_client("xoxb-stand-in", slack.api_url),
                        signing_secret=SECRET)
        url, server = start_http(app)
        try:
            yield Running(url, slack, live_assistant), app
        finally:
            server.shutdown()
            server.server_close()


def test_slack_reload_is_for_admins_and_reports_the_new_version(slack_running, kb_copy: Path) -> None:
    run, _ = slack_running
    post_command(run, "reload", response="alice", user="U0ALICE")
    [refused] = run.slack.wait_for("response_url:alice")
    assert "admin" in refused.args["text"] and run.assistant.kb.version[:12] not in refused.args["text"]

    roi = kb_copy / "entries" / "roi.yaml"
    write(roi, version_b(roi.read_text(encoding="utf-8")))
    post_command(run, "reload", response="admin", user=ADMIN_SLACK)
    # The new version's model is trained before it is served (seconds on CI's two cores).
    [done] = run.slack.wait_for("response_url:admin", timeout=90)
    assert run.assistant.kb.version[:12] in done.args["text"]
    assert "entries" in done.args["text"] and done.args["text"].startswith("```")
    assert MARKER in run.assistant.ask(QUESTION).text


def test_slack_report_for_admins(slack_running) -> None:
    run, _ = slack_running
    run.assistant.ask("Quelle est la météo à Paris demain ?", channel="slack", user="U0ALICE")
    post_command(run, "report", response="report", user=ADMIN_SLACK)
    [shown] = run.slack.wait_for("response_url:report")
    assert "1 question;" in shown.args["text"] and "météo" in shown.args["text"]


def test_slack_broken_edit_is_sent_once_to_each_admin_by_dm(slack_running, kb_copy: Path) -> None:
    run, app = slack_running
    good = run.assistant.kb.version
    watcher = watch(run.assistant, app.client, interval=0.05)
    try:
        roi = kb_copy / "entries" / "roi.yaml"
        broken = roi.read_text(encoding="utf-8").replace("topic: roi", "topic: roii", 1)
        write(roi, broken)
        [dm] = run.slack.wait_for("chat.postMessage")
        write(roi, broken + "\n# saved again\n")
        time.sleep(0.5)
    finally:
        watcher.stop()
    assert [c.args["channel"] for c in run.slack.calls_to("chat.postMessage")] == ["D0ADMIN"]
    assert "roi.yaml:" in dm.args["text"] and "roii" in dm.args["text"]
    assert run.assistant.kb.version == good


async def test_telegram_reload_and_report_for_admins_only(kb_copy: Path) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False, recorder=open_default_store())
    standin = BotAPIStandIn()
    await standin.start()
    try:
        async with running(standin, assistant, admins=frozenset({ADMIN_TELEGRAM}),
                           commands=telegram_admin.commands()):
            standin.message(ALICE, "/reload")
            [refused] = await standin.wait_for("sendMessage", chat_id=ALICE)
            roi = kb_copy / "entries" / "roi.yaml"
            write(roi, version_b(roi.read_text(encoding="utf-8")))
            standin.message(ADMIN_TELEGRAM, "/reload")
            # The new version's model is trained before it is served (seconds on CI's two cores).
            [reloaded] = await standin.wait_for("sendMessage", chat_id=ADMIN_TELEGRAM, timeout=90)
            standin.message(ADMIN_TELEGRAM, "/report")
            await standin.wait_for("sendMessage", 2, chat_id=ADMIN_TELEGRAM)
    finally:
        await standin.stop()
    assert assistant.kb.version[:12] not in refused.params["text"]
    assert "<pre>" in reloaded.params["text"]
    assert assistant.kb.version[:12] in visible_text(reloaded.params["text"])
    report = visible_text(standin.sent_to(ADMIN_TELEGRAM)[1].params["text"])
    # The stand-in's users write in French: the report is in the admin's language.
    assert report.startswith("Rapport smassist (30 derniers jours)")


async def test_telegram_watcher_tells_admins_about_a_broken_edit_once(kb_copy: Path) -> None:
    assistant = Assistant.load(kb_copy, use_cache=False)
    standin = BotAPIStandIn()
    await standin.start()
    try:
        async with running(standin, assistant, admins=frozenset({ADMIN_TELEGRAM, 78})) as app:
            watcher = telegram_admin.start_watching_now(app, interval=0.05)
            assert state(app).assistant is assistant
            try:
                roi = kb_copy / "entries" / "roi.yaml"
                original = roi.read_text(encoding="utf-8")
                write(roi, original.replace("topic: roi", "topic: <roii>", 1))
                await standin.wait_for("sendMessage", 2)
                write(roi, original.replace("topic: roi", "topic: <roii>", 1) + "\n# again\n")
                await asyncio.sleep(0.5)
                assert len(standin.calls_to("sendMessage")) == 2
                write(roi, version_b(original))
                await standin.wait_for("sendMessage", 4)
            finally:
                await asyncio.to_thread(watcher.stop)
    finally:
        await standin.stop()
    first = standin.sent_to(ADMIN_TELEGRAM)[0].params["text"]
    assert "&lt;roii&gt;" in first and "roi.yaml:" in first
    assert "fixed" in standin.sent_to(78)[1].params["text"]
    assert MARKER in assistant.ask(QUESTION).text
