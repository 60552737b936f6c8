"""Replies as Telegram messages: HTML text (figures first) and inline keyboards.

Every piece of user or knowledge-base text goes through :func:`html.escape`;
the only tags are the ones written here. Messages longer than Telegram's 4,096
characters are split at paragraph boundaries, and only the last part carries
the keyboard.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from smassist import texts as catalogue
from smassist.answering.reply import Reply, StatisticView, Suggestion
from smassist.channels.base import actions
from smassist.channels.telegram import callbacks
from smassist.channels.telegram.texts import text as t
from smassist.kb.runtime import KnowledgeBase

MAX_MESSAGE = 4096
MAX_BUTTON_LABEL = 64
MAX_QUOTE = 200


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message to send: HTML text and an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def escape(value: object) -> str:
    return html.escape(str(value), quote=False)


def render_reply(reply: Reply, kb: KnowledgeBase) -> list[Outgoing]:
    """The messages that show ``reply`` in a Telegram chat."""
    lang = reply.lang
    blocks: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    if reply.kind == "answer":
        if reply.title:
            blocks.append(f"<b>{escape(reply.title)}</b>")
        if reply.statistics:
            blocks.append(_figures_html(reply))
        blocks.extend(_paragraphs(reply.text))
        offered = actions(reply, len(reply.follow_ups))
        top = [_button(t(lang, "sources_button"), callbacks.entry_button(
            callbacks.SOURCES, kb, offered.sources_of, reply.id))] if offered.sources_of else []
        top += [
            _button(t(lang, "useful_button"), callbacks.feedback_button(reply.id, True)),
            _button(t(lang, "not_useful_button"), callbacks.feedback_button(reply.id, False)),
        ]
        rows.append(top)
        rows.extend(_entry_rows(kb, offered.follow_ups, reply.id))
    elif reply.kind == "sources":
        blocks.append(_sources_html(reply))
        rows.extend(_entry_rows(kb, reply.follow_ups, reply.id))
    elif reply.kind == "details":
        blocks.extend(_paragraphs(reply.text))
        rows.extend(_entry_rows(kb, reply.follow_ups, reply.id))
    else:  # clarify, unknown, help, invalid
        commands = reply.extra.get("commands") if reply.kind == "help" else None
        if commands:  # "aide" typed as a message: the commands first
            blocks.append(f"<b>{escape(catalogue.text(lang, 'answer.commands_intro'))}</b>\n"
                          + "\n".join(escape(line) for line in commands))
        if reply.kind == "unknown" and reply.question.strip():
            # Say which question was not understood (useful in a busy group chat).
            blocks.append(f"❓ <i>{escape(shorten(reply.question, MAX_QUOTE))}</i>")
        blocks.extend(_paragraphs(reply.text))
        if reply.kind == "clarify":
            rows.extend(_entry_rows(kb, reply.suggestions, reply.id, numbered=True))
        else:
            rows.extend(_topic_rows(kb, reply.topics, callbacks.TOPIC))
            if reply.suggestions:
                if reply.kind == "help":
                    blocks.append(escape(catalogue.text(lang, "answer.examples")))
                rows.extend(_entry_rows(kb, reply.suggestions, reply.id))
    return pack(blocks, InlineKeyboardMarkup(rows) if rows else None)


def start_messages(help_reply: Reply, kb: KnowledgeBase, commands: Iterable[tuple[str, str]]) -> list[Outgoing]:
    """/start: what smassist is, example questions as buttons, and a way to the figures."""
    lang = help_reply.lang
    blocks = [t(lang, "start")]
    listed = "\n".join(f"/{name} — {escape(description)}" for name, description in commands)
    if listed:
        blocks.append(f"{escape(t(lang, 'commands_intro'))}\n{listed}")
    rows = _entry_rows(kb, help_reply.suggestions, "")
    rows.append([_button(t(lang, "figures_button"), f"{callbacks.STATS}:")])
    return pack(blocks, InlineKeyboardMarkup(rows))


def help_messages(help_reply: Reply, kb: KnowledgeBase, commands: Iterable[tuple[str, str]]) -> list[Outgoing]:
    """/help: the core's help (topics and examples as buttons) and the command list."""
    parts = render_reply(help_reply, kb)
    listed = "\n".join(f"/{name} — {escape(description)}" for name, description in commands)
    if not listed:
        return parts
    return [Outgoing(f"{escape(t(help_reply.lang, 'commands_intro'))}\n{listed}"), *parts]


def topics_message(kb: KnowledgeBase, lang: str, action: str = callbacks.TOPIC,
                   intro: str | None = None) -> Outgoing:
    """The topics that have entries, as a keyboard (``action``: questions or figures)."""
    topics = [(tid, topic.title[lang]) for tid, topic in kb.topics.items() if kb.entries_by_topic(tid)]
    prompt = intro or t(lang, "stats_prompt" if action == callbacks.STATS else "topics_prompt")
    return Outgoing(prompt, InlineKeyboardMarkup(_topic_rows(kb, topics, action)))


def topic_questions_message(kb: KnowledgeBase, topic_id: str, lang: str) -> Outgoing:
    """A topic's entries as buttons, and a button to its figures."""
    topic = kb.topics[topic_id]
    entries = kb.entries_by_topic(topic_id)
    rows = _entry_rows(kb, [Suggestion(e.id, e.title[lang]) for e in entries], "")
    if kb.statistics_by_topic(topic_id):
        rows.append([_button(t(lang, "topic_figures_button"),
                             callbacks.topic_button(callbacks.STATS, kb, topic_id))])
    return Outgoing(t(lang, "topic_questions", title=escape(topic.title[lang])),
                    InlineKeyboardMarkup(rows) if rows else None)


