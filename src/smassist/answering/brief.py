"""The brief: on one screen, the ten figures a manager most needs, each sourced.

Admins choose them in ``series.yaml`` (``brief:``, most important first). When
that list is empty, a sensible default: the latest point of each series (the
figures that have a history), then the newest figures cited by entries, one
topic at a time, so that the brief covers ground rather than repeat one topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from smassist.answering.reply import Reply, StatisticView, Suggestion
from smassist.kb.runtime import KnowledgeBase, StatisticInfo
from smassist.texts import colon, text

BRIEF_SIZE = 10



@dataclass(frozen=True, slots=True)
class BriefItem:
    """One figure of the brief and the entry that explains it (None if no entry cites it)."""

    stat: StatisticView
    entry: str | None
    entry_title: str | None


def entry_behind(kb: KnowledgeBase, stat: StatisticInfo) -> str | None:
    """The entry that shows this figure, preferring one of the figure's own topics."""
    citing = [e for e in kb.entries.values() if stat.id in e.statistics]
    if not citing:
        return None
    own = [e for e in citing if e.topic in stat.topics]
    return (own or citing)[0].id


def default_selection(kb: KnowledgeBase, size: int = BRIEF_SIZE) -> list[str]:
    """Latest point of each series, then recent cited figures, one topic at a time."""
    chosen: list[str] = []
    superseded: set[str] = set()  # older points of a series: a newer figure says more
    for series in kb.series.values():
        dated = [kb.statistics[s] for s in series.points if kb.statistics[s].year is not None]
        if not dated:
            continue
        latest = max(dated, key=lambda s: s.year or 0)
        superseded.update(s.id for s in dated if (s.year or 0) < (latest.year or 0))
        if latest.id not in chosen:
            chosen.append(latest.id)
    chosen = [s for s in chosen if s not in superseded]
    cited = list(dict.fromkeys(s for e in kb.entries.values() for s in e.statistics))
    # Newest first, then in the order the entries cite them.
    cited.sort(key=lambda s: -(kb.statistics[s].year or 0))
    by_topic: dict[str, list[str]] = {}
    for stat_id in cited:
        if stat_id in chosen or stat_id in superseded:
            continue
        topic = kb.statistics[stat_id].topics[0] if kb.statistics[stat_id].topics else ""
        by_topic.setdefault(topic, []).append(stat_id)
    covered = {kb.statistics[s].topics[0] for s in chosen if kb.statistics[s].topics}
    queues = sorted(by_topic.items(), key=lambda kv: kv[0] in covered)  # new topics first
    while len(chosen) < size and any(q for _, q in queues):
        for _, queue in queues:
            if queue and len(chosen) < size:
                chosen.append(queue.pop(0))
    return chosen[:size]


def brief_items(kb: KnowledgeBase, lang: str, size: int = BRIEF_SIZE) -> list[BriefItem]:
    """The brief's figures: the admins' choice, or the default when they chose none."""
    ids = [s for s in kb.brief if s in kb.statistics] or default_selection(kb, size)
    items = []
    for stat_id in ids[:size]:
        stat = kb.statistics[stat_id]
        entry = entry_behind(kb, stat)
        items.append(BriefItem(StatisticView.of(stat, kb, lang), entry,
                               kb.entries[entry].title[lang] if entry else None))
    return items


def short_source(stat: StatisticView) -> str:
    """The study and its year: enough to place a figure on one screen (the full line is in
    ``stat.source`` and in the entry's answer)."""
    if stat.year is not None and str(stat.year) not in stat.study_name:
        return f"{stat.study_name}, {stat.year}"
    return stat.study_name


def source_lines(items: list[BriefItem], lang: str) -> list[str]:
    """One line per study, as in every answer, with the numbers of the figures it gave."""
    numbers: dict[str, list[int]] = {}
    for number, item in enumerate(items, 1):
        numbers.setdefault(item.stat.citation or item.stat.source, []).append(number)
    return [f"- {text(lang, 'answer.figure_refs', count=len(found), numbers=', '.join(map(str, found)))}"
            f" — {citation}" for citation, found in numbers.items()]


def brief_reply(kb: KnowledgeBase, lang: str, question: str = "brief") -> Reply:
    """The brief as a Reply (kind 'brief'): one numbered line per figure, with its source.

    ``follow_ups`` are the entries behind the figures (buttons on Slack and Telegram),
    ``extra['brief']`` pairs each statistic id with its entry id.
    """
    items = brief_items(kb, lang)
    if not items:
        return Reply(question, "brief", text(lang, "brief.empty"), lang, version=kb.version)
    lines = [text(lang, "brief.title", count=len(items))]
    for number, item in enumerate(items, 1):
        lines.append(f"{number}. {item.stat.text} ({item.stat.year or text(lang, 'answer.year_unknown')})")
    lines.append(text(lang, "answer.sources") + colon(lang))
    lines.extend(source_lines(items, lang))
    lines.append(text(lang, "brief.more"))
    entries = list(dict.fromkeys(i.entry for i in items if i.entry))
    return Reply(
        question, "brief", "\n".join(lines), lang, matched=True,
        statistics=tuple(i.stat for i in items),
        follow_ups=tuple(Suggestion(e, kb.entries[e].title[lang]) for e in entries),
        version=kb.version,
        extra={"brief": [(i.stat.id, i.entry) for i in items]},
    )
