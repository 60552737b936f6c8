"""`smassist serve telegram`: the bot by long polling, or behind a webhook with a secret token.

The webhook is served by smassist's own HTTP front (:mod:`smassist.web.server`:
size limit, timeouts, backlog, graceful stop, /healthz /readyz /metrics), not
python-telegram-bot's: every request is checked in this order, each refusal in
one log line without the body: the secret token (403), the body's size and read
time (413, 408), JSON (400), a JSON object (400), an update python-telegram-bot
can read (400). A readable update is acknowledged (200) at once and processed
on the application's queue: chats concurrently, each chat in order
(:mod:`.updates`). An update id seen a moment ago (Telegram redelivering) is
acknowledged and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import logging
import secrets
import signal
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from smassist.channels.base import EXIT_PROBLEMS, EXIT_USAGE, CommandError, load_assistant
from smassist.channels.logs import configure_logging as base_configure_logging
from smassist.settings import Settings, SettingsError, current

TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
API_URL_VARIABLE = "SMASSIST_TELEGRAM_API_URL"
SECRET_VARIABLE = "SMASSIST_TELEGRAM_WEBHOOK_SECRET"

logger = logging.getLogger("smassist.telegram")

if TYPE_CHECKING:
    from telegram.ext import Application

    from smassist.answering.assistant import Assistant
    from smassist.web.server import Front

#: Update ids remembered to drop Telegram's redeliveries.
RECENT_UPDATES = 10_000


class _QuietRetries(logging.Filter):
    """python-telegram-bot logs a full traceback at every network retry; one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("telegram") and \
                record.getMessage().startswith("Network Retry Loop"):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(*hidden: str) -> None:
    """INFO logs on stderr, without the token: httpx logs every request URL at INFO."""
    base_configure_logging(*hidden, quiet=("httpx", "httpcore"), filters=(_QuietRetries(),))


def _token(settings: Settings) -> str:
    token = settings.telegram.bot_token
    if not token:
        raise CommandError(
            f"{TOKEN_VARIABLE} is not set. Create a bot with @BotFather on Telegram, then run:\n"
            f"  export {TOKEN_VARIABLE}='<the token BotFather gave you>'\n"
            "  smassist serve telegram\n"
            "(step by step: bots/telegram/README.md)",
            EXIT_USAGE,
        )
    if any(ch.isspace() for ch in token) or "/" in token:
        raise CommandError(f"{TOKEN_VARIABLE} does not look like a bot token "
                           "(expected something like 123456:ABC-DEF…).", EXIT_USAGE)
    return token


def _webhook_secret(settings: Settings) -> str:
    try:
        configured = settings.telegram.checked_webhook_secret()
    except SettingsError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    return configured or secrets.token_urlsafe(32)


