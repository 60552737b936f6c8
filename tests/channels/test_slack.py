"""The Slack app, end to end: the real bolt app over real HTTP, a stand-in Slack Web API.

Requests are signed like Slack signs them and posted to ``/slack/events``; the
app's answers are read from what it sent to the stand-in. Assertions are on
behaviour (thread, channel, escaping, buttons, sources), not on answer wording.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from smassist.answering.assistant import Assistant
from smassist.answering.reply import Reply, StatisticView, Suggestion
from smassist.channels.slack import blocks
from smassist.channels.slack.admins import admin_ids, notify_admins
from smassist.channels.slack.app import build_app, make_client
from smassist.channels.slack.commands import SubCommandSpec
from smassist.channels.slack.server import make_http_server
from tests.conftest import BUNDLED_KB, ListRecorder
from tests.support.slack_standin import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    Failure,
    SlackStandIn,
    SocketModeStandIn,
)

SECRET = "stand-in-signing-secret"
QUESTION_FR = "Faut-il une charte des médias sociaux dans notre entreprise ?"
QUESTION_EN = "How many companies measure the ROI of social media?"

_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack-sdk and urllib honour proxy variables; the stand-in is local."""
    for name in _PROXIES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


QuestionLog = ListRecorder


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


@dataclass
class Running:
    url: str
    slack: SlackStandIn
    assistant: Assistant

    @property
    def log(self) -> QuestionLog:
        return self.assistant.recorder  # type: ignore[return-value]


def start_http(app: Any) -> tuple[str, Any]:
    server = make_http_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/slack/events", server


@pytest.fixture
def running(slack: SlackStandIn, assistant: Assistant) -> Iterator[Running]:
    app = build_app(assistant, client=make_client("xoxb-stand-in", slack.api_url),
                    signing_secret=SECRET)
    url, server = start_http(app)
    yield Running(url, slack, assistant)
    server.shutdown()
    server.server_close()


# --- what Slack sends ----------------------------------------------------------------


def signed_post(url: str, body: str, content_type: str, *, secret: str = SECRET,
                timestamp: int | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


_counter = iter(range(1, 1_000_000))


def next_ts() -> str:
    return f"1710000000.{next(_counter):06d}"


def event_payload(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{next(_counter):08d}", "event_time": 1710000000,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


def post_event(running: Running, event: dict[str, Any], event_id: str | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, str]:
    return signed_post(running.url, json.dumps(event_payload(event, event_id)), "application/json",
                       headers=headers)


def mention(text: str, *, channel: str = "C0GENERAL", ts: str | None = None,
            thread_ts: str | None = None, user: str = "U0ALICE") -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}",
             "ts": ts or next_ts(), "channel": channel, "event_ts": "1"}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, *, channel: str = "D0ALICE", user: str = "U0ALICE",
                   **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "user": user, "text": text,
            "ts": next_ts(), "channel": channel, "event_ts": "1", **extra}


def post_command(running: Running, text: str, response: str = "cmd", user: str = "U0ALICE") -> tuple[int, str]:
    form = {"token": "legacy", "team_id": TEAM_ID, "channel_id": "C0GENERAL", "channel_name": "general",
            "user_id": user, "user_name": "alice", "command": "/smassist", "text": text,
            "api_app_id": "A0APP", "response_url": running.slack.response_url(response),
            "trigger_id": "1.2.3"}
    return signed_post(running.url, urlencode(form), "application/x-www-form-urlencoded")


def click(running: Running, button: dict[str, Any], *, channel: str = "C0GENERAL",
          message_ts: str | None = None, thread_ts: str | None = None, ephemeral: bool = False,
          response: str = "click", user: str = "U0BOB") -> tuple[int, str]:
    container: dict[str, Any] = {"type": "message", "channel_id": channel, "is_ephemeral": ephemeral,
                                 "message_ts": message_ts or next_ts()}
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
        "api_app_id": "A0APP", "channel": {"id": channel}, "container": container,
        "trigger_id": "1.2.3", "response_url": running.slack.response_url(response),
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b",
                     "value": button["value"], "action_ts": "1"}],
    }
    if not ephemeral:
        payload["message"] = {"type": "message", "ts": container["message_ts"], "bot_id": BOT_ID,
                              "text": "answer", **({"thread_ts": thread_ts} if thread_ts else {})}
        if thread_ts:
            container["thread_ts"] = thread_ts
    return signed_post(running.url, urlencode({"payload": json.dumps(payload)}),
                       "application/x-www-form-urlencoded")


# --- reading what the app sent ---------------------------------------------------------------


