"""Summaries of a knowledge base for `smassist kb check`."""

from __future__ import annotations

from smassist.knowledge import LANGS, KnowledgeBase


def check_summary(kb: KnowledgeBase) -> str:
    """Entries, example questions and statistics per topic and language."""
    rows = []
    for topic in kb.topics.values():
        entries = kb.entries_by_topic(topic.id)
        questions = {lang: sum(len(e.questions[lang]) for e in entries) for lang in LANGS}
        stats = len(kb.statistics_by_topic(topic.id))
        rows.append((topic.id, len(entries), questions["fr"], questions["en"], stats))
    width = max(len(r[0]) for r in rows) if rows else 5
    lines = [f"{'topic':<{width}}  entries  questions fr  questions en  statistics"]
    lines.extend(f"{t:<{width}}  {e:>7}  {fr:>12}  {en:>12}  {s:>10}" for t, e, fr, en, s in rows)
    summary = kb.summary()
    lines.append(
        f"OK: {summary['entries']} entries, {summary['questions']} example questions, "
        f"{summary['statistics']} statistics from {summary['studies']} studies in "
        f"{summary['articles']} articles, {summary['topics']} topics "
        f"(version {summary['version']})."
    )
    empty = [r[0] for r in rows if r[1] == 0]
    if empty:
        lines.append(f"Topics without entries: {', '.join(empty)}.")
    return "\n".join(lines)
