"""Reply building: an entry's answer shaped to the question asked.

- the opening fits the question's kind: an entry's ``openings[kind]`` replaces
  its first sentence; a figure question whose entry has none, and whose answer
  does not open with a figure, gets the entry's most recent figure first, with
  its year;
- grounding's sentence (what the figures do or do not measure) comes before all;
- follow-ups ("plus de détails", "pourquoi ?", "comment ?") give what was not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from smassist.answering.grounding import Grounding
from smassist.answering.kinds import holds_figure, split_first_sentence
from smassist.answering.replytexts import say
from smassist.kb.runtime import EntryInfo, KnowledgeBase, StatisticInfo


@dataclass(frozen=True, slots=True)
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
    """The answer text for a question of ``kind``, and the figures to show, in order."""
    text = entry.answer[lang]
    opening = None
    if kind and kind in entry.openings and lang in entry.openings[kind]:
        _, rest = split_first_sentence(text)
        lead = entry.openings[kind][lang]
        text = lead + (rest if rest.startswith("\n") else f" {rest}" if rest else "")
        opening = kind
    elif kind == "figure" and not holds_figure(split_first_sentence(text)[0]):
        stat = _headline_statistic(kb, entry)
        if stat is not None:
            text = f"{figure_sentence(stat, lang)} {text}"
            opening = "figure-auto"
    first = grounding.first if grounding else ()
    if grounding and grounding.lead:
        text = f"{grounding.lead}\n{text}"
    return Composed(text, tuple(dict.fromkeys([*first, *entry.statistics])), opening)


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
        lines.extend(f"- {s.text[lang]} ({s.year or say(lang, 'undated')}) — {s.source[lang]}" for s in extra)
        return "\n".join(lines), tuple(s.id for s in extra)
    if block == "quotes":
        quotes = _quotes(kb, entry.statistics, lang)
        if not quotes:
            return None
        return "\n".join([say(lang, "more_quotes"), *quotes[:6]]), entry.statistics
    return None


def more(kb: KnowledgeBase, entry: EntryInfo, lang: str, want: str,
         shown: tuple[str, ...]) -> tuple[str | None, tuple[str, ...], str | None]:
    """(text, statistic ids, block shown) for "details", "why" or "how"; text None: nothing new."""
    if want == "why":
        order: tuple[str, ...] = ("opening:reason", "quotes", "figures")
    elif want == "how":
        order = ("opening:method", "figures", "quotes")
    else:
        order = DETAIL_BLOCKS
    for block in order:
        if block in shown:
            continue
        found = detail_block(kb, entry, lang, block, shown)
        if found is not None:
            return found[0], found[1], block
    return None, (), None
