"""Figures over time: a series' points in order, how they moved, and how far to trust it.

A series (``knowledge/series.yaml``) groups statistics that measure the same
thing in different years or countries. A trend answer lists its points in
chronological order, each with its study and sample, the change in points
from one to the next, and a one-line reading that does not overclaim: when the
points come from different studies, samples or countries, they do not describe
the same population, and the answer says so.

Which series belongs to which topic comes from the data (the topics of the
series' statistics); the only words here are the assistant's own (trend
wording, in :data:`smassist.trends.phrases.TREND_PATTERNS`, and its sentences).
"""

from __future__ import annotations

import itertools
import re

from smassist import texts as catalogue
from smassist.kb.figures import StatisticView, format_number, scope_name
from smassist.kb.memo import memo
from smassist.kb.runtime import KnowledgeBase, SeriesInfo
from smassist.language.normalize import STOPWORDS, fold, stem, tokens
from smassist.records import record
from smassist.texts import scoped

# How people ask for an evolution lives with the other conversational phrases.
from smassist.trends.phrases import asks_for_trend as asks_for_trend  # re-exported
from smassist.trends.phrases import text_fold, trend_pattern

#: Below this many points, a change between two surveys is not called a rise or a fall.
STABLE_POINTS = 5

#: ``text(lang, "up", ...)`` is ``smassist.texts.text(lang, "trend.up", ...)``.
text = scoped("trend")


# --- which series ---------------------------------------------------------------


def series_topics(kb: KnowledgeBase, series: SeriesInfo) -> tuple[str, ...]:
    """The topics of a series: those of its statistics, in order of first appearance."""
    topics: dict[str, None] = {}
    for stat_id in series.points:
        for topic in kb.statistics[stat_id].topics:
            topics.setdefault(topic)
    return tuple(topics)


def series_for_topic(kb: KnowledgeBase, topic: str) -> list[SeriesInfo]:
    return [s for s in kb.series.values() if topic in series_topics(kb, s)]


def series_for_entry(kb: KnowledgeBase, entry_id: str) -> list[SeriesInfo]:
    """Series sharing a statistic with the entry first, then the series of its topic."""
    entry = kb.entries[entry_id]
    cited = set(entry.statistics)
    direct = [s for s in kb.series.values() if cited & set(s.points)]
    rest = [s for s in series_for_topic(kb, entry.topic) if s not in direct]
    return direct + rest


def find_series(kb: KnowledgeBase, key: str) -> list[SeriesInfo]:
    """Series named by ``key``: a series id, a topic id, or words of a label or topic title."""
    key = key.strip()
    if key in kb.series:
        return [kb.series[key]]
    slug = "-".join(re.findall(r"[a-z0-9]+", fold(key)))
    if slug in kb.series:
        return [kb.series[slug]]
    if slug in kb.topics:
        return series_for_topic(kb, slug)
    words = _words(key)
    if not words:
        return []
    names = _series_words(kb)
    # Words most series share ("médias sociaux") name none of them.
    common = {w for w in words if sum(_has(bag, w, heads) for _, bag, heads in names) * 2 > len(names) > 1}
    scored = [(sum(_has(bag, w, heads) for w in words - common), series) for series, bag, heads in names]
    best = max((score for score, _ in scored), default=0)
    return [series for score, series in scored if best and score == best]


#: Per knowledge-base version (by identity): each series with the words that name it.
_named: dict[int, tuple[KnowledgeBase, list[tuple[SeriesInfo, set[str], frozenset[str]]]]] = {}


def _series_words(kb: KnowledgeBase) -> list[tuple[SeriesInfo, set[str], frozenset[str]]]:
    """Each series with the words of its id, labels and topics, and the first 7 letters
    of those that have 7 (made once per version)."""
    hit = _named.get(id(kb))
    if hit is not None and hit[0] is kb:
        return hit[1]
    names: list[tuple[SeriesInfo, set[str], frozenset[str]]] = []
    for series in kb.series.values():
        bag = _words(series.id.replace("-", " "), *series.label.values())
        for topic in series_topics(kb, series):
            bag |= _words(topic.replace("-", " "))
            if topic in kb.topics:
                bag |= _words(*kb.topics[topic].title.values())
        names.append((series, bag, frozenset(w[:7] for w in bag if len(w) >= 7)))
    if len(_named) > 8:  # old versions after reloads
        _named.clear()
    _named[id(kb)] = (kb, names)
    return names


def _has(bag: set[str], word: str, heads: frozenset[str] | None = None) -> bool:
    """The word, or a word of the same family: stems agree on their first 7 letters
    ("compétitivité", "compétitif", "competitiveness"). ``heads``: those first 7 letters
    of the bag's words that have 7 (computed when not given)."""
    if word in bag:
        return True
    if len(word) < 7:
        return False
    if heads is None:
        heads = frozenset(w[:7] for w in bag if len(w) >= 7)
    return word[:7] in heads


