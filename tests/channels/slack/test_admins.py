"""Who administers smassist on Slack, and how each admin is reached."""

from __future__ import annotations

import pytest

from smassist.channels.slack.admins import admin_ids, notify_admins
from smassist.channels.slack.app import make_client
from tests.support.slack_standin import (
    SlackStandIn,
)

# --- admins ------------------------------------------------------------------------------------------------


def test_notify_admins_sends_a_dm_to_each_slack_admin(slack: SlackStandIn,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMASSIST_ADMINS", "U0ADMIN1, 123456789,W0ADMIN2,U0ADMIN1")
    assert admin_ids() == ["U0ADMIN1", "W0ADMIN2"]
    reached = notify_admins(make_client("xoxb-stand-in", slack.api_url), "knowledge base broken")
    assert reached == ["U0ADMIN1", "W0ADMIN2"]
    assert [c.args["users"] for c in slack.calls_to("conversations.open")] == ["U0ADMIN1", "W0ADMIN2"]
    assert [c.args["channel"] for c in slack.calls_to("chat.postMessage")] == ["D0ADMIN1", "D0ADMIN2"]
