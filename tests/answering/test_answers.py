"""What a user reads: openings that fit the question, honest grounding, follow-ups that add.

Every question here is written for these tests (not taken from an evaluation set).
"""

from __future__ import annotations

import re

import pytest

from smassist import Assistant
from smassist.answering.kinds import first_sentence, holds_figure


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


# --- figure questions open with a figure ------------------------------------------

@pytest.mark.parametrize("question", [
    "Quel pourcentage des sociétés a rédigé une charte réseaux sociaux ?",
    "What percentage of companies have a written social media policy?",
    "Combien de boîtes suivent le retour sur investissement de leurs réseaux ?",
    "What share of staff actually know how to use social media at work?",
    "Quelle part des répondants fait du social selling aujourd'hui ?",
])
def test_figure_question_opens_with_a_figure_and_its_year(assistant: Assistant, question: str) -> None:
    reply = assistant.ask(question)
    assert reply.kind == "answer" and reply.question_kind == "figure"
    lead = first_sentence(reply.text)
    assert holds_figure(lead), lead
    assert any(str(s.year) in lead for s in reply.statistics if s.year), lead


def test_charter_figure_question_does_not_open_with_a_verdict(assistant: Assistant) -> None:
    fr = assistant.ask("Quelle proportion d'entreprises a rédigé une charte social media ?")
    en = assistant.ask("What proportion of companies wrote a social media charter?")
    assert not fr.text.startswith("Oui") and not en.text.startswith("Yes")


def test_recommendation_question_keeps_the_recommendation_first(assistant: Assistant) -> None:
    reply = assistant.ask("Faut-il avoir une charte médias sociaux ?")
    assert reply.entry == "charter-adoption"
    assert reply.text.startswith("Oui")


# --- grounding -------------------------------------------------------------------

@pytest.mark.parametrize(("question", "name"), [
    ("Combien d'entreprises publient sur Mastodon ?", "Mastodon"),
    ("How many companies post on TikTok?", "TikTok"),
])
def test_unmeasured_platform_is_said_uncovered_before_anything_else(assistant: Assistant, question: str,
                                                                   name: str) -> None:
    reply = assistant.ask(question)  # answered, or not: the missing figure is said first
    lead = first_sentence(reply.text)
    assert name in lead and not holds_figure(lead)
    assert name.lower() in reply.uncovered


def test_unmeasured_year_is_said_uncovered_first(assistant: Assistant) -> None:
    reply = assistant.ask("Combien d'entreprises mesuraient leur ROI en 2021 ?")
    assert reply.entry == "roi-measurement"
    assert first_sentence(reply.text).startswith("Les articles n'ont pas de chiffre de 2021")
    assert "year-2021" in reply.uncovered


@pytest.mark.parametrize("question", [
    "le social selling dans les boites en 2023, ca donne quoi",  # no kind phrase in it
    "social selling at companies in 2030?",
])
def test_year_after_every_figure_is_said_uncovered_whatever_the_kind(assistant: Assistant,
                                                                    question: str) -> None:
    # A year later than the knowledge base's last dated figure is a time the articles
    # cannot speak of: their older figures must not read as the answer about it.
    reply = assistant.ask(question)
    assert reply.kind == "answer" and reply.question_kind is None
    year = re.search(r"\b20\d\d\b", question).group()
    lead = first_sentence(reply.text)
    assert lead.startswith(("Les articles n'ont pas de chiffre de " + year,
                            "The articles have no figure from " + year)) and "%" not in lead
    assert f"year-{year}" in reply.uncovered


def test_year_the_figures_cover_is_not_said_uncovered_on_a_recommendation(assistant: Assistant) -> None:
    reply = assistant.ask("notre charte date de 2015, on la refait ?")
    assert reply.kind == "answer" and "year-2015" not in reply.uncovered
    assert "2015" not in first_sentence(reply.text)


def test_covered_country_is_answered_with_its_figure_first(assistant: Assistant) -> None:
    reply = assistant.ask("How many companies measure their ROI in the United States?")
    assert reply.entry == "roi-measurement"
    assert first_sentence(reply.text).startswith("For the United States: 43%")
    assert reply.statistics[0].id == "roi-measured-us-2010"


def test_unmeasured_country_is_said_uncovered(assistant: Assistant) -> None:
    reply = assistant.ask("Combien d'entreprises allemandes mesurent leur ROI ?")
    assert "l'Allemagne" in first_sentence(reply.text)
    assert "germany" in reply.uncovered


# --- follow-ups --------------------------------------------------------------------