def _words(*texts: str) -> set[str]:
    """Stemmed content words of the texts, in both languages (names mix them)."""
    found: set[str] = set()
    for text_ in texts:
        for word in tokens(trend_pattern().sub(" ", text_fold(text_))):
            if not any(word in STOPWORDS[lang] for lang in STOPWORDS) and len(word) > 1:
                found.update(stem(word, lang) for lang in STOPWORDS)
    return found


# --- the trend -----------------------------------------------------------------


@record
class TrendPoint:
    """One point of a series, with the change since the previous one."""

    stat: StatisticView
    year: int | None
    scope: str  # the study's scope id ("france")
    scope_name: str
    sample: str
    #: Change since the previous point, in the series' unit (percentage points for percentages).
    change: float | None
    approximate: bool
    #: The statistic's qualifier ("nearly", "about"...), when its value is not exact.
    qualifier: str | None = None


@record
class Trend:
    series: str
    label: str
    lang: str
    unit: str
    points: tuple[TrendPoint, ...]
    reading: str
    cautions: tuple[str, ...]
    note: str | None
    topics: tuple[str, ...]

    @property
    def comparison(self) -> bool:
        """Places compared (same or unknown year), rather than a movement in time."""
        years = [p.year for p in self.points]
        return None in years or len(set(years)) == 1

    @property
    def mixed_scopes(self) -> bool:
        return len({p.scope for p in self.points}) > 1

    def point_label(self, point: TrendPoint) -> str:
        """'2017', or '2015, France' when the series spans countries."""
        year = str(point.year) if point.year is not None else text(self.lang, "no_year")
        return f"{year}, {point.scope_name}" if self.mixed_scopes else year

    def change_text(self, change: float, approximate: bool = False, short: bool = False) -> str:
        return format_change(change, self.unit, self.lang, approximate, short)

    def render(self) -> str:
        """The trend as chat text: label, reading, the points, then what to keep in mind."""
        lang = self.lang
        colon = catalogue.colon(lang)
        lines = [self.label, self.reading]
        for point in self.points:
            change = ""
            if point.change is not None and not self.comparison:
                change = f" ({self.change_text(point.change, point.approximate)})"
            lines.append(
                f"- {self.point_label(point)}{colon} {point.stat.formatted}{change} — "
                f"{point.stat.study_name}, {point.sample}"
            )
        if self.cautions:
            cautions = " ".join(self.cautions)
            if lang == "fr":  # French goes on in lower case after a colon
                cautions = cautions[:1].lower() + cautions[1:]
            lines.append(f"{text(lang, 'caution')} {cautions}")
        if self.note:
            lines.append(f"{text(lang, 'note')} {self.note}")
        return "\n".join(lines)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(p.stat.source for p in self.points))


def format_change(change: float, unit: str, lang: str, approximate: bool = False,
                  short: bool = False, signed: bool = True) -> str:
    """'+7 points', '−1 point', 'environ +30 points'; short: '+7 pts'."""
    rounded = round(change, 1)
    if rounded == 0:
        return text(lang, "unchanged")
    sign = ("+" if rounded > 0 else "−") if signed else ""
    number = format_number(abs(rounded), lang)
    if unit in ("percent", "fraction"):
        word = text(lang, "points_short" if short else "points", count=abs(rounded))
        result = f"{sign}{number} {word}"
    else:
        result = f"{sign}{number}"
    if approximate:
        result = ("≈ " + result) if short else text(lang, "about") + result
    return result


def _comparable(stat_value: float, unit: str) -> float:
    """Values on one scale: fractions as percentages, so changes read in points."""
    return stat_value * 100 if unit == "fraction" else stat_value


def _sample(kb: KnowledgeBase, study_id: str, lang: str) -> str:
    study = kb.studies[study_id]
    population = study.population[lang]
    return f"{format_number(study.sample_size, lang)} {population}" if study.sample_size else population


def build_trend(kb: KnowledgeBase, series: SeriesInfo, lang: str) -> Trend:
    """The trend of one series, in ``lang`` (made once per version: a trend is immutable)."""
    trends = memo(kb, "trends")
    hit = trends.get((series.id, lang))
    if hit is not None and hit[0] is series:
        return hit[1]
    made = _build_trend(kb, series, lang)
    trends[(series.id, lang)] = (series, made)
    return made


