"""A platform-neutral Reply as a Slack message: Block Kit plus a plain-text fallback.

Everything shown is escaped for mrkdwn, so text typed by a user (``<!channel>``,
``<@U123>``) is repeated literally and never pings anyone. Block Kit limits are
respected: 3,000 characters per section text, 50 blocks per message, 75
characters per button text, 255 per action_id and 2,000 per button value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from smassist import texts as catalogue
from smassist.answering.reply import Reply, StatisticView, Suggestion
from smassist.channels.base import RATED_KINDS as BASE_RATED_KINDS
from smassist.channels.base import actions
from smassist.channels.slack.texts import text as say

MAX_SECTION_CHARS = 3000
MAX_BLOCKS = 50
MAX_BUTTON_CHARS = 75
MAX_ACTION_ID_CHARS = 255
MAX_VALUE_CHARS = 2000
MAX_FALLBACK_CHARS = 3000
MAX_BUTTONS = 3
MAX_FIGURES = 8

ACTION_FOLLOW_UP = "smassist_follow_up"
ACTION_SUGGESTION = "smassist_suggestion"
ACTION_USEFUL = "smassist_feedback_useful"
ACTION_NOT_USEFUL = "smassist_feedback_not_useful"
ACTION_POST = "smassist_post_to_channel"
#: Every button that asks for an entry's answer: follow-ups, "did you mean", help examples.
ENTRY_ACTIONS = re.compile(rf"^(?:{ACTION_FOLLOW_UP}|{ACTION_SUGGESTION})_\d+$")
FEEDBACK_ACTIONS = re.compile(rf"^(?:{ACTION_USEFUL}|{ACTION_NOT_USEFUL})$")

#: Reply kinds a user can rate (the channel base decides, for every channel).
RATED_KINDS = BASE_RATED_KINDS


def escape(text: str) -> str:
    """Text safe to show in mrkdwn: no mention, link or special command is formed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Escaped mrkdwn ``text`` in pieces of at most ``limit`` characters.

    Cuts at a line break, else at a space, and never inside an ``&amp;``-style entity.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
            entity = rest.rfind("&", max(0, cut - 5), cut)
            if entity != -1 and ";" not in rest[entity:cut]:
                cut = entity
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


@dataclass(frozen=True, slots=True)
class ButtonValue:
    """What a button carries: the reply it belongs to, its language, and an entry."""

    reply_id: str
    lang: str
    entry: str = ""

    def encode(self) -> str:
        return f"{self.reply_id}|{self.lang}|{self.entry}"[:MAX_VALUE_CHARS]

    @classmethod
    def decode(cls, value: object) -> ButtonValue | None:
        """The value of a button we made, or None for anything else."""
        if not isinstance(value, str):
            return None
        parts = value.split("|", 2)
        if len(parts) != 3 or not parts[0] or parts[1] not in ("fr", "en"):
            return None
        return cls(*parts)


