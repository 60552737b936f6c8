"""Grounding on the quantity a figure question asks for (a cost, a time, a number of followers).

A share of respondents is not a cost: when no figure of the entry's topic measures
what was asked, the reply says so first and no figure is presented as the answer.
Every question here is written for these tests (not taken from an evaluation set).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from smassist import Assistant
from smassist.answering.grounding import ground, relevant_entities
from smassist.answering.kinds import asked_quantity, first_sentence, holds_figure, question_kind
from smassist.kb import loader
from smassist.kb.loader import KnowledgeBaseError


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


_SAID = re.compile(r"^(Les articles (ne donnent|n'ont) aucun chiffre sur|"
                   r"The articles (give no figure|have no figure at all) on) (le|la|the) ")


@pytest.mark.parametrize(("question", "lang", "quantity", "opening"), [
    ("Combien coûte un community manager à temps plein ?", "fr", "cost", "coût (salaire"),
    ("How much does a full-time community manager cost?", "en", "cost", "cost (salary"),
    ("Combien de temps par semaine une équipe dédiée passe-t-elle sur les réseaux sociaux ?", "fr",
     "time", "temps (durée"),
    ("How long does a dedicated social media team spend on it each week?", "en", "time",
     "time (duration"),
])
def test_an_unmeasured_quantity_is_said_first_and_no_figure_answers_it(
        assistant: Assistant, question: str, lang: str, quantity: str, opening: str) -> None:
    reply = assistant.ask(question, lang=lang)
    assert quantity in reply.uncovered, (reply.kind, reply.text)
    lead = first_sentence(reply.text)
    said = _SAID.match(lead)
    assert said and lead[said.end():].startswith(opening), lead
    assert not holds_figure(lead.split(";")[0]), lead  # no figure stands as the answer
    assert reply.kind in ("answer", "clarify", "unknown")


def test_the_cost_sentence_names_what_the_articles_do_speak_about(assistant: Assistant) -> None:
    fr = assistant.ask("Combien coûte une équipe dédiée aux réseaux sociaux ?", lang="fr")
    en = assistant.ask("How much does a dedicated social media team cost?", lang="en")
    assert fr.kind == en.kind == "answer", (fr.text, en.text)
    assert fr.text.startswith("Les articles ne donnent aucun chiffre sur le coût (salaire, budget, "
                              "prix) ; ce qu'ils disent sur « "), fr.text
    assert en.text.startswith('The articles give no figure on the cost (salary, budget, price); '
                              'what they say on "'), en.text
    for reply in (fr, en):  # the figures shown are not about a cost
        assert reply.statistics and all(s.unit != "count" for s in reply.statistics)


@pytest.mark.parametrize(("question", "lang"), [
    ("Quelle part des entreprises a une équipe dédiée aux médias sociaux ?", "fr"),
    ("What share of companies have a team dedicated to social media?", "en"),
    ("Combien d'entreprises ont un budget pour une équipe dédiée ?", "fr"),
])
def test_a_measured_share_is_unaffected(assistant: Assistant, question: str, lang: str) -> None:
    reply = assistant.ask(question, lang=lang)
    assert reply.kind == "answer"
    assert not any(q in reply.uncovered for q in ("cost", "time", "followers", "users", "posts"))
    assert "aucun chiffre sur le" not in reply.text and "give no figure on" not in reply.text
    assert holds_figure(first_sentence(reply.text)), reply.text


def test_precedence_reads_a_share_before_a_cost(assistant: Assistant) -> None:
    vocabulary = assistant.state.kb.vocabulary
    share = asked_quantity(vocabulary, "Combien d'entreprises ont un budget dédié ?")
    cost = asked_quantity(vocabulary, "Quel budget prévoir pour nos réseaux sociaux ?")
    assert share is not None and share.id == "share" and not share.grounded
    assert cost is not None and cost.id == "cost"
    assert asked_quantity(vocabulary, "Un salaire de 40 k€, c'est correct ?") is not None
    assert asked_quantity(vocabulary, "Is $50k a fair pay?") is not None


def test_a_percentage_of_respondents_never_measures_a_cost(assistant: Assistant) -> None:
    kb = assistant.state.kb
    cost = next(q for q in kb.vocabulary.quantities if q.id == "cost")
    from smassist.answering.grounding import covers
    shares = [s for s in kb.statistics.values() if s.unit == "percent"]
    assert shares and not any(covers(kb, s, cost) for s in shares)


# --- an admin adds quantities -------------------------------------------------------

_ADDED = """
  - id: shares-count
    name: {fr: le nombre de partages, en: the number of shares}
    phrases:
      fr: [combien de partages, nombre de partages]
      en: [how many reshares, number of reshares]
    units: [count]
    labels: [partages, shares]
  - id: likes
    name: {fr: "le nombre de « j'aime »", en: the number of likes}
    phrases:
      fr: [combien de likes, combien de j aime]
      en: [how many likes]
    units: [count, million]
    labels: [likes, j aime]
