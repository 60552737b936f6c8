"""The one catalogue of smassist's own sentences: both languages complete, one fallback, one plural rule."""

from __future__ import annotations

import string

import pytest

from smassist.texts import CATALOGUE, NNBSP, Plural, format_number, plural_form, speak, text


def placeholders(entry: str | Plural) -> set[str]:
    forms = entry if isinstance(entry, Plural) else (entry,)
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def test_french_and_english_have_the_same_sentences_with_the_same_placeholders() -> None:
    french, english = CATALOGUE["fr"], CATALOGUE["en"]
    assert sorted(french) == sorted(english)
    different = [key for key in french if placeholders(french[key]) != placeholders(english[key])
                 or isinstance(french[key], Plural) != isinstance(english[key], Plural)]
    assert different == []


def test_a_language_we_do_not_speak_reads_the_default_and_a_locale_reads_its_language() -> None:
    assert speak("de") == speak(None) == "fr"
    assert speak("en-GB") == "en" and speak("FR_ca") == "fr"
    assert text("de", "admin.refused") == text("fr", "admin.refused")


@pytest.mark.parametrize(("count", "french", "english"), [
    (0, "one", "other"), (1, "one", "one"), (1.5, "one", "other"), (2, "other", "other"),
])
def test_one_plural_rule_per_language(count: float, french: str, english: str) -> None:
    assert (plural_form(count, "fr"), plural_form(count, "en")) == (french, english)


def test_a_plural_sentence_takes_its_count() -> None:
    assert "1 problème." in text("fr", "admin.failed", count=1, version="v")
    assert "0 problems." in text("en", "admin.failed", count=0, version="v")
    with pytest.raises(TypeError, match="count"):
        text("en", "admin.failed", version="v")


def test_numbers_read_the_same_way_everywhere() -> None:
    assert format_number(16000, "fr") == f"16{NNBSP}000" and format_number(6.9, "fr") == "6,9"
    assert format_number(16000, "en") == "16,000" and format_number(6.9, "en") == "6.9"
