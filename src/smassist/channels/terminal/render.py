"""Replies as terminal text (the `ask` and `chat` commands)."""

from __future__ import annotations

import textwrap

from smassist.answering.reply import Reply
from smassist.channels.base import actions
from smassist.texts import colon, text


def render(reply: Reply, width: int = 88, color: bool = False) -> str:
    """A reply as plain text: the answer, its figures with sources, then choices."""

    def bold(text: str) -> str:
        return f"\033[1m{text}\033[0m" if color else text

    def dim(text: str) -> str:
        return f"\033[2m{text}\033[0m" if color else text

    lang = reply.lang
    out: list[str] = []
    commands = reply.extra.get("commands") if reply.kind == "help" else None
    if commands:  # /help: the commands first, then what smassist knows
        out.append(bold(text(lang, "answer.commands_intro")))
        out.extend(_wrap(line, width, "    ") for line in commands)
        out.append("")
    for paragraph in reply.text.split("\n"):
        out.append(_wrap(paragraph, width) if paragraph.strip() else "")
    if reply.kind == "answer" and reply.statistics:
        out.append("")
        out.append(bold(text(lang, "answer.figures")))
        label = text(lang, "answer.source") + colon(lang)
        for group in reply.source_groups():  # each study's figures, then its one source line
            out.extend(_wrap(f"- {stat.text}", width, "  ") for stat in group.statistics)
            out.append(dim(_wrap(f"  {label} {group.citation or group.source}", width, "    ")))
    if reply.topics:
        out.append("")
        out.extend(_wrap(f"- {title} ({topic_id})", width, "  ") for topic_id, title in reply.topics)
    if reply.suggestions:
        out.append("")
        if reply.kind == "help":
            out.append(text(lang, "answer.examples"))
            out.extend(_wrap(f"- {s.text}", width, "  ") for s in reply.suggestions)
        else:
            out.extend(_wrap(f"  {i}. {s.text}", width, "     ")
                       for i, s in enumerate(reply.suggestions, 1))
            if reply.kind in ("clarify", "invalid"):  # "did you mean", or its choices again
                out.append(dim(text(lang, "answer.pick")))
    follow_ups = actions(reply, len(reply.follow_ups)).follow_ups
    if follow_ups:
        out.append("")
        out.append(bold(text(lang, "answer.related")))
        out.extend(_wrap(f"- {s.text}", width, "  ") for s in follow_ups)
    return "\n".join(out).rstrip()


def _wrap(text: str, width: int, indent: str = "") -> str:
    return textwrap.fill(text, width=width, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or text
