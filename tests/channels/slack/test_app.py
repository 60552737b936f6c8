"""The Slack app end to end (real bolt over real HTTP, a stand-in Web API): mentions, DMs, threads, /smassist, buttons, signatures, language, retries, Socket Mode."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from smassist.answering.assistant import Assistant
from smassist.channels.slack import blocks
from smassist.channels.slack.app import build_app, make_client
from smassist.channels.slack.commands import SubCommandSpec
from smassist.texts import text as text_of
from tests.channels.slack.harness import (
    QUESTION_EN,
    QUESTION_FR,
    SECRET,
    Running,
    buttons,
    click,
    direct_message,
    event_payload,
    figures,
    has_source_context,
    mention,
    next_ts,
    post_command,
    post_event,
    signed_post,
    start_http,
)
from tests.support.slack_standin import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Failure,
    SlackStandIn,
    SocketModeStandIn,
)

# --- mentions, DMs, threads ------------------------------------------------------------------


def test_mention_in_a_channel_is_answered_in_the_thread_of_the_question(running: Running) -> None:
    ts = next_ts()
    status, _ = post_event(running, mention(QUESTION_FR, ts=ts))
    assert status == 200
    [posted] = running.slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C0GENERAL"
    assert posted.args["thread_ts"] == ts
    assert posted.args["text"].strip()  # the plain-text fallback
    assert has_source_context(posted)
    assert {b["action_id"] for b in buttons(posted, "smassist_feedback")} == {
        blocks.ACTION_USEFUL, blocks.ACTION_NOT_USEFUL}
    assert 1 <= len(buttons(posted, blocks.ACTION_FOLLOW_UP)) <= 3
    [(reply, channel, user)] = running.log.questions
    assert (channel, user) == ("slack", "U0ALICE")
    assert reply.question == QUESTION_FR  # the app's own mention is not part of the question


def test_mention_inside_a_thread_is_answered_in_that_thread(running: Running) -> None:
    parent = next_ts()
    post_event(running, mention(QUESTION_EN, thread_ts=parent))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == parent


def test_source_in_a_thread_answers_about_the_last_answer_in_that_thread(running: Running) -> None:
    thread = next_ts()
    post_event(running, mention(QUESTION_FR, ts=thread))
    [answer] = running.slack.wait_for("chat.postMessage")
    first_figure = figures(answer)[0]
    post_event(running, mention("source ?", thread_ts=thread))
    in_thread = running.slack.wait_for("chat.postMessage", 2)[1]
    assert in_thread.args["thread_ts"] == thread
    assert first_figure in in_thread.all_text()  # the sources of that answer, figure by figure

    other_thread = next_ts()
    post_event(running, mention("source ?", ts=other_thread))
    elsewhere = running.slack.wait_for("chat.postMessage", 3)[2]
    assert elsewhere.args["thread_ts"] == other_thread
    assert first_figure not in elsewhere.all_text()  # nothing was answered in that thread yet


def test_direct_message_is_answered_in_the_dm(running: Running) -> None:
    post_event(running, direct_message(QUESTION_EN, channel="D0ALICE"))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "D0ALICE"
    assert not posted.args.get("thread_ts")
    assert has_source_context(posted)


def test_messages_from_bots_and_from_the_app_itself_are_ignored(running: Running) -> None:
    post_event(running, direct_message(QUESTION_FR, bot_id="B0OTHER"))
    post_event(running, direct_message(QUESTION_FR, subtype="bot_message", bot_id="B0OTHER"))
    post_event(running, direct_message(QUESTION_FR, user=BOT_USER_ID))
    post_event(running, direct_message(QUESTION_FR, bot_id=BOT_ID, user=BOT_USER_ID))
    post_event(running, direct_message(QUESTION_FR, subtype="message_changed"))
    post_event(running, mention(QUESTION_FR, user="U0OTHERBOT") | {"bot_id": "B0OTHER"})
    running.slack.settle()
    assert running.slack.calls_to("chat.postMessage") == []
    post_event(running, direct_message(QUESTION_FR))  # a person is still answered
    running.slack.wait_for("chat.postMessage")


def test_a_slack_retry_of_a_handled_event_is_acknowledged_and_not_answered_twice(running: Running) -> None:
    event = mention(QUESTION_FR)
    assert post_event(running, event, event_id="Ev0RETRY")[0] == 200
    running.slack.wait_for("chat.postMessage")
    status, _ = post_event(running, event, event_id="Ev0RETRY",
                           headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert status == 200
    running.slack.settle()
    assert len(running.slack.calls_to("chat.postMessage")) == 1


def test_events_are_acknowledged_before_the_answer_is_sent(running: Running) -> None:
    # Slack rate-limits the first post for a second: the ack must not wait for it.
    running.slack.fail_next("chat.postMessage", Failure(429, {"Retry-After": "1"},
                                                        {"ok": False, "error": "ratelimited"}))
    status, _ = post_event(running, mention(QUESTION_FR))
    assert status == 200
    assert running.slack.calls_to("chat.postMessage") == []
    running.slack.wait_for("chat.postMessage", timeout=5)

# --- /smassist -----------------------------------------------------------------------------------


def test_slash_command_answers_privately_with_a_button_to_post_to_the_channel(running: Running) -> None:
    status, _ = post_command(running, QUESTION_FR, response="private")
    assert status == 200
    [answer] = running.slack.wait_for("response_url:private")
    assert answer.args["response_type"] == "ephemeral"
    assert has_source_context(answer)
    [post_button] = buttons(answer, blocks.ACTION_POST)

    click(running, post_button, ephemeral=True, response="share")
    shared, deleted = running.slack.wait_for("response_url:share", 2)
    assert shared.args["response_type"] == "in_channel"
    assert has_source_context(shared)
    assert "<@U0BOB>" in shared.all_text()  # says who posted it
    assert not buttons(shared, blocks.ACTION_POST)
    assert deleted.args == {"delete_original": True}


@pytest.mark.parametrize("text", ["", "help", "aide"])
def test_slash_command_alone_or_help_lists_the_topics_with_examples(running: Running, text: str) -> None:
    post_command(running, text, response="help")
    [shown] = running.slack.wait_for("response_url:help")
    assert shown.args["response_type"] == "ephemeral"
    listed = shown.all_text()
    for _, title in running.assistant.help("fr").topics + running.assistant.help("en").topics:
        if title in listed:
            break
    else:
        pytest.fail("no topic listed")
    assert buttons(shown, blocks.ACTION_SUGGESTION)  # example questions, one click away
    # The sub-commands, as they are typed, each with what it does (from the one catalogue).
    lang = "fr" if "Commandes" in listed else "en"
    assert f"/smassist help — {text_of(lang, 'command.help')}" in listed
    assert f"/smassist brief — {text_of(lang, 'command.brief')}" in listed
    assert "/smassist reload" not in listed  # admin-only, and the asker is no admin
    assert running.log.questions == []  # help is not a question


def test_sub_commands_dispatch_to_their_function_and_admin_ones_are_guarded(
        slack: SlackStandIn, assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def report(request: Any) -> None:
        seen.append((request.name, request.args, request.user))
        request.respond(text="report ready")

    monkeypatch.setenv("SMASSIST_ADMINS", "123456789, U0ADMIN")  # read once, when the app is built
    app = build_app(assistant, client=make_client("xoxb-stand-in", slack.api_url), signing_secret=SECRET,
                    subcommands={"report": SubCommandSpec(report, admin_only=True)})
    url, server = start_http(app)
    try:
        running = Running(url, slack, assistant)
        post_command(running, "report last week", response="denied", user="U0ALICE")
        [denied] = slack.wait_for("response_url:denied")
        assert seen == [] and "report" in denied.args["text"]
        post_command(running, "report last week", response="allowed", user="U0ADMIN")
        slack.wait_for("response_url:allowed")
        assert seen == [("report", "last week", "U0ADMIN")]
    finally:
        server.shutdown()
        server.server_close()

# --- buttons --------------------------------------------------------------------------------------


def test_follow_up_button_answers_that_entry_in_the_same_thread_and_records_the_click(running: Running) -> None:
    thread = next_ts()
    post_event(running, mention(QUESTION_FR, ts=thread))
    [answer] = running.slack.wait_for("chat.postMessage")
    follow_up = buttons(answer, blocks.ACTION_FOLLOW_UP)[0]
    value = blocks.ButtonValue.decode(follow_up["value"])
    assert value is not None and value.entry in running.assistant.kb.entries

    assert click(running, follow_up, message_ts="1710000099.000001", thread_ts=thread)[0] == 200
    followed = running.slack.wait_for("chat.postMessage", 2)[1]
    assert followed.args["channel"] == "C0GENERAL"
    assert followed.args["thread_ts"] == thread
    assert running.log.clicks == [(value.reply_id, value.entry, "slack", "U0BOB")]
    assert running.log.questions[0][0].id == value.reply_id


def test_did_you_mean_button_answers_the_chosen_entry(running: Running) -> None:
    entry = next(iter(running.assistant.kb.entries))
    choice = {"action_id": f"{blocks.ACTION_SUGGESTION}_1",
              "value": blocks.ButtonValue("r0clarify", "en", entry).encode()}
    click(running, choice, channel="D0ALICE", message_ts="1710000099.000002")
    [answer] = running.slack.wait_for("chat.postMessage")
    assert answer.args["channel"] == "D0ALICE"
    assert not answer.args.get("thread_ts")  # a DM answer stays in the DM
    assert running.log.clicks == [("r0clarify", entry, "slack", "U0BOB")]
    assert buttons(answer, blocks.ACTION_USEFUL)[0]["text"]["text"].endswith("Useful")  # in English


@pytest.mark.parametrize(("action", "useful"), [(blocks.ACTION_USEFUL, True),
                                                (blocks.ACTION_NOT_USEFUL, False)])
def test_feedback_button_is_recorded_and_acknowledged(running: Running, action: str, useful: bool) -> None:
    thread = next_ts()
    post_event(running, mention(QUESTION_EN, ts=thread))
    [answer] = running.slack.wait_for("chat.postMessage")
    [button] = buttons(answer, action)
    click(running, button, message_ts="1710000099.000003", thread_ts=thread, user="U0BOB")
    [thanks] = running.slack.wait_for("chat.postEphemeral")
    assert (thanks.args["channel"], thanks.args["user"], thanks.args["thread_ts"]) == (
        "C0GENERAL", "U0BOB", thread)
    reply_id = running.log.questions[0][0].id
    assert running.log.feedback == [(reply_id, useful, "slack", "U0BOB")]


def test_feedback_on_a_message_outside_a_thread_is_thanked_outside_a_thread(running: Running) -> None:
    button = {"action_id": blocks.ACTION_USEFUL, "value": blocks.ButtonValue("r0shared", "fr", "").encode()}
    click(running, button, message_ts="1710000099.000004")
    [thanks] = running.slack.wait_for("chat.postEphemeral")
    assert not thanks.args.get("thread_ts")
    assert running.log.feedback == [("r0shared", True, "slack", "U0BOB")]


def test_a_button_with_a_foreign_value_is_acknowledged_and_ignored(running: Running) -> None:
    status, _ = click(running, {"action_id": f"{blocks.ACTION_FOLLOW_UP}_0", "value": "<script>"})
    assert status == 200
    running.slack.settle()
    assert running.slack.calls_to("chat.postMessage") == []

# --- signatures -------------------------------------------------------------------------------------


def test_bad_or_stale_signature_gets_401_and_no_answer(running: Running) -> None:
    body = json.dumps(event_payload(mention(QUESTION_FR)))
    assert signed_post(running.url, body, "application/json", secret="wrong")[0] == 401
    stale = int(time.time()) - 10 * 60
    assert signed_post(running.url, body, "application/json", timestamp=stale)[0] == 401
    unsigned = urllib.request.Request(running.url, data=body.encode(), method="POST",
                                      headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=5)
    assert refused.value.code == 401
    running.slack.settle()
    assert running.slack.calls_to("chat.postMessage") == []
    assert running.log.questions == []

# --- language -----------------------------------------------------------------------------------------


def test_short_text_is_answered_in_the_language_of_the_slack_locale(running: Running) -> None:
    running.slack.locales.update({"U0ANNE": "en-GB", "U0LEA": "fr-FR"})
    post_event(running, direct_message("ROI", channel="D0ANNE", user="U0ANNE"))
    post_event(running, direct_message("ROI", channel="D0LEA", user="U0LEA"))
    posts = running.slack.wait_for("chat.postMessage", 2)
    labels = {p.args["channel"]: buttons(p, blocks.ACTION_USEFUL)[0]["text"]["text"] for p in posts}
    assert labels["D0ANNE"].endswith("Useful") and labels["D0LEA"].endswith("Utile")
    lookups = running.slack.calls_to("users.info")
    assert {c.args["user"] for c in lookups} == {"U0ANNE", "U0LEA"}
    assert all(c.args["include_locale"] in ("1", "true", "True") for c in lookups)

    post_event(running, direct_message("ROI ?", channel="D0ANNE", user="U0ANNE"))
    running.slack.wait_for("chat.postMessage", 3)
    assert len(running.slack.calls_to("users.info")) == 2  # the locale is cached


def test_a_clear_question_needs_no_locale_lookup(running: Running) -> None:
    running.slack.locales["U0LEA"] = "fr-FR"
    post_event(running, direct_message(QUESTION_EN, channel="D0LEA", user="U0LEA"))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert buttons(posted, blocks.ACTION_USEFUL)[0]["text"]["text"].endswith("Useful")
    assert running.slack.calls_to("users.info") == []

# --- Web API errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [
    Failure(429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"}),
    Failure(503, {}, {"ok": False, "error": "service_unavailable"}),
], ids=["rate-limited", "server-error"])
def test_a_failed_post_is_retried_and_the_answer_delivered_once(running: Running, failure: Failure) -> None:
    running.slack.fail_next("chat.postMessage", failure)
    post_event(running, mention(QUESTION_FR))
    running.slack.wait_for("chat.postMessage")
    running.slack.settle()
    assert len(running.slack.attempts("chat.postMessage")) == 2
    assert len(running.slack.calls_to("chat.postMessage")) == 1


def test_an_answer_that_cannot_be_sent_is_logged_with_the_question_and_the_app_keeps_running(
        running: Running, caplog: pytest.LogCaptureFixture) -> None:
    refused = Failure(429, {"Retry-After": "0"}, {"ok": False, "error": "ratelimited"})
    running.slack.fail_next("chat.postMessage", *[refused] * 4)
    with caplog.at_level(logging.ERROR, logger="smassist.slack"):
        post_event(running, mention("Combien d'entreprises mesurent leur ROI ?"))
        deadline = time.monotonic() + 8
        while "could not send" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "could not send the answer" in caplog.text
    assert "Combien d'entreprises mesurent leur ROI ?" in caplog.text
    assert "xoxb-stand-in" not in caplog.text
    post_event(running, mention(QUESTION_FR))
    running.slack.wait_for("chat.postMessage")

# --- Socket Mode -------------------------------------------------------------------------------------------


def test_socket_mode_receives_events_and_commands_over_a_websocket(slack: SlackStandIn,
                                                                   assistant: Assistant) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    with SocketModeStandIn() as websocket:
        slack.socket_url = websocket.url
        app = build_app(assistant, client=make_client("xoxb-stand-in", slack.api_url), socket_mode=True)
        handler = SocketModeHandler(app, "xapp-stand-in")
        handler.connect()
        try:
            websocket.wait_connected()
            assert slack.calls_to("apps.connections.open")[0].headers["Authorization"] == "Bearer xapp-stand-in"
            ts = next_ts()
            websocket.send({"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
                            "retry_attempt": 0, "retry_reason": "",
                            "payload": event_payload(mention(QUESTION_FR, ts=ts))})
            websocket.wait_ack("env-1")
            [posted] = slack.wait_for("chat.postMessage")
            assert posted.args["thread_ts"] == ts

            websocket.send({"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
                            "payload": {"team_id": TEAM_ID, "channel_id": "C0GENERAL", "user_id": "U0ALICE",
                                        "command": "/smassist", "text": QUESTION_EN,
                                        "response_url": slack.response_url("socket")}})
            websocket.wait_ack("env-2")
            [answer] = slack.wait_for("response_url:socket")
            assert answer.args["response_type"] == "ephemeral"
        finally:
            handler.close()