def _webhook_path(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CommandError(f"--webhook-url must be a full URL such as "
                           f"https://bot.example.com/telegram, not {url!r}.", EXIT_USAGE)
    if parsed.scheme != "https":
        logger.warning("Telegram only delivers webhooks to https:// URLs; %s is plain http", url)
    return parsed.path.strip("/")


def serve(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the bot until interrupted; a clear message and exit 2 when it is not configured."""
    from telegram.error import InvalidToken, NetworkError

    from smassist.channels.telegram.access import AccessConfigError, AllowList
    from smassist.channels.telegram.bot import build_application
    from smassist.channels.telegram.updates import PollingWatch, WatchedRequest
    from smassist.web.server import finish

    settings = current(settings)
    token = _token(settings)
    try:
        allowed = AllowList.from_env(settings)
        for source in settings.access_files():  # read now: a bad file stops the start, named
            _ = source.ids
    except AccessConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    webhook_url = getattr(args, "webhook_url", None)
    _check_several_instances(settings, webhook_url)
    from smassist.state.factory import config_problem

    problem = config_problem(settings)  # SMASSIST_LOG_KEY: said before loading or polling anything
    if problem:
        raise CommandError(problem, EXIT_USAGE)
    secret = _webhook_secret(settings) if webhook_url else ""
    path = _webhook_path(webhook_url) if webhook_url else ""
    configure_logging(token, secret)
    assistant = load_assistant(args.kb, settings, compile_apart=True)
    base_url = settings.telegram.api_url
    from smassist.channels.telegram import admin_commands
    from smassist.state import StateConfigError
    from smassist.state.factory import serve_state

    try:  # question log, update claims, conversations, notices, versions (smassist.state)
        shared = serve_state(assistant, settings)
    except StateConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    watch = PollingWatch()
    application = build_application(
        assistant, token, base_url=base_url, allowed=allowed,
        get_updates_request=None if webhook_url else WatchedRequest(watch, connection_pool_size=1))
    admin_commands.register(application)  # /reload, /report; knowledge edits served live
    kb = assistant.kb.summary()
    logger.info("Knowledge base %s: %s entries, %s statistics", kb["version"], kb["entries"],
                kb["statistics"])
    try:
        if webhook_url:
            logger.info("Telegram bot listening for webhook updates on %s:%s/%s (secret token %s)",
                        args.host, args.port, path,
                        "from " + SECRET_VARIABLE if settings.telegram.webhook_secret else "generated")
            front = make_front(application, assistant, secret=secret, path=path,
                               host=args.host, port=args.port, webhook_url=webhook_url)
            health = getattr(args, "health_port", None)
            if health is not None and health != args.port:  # on --port already; there too
                front.alongside(_health_front(application, assistant, None, args.host, health))
            code = front.run()
        else:
            logger.info("Telegram bot started with long polling; Ctrl-C to stop")
            health = getattr(args, "health_port", None)
            code = _run_polling(application, watch, health=None if health is None else
                                _health_front(application, assistant, watch, args.host, health))
    except InvalidToken:
        raise CommandError(f"Telegram refused the bot token in {TOKEN_VARIABLE}; check it with "
                           "@BotFather (/token).", EXIT_USAGE) from None
    except NetworkError as exc:
        where = base_url or "https://api.telegram.org"
        reason = str(exc).replace(token, "<hidden>")
        raise CommandError(f"Cannot reach the Telegram Bot API at {where}: {reason}",
                           EXIT_PROBLEMS) from None
    except OSError as exc:  # e.g. the webhook port is taken
        raise CommandError(f"Cannot start the Telegram bot: {exc}", EXIT_PROBLEMS) from None
    finally:
        shared.close()
    return finish(code)


# --- the webhook ---------------------------------------------------------------------------


def make_front(application: Application, assistant: Assistant | None = None, *, secret: str,
               path: str, host: str = "127.0.0.1", port: int = 8443,
               webhook_url: str | None = None) -> Front:
    """The HTTP front receiving updates on ``/path``; starts and stops ``application`` with it.

    With ``webhook_url``, ``setWebhook`` is called once the socket listens.
    """
    from aiohttp import web
    from telegram import Update

    from smassist import metrics
    from smassist.web.server import Front, Refused, read_body

    front = Front("telegram", host, port)
    expected = secret.encode()
    recent: OrderedDict[int, None] = OrderedDict()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, expected):
            raise Refused(403, "wrong secret token")
        body = await read_body(request)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise Refused(400, "body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "update is not a JSON object")
        try:
            update = Update.de_json(data, application.bot)
        except Exception as exc:  # python-telegram-bot cannot read it: a malformed update
            raise Refused(400, f"not a Telegram update ({type(exc).__name__})") from None
        if update is None or not isinstance(update.update_id, int):
            raise Refused(400, "not a Telegram update")
        if update.update_id in recent:
            metrics.DUPLICATES_DROPPED.inc(channel="telegram")
            logger.info("update %s already received (Telegram redelivery); dropped",
                        update.update_id)
            return web.json_response({"ok": True})
        recent[update.update_id] = None
        if len(recent) > RECENT_UPDATES:
            recent.popitem(last=False)
        await application.update_queue.put(update)
        return web.json_response({"ok": True})

    front.app.router.add_post("/" + path.strip("/"), receive)
    if assistant is not None:
        front.add_readiness("knowledge base",
                            lambda: None if assistant.kb.entries else "knowledge base not loaded")
        front.add_readiness("database", lambda: _database_ready(assistant))
    front.add_readiness("telegram bot",
                        lambda: None if application.running else "bot not started")

    async def start() -> None:
        await _start_application(application)
        if webhook_url:
            await _bootstrap(lambda: application.bot.set_webhook(
                url=webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES))

    async def stop() -> None:
        await _stop_application(application)

    front.on_start(start)
    front.on_stop(stop)
    return front


async def _start_application(application: Application) -> None:
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()


async def _stop_application(application: Application) -> None:
    if application.updater and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_stop:
        await application.post_stop(application)
    await application.shutdown()


async def _bootstrap(call: Any, attempts: int = 4) -> None:
    """``call()``, tried again after a network error (Telegram down at start-up), like PTB's bootstrap_retries."""
    from telegram.error import InvalidToken, NetworkError

    for attempt in range(1, attempts + 1):
        try:
            await call()
            return
        except InvalidToken:
            raise
        except NetworkError as exc:
            if attempt == attempts:
                raise
            logger.warning("Telegram did not answer at start-up (%s); trying again", exc)
            await asyncio.sleep(min(1.0 * attempt, 5.0))


# --- long polling --------------------------------------------------------------------------


def _health_front(application: Application, assistant: Assistant, watch: Any | None, host: str,
                  port: int) -> Front:
    """/healthz /readyz /metrics for a polling bot (no webhook to hang them on), or beside a
    webhook (``watch`` None: no polling to check)."""
    from smassist.web.server import Front

    front = Front("telegram", host, port)
    front.add_readiness("knowledge base",
                        lambda: None if assistant.kb.entries else "knowledge base not loaded")
    front.add_readiness("database", lambda: _database_ready(assistant))
    front.add_readiness("telegram bot", lambda: None if application.running else "bot not started")
    if watch is not None:
        front.add_readiness("polling", lambda: None if watch.failing_since is None
                            else f"getUpdates failing ({watch.failures} failed polls)")
    return front


def _run_polling(application: Application, watch: Any, grace: float = 8.0,
                 health: Front | None = None) -> int:
    """Poll until SIGTERM/SIGINT; failed polls are one warning per outage (``watch``);
    ``health``: a front serving the health endpoints meanwhile."""
    from telegram import Update

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def main() -> int:
        stopping = asyncio.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stopping.set)
        await _start_application(application)
        if health is not None:
            host, port = await health.start()
            logger.info("health endpoints on http://%s:%s/healthz, /readyz, /metrics", host, port)
        try:
            await _bootstrap(lambda: application.bot.delete_webhook())
            await application.updater.start_polling(  # type: ignore[union-attr]
                allowed_updates=Update.ALL_TYPES, bootstrap_retries=3,
                error_callback=watch.failed)
            await stopping.wait()
            logger.info("stopping (at most %.0fs)", grace)
        finally:
            try:
                await asyncio.wait_for(_stop_application(application), grace)
            except TimeoutError:
                logger.warning("updates still in flight after %.0fs; abandoned", grace)
            if health is not None:
                await health.stop()
        return 0

    try:
        return loop.run_until_complete(main())
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        asyncio.set_event_loop(None)
        loop.close()


def _database_ready(assistant: Assistant) -> str | None:
    """PostgreSQL answers (always ready without one)."""
    from smassist import state

    return None if state.of(assistant).ready() else "database unreachable"


def _check_several_instances(settings: Settings, webhook_url: str | None) -> None:
    """With PostgreSQL (several instances): webhook mode only, with a fixed secret."""
    from smassist.admin.store import database_url

    if not database_url(settings):
        return
    if not webhook_url:
        raise CommandError(
            "SMASSIST_DB is a PostgreSQL URL (several instances), so the bot must run behind a "
            "webhook: long polling from one instance would delete the webhook the others "
            "receive on, and two pollers steal each other's updates. Run every instance with\n"
            "  smassist serve telegram --webhook-url https://bot.example.com/telegram\n"
            f"and the same {SECRET_VARIABLE} (see bots/telegram/README.md).", EXIT_USAGE)
    if not settings.telegram.webhook_secret:
        raise CommandError(
            f"SMASSIST_DB is a PostgreSQL URL (several instances), so {SECRET_VARIABLE} must be "
            "set, the same on every instance: each would otherwise register its own random "
            "secret and refuse the updates sent with another's. Make one with:\n"
            "  python3 -c 'import secrets; print(secrets.token_urlsafe(32))'", EXIT_USAGE)
