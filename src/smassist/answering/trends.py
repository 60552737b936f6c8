"""The 'trend' reply: figures over time (built by :mod:`smassist.trends.series`) as a Reply."""

from __future__ import annotations

from smassist.answering.reply import Reply, Suggestion
from smassist.kb.memo import memo
from smassist.kb.runtime import KnowledgeBase, SeriesInfo
from smassist.trends.series import build_trend, no_series_text, trends_text

#: At most this many series in one answer (a topic may have several).
MAX_SERIES = 3


def trend_reply(kb: KnowledgeBase, series: list[SeriesInfo], lang: str, question: str,
                entry: str | None = None, confidence: float = 1.0) -> Reply:
    """A 'trend' Reply: the text of each series, its points as statistics.

    ``extra['series']`` lists the series ids (channels attach their charts);
    ``follow_ups`` offer the entries that explain the figures.
    """
    series = series[:MAX_SERIES]
    if not series:
        return Reply(question, "trend", no_series_text(kb, question, lang), lang,
                     version=kb.version, extra={"series": []})
    built = [build_trend(kb, s, lang) for s in series]
    views = list({p.stat.id: p.stat for t in built for p in t.points}.values())
    topic = kb.entries[entry].topic if entry else (built[0].topics[0] if built[0].topics else None)
    related = [entry] if entry else []
    citing = _citing(kb)
    for trend in built:
        for point in trend.points:
            related.extend(e for e in citing.get(point.stat.id, ()) if e not in related)
    texts = memo(kb, "trend texts")
    key = tuple(t.series for t in built), lang
    text = texts.get(key)
    if text is None:
        text = texts[key] = trends_text(built)
    return Reply(
        question, "trend", text, lang, matched=True, topic=topic, entry=entry,
        title=built[0].label, confidence=confidence, statistics=tuple(views),
        follow_ups=tuple(Suggestion(e, kb.entries[e].title[lang]) for e in related[:3]),
        version=kb.version, extra={"series": [t.series for t in built]},
    )


def _citing(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Statistic id -> the entries that show it, in the knowledge base's order (once per version)."""
    found = memo(kb, "entries citing")
    if not found and kb.entries:
        citing: dict[str, list[str]] = {}
        for entry in kb.entries.values():
            for stat_id in dict.fromkeys(entry.statistics):
                citing.setdefault(stat_id, []).append(entry.id)
        found.update((stat_id, tuple(ids)) for stat_id, ids in citing.items())
    return found
