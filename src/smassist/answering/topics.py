"""Which topic a few typed words name ("charte", "Social selling", "roi"): for commands such as /stats."""

from __future__ import annotations

from smassist.kb.runtime import KnowledgeBase
from smassist.language.normalize import fold


def find_topic(kb: KnowledgeBase, wanted: str) -> str | None:
    """A topic named by its id or title in either language (case and accents aside),
    or by the start of a word of one when that names a single topic ("charte", "invest")."""
    key = " ".join(fold(wanted).replace("-", " ").split())
    if not key:
        return None
    names = {
        topic_id: {" ".join(fold(n).replace("-", " ").split())
                   for n in (topic_id, *topic.title.values())}
        for topic_id, topic in kb.topics.items()
    }
    exact = [topic_id for topic_id, folded in names.items() if key in folded]
    if exact:
        return exact[0]
    partial = [topic_id for topic_id, folded in names.items()
               if any(f" {key}" in f" {name}" for name in folded)]
    return partial[0] if len(partial) == 1 else None
