"""The bundled knowledge base against its sources: every figure traceable, every topic covered.

The source articles live outside the repository (``../shared/sources/`` next to
the checkout, or ``$SMASSIST_SOURCES``); the tests that read them are skipped,
with the reason, when the folder is absent.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from smassist.kb.figures import format_number
from smassist.kb.loader import load
from smassist.kb.runtime import LANGS, KnowledgeBase, StatisticInfo

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "knowledge"
SOURCES = Path(os.environ.get("SMASSIST_SOURCES") or REPO.parent / "shared" / "sources")

TOPICS_WITH_SEVERAL_ENTRIES = ("charter", "crisis", "reporting", "tools")
MIN_QUESTIONS_PER_LANGUAGE = 8

#: How a fraction may be written in an article ("la moitié", "deux-tiers", "un membre sur 5").
FRACTION_WORDS = {
    0.5: ("la moitié", "moitié"),
    0.2: ("un cinquième", "sur 5", "sur cinq"),
    0.25: ("un quart", "sur 4", "sur quatre"),
    0.3333: ("un tiers", "d'un tiers", "sur 3", "sur trois"),
    0.6667: ("deux-tiers", "deux tiers"),
    0.75: ("trois quarts", "trois-quarts"),
    0.1: ("un dixième", "sur 10", "sur dix"),
}
#: How a multiple may be written ("deux fois plus").
TIMES_WORDS = {2: ("deux fois", "2 fois"), 3: ("trois fois", "3 fois")}
#: Approximate counts written in words ("une vingtaine de pays").
ROUND_WORDS = {10: ("dizaine",), 12: ("douzaine",), 20: ("vingtaine",), 100: ("centaine",)}


def normalise(text: str) -> str:
    """One space for any run of whitespace (including no-break spaces), straight apostrophes."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def value_spellings(stat: StatisticInfo) -> tuple[str, ...]:
    """The ways the statistic's value may be written in French in its quote."""
    if stat.unit == "fraction":
        for fraction, words in FRACTION_WORDS.items():
            if abs(stat.value - fraction) < 0.0001:
                return words
        return ()
    if stat.unit == "times":
        return TIMES_WORDS.get(int(stat.value), ())
    number = format_number(stat.value, "fr")  # "9 000" with a narrow no-break space, "6,9"
    spellings = {normalise(number), number.replace("\u202f", ""), number.replace("\u202f", " ")}
    if stat.unit == "count" and stat.qualifier == "about":
        spellings.update(ROUND_WORDS.get(int(stat.value), ()))
    return tuple(spellings)


def contains_value(quote: str, spelling: str) -> bool:
    """The spelling stands on its own: '9' does not match inside '90' or '2019'."""
    if not spelling[:1].isdigit():
        return spelling.casefold() in quote.casefold()
    return re.search(rf"(?<![\d,.]){re.escape(spelling)}(?![\d]|,\d)", quote) is not None


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(KNOWLEDGE)


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    if not SOURCES.is_dir():
        pytest.skip(
            f"source articles not found at {SOURCES}; set SMASSIST_SOURCES to the folder "
            "holding the article .txt files to check quotes against them"
        )
    return {path.stem: normalise(path.read_text(encoding="utf-8")) for path in SOURCES.glob("*.txt")}


def test_every_article_cited_by_the_knowledge_base_is_in_the_sources_folder(kb, articles):
    missing = sorted(set(kb.articles) - set(articles))
    assert not missing, f"articles with no file in {SOURCES}: {missing}"


def test_every_statistic_quote_appears_word_for_word_in_its_article(kb, articles):
    wrong = [
        f"{stat.location}: {stat.id}: quote not found in {stat.article}: {stat.quote!r}"
        for stat in kb.statistics.values()
        if normalise(stat.quote) not in articles.get(stat.article, "")
    ]
    assert not wrong, "\n".join(wrong)


def test_every_statistic_value_is_written_in_its_quote(kb):
    wrong = []
    for stat in kb.statistics.values():
        spellings = value_spellings(stat)
        quote = normalise(stat.quote)
        if not any(contains_value(quote, s) for s in spellings):
            wrong.append(f"{stat.location}: {stat.id}: {stat.value} ({stat.unit}) is not in {quote!r}"
                         f" (looked for {list(spellings)})")
    assert not wrong, "\n".join(wrong)


def test_value_check_rejects_a_figure_that_is_not_in_the_quote():
    assert not contains_value("versus 78 % en 2017", "7")
    assert not contains_value("90% des observateurs", "9")
    assert not contains_value("environ 6,9 millions", "6")
    assert contains_value("plus de 9 000 répondants", "9 000")
    assert contains_value("de générer 3000 posts", "3000")


def test_every_topic_has_at_least_one_entry(kb):
    empty = [topic for topic in kb.topics if not kb.entries_by_topic(topic)]
    assert not empty, f"topics without entries: {empty}"


@pytest.mark.parametrize("topic", TOPICS_WITH_SEVERAL_ENTRIES)
def test_core_topics_have_at_least_three_entries(kb, topic):
    assert len(kb.entries_by_topic(topic)) >= 3


def test_every_entry_answers_in_both_languages(kb):
    empty = [f"{entry.id} ({lang})" for entry in kb.entries.values() for lang in LANGS
             if not entry.answer.get(lang, "").strip()]
    assert not empty, f"entries without an answer: {empty}"


def test_every_entry_has_enough_example_questions_in_each_language(kb):
    short = [f"{entry.id}: {len(entry.questions[lang])} {lang}" for entry in kb.entries.values()
             for lang in LANGS if len(entry.questions[lang]) < MIN_QUESTIONS_PER_LANGUAGE]
    assert not short, f"fewer than {MIN_QUESTIONS_PER_LANGUAGE} questions: {short}"


def test_entry_titles_are_short_enough_for_a_button(kb):
    long = [f"{entry.id} ({lang})" for entry in kb.entries.values() for lang in LANGS
            if len(entry.title[lang]) > 70]
    assert not long, f"titles over 70 characters: {long}"


def test_every_statistic_is_shown_by_at_least_one_entry(kb):
    shown = {stat_id for entry in kb.entries.values() for stat_id in entry.statistics}
    unused = sorted(set(kb.statistics) - shown)
    assert not unused, f"statistics no entry cites or shows: {unused}"


def test_figures_that_moved_over_the_years_are_given_as_a_trend(kb):
    charter = kb.entries["charter-adoption"].statistics
    assert {"charter-adoption-fr-2015", "charter-adoption-2017", "charter-missing-2018"} <= set(charter)
    roi = kb.entries["roi-measurement"].statistics
    assert {"roi-measured-us-2010", "roi-measured-2017", "roi-measured-2018"} <= set(roi)


def test_english_labels_of_shares_read_after_the_figure(kb):
    wrong = [stat.id for stat in kb.statistics.values()
             if stat.unit in ("percent", "fraction") and not stat.label["en"].startswith("of ")]
    assert not wrong, f"English labels of percentages and fractions should start with 'of': {wrong}"
