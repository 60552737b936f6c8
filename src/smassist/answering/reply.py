"""What the assistant says, independent of any platform.

A channel turns a :class:`Reply` into Block Kit, Telegram HTML or terminal
text; nothing here knows about those formats.
"""

from __future__ import annotations

import os
from typing import Any

# A figure with its source is the knowledge base's own shape; a Reply carries them.
from smassist.kb.figures import StatisticView as StatisticView
from smassist.records import field, record


@record
class Suggestion:
    """An entry offered to the user: a follow-up or a 'did you mean' choice."""

    entry: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"entry": self.entry, "text": self.text}


@record
class SourceGroup:
    """One source (study, year, sample) and the figures of a reply that come from it."""

    source: str
    article_title: str
    publisher: str
    published: str | None
    statistics: tuple[StatisticView, ...]
    #: The line to repeat: who ran the study, which, its year and sample, the article.
    citation: str = ""


#: The kinds of reply a channel may want to present differently.
KINDS = ("answer", "clarify", "unknown", "sources", "details", "help", "invalid", "smalltalk")


@record
class Reply:
    question: str
    kind: str
    text: str
    lang: str
    matched: bool = False
    topic: str | None = None
    entry: str | None = None
    title: str | None = None
    confidence: float = 0.0
    statistics: tuple[StatisticView, ...] = ()
    follow_ups: tuple[Suggestion, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    topics: tuple[tuple[str, str], ...] = ()  # (id, title) listed by 'unknown' and 'help'
    version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: What the question asked for (figure, recommendation, method, reason, comparison, trend).
    question_kind: str | None = None
    #: Entity ids the question names that the figures shown do / do not measure.
    covered: tuple[str, ...] = ()
    uncovered: tuple[str, ...] = ()
    #: Names this reply for feedback and click records (short, fits Slack and Telegram ids).
    id: str = field(default_factory=lambda: os.urandom(8).hex())

    @property
    def sources(self) -> list[str]:
        """Each distinct source line of the figures shown, in order."""
        return list(dict.fromkeys(s.source for s in self.statistics))

    def source_groups(self) -> tuple[SourceGroup, ...]:
        """The figures grouped by source, in order: what a 'sources' reply lists.

        Channels draw these (a list, a card, a table); nothing reads the text back.
        """
        groups: dict[tuple[str, str], list[StatisticView]] = {}
        for stat in self.statistics:  # one study read in one article: one line
            groups.setdefault((stat.source, stat.citation), []).append(stat)
        return tuple(SourceGroup(source, stats[0].article_title, stats[0].publisher,
                                 stats[0].published, tuple(stats), citation)
                     for (source, citation), stats in groups.items())

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``smassist ask --json`` (INTERFACE.md)."""
        return {
            "question": self.question,
            "kind": self.kind,
            "matched": self.matched,
            "topic": self.topic,
            "entry": self.entry,
            "confidence": round(self.confidence, 3),
            "lang": self.lang,
            "answer": self.text,
            "statistics": [s.to_dict() for s in self.statistics],
            "sources": self.sources,
            "suggestions": [s.text for s in self.suggestions],
            "suggested_entries": [s.entry for s in self.suggestions],
            "follow_ups": [s.to_dict() for s in self.follow_ups],
            "question_kind": self.question_kind,
            "covered_entities": list(self.covered),
            "uncovered_entities": list(self.uncovered),
            "source_details": self.source_details(),
        }

    def source_details(self) -> list[dict[str, Any]]:
        """Each distinct study behind the figures shown: who ran it, when, on whom, read where."""
        seen: dict[str, dict[str, Any]] = {}
        for s in self.statistics:
            seen.setdefault(s.study, {
                "study": s.study, "name": s.study_name, "by": list(s.by), "year": s.year,
                "sample": s.sample, "article": s.article, "article_title": s.article_title,
                "publisher": s.publisher, "published": s.published,
            })
        return list(seen.values())
