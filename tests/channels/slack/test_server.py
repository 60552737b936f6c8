"""`smassist serve slack`: credentials, HTTP mode, Socket Mode, the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.channels.slack.harness import (
    _PROXIES,
    QUESTION_EN,
    QUESTION_FR,
    SECRET,
    direct_message,
    event_payload,
    mention,
    next_ts,
    signed_post,
)
from tests.support.slack_process import free_port, serve_slack
from tests.support.slack_standin import (
    Failure,
    SlackStandIn,
    SocketModeStandIn,
)

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


@pytest.mark.parametrize("tokens", [True, False])
def test_configuration_errors_come_before_loading_and_before_calling_slack(
        slack: SlackStandIn, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tokens: bool) -> None:
    """A PostgreSQL SMASSIST_DB without SMASSIST_LOG_KEY is said at once, with any missing
    credential, and before Slack is asked anything (auth.test)."""
    from smassist.cli import main

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SMASSIST_LOG_KEY"):
        monkeypatch.delenv(name, raising=False)
    if tokens:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-fine")
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SMASSIST_SLACK_API_URL", slack.api_url)
    monkeypatch.setenv("SMASSIST_DB", "postgresql://smassist@127.0.0.1:9/nowhere")
    assert main(["serve", "slack", "--host", "127.0.0.1", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SMASSIST_LOG_KEY must be set" in err
    assert ("SLACK_BOT_TOKEN is not set" in err) is not tokens
    assert "Traceback" not in err and "xoxb-fine" not in err
    assert slack.calls == []  # nothing asked of Slack


def test_serve_slack_answers_signed_requests_on_slack_events(slack: SlackStandIn) -> None:
    with serve_slack(slack, SECRET, ready_path="/health") as served:  # the first server's name still answers
        ts = next_ts()
        body = json.dumps(event_payload(mention(QUESTION_FR, ts=ts)))
        assert signed_post(served.events_url, body, "application/json")[0] == 200
        [posted] = slack.wait_for("chat.postMessage")
        assert posted.args["thread_ts"] == ts
        challenge = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
        status, answer = signed_post(served.events_url, challenge, "application/json")
        assert status == 200 and "abc123" in answer
        served.process.terminate()
        _, err = served.process.communicate(timeout=10)
    assert served.process.returncode == 0
    assert "xoxb-stand-in" not in err and SECRET not in err


def _get_json(url: str, timeout: float = 10.0) -> dict:
    """GET ``url`` once it listens (the health front starts after the connection)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except urllib.error.HTTPError:
            raise
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_in_http_mode_a_health_port_serves_the_endpoints_there_too(slack: SlackStandIn) -> None:
    """One probe configuration for both modes: --health-port is not silently ignored."""
    port, health = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in _PROXIES and k != "SLACK_APP_TOKEN"}
    env.update(SLACK_BOT_TOKEN="xoxb-stand-in", SLACK_SIGNING_SECRET=SECRET,
               SMASSIST_SLACK_API_URL=slack.api_url)
    if os.environ.get("SMASSIST_TEST_KB"):
        env["SMASSIST_KB"] = os.environ["SMASSIST_TEST_KB"]
    process = subprocess.Popen([sys.executable, "-m", "smassist.cli", "serve", "slack", "--host",
                                "127.0.0.1", "--port", str(port), "--health-port", str(health)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = _get_json(f"http://127.0.0.1:{health}/readyz", timeout=60)
        assert ready == {"ready": True, "checks": {"slack app": "ok", "knowledge base": "ok",
                                                   "database": "ok"}}
        assert _get_json(f"http://127.0.0.1:{port}/healthz")["status"] == "alive"
        body = json.dumps(event_payload(mention(QUESTION_EN)))
        assert signed_post(f"http://127.0.0.1:{port}/slack/events", body, "application/json")[0] == 200
        slack.wait_for("chat.postMessage")
        with urllib.request.urlopen(f"http://127.0.0.1:{health}/metrics", timeout=5) as scraped:
            assert 'smassist_questions_total{channel="slack"' in scraped.read().decode()
    finally:
        process.terminate()
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert f"also on http://127.0.0.1:{health}" in err and "Traceback" not in err


def test_the_manifest_subscribes_to_what_the_app_handles() -> None:
    import yaml

    manifest = yaml.safe_load((Path(__file__).resolve().parents[3] / "bots/slack/manifest.yaml").read_text())
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/smassist"
    urls = {command["url"], manifest["settings"]["interactivity"]["request_url"],
            manifest["settings"]["event_subscriptions"]["request_url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert {"app_mentions:read", "chat:write", "commands", "im:history", "users:read"} <= set(
        manifest["oauth_config"]["scopes"]["bot"])


def test_serve_slack_with_an_app_token_runs_in_socket_mode_with_health_endpoints(
        slack: SlackStandIn) -> None:
    health = free_port()
    with SocketModeStandIn() as websocket:
        slack.socket_url = websocket.url
        env = {k: v for k, v in os.environ.items() if k.upper() not in _PROXIES}
        env.update(SLACK_BOT_TOKEN="xoxb-stand-in", SLACK_APP_TOKEN="xapp-stand-in",
                   SMASSIST_SLACK_API_URL=slack.api_url)
        env.pop("SLACK_SIGNING_SECRET", None)  # not needed in Socket Mode
        if os.environ.get("SMASSIST_TEST_KB"):
            env["SMASSIST_KB"] = os.environ["SMASSIST_TEST_KB"]
        process = subprocess.Popen([sys.executable, "-m", "smassist.cli", "serve", "slack",
                                    "--host", "127.0.0.1", "--health-port", str(health)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            websocket.wait_connected(timeout=15)
            websocket.send({"envelope_id": "env-cli", "type": "events_api", "accepts_response_payload": False,
                            "payload": event_payload(direct_message(QUESTION_EN, channel="D0SOCKET"))})
            websocket.wait_ack("env-cli")
            [posted] = slack.wait_for("chat.postMessage")
            assert posted.args["channel"] == "D0SOCKET"
            base = f"http://127.0.0.1:{health}"
            ready = _get_json(base + "/readyz")
            assert ready == {"ready": True, "checks": {"slack app": "ok", "knowledge base": "ok",
                                                       "database": "ok", "socket mode": "ok"}}
            assert _get_json(base + "/healthz")["status"] == "alive"
            with urllib.request.urlopen(base + "/metrics", timeout=5) as scraped:
                assert 'smassist_questions_total{channel="slack"' in scraped.read().decode()
        finally:
            process.terminate()
            _, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "xapp-stand-in" not in err and "xoxb-stand-in" not in err
