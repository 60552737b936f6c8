"""Short codes for inline-button ``callback_data`` (Telegram accepts 1 to 64 bytes).

A button says what to do and on what: ``<action>:<field>:<field>``. Entries and
topics are named by their id when it fits; otherwise by ``~<version><index>``,
an index into the sorted ids of the knowledge-base version that drew the button,
so a button drawn before a reload is recognised as outdated rather than
answering the wrong entry.

Actions:
    ``e:<reply>:<entry>``   answer an entry (follow-up, "did you mean", example)
    ``o:<reply>:<entry>``   sources of the entry a reply answered
    ``t:<topic>``           the questions of a topic
    ``s:<topic>``           the figures of a topic (``s:`` alone: pick a topic)
    ``f:<reply>:1|0``       feedback: useful or not
"""

from __future__ import annotations

from dataclasses import dataclass

from smassist.kb.runtime import KnowledgeBase

MAX_BYTES = 64
_VERSION_CHARS = 6

ANSWER = "e"
SOURCES = "o"
TOPIC = "t"
STATS = "s"
FEEDBACK = "f"


@dataclass(frozen=True, slots=True)
class Callback:
    """A decoded button press."""

    action: str
    reply_id: str = ""
    target: str = ""  # an entry id, a topic id, or "1"/"0" for feedback


def _fits(data: str) -> bool:
    return 0 < len(data.encode("utf-8")) <= MAX_BYTES


def _ref(prefix: str, ident: str, ids: list[str], kb: KnowledgeBase) -> str:
    data = prefix + ident
    if _fits(data):
        return data
    return f"{prefix}~{kb.version[:_VERSION_CHARS]}{ids.index(ident):x}"


def _resolve(ref: str, ids: list[str], kb: KnowledgeBase) -> str | None:
    if not ref.startswith("~"):
        return ref if ref in ids else None
    version, index = ref[1:1 + _VERSION_CHARS], ref[1 + _VERSION_CHARS:]
    if version != kb.version[:_VERSION_CHARS]:
        return None
    try:
        position = int(index, 16)
    except ValueError:
        return None
    return ids[position] if 0 <= position < len(ids) else None


def entry_button(action: str, kb: KnowledgeBase, entry_id: str, reply_id: str = "") -> str:
    """Data of a button acting on an entry (``action`` is ANSWER or SOURCES)."""
    return _ref(f"{action}:{reply_id}:", entry_id, sorted(kb.entries), kb)


def topic_button(action: str, kb: KnowledgeBase, topic_id: str) -> str:
    """Data of a button acting on a topic (``action`` is TOPIC or STATS)."""
    return _ref(f"{action}:", topic_id, sorted(kb.topics), kb)


def feedback_button(reply_id: str, useful: bool) -> str:
    return f"{FEEDBACK}:{reply_id}:{int(useful)}"


def decode(data: str | None, kb: KnowledgeBase) -> Callback | None:
    """The press a button's data stands for; None when unknown or drawn by an older version."""
    if not data:
        return None
    action, _, rest = data.partition(":")
    if action in (ANSWER, SOURCES):
        reply_id, sep, ref = rest.partition(":")
        entry = _resolve(ref, sorted(kb.entries), kb) if sep else None
        return Callback(action, reply_id, entry) if entry else None
    if action in (TOPIC, STATS):
        if action == STATS and rest == "":
            return Callback(STATS)
        topic = _resolve(rest, sorted(kb.topics), kb)
        return Callback(action, "", topic) if topic else None
    if action == FEEDBACK:
        reply_id, _, useful = rest.partition(":")
        return Callback(FEEDBACK, reply_id, useful) if reply_id and useful in ("0", "1") else None
    return None
