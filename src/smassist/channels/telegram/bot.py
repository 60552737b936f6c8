"""The Telegram bot: a python-telegram-bot Application around the shared Assistant.

Handlers stay thin: parse the update, call the assistant, render, send. What
they share (the :class:`~.channel.TelegramChannel` state, sending, the chat's
language) is :mod:`.channel`. Every command is one :class:`Command` added with
:func:`add_command`; the command menu
(``setMyCommands``, French and English) is built from that list at start-up, so
a new command is one small handler and one ``add_command`` line.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from typing import TYPE_CHECKING

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from smassist import metrics
from smassist import texts as catalogue
from smassist.answering.topics import find_topic
from smassist.channels.telegram import callbacks, render
from smassist.channels.telegram.access import AllowList, admin_ids
from smassist.channels.telegram.channel import (
    CHANNEL,
    STATE_KEY,
    Command,
    TelegramChannel,
    add_command,
    chat_lang,
    conversation_key,
    notify_admins,
    reply_html,
    send,
    state,
    typing,
)
from smassist.channels.telegram.texts import COMMAND_DESCRIPTIONS, LANGS, text, ui_lang
from smassist.channels.telegram.updates import ChatOrdered

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant

__all__ = ["CHANNEL", "Command", "TelegramChannel", "add_command", "build_application",
           "conversation_key", "notify_admins", "register", "send", "state"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


# --- building ---------------------------------------------------------------------


def build_application(assistant: Assistant, token: str, base_url: str | None = None,
                      allowed: AllowList | None = None,
                      admins: frozenset[int] | None = None,
                      get_updates_request: BaseRequest | None = None) -> Application:
    """The bot, ready to poll or to be fed webhook updates (``server.make_front``).

    ``base_url`` is the Bot API's address with the token appended by python-telegram-bot
    (``SMASSIST_TELEGRAM_API_URL``); ``allowed`` defaults to nobody. Updates of
    different chats are processed concurrently, those of one chat in order
    (:class:`~smassist.channels.telegram.updates.ChatOrdered`).
    """
    builder = (
        Application.builder()
        .token(token)
        .base_url(base_url or DEFAULT_BASE_URL)
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(ChatOrdered())
        .post_init(on_startup)
    )
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = builder.build()
    application.bot_data[STATE_KEY] = TelegramChannel(
        assistant, allowed or AllowList(), admin_ids() if admins is None else admins)
    register(application)
    return application


def register(application: Application) -> None:
    """Every handler of the bot, by kind."""
    application.add_handler(TypeHandler(Update, ignore_edits), group=-3)
    application.add_handler(TypeHandler(Update, drop_duplicates), group=-2)
    application.add_handler(TypeHandler(Update, check_access), group=-1)
    for command in (
        Command("start", start, COMMAND_DESCRIPTIONS["start"]),
        Command("help", help_command, COMMAND_DESCRIPTIONS["help"]),
        Command("topics", topics, COMMAND_DESCRIPTIONS["topics"]),
        Command("ask", ask, COMMAND_DESCRIPTIONS["ask"]),
        Command("stats", stats, COMMAND_DESCRIPTIONS["stats"]),
        Command("source", source, COMMAND_DESCRIPTIONS["source"]),
    ):
        add_command(application, command)
    from smassist.channels.telegram import figures  # /trend and /brief

    figures.register(application)
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, question))
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text))
    application.add_handler(CallbackQueryHandler(button))
    application.add_error_handler(on_error)


async def on_startup(application: Application) -> None:
    """Publish the command menus (fr, en, admins), catch unknown commands, log who may ask."""
    bot_state = state(application)
    bot_state_info = bot_state.allowed.describe()
    if bot_state.allowed.configured:
        logger.info("Telegram allow-list: %s", bot_state_info)
    else:
        logger.warning("Telegram allow-list: %s", bot_state_info)
    # Registered last, so commands added by other modules are matched before it.
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    for lang in (None, *LANGS):
        commands = [BotCommand(name, description[:256])
                    for name, description in bot_state.command_list(lang or "en")]
        await application.bot.set_my_commands(commands, scope=BotCommandScopeDefault(),
                                              language_code=lang)
    if any(c.admin for c in bot_state.commands):
        for admin in bot_state.admins:
            try:
                await application.bot.set_my_commands(
                    [BotCommand(n, d[:256]) for n, d in bot_state.command_list("en", admin=True)],
                    scope=BotCommandScopeChat(admin))
            except TelegramError as exc:  # the admin has not opened a chat with the bot yet
                logger.info("No admin command menu for one admin: %s", exc)


# --- access ---------------------------------------------------------------------------


async def ignore_edits(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is not a new question: it was answered as first sent (as in Slack).

    Answering the edit would put a second answer at the bottom of the chat, away
    from the question it belongs to; a user who wants the corrected question
    answered sends it again.
    """
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop


