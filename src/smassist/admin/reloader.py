"""Live reload: serve edits to ``knowledge/`` within seconds, never a broken version.

A :class:`Watcher` thread polls the knowledge files' sizes and modification
times. Once a change has settled (no further change for ``debounce`` seconds,
so an editor's several writes make one reload), :func:`reload_now` loads and
validates the whole new version aside and only then hands it to
``Assistant.swap`` — one attribute assignment, so a question in flight finishes
on the version it started with and the next one gets the new version.

A version with problems is never served: the last good one keeps answering,
every problem is logged as ``file:line: message``, and ``notify`` (a DM to the
admins in the Slack and Telegram channels) is called once per distinct set of
problems, and once more when a later edit fixes them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from smassist import metrics
from smassist.kb.files import Fingerprint, fingerprint
from smassist.texts import scoped

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant
    from smassist.kb.loader import Problem
    from smassist.kb.runtime import KnowledgeBase
    from smassist.language.engine import Engine

log = logging.getLogger(__name__)

Notify = Callable[[str], object]


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What a reload did: ``ok`` (valid; maybe unchanged) or failed with its problems."""

    ok: bool
    changed: bool
    #: Short content hash of the version served after the reload, and before it.
    version: str
    previous: str
    #: Counts of the version served (KnowledgeBase.summary()).
    summary: dict[str, int | str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    #: The files changed while they were being read; the reload will be tried again.
    unsettled: bool = False

    @property
    def report(self) -> str:
        """Every problem as ``file:line: message``, one per line."""
        return "\n".join(str(p) for p in self.problems)


_fallback_lock = threading.Lock()


def reload_now(assistant: Assistant) -> ReloadOutcome:
    """Load the knowledge base from its folder, validate it whole, and serve it if it is good.

    Never raises: problems come back in the outcome, and the current version
    keeps answering. Safe to call from any thread (reloads are serialised).
    """
    from smassist.kb import loader

    lock = getattr(assistant, "reload_lock", None) or _fallback_lock
    with lock:
        current = assistant.state.kb
        root = Path(current.root)
        before = fingerprint(root)
        try:
            # Validated straight from the files; the engine is trained in a child
            # process that writes the compiled cache (see _trained). A version
            # trained here is cached only when the files did not change meanwhile.
            kb = loader.load(root)
            engine, trained_here = None, False
            if kb.version != current.version:  # a touch, a reformatting: nothing to train
                kb, engine, trained_here = _trained(root, kb)
        except loader.KnowledgeBaseError as exc:
            problems = tuple(exc.problems)
        except Exception as exc:  # an unreadable folder, a bug: report it, keep serving
            problems = (loader.Problem(str(root), 1, f"cannot load the knowledge base: {exc}"),)
        else:
            problems = ()
        if fingerprint(root) != before:
            return ReloadOutcome(True, False, current.version[:12], current.version[:12],
                                 current.summary(), (), unsettled=True)
        if problems:
            metrics.RELOADS.inc(outcome="failed")
            log.error("knowledge base not reloaded, still serving version %s:\n%s",
                      current.version[:12], "\n".join(str(p) for p in problems))
            return ReloadOutcome(False, False, current.version[:12], current.version[:12],
                                 current.summary(), problems)
        changed = kb.version != current.version
        metrics.RELOADS.inc(outcome="reloaded" if changed else "unchanged")
        if changed and engine is not None:
            assistant.swap(kb, engine)
            log.info("knowledge base reloaded: version %s (was %s)", kb.version[:12],
                     current.version[:12])
            if trained_here:
                from smassist.language import compiled as cache

                cache.store(kb, engine)  # the next start-up reads it instead of rebuilding
        return ReloadOutcome(True, changed, kb.version[:12], current.version[:12], kb.summary())


def _trained(root: Path, kb: KnowledgeBase) -> tuple[KnowledgeBase, Engine, bool]:
    """``kb`` and its trained engine, trained in a child process when the cache can carry it.

    Training imports numpy, scipy and scikit-learn and leaves their memory behind: a
    server that trained in its own process at every edit would keep some 150 MB more
    for the rest of its life. The child writes the compiled cache, this process reads
    it. When the cache is off or the child fails, it trains here, as before. The third
    value is True when it trained here (then the caller caches the result).
    """
    from smassist.language import compiled
    from smassist.language.engine import Engine

    try:
        if compiled.fill_in_child(root):
            cached_kb, engine = compiled.load_compiled(root)
            if cached_kb.version == kb.version:  # the same files as validated above
                return cached_kb, engine, False
    except Exception:  # an unreadable cache, a broken child: train here
        log.debug("compiling in a child process failed; training here", exc_info=True)
    return kb, Engine(kb), True


#: Problems listed in one message; the rest are counted (a chat message has a size limit).
MAX_PROBLEMS_SHOWN = 15

#: ``say(lang, "reloaded", ...)`` is ``smassist.texts.text(lang, "admin.reloaded", ...)``.
say = scoped("admin")


def reload_text(outcome: ReloadOutcome, lang: str = "en", *, fixed: bool = False) -> str:
    """What the admin reads after a reload: outcome, version hash, counts, or every problem."""
    summary = outcome.summary
    counts = say(lang, "counts", **{k: summary.get(k, 0) for k in
                                      ("entries", "questions", "statistics", "studies", "articles")})
    if outcome.unsettled:
        return say(lang, "unsettled", version=outcome.version)
    if outcome.ok:
        key = "fixed" if fixed else ("reloaded" if outcome.changed else "unchanged")
        return say(lang, key, version=outcome.version, previous=outcome.previous) + "\n" + counts
    count = len(outcome.problems)
    lines = [say(lang, "failed", count=count, version=outcome.version)]
    lines.extend(str(p) for p in outcome.problems[:MAX_PROBLEMS_SHOWN])
    if count > MAX_PROBLEMS_SHOWN:
        lines.append(say(lang, "more", count=count - MAX_PROBLEMS_SHOWN))
    return "\n".join(lines)



#: The notice topic of broken knowledge-base edits (smassist.state.Notices).
NOTICE_TOPIC = "knowledge-base"


def _digest(problems: frozenset[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(sorted(problems)).encode()).hexdigest()[:32]


class Watcher:
    """Polls the knowledge folder and reloads on settled changes; see :func:`start_watcher`."""

    def __init__(self, assistant: Assistant, notify: Notify | None = None, *,
                 interval: float = 1.0, debounce: float | None = None,
                 on_reload: Callable[[ReloadOutcome], object] | None = None):
        self.assistant = assistant
        self.notify = notify
        self.on_reload = on_reload
        self.interval = interval
        self.debounce = interval / 2 if debounce is None else debounce
        self.root = Path(assistant.state.kb.root)
        self._seen: Fingerprint | None = fingerprint(self.root)
        self._pending: Fingerprint | None = None
        self._pending_since = 0.0
        self._last_error: frozenset[str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._crashed = False
        # Edited between loading and watching (or served from an older cache): catch up.
        # kb.files, not the loader: a warm start never imports YAML or pydantic (~20 MB).
        from smassist.kb.files import content_version

        try:
            if content_version(self.root) != assistant.state.kb.version:
                self._seen = None
        except OSError:
            self._seen = None

    def start(self) -> Watcher:
        self._thread = threading.Thread(target=self._run, name="smassist-kb-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
                self._crashed = False
            except Exception:  # the watcher must outlive any surprise
                if not self._crashed:
                    self._crashed = True
                    log.exception("knowledge-base watcher error; it keeps watching")

    def poll(self, now: float | None = None) -> ReloadOutcome | None:
        """One look at the files; reloads when a change has settled. The outcome, if any."""
        now = time.monotonic() if now is None else now
        current = fingerprint(self.root)
        if current == self._seen:
            self._pending = None
            return None
        if current != self._pending:
            self._pending, self._pending_since = current, now
            if self.debounce > 0:
                return None
        if now - self._pending_since < self.debounce:
            return None
        outcome = reload_now(self.assistant)
        if outcome.unsettled:
            self._pending = None  # still being written: wait for it to settle again
            return outcome
        self._seen, self._pending = current, None
        self._handle(outcome)
        return outcome

    def _handle(self, outcome: ReloadOutcome) -> None:
        # With several instances watching the same files, the one whose change of the
        # shared notice state lands tells the admins (smassist.state.Notices).
        from smassist import state

        shared = state.of(self.assistant)
        if outcome.ok:
            if self._last_error is not None:
                self._last_error = None
                if shared.notices.transition(NOTICE_TOPIC, None):
                    self._send(reload_text(outcome, fixed=True))
        else:
            errors = frozenset(str(p) for p in outcome.problems)
            if errors != self._last_error:
                self._last_error = errors
                if shared.notices.transition(NOTICE_TOPIC, _digest(errors)):
                    self._send(reload_text(outcome))
        shared.on_reload(outcome)
        if self.on_reload is not None:
            try:
                self.on_reload(outcome)
            except Exception:
                log.exception("reload callback failed")

    def _send(self, text: str) -> None:
        if self.notify is None:
            return
        try:
            self.notify(text)
        except Exception as exc:  # a platform error must not stop the watcher
            log.warning("cannot notify the admins: %s", type(exc).__name__)


def start_watcher(assistant: Assistant, notify: Notify | None = None, interval: float = 1.0,
                  *, debounce: float | None = None,
                  on_reload: Callable[[ReloadOutcome], object] | None = None) -> Watcher:
    """Watch ``assistant``'s knowledge folder from a daemon thread; ``.stop()`` ends it.

    ``notify(text)`` is told about a broken edit once per distinct set of
    problems (and when it is fixed); ``on_reload(outcome)`` hears every reload.
    """
    return Watcher(assistant, notify, interval=interval, debounce=debounce,
                   on_reload=on_reload).start()
