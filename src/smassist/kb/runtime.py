"""The resolved knowledge base that answering works from.

Plain frozen slotted records (:mod:`smassist.records`; no pydantic, no Jinja2): they are built once by the
loader, pickled into the cache, and read back at start-up in a few
milliseconds. Every answer is already rendered in both languages here.
"""

from __future__ import annotations

import os
from pathlib import Path

from smassist.kb.memo import memo
from smassist.records import field, record

LANGS = ("fr", "en")


def display_path(path: str | Path) -> str:
    """Relative to the working directory when inside it (as editors expect), else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(absolute)


@record
class Location:
    """Where something was defined, for reports an admin can act on.

    ``file`` is absolute, in the folder the knowledge base was loaded from (the
    compiled cache is kept per folder), so a location read back from the cache by
    any process names the served file; ``str()`` shows it as :func:`display_path`.
    """

    file: str
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"


@record
class ArticleInfo:
    id: str
    title: str
    publisher: str
    author: str | None
    published: str | None
    url: str | None
    note: dict[str, str] | None


@record
class StudyInfo:
    id: str
    name: dict[str, str]
    by: tuple[str, ...]
    year: int | None
    year_note: dict[str, str] | None
    scope: str
    sample_size: int | None
    population: dict[str, str]
    article: str


@record
class StatisticInfo:
    id: str
    value: float
    unit: str
    qualifier: str | None
    label: dict[str, str]
    study: str
    #: The figure's year: its own if given, else its study's (None when unknown).
    year: int | None
    article: str
    quote: str
    topics: tuple[str, ...]
    #: Per language: the figure ("31 %"), the figure with its label, the source line.
    formatted: dict[str, str]
    text: dict[str, str]
    source: dict[str, str]
    location: Location


@record
class TopicInfo:
    id: str
    title: dict[str, str]
    description: dict[str, str]


@record
class EntryInfo:
    id: str
    topic: str
    title: dict[str, str]
    questions: dict[str, tuple[str, ...]]
    answer: dict[str, str]
    statistics: tuple[str, ...]
    follow_ups: tuple[str, ...]
    location: Location
    #: Question kind -> language -> the rendered sentence that replaces the answer's first one.
    openings: dict[str, dict[str, str]] = field(default_factory=dict)


@record
class EntityInfo:
    """Something figures measure (a platform, a country...), and the words that name it."""

    id: str
    kind: str
    name: dict[str, str]
    names: tuple[str, ...]
    scope: str | None = None
    grounded: bool = True
    #: A quantity (kind "quantity"): the units and label words of the figures that measure it.
    units: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@record
class Vocabulary:
    """knowledge/vocabulary.yaml: question-kind phrases (in precedence order) and entities."""

    kinds: tuple[tuple[str, dict[str, tuple[str, ...]]], ...] = ()
    entities: tuple[EntityInfo, ...] = ()
    #: What figure questions ask for (cost, time...), kind "quantity", in precedence order.
    quantities: tuple[EntityInfo, ...] = ()


@record
class SeriesInfo:
    id: str
    label: dict[str, str]
    points: tuple[str, ...]
    note: dict[str, str] | None
    location: Location


@record
class KnowledgeBase:
    """One whole, validated version of the knowledge base."""

    root: Path
    version: str
    articles: dict[str, ArticleInfo]
    studies: dict[str, StudyInfo]
    statistics: dict[str, StatisticInfo]
    topics: dict[str, TopicInfo]
    entries: dict[str, EntryInfo]
    series: dict[str, SeriesInfo] = field(default_factory=dict)
    brief: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    stopwords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    #: (lang, question) pairs from ``out_of_scope.yaml``: questions to decline.
    out_of_scope: tuple[tuple[str, str], ...] = ()

    def entries_by_topic(self, topic: str) -> list[EntryInfo]:
        return [entry for entry in self.entries.values() if entry.topic == topic]

    def statistics_by_topic(self, topic: str) -> list[StatisticInfo]:
        """Figures tagged with the topic, or shown by one of its entries (found once per version)."""
        found = memo(self, "statistics by topic")
        hit = found.get(topic)
        if hit is None:
            hit = found[topic] = tuple(self._statistics_by_topic(topic))
        return list(hit)

    def _statistics_by_topic(self, topic: str) -> list[StatisticInfo]:
        seen: dict[str, StatisticInfo] = {}
        for stat in self.statistics.values():
            if topic in stat.topics:
                seen[stat.id] = stat
        for entry in self.entries_by_topic(topic):
            for stat_id in entry.statistics:
                seen.setdefault(stat_id, self.statistics[stat_id])
        return list(seen.values())

    def summary(self) -> dict[str, int | str]:
        return {
            "version": self.version[:12],
            "topics": len(self.topics),
            "entries": len(self.entries),
            "questions": sum(len(q) for e in self.entries.values() for q in e.questions.values()),
            "statistics": len(self.statistics),
            "studies": len(self.studies),
            "articles": len(self.articles),
            "series": len(self.series),
            "out_of_scope": len(self.out_of_scope),
        }
