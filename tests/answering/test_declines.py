"""Declines: plain for what the base is not about; choices only where the version measured them right.

Every question here is written for these tests (not taken from an evaluation set).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from smassist import Assistant
from smassist.answering.assistant import choice_threshold
from smassist.kb import loader
from smassist.language.engine import Engine
from tests.language.test_training import write_plants


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


@pytest.mark.parametrize(("question", "lang"), [
    ("Quel temps fera-t-il demain à Lyon ?", "fr"),
    ("Will it rain tomorrow in Leeds?", "en"),
    ("Quelle est la capitale du Canada ?", "fr"),
    ("Who painted the Mona Lisa?", "en"),
    ("Combien de temps faut-il pour cuire un œuf dur ?", "fr"),
])
def test_weather_and_general_knowledge_get_the_plain_decline(assistant: Assistant, question: str,
                                                             lang: str) -> None:
    reply = assistant.ask(question, lang=lang, conversation="w")
    assert reply.kind == "unknown" and not reply.matched
    assert not reply.suggestions, [s.entry for s in reply.suggestions]
    assert reply.topics  # the plain decline lists what smassist knows
    # No choice is pending: a number afterwards is not taken as a pick.
    assert assistant.ask("1", conversation="w").kind == "invalid"


@pytest.mark.parametrize(("question", "lang", "plausible"), [
    ("Do we need one person just for answering comments?", "en",
     {"customer-relations-comments", "organisation-dedicated-team"}),
    ("Combien de temps nos salariés perdent-ils avec leurs outils internes ?", "fr",
     {"collaboration-risks"}),
])
def test_plausible_but_unsure_in_domain_question_is_offered_choices(assistant: Assistant, question: str,
                                                                   lang: str, plausible: set[str]) -> None:
    reply = assistant.ask(question, lang=lang, conversation="p")
    if reply.kind == "answer":  # sure enough: then it must be one of the plausible entries
        assert reply.entry in plausible
        return
    offered = [s.entry for s in reply.suggestions]
    assert offered and plausible & set(offered), offered
    picked = assistant.ask(str(offered.index(next(e for e in offered if e in plausible)) + 1),
                           conversation="p")
    assert picked.kind == "answer" and picked.entry in plausible


def test_the_bundled_version_derives_its_choice_threshold(assistant: Assistant) -> None:
    calibration = assistant.state.engine.calibration
    figures = calibration.figures
    assert 0 <= figures["choice_threshold"] <= calibration.clarify
    assert figures["declined_held_out"] > 0 and figures["declined_out_of_scope"] > 0
    least = choice_threshold(assistant.state.engine)
    if least is None:  # the version measured choices under "did you mean" mostly wrong
        assert figures["choices_offered"] == 0
    else:
        assert figures["choices_right"] >= 0.5


def test_a_decline_offers_the_candidates_the_version_threshold_lets_through(assistant: Assistant) -> None:
    # The same version with a choice threshold at zero: the decline now shows what was
    # found; at the clarify threshold (no band), nothing. The threshold is read, not fixed.
    engine = assistant.state.engine
    question = "Quelle est la capitale du Canada ?"
    for threshold, offers in ((0.0, True), (engine.calibration.clarify, False)):
        figures = {**engine.calibration.figures, "choice_threshold": threshold}
        other = Engine.__new__(Engine)
        other.__dict__.update(engine.__dict__)
        other.calibration = dataclasses.replace(engine.calibration, figures=figures)
        reply = Assistant(assistant.kb, other).ask(question)
        assert reply.kind == "unknown"
        assert bool(reply.suggestions) is offers and bool(reply.topics) is not offers


def test_similarity_alone_declines_without_choices(assistant: Assistant) -> None:
    plain = Assistant(assistant.kb, Engine(assistant.kb, train=False))
    assert choice_threshold(plain.state.engine) is None
    reply = plain.ask("What is the boiling point of water?")
    assert reply.kind != "answer" and (reply.kind == "clarify" or not reply.suggestions)


def test_a_knowledge_base_about_something_else_gets_its_own_threshold(tmp_path: Path) -> None:
    kb = loader.load(write_plants(tmp_path))
    plants = Assistant(kb, Engine(kb))
    calibration = plants.state.engine.calibration
    assert calibration is not None
    assert 0 <= calibration.figures["choice_threshold"] <= calibration.clarify
    for question, lang in [("Quel temps fera-t-il à Brest ce week-end ?", "fr"),
                           ("What's the score of the rugby match?", "en")]:
        reply = plants.ask(question, lang=lang)
        assert reply.kind == "unknown" and not reply.suggestions, reply.to_dict()
