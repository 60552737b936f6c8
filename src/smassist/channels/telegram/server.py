"""`smassist serve telegram`: the bot by long polling, or behind a webhook with a secret token."""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
from urllib.parse import urlparse

from smassist.cli import EXIT_PROBLEMS, EXIT_USAGE, CommandError, load_assistant

TOKEN_VARIABLE = "TELEGRAM_BOT_TOKEN"
API_URL_VARIABLE = "SMASSIST_TELEGRAM_API_URL"
SECRET_VARIABLE = "SMASSIST_TELEGRAM_WEBHOOK_SECRET"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

logger = logging.getLogger("smassist.telegram")

_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class _Redacting(logging.Formatter):
    """Formats like ``inner`` with the secrets blanked out (URLs carry the bot token)."""

    def __init__(self, inner: logging.Formatter, hidden: list[str]):
        super().__init__()
        self.inner = inner
        self.hidden = [h for h in hidden if h]

    def format(self, record: logging.LogRecord) -> str:
        formatted = self.inner.format(record)
        for value in self.hidden:
            formatted = formatted.replace(value, "<hidden>")
        return formatted


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
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for handler in root.handlers:
        inner = handler.formatter or logging.Formatter(LOG_FORMAT)
        if isinstance(inner, _Redacting):
            inner = inner.inner
        handler.setFormatter(_Redacting(inner, list(hidden)))
        if not any(isinstance(f, _QuietRetries) for f in handler.filters):
            handler.addFilter(_QuietRetries())


def _token() -> str:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
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


def _webhook_secret() -> str:
    configured = os.environ.get(SECRET_VARIABLE, "").strip()
    if not configured:
        return secrets.token_urlsafe(32)
    if not _SECRET_PATTERN.fullmatch(configured):
        raise CommandError(f"{SECRET_VARIABLE} must be 1 to 256 characters among A-Z, a-z, 0-9, "
                           "_ and - (Telegram's rule for webhook secret tokens).", EXIT_USAGE)
    return configured


def _webhook_path(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CommandError(f"--webhook-url must be a full URL such as "
                           f"https://bot.example.com/telegram, not {url!r}.", EXIT_USAGE)
    if parsed.scheme != "https":
        logger.warning("Telegram only delivers webhooks to https:// URLs; %s is plain http", url)
    return parsed.path.strip("/")


def serve(args: argparse.Namespace) -> int:
    """Run the bot until interrupted; a clear message and exit 2 when it is not configured."""
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from smassist.channels.telegram.access import AccessConfigError, AllowList
    from smassist.channels.telegram.bot import build_application

    token = _token()
    try:
        allowed = AllowList.from_env()
    except AccessConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None
    webhook_url = getattr(args, "webhook_url", None)
    secret = _webhook_secret() if webhook_url else ""
    path = _webhook_path(webhook_url) if webhook_url else ""
    configure_logging(token, secret)
    assistant = load_assistant(args)
    base_url = os.environ.get(API_URL_VARIABLE, "").strip() or None
    from smassist.admin.store import open_default_store
    from smassist.channels.telegram import admin_commands

    assistant.recorder = open_default_store()
    application = build_application(assistant, token, base_url=base_url, allowed=allowed)
    admin_commands.register(application)  # /reload, /report; knowledge edits served live
    kb = assistant.kb.summary()
    logger.info("Knowledge base %s: %s entries, %s statistics", kb["version"], kb["entries"],
                kb["statistics"])
    try:
        if webhook_url:
            logger.info("Telegram bot listening for webhook updates on %s:%s/%s (secret token %s)",
                        args.host, args.port, path,
                        "from " + SECRET_VARIABLE if os.environ.get(SECRET_VARIABLE) else "generated")
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