def buttons(call: Call, prefix: str = "") -> list[dict[str, Any]]:
    return [element for block in call.args.get("blocks") or [] if block["type"] == "actions"
            for element in block["elements"] if element["action_id"].startswith(prefix)]


def context_texts(call: Call) -> list[str]:
    return [element["text"] for block in call.args.get("blocks") or [] if block["type"] == "context"
            for element in block["elements"]]


def figures(call: Call) -> list[str]:
    """The figures an answer shows, as JSON-escaped text (to look for in another call's JSON)."""
    texts = [block["text"]["text"][2:] for block in call.args.get("blocks") or []
             if block["type"] == "section" and block["text"]["text"].startswith("• ")]
    return [json.dumps(t, ensure_ascii=False)[1:-1] for t in texts]


def has_source_context(call: Call) -> bool:
    return any(text.startswith("Source") for text in context_texts(call))


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


# --- escaping ----------------------------------------------------------------------------------


def test_channel_here_and_user_mentions_in_a_question_never_ping_when_quoted(running: Running) -> None:
    question = "<!channel> <!here> <@U0CAROL> & Faut-il une charte ?"
    post_command(running, question, response="escaped")
    [answer] = running.slack.wait_for("response_url:escaped")
    sent = answer.all_text()
    for markup in ("<!channel>", "<!here>", "<@U0CAROL>"):
        assert markup not in sent
    assert "&lt;!channel&gt;" in sent and "&lt;@U0CAROL&gt;" in sent
    assert "<@U0ALICE>" in sent  # who asked is a real mention

    post_event(running, mention(question))
    [posted] = running.slack.wait_for("chat.postMessage")
    assert not any(m in posted.all_text() for m in ("<!channel>", "<!here>", "<@U0CAROL>"))


def test_importing_the_cli_does_not_import_slack() -> None:
    code = "import sys, smassist.cli; sys.exit('slack_bolt' in sys.modules or 'slack_sdk' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_escape_turns_slack_markup_into_text() -> None:
    assert blocks.escape("<!channel> R&D <@U1>") == "&lt;!channel&gt; R&amp;D &lt;@U1&gt;"


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


# --- Block Kit limits ------------------------------------------------------------------------------------


def _long_reply() -> Reply:
    stat = StatisticView(id="s", value=31, unit="percent", label="l", formatted="31 %",
                         text="31 % des entreprises <b>", year=2018, study="st", study_name="Baromètre",
                         sample="160 entreprises", scope="France", article="a", article_title="Titre",
                         publisher="Éditeur", source="Baromètre, 2018")
    return Reply("q", "answer", ("Un paragraphe assez long & précis. " * 60 + "\n") * 8, "fr",
                 matched=True, entry="e", statistics=(stat,) * 40,
                 follow_ups=tuple(Suggestion(f"e{i}", "Une question de suivi très longue " * 5)
                                  for i in range(5)))


def test_long_answers_stay_within_block_kit_limits() -> None:
    message = blocks.render(_long_reply(), shareable=True)
    assert len(message.blocks) <= blocks.MAX_BLOCKS
    assert message.text and len(message.text) <= blocks.MAX_FALLBACK_CHARS
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)
    assert sum(len(s) for s in sections) > 3000  # split, not dropped
    all_buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert all(len(e["text"]["text"]) <= 75 for e in all_buttons)
    assert all(len(e["action_id"]) <= 255 and len(e["value"]) <= 2000 for e in all_buttons)
    assert len([e for e in all_buttons if e["action_id"].startswith(blocks.ACTION_FOLLOW_UP)]) == 3
    action_ids = [e["action_id"] for e in all_buttons]
    assert len(action_ids) == len(set(action_ids))
    assert message.blocks[-1]["block_id"] == "smassist_controls"  # feedback survives the cut


def test_split_text_never_cuts_an_escaped_character() -> None:
    pieces = blocks.split_text(blocks.escape("&" * 5000), 3000)
    assert all(len(p) <= 3000 and p.count("&") == p.count("&amp;") for p in pieces)
    assert "".join(pieces) == "&amp;" * 5000


def test_clarify_reply_offers_did_you_mean_buttons() -> None:
    reply = Reply("charte roi", "clarify", "Vouliez-vous dire :", "fr",
                  suggestions=(Suggestion("a", "Choix A"), Suggestion("b", "Choix B")))
    message = blocks.render(reply)
    choices = next(b for b in message.blocks if b.get("block_id") == blocks.ACTION_SUGGESTION)["elements"]
    assert [blocks.ButtonValue.decode(c["value"]).entry for c in choices] == ["a", "b"]  # type: ignore[union-attr]
    assert "Choix A" in message.text


# --- admins ------------------------------------------------------------------------------------------------


