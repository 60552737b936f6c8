"""Input hygiene: markup, invisible and control characters never change what a question matches."""

from __future__ import annotations

import pytest

from smassist.answering.clean import clean_question, other_language, printable


@pytest.mark.parametrize(("wrapped", "plain"), [
    ("<b>charte</b> des médias sociaux ?", "charte des médias sociaux ?"),
    ("<p>bad buzz</p><br/>on fait quoi", "bad buzz on fait quoi"),
    ("ch<i>ar</i>te", "charte"),
    ("<@U0123ABC> combien mesurent le ROI ?", "combien mesurent le ROI ?"),
    ("<!channel> ROI ?", "ROI ?"),
    ("voir <https://example.com/a|cet article> sur le ROI", "voir cet article sur le ROI"),
    ("dans <#C024BE7LR|general> : charte ?", "dans general : charte ?"),
    ("```\ncharte ?\n```", "charte ?"),
    ("cha\u200brte", "charte"),
    ("\u202echarte\u202c", "charte"),
    ("ch\x1b[31marte\x1b[0m", "charte"),
    ("charte\x0b\x00 ?", "charte ?"),
    ("r&eacute;seaux &amp; charte", "réseaux & charte"),
    ("&lt;script&gt;alert(1)&lt;/script&gt; charte", "alert(1) charte"),
])
def test_wrapping_is_taken_off(wrapped: str, plain: str) -> None:
    assert clean_question(wrapped) == plain


def test_text_that_only_looks_like_markup_is_kept() -> None:
    assert clean_question("entreprises de < 100 salariés et > 1 000") == "entreprises de < 100 salariés et > 1 000"
    assert clean_question("{{ 7*7 }} charte") == "{{ 7*7 }} charte"


def test_printable_shows_control_characters_instead_of_obeying_them() -> None:
    shown = printable("ok\x1b[2J\x07\nfin\u200b")
    assert "\x1b" not in shown and "\x07" not in shown and "\n" not in shown
    assert shown == "ok\\x1b[2J\\x07\\x0afin\\u200b"


@pytest.mark.parametrize("question", [
    "¿Cuántas empresas usan LinkedIn para vender?",
    "Wie viele Unternehmen haben eine Social-Media-Richtlinie?",
    "Quante aziende hanno una strategia sui social?",
])
def test_other_languages_are_recognised(question: str) -> None:
    assert other_language(question) is not None


@pytest.mark.parametrize("question", [
    "Combien d'entreprises ont une charte des médias sociaux ?",
    "Les PME utilisent-elles LinkedIn pour prospecter ?",
    "How many companies use LinkedIn for social selling?",
    "Slack ou SharePoint pour notre réseau social d'entreprise ?",
])
def test_french_and_english_are_not_other_languages(question: str) -> None:
    assert other_language(question) is None


def test_angle_brackets_that_are_not_html_keep_their_words() -> None:
    assert clean_question("un <bad buzz> sur Twitter") == "un <bad buzz> sur Twitter"


def test_report_counts_follow_the_one_plural_rule() -> None:
    from smassist.texts import text

    values = dict(rate="0 %", useful_share="0 %", useful=0, not_useful=0, clicks=0)
    assert text("fr", "report.feedback", count=0, given=0, **values).startswith("Avis : 0 réponse notée")
    assert text("en", "report.feedback", count=0, given=0, **values).startswith("Feedback: 0 replies rated")
