"""A minimal channel, to show (and pin) what adding a channel to smassist takes.

It reads questions from a file-like ``inbox`` and writes replies to an
``outbox``: a stand-in for a platform. Everything else comes from
:class:`smassist.channels.base.Channel`; registering it is one line
(:func:`smassist.channels.registry.register`).
"""

from __future__ import annotations

import argparse
import io
from typing import Any

from smassist.channels.base import (
    Attachment,
    Channel,
    actions,
    close_question_log,
    serving_assistant,
)
from smassist.settings import Settings

#: Where ``serve`` reads and writes; a test fills the inbox before calling it.
INBOX = io.StringIO()
OUTBOX = io.StringIO()


class EchoChannel(Channel):
    name = "echo"
    command_names = ("help", "reload")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.admin_messages: list[tuple[str, str]] = []

    def send_reply(self, where: Any, reply: Any) -> None:
        buttons = actions(reply)
        lines = [reply.text, *(f"[{s.text}]" for s in buttons.follow_ups + buttons.choices)]
        where.write("\n".join(lines) + "\n")

    def send_picture(self, where: Any, attachment: Attachment) -> None:
        where.write(f"<picture {attachment.path.name}: {attachment.title}>\n")

    def send_to_admin(self, admin: str, message: str) -> None:
        self.admin_messages.append((admin, message))

    def receive(self, line: str, user: str, where: Any) -> None:
        """One incoming message: a command or a question."""
        words = line.split()
        if words and words[0].startswith("/"):
            name = words[0][1:]
            found = next((c for c in self.offered_commands(admin=True) if name in c.names), None)
            if found is not None and found.admin_only and not self.is_admin(user):
                where.write("refused\n")
                return
            if found is not None and found.name == "reload":
                where.write(self.admin_text("reload", "en") + "\n")
                return
            if found is not None and found.name == "help":
                self.send_reply(where, self.assistant.help("en"))
                return
        reply = self.ask(line, self.conversation(user), user=user)
        self.send_reply(where, reply)
        for attachment in self.chart_attachments(reply):
            if attachment.path is not None:
                self.send_picture(where, attachment)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    assistant = serving_assistant(args.kb, settings)
    channel = EchoChannel(assistant, settings)
    try:
        for line in INBOX.getvalue().splitlines():
            channel.receive(line, args.user, OUTBOX)
    finally:
        close_question_log(assistant)  # what was asked is on disk when serving ends
    return 0
