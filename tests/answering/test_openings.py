"""Openings: a figure the opening states is not stated again by the body, on every entry;
``kb check`` warns when an entry's questions mix kinds it has no opening for."""

from __future__ import annotations

from collections import Counter

import pytest

from smassist import Assistant
from smassist.answering.building import compose, figure_values, stated_values
from smassist.answering.grounding import ground
from smassist.answering.kinds import named_entities

KINDS = ("figure", "recommendation", "method", "reason", "comparison", "trend")


@pytest.fixture(scope="module")
def assistant() -> Assistant:
    return Assistant.load(use_cache=False)


def _occurrences(text: str, values: dict[str, str]) -> Counter[str]:
    """How many times each figure is stated in ``text`` (longest readings first)."""
    found: Counter[str] = Counter()
    import re

    for reading in sorted(values, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w,.])" + re.escape(reading) + r"(?![\w])", re.IGNORECASE)
        found[values[reading]] += len(pattern.findall(text))
        text = pattern.sub(" ", text)
    return found


def test_no_figure_is_stated_twice_in_one_answer_on_any_entry(assistant: Assistant) -> None:
    kb = assistant.kb
    checked = 0
    for entry in kb.entries.values():
        for lang in ("fr", "en"):
            values = figure_values(kb, entry.statistics, lang)
            # The same figure may be two statistics (30 % in 2015 and 30 % in 2017).
            allowed = Counter(values[kb.statistics[s].formatted[lang]] for s in entry.statistics
                              if kb.statistics[s].formatted[lang] in values)
            for kind in (None, *KINDS):
                composed = compose(kb, entry, lang, kind)
                if composed.opening is None:
                    continue
                checked += 1
                counts = _occurrences(composed.text, values)
                twice = {v: n for v, n in counts.items() if n > max(allowed[v], 1)}
                assert not twice, (entry.id, kind, lang, twice, composed.text)
    assert checked > 40


def test_the_opening_figures_are_not_restated_after_it(assistant: Assistant) -> None:
    kb = assistant.kb
    for entry in kb.entries.values():
        for lang in ("fr", "en"):
            values = figure_values(kb, entry.statistics, lang)
            for kind, by_lang in entry.openings.items():
                composed = compose(kb, entry, lang, kind)
                lead = by_lang[lang]
                assert composed.text.startswith(lead)
                stated = stated_values(lead, values)
                assert not stated & stated_values(composed.text[len(lead):], values), (entry.id, kind, lang)


@pytest.mark.parametrize(("question", "lang"), [
    ("Quelle part des boîtes a une charte pour les réseaux sociaux ?", "fr"),
    ("How many firms have written down a social media policy?", "en"),
])
def test_a_figure_answer_reads_each_figure_once(assistant: Assistant, question: str, lang: str) -> None:
    reply = assistant.ask(question, lang=lang)
    assert reply.kind == "answer" and reply.question_kind == "figure"
    values = figure_values(assistant.kb, tuple(s.id for s in reply.statistics), lang)
    counts = _occurrences(reply.text, values)
    same = Counter(values[s.formatted] for s in reply.statistics if s.formatted in values)
    assert all(n <= max(same[v], 1) for v, n in counts.items()), (counts, reply.text)


def test_a_grounded_year_figure_is_not_repeated_by_the_body(assistant: Assistant) -> None:
    kb = assistant.kb
    entry = kb.entries["roi-measurement"]
    for lang, words in (("fr", "et en 2017 ?"), ("en", "and in 2017?")):
        entities = [e for e in named_entities(kb.vocabulary, words) if e.grounded]
        grounding = ground(kb, entry, entities, lang)
        assert grounding.lead
        composed = compose(kb, entry, lang, "figure", grounding)
        values = figure_values(kb, (*grounding.first, *entry.statistics), lang)
        stated = stated_values(grounding.lead, values)
        after = composed.text[len(grounding.lead):]
        assert stated and not stated & stated_values(after, values), composed.text


# --- kb check: openings for every kind an entry's questions ask for -----------------

