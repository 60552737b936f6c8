"""``/smassist reload`` and ``/smassist report``: the admins' loop on Slack.

Registered as sub-commands (admins only: ``SMASSIST_ADMINS``); ``watch`` starts
the knowledge-base watcher whose broken-edit alerts go to each admin by DM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smassist.channels.slack.blocks import escape
from smassist.channels.slack.commands import CommandRequest, subcommand

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from smassist.admin.reloader import Watcher
    from smassist.answering.assistant import Assistant


def code_block(text: str) -> str:
    """Admin texts (file:line lists, tables) as mrkdwn, never forming a mention or link."""
    return "```\n" + escape(text) + "\n```"


@subcommand("reload", "recharger", admin_only=True, takes_args=False)
def reload(request: CommandRequest) -> None:
    """Reload the knowledge base now; say the version, the counts, or every problem."""
    from smassist.admin.commands import reload_command

    text = reload_command(request.assistant, request.lang)
    request.respond(response_type="ephemeral", text=code_block(text))


@subcommand("report", "rapport", admin_only=True, takes_args=False)
def report(request: CommandRequest) -> None:
    """The last 30 days of questions: per day and channel, answered rate, gaps."""
    from smassist.admin.commands import report_command

    text = report_command(request.assistant, "30d", request.lang)
    request.respond(response_type="ephemeral", text=code_block(text))


def watch(assistant: Assistant, client: WebClient, interval: float = 1.0) -> Watcher:
    """Serve knowledge-base edits live; DM each Slack admin about a broken edit (once)."""
    from smassist.admin.reloader import start_watcher
    from smassist.channels.slack.admins import notify_admins

    return start_watcher(assistant, notify=lambda text: notify_admins(client, code_block(text)),
                         interval=interval)
