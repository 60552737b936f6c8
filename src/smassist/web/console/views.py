"""What each console page shows, as plain data: no aiohttp, no HTML.

The templates only lay these out; every text that came from a user (logged
questions) or from the knowledge files reaches them as data and is escaped
there (Jinja2 autoescaping).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smassist.admin import reports
from smassist.web.console.texts import texts

if TYPE_CHECKING:
    from smassist.admin.store import QuestionRecord
    from smassist.answering.assistant import State
    from smassist.kb.runtime import KnowledgeBase, Location

#: Periods offered on the report and gaps pages ("all": the whole log).
PERIODS = ("7d", "30d", "90d", "all")
DEFAULT_PERIOD = "30d"
#: Channel colours in the charts (Okabe-Ito: told apart with any colour vision).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: A closest entry below this confidence is not offered as the place for a gap's questions
#: (the engine declines to answer below about this confidence).
CLOSE_ENOUGH = 0.35
#: Days drawn in the per-day chart at most (the table lists them all).
CHART_DAYS = 92


def period_label(since: str | None, lang: str) -> str:
    from smassist.admin.store import split_duration

    t = texts(lang)
    parts = split_duration(since) if since else None
    if not parts:
        return t["period_all"]
    return t["period_n"].format(n=parts[0], unit=t[f"unit_{parts[1]}"])


def location_text(location: Location | None) -> str | None:
    """``/srv/kb/entries/roi.yaml:12``: absolute, in the served folder (the console's working
    directory means nothing to the admin reading it)."""
    return None if location is None else f"{location.file}:{location.line}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


# --- the usage report ------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class DayChart:
    """A stacked bar chart of questions per day and channel, laid out for SVG."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value)
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, day)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (channel, colour)
    left: int = 44
    bottom: int = 0
    shown_days: int = 0
    total_days: int = 0