def topic_figures_messages(kb: KnowledgeBase, topic_id: str, lang: str) -> list[Outgoing]:
    """Every figure of a topic, each with its full source."""
    topic = kb.topics[topic_id]
    views = [StatisticView.of(s, kb, lang) for s in kb.statistics_by_topic(topic_id)]
    title = escape(topic.title[lang])
    if not views:
        return [Outgoing(t(lang, "no_stats", title=title))]
    blocks = [t(lang, "stats_title", title=title)]
    for view in views:
        blocks.append(f"{_figure_text(view)}\n<i>{escape(_source_label(view.citation or view.source, lang))}</i>")
    entries = kb.entries_by_topic(topic_id)
    rows = _entry_rows(kb, [Suggestion(e.id, e.title[lang]) for e in entries[:3]], "")
    return pack(blocks, InlineKeyboardMarkup(rows) if rows else None)


# --- pieces ------------------------------------------------------------------------


def _figure_text(stat: StatisticView) -> str:
    if stat.formatted and stat.text.startswith(stat.formatted):
        return f"📊 <b>{escape(stat.formatted)}</b>{escape(stat.text[len(stat.formatted):])}"
    return f"📊 {escape(stat.text)}"


def _source_label(line: str, lang: str) -> str:
    return f"{catalogue.text(lang, 'answer.source')}{catalogue.colon(lang)} {line}"


def _figures_html(reply: Reply) -> str:
    """Each study's figures, then its one source line (who, which study, year, sample, article)."""
    lines = []
    for group in reply.source_groups():
        lines.extend(_figure_text(s) for s in group.statistics)
        lines.append(f"<i>{escape(_source_label(group.citation or group.source, reply.lang))}</i>")
    return "\n".join(lines)


def _paragraphs(text: str) -> list[str]:
    return [escape(line) for line in text.split("\n") if line.strip()]


def _sources_html(reply: Reply) -> str:
    """A 'sources' reply from its data: each source in a bullet, its figures under it."""
    groups = reply.source_groups()
    if not groups:  # advice without a figure: the reply says so in one sentence
        first, _, rest = reply.text.partition("\n")
        return f"<b>{escape(first)}</b>" + (f"\n{escape(rest)}" if rest.strip() else "")
    lang = reply.lang
    lines = [escape(catalogue.text(lang, "answer.sources_intro", title=reply.title or ""))]
    for group in groups:
        lines.append(f"• {escape(group.citation or group.source)}")
        lines.extend(f"    ◦ <i>{escape(stat.text)}</i>" for stat in group.statistics)
    lines[0] = f"<b>{lines[0]}</b>"
    return "\n".join(lines)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(text: str) -> str:
    return shorten(text, MAX_BUTTON_LABEL)


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(_label(label), callback_data=data)


def _entry_rows(kb: KnowledgeBase, suggestions: Sequence[Suggestion], reply_id: str,
                numbered: bool = False) -> list[list[InlineKeyboardButton]]:
    rows = []
    for number, suggestion in enumerate(suggestions, 1):
        if suggestion.entry not in kb.entries:
            continue
        label = f"{number}. {suggestion.text}" if numbered else suggestion.text
        rows.append([_button(label, callbacks.entry_button(callbacks.ANSWER, kb, suggestion.entry, reply_id))])
    return rows


def _topic_rows(kb: KnowledgeBase, topics: Iterable[tuple[str, str]],
                action: str) -> list[list[InlineKeyboardButton]]:
    buttons = [_button(title, callbacks.topic_button(action, kb, tid)) for tid, title in topics
               if tid in kb.topics]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


# --- splitting -------------------------------------------------------------------


def _length(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def pack(blocks: Sequence[str], keyboard: InlineKeyboardMarkup | None,
         limit: int = MAX_MESSAGE) -> list[Outgoing]:
    """Blocks joined by blank lines, split into messages under ``limit``; keyboard on the last."""
    parts = split_html("\n\n".join(b for b in blocks if b), limit)
    return [Outgoing(part, keyboard if i == len(parts) - 1 else None) for i, part in enumerate(parts)]


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """``text`` in pieces under ``limit``: at paragraphs, else lines, else spaces.

    The HTML here is one tag pair per line at most, so cutting between paragraphs
    or lines never leaves a tag open; within a line, a cut never falls inside an
    entity such as ``&amp;``.
    """
    if _length(text) <= limit:
        return [text] if text.strip() else []
    pieces: list[str] = []
    for separator in ("\n\n", "\n", " "):
        if separator in text:
            units = text.split(separator)
            break
    else:
        return _hard_split(text, limit)
    current = ""
    for unit in units:
        candidate = f"{current}{separator}{unit}" if current else unit
        if _length(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if _length(unit) <= limit:
            current = unit
        else:
            *whole, current = split_html(unit, limit)
            pieces.extend(whole)
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def _hard_split(text: str, limit: int) -> list[str]:
    pieces = []
    while _length(text) > limit:
        cut = limit
        while _length(text[:cut]) > limit:
            cut -= 1
        amp = text.rfind("&", 0, cut)
        if amp > 0 and text.find(";", amp) >= cut:
            cut = amp  # do not cut an entity in two
        pieces.append(text[:cut])
        text = text[cut:]
    return [*pieces, text] if text else pieces
