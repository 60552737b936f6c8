"""How a figure and its source read in French and in English.

French: ``75 %`` with a narrow no-break space before the sign, ``16 000`` with a
narrow no-break space between thousands, ``6,9`` with a decimal comma.
English: ``75%``, ``16,000``, ``6.9``. The number format itself is the
catalogue's (:func:`smassist.texts.format_number`), so every sentence and every
figure write numbers one way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smassist.kb.memo import memo
from smassist.records import record
from smassist.texts import NNBSP, format_number
from smassist.texts import text as _text

if TYPE_CHECKING:
    from smassist.kb.runtime import KnowledgeBase, StatisticInfo

__all__ = ["NNBSP", "StatisticView", "citation_line", "figure_text", "format_number", "format_percent", "format_value",
           "fraction_words", "scope_name", "source_line"]

_QUALIFIERS = {
    "fr": {
        "more-than": "plus de",
        "less-than": "moins de",
        "about": "environ",
        "nearly": "près de",
        "up-to": "jusqu'à",
    },
    "en": {
        "more-than": "more than",
        "less-than": "less than",
        "about": "about",
        "nearly": "nearly",
        "up-to": "up to",
    },
}

_FRACTIONS = {
    "fr": {1 / 2: "la moitié", 1 / 3: "un tiers", 2 / 3: "deux tiers", 1 / 4: "un quart",
           3 / 4: "trois quarts", 1 / 5: "un cinquième", 1 / 10: "un dixième"},
    "en": {1 / 2: "half", 1 / 3: "one third", 2 / 3: "two thirds", 1 / 4: "a quarter",
           3 / 4: "three quarters", 1 / 5: "one fifth", 1 / 10: "one tenth"},
}

_SCOPES = {
    "fr": {"france": "France", "usa": "États-Unis", "switzerland": "Suisse",
           "germany": "Allemagne", "world": "monde", "unspecified": "pays non précisé"},
    "en": {"france": "France", "usa": "United States", "switzerland": "Switzerland",
           "germany": "Germany", "world": "worldwide", "unspecified": "country not given"},
}


def fraction_words(value: float, lang: str) -> str:
    """'la moitié' for 0.5; falls back to a percentage for an unusual fraction."""
    for fraction, words in _FRACTIONS[lang].items():
        if abs(value - fraction) < 0.005:
            return words
    return format_percent(round(value * 100), lang)


def format_percent(value: float, lang: str) -> str:
    number = format_number(value, lang)
    return f"{number}{NNBSP}%" if lang == "fr" else f"{number}%"


def format_value(value: float, unit: str, lang: str, qualifier: str | None = None) -> str:
    """The figure as a person would write it: '31 %', 'plus d'un tiers', '6,9 millions'."""
    if unit == "percent":
        text = format_percent(value, lang)
    elif unit == "fraction":
        text = fraction_words(value, lang)
    elif unit == "million":
        word = ("millions" if value >= 2 else "million") if lang == "fr" else "million"
        text = f"{format_number(value, lang)} {word}"
    elif unit == "times":
        if value == 2:
            text = "deux fois" if lang == "fr" else "twice"
        else:
            text = f"{format_number(value, lang)} {'fois' if lang == 'fr' else 'times'}"
    else:
        text = format_number(value, lang)
    if qualifier:
        text = _qualify(_QUALIFIERS[lang][qualifier], text, lang)
    return text


def _qualify(prefix: str, text: str, lang: str) -> str:
    # French elides "de" before a vowel: "plus d'un tiers", "moins d'un quart".
    if lang == "fr" and prefix.endswith(" de") and text[:1].lower() in "aeiouyéèh":
        return f"{prefix[:-3]} d'{text}"
    return f"{prefix} {text}"


def figure_text(formatted: str, label: str) -> str:
    """The figure followed by what it counts: '31 % des entreprises mesurent leur ROI'."""
    text = f"{formatted} {label}"
    return text[:1].upper() + text[1:]


def scope_name(scope: str, lang: str) -> str:
    return _SCOPES[lang].get(scope, scope)


def source_line(
    study_name: str,
    year: int | None,
    sample_size: int | None,
    population: str,
    lang: str,
) -> str:
    """'Baromètre Hootsuite 2018, 427 répondants en France' (year added if not in the name)."""
    parts = [study_name]
    if year is not None and str(year) not in study_name:
        parts.append(str(year))
    elif year is None:
        parts.append("année non précisée" if lang == "fr" else "year not given")
    if sample_size:
        parts.append(f"{format_number(sample_size, lang)} {population}")
    else:
        parts.append(population)
    return ", ".join(parts)


