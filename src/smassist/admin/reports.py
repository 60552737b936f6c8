"""What the question log tells admins: knowledge gaps and a usage summary.

``smassist kb gaps`` groups the questions smassist did not answer well (no
answer, a "did you mean", a low-confidence answer, or "not useful" feedback)
by similarity, so an admin sees "people asked this 12 times" and can paste the
examples into an entry. ``smassist report`` (and the admins' ``/report``) sums
up use: questions per day and channel, answered rate, top topics and entries,
feedback, and the most asked questions without an answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from smassist.answering.clean import printable, terminal_json
from smassist.language.normalize import STOPWORDS, tokens
from smassist.texts import scoped

if TYPE_CHECKING:
    from smassist.admin.store import QuestionRecord
    from smassist.answering.assistant import State

#: An answer below this confidence counts as a gap (the engine answers from ~0.55).
LOW_CONFIDENCE = 0.65
#: rapidfuzz similarity (0-100) from which two questions are in the same group.
GROUP_SIMILARITY = 70
ANSWERED_KINDS = frozenset({"answer", "sources", "details"})
#: Not questions about the domain: left out of rates and gaps.
IGNORED_KINDS = frozenset({"invalid", "help", "smalltalk"})
_STOP = STOPWORDS["fr"] | STOPWORDS["en"]

REASONS = {
    "unknown": "no answer",
    "clarify": "did you mean",
    "low": "low confidence",
    "not_useful": "not useful",
}


def gap_reason(record: QuestionRecord, low_confidence: float = LOW_CONFIDENCE) -> str | None:
    """Why a logged question is a gap (a key of REASONS), or None when it was answered well."""
    if record.kind in IGNORED_KINDS:
        return None
    if record.useful is False:
        return "not_useful"
    if record.kind == "unknown":
        return "unknown"
    if record.kind == "clarify":
        return "clarify"
    if record.kind == "answer" and record.confidence < low_confidence:
        return "low"
    return None


def question_key(text: str) -> str:
    """The words that matter in a question, folded: 'Le ROI ?' and 'le roi' are the same."""
    words = tokens(text)
    content = [w for w in words if w not in _STOP]
    return " ".join(content or words)


def similarity(a: str, b: str) -> float:
    """0-100: how alike two question keys are (word order and extra words matter little).

    ``token_set_ratio`` alone would put "twitter" with every question about
    Twitter, so it only counts when the two share at least two words.
    """
    from rapidfuzz import fuzz

    score = fuzz.token_sort_ratio(a, b)
    if len(set(a.split()) & set(b.split())) >= 2:
        score = max(score, fuzz.token_set_ratio(a, b))
    return score


@dataclass
class Gap:
    """A group of similar questions that smassist did not answer well."""

    examples: list[tuple[str, int]]  # distinct wordings, most asked first
    count: int
    reasons: Counter[str] = field(default_factory=Counter)
    langs: Counter[str] = field(default_factory=Counter)
    by_lang: dict[str, list[str]] = field(default_factory=dict)
    last_asked: datetime | None = None
    closest: str | None = None
    closest_confidence: float = 0.0
    closest_location: str | None = None
    keys: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "examples": [{"question": q, "count": n} for q, n in self.examples],
            "reasons": dict(self.reasons),
            "langs": dict(self.langs),
            "last_asked": self.last_asked.isoformat() if self.last_asked else None,
            "closest_entry": self.closest,
            "closest_confidence": round(self.closest_confidence, 3),
            "closest_location": self.closest_location,
        }


def find_gaps(records: Iterable[QuestionRecord], state: State | None = None, *,
              min_similarity: float = GROUP_SIMILARITY,
              low_confidence: float = LOW_CONFIDENCE) -> list[Gap]:
    """Gaps grouped by similarity, most asked first; ``state`` adds the closest entry now."""
    # First identical questions (same words), then similar ones.
    distinct: dict[str, dict[str, Any]] = {}
    text_lang: dict[str, str] = {}
    for record in records:
        reason = gap_reason(record, low_confidence)
        if reason is None:
            continue
        key = question_key(record.question)
        if not key:
            continue
        item = distinct.setdefault(key, {"count": 0, "texts": Counter(), "reasons": Counter(),
                                         "langs": Counter(), "last": record.asked_at})
        item["count"] += 1
        text = " ".join(record.question.split())
        item["texts"][text] += 1
        text_lang.setdefault(text, record.lang if record.lang in ("fr", "en") else "fr")
        item["reasons"][reason] += 1
        item["langs"][record.lang or "?"] += 1
        item["last"] = max(item["last"], record.asked_at)

    gaps: list[Gap] = []
    for key, item in sorted(distinct.items(), key=lambda kv: (-kv[1]["count"], kv[0])):
        best, best_score = None, 0.0
        for gap in gaps:
            score = max(similarity(key, other) for other in gap.keys)
            if score > best_score:
                best, best_score = gap, score
        if best is None or best_score < min_similarity:
            best = Gap(examples=[], count=0, last_asked=item["last"])
            gaps.append(best)
        best.keys.append(key)
        best.count += item["count"]
        best.reasons.update(item["reasons"])
        best.langs.update(item["langs"])
        best.examples.extend(item["texts"].items())
        best.last_asked = max(best.last_asked or item["last"], item["last"])
    for gap in gaps:
        gap.examples.sort(key=lambda qn: (-qn[1], qn[0]))
        for text, _ in gap.examples:
            gap.by_lang.setdefault(text_lang[text], []).append(text)
    gaps.sort(key=lambda g: (-g.count, g.examples[0][0]))
    if state is not None:
        for gap in gaps:
            _closest_entry(gap, state)
    return gaps


def _closest_entry(gap: Gap, state: State) -> None:
    question = gap.examples[0][0]
    lang = next((lang for lang, texts in gap.by_lang.items() if question in texts), "fr")
    try:
        match = state.engine.match(question, lang)
        candidates = getattr(match, "candidates", ())
    except Exception:  # the engine is being tuned; a report still lists the gap
        candidates = ()
    if candidates:
        gap.closest = candidates[0].entry
        gap.closest_confidence = float(candidates[0].confidence)
        entry = state.kb.entries.get(gap.closest)
        gap.closest_location = str(entry.location) if entry else None


def format_gaps(gaps: list[Gap], since: str | None = None, limit: int | None = None) -> str:
    """Readable in a terminal: one block per group, most asked first."""
    if not gaps:
        return "No knowledge gaps" + (f" in the last {since}" if since else "") + \
            ": every logged question got a confident answer."
    total = sum(g.count for g in gaps)
    lines = [f"{len(gaps)} group{'s' if len(gaps) != 1 else ''} of questions not answered well "
             f"({total} asks" + (f", last {since}" if since else "") + "), most asked first:"]
    for number, gap in enumerate(gaps[:limit] if limit else gaps, 1):
        reasons = ", ".join(f"{REASONS[r]} {n}" for r, n in gap.reasons.most_common())
        lines.append("")
        lines.append(f"{number}. {gap.count}× — {reasons}")
        for text, count in gap.examples[:5]:
            lines.append(f"     “{printable(text)}”" + (f" ×{count}" if count > 1 else ""))
        if len(gap.examples) > 5:
            lines.append(f"     … and {len(gap.examples) - 5} more wordings")
        if gap.closest:
            where = f" ({gap.closest_location})" if gap.closest_location else ""
            lines.append(f"   closest entry: {gap.closest} at {gap.closest_confidence:.2f}{where}")
        else:
            lines.append("   closest entry: none (a new entry?)")
    if limit and len(gaps) > limit:
        lines.append(f"\n… and {len(gaps) - limit} smaller groups (see --json).")
    return "\n".join(lines)


def gaps_yaml(gaps: list[Gap]) -> str:
    """Each group as a ``questions:`` block to paste into an entry (or a new one).

    The groups that were declined every time come once more at the end, as an
    ``out_of_scope:`` block for ``out_of_scope.yaml``.
    """
    blocks = []
    for number, gap in enumerate(gaps, 1):
        by_lang = gap.by_lang
        reasons = ", ".join(f"{REASONS[r]} {n}" for r, n in gap.reasons.most_common())
        closest = (f"closest entry: {gap.closest} ({gap.closest_confidence:.2f})"
                   + (f" at {gap.closest_location}" if gap.closest_location else "")
                   if gap.closest else "no close entry")
        lines = [f"# group {number}: asked {gap.count}× ({reasons}); {closest}", "questions:"]
        for lang in ("fr", "en"):
            if by_lang.get(lang):
                lines.append(f"  {lang}:")
                # A JSON string is a valid double-quoted YAML scalar: no quoting surprises.
                lines.extend(f"    - {terminal_json(t)}" for t in by_lang[lang])
        blocks.append("\n".join(lines))
    declined = [(n, g) for n, g in enumerate(gaps, 1) if g.reasons and set(g.reasons) == {"unknown"}]
    if declined:
        # Questions smassist declined every time: if declining is right, they teach
        # the engine what is not its domain (knowledge/out_of_scope.yaml).
        lines = ["# For out_of_scope.yaml, if smassist was right to decline them: the groups above "
                 "that were never answered", "out_of_scope:"]
        for number, gap in declined:
            lines += [f"  - about: {terminal_json(f'group {number} (say what these questions are)')}",
                      "    questions:"]
            for lang in ("fr", "en"):
                if gap.by_lang.get(lang):
                    lines.append(f"      {lang}:")
                    lines.extend(f"        - {terminal_json(t)}" for t in gap.by_lang[lang])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


# --- the usage summary ---------------------------------------------------------------


def summarize(records: Iterable[QuestionRecord], since: str | None = None) -> dict[str, Any]:
    """Counts for ``smassist report``; plain JSON types only."""
    records = list(records)
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    channels: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    entries: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    unanswered: dict[str, Counter[str]] = defaultdict(Counter)
    answerable = answered = useful = not_useful = clicks = 0
    for record in records:
        day = record.asked_at.date().isoformat()
        per_day[day][record.channel] += 1
        channels[record.channel] += 1
        langs[record.lang or "?"] += 1
        clicks += len(record.clicks)
        if record.useful is True:
            useful += 1
        elif record.useful is False:
            not_useful += 1
        if record.kind in IGNORED_KINDS:
            continue
        answerable += 1
        if record.kind in ANSWERED_KINDS:
            answered += 1
            if record.topic:
                topics[record.topic] += 1
            if record.entry:
                entries[record.entry] += 1
        elif record.kind == "unknown":
            key = question_key(record.question)
            if key:
                unanswered[key][" ".join(record.question.split())] += 1
    feedback = useful + not_useful
    most_unanswered = sorted(unanswered.values(), key=lambda c: (-sum(c.values()), c.most_common(1)[0][0]))
    times = [r.asked_at for r in records]
    return {
        "since": since,
        "first": min(times).isoformat() if times else None,
        "last": max(times).isoformat() if times else None,
        "questions": len(records),
        "per_day": [{"day": day, "total": sum(c.values()), "channels": dict(sorted(c.items()))}
                    for day, c in sorted(per_day.items())],
        "channels": dict(channels.most_common()),
        "languages": dict(langs.most_common()),
        "answerable": answerable,
        "answered": answered,
        "answered_rate": round(answered / answerable, 3) if answerable else None,
        "top_topics": [[t, n] for t, n in topics.most_common(10)],
        "top_entries": [[e, n] for e, n in entries.most_common(10)],
        "feedback": {
            "given": feedback,
            "useful": useful,
            "not_useful": not_useful,
            "rate": round(feedback / answered, 3) if answered else None,
            "useful_share": round(useful / feedback, 3) if feedback else None,
        },
        "clicks": clicks,
        "unanswered": [{"question": c.most_common(1)[0][0], "count": sum(c.values())}
                       for c in most_unanswered[:10]],
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


#: ``say(lang, "head", ...)`` is ``smassist.texts.text(lang, "report.head", ...)``.
say = scoped("report")


def format_summary(summary: dict[str, Any], lang: str = "en") -> str:
    """The summary as plain text in ``lang`` (fr or en), readable in a terminal and in a chat."""
    since = summary.get("since")
    from smassist.admin.store import split_duration

    parts = split_duration(since)
    if parts:
        period = say(lang, f"period.{parts[1]}", count=float(parts[0]), n=parts[0])
    else:
        period = since or say(lang, "all")
    if not summary["questions"]:
        return say(lang, "empty", period=period)
    lines = [say(lang, "head", period=period, count=summary["questions"],
                 rate=_percent(summary["answered_rate"]), answered=summary["answered"],
                 answerable=summary["answerable"])]
    channels = sorted(summary["channels"])
    lines.append("")
    lines.append(say(lang, "per_day"))
    lines.append("  " + f"{say(lang, 'day'):<10}  {say(lang, 'total'):>5}  " + "  ".join(f"{c:>8}" for c in channels))
    for row in summary["per_day"][-31:]:
        lines.append("  " + f"{row['day']:<10}  {row['total']:>5}  "
                     + "  ".join(f"{row['channels'].get(c, 0):>8}" for c in channels))
    fb = summary["feedback"]
    lines.append("")
    lines.append(say(lang, "feedback", count=fb["given"], given=fb["given"], rate=_percent(fb["rate"]),
                     useful_share=_percent(fb["useful_share"]), useful=fb["useful"],
                     not_useful=fb["not_useful"], clicks=summary["clicks"]))
    for key in ("top_topics", "top_entries"):
        if summary[key]:
            lines.append("")
            lines.append(say(lang, key))
            lines.extend(f"  {n:>5}  {name}" for name, n in summary[key])
    if summary["unanswered"]:
        lines.append("")
        lines.append(say(lang, "unanswered"))
        lines.extend(f"  {u['count']:>5}  {printable(u['question'])}" for u in summary["unanswered"])
    return "\n".join(lines)
