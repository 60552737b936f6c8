"""Helpers the tests of this channel share (fixtures are in conftest.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from smassist.answering.assistant import Assistant
from smassist.channels.slack.server import make_front
from tests.conftest import ListRecorder
from tests.support.slack_standin import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_ID,
    Call,
    SlackStandIn,
)

SECRET = "stand-in-signing-secret"

QUESTION_FR = "Faut-il une charte des médias sociaux dans notre entreprise ?"

QUESTION_EN = "How many companies measure the ROI of social media?"

_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")

QuestionLog = ListRecorder

@dataclass
class Running:
    url: str
    slack: SlackStandIn
    assistant: Assistant

    @property
    def log(self) -> QuestionLog:
        return self.assistant.recorder  # type: ignore[return-value]

class _Served:
    """The Slack front serving from a thread; ``shutdown``/``server_close`` stop it."""

    def __init__(self, app: Any):
        self.front = make_front(app, SECRET, "127.0.0.1", 0)
        self.url = self.front.start_in_thread()

    def shutdown(self) -> None:
        self.front.stop_thread()

    def server_close(self) -> None:
        pass


def start_http(app: Any) -> tuple[str, Any]:
    served = _Served(app)
    return f"{served.url}/slack/events", served


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