def _build_trend(kb: KnowledgeBase, series: SeriesInfo, lang: str) -> Trend:
    stats = [kb.statistics[s] for s in series.points]
    unit = stats[0].unit
    points: list[TrendPoint] = []
    previous = None
    for stat in stats:
        study = kb.studies[stat.study]
        value = _comparable(stat.value, stat.unit)
        approximate = stat.qualifier is not None or (previous is not None and previous[1])
        # A change is only given between points of the same country.
        change = (value - previous[0]
                  if previous is not None and previous[2] == study.scope else None)
        points.append(TrendPoint(
            stat=StatisticView.of(stat, kb, lang), year=stat.year, scope=study.scope,
            scope_name=scope_name(study.scope, lang), sample=_sample(kb, stat.study, lang),
            change=change, approximate=approximate if change is not None else False,
            qualifier=stat.qualifier,
        ))
        previous = (value, stat.qualifier is not None, study.scope)
    trend = Trend(series.id, series.label[lang], lang, unit, tuple(points), "", (),
                  series.note[lang] if series.note else None, series_topics(kb, series))
    return Trend(trend.series, trend.label, lang, unit, trend.points,
                 _reading(trend, stats), _cautions(trend, stats), trend.note, trend.topics)


def _reading(trend: Trend, stats: list) -> str:
    """One line that says what moved, by how much, and no more."""
    lang = trend.lang
    points = trend.points
    approximate = any(s.qualifier for s in stats)
    values = [_comparable(s.value, s.unit) for s in stats]
    if trend.comparison:
        # A comparison of places (or of undated points), not a movement in time.
        items = f" {text(lang, 'vs')} ".join(
            f"{p.stat.formatted} ({trend.point_label(p)})" for p in points)
        gap = format_change(abs(values[-1] - values[0]), trend.unit, lang, approximate, signed=False)
        return text(lang, "compare", items=items[:1].upper() + items[1:], change=gap)
    if not trend.mixed_scopes:
        return _movement(trend, list(points), values)
    # Different countries: only the overall gap, said to be between populations; then the
    # movement within the country that has several points, if any.
    first, last = points[0], points[-1]
    line = text(lang, "across", first=first.stat.formatted, p1=trend.point_label(first),
                last=last.stat.formatted, p2=trend.point_label(last),
                change=trend.change_text(values[-1] - values[0], approximate))
    same = [i for i, p in enumerate(points) if p.scope == last.scope]
    if len(same) > 1:
        within = _movement(trend, [points[i] for i in same], [values[i] for i in same])
        line += " " + text(lang, "within", scope=last.scope_name, reading=within[:1].lower() + within[1:])
    return line


def _movement(trend: Trend, points: list[TrendPoint], values: list[float]) -> str:
    """'En hausse : de 20 % en 2016 à 50 % en 2018 (+30 points).' for comparable points."""
    lang = trend.lang
    total = values[-1] - values[0]
    steps = [b - a for a, b in itertools.pairwise(values)]
    approximate = any(p.approximate for p in points[1:])
    if round(total, 1) == 0 and all(round(s, 1) == 0 for s in steps):
        kind = "same"
    elif abs(total) < STABLE_POINTS and all(abs(s) < STABLE_POINTS for s in steps):
        kind = "stable"
    elif all(s >= 0 for s in steps) or all(s <= 0 for s in steps):
        kind = "up" if total > 0 else "down"
    else:
        kind = "mixed"
    first, last = points[0], points[-1]
    return text(lang, kind, first=first.stat.formatted, y1=first.year, last=last.stat.formatted,
                y2=last.year, change=trend.change_text(total, approximate))


def _cautions(trend: Trend, stats: list) -> tuple[str, ...]:
    """Why the points may not be comparable: countries, studies, approximations, no year."""
    lang = trend.lang
    cautions = []
    scopes = list(dict.fromkeys(p.scope_name for p in trend.points))
    studies = list(dict.fromkeys(s.study for s in stats))
    if len(scopes) > 1:
        cautions.append(text(lang, "caveat_populations", count=len(studies), scopes=", ".join(scopes)))
    elif len(studies) > 1:
        cautions.append(text(lang, "caveat_studies", count=len(studies)))
    approximate = [p.stat.formatted for p, s in zip(trend.points, stats, strict=True) if s.qualifier]
    if approximate:
        cautions.append(text(lang, "caveat_approx", values=", ".join(approximate)))
    undated = list(dict.fromkeys(p.stat.study_name for p in trend.points if p.year is None))
    if undated:
        cautions.append(text(lang, "caveat_no_year", studies=", ".join(undated)))
    return tuple(cautions)


def trends_text(trends: list[Trend]) -> str:
    return "\n\n".join(t.render() for t in trends)


def no_series_text(kb: KnowledgeBase, key: str, lang: str) -> str:
    if not kb.series:
        return text(lang, "none_at_all")
    listing = ", ".join(f"{s.id} ({s.label[lang]})" for s in kb.series.values())
    return text(lang, "none", key=key, series=listing)
