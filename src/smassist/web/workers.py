"""Threads that answer beside an event loop: a daemon pool, and one turn to compute.

Standard library only (Socket Mode and the tests use it without aiohttp).

Why a turn: CPython runs one thread's bytecode at a time (the GIL). When sixteen
answering threads are all computing, the event loop that acknowledges requests
waits for the interpreter behind them, up to the switch interval (5 ms) behind
each, several times per request: with 50 concurrent Slack clients the ack p99
was 300 ms, although an ack costs well under a millisecond. Threads waiting on
the network do not compete, so what matters is how many *compute* at once.
:class:`Turnstile` lets one of them compute at a time; a thread gives its turn
back while it waits for the Web API (:meth:`Turnstile.waiting`), and a turn
held longer than ``overtake`` seconds (a call that hangs, a lock) is taken over
by the next thread, so nothing can stall the others for longer than that.
Threads that need no turn (the loop, the question-log writer) never wait for one.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

#: A turn held this long is presumed to be waiting (network, lock), not computing.
OVERTAKE_SECONDS = 0.05
#: A turn is given only once no request has arrived for this long (acknowledging comes first)...
QUIET_SECONDS = 0.003
#: ...or once the thread has waited this long for it (answers are deferred, never starved).
MAX_DEFER_SECONDS = 1.0


class Turnstile:
    """At most one thread computes at a time, and not while requests are arriving.

    See the module's docstring. Waiting threads queue on a plain lock (no
    polling, no herd of wake-ups competing with the loop); only the first in line
    watches the clock.
    """

    def __init__(self, overtake: float = OVERTAKE_SECONDS, quiet: float = QUIET_SECONDS,
                 max_defer: float = MAX_DEFER_SECONDS):
        self.overtake = overtake
        self.quiet = quiet
        self.max_defer = max_defer
        self._line = threading.Lock()  # held by the first thread in line
        self._cond = threading.Condition()
        self._holder: int | None = None  # the thread id holding the turn
        self._since = 0.0
        self._last_request = float("-inf")
        #: Turns taken over from a holder that kept it past ``overtake``.
        self.overtaken = 0

    def request_seen(self) -> None:
        """Called by the event loop for each request: turns wait until requests stop for a moment."""
        self._last_request = time.monotonic()

    def _acquire(self) -> None:
        me = threading.get_ident()
        if self._holder == me:
            return
        started = time.monotonic()
        with self._line, self._cond:
            while True:
                now = time.monotonic()
                if self._holder is None:
                    busy = self._last_request + self.quiet - now
                    if busy <= 0 or now - started >= self.max_defer:
                        break
                    self._cond.wait(min(busy, self.max_defer - (now - started)))
                else:
                    left = self._since + self.overtake - now
                    if left <= 0:
                        self.overtaken += 1
                        break
                    self._cond.wait(left)
            self._holder = me
            self._since = time.monotonic()

    def _release(self) -> None:
        with self._cond:
            if self._holder == threading.get_ident():
                self._holder = None
                self._cond.notify()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Compute inside this block only when it is this thread's turn."""
        self._acquire()
        try:
            yield
        finally:
            self._release()

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Give the turn back while this block waits (a Web API call), take it again after.

        A no-op for a thread that holds no turn (or has been overtaken).
        """
        with self._cond:
            held = self._holder == threading.get_ident()
        if not held:
            yield
            return
        self._release()
        try:
            yield
        finally:
            self._acquire()


#: The turn every answering pool of this process shares (one GIL, one turn).
ANSWERING = Turnstile()


class DaemonExecutor(Executor):
    """A fixed pool of daemon threads: work still stuck at exit does not keep the process alive.

    ``ThreadPoolExecutor``'s threads are joined when the interpreter exits, so one
    Web API call hanging on a dead connection keeps a stopped server alive for
    its whole timeout; these are not. :meth:`wait_idle` lets a graceful stop give
    work in flight its grace period first. With a ``turnstile``, each job runs
    inside its turn (many threads, so that hung calls do not block the others;
    one computing at a time, so that the event loop is not starved).
    """

    def __init__(self, max_workers: int, name: str, turnstile: Turnstile | None = None):
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple, dict] | None] = queue.SimpleQueue()
        self._max_workers = max_workers
        self._name = name
        self._turnstile = turnstile
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._pending += 1
            if len(self._threads) < self._max_workers and self._pending > len(self._threads) - self._busy:
                thread = threading.Thread(target=self._work, daemon=True,
                                          name=f"{self._name}-{len(self._threads)}")
                self._threads.append(thread)
                thread.start()
        self._queue.put((future, fn, args, kwargs))
        return future

    def _work(self) -> None:
        turn = self._turnstile.turn if self._turnstile is not None else contextlib.nullcontext
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            with self._lock:
                self._busy += 1
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        with turn():
                            result = fn(*args, **kwargs)
                        future.set_result(result)
                    except BaseException as exc:
                        future.set_exception(exc)
            finally:
                with self._lock:
                    self._busy -= 1
                    self._pending -= 1
                    if self._pending == 0:
                        self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._pending

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no work is queued or running, at most ``timeout`` seconds; True if idle."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join(timeout=0.1)
