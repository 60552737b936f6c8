"""Reply building: an entry's answer shaped to the question asked.

- the opening fits the question's kind: an entry's ``openings[kind]`` replaces
  its first sentence; a figure question whose entry has none, and whose answer
  does not open with a figure, gets the entry's most recent figure first, with
  its year;
- grounding's sentence (what the figures do or do not measure) comes before all;
- follow-ups ("plus de détails", "pourquoi ?", "comment ?") give what was not shown.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smassist import texts as catalogue
from smassist.answering.grounding import Grounding
from smassist.answering.kinds import holds_figure, split_first_sentence
from smassist.answering.replytexts import say
from smassist.kb.figures import StatisticView, format_value
from smassist.kb.memo import memo
from smassist.kb.runtime import EntryInfo, KnowledgeBase, StatisticInfo
from smassist.records import record


@record
class Composed:
    text: str
    statistics: tuple[str, ...]
    opening: str | None  # the kind of opening used ('figure', 'figure-auto', ...), if any


def _headline_statistic(kb: KnowledgeBase, entry: EntryInfo) -> StatisticInfo | None:
    """The figure to open with: the most recent of the entry's, not a sample size."""
    best: StatisticInfo | None = None
    for stat_id in entry.statistics:
        stat = kb.statistics[stat_id]
        study = kb.studies[stat.study]
        if stat.unit == "count" and study.sample_size is not None and stat.value == study.sample_size:
            continue  # "540 décideurs interrogés" describes the study, it answers nothing
        if best is None or (stat.year or 0) > (best.year or 0):
            best = stat
    return best


def figure_sentence(stat: StatisticInfo, lang: str) -> str:
    year = stat.year if stat.year else say(lang, "undated")
    return f"{stat.text[lang]} ({year})."


def compose(kb: KnowledgeBase, entry: EntryInfo, lang: str, kind: str | None,
            grounding: Grounding | None = None) -> Composed:
    """The answer text for a question of ``kind``, and the figures to show, in order.

    A figure the opening (or grounding's sentence) states is not stated again by the
    body: a body sentence that restates one is left out (its other figures are still
    listed under the answer, each with its source).

    The result only depends on the version and on these arguments: it is remembered
    per version (entries times kinds times what grounding says: bounded by the base).
    """
    composed = memo(kb, "composed")
    key = (entry.id, lang, kind, grounding)
    hit = composed.get(key)
    if hit is not None and hit[0] is entry:
        return hit[1]
    made = _compose(kb, entry, lang, kind, grounding)
    composed[key] = (entry, made)
    return made


def _compose(kb: KnowledgeBase, entry: EntryInfo, lang: str, kind: str | None,
             grounding: Grounding | None) -> Composed:
    text = entry.answer[lang]
    opening = None
    lead = ""
    if kind and kind in entry.openings and lang in entry.openings[kind]:
        _, text = split_first_sentence(text)
        lead = entry.openings[kind][lang]
        opening = kind
    elif kind == "figure" and not holds_figure(split_first_sentence(text)[0]):
        stat = _headline_statistic(kb, entry)
        if stat is not None:
            lead = figure_sentence(stat, lang)
            opening = "figure-auto"
    first = grounding.first if grounding else ()
    before = " ".join(p for p in ((grounding.lead if grounding else ""), lead) if p)
    if before:
        values = figure_values(kb, (*first, *entry.statistics), lang)
        if lead and grounding and grounding.lead:  # "et en 2017 ?": that year's figure is said first
            lead = without_restated(lead, stated_values(grounding.lead, values), values)
        text = without_restated(text, stated_values(before, values), values, said=before)
    if lead:
        text = lead + (text if text.startswith("\n") else f" {text}" if text else "")
    if grounding and grounding.lead:
        text = f"{grounding.lead}\n{text}"
    return Composed(text.strip(), tuple(dict.fromkeys([*first, *entry.statistics])), opening)


# --- a figure said once ------------------------------------------------------------

_BODY_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZÀ-ÖØ-Ý0-9])")


def figure_values(kb: KnowledgeBase, stat_ids: tuple[str, ...], lang: str) -> dict[str, str]:
    """How the figures read in text ('près de 60 %', '60 %') -> the figure itself ('60 %')."""
    values: dict[str, str] = {}
    for stat_id in dict.fromkeys(stat_ids):
        stat = kb.statistics[stat_id]
        if stat.unit == "count" and stat.value < 10:
            continue  # "3 tables rondes", "2 ans": small counts are words, not figures to repeat
        core = format_value(stat.value, stat.unit, lang)
        values[stat.formatted[lang]] = core
        values.setdefault(core, core)
    return values