def _names(names: tuple[str, ...] | list[str], lang: str) -> str:
    """'Hootsuite, Adetem, Visionary Marketing et Toluna'."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {_text(lang, 'answer.and')} {names[-1]}"


def published_date(published: str | None, lang: str) -> str:
    """'2018-10' as 'octobre 2018' / 'October 2018'; a year stays a year."""
    if not published:
        return ""
    year, _, month = published.partition("-")
    months = _text(lang, "answer.months").split()
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{months[int(month) - 1]} {year}"
    return published


def citation_line(by: tuple[str, ...] | list[str], study_name: str, year: int | None, sample: str,
                  article_title: str, publisher: str, published: str | None, lang: str) -> str:
    """One line a manager can repeat: who ran the study, which, when, on whom, read where.

    'Hootsuite et Visionary Marketing : Baromètre … 2018, 427 répondants en France — article
    « Enjeux et usages … », Visionary Marketing, octobre 2018'.
    """
    if by and all(name in study_name for name in by):  # "Étude KingFishMedia …" says who
        who = ""
    else:
        who = _names(by, lang) or _text(lang, "answer.by_unknown")
    if year is None:
        when = f", {_text(lang, 'answer.year_unknown')}"
    else:
        when = "" if str(year) in study_name else f", {year}"
    date = published_date(published, lang)
    line = _text(lang, "answer.citation", study=study_name, year=when, sample=sample,
                 title=article_title, publisher=publisher, date=f", {date}" if date else "")
    if who:
        line = _text(lang, "answer.citation_by", by=who, line=line)
    return line[:1].upper() + line[1:]


@record
class StatisticView:
    """A figure with everything needed to repeat it and say where it comes from."""

    id: str
    value: float
    unit: str
    label: str
    formatted: str
    text: str
    year: int | None
    study: str
    study_name: str
    sample: str
    scope: str
    article: str
    article_title: str
    publisher: str
    source: str
    #: When the article the figure was read in was published (None when it does not say).
    published: str | None = None
    #: Who ran the study (its authors, as sources.yaml lists them).
    by: tuple[str, ...] = ()
    #: The one line to repeat: who ran the study, which, its year and sample, the article.
    citation: str = ""

    @classmethod
    def of(cls, stat: StatisticInfo, kb: KnowledgeBase, lang: str) -> StatisticView:
        """The figure as shown in ``lang`` (made once per version: a view is immutable)."""
        views = memo(kb, "statistic views")
        key = (cls, stat.id, lang)
        hit = views.get(key)
        if hit is not None and hit[0] is stat:
            return hit[1]
        view = cls._make(stat, kb, lang)
        views[key] = (stat, view)
        return view

    @classmethod
    def _make(cls, stat: StatisticInfo, kb: KnowledgeBase, lang: str) -> StatisticView:
        study = kb.studies[stat.study]
        article = kb.articles[stat.article]
        sample = (
            f"{format_number(study.sample_size, lang)} {study.population[lang]}" if study.sample_size
            else study.population[lang]
        )
        return cls(
            id=stat.id,
            value=stat.value,
            unit=stat.unit,
            label=stat.label[lang],
            formatted=stat.formatted[lang],
            text=stat.text[lang],
            year=stat.year,
            study=stat.study,
            study_name=study.name[lang],
            sample=sample,
            scope=scope_name(study.scope, lang),
            article=stat.article,
            article_title=article.title,
            publisher=article.publisher,
            source=stat.source[lang],
            published=article.published,
            by=study.by,
            citation=citation_line(study.by, study.name[lang], stat.year, sample, article.title,
                                   article.publisher, article.published, lang),
        )

    def to_dict(self) -> dict[str, Any]:
        value: float | int = int(self.value) if float(self.value).is_integer() else self.value
        return {
            "id": self.id,
            "value": value,
            "unit": self.unit,
            "label": self.label,
            "formatted": self.formatted,
            "year": self.year,
            "study": self.study,
            "study_name": self.study_name,
            "sample": self.sample,
            "scope": self.scope,
            "article": self.article,
            "source": self.source,
        }
