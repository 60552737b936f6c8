"""The one HTTP front every smassist server runs on (aiohttp).

:class:`Front` is an aiohttp application with what a server facing the internet
needs, set once for all of them (Slack events, the Telegram webhook, the admin
console):

- a request size limit (``client_max_size``; a larger ``Content-Length`` is
  refused with 413 before a byte of the body is read);
- an idle timeout that also bounds how long a client may take to send its
  headers (aiohttp's keep-alive timer runs until a request is complete), and a
  body read timeout (:func:`read_body`), so slow clients hold a socket, never a
  thread, and not for long;
- a real listen backlog (1024 rather than Python's 5);
- graceful shutdown on SIGTERM/SIGINT: stop accepting, let requests in flight
  finish, run the stop hooks, all within a bounded grace period; a second signal,
  or work still stuck after it, ends the process at once;
- JSON error bodies (``{"error": "..."}``) that never carry a traceback, and one
  access line per request (method, path, status, reason of a refusal, time, size,
  peer), never a body;
- ``GET /healthz`` (alive), ``GET /readyz`` (every readiness check passes; the
  caller adds "knowledge base loaded", the database helper its ping) and
  ``GET /metrics`` (Prometheus text, from :mod:`smassist.metrics`).

Handlers refuse a request by raising :class:`Refused`; the refusal is counted in
``smassist_http_refused`` and logged on the access line with its reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from smassist import metrics

logger = logging.getLogger("smassist.http")
access_logger = logging.getLogger("smassist.http.access")

#: A readiness check: None (or "") when ready, else why not. Sync checks run in a thread.
Check = Callable[[], "str | Awaitable[str | None] | None"]
Hook = Callable[[], "Awaitable[None] | None"]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one client may cost the server."""

    #: Largest request body, bytes (Slack's payloads are far below; Telegram's too).
    max_body: int = 1_000_000
    #: Time allowed to receive a whole body once its headers have arrived.
    read_timeout: float = 10.0
    #: An idle keep-alive connection, or one still sending its headers, is closed after this.
    idle_timeout: float = 15.0
    #: Connections the kernel queues before ``accept``.
    backlog: int = 1024
    #: On SIGTERM: time for requests in flight and the stop hooks, in all.
    grace: float = 8.0
    #: Time a readiness check may take before it counts as failed.
    check_timeout: float = 2.0


