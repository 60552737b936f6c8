"""The Telegram channel: what every handler shares, on top of :class:`smassist.channels.base.Channel`.

:class:`TelegramChannel` lives in ``application.bot_data`` (:func:`state`); the
helpers here send rendered messages with retries, pick the chat's language,
add commands (admin-only ones guarded) and reach the admins. The handlers are in
:mod:`.bot` (questions, buttons, the basic commands), :mod:`.figures` (``/trend``,
``/brief``) and :mod:`.admin_commands` (``/reload``, ``/report``); each imports
this module, none imports another.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from smassist.channels.base import Channel
from smassist.channels.base import conversation_key as base_conversation_key
from smassist.channels.base import retrying as base_retrying
from smassist.channels.telegram import render
from smassist.channels.telegram.access import AllowList
from smassist.channels.telegram.texts import text

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant
    from smassist.settings import Settings

logger = logging.getLogger("smassist.channels.telegram.bot")

CHANNEL = "telegram"
STATE_KEY = "smassist"
SEND_ATTEMPTS = 3

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: its handler and its menu description per language."""

    name: str
    callback: Callback
    description: dict[str, str]
    admin: bool = False  # only admins (SMASSIST_ADMINS) may run it; not in everyone's menu


class TelegramChannel(Channel):
    """What the handlers share, kept in ``application.bot_data``: the channel base plus
    the allow-list, the admins' Telegram ids and the commands added so far."""

    name = CHANNEL
    admin_id = re.compile(r"-?\d+")

    def __init__(self, assistant: Assistant, allowed: AllowList, admins: frozenset[int],
                 settings: Settings | None = None):
        super().__init__(assistant, settings)
        #: As given at start (``SMASSIST_TELEGRAM_ALLOWED_USERS``, Telegram ids of ``SMASSIST_ADMINS``);
        #: the access files add theirs as last read (:meth:`reread_access`).
        self.given_allowed = allowed
        self.given_admins = admins
        self.commands: list[Command] = []

    @property
    def allowed(self) -> AllowList:
        """Who may ask: the allow-list given at start and ``SMASSIST_TELEGRAM_ALLOWED_FILE``."""
        users, everyone = self.settings.telegram.allowed_from_file()
        if not users and not everyone:
            return self.given_allowed
        return AllowList(self.given_allowed.users | users, self.given_allowed.everyone or everyone)

    @property
    def admins(self) -> frozenset[int]:
        """The admins' Telegram ids: given at start, and those of ``SMASSIST_ADMINS_FILE``."""
        extra = self.settings.file_admins()
        if not extra:
            return self.given_admins
        return self.given_admins | {int(i) for i in extra if self.admin_id.fullmatch(i)}

    def command_list(self, lang: str, admin: bool = False) -> list[tuple[str, str]]:
        return [(c.name, c.description.get(lang) or c.description.get("en", ""))
                for c in self.commands if admin or not c.admin]

    def is_admin(self, user: object) -> bool:
        return user is not None and str(user).lstrip("-").isdigit() and int(str(user)) in self.admins

    def command_lines(self, lang: str, admin: bool = False) -> list[str]:
        """The bot's menu (what /help lists): '/brief — Les dix chiffres à connaître, sourcés'."""
        return [f"/{name} — {description}" for name, description in self.command_list(lang, admin=admin)]


#: Kept for the name it had.
BotState = TelegramChannel


def state(context: ContextTypes.DEFAULT_TYPE | Application) -> TelegramChannel:
    return context.bot_data[STATE_KEY]


def conversation_key(chat_id: int) -> str:
    """The assistant's conversation for a chat: "source ?" refers to its last answer."""
    return base_conversation_key(CHANNEL, chat_id)


def add_command(application: Application, command: Command) -> None:
    """Handle ``/name`` with ``command.callback`` and list it in the menu at start-up.

    Admin commands run only for Telegram ids in ``SMASSIST_ADMINS``; others get a
    polite refusal. Add commands before the application starts.
    """
    callback = admins_only(command.callback) if command.admin else command.callback
    application.add_handler(CommandHandler(command.name, callback))
    state(application).commands.append(command)


def admins_only(callback: Callback) -> Callback:
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Run the admin command for admins only."""
        user = update.effective_user
        if user is None or user.id not in state(context).admins:
            await reply_html(update, context, text(chat_lang(update, context), "not_admin"))
            return
        await callback(update, context)

    return guarded


# --- helpers ------------------------------------------------------------------------


def chat_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's language: the last answer's, else the user's Telegram language, else English."""
    chat = update.effective_chat
    user = update.effective_user
    return state(context).ui_lang(conversation_key(chat.id) if chat else None,
                                  user.language_code if user else None)


async def retrying(call: Callable[[], Awaitable[Any]]) -> Any:
    """``call()``, again after a network error (rate limits are the rate limiter's job).

    BadRequest is a NetworkError in python-telegram-bot, but sending it again won't help.
    """
    return await base_retrying(call, retry_on=(NetworkError,), never=(BadRequest,),
                               attempts=SEND_ATTEMPTS, what="Telegram", log=logger)


async def send(context: ContextTypes.DEFAULT_TYPE | Application, chat_id: int,
               messages: Sequence[render.Outgoing]) -> list[Message]:
    """Send rendered messages to a chat, in order."""
    sent = []
    for outgoing in messages:
        sent.append(await retrying(lambda o=outgoing: context.bot.send_message(
            chat_id, o.text, reply_markup=o.keyboard)))
    return sent


async def reply_html(update: Update, context: ContextTypes.DEFAULT_TYPE, html_text: str) -> None:
    """One HTML message to the update's chat."""
    if update.effective_chat:
        await send(context, update.effective_chat.id, [render.Outgoing(html_text)])


async def typing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show "typing…" while answering; a failure here must not stop the answer."""
    if update.effective_chat:
        try:
            await context.bot.send_chat_action(update.effective_chat.id, ChatAction.TYPING)
        except TelegramError as exc:
            logger.debug("No typing action: %s", exc)


async def notify_admins(application: Application, message_text: str) -> int:
    """Send ``message_text`` (plain text) to every Telegram admin; how many got it.

    Admins are the Telegram ids in ``SMASSIST_ADMINS``; each must have opened a
    chat with the bot once. Failures are logged, never raised.
    """
    delivered = 0
    for admin in sorted(state(application).admins):
        try:
            await send(application, admin, [render.Outgoing(part) for part in
                                             render.split_html(html.escape(message_text, quote=False))])
            delivered += 1
        except TelegramError as exc:
            logger.warning("Could not message an admin: %s", exc)
    return delivered