async def drop_duplicates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle each update once, whichever instance it reaches: Telegram delivers an
    update again when its webhook call failed or timed out (smassist.state.Deliveries)."""
    from smassist import state as shared

    deliveries = shared.of(state(context).assistant).deliveries
    bot_id = context.bot.token.partition(":")[0]
    if not await asyncio.to_thread(deliveries.claim, f"telegram:{bot_id}:{update.update_id}"):
        logger.info("Telegram update %s already handled; not answering again", update.update_id)
        metrics.DUPLICATES_DROPPED.inc(channel=CHANNEL)
        raise ApplicationHandlerStop


async def check_access(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let allowed users through; tell anyone else their id, once per message, and stop."""
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop  # channel posts and the like: not a person asking
    bot_state = state(context)
    if bot_state.allowed.allows(user.id) or user.id in bot_state.admins:
        return
    lang = ui_lang(user.language_code)
    refusal = text(lang, "not_allowed" if bot_state.allowed.configured else "nobody_allowed",
                   user_id=user.id)
    if update.callback_query:
        await update.callback_query.answer(refusal.replace("<code>", "").replace("</code>", ""),
                                           show_alert=True)
    elif update.effective_chat:
        await reply_html(update, context, refusal)
    raise ApplicationHandlerStop


# --- commands -----------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what smassist is, with example questions and the figures as buttons."""
    bot_state = state(context)
    lang = chat_lang(update, context)
    help_reply = bot_state.assistant.help(lang)
    await send(context, update.effective_chat.id,
               render.start_messages(help_reply, bot_state.assistant.kb, bot_state.command_list(lang)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands, the topics and example questions."""
    bot_state = state(context)
    lang = chat_lang(update, context)
    admin = update.effective_user is not None and update.effective_user.id in bot_state.admins
    await send(context, update.effective_chat.id,
               render.help_messages(bot_state.assistant.help(lang), bot_state.assistant.kb,
                                    bot_state.command_list(lang, admin=admin)))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the topics as buttons; a tap lists that topic's questions."""
    await send(context, update.effective_chat.id,
               [render.topics_message(state(context).assistant.kb, chat_lang(update, context))])


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question written after /ask."""
    words = context.args or []
    if not words:
        await reply_html(update, context, html.escape(text(chat_lang(update, context), "ask_usage"),
                                                      quote=False))
        return
    await answer_question(update, context, " ".join(words))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show a topic's figures with their sources; without a topic, the topics to pick from."""
    kb = state(context).assistant.kb
    lang = chat_lang(update, context)
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await send(context, update.effective_chat.id,
                   [render.topics_message(kb, lang, callbacks.STATS)])
        return
    topic_id = find_topic(kb, wanted)
    if topic_id is None:
        intro = text(lang, "unknown_topic", topic=html.escape(wanted[:100], quote=False))
        await send(context, update.effective_chat.id,
                   [render.topics_message(kb, lang, callbacks.STATS, intro=intro)])
        return
    await typing(update, context)
    await send(context, update.effective_chat.id, render.topic_figures_messages(kb, topic_id, lang))


async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Give the sources of the last answer in this chat."""
    assistant = state(context).assistant
    reply = assistant.sources(chat_lang(update, context), conversation_key(update.effective_chat.id))
    await send(context, update.effective_chat.id, render.render_reply(reply, assistant.kb))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say the command is unknown and list the known ones."""
    bot_state = state(context)
    lang = chat_lang(update, context)
    listed = "\n".join(f"/{name} — {html.escape(d, quote=False)}"
                       for name, d in bot_state.command_list(lang))
    await reply_html(update, context, f"{html.escape(text(lang, 'unknown_command'), quote=False)}\n{listed}")


# --- questions and buttons ----------------------------------------------------------------


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text message as a question."""
    await answer_question(update, context, update.effective_message.text or "")


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for a typed question when a photo, sticker or voice note arrives."""
    await reply_html(update, context, html.escape(catalogue.text(chat_lang(update, context), "answer.empty"),
                                                  quote=False))


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text_: str) -> None:
    """Ask the assistant in this chat's conversation and send the rendered reply."""
    channel = state(context)
    assistant = channel.assistant
    user = update.effective_user
    chat_id = update.effective_chat.id
    await typing(update, context)
    reply = await asyncio.to_thread(channel.ask, text_, conversation_key(chat_id),
                                    user.id if user else None,
                                    user.language_code if user else None)
    if reply.kind == "trend":  # "le social selling progresse-t-il ?": the chart too
        from smassist.channels.telegram.figures import send_trend

        await send_trend(context, chat_id, reply, assistant.kb)
        return
    await send(context, chat_id, render.render_reply(reply, assistant.kb))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Act on an inline-button press; the query is always answered."""
    query = update.callback_query
    assistant = state(context).assistant
    kb = assistant.kb
    lang = chat_lang(update, context)
    if update.effective_chat is None:
        # A button on a message sent in inline mode (inline_message_id, no message):
        # smassist sends none, so there is no chat to answer in; stop the spinner.
        await query.answer()
        return
    press = callbacks.decode(query.data, kb)
    if press is None:
        await query.answer(text(lang, "outdated_button"), show_alert=True)
        return
    user_id = str(update.effective_user.id)
    if press.action == callbacks.FEEDBACK:
        useful = press.target == "1"
        assistant.record_feedback(press.reply_id, useful, channel=CHANNEL, user=user_id)
        await query.answer(text(lang, "thanks_useful" if useful else "thanks_not_useful"))
        return
    await query.answer()
    chat_id = update.effective_chat.id
    key = conversation_key(chat_id)
    if press.action == callbacks.ANSWER:
        if press.reply_id:
            assistant.record_click(press.reply_id, press.target, channel=CHANNEL, user=user_id)
        await typing(update, context)
        reply = assistant.answer_entry(press.target, lang, key)
        await send(context, chat_id, render.render_reply(reply, kb))
    elif press.action == callbacks.SOURCES:
        await send(context, chat_id,
                   render.render_reply(assistant.sources(lang, key, entry=press.target), kb))
    elif press.action == callbacks.TOPIC:
        await send(context, chat_id, [render.topic_questions_message(kb, press.target, lang)])
    elif press.action == callbacks.STATS:
        if not press.target:
            await send(context, chat_id, [render.topics_message(kb, lang, callbacks.STATS)])
        else:
            await send(context, chat_id, render.topic_figures_messages(kb, press.target, lang))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an error in one update, tell the user, and keep the bot running."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Error while handling Telegram update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query:
        with contextlib.suppress(TelegramError):  # already answered, or too old to answer
            await update.callback_query.answer()
    if isinstance(context.error, Forbidden):
        return  # the user blocked the bot: nobody to tell
    try:
        await context.bot.send_message(update.effective_chat.id,
                                       text(chat_lang(update, context), "error"))
    except TelegramError as exc:
        logger.warning("Could not tell the user about the error: %s", exc)