MIXED = """\
entries:
  - id: charter-signing
    topic: charter
    title:
      fr: La signature de la charte
      en: Signing the policy
    questions:
      fr:
        - Comment faire signer la charte par les salariés ?
        - Comment obtenir l'accord des équipes sur la charte ?
        - Faut-il faire signer la charte à chaque salarié ?
        - Faut-il une signature électronique pour la charte ?
      en:
        - How do we get employees to sign the policy?
        - Should every employee sign the policy?
    answer:
      fr: Présentez-la avant de la faire signer. Une signature seule ne suffit pas.
      en: Present it before asking for a signature. A signature alone is not enough.
"""


def test_kb_check_warns_with_file_and_line_when_an_entry_lacks_an_opening(
        kb_copy, capsys: pytest.CaptureFixture[str]) -> None:
    from smassist.cli import main

    path = kb_copy / "entries" / "signing.yaml"
    path.write_text(MIXED, encoding="utf-8")
    assert main(["kb", "check", "--no-confusables", str(kb_copy)]) == 0  # a warning, not an error
    out = capsys.readouterr().out
    warning = next(line for line in out.splitlines() if "charter-signing" in line)
    assert "signing.yaml:2:" in warning
    assert "method" in warning and "recommendation" in warning

    with_openings = MIXED + """\
    openings:
      method:
        fr: Présentez-la en réunion, puis faites-la signer.
        en: Present it in a meeting, then have it signed.
      recommendation:
        fr: Oui, après l'avoir présentée.
        en: Yes, after presenting it.
"""
    path.write_text(with_openings, encoding="utf-8")
    assert main(["kb", "check", "--no-confusables", str(kb_copy)]) == 0
    out = capsys.readouterr().out
    assert "charter-signing" not in out
    assert "every entry whose questions mix kinds has the openings they need" in out


def test_the_bundled_knowledge_base_has_every_opening_its_questions_ask_for(assistant: Assistant) -> None:
    from smassist.answering.openings import missing_openings

    assert missing_openings(assistant.kb) == []


@pytest.mark.parametrize(("question", "again", "lang"), [
    ("Quelle part des sondés fait du social selling ?", "et en 2017 ?", "fr"),
    ("What share of those surveyed do social selling?", "and in 2017?", "en"),
])
def test_a_year_asked_again_is_said_once(assistant: Assistant, question: str, again: str, lang: str) -> None:
    conversation = f"again-{lang}"
    first = assistant.ask(question, lang=lang, conversation=conversation)
    assert first.kind == "answer"
    reply = assistant.ask(again, lang=lang, conversation=conversation)
    assert reply.kind == "answer" and reply.entry == first.entry
    values = figure_values(assistant.kb, tuple(s.id for s in reply.statistics), lang)
    same = Counter(values[s.formatted] for s in reply.statistics if s.formatted in values)
    counts = _occurrences(reply.text, values)
    assert all(n <= max(same[v], 1) for v, n in counts.items()), reply.text


@pytest.mark.parametrize(("question", "lang"), [
    ("Les petites entreprises font-elles plus de social selling que les grandes ?", "fr"),
    ("Do small firms do more social selling than large ones?", "en"),
])
def test_a_size_comparison_gets_no_yes_or_no(assistant: Assistant, question: str, lang: str) -> None:
    reply = assistant.ask(question, lang=lang)
    assert reply.question_kind == "comparison"
    assert not any(w in reply.text for w in ("Oui, nettement", "Yes, clearly")), reply.text


def test_no_body_sentence_repeats_the_opening_on_any_entry(assistant: Assistant) -> None:
    import re

    def runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i:i + 7]) for i in range(len(words) - 6)}

    kb = assistant.kb
    for entry in kb.entries.values():
        for kind, by_lang in entry.openings.items():
            for lang in ("fr", "en"):
                text = compose(kb, entry, lang, kind).text
                lead = by_lang[lang]
                assert not runs(lead) & runs(text[len(lead):]), (entry.id, kind, lang)
