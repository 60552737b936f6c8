"""Who administers smassist on Slack, and how to reach them.

``SMASSIST_ADMINS`` lists Slack and Telegram user ids together; the Slack ones
look like ``U0123ABC`` (or ``W…`` on Enterprise Grid).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from smassist.settings import Settings

logger = logging.getLogger(__name__)

#: What a Slack user id looks like (``W…`` on Enterprise Grid).
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def admin_ids(environ: Mapping[str, str] | None = None) -> list[str]:
    """The Slack user ids listed in ``SMASSIST_ADMINS``, in order, without duplicates."""
    return [i for i in Settings.from_env(environ).admins if SLACK_USER_ID.match(i)]


def is_admin(user_id: str | None, environ: Mapping[str, str] | None = None) -> bool:
    """True when ``user_id`` is a Slack admin of smassist."""
    return bool(user_id) and user_id in admin_ids(environ)


def notify_admins(client: WebClient, text: str, *, blocks: list[dict] | None = None,
                  admins: Iterable[str] | None = None) -> list[str]:
    """Send ``text`` as a direct message to each Slack admin; the ids reached.

    A failure for one admin is logged and does not stop the others. ``text`` is
    sent as is (mrkdwn): escape anything that came from users with
    :func:`smassist.channels.slack.blocks.escape`.
    """
    reached = []
    for user in admin_ids() if admins is None else admins:
        try:
            opened = client.conversations_open(users=user)
            channel = opened["channel"]["id"]
            client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, OSError, KeyError, TypeError) as exc:
            logger.error("could not notify admin %s: %s", user, _reason(exc))
            continue
        reached.append(user)
    return reached


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"
