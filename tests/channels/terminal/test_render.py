"""A reply as terminal text: the answer, its figures each with a source, then choices."""

from __future__ import annotations

import pytest

from smassist import Assistant, Reply
from smassist.answering.reply import Suggestion
from smassist.channels.terminal.render import render


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


def test_an_answer_lists_its_figures_with_one_source_line_per_study(assistant: Assistant) -> None:
    reply = assistant.ask("Combien d'entreprises mesurent leur ROI ?", lang="fr")
    text = render(reply, width=10_000)
    studies = {s.study for s in reply.statistics}
    assert len(studies) < len(reply.statistics)  # two figures share a study: one line for both
    assert "Les chiffres" in text and text.count("Source :") == len(studies)
    for stat in reply.statistics:
        assert stat.text in text and stat.citation in text
    assert "\033[" not in text  # no colour unless asked
    assert "\033[1m" in render(reply, color=True)


def test_a_clarification_numbers_its_choices_and_says_how_to_pick() -> None:
    choices = (Suggestion("a", "Faut-il une charte ?"), Suggestion("b", "Qui doit la signer ? " * 6))
    text = render(Reply("charte", "clarify", "Vouliez-vous dire :", "fr", suggestions=choices),
                  width=60)
    assert "  1. Faut-il une charte ?" in text and "  2. Qui doit" in text and "numéro" in text
    assert max(len(line) for line in text.splitlines()) <= 60


def test_long_lines_are_wrapped_without_cutting_words(assistant: Assistant) -> None:
    reply = assistant.ask("How many companies measure their ROI?")
    for line in render(reply, width=40).splitlines():
        assert len(line) <= 40 or " " not in line.strip()
