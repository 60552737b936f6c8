"""Per-conversation context, and the short follow-ups that refer to it.

"source ?", "sources", "plus de détails", "tell me more" are about the last
answer in the same conversation; "2" picks the second "did you mean" choice.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from smassist.language.normalize import fold

# How people ask for an evolution is the trends layer's; kept importable from here.
from smassist.trends.phrases import TREND_PATTERNS as TREND_PATTERNS
from smassist.trends.phrases import asks_for_trend as asks_for_trend
from smassist.trends.phrases import text_fold as text_fold
from smassist.trends.phrases import trend_pattern as trend_pattern

_FOLLOW_UPS = {
    "sources": (
        r"sources?", r"(?:la |les |tes |vos |quelles? )?sources?(?: stp| svp| please)?",
        r"d ?ou (?:vien(?:nen)?t|sort(?:ent)?) (?:ce|ces|le|les|tes|vos) (?:chiffres?|stats?|statistiques?|infos?)",
        r"(?:what(?:s| is| are)? )?(?:the |your )?sources?", r"where (?:does|do) (?:this|that|these|the) (?:figures?|numbers?|stats?|data) come from",
        r"(?:c est )?quoi (?:la|les|tes|vos) sources?", r"references?", r"ref(?:s)?", r"citations?",
        r"which stud(?:y|ies)", r"quelles? etudes?",
    ),
    "details": (
        r"(?:plus de |encore des? )?details?", r"(?:dis|dites)[- ]?m(?:oi|en) plus", r"en savoir plus",
        r"tell me more", r"more(?: details| info(?:rmation)?)?", r"(?:can you )?elaborate", r"developpe[sz]?",
        r"et (?:encore|apres) ?", r"go on", r"(?:plus d )?infos?",
    ),
    "help": (r"help", r"aide", r"\?+", r"menu", r"que sais[- ]tu faire", r"what can you do"),
}
_PATTERNS = {
    kind: re.compile(r"^(?:" + "|".join(patterns) + r")$") for kind, patterns in _FOLLOW_UPS.items()
}


def follow_up_kind(text: str) -> str | None:
    """'sources', 'details' or 'help' when the whole message is such a follow-up."""
    folded = " ".join(re.findall(r"[a-z0-9?]+", fold(text).replace("'", " ")))
    folded = re.sub(r"\s*\?+$", "", folded).strip() or folded.strip()
    for kind, pattern in _PATTERNS.items():
        if pattern.match(folded):
            return kind
    return None


def choice_number(text: str) -> int | None:
    """1, 2 or 3 when the whole message picks a numbered choice."""
    match = re.fullmatch(r"\s*#?([1-9])\s*[.)]?\s*", text)
    return int(match.group(1)) if match else None


@dataclass(slots=True)
class Context:
    entry: str | None = None
    lang: str | None = None
    choices: tuple[str, ...] = ()
    updated: float = 0.0
    #: What of the last entry was already shown ('answer', 'figures', 'quotes', 'opening:reason'...),
    #: so that "plus de détails" never repeats it.
    shown: tuple[str, ...] = ()


class ConversationStore:
    """The last answer per conversation key, in memory, bounded, thread-safe."""

    def __init__(self, capacity: int = 10_000, ttl_seconds: float = 24 * 3600):
        self.capacity = capacity
        self.ttl = ttl_seconds
        self._items: OrderedDict[str, Context] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str | None) -> Context:
        if key is None:
            return Context()
        with self._lock:
            context = self._items.get(key)
            if context is None or time.monotonic() - context.updated > self.ttl:
                return Context()
            self._items.move_to_end(key)
            return Context(context.entry, context.lang, context.choices, context.updated,
                           context.shown)

    def remember(self, key: str | None, entry: str | None = None, lang: str | None = None,
                 choices: tuple[str, ...] = (), shown: tuple[str, ...] | None = None) -> None:
        """Keep the last entry (unless None), language and choices; ``shown`` replaces what was
        shown of the entry (kept when None and the entry is the same)."""
        if key is None:
            return
        with self._lock:
            previous = self._items.get(key)
            kept_entry = entry if entry is not None else (previous.entry if previous else None)
            if shown is None:
                shown = previous.shown if previous and previous.entry == kept_entry else ()
            self._items[key] = Context(kept_entry, lang, choices, time.monotonic(), shown)
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
