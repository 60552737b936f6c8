"""Figures read the way each language writes them."""

from __future__ import annotations

import pytest

from smassist.kb.figures import NNBSP, format_number, format_value, source_line


@pytest.mark.parametrize(
    ("value", "unit", "lang", "qualifier", "expected"),
    [
        (75, "percent", "fr", None, f"75{NNBSP}%"),
        (75, "percent", "en", None, "75%"),
        (16000, "count", "fr", None, f"16{NNBSP}000"),
        (16000, "count", "en", None, "16,000"),
        (6.9, "million", "fr", None, "6,9 millions"),
        (6.9, "million", "en", None, "6.9 million"),
        (0.5, "fraction", "fr", None, "la moitié"),
        (0.5, "fraction", "en", None, "half"),
        (0.3333, "fraction", "fr", "more-than", "plus d'un tiers"),
        (0.3333, "fraction", "en", "more-than", "more than one third"),
        (0.6667, "fraction", "fr", None, "deux tiers"),
        (1, "percent", "fr", "less-than", f"moins de 1{NNBSP}%"),
        (60, "percent", "fr", "nearly", f"près de 60{NNBSP}%"),
        (2, "times", "en", None, "twice"),
        (1234567, "count", "fr", None, f"1{NNBSP}234{NNBSP}567"),
    ],
)
def test_figures_follow_each_locale(value, unit, lang, qualifier, expected) -> None:
    assert format_value(value, unit, lang, qualifier) == expected


def test_decimal_mark_is_a_comma_in_french_only() -> None:
    assert format_number(12.5, "fr") == "12,5"
    assert format_number(12.5, "en") == "12.5"


def test_source_line_names_study_year_and_sample() -> None:
    line = source_line("Baromètre 2017", 2017, 9000, "répondants", "fr")
    assert line == f"Baromètre 2017, 9{NNBSP}000 répondants"
    assert source_line("Swiss study", None, None, "large companies", "en") == (
        "Swiss study, year not given, large companies"
    )
    assert source_line("Study", 2010, 457, "marketers", "en") == "Study, 2010, 457 marketers"
