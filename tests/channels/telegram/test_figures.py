"""/trend and /brief on Telegram, with the real bot against the Bot API stand-in."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smassist.answering.assistant import Assistant
from smassist.channels.telegram import callbacks
from smassist.kb import loader
from tests.channels.telegram.harness import ALICE, button_data, running
from tests.support.telegram_standin import BotAPIStandIn, visible_text
from tests.support.trend_kb import write_kb

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return Assistant(loader.load(write_kb(tmp_path / "kb")))


async def test_trend_command_sends_the_chart_as_a_photo_with_the_trend_as_caption(
        standin: BotAPIStandIn, assistant: Assistant) -> None:
    async with running(standin, assistant):
        standin.message(ALICE, "/trend social selling", language_code="en")
        [photo] = await standin.wait_for("sendPhoto", timeout=30)
    assert int(photo.params["chat_id"]) == ALICE
    assert photo.params["photo"][:8] == PNG_SIGNATURE
    assert photo.params["parse_mode"] == "HTML"
    caption = visible_text(photo.params["caption"])
    assert caption.startswith("Share of respondents doing social selling\nUp: from 20% in 2016")
    assert "2018 barometer, 427 respondents in France" in caption
    # The entry behind the figures is one tap away.
    assert [d.split(":")[0] for d in button_data(photo)] == [callbacks.ANSWER]


async def test_a_trend_too_long_for_a_caption_comes_as_photo_then_message(
        standin: BotAPIStandIn, tmp_path: Path) -> None:
    from tests.support.trend_kb import SERIES

    long_note = "Une précision importante sur ces chiffres. " * 30
    series = SERIES.replace("note: {fr: 2010 aux États-Unis ; ensuite en France.",
                            f"note: {{fr: \"{long_note}\"")
    assistant = Assistant(loader.load(write_kb(tmp_path / "long", series=series)))
    async with running(standin, assistant):
        standin.message(ALICE, "/trend roi")
        [photo] = await standin.wait_for("sendPhoto", timeout=30)
        [message] = await standin.wait_for("sendMessage", chat_id=ALICE)
    assert visible_text(photo.params["caption"]) == "Part des entreprises qui mesurent leur ROI"
    text = visible_text(message.params["text"])
    assert "ce n'est pas la même population" in text and long_note.strip() in text
    assert button_data(message)  # the buttons go with the full text


async def test_a_trend_question_in_a_message_also_gets_the_chart(
        standin: BotAPIStandIn, assistant: Assistant) -> None:
    async with running(standin, assistant):
        standin.message(ALICE, "le social selling progresse-t-il ?")
        [photo] = await standin.wait_for("sendPhoto", timeout=30)
    assert "En hausse : de 20\u202f% en 2016 à 50\u202f% en 2018" in visible_text(photo.params["caption"])


async def test_without_matplotlib_trend_is_sent_as_text(
        standin: BotAPIStandIn, assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    async with running(standin, assistant):
        standin.message(ALICE, "/trend roi", language_code="en")
        [message] = await standin.wait_for("sendMessage", chat_id=ALICE)
    assert visible_text(message.params["text"]).startswith("Share of companies measuring ROI")
    assert not standin.calls_to("sendPhoto")


async def test_brief_lists_sourced_figures_with_buttons_to_their_entries(
        standin: BotAPIStandIn, assistant: Assistant) -> None:
    async with running(standin, assistant):
        standin.message(ALICE, "/brief", language_code="en")
        [message] = await standin.wait_for("sendMessage", chat_id=ALICE)
        text = visible_text(message.params["text"])
        assert text.startswith("The 3 figures to know\n1. 50% of respondents do social selling")
        data = button_data(message)
        assert len(data) == 3 and all(d.startswith(callbacks.ANSWER + ":") for d in data)
        standin.press(ALICE, data[0], language_code="en")
        answers = await standin.wait_for("sendMessage", 2, chat_id=ALICE)
    assert "50% of respondents do social selling" in visible_text(answers[1].params["text"])


async def test_trend_and_brief_are_in_the_command_menu(standin: BotAPIStandIn,
                                                        assistant: Assistant) -> None:
    async with running(standin, assistant):
        calls = await standin.wait_for("setMyCommands")
    names = {c["command"] for call in calls for c in call.params["commands"]}
    assert {"trend", "brief"} <= names