def stated_values(text: str, values: dict[str, str]) -> set[str]:
    """The figures ``text`` states (longest readings first: 'plus de la moitié' is not 'la moitié')."""
    found: set[str] = set()
    for reading in sorted(values, key=len, reverse=True):
        pattern = _reading_pattern(reading)
        if pattern.search(text):
            found.add(values[reading])
            text = pattern.sub(" ", text)
    return found


@lru_cache(maxsize=1024)
def _reading_pattern(reading: str) -> re.Pattern[str]:
    """``reading`` as whole words, in any case."""
    return re.compile(r"(?<![\w,.])" + re.escape(reading) + r"(?![\w])", re.IGNORECASE)


#: Words in a row that make a body sentence a repeat of what was said before it.
REPEATED_WORDS = 7


def _word_runs(text: str, size: int = REPEATED_WORDS) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def without_restated(body: str, stated: set[str], values: dict[str, str], said: str = "") -> str:
    """``body`` without the sentences that state one of the ``stated`` figures again, or
    that repeat ``said`` (seven words in a row of it)."""
    runs = _word_runs(said) if said else set()
    if not stated and not runs:
        return body
    paragraphs = []
    new_paragraph = body.startswith("\n")
    for number, paragraph in enumerate(body.split("\n")):
        kept = [s for s in _BODY_SENTENCE.split(paragraph.strip())
                if s and not stated_values(s, values) & stated and not _word_runs(s) & runs]
        if kept:
            paragraphs.append(" ".join(kept))
        elif number == 0 and paragraph.strip():
            new_paragraph = True  # the first paragraph went whole: the next still starts one
    joined = "\n".join(paragraphs)
    return "\n" + joined if new_paragraph and joined else joined


# --- follow-ups -----------------------------------------------------------------

#: The blocks "plus de détails" goes through, one per message, never repeating one.
DETAIL_BLOCKS = ("opening:method", "opening:reason", "figures", "quotes")


def _quotes(kb: KnowledgeBase, stat_ids: tuple[str, ...], lang: str) -> list[str]:
    lines = []
    for stat_id in stat_ids:
        stat = kb.statistics[stat_id]
        article = kb.articles[stat.article]
        lines.append("- " + say(lang, "quote_line", quote=stat.quote, source=article.title))
    return list(dict.fromkeys(lines))


def _other_figures(kb: KnowledgeBase, entry: EntryInfo) -> list[StatisticInfo]:
    return [s for s in kb.statistics_by_topic(entry.topic) if s.id not in entry.statistics]


def detail_block(kb: KnowledgeBase, entry: EntryInfo, lang: str, block: str,
                 shown: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """One block of more content (text, statistic ids), or None when it has nothing new."""
    if block.startswith("opening:"):
        kind = block.split(":", 1)[1]
        if kind in entry.openings and f"opening:{kind}" not in shown:
            intro = say(lang, "how_intro" if kind == "method" else "why_intro")
            return f"{intro} {entry.openings[kind][lang]}", ()
        return None
    if block == "figures":
        extra = _other_figures(kb, entry)[:6]
        if not extra:
            return None
        lines = [say(lang, "more_figures")]
        views = [StatisticView.of(s, kb, lang) for s in extra]
        for citation in dict.fromkeys(v.citation for v in views):  # one source line per study
            lines.extend(f"- {v.text} ({v.year or say(lang, 'undated')})" for v in views
                         if v.citation == citation)
            lines.append(f"  {catalogue.text(lang, 'answer.source')}{catalogue.colon(lang)} {citation}")
        return "\n".join(lines), tuple(s.id for s in extra)
    if block == "quotes":
        quotes = _quotes(kb, entry.statistics, lang)
        if not quotes:
            return None
        return "\n".join([say(lang, "more_quotes"), *quotes[:6]]), entry.statistics
    return None


def more(kb: KnowledgeBase, entry: EntryInfo, lang: str, want: str,
         shown: tuple[str, ...]) -> tuple[str | None, tuple[str, ...], str | None]:
    """(text, statistic ids, block shown) for "details", "why", "how" or "figures"; text None:
    nothing new."""
    if want == "why":
        order: tuple[str, ...] = ("opening:reason", "quotes", "figures")
    elif want == "how":
        order = ("opening:method", "figures", "quotes")
    elif want == "figures":
        order = ("figures", "quotes")
    else:
        order = DETAIL_BLOCKS
    for block in order:
        if block in shown:
            continue
        found = detail_block(kb, entry, lang, block, shown)
        if found is not None:
            return found[0], found[1], block
    return None, (), None
