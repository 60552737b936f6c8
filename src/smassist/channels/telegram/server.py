"""`smassist serve telegram`: the bot by long polling, or behind a webhook with a secret token."""

from __future__ import annotations

import argparse
import logging
import secrets
from urllib.parse import urlparse

from smassist.channels.base import EXIT_PROBLEMS, EXIT_USAGE, CommandError, load_assistant
from smassist.channels.logs import configure_logging as base_configure_logging
from smassist.settings import Settings, SettingsError, current

TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
API_URL_VARIABLE = "SMASSIST_TELEGRAM_API_URL"
SECRET_VARIABLE = "SMASSIST_TELEGRAM_WEBHOOK_SECRET"

logger = logging.getLogger("smassist.telegram")

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
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from smassist.channels.telegram.access import AccessConfigError, AllowList
    from smassist.channels.telegram.bot import build_application

    settings = current(settings)
    token = _token(settings)
    try:
        allowed = AllowList.from_env(settings)
    except AccessConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    webhook_url = getattr(args, "webhook_url", None)
    secret = _webhook_secret(settings) if webhook_url else ""
    path = _webhook_path(webhook_url) if webhook_url else ""
    configure_logging(token, secret)
    assistant = load_assistant(args.kb, settings)
    base_url = settings.telegram.api_url
    from smassist.admin.store import open_default_store
    from smassist.channels.telegram import admin_commands

    assistant.recorder = open_default_store(settings)
    application = build_application(assistant, token, base_url=base_url, allowed=allowed)
    admin_commands.register(application)  # /reload, /report; knowledge edits served live
    kb = assistant.kb.summary()
    logger.info("Knowledge base %s: %s entries, %s statistics", kb["version"], kb["entries"],
                kb["statistics"])
    try:
        if webhook_url:
            logger.info("Telegram bot listening for webhook updates on %s:%s/%s (secret token %s)",
                        args.host, args.port, path,
                        "from " + SECRET_VARIABLE if settings.telegram.webhook_secret else "generated")
            application.run_webhook(listen=args.host, port=args.port, url_path=path,
                                    webhook_url=webhook_url, secret_token=secret,
                                    allowed_updates=Update.ALL_TYPES, bootstrap_retries=3)
        else:
            logger.info("Telegram bot started with long polling; Ctrl-C to stop")
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=3)
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
    return 0
