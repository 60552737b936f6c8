"""``/trend TOPIC`` and ``/brief``: figures over time as a chart, and the manager's ten figures.

``/trend`` sends each series' chart as a photo with its text trend as the
caption (Telegram allows 1,024 characters; a longer trend goes in a message
right after the photo). Without matplotlib the text trend is sent alone.
``/brief`` sends the ten figures with a button to the entry behind each.
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes

from smassist.answering.reply import Reply
from smassist.channels.base import chart_attachments
from smassist.channels.telegram import callbacks, render
from smassist.channels.telegram.channel import (
    Command,
    add_command,
    chat_lang,
    conversation_key,
    retrying,
    send,
    state,
    typing,
)
from smassist.kb.runtime import KnowledgeBase
from smassist.texts import descriptions

logger = logging.getLogger(__name__)

MAX_CAPTION = 1024

DESCRIPTIONS = {name: descriptions(f"command.{name}") for name in ("trend", "brief")}


def register(application: Application) -> None:
    """Add /trend and /brief to the bot (and to its command menu)."""
    add_command(application, Command("trend", trend, DESCRIPTIONS["trend"]))
    add_command(application, Command("brief", brief, DESCRIPTIONS["brief"]))


async def trend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a figure over time: the chart as a photo, the sourced trend as its caption."""
    assistant = state(context).assistant
    chat_id = update.effective_chat.id
    await typing(update, context)
    reply = await asyncio.to_thread(assistant.trend, " ".join(context.args or []),
                                    chat_lang(update, context), conversation_key(chat_id))
    await send_trend(context, chat_id, reply, assistant.kb)


async def brief(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the ten figures a manager most needs, each sourced, with buttons to their entries."""
    assistant = state(context).assistant
    reply = assistant.brief(chat_lang(update, context))
    lines = reply.text.splitlines()
    body = [f"<b>{render.escape(lines[0])}</b>", *(render.escape(line) for line in lines[1:])]
    await send(context, update.effective_chat.id,
               render.pack(["\n".join(body)], _entry_keyboard(reply, assistant.kb, rows=10)))


async def send_trend(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply,
                     kb: KnowledgeBase) -> None:
    """Each series of a trend reply as a photo with its text; text only without charts."""
    series = reply.extra.get("series") or []
    keyboard = _entry_keyboard(reply, kb)
    if not series:
        await send(context, chat_id, render.pack([render.escape(reply.text)], keyboard))
        return
    attachments = await asyncio.to_thread(lambda: list(chart_attachments(kb, reply)))
    for index, attachment in enumerate(attachments):
        markup = keyboard if index == len(attachments) - 1 else None
        caption = trend_html(attachment.description)
        if attachment.path is None:
            await send(context, chat_id, render.pack([caption], markup))
            continue
        fits = len(html.unescape(caption.replace("<b>", "").replace("</b>", ""))) <= MAX_CAPTION
        photo = attachment.path.read_bytes()
        photo_caption = caption if fits else _title(caption)
        photo_markup = markup if fits else None
        await retrying(lambda p=photo, c=photo_caption, m=photo_markup: context.bot.send_photo(
            chat_id, p, caption=c, reply_markup=m))
        if not fits:
            await send(context, chat_id, render.pack([caption], markup))


def trend_html(text: str) -> str:
    """A trend's text as Telegram HTML: its label in bold, everything escaped."""
    first, _, rest = text.partition("\n")
    return f"<b>{render.escape(first)}</b>" + (f"\n{render.escape(rest)}" if rest else "")


def _title(caption: str) -> str:
    return caption.partition("\n")[0]


def _entry_keyboard(reply: Reply, kb: KnowledgeBase, rows: int = 3) -> InlineKeyboardMarkup | None:
    """One button per entry behind the figures: a tap gives its full answer."""
    buttons = [[InlineKeyboardButton(
        render.shorten(s.text, render.MAX_BUTTON_LABEL),
        callback_data=callbacks.entry_button(callbacks.ANSWER, kb, s.entry, reply.id))]
        for s in reply.follow_ups[:rows] if s.entry in kb.entries]
    return InlineKeyboardMarkup(buttons) if buttons else None
