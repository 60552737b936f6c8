"""What the assistant says, independent of any platform.

A channel turns a :class:`Reply` into Block Kit, Telegram HTML or terminal
text; nothing here knows about those formats.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from smassist.kb.figures import scope_name
from smassist.kb.runtime import KnowledgeBase, StatisticInfo


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def of(cls, stat: StatisticInfo, kb: KnowledgeBase, lang: str) -> StatisticView:
        study = kb.studies[stat.study]
        article = kb.articles[stat.article]
        sample = (
            f"{study.sample_size} {study.population[lang]}" if study.sample_size else study.population[lang]
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


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An entry offered to the user: a follow-up or a 'did you mean' choice."""

    entry: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"entry": self.entry, "text": self.text}


#: The kinds of reply a channel may want to present differently.
KINDS = ("answer", "clarify", "unknown", "sources", "details", "help", "invalid")


@dataclass(frozen=True, slots=True)
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
    #: Names this reply for feedback and click records (short, fits Slack and Telegram ids).
    id: str = field(default_factory=lambda: os.urandom(8).hex())

    @property
    def sources(self) -> list[str]:
        """Each distinct source line of the figures shown, in order."""
        return list(dict.fromkeys(s.source for s in self.statistics))

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
        }
