"""What adding a channel takes: one package with a Channel subclass and ``serve``, and one registry line.

The echo channel (tests/support/echo_channel.py) implements only receiving and
the three ``send_*`` methods; asking, conversation keys, buttons, the command
table, admins, chart attachments and the question log come from the base.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from smassist.admin.store import open_default_store
from smassist.channels import registry
from smassist.cli import main
from tests.support import echo_channel

ECHO = registry.ChannelInfo("echo", "tests.support.echo_channel", "a channel for tests",
                            options=(registry.Option(("--user",), {"default": "U0ECHO"}),))


@pytest.fixture
def echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    registry.register(ECHO)  # the one line a new channel adds
    monkeypatch.setattr(echo_channel, "INBOX", io.StringIO())
    monkeypatch.setattr(echo_channel, "OUTBOX", io.StringIO())
    yield echo_channel.OUTBOX
    registry.unregister("echo")


def serve(lines: list[str], *args: str) -> str:
    echo_channel.INBOX.write("\n".join(lines) + "\n")
    assert main(["serve", "echo", *args]) == 0
    return echo_channel.OUTBOX.getvalue()


def test_a_registered_channel_answers_with_buttons_and_logs_under_its_name(echo: io.StringIO) -> None:
    out = serve(["Combien d'entreprises mesurent leur ROI ?"])
    assert "%" in out and "[" in out  # the answer, then its follow-ups as buttons
    [record] = open_default_store().questions()
    assert record.channel == "echo" and record.kind == "answer"


def test_follow_ups_refer_to_the_last_answer_in_the_same_conversation(echo: io.StringIO) -> None:
    out = serve(["Combien d'entreprises mesurent leur ROI ?", "source ?"])
    assert "Sources de ma dernière réponse" in out


def test_the_command_table_and_the_admins_come_from_the_base(
        echo: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "refused" in serve(["/recharger"])  # French name, admin-only
    monkeypatch.setenv("SMASSIST_ADMINS", "U0ECHO")
    echo_channel.OUTBOX.truncate(0)
    echo_channel.OUTBOX.seek(0)
    echo_channel.INBOX.truncate(0)
    echo_channel.INBOX.seek(0)
    assert "Knowledge base unchanged" in serve(["/reload"])


def test_a_trend_reply_comes_with_its_chart_when_charts_are_installed(echo: io.StringIO) -> None:
    pytest.importorskip("matplotlib")
    out = serve(["le ROI est-il en hausse depuis 2015 ?"])
    assert "<picture " in out and ".png" in out


def test_serve_lists_the_channel_and_a_missing_library_names_its_extra(
        echo: io.StringIO, capsys: pytest.CaptureFixture[str]) -> None:
    registry.register(registry.ChannelInfo("echo", ECHO.module, ECHO.help,
                                           requires=("smassist_no_such_module",), extra="echo"))
    assert main(["serve", "echo"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'smassist[echo]'" in err and "Traceback" not in err


def test_the_channel_modules_a_new_channel_needs_are_its_own(echo: io.StringIO) -> None:
    source = Path(echo_channel.__file__).read_text()
    imported = sorted({line.split()[1] for line in source.splitlines()
                       if line.startswith(("from smassist", "import smassist"))})
    assert imported == ["smassist.channels.base", "smassist.settings"]
