"""Follow-ups with nothing to follow: sent first, or while a "did you mean" waits for a pick.

"source ?", "pourquoi ?", "tell me more", "et en chiffres ?", "et aux États-Unis ?" refer
to an answer. Without one they ask for a question first (in the user's language, with the
topics there are answers on); with choices pending they offer the choices again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smassist import Assistant
from smassist.answering.followups import bare_reask, content_follow_up
from smassist.answering.kinds import named_entities
from smassist.texts import text as catalogue_text
from tests.kb.test_loader import write_kb

# (message, what it asks for, language): every follow-up kind the assistant recognises.
FOLLOW_UPS = [
    ("source ?", "sources", "fr"), ("where do these figures come from?", "sources", "en"),
    ("plus de détails", "details", "fr"), ("tell me more", "details", "en"),
    ("pourquoi ?", "why", "fr"), ("why?", "why", "en"),
    ("comment ?", "how", "fr"), ("how so?", "how", "en"),
    ("et en chiffres ?", "figures", "fr"), ("and in numbers?", "figures", "en"),
]


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return Assistant.load(write_kb(tmp_path / "kb"), use_cache=False)


@pytest.fixture(scope="module")
def bundled() -> Assistant:
    return Assistant.load(use_cache=False)


@pytest.mark.parametrize(("message", "want", "lang"), FOLLOW_UPS)
def test_a_follow_up_sent_first_asks_for_a_question_and_lists_the_topics(
        assistant: Assistant, message: str, want: str, lang: str) -> None:
    reply = assistant.ask(message, conversation="first")
    assert reply.kind == "invalid" and not reply.matched and reply.entry is None
    assert reply.lang == lang
    then = catalogue_text(lang, f"reply.then_{want}")
    assert reply.text == catalogue_text(lang, "reply.no_context", then=then)
    assert {topic for topic, _ in reply.topics} == {"roi", "charter"}  # what it can answer about
    assert not reply.statistics and not reply.suggestions


def test_an_api_call_without_a_conversation_gets_the_same_prompt(assistant: Assistant) -> None:
    reply = assistant.ask("pourquoi ?")
    assert reply.kind == "invalid" and reply.topics


def test_the_source_command_with_nothing_asked_gets_the_same_prompt(assistant: Assistant) -> None:
    reply = assistant.sources("en", "fresh")
    assert reply.kind == "invalid" and reply.topics
    assert catalogue_text("en", "reply.then_sources") in reply.text


def test_after_the_prompt_the_follow_up_works_once_a_question_is_answered(assistant: Assistant) -> None:
    assert assistant.ask("source ?", conversation="c").kind == "invalid"
    assistant.ask("Combien d'entreprises mesurent leur ROI ?", conversation="c")
    reply = assistant.ask("source ?", conversation="c")
    assert reply.kind == "sources" and reply.entry == "roi-measurement"


@pytest.mark.parametrize(("message", "lang", "named"), [
    ("et aux États-Unis ?", "fr", "États-Unis"), ("and in 2017?", "en", "2017"),
    ("et pour les PME ?", "fr", "PME"),
])
def test_a_bare_reask_sent_first_says_what_it_would_answer_for(
        bundled: Assistant, message: str, lang: str, named: str) -> None:
    reply = bundled.ask(message, conversation=f"first-{message}")
    assert reply.kind == "invalid" and not reply.matched and reply.lang == lang
    assert named in reply.text and reply.topics


@pytest.mark.parametrize("question", [
    "what about LinkedIn?",  # can be a question of its own
    "what % of US companies use social media",  # "what of US ..." once the % is gone
    "et les chiffres du ROI aux États-Unis en 2018, on les a ?",
])
def test_a_question_that_names_something_is_not_taken_for_a_bare_reask(bundled: Assistant,
                                                                       question: str) -> None:
    entities = [e for e in named_entities(bundled.kb.vocabulary, question) if e.grounded]
    assert not bare_reask(question, entities)


@pytest.mark.parametrize("question", ["les chiffres ?", "chiffres clés du ROI", "any numbers on ROI?"])
def test_a_vague_figure_question_is_still_a_question(question: str) -> None:
    assert content_follow_up(question) is None


# --- while a "did you mean" waits ---------------------------------------------------


@pytest.mark.parametrize(("message", "want", "lang"), FOLLOW_UPS)
def test_a_follow_up_before_a_pick_offers_the_choices_again(
        assistant: Assistant, message: str, want: str, lang: str) -> None:
    assistant.ask("How many companies measure their ROI?" if lang == "en"
                  else "Combien d'entreprises mesurent leur ROI ?", conversation="c")
    # Then a "did you mean" offered two entries (as Assistant._reply_for_match keeps them).
    assistant.conversations.remember("c", lang=lang, choices=("charter-need", "roi-measurement"))
    reply = assistant.ask(message, conversation="c")
    assert reply.kind == "invalid" and reply.entry is None  # not the answer before the choices
    assert reply.text == catalogue_text(lang, "reply.pick_first",
                                        then=catalogue_text(lang, f"reply.then_{want}"))
    assert [s.entry for s in reply.suggestions] == ["charter-need", "roi-measurement"]
    assert [s.text for s in reply.suggestions] == [
        assistant.kb.entries[e].title[lang] for e in ("charter-need", "roi-measurement")]
    picked = assistant.ask("2", conversation="c")  # the choices are still pending
    assert picked.kind == "answer" and picked.entry == "roi-measurement"


def test_tell_me_more_after_a_real_did_you_mean_repeats_its_choices(bundled: Assistant) -> None:
    offered = bundled.ask("les chiffres", lang="fr", conversation="dym")  # vague: choices offered
    assert offered.kind in ("clarify", "unknown") and offered.suggestions
    reply = bundled.ask("plus de détails", conversation="dym")
    assert reply.kind == "invalid"
    assert [s.entry for s in reply.suggestions] == [s.entry for s in offered.suggestions]
    again = bundled.ask("et aux États-Unis ?", conversation="dym")
    assert [s.entry for s in again.suggestions] == [s.entry for s in offered.suggestions]
    assert "États-Unis" in again.text
    last = len(offered.suggestions)
    assert bundled.ask(str(last), conversation="dym").entry == offered.suggestions[-1].entry
    assert bundled.ask("plus de détails", conversation="dym").kind == "details"


def test_a_reask_before_a_pick_is_not_answered_for_the_answer_before(bundled: Assistant) -> None:
    bundled.ask("Combien d'entreprises mesurent leur ROI ?", conversation="r")
    bundled.ask("les chiffres", lang="fr", conversation="r")
    reply = bundled.ask("et en 2017 ?", conversation="r")
    assert reply.entry != "roi-measurement" and reply.kind == "invalid"
