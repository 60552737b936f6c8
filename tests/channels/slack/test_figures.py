"""``/smassist trend`` and ``/smassist brief``: the real bolt app against the Slack stand-in."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smassist.answering.assistant import Assistant
from smassist.channels.slack import blocks
from smassist.channels.slack.app import build_app, make_client
from smassist.kb import loader
from tests.channels.slack.harness import (
    SECRET,
    Running,
    buttons,
    click,
    mention,
    next_ts,
    post_command,
    post_event,
    start_http,
)
from tests.support.slack_standin import Failure, SlackStandIn
from tests.support.trend_kb import write_kb

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def running(slack: SlackStandIn, tmp_path: Path) -> Iterator[Running]:
    assistant = Assistant(loader.load(write_kb(tmp_path / "kb")))
    app = build_app(assistant, client=make_client("xoxb-stand-in", slack.api_url),
                    signing_secret=SECRET)
    url, server = start_http(app)
    yield Running(url, slack, assistant)
    server.shutdown()
    server.server_close()


def test_trend_posts_the_text_and_uploads_the_chart_in_its_thread(running: Running) -> None:
    status, _ = post_command(running, "trend social selling")
    assert status == 200
    [posted] = running.slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C0GENERAL"
    assert "2018 barometer, 427 respondents in France" in posted.args["text"]  # the fallback
    assert "*Share of respondents doing social selling*" in posted.all_text()
    [complete] = running.slack.wait_for("files.completeUploadExternal", timeout=30)
    [url_call] = running.slack.calls_to("files.getUploadURLExternal")
    assert url_call.args["filename"] == "social-selling-en.png"
    [upload] = [c for c in running.slack.calls if c.method.startswith("upload:")]
    assert upload.args["data"][:8] == PNG_SIGNATURE
    assert int(url_call.args["length"]) == len(upload.args["data"])
    assert complete.args["channel_id"] == "C0GENERAL"
    assert complete.args["thread_ts"] == "1700000001.000100"  # the ts of the posted text


def test_trend_where_the_app_cannot_post_answers_privately(running: Running) -> None:
    running.slack.locales["U0ALICE"] = "fr-FR"
    running.slack.fail_next("chat.postMessage",
                            Failure(200, body={"ok": False, "error": "not_in_channel"}))
    post_command(running, "trend roi", response="private")
    [answer] = running.slack.wait_for("response_url:private")
    assert answer.args["response_type"] == "ephemeral"
    assert "ce n'est pas la même population" in answer.args["text"]
    running.slack.settle()
    assert not running.slack.calls_to("files.getUploadURLExternal")


def test_trend_without_matplotlib_posts_the_text_alone(running: Running,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    post_command(running, "trend roi")
    [posted] = running.slack.wait_for("chat.postMessage")
    assert "Share of companies measuring ROI" in posted.args["text"]
    running.slack.settle()
    assert not running.slack.calls_to("files.getUploadURLExternal")


def test_brief_answers_privately_with_sources_and_buttons_to_the_entries(running: Running) -> None:
    running.slack.locales["U0ALICE"] = "fr-FR"
    post_command(running, "brief", response="brief")
    [answer] = running.slack.wait_for("response_url:brief")
    assert answer.args["response_type"] == "ephemeral"
    assert answer.args["text"].startswith("Les 3 chiffres à connaître\n1. 50\u202f% des répondants")
    entry_buttons = buttons(answer, blocks.ACTION_FOLLOW_UP)
    assert [b["text"]["text"] for b in entry_buttons] == [
        "Le social selling, qui le pratique ?", "Qui mesure son ROI ?", "Quelle taille d'équipe ?"]
    click(running, entry_buttons[1], ephemeral=True, response="entry")
    running.slack.wait_for("response_url:entry")
    assert "31\u202f% des entreprises mesurent leur ROI" in running.slack.calls_to(
        "response_url:entry")[0].all_text()


def test_a_trend_question_by_mention_gets_the_chart_in_the_question_thread(running: Running) -> None:
    ts = next_ts()
    post_event(running, mention("is social selling growing over time?", ts=ts))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == ts
    assert "427 respondents in France" in posted.args["text"]
    [complete] = running.slack.wait_for("files.completeUploadExternal", timeout=30)
    assert complete.args["channel_id"] == "C0GENERAL"
    assert complete.args["thread_ts"] == ts
