"""/help lists the commands, as each channel's users type them, in French and English,
from the one text catalogue; a number out of range says which numbers are valid."""

from __future__ import annotations

import io

import pytest

from smassist import Assistant
from smassist.channels.slack import blocks as slack
from smassist.channels.slack.app import SlackDoor
from smassist.channels.telegram import render as telegram
from smassist.channels.terminal.chat import TerminalChannel, run_chat
from smassist.texts import text


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


@pytest.mark.parametrize(("typed", "lang", "intro"), [
    ("/help", "fr", "Commandes :"), ("/aide", "fr", "Commandes :"),
    ("/help", "en", "Commands:"), ("aide", "fr", "Commandes :"), ("help", "en", "Commands:"),
])
def test_chat_help_lists_every_command_of_the_terminal(assistant: Assistant, typed: str, lang: str, intro: str,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{typed}\n/quit\n"))
    assert run_chat(assistant, lang=lang, watch=False, color=False) == 0
    out = capsys.readouterr().out
    assert intro in out
    for name in TerminalChannel.command_names:
        assert f"/{name} — {text(lang, f'command.{name}')}" in out, name
    assert out.index(intro) < out.index(text(lang, "answer.help")[:20])  # the commands come first


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_slack_help_lists_sub_commands_and_admin_ones_only_to_admins(assistant: Assistant, lang: str) -> None:
    door = SlackDoor(assistant)
    everyone = slack.render(door.with_commands(assistant.help(lang)))
    shown = "\n".join(b["text"]["text"] for b in everyone.blocks if b["type"] == "section")
    assert text(lang, "answer.commands_intro") in shown
    for name in ("help", "trend", "brief"):
        assert f"/smassist {name} — {text(lang, f'command.{name}')}" in shown
    assert "/smassist reload" not in shown
    admin = slack.render(door.with_commands(assistant.help(lang), admin=True))
    assert any("/smassist reload" in b["text"]["text"] for b in admin.blocks if b["type"] == "section")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_telegram_help_typed_as_a_message_shows_the_commands(assistant: Assistant, lang: str) -> None:
    reply = assistant.ask("aide" if lang == "fr" else "help", lang=lang)
    assert reply.kind == "help"
    lines = ["/brief — <les dix chiffres>", "/trend — A & B"]
    shown = "\n".join(m.text for m in telegram.render_reply(
        reply.__class__(**{**{f: getattr(reply, f) for f in reply.__dataclass_fields__},
                           "extra": {"commands": lines}}), assistant.kb))
    assert text(lang, "answer.commands_intro") in shown
    assert "/brief — &lt;les dix chiffres&gt;" in shown and "A &amp; B" in shown  # escaped


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", "Choisissez un numéro entre 1 et 3."),
    ("en", "Pick a number from 1 to 3."),
])
def test_an_out_of_range_number_says_which_numbers_are_valid(assistant: Assistant, lang: str,
                                                            expected: str) -> None:
    key = f"range-{lang}"
    assistant.conversations.remember(key, lang=lang,
                                     choices=("charter-adoption", "roi-measurement", "crisis-processes"))
    reply = assistant.ask("9", lang=lang, conversation=key)
    assert reply.kind == "invalid" and reply.text == expected
    assert assistant.ask("0", lang=lang, conversation=key).text == expected  # still pending
    picked = assistant.ask("2", lang=lang, conversation=key)
    assert (picked.kind, picked.entry) == ("answer", "roi-measurement")


def test_with_one_choice_the_number_to_type_is_said(assistant: Assistant) -> None:
    assistant.conversations.remember("one", lang="fr", choices=("charter-adoption",))
    reply = assistant.ask("4", lang="fr", conversation="one")
    assert reply.kind == "invalid" and "tapez 1" in reply.text
