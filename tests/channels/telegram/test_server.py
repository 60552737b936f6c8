"""`smassist serve telegram`: configuration errors, long polling, the webhook secret, the command list."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from smassist import cli
from tests.channels.telegram.harness import (
    ALICE,
    KB_PATH,
    REPO,
    ROI_QUESTION,
    button_data,
)
from tests.support.ports import free_port as _free_port
from tests.support.telegram_standin import TOKEN, BotAPIStandIn

# python-telegram-bot's own rate limiter reads RetryAfter.retry_after, deprecated in 22.2.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")



# --- `smassist serve telegram` ------------------------------------------------------------------------------


def test_missing_token_is_a_clear_message_and_exit_2(capsys):
    assert cli.main(["serve", "telegram"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "Traceback" not in err


def test_a_bad_allow_list_is_a_clear_message_and_exit_2(capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SMASSIST_TELEGRAM_ALLOWED_USERS", "1001, @alice")
    assert cli.main(["serve", "telegram"]) == 2
    assert "@alice" in capsys.readouterr().err


def test_a_missing_log_key_is_said_before_loading_or_calling_telegram(capsys, monkeypatch, tmp_path):
    from tests.support.trend_kb import write_kb

    kb = write_kb(tmp_path / "kb")
    monkeypatch.setenv("SMASSIST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SMASSIST_NO_CACHE", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SMASSIST_TELEGRAM_ALLOWED_USERS", "*")
    monkeypatch.setenv("SMASSIST_TELEGRAM_WEBHOOK_SECRET", "a-fixed-secret-for-every-instance")
    monkeypatch.setenv("SMASSIST_TELEGRAM_API_URL", f"http://127.0.0.1:{_free_port()}/bot")
    monkeypatch.setenv("SMASSIST_DB", "postgresql://smassist@127.0.0.1:9/nowhere")
    monkeypatch.delenv("SMASSIST_LOG_KEY", raising=False)
    assert cli.main(["serve", "telegram", "--kb", str(kb), "--webhook-url",
                     "https://bot.example.com/tg", "--host", "127.0.0.1", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "SMASSIST_LOG_KEY must be set" in err
    assert "Cannot reach" not in err and "Traceback" not in err and TOKEN not in err
    assert not (tmp_path / "cache").exists()  # the knowledge base was not even compiled


def test_importing_the_cli_does_not_import_telegram():
    code = "import sys, smassist.cli; sys.exit('telegram' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0




@asynccontextmanager
async def serving(standin: BotAPIStandIn, *args: str, **env: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """`smassist serve telegram ARGS` in a child process, stopped with Ctrl-C at the end."""
    environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    environment.update(TELEGRAM_BOT_TOKEN=TOKEN, SMASSIST_TELEGRAM_API_URL=standin.base_url,
                       SMASSIST_TELEGRAM_ALLOWED_USERS=str(ALICE), **env)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from smassist.cli import main; sys.exit(main())",
        "serve", "telegram", "--kb", KB_PATH, *args,
        env=environment, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_serve_polls_answers_and_never_logs_the_token(standin):
    async with serving(standin) as process:
        await standin.wait_for("setMyCommands", 3, timeout=20)
        standin.message(ALICE, ROI_QUESTION)
        [answer] = await standin.wait_for("sendMessage", timeout=10)
    stderr = (await process.stderr.read()).decode()
    assert process.returncode == 0, stderr
    assert answer.params["parse_mode"] == "HTML" and any(d.startswith("o:") for d in button_data(answer))
    assert TOKEN not in stderr and TOKEN.split(":")[1] not in stderr
    assert "allow" in stderr.lower()


async def test_polling_with_a_health_port_serves_healthz_readyz_and_metrics(standin):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with serving(standin, "--host", "127.0.0.1", "--health-port", str(port)) as process:
        await standin.wait_for("setMyCommands", 3, timeout=20)
        standin.message(ALICE, ROI_QUESTION)
        await standin.wait_for("sendMessage", timeout=10)
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(200):
                try:
                    ready = await client.get(base + "/readyz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            alive = await client.get(base + "/healthz")
            scraped = await client.get(base + "/metrics")
    stderr = (await process.stderr.read()).decode()
    assert process.returncode == 0, stderr
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"knowledge base": "ok", "database": "ok",
                                      "telegram bot": "ok", "polling": "ok"}
    assert alive.json()["status"] == "alive"
    assert 'smassist_questions_total{channel="telegram"' in scraped.text


async def test_webhook_refuses_a_wrong_secret_and_processes_the_right_one(standin):
    port, health = _free_port(), _free_port()
    secret = "s3cret-Token_for-tests"
    url = f"http://127.0.0.1:{port}/telegram"
    async with serving(standin, "--webhook-url", url, "--host", "127.0.0.1", "--port", str(port),
                       "--health-port", str(health),
                       SMASSIST_TELEGRAM_WEBHOOK_SECRET=secret) as process:
        [set_webhook] = await standin.wait_for("setWebhook", timeout=20)
        assert set_webhook.params["url"] == url and set_webhook.params["secret_token"] == secret
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 0, "chat": {"id": ALICE, "type": "private"},
            "from": BotAPIStandIn.user(ALICE, "fr"), "text": ROI_QUESTION}}
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(200):  # the server listens once setWebhook has been called
                try:
                    wrong = await client.post(url, json=update,
                                              headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            missing = await client.post(url, json=update)
            right = await client.post(url, json={**update, "update_id": 2},
                                      headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert wrong.status_code == 403 and missing.status_code == 403
        assert right.status_code == 200
        [answer] = await standin.wait_for("sendMessage", chat_id=ALICE, timeout=10)
        await asyncio.sleep(0.2)
        assert len(standin.sent_to(ALICE)) == 1  # the refused updates were not processed
        async with httpx.AsyncClient(trust_env=False) as client:  # --health-port: there too
            ready = await client.get(f"http://127.0.0.1:{health}/readyz")
    stderr = (await process.stderr.read()).decode()
    assert secret not in stderr and TOKEN not in stderr
    assert answer.params["parse_mode"] == "HTML"
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "knowledge base": "ok", "database": "ok", "telegram bot": "ok"}


def test_the_botfather_command_list_matches_the_menu_the_bot_publishes():
    from smassist.channels.telegram.figures import DESCRIPTIONS as FIGURE_COMMANDS
    from smassist.channels.telegram.texts import COMMAND_DESCRIPTIONS

    lines = (REPO / "bots" / "telegram" / "commands.txt").read_text(encoding="utf-8").splitlines()
    pasted = {tuple(line.split(" - ", 1)) for line in lines if line and not line.startswith("#")}
    menu = {**COMMAND_DESCRIPTIONS, **FIGURE_COMMANDS}
    published = {(name, d[lang]) for name, d in menu.items() for lang in ("fr", "en")}
    assert pasted == published
