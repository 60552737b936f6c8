"""What the servers count: questions, answer latency, reloads, duplicates, question-log faults.

Standard library only, so the answering path (``smassist ask`` included) can count
without importing prometheus-client; ``smassist.web.server`` renders these on
``GET /metrics`` in the Prometheus text format. Counting is a dict update under a
lock: a few hundred nanoseconds, nothing to configure.

    from smassist import metrics
    metrics.QUESTIONS.inc(channel="slack", decision="answer")
    metrics.ANSWER_SECONDS.observe(0.004, channel="slack")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

LabelValues = tuple[str, ...]


class Counter:
    """A monotonically increasing count per combination of label values."""

    kind = "counter"

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...] = ()):
        self.name = name
        self.documentation = documentation
        self.labels = labels
        self._values: dict[LabelValues, float] = {}
        self._lock = threading.Lock()
        REGISTRY.append(self)

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = _key(self.labels, labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(_key(self.labels, labels), 0.0)

    def total(self) -> float:
        with self._lock:
            return sum(self._values.values())

    def samples(self) -> list[tuple[LabelValues, float]]:
        with self._lock:
            return sorted(self._values.items())


class Histogram:
    """Observations in cumulative buckets (Prometheus' histogram), per label values."""

    kind = "histogram"

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...] = (),
                 buckets: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                                               2.5, 5.0, 10.0)):
        self.name = name
        self.documentation = documentation
        self.labels = labels
        self.buckets = tuple(sorted(buckets))
        self._values: dict[LabelValues, tuple[list[int], float]] = {}
        self._lock = threading.Lock()
        REGISTRY.append(self)

    def observe(self, value: float, **labels: str) -> None:
        key = _key(self.labels, labels)
        with self._lock:
            counts, total = self._values.get(key) or ([0] * (len(self.buckets) + 1), 0.0)
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[i] += 1
                    break
            else:
                counts[-1] += 1
            self._values[key] = (counts, total + value)

    def samples(self) -> list[tuple[LabelValues, list[tuple[float, int]], float, int]]:
        """(labels, [(upper bound, cumulative count)...], sum, count) per label values."""
        out = []
        with self._lock:
            for key, (counts, total) in sorted(self._values.items()):
                cumulative, running = [], 0
                for bound, count in zip((*self.buckets, float("inf")), counts, strict=True):
                    running += count
                    cumulative.append((bound, running))
                out.append((key, cumulative, total, running))
        return out


class Gauge:
    """A value read when /metrics is scraped (a queue's depth)."""

    kind = "gauge"

    def __init__(self, name: str, documentation: str):
        self.name = name
        self.documentation = documentation
        self.labels: tuple[str, ...] = ()
        self._read: list[Callable[[], float]] = []
        REGISTRY.append(self)

    def read_from(self, read: Callable[[], float]) -> None:
        """Add a source; the gauge is the sum of its sources (one per store, say)."""
        self._read.append(read)

    def value(self) -> float:
        total = 0.0
        for read in list(self._read):
            try:
                total += float(read())
            except Exception:  # a closed store must not break /metrics
                continue
        return total


def _key(names: tuple[str, ...], labels: dict[str, str]) -> LabelValues:
    return tuple(str(labels.get(name, "")) for name in names)


REGISTRY: list[Counter | Histogram | Gauge] = []


def collected() -> Iterator[Counter | Histogram | Gauge]:
    return iter(list(REGISTRY))


QUESTIONS = Counter("smassist_questions", "Questions answered, by channel and decision "
                    "(the reply's kind: answer, clarify, decline, ...).", ("channel", "decision"))
ANSWER_SECONDS = Histogram("smassist_answer_seconds", "Time to build a reply to a question "
                           "(Assistant.ask), by channel.", ("channel",))
RELOADS = Counter("smassist_kb_reloads", "Knowledge-base reloads, by outcome "
                  "(reloaded, unchanged, failed).", ("outcome",))
DUPLICATES_DROPPED = Counter("smassist_delivery_duplicates_dropped", "Deliveries not answered "
                             "because they were already handled (platform retries), by channel.",
                             ("channel",))
STORE_ERRORS = Counter("smassist_store_errors", "Question-log writes that failed, by store and "
                       "reason (busy, missing_file, error).", ("store", "reason"))
STORE_DROPPED = Counter("smassist_question_log_dropped", "Question-log records dropped because "
                        "the writer queue was full.", ("store",))
STORE_QUEUE = Gauge("smassist_question_log_queue", "Question-log records waiting to be written.")
HTTP_REFUSED = Counter("smassist_http_refused", "HTTP requests refused before reaching a "
                       "handler's logic, by server and reason.", ("server", "reason"))