class Refused(Exception):
    """Raise in a handler to answer ``status`` with ``{"error": reason}``, logged in one line."""

    def __init__(self, status: int, reason: str, *, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers or {}


def json_error(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": reason}, status=status, headers=headers)


async def read_body(request: web.Request, timeout: float | None = None) -> bytes:
    """The request body, within the front's size limit and read timeout, else :class:`Refused`."""
    limits: Limits = request.app[LIMITS_KEY]
    try:
        async with asyncio.timeout(limits.read_timeout if timeout is None else timeout):
            return await request.read()
    except TimeoutError:
        raise Refused(408, "body not received in time", headers={"Connection": "close"}) from None
    except web.HTTPRequestEntityTooLarge:
        raise Refused(413, "request too large", headers={"Connection": "close"}) from None
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        raise Refused(400, "connection closed while sending the body") from None
    except web.HTTPException as exc:  # aiohttp's own refusal of a malformed body (chunking)
        raise Refused(exc.status, exc.reason or "bad request") from None


LIMITS_KEY: web.AppKey[Limits] = web.AppKey("smassist_limits", Limits)
FRONT_KEY: web.AppKey[Any] = web.AppKey("smassist_front", object)
_REFUSAL: Any = (web.RequestKey("smassist_refusal", str) if hasattr(web, "RequestKey")
                 else "smassist_refusal")


_NOT_READY = "not ready"


class _AccessLog(AbstractAccessLogger):
    """One line per request, never its body: ``POST /slack/events 401 (bad signature) 0.3ms 812B 127.0.0.1``."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        refusal = request.get(_REFUSAL)
        # A 503 from /readyz is an answer, not a server error: a prober asks every few
        # seconds, and what is not ready has said so once already (outage warnings).
        level = (logging.INFO if response.status < 500 or refusal == _NOT_READY
                 else logging.ERROR)
        if not self.logger.isEnabledFor(level):
            return
        self.logger.log(
            level, "%s %s %s%s %.1fms %sB %s", request.method, request.path, response.status,
            f" ({refusal})" if refusal else "", time * 1000.0,
            request.content_length if request.content_length is not None else "-",
            request.remote or "-")

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO) or self.logger.isEnabledFor(logging.ERROR)


class Front:
    """An aiohttp application with limits, health endpoints and a graceful stop.

    ``front.app`` is the aiohttp application: add routes to it. ``front.run()``
    serves until SIGTERM/SIGINT; ``await front.start()`` / ``await front.stop()``
    do the same inside a running loop (tests, a caller with its own loop).
    """

    def __init__(self, name: str, host: str = "127.0.0.1", port: int = 8080, *,
                 limits: Limits | None = None):
        self.name = name
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        self.app = web.Application(client_max_size=self.limits.max_body,
                                   middlewares=[self._guard], handler_args=None)
        self.app[LIMITS_KEY] = self.limits
        self.app[FRONT_KEY] = self
        self.app.router.add_get("/healthz", self._healthz)
        self.app.router.add_get("/health", self._healthz)  # the name the first Slack server used
        self.app.router.add_get("/readyz", self._readyz)
        self.app.router.add_get("/metrics", self._metrics)
        self._checks: list[tuple[str, Check]] = []
        self._start_hooks: list[Hook] = []
        self._stop_hooks: list[Hook] = []
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.bound: tuple[str, int] | None = None
        self._deadline: float | None = None

    # --- what callers plug in ---------------------------------------------------

    def add_readiness(self, name: str, check: Check) -> None:
        """``check()`` returns None when ready, else a short reason; shown on /readyz."""
        self._checks.append((name, check))

    def on_start(self, hook: Hook) -> None:
        """Run ``hook`` once the socket is listening (start a bot, a watcher)."""
        self._start_hooks.append(hook)

    def on_stop(self, hook: Hook) -> None:
        """Run ``hook`` at shutdown, after HTTP requests in flight have finished, within the grace period."""
        self._stop_hooks.append(hook)

    def alongside(self, other: Front) -> None:
        """Serve ``other`` too (its own port: health endpoints for a prober), started once this
        one listens and stopped with it."""

        async def start() -> None:
            host, port = await other.start()
            logger.info("%s: /healthz, /readyz and /metrics also on http://%s:%s", self.name, host, port)

        self.on_start(start)
        self.on_stop(other.stop)

    def remaining(self) -> float:
        """Seconds left of the grace period once stopping (the whole period before)."""
        if self._deadline is None:
            return self.limits.grace
        return max(0.0, self._deadline - time.monotonic())

    @property
    def url(self) -> str:
        host, port = self.bound or (self.host, self.port)
        return f"http://{host}:{port}"

    # --- running -------------------------------------------------------------------

    async def start(self) -> tuple[str, int]:
        """Listen; the (host, port) actually bound (port 0 picks a free one)."""
        self._runner = web.AppRunner(
            self.app, access_log_class=_AccessLog, access_log=access_logger,
            keepalive_timeout=self.limits.idle_timeout, shutdown_timeout=self.limits.grace,
            handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port, backlog=self.limits.backlog,
                                 reuse_address=True)
        try:
            await self._site.start()
        except BaseException:
            await self._runner.cleanup()
            raise
        server = self._site._server  # the asyncio Server: the one place the bound port is known
        sockets = getattr(server, "sockets", None) or ()
        self.bound = sockets[0].getsockname()[:2] if sockets else (self.host, self.port)
        for hook in self._start_hooks:
            await _call(hook)
        return self.bound

    async def stop(self) -> None:
        """Stop accepting, finish requests in flight, run the stop hooks: all within ``grace``."""
        deadline = self._deadline = time.monotonic() + self.limits.grace
        if self._runner is not None:
            try:
                await asyncio.wait_for(self._runner.cleanup(), max(0.1, self.limits.grace))
            except TimeoutError:
                logger.warning("%s: requests still in flight after %.0fs; closing them",
                               self.name, self.limits.grace)
            self._runner = None
        for hook in self._stop_hooks:
            left = deadline - time.monotonic()
            try:
                await asyncio.wait_for(_call(hook), max(0.2, left))
            except TimeoutError:
                logger.warning("%s: a stop step did not finish within the grace period (%.0fs); "
                               "going on without it", self.name, self.limits.grace)
            except Exception as exc:
                logger.warning("%s: a stop step failed: %s: %s", self.name, type(exc).__name__, exc)

    def start_in_thread(self, timeout: float = 10.0) -> str:
        """Serve from a background thread with its own loop (tests, benchmarks); the base URL."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._thread_loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            _cancel_tasks(loop)
            loop.close()

        self._thread = threading.Thread(target=serve, name=f"{self.name}-front", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError(f"{self.name} did not start within {timeout}s")
        if failure:
            raise failure[0]
        return self.url

    def stop_thread(self, timeout: float | None = None) -> None:
        """Stop what :meth:`start_in_thread` started (graceful, within the grace period)."""
        loop = self._thread_loop
        future = asyncio.run_coroutine_threadsafe(self.stop(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout if timeout is not None else self.limits.grace + 2)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=5)

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT; 0 after a graceful stop.

        The loop is run by hand rather than with ``asyncio.run``: that one waits,
        without a limit, for threads still busy in the default executor (a hung
        Web API call), and the grace period would mean nothing.
        """
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            return loop.run_until_complete(self._serve_until_signalled(loop))
        finally:
            _cancel_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    async def _serve_until_signalled(self, loop: asyncio.AbstractEventLoop) -> int:
        stopping = asyncio.Event()
        signals = 0

        def on_signal(signum: int) -> None:
            nonlocal signals
            signals += 1
            if signals == 1:
                logger.info("%s: %s received; stopping (at most %.0fs)", self.name,
                            signal.Signals(signum).name, self.limits.grace)
                stopping.set()
            else:
                logger.warning("%s: second signal; exiting now", self.name)
                exit_now(1)

        installed = []
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, on_signal, signum)
                installed.append(signum)
        try:
            host, port = await self.start()
            logger.info("%s listening on http://%s:%s", self.name, host, port)
            await stopping.wait()
            await self.stop()
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
        return 0

    # --- the middleware and the built-in endpoints -----------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        length = request.content_length
        try:
            if length is not None and length > self.limits.max_body:
                raise Refused(413, "request too large", headers={"Connection": "close"})
            return await handler(request)
        except Refused as refused:
            request[_REFUSAL] = refused.reason
            metrics.HTTP_REFUSED.inc(server=self.name, reason=refused.reason)
            return json_error(refused.status, refused.reason, refused.headers)
        except web.HTTPException as exc:  # routing: 404, 405; aiohttp's own 413
            if exc.status >= 400:
                request[_REFUSAL] = exc.reason
                return json_error(exc.status, exc.reason, {"Allow": exc.headers["Allow"]}
                                  if "Allow" in exc.headers else None)
            raise
        except Exception as exc:  # a bug: log it with its traceback, tell the client nothing
            request[_REFUSAL] = f"internal error: {type(exc).__name__}"
            logger.exception("%s: unexpected error on %s %s", self.name, request.method,
                             request.path)
            return json_error(500, "internal error")

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive", "server": self.name})

    async def _readyz(self, request: web.Request) -> web.Response:
        results = await asyncio.gather(*(self._check(c) for _, c in self._checks))
        checks = {name: (reason or "ok") for (name, _), reason in zip(self._checks, results, strict=True)}
        ready = not any(results)
        if not ready:
            request[_REFUSAL] = _NOT_READY
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    async def _check(self, check: Check) -> str | None:
        try:
            async with asyncio.timeout(self.limits.check_timeout):
                if inspect.iscoroutinefunction(check):
                    return await check()  # type: ignore[misc]
                result = await asyncio.to_thread(check)
                if inspect.isawaitable(result):
                    return await result
                return result  # type: ignore[return-value]
        except TimeoutError:
            return f"no answer within {self.limits.check_timeout:.0f}s"
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc)[:200]}"

    async def _metrics(self, request: web.Request) -> web.Response:
        body, content_type = render_metrics()
        return web.Response(body=body, headers={"Content-Type": content_type})


# --- /metrics -------------------------------------------------------------------------


def render_metrics() -> tuple[bytes, str]:
    """smassist's counters, and the process's own, in the Prometheus text format."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.core import (
        CounterMetricFamily,
        GaugeMetricFamily,
        HistogramMetricFamily,
    )
    from prometheus_client.process_collector import ProcessCollector

    class Collector:
        def collect(self) -> Any:
            for metric in metrics.collected():
                if isinstance(metric, metrics.Counter):
                    family = CounterMetricFamily(metric.name, metric.documentation,
                                                 labels=list(metric.labels))
                    for labels, value in metric.samples():
                        family.add_metric(list(labels), value)
                elif isinstance(metric, metrics.Histogram):
                    family = HistogramMetricFamily(metric.name, metric.documentation,
                                                   labels=list(metric.labels))
                    for labels, buckets, total, _count in metric.samples():
                        family.add_metric(list(labels), [(_bound(b), c) for b, c in buckets], total)
                else:
                    family = GaugeMetricFamily(metric.name, metric.documentation,
                                               value=metric.value())
                yield family

    registry = CollectorRegistry(auto_describe=False)
    registry.register(Collector())  # type: ignore[arg-type]
    ProcessCollector(registry=registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)


# --- helpers --------------------------------------------------------------------------


async def _call(hook: Hook) -> None:
    result = hook()
    if inspect.isawaitable(result):
        await result


def _cancel_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        with contextlib.suppress(Exception):
            loop.run_until_complete(asyncio.wait(tasks, timeout=1.0))


def exit_now(code: int) -> None:
    """Flush the logs and end the process without waiting for threads still stuck."""
    with contextlib.suppress(Exception):
        logging.shutdown()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def finish(code: int, grace: float = 1.0) -> int:
    """``code``, after giving non-daemon threads ``grace`` seconds; past that, exit at once.

    For a server's last line: a thread stuck in a hung call (the default
    executor, a library's pool) would otherwise keep the stopped process alive.
    """
    deadline = time.monotonic() + grace
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threading.enumerate()
             if t is not threading.current_thread() and not t.daemon and t.is_alive()]
    if stuck:
        logger.warning("exiting with %d thread(s) still busy: %s", len(stuck), ", ".join(stuck[:5]))
        exit_now(code)
    return code
