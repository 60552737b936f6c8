"""``/smassist reload`` and ``/smassist report``: the admins' loop on Slack.

Registered as sub-commands (admins only: ``SMASSIST_ADMINS``), named and answered
as on every channel (:mod:`smassist.channels.base`). The knowledge-base watcher
whose broken-edit alerts go to each admin by DM is :func:`.app.watch`.
"""

from __future__ import annotations

from smassist.channels.base import admin_text, command
from smassist.channels.slack.blocks import escape
from smassist.channels.slack.commands import CommandRequest, subcommand


def code_block(text: str) -> str:
    """Admin texts (file:line lists, tables) as mrkdwn, never forming a mention or link."""
    return "```\n" + escape(text) + "\n```"


@subcommand(*command("reload").names, admin_only=True, takes_args=False)
def reload(request: CommandRequest) -> None:
    """Reload the knowledge base now; say the version, the counts, or every problem."""
    door = request.channel_base
    # Through the channel when there is one: it also reads the access files again.
    text = (door.admin_text("reload", request.lang) if door is not None
            else admin_text(request.assistant, "reload", request.lang))
    request.respond(response_type="ephemeral", text=code_block(text))


@subcommand(*command("report").names, admin_only=True, takes_args=False)
def report(request: CommandRequest) -> None:
    """The question log of the last REPORT_PERIOD: per day and channel, answered rate, gaps."""
    settings = request.channel_base.settings if request.channel_base is not None else None
    text = admin_text(request.assistant, "report", request.lang, settings)
    request.respond(response_type="ephemeral", text=code_block(text))