def test_reask_for_a_year_goes_through_grounding(assistant: Assistant) -> None:
    assistant.ask("Combien d'entreprises mesurent leur ROI ?", conversation="y")
    reply = assistant.ask("et en 2017 ?", conversation="y")
    assert reply.entry == "roi-measurement"
    assert first_sentence(reply.text).startswith("Pour 2017 : 32")


def test_reask_for_a_country_in_english(assistant: Assistant) -> None:
    assistant.ask("How many companies have a social media policy?", conversation="c")
    reply = assistant.ask("and in the US?", conversation="c")
    assert reply.entry == "charter-adoption"
    assert first_sentence(reply.text).startswith("For the United States: nearly 60% of respondents")


@pytest.mark.parametrize(("question", "more"), [
    ("Combien d'entreprises mesurent leur ROI ?", "plus de détails"),
    ("How many companies measure their ROI?", "tell me more"),
])
def test_details_add_content_and_never_repeat(assistant: Assistant, question: str, more: str) -> None:
    first = assistant.ask(question, conversation=more)
    seen = [first.text]
    for _ in range(3):
        reply = assistant.ask(more, conversation=more)
        assert reply.kind == "details"
        body = reply.text.split("\n", 1)[-1]
        assert all(body not in earlier for earlier in seen)
        assert first.text not in reply.text
        seen.append(reply.text)


@pytest.mark.parametrize(("why", "lang"), [("pourquoi ?", "fr"), ("why?", "en")])
def test_why_gives_the_reasoning(assistant: Assistant, why: str, lang: str) -> None:
    question = ("Combien d'entreprises mesurent leur ROI ?" if lang == "fr"
                else "How many companies measure their ROI?")
    assistant.ask(question, conversation=why)
    reply = assistant.ask(why, conversation=why)
    assert reply.kind == "details" and reply.lang == lang
    assert "KingFishMedia" in reply.text  # the reasoning opening, with who says so


@pytest.mark.parametrize(("message", "lang"), [
    ("bonjour", "fr"), ("merci !", "fr"), ("thanks", "en"), ("hello", "en"),
])
def test_small_talk_gets_a_short_friendly_reply(assistant: Assistant, message: str, lang: str) -> None:
    reply = assistant.ask(message, lang=lang)
    assert reply.kind == "smalltalk"
    assert not reply.topics and len(reply.text) < 200


def test_out_of_range_number_says_which_numbers_are_valid(assistant: Assistant) -> None:
    first = assistant.ask("les chiffres", conversation="n")  # vague: "did you mean" with choices
    assert first.suggestions
    reply = assistant.ask("7", conversation="n")
    assert reply.kind == "invalid"
    assert f"1 et {len(first.suggestions)}" in reply.text
    assert assistant.ask("1", conversation="n").kind == "answer"


def test_other_language_gets_a_bilingual_reply(assistant: Assistant) -> None:
    reply = assistant.ask("¿Cuántas empresas tienen una estrategia en redes sociales?")
    assert "français" in reply.text and "English" in reply.text
    assert not reply.matched


# --- input hygiene ------------------------------------------------------------------

@pytest.mark.parametrize("wrapped", [
    "<b>Un bad buzz</b> sur Twitter ce matin, on fait quoi ?",
    "<@U024BE7LH> Un bad buzz sur Twitter ce matin, on fait quoi ?",
    "Un bad\u200b buzz sur Twit\u200bter ce matin, on fait quoi ?",
    "Un \x1b[1mbad buzz\x1b[0m sur Twitter ce matin, on fait quoi ?",
    "```Un bad buzz sur Twitter ce matin, on fait quoi ?```",
])
def test_markup_wrapped_question_matches_like_the_plain_one(assistant: Assistant, wrapped: str) -> None:
    plain = assistant.ask("Un bad buzz sur Twitter ce matin, on fait quoi ?")
    reply = assistant.ask(wrapped)
    assert (reply.kind, reply.entry) == (plain.kind, plain.entry)
    assert reply.question == wrapped  # the log keeps what was typed


def test_sources_name_who_ran_the_study(assistant: Assistant) -> None:
    reply = assistant.ask("Combien d'entreprises ont une charte des médias sociaux ?")
    details = {d["study"]: d for d in reply.to_dict()["source_details"]}
    assert details["barometre-2017"]["by"] == ["Hootsuite", "Adetem", "Visionary Marketing", "Toluna"]
    assert details["barometre-2017"]["article_title"].startswith("Réseaux sociaux d'entreprise")