def _nice_ceiling(value: int) -> int:
    """1, 2, 5, 10, 20, 50… at or above ``value``."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def day_rows(summary: dict[str, Any], since: datetime | None, today: date) -> list[dict[str, Any]]:
    """Every day of the period, the days without a question included (a chart must not hide them)."""
    logged = {row["day"]: row for row in summary["per_day"]}
    if since is not None:
        start = since.date()
    elif logged:
        start = date.fromisoformat(min(logged))
    else:
        return []
    end = max([today, *(date.fromisoformat(d) for d in logged)])
    return [logged.get(day.isoformat(), {"day": day.isoformat(), "total": 0, "channels": {}})
            for day in _days(start, end)]


def day_chart(rows: list[dict[str, Any]], channels: list[str], lang: str) -> DayChart:
    width, height, left, top, bottom = 760, 240, 44, 12, 40
    shown = rows[-CHART_DAYS:]
    chart = DayChart(width=width, height=height, left=left, bottom=height - bottom,
                     shown_days=len(shown), total_days=len(rows))
    colours = {channel: PALETTE[i % len(PALETTE)] for i, channel in enumerate(channels)}
    chart.legend = [(channel, colours[channel]) for channel in channels]
    if not shown:
        return chart
    most = max(row["total"] for row in shown)
    tick_step = _nice_ceiling(math.ceil(most / 4))
    peak = max(tick_step, math.ceil(most / tick_step) * tick_step)
    plot_height = height - top - bottom
    step = (width - left - 8) / len(shown)
    bar_width = max(step * 0.8, 1.0)
    scale = plot_height / peak
    for tick in range(0, peak + 1, tick_step):
        chart.ticks.append((chart.bottom - tick * scale, tick))
    every = max(1, math.ceil(len(shown) / 10))
    for index, row in enumerate(shown):
        x = left + index * step + (step - bar_width) / 2
        y = float(chart.bottom)
        for channel in channels:
            count = row["channels"].get(channel, 0)
            if not count:
                continue
            h = count * scale
            y -= h
            chart.bars.append(Bar(x, y, bar_width, h, colours[channel],
                                  f"{row['day']} {channel}: {count}"))
        if index % every == 0:
            chart.labels.append((x + bar_width / 2, row["day"][5:]))
    return chart


def report_view(records: list[QuestionRecord], since_code: str, since: datetime | None,
                kb: KnowledgeBase, lang: str, today: date) -> dict[str, Any]:
    code = None if since_code == "all" else since_code
    summary = reports.summarize(records, since=code)
    channels = sorted(summary["channels"])
    rows = day_rows(summary, since, today)
    fb = summary["feedback"]
    top = summary["top_entries"]
    most = max((n for _, n in top), default=0)
    entries = [{"id": entry, "title": _title(kb, entry, lang), "count": n,
                "share": n / most if most else 0.0} for entry, n in top]
    topics = [{"id": topic, "title": kb.topics[topic].title.get(lang, topic) if topic in kb.topics
               else topic, "count": n} for topic, n in summary["top_topics"]]
    return {
        "summary": summary,
        "period": period_label(code, lang),
        "channels": channels,
        "rows": rows,
        "logged_days": [row for row in reversed(rows) if row["total"]],
        "chart": day_chart(rows, channels, lang),
        "answered_rate": _percent(summary["answered_rate"]),
        "useful_share": _percent(fb["useful_share"]),
        "feedback": fb,
        "feedback_bar": {"useful": fb["useful"] / fb["given"] if fb["given"] else 0.0,
                         "not_useful": fb["not_useful"] / fb["given"] if fb["given"] else 0.0},
        "top_entries": entries,
        "top_topics": topics,
        "unanswered": summary["unanswered"],
    }


def _title(kb: KnowledgeBase, entry_id: str, lang: str) -> str:
    entry = kb.entries.get(entry_id)
    return entry.title.get(lang) or entry.title.get("fr", entry_id) if entry else entry_id


# --- knowledge gaps ------------------------------------------------------------------------


def gaps_view(records: list[QuestionRecord], since_code: str, state: State,
              lang: str) -> dict[str, Any]:
    gaps = reports.find_gaps(records, state)
    blocks = reports.gaps_yaml(gaps).rstrip("\n").split("\n\n") if gaps else []
    t = texts(lang)
    kb = state.kb
    items = []
    # One block per group, then (when some were declined every time) one for out_of_scope.yaml.
    extra = "\n\n".join(blocks[len(gaps):])
    for number, (gap, block) in enumerate(zip(gaps, blocks[:len(gaps)], strict=True), 1):
        entry = kb.entries.get(gap.closest) if gap.closest else None
        items.append({
            "number": number,
            "count": gap.count,
            "reasons": [(t[f"reason_{reason}"], n) for reason, n in gap.reasons.most_common()],
            "examples": gap.examples[:8],
            "more": max(0, len(gap.examples) - 8),
            "last_asked": gap.last_asked.strftime("%Y-%m-%d %H:%M") if gap.last_asked else None,
            "closest": gap.closest,
            "closest_title": _title(kb, gap.closest, lang) if gap.closest else None,
            "confidence": f"{gap.closest_confidence:.2f}",
            "far": gap.closest_confidence < CLOSE_ENOUGH,
            "location": location_text(entry.location) if entry else None,
            "yaml": block,
        })
    return {"gaps": items, "out_of_scope": extra, "period": period_label(None if since_code == "all" else since_code, lang),
            "asks": sum(g.count for g in gaps)}


# --- the knowledge base -------------------------------------------------------------------


def kb_view(kb: KnowledgeBase, lang: str) -> dict[str, Any]:
    topics = []
    for topic in kb.topics.values():
        entries = []
        for entry in kb.entries_by_topic(topic.id):
            figures = []
            for stat_id in entry.statistics:
                stat = kb.statistics.get(stat_id)
                if stat is None:
                    continue
                figures.append({"id": stat.id, "text": stat.text.get(lang) or stat.text["fr"],
                                "source": stat.source.get(lang) or stat.source["fr"],
                                "article": _article(kb, stat.article),
                                "location": location_text(stat.location)})
            entries.append({
                "id": entry.id,
                "title": entry.title.get(lang) or entry.title["fr"],
                "answer": entry.answer.get(lang) or entry.answer["fr"],
                "questions": sum(len(q) for q in entry.questions.values()),
                "examples": list(entry.questions.get(lang, ()))[:3],
                "figures": figures,
                "follow_ups": [(f, _title(kb, f, lang)) for f in entry.follow_ups],
                "location": location_text(entry.location),
            })
        if entries:
            topics.append({"id": topic.id, "title": topic.title.get(lang) or topic.title["fr"],
                           "description": topic.description.get(lang) or topic.description.get("fr", ""),
                           "entries": entries})
    return {"topics": topics, "summary": kb.summary()}


def _article(kb: KnowledgeBase, article_id: str) -> dict[str, str | None]:
    article = kb.articles.get(article_id)
    if article is None:
        return {"id": article_id, "title": article_id, "url": None}
    url = article.url if article.url and article.url.startswith(("https://", "http://")) else None
    return {"id": article.id, "title": article.title, "url": url}


# --- the version served ---------------------------------------------------------------------


def status_view(kb: KnowledgeBase, loaded_at: datetime, records: list[QuestionRecord] | None,
                lang: str) -> dict[str, Any]:
    """The version served, whether the folder's files differ from it, and their problems if any."""
    from smassist.kb import loader

    root = Path(kb.root)
    problems: list[str] = []
    changed = False
    try:
        current = loader.load(root)
        changed = current.version != kb.version
    except loader.KnowledgeBaseError as exc:
        # Absolute, as on the other pages: the console's working directory means nothing here.
        problems = [f"{Path(p.file).absolute()}:{p.line}: {p.message}" for p in exc.problems]
        changed = True
    except OSError as exc:
        problems = [f"{root}: {exc}"]
    seen: dict[tuple[str, str], int] = {}
    for record in records or ():
        key = ((record.version or "?")[:12], record.channel)
        seen[key] = seen.get(key, 0) + 1
    return {
        "summary": kb.summary(),
        "folder": str(root),
        "loaded_at": loaded_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "changed": changed,
        "problems": problems,
        "versions": sorted(((v, c, n) for (v, c), n in seen.items()), key=lambda x: (-x[2], x[0])),
    }