def test_notify_admins_sends_a_dm_to_each_slack_admin(slack: SlackStandIn,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMASSIST_ADMINS", "U0ADMIN1, 123456789,W0ADMIN2,U0ADMIN1")
    assert admin_ids() == ["U0ADMIN1", "W0ADMIN2"]
    reached = notify_admins(make_client("xoxb-stand-in", slack.api_url), "knowledge base broken")
    assert reached == ["U0ADMIN1", "W0ADMIN2"]
    assert [c.args["users"] for c in slack.calls_to("conversations.open")] == ["U0ADMIN1", "W0ADMIN2"]
    assert [c.args["channel"] for c in slack.calls_to("chat.postMessage")] == ["D0ADMIN1", "D0ADMIN2"]


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


# --- `smassist serve slack` ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "env", "named"), [
    (["serve", "slack"], {}, "SLACK_BOT_TOKEN"),
    (["serve", "slack"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    (["serve", "slack", "--socket"], {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"},
     "SLACK_APP_TOKEN"),
])
def test_missing_credentials_exit_2_with_a_message_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        argv: list[str], env: dict[str, str], named: str) -> None:
    from smassist.cli import main

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert named in err and "Traceback" not in err


def test_a_refused_bot_token_exits_2(slack: SlackStandIn, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from smassist.cli import main

    slack.fail_next("auth.test", Failure(200, {}, {"ok": False, "error": "invalid_auth"}))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.setenv("SMASSIST_SLACK_API_URL", slack.api_url)
    if os.environ.get("SMASSIST_TEST_KB"):
        monkeypatch.setenv("SMASSIST_KB", os.environ["SMASSIST_TEST_KB"])
    assert main(["serve", "slack", "--host", "127.0.0.1", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "invalid_auth" in err and "xoxb-revoked" not in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_slack_answers_signed_requests_on_slack_events(slack: SlackStandIn, tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in _PROXIES and k != "SLACK_APP_TOKEN"}
    env.update(SLACK_BOT_TOKEN="xoxb-stand-in", SLACK_SIGNING_SECRET=SECRET,
               SMASSIST_SLACK_API_URL=slack.api_url)
    if os.environ.get("SMASSIST_TEST_KB"):
        env["SMASSIST_KB"] = os.environ["SMASSIST_TEST_KB"]
    process = subprocess.Popen([sys.executable, "-m", "smassist.cli", "serve", "slack",
                                "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/slack/events"
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.communicate()[1]) from None
                time.sleep(0.05)
        ts = next_ts()
        body = json.dumps(event_payload(mention(QUESTION_FR, ts=ts)))
        assert signed_post(url, body, "application/json")[0] == 200
        [posted] = slack.wait_for("chat.postMessage")
        assert posted.args["thread_ts"] == ts
        challenge = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
        status, answer = signed_post(url, challenge, "application/json")
        assert status == 200 and "abc123" in answer
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "xoxb-stand-in" not in err and SECRET not in err


def test_the_manifest_subscribes_to_what_the_app_handles() -> None:
    import yaml

    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "bots/slack/manifest.yaml").read_text())
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/smassist"
    urls = {command["url"], manifest["settings"]["interactivity"]["request_url"],
            manifest["settings"]["event_subscriptions"]["request_url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert {"app_mentions:read", "chat:write", "commands", "im:history", "users:read"} <= set(
        manifest["oauth_config"]["scopes"]["bot"])


def test_serve_slack_with_an_app_token_runs_in_socket_mode(slack: SlackStandIn) -> None:
    with SocketModeStandIn() as websocket:
        slack.socket_url = websocket.url
        env = {k: v for k, v in os.environ.items() if k.upper() not in _PROXIES}
        env.update(SLACK_BOT_TOKEN="xoxb-stand-in", SLACK_APP_TOKEN="xapp-stand-in",
                   SMASSIST_SLACK_API_URL=slack.api_url)
        env.pop("SLACK_SIGNING_SECRET", None)  # not needed in Socket Mode
        if os.environ.get("SMASSIST_TEST_KB"):
            env["SMASSIST_KB"] = os.environ["SMASSIST_TEST_KB"]
        process = subprocess.Popen([sys.executable, "-m", "smassist.cli", "serve", "slack"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            websocket.wait_connected(timeout=15)
            websocket.send({"envelope_id": "env-cli", "type": "events_api", "accepts_response_payload": False,
                            "payload": event_payload(direct_message(QUESTION_EN, channel="D0SOCKET"))})
            websocket.wait_ack("env-cli")
            [posted] = slack.wait_for("chat.postMessage")
            assert posted.args["channel"] == "D0SOCKET"
        finally:
            process.terminate()
            _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "xapp-stand-in" not in err and "xoxb-stand-in" not in err
