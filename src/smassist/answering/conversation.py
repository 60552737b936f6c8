"""Per-conversation context: the last answer, its language and pending choices, in memory.

The messages that refer to it ("source ?", "2") are recognised in
:mod:`smassist.answering.followups`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Protocol

# The short messages that refer to the context are answering/followups.py's, and how
# people ask for an evolution the trends layer's; both kept importable from here.
from smassist.answering.followups import choice_number as choice_number
from smassist.answering.followups import follow_up_kind as follow_up_kind
from smassist.records import record
from smassist.trends.phrases import TREND_PATTERNS as TREND_PATTERNS
from smassist.trends.phrases import asks_for_trend as asks_for_trend
from smassist.trends.phrases import text_fold as text_fold
from smassist.trends.phrases import trend_pattern as trend_pattern


@record(frozen=False)
class Context:
    entry: str | None = None
    lang: str | None = None
    choices: tuple[str, ...] = ()
    updated: float = 0.0
    #: What of the last entry was already shown ('answer', 'figures', 'quotes', 'opening:reason'...),
    #: so that "plus de détails" never repeats it.
    shown: tuple[str, ...] = ()


class Conversations(Protocol):
    """Where the context of each conversation is kept (in memory, or shared: smassist.state)."""

    def get(self, key: str | None) -> Context: ...

    def remember(self, key: str | None, entry: str | None = None, lang: str | None = None,
                 choices: tuple[str, ...] = (), shown: tuple[str, ...] | None = None) -> None: ...

    def turn(self, key: str | None) -> contextlib.AbstractContextManager[None]:
        """Hold the conversation for one question and its answer: turns of one conversation
        run one at a time (across instances when shared); re-entrant in one thread."""
        ...


class ConversationStore:
    """The last answer per conversation key, in memory, bounded, thread-safe."""

    def __init__(self, capacity: int = 10_000, ttl_seconds: float = 24 * 3600):
        self.capacity = capacity
        self.ttl = ttl_seconds
        self._items: OrderedDict[str, Context] = OrderedDict()
        self._lock = threading.Lock()
        self._turns: dict[str, list] = {}  # key -> [RLock, holders]

    @contextlib.contextmanager
    def turn(self, key: str | None) -> Iterator[None]:
        """One question at a time per conversation key (in this process)."""
        if key is None:
            yield
            return
        with self._lock:
            slot = self._turns.setdefault(key, [threading.RLock(), 0])
            slot[1] += 1
        try:
            with slot[0]:
                yield
        finally:
            with self._lock:
                slot[1] -= 1
                if slot[1] == 0:
                    self._turns.pop(key, None)

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
