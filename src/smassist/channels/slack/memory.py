"""Small bounded, thread-safe memories the Slack door keeps between requests."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """The last ``capacity`` values by key, each forgotten after ``ttl`` seconds."""

    def __init__(self, capacity: int = 10_000, ttl: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self.ttl = ttl
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if self._clock() - item[0] > self.ttl:
                del self._items[key]
                return None
            return item[1]

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def add_if_new(self, key: str, value: V) -> bool:
        """Remember ``key`` and say True, or say False when it is already remembered."""
        with self._lock:
            item = self._items.get(key)
            if item is not None and self._clock() - item[0] <= self.ttl:
                return False
            self._items[key] = (self._clock(), value)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
            return True
