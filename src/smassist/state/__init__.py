"""State that several instances of smassist must share, behind small protocols.

One process (the default, zero configuration) keeps everything in memory (the
``Memory…`` classes below). With ``SMASSIST_DB=postgresql://…`` every instance
keeps it in one PostgreSQL database instead: :mod:`smassist.state.postgres`.
:func:`smassist.state.factory.open_state` is the one place that chooses;
``serve`` installs the result on its assistant, and the rest finds it with
:func:`of`: the assistant and the channels only ever see the protocols.

- :class:`Deliveries`: was this Slack event / Telegram update already taken
  by some instance? (platforms retry, and a retry may land on another host)
- :class:`smassist.answering.conversation.Conversations`: the last answer, language and
  pending choices per conversation, one turn at a time per conversation.
- :class:`Notices`: the admins are told of a broken edit once, whichever
  instance saw it first, and once when it is fixed.
- :class:`Versions`: which knowledge-base version each instance serves;
  ``/reload`` on one makes every instance reload.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from smassist.answering.conversation import ConversationStore

if TYPE_CHECKING:
    from smassist.admin.reloader import ReloadOutcome
    from smassist.admin.store import QuestionStore
    from smassist.answering.assistant import Assistant
    from smassist.answering.conversation import Conversations
    from smassist.settings import Settings


class Deliveries(Protocol):
    """Claims on incoming deliveries, so that each is handled by one instance only."""

    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed (within a few hours), False afterwards."""
        ...


class Notices(Protocol):
    """The shared state behind a notice: the instance that changes it sends the notice."""

    def transition(self, topic: str, state: str | None) -> bool:
        """Set ``topic``'s state; True when this call changed it (this instance notifies)."""
        ...


@dataclass(frozen=True, slots=True)
class InstanceVersion:
    """One instance and the knowledge-base version it serves."""

    instance: str
    version: str
    seen_at: datetime | None = None
    #: It has answered the reload request asked about (or no request was asked about).
    answered: bool = True
    current: bool = False


class Versions(Protocol):
    """What each instance serves, and reload requests to all of them."""

    instance: str

    def serving(self, version: str, request: str | None = None) -> None:
        """Record the version this instance serves (after answering ``request``, if any)."""
        ...

    def request_reload(self) -> str:
        """Ask every other instance to reload now; the request's id."""
        ...

    def listen(self, on_request: Callable[[str], object]) -> None:
        """Call ``on_request(request_id)`` (from a thread) when another instance asks for a reload."""
        ...

    def instances(self, request: str | None = None, wait: float = 0.0) -> list[InstanceVersion]:
        """The live instances and their versions; waits up to ``wait`` s for ``request``'s answers."""
        ...

    def close(self) -> None: ...


class Health(Protocol):
    def ping(self) -> bool:
        """True when the shared state is reachable (what ``/readyz`` checks)."""
        ...


def instance_name(settings: Settings | None = None) -> str:
    """``SMASSIST_INSTANCE``, else ``host:pid``: how this process is named in /reload."""
    configured = settings.instance if settings is not None else ""
    return configured or f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class SharedState:
    """Everything an instance shares with the others (or keeps for itself when alone)."""

    deliveries: Deliveries
    conversations: Conversations
    notices: Notices
    versions: Versions
    store: QuestionStore | None
    #: 'memory' or 'postgresql'.
    kind: str = "memory"
    health: Health | None = None
    _closers: list[Callable[[], object]] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return self.kind != "memory"

    def ready(self) -> bool:
        """The database is reachable (always True in memory)."""
        return self.health.ping() if self.health is not None else True

    def install(self, assistant: Assistant,
                reload: Callable[[Assistant], ReloadOutcome] | None = None) -> None:
        """Give ``assistant`` this state's conversations and question log, record its version,
        and ``reload`` it whenever another instance asks to. :func:`of` finds it from then on."""
        assistant.conversations = self.conversations
        assistant.recorder = self.store
        with _INSTALLED_LOCK:
            _INSTALLED[assistant] = self
        self.versions.serving(assistant.kb.version[:12])

        if reload is None:
            return

        def on_request(request: str) -> None:
            outcome = reload(assistant)
            self.versions.serving(outcome.version, request)

        self.versions.listen(on_request)

    def on_reload(self, outcome: ReloadOutcome) -> None:
        """A watcher's reload: record the version served."""
        self.versions.serving(outcome.version)

    def close(self) -> None:
        self.versions.close()
        if self.store is not None:
            self.store.close()
        for closer in reversed(self._closers):
            closer()


_INSTALLED: weakref.WeakKeyDictionary[Assistant, SharedState] = weakref.WeakKeyDictionary()
_INSTALLED_LOCK = threading.Lock()


def of(assistant: Assistant) -> SharedState:
    """The shared state installed on ``assistant``; an in-memory one (around its own
    conversations and question log) when none was."""
    with _INSTALLED_LOCK:
        found = _INSTALLED.get(assistant)
        if found is None:
            found = memory_state(assistant.recorder, assistant.conversations)  # type: ignore[arg-type]
            _INSTALLED[assistant] = found
        return found


class StateConfigError(Exception):
    """The configuration cannot work (missing extra, missing SMASSIST_LOG_KEY…); a clear message."""


# --- one process: in memory (the default) ---------------------------------------------

#: How long a delivery claim is remembered (Slack retries within minutes, Telegram within hours).
DELIVERY_TTL_SECONDS = 6 * 3600


class MemoryDeliveries:
    """Delivery claims in a bounded dict; each forgotten after ``ttl`` seconds."""

    def __init__(self, capacity: int = 50_000, ttl: float = DELIVERY_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self.ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            at = self._seen.get(key)
            if at is not None and now - at <= self.ttl:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)
            return True


class MemoryNotices:
    """Each topic's state in a dict."""

    def __init__(self) -> None:
        self._states: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def transition(self, topic: str, state: str | None) -> bool:
        with self._lock:
            if self._states.get(topic) == state:
                return False
            self._states[topic] = state
            return True


class MemoryVersions:
    """A single instance: itself."""

    def __init__(self, instance: str | None = None):
        self.instance = instance or instance_name()
        self._version = ""

    def serving(self, version: str, request: str | None = None) -> None:
        self._version = version

    def request_reload(self) -> str:
        return uuid.uuid4().hex

    def listen(self, on_request: Callable[[str], object]) -> None:
        return None

    def instances(self, request: str | None = None, wait: float = 0.0) -> list[InstanceVersion]:
        return [InstanceVersion(self.instance, self._version, current=True)]

    def close(self) -> None:
        return None


def memory_state(store: QuestionStore | None,
                 conversations: Conversations | None = None) -> SharedState:
    return SharedState(MemoryDeliveries(), conversations or ConversationStore(), MemoryNotices(),
                       MemoryVersions(), store, kind="memory")