"""


def test_an_admin_added_quantity_grounds_answers(kb_copy: Path) -> None:
    vocabulary = kb_copy / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + _ADDED, encoding="utf-8")
    kb = loader.load(kb_copy)
    entry = kb.entries["ambassadors-docapost-results"]
    for question, lang, opening in [
        ("Combien de likes les ambassadeurs de Docapost ont-ils récoltés ?", "fr",
         "Les articles ne donnent aucun chiffre sur le nombre de « j'aime »"),
        ("How many likes did the Docapost ambassadors get?", "en",
         "The articles give no figure on the number of likes"),
    ]:
        kind = question_kind(kb.vocabulary, question, lang)
        grounding = ground(kb, entry, relevant_entities(kb, question, kind), lang)
        assert grounding.lead.startswith(opening), grounding.lead
        assert "likes" in grounding.uncovered
    question = "Combien de partages le programme de Docapost a-t-il produits ?"
    kind = question_kind(kb.vocabulary, question, "fr")
    grounding = ground(kb, entry, relevant_entities(kb, question, kind), "fr")
    assert "shares-count" in grounding.covered and not grounding.uncovered
    assert grounding.first[0] == "docapost-shares"  # the figure that measures it comes first
    assert "16\u202f000" in grounding.lead


def test_a_broken_quantity_is_reported_with_file_and_line(kb_copy: Path) -> None:
    vocabulary = kb_copy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    broken = """
  - id: wage
    name: {fr: le salaire, en: the wage}
    phrases:
      fr: [salaire brut, combien coute]
      en: [gross pay, employees]
"""
    vocabulary.write_text(text + broken, encoding="utf-8")
    lines = (text + broken).splitlines()
    item_line = lines.index("  - id: wage") + 1
    phrase_line = next(i for i, line in enumerate(lines, 1) if "salaire brut, combien coute" in line)
    with pytest.raises(KnowledgeBaseError) as info:
        loader.load(kb_copy)
    problems = [(Path(p.file).name, p.line, p.message) for p in info.value.problems]
    assert ("vocabulary.yaml", phrase_line,
            "'combien coute' already asks for quantity 'cost'; a phrase asks for one thing") in problems
    assert any(f == "vocabulary.yaml" and line == item_line and "needs 'units'" in m
               for f, line, m in problems), problems
    assert ("vocabulary.yaml", phrase_line + 1,
            "'employees' names entity 'employees'; a quantity's phrase must not") in problems


def test_an_unknown_unit_in_a_quantity_is_a_schema_error(kb_copy: Path) -> None:
    vocabulary = kb_copy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    extra = "  - {id: reach, name: {fr: la portée, en: the reach}, phrases: {fr: [portee], en: [reach]}, units: [euros]}\n"
    vocabulary.write_text(text + extra, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        loader.load(kb_copy)
    line = len((text + extra).splitlines())
    assert any(Path(p.file).name == "vocabulary.yaml" and p.line == line and "units" in p.message
               for p in info.value.problems), [(p.line, p.message) for p in info.value.problems]