@dataclass(slots=True)
class SlackMessage:
    """Keyword arguments for chat.postMessage / respond: a fallback text and blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _context(*mrkdwn: str) -> dict[str, Any]:
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": m[:MAX_SECTION_CHARS]} for m in mrkdwn[:10]]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": shorten(label, MAX_BUTTON_CHARS), "emoji": True},
        "action_id": action_id[:MAX_ACTION_ID_CHARS],
        "value": value[:MAX_VALUE_CHARS],
    }
    if style:
        button["style"] = style
    return button


def entry_buttons(reply: Reply, choices: tuple[Suggestion, ...], action: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": action,
        "elements": [
            _button(s.text, f"{action}_{i}", ButtonValue(reply.id, reply.lang, s.entry).encode())
            for i, s in enumerate(choices[:MAX_BUTTONS])
        ],
    }


def source_line(stat: StatisticView, lang: str) -> str:
    """Where a figure comes from, to repeat: who ran the study, which, its year and
    sample, and the article it was read in (one line per study)."""
    return f"{catalogue.text(lang, 'answer.source')}{catalogue.colon(lang)} {stat.citation or stat.source}"


def _figure_groups(reply: Reply) -> list[tuple[tuple[StatisticView, ...], str]]:
    """The figures shown (answers and details), grouped by study, each group with its source line."""
    if reply.kind not in ("answer", "details"):
        return []
    shown = set(map(id, reply.statistics[:MAX_FIGURES]))
    groups = []
    for group in reply.source_groups():
        stats = tuple(s for s in group.statistics if id(s) in shown)
        if stats:
            groups.append((stats, source_line(stats[0], reply.lang)))
    return groups


def render(reply: Reply, *, asked_by: str | None = None, shareable: bool = False,
           feedback: bool = True) -> SlackMessage:
    """``reply`` as Block Kit and fallback text.

    ``asked_by`` (a Slack user id) quotes the question and who asked it (an answer
    posted to a channel from a private one). ``shareable`` adds the button that
    posts an ephemeral answer to the channel.
    """
    lang = reply.lang
    head: list[dict[str, Any]] = []
    if asked_by:
        head.append(_context(say(lang, "posted_by", user=escape(asked_by),
                                 question=escape(shorten(reply.question, 500)))))
    commands = reply.extra.get("commands") if reply.kind == "help" else None
    if commands:  # help: the commands first
        head.append(_section(f"*{escape(catalogue.text(lang, 'answer.commands_intro'))}*\n"
                             + "\n".join(escape(line) for line in commands)))
    body_text = reply.text
    if reply.topics:
        body_text += "\n" + "\n".join(f"• {title}" for _, title in reply.topics)
    head.extend(_section(piece) for piece in split_text(escape(body_text)))

    offered = actions(reply, MAX_BUTTONS)
    tail: list[dict[str, Any]] = []
    if offered.choices:
        label = "answer.examples" if reply.kind == "help" else "slack.did_you_mean"
        if reply.kind != "clarify":  # the clarify text already asks "did you mean"
            tail.append(_context(escape(catalogue.text(lang, label))))
        tail.append(entry_buttons(reply, offered.choices, ACTION_SUGGESTION))
    if offered.follow_ups:
        tail.append(_context(escape(say(lang, "related"))))
        tail.append(entry_buttons(reply, offered.follow_ups, ACTION_FOLLOW_UP))
    controls: list[dict[str, Any]] = []
    value = ButtonValue(reply.id, lang, reply.entry or "").encode()
    if feedback and offered.feedback:
        controls.append(_button(say(lang, "useful"), ACTION_USEFUL, value))
        controls.append(_button(say(lang, "not_useful"), ACTION_NOT_USEFUL, value))
    if shareable and reply.kind not in ("invalid",):
        controls.append(_button(say(lang, "post_to_channel"), ACTION_POST, value, style="primary"))
    if controls:
        tail.append({"type": "actions", "block_id": "smassist_controls", "elements": controls})

    # A 'sources' reply already lists each figure under its source in its text.
    groups = _figure_groups(reply)

    # Keep the answer, its controls and as many figures as fit in 50 blocks: each
    # study's figures, then its one source line, whole studies only.
    room = MAX_BLOCKS - len(tail)
    if len(head) > room - 1:
        head = [*head[: room - 1], _context(escape(say(lang, "truncated")))]
    room -= len(head)
    figures: list[dict[str, Any]] = []
    if groups and room > 2:
        figures.append(_section(f"*{escape(catalogue.text(lang, 'answer.figures'))}*"))
        for stats, line in groups:
            group = [_section(escape(f"• {stat.text}")) for stat in stats]
            group.append(_context(escape(line)))
            if len(figures) + len(group) > room:
                break
            figures.extend(group)
        if len(figures) == 1:
            figures = []
    blocks = head + figures + tail
    return SlackMessage(fallback(reply, asked_by), blocks)


def fallback(reply: Reply, asked_by: str | None = None) -> str:
    """The plain-text version, for notifications, screen readers and old clients."""
    lines = [reply.text]
    lines.extend(f"• {title}" for _, title in reply.topics)
    for stats, line in _figure_groups(reply):
        lines.extend(f"• {s.text}" for s in stats)
        lines.append(f"  {line}")
    lines.extend(f"• {s.text}" for s in reply.suggestions)
    text = escape("\n".join(lines))
    if asked_by:
        text = say(reply.lang, "posted_by", user=escape(asked_by),
                   question=escape(shorten(reply.question, 300))) + "\n" + text
    return shorten_block(text, MAX_FALLBACK_CHARS)


def shorten_block(text: str, limit: int) -> str:
    """Multi-line ``text`` cut to ``limit`` characters (line breaks kept)."""
    return text if len(text) <= limit else split_text(text, limit - 1)[0] + "…"
