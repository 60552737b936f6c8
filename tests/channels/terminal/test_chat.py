"""`smassist chat` as a channel: its command table in French and English, its conversation."""

from __future__ import annotations

import io

import pytest

from smassist import Assistant
from smassist.channels.terminal.chat import TerminalChannel, run_chat


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


@pytest.mark.parametrize(("typed", "command"), [
    ("/aide", "help"), ("/HELP", "help"), ("/sujets", "topics"), ("/sources", "source"),
    ("/recharger", "reload"), ("quit", "quit"), ("/exit", "quit"), ("aide", None),
    ("Combien d'entreprises ?", None),
])
def test_commands_are_named_in_french_or_english(assistant: Assistant, typed: str,
                                                 command: str | None) -> None:
    assert TerminalChannel(assistant).command_named(typed) == command


def test_a_session_answers_then_gives_the_sources_of_that_answer(
        assistant: Assistant, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Combien d'entreprises mesurent leur ROI ?\n/source\n/quit\nnever read\n"))
    assert run_chat(assistant, watch=False, color=False) == 0
    out = capsys.readouterr().out
    assert "Sources de ma dernière réponse" in out and "never read" not in out


def test_the_terminal_is_a_registered_channel_like_the_others(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from smassist.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("How many companies measure their ROI?\n/quit\n"))
    assert main(["serve", "terminal", "--lang", "en"]) == 0
    assert "%" in capsys.readouterr().out
