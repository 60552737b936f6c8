"""``/smassist trend TOPIC`` and ``/smassist brief``: figures over time, and the ten to know.

``trend`` posts the text trend in the channel (the text is the fallback: it
stands alone) and uploads each series' chart in that message's thread with
slack-sdk's ``files_upload_v2``. When the app cannot post there (not a member
of the channel) or has no chart (matplotlib missing), the user gets the text
privately. ``brief`` answers privately with the ten figures and a button to the
entry behind them.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from smassist.answering.reply import Reply
from smassist.channels.base import Channel, command
from smassist.channels.slack.blocks import (
    ACTION_FOLLOW_UP,
    MAX_SECTION_CHARS,
    entry_buttons,
    escape,
    split_text,
)
from smassist.channels.slack.commands import CommandRequest, subcommand

logger = logging.getLogger("smassist.slack")

def _blocks(reply: Reply, buttons: bool = True) -> list[dict]:
    """The reply's text (label in bold) and buttons to the entries behind its figures."""
    lines = reply.text.split("\n", 1)
    text = f"*{escape(lines[0])}*" + (f"\n{escape(lines[1])}" if len(lines) > 1 else "")
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": part}}
                          for part in split_text(text, MAX_SECTION_CHARS)][:45]
    if buttons and reply.follow_ups:
        blocks.append(entry_buttons(reply, reply.follow_ups, ACTION_FOLLOW_UP))
    return blocks


@subcommand(*command("trend").names)
def trend(request: CommandRequest) -> None:
    """A figure over time: the sourced text in the channel, its chart in the thread."""
    reply = request.assistant.trend(request.args, request.lang, request.conversation)
    series = reply.extra.get("series") or []
    fallback = reply.text[:3000]
    if not series:
        request.respond(response_type="ephemeral", text=fallback, blocks=_blocks(reply))
        return
    try:
        posted = request.client.chat_postMessage(channel=request.channel, text=fallback,
                                                 blocks=_blocks(reply))
    except (SlackApiError, SlackClientError) as exc:
        logger.info("Cannot post the trend in %s (%s); answering privately", request.channel, exc)
        request.respond(response_type="ephemeral", text=fallback, blocks=_blocks(reply))
        return
    if request.channel_base is not None:
        upload_charts(request.channel_base, request.client, reply, request.channel, posted["ts"])


def upload_charts(door: Channel, client: WebClient, reply: Reply, channel: str,
                  thread_ts: str | None) -> None:
    """Upload the chart of each series of a trend reply in the thread (the text is already there)."""
    for attachment in door.chart_attachments(reply):
        if attachment.path is None or not door.send_picture((client, channel, thread_ts), attachment):
            return


@subcommand(*command("brief").names, takes_args=False)
def brief(request: CommandRequest) -> None:
    """The ten figures a manager most needs, each sourced, with buttons to their entries."""
    reply = request.assistant.brief(request.lang)
    request.respond(response_type="ephemeral", text=reply.text[:3000], blocks=_blocks(reply))
