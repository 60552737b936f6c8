"""``smassist serve slack``: the Slack app over HTTP (``/slack/events``) or Socket Mode."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Executor
from typing import TYPE_CHECKING

from aiohttp import web
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from smassist.channels.base import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandError, load_assistant
from smassist.channels.logs import configure_logging
from smassist.channels.slack.app import build_app, make_client
from smassist.settings import Settings, SlackSettings, current
from smassist.web.server import Front, Limits, Refused, finish, read_body
from smassist.web.workers import ANSWERING, DaemonExecutor

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant
    from smassist.state import SharedState

logger = logging.getLogger("smassist.slack")

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000
#: Slack's own rule: a request signed more than five minutes ago is a replay.
MAX_SIGNATURE_AGE = 300
#: Threads that parse and dispatch signed requests (bolt acks, then answers on its own pool).
DISPATCH_THREADS = 4
#: Threads that answer (ask, then chat.postMessage); daemon threads, so a hung call cannot delay exit.
#: They take turns to compute (web/workers.py), so many threads cost the loop no more than one.
LISTENER_THREADS = 16
#: The interpreter's switch interval while serving (CPython's default is 5 ms): how long the
#: loop, acknowledging, may wait for the answering thread to let go (benchmarks/serving.py).
SWITCH_INTERVAL = 0.001
EXIT_FAILED = EXIT_PROBLEMS


class CredentialsError(CommandError):
    """A credential is missing or refused; the message names the variable (exit 2, or 1 when
    Slack could not be reached)."""


_WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token, xoxb-…, under OAuth & Permissions",
    "SLACK_SIGNING_SECRET": "the Signing Secret, under Basic Information > App Credentials",
    "SLACK_APP_TOKEN": "an app-level token, xapp-…, with connections:write, under Basic Information",
}


def credentials(socket_mode: bool, slack: SlackSettings) -> dict[str, str]:
    """The credentials this mode needs, or CredentialsError naming the first missing one."""
    given = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_APP_TOKEN": slack.app_token,
             "SLACK_SIGNING_SECRET": slack.signing_secret}
    needed = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET"]
    found = {name: given[name] for name in needed}
    missing = [name for name, value in found.items() if not value]
    if missing:
        mode = "Socket Mode" if socket_mode else "HTTP mode"
        lines = [f"{name} is not set ({_WHERE[name]})" for name in missing]
        raise CredentialsError(
            f"the Slack app in {mode} needs {' and '.join(missing)}:\n  " + "\n  ".join(lines)
            + "\nFind them in your app's settings at https://api.slack.com/apps; "
              "see bots/slack/README.md."
        )
    found["SLACK_SIGNING_SECRET"] = slack.signing_secret
    return found


def create_app(assistant: Assistant, settings: Settings, socket_mode: bool,
               listener_executor: Executor | None = None) -> App:
    """The bolt app with the environment's credentials; CredentialsError if Slack refuses them."""
    creds = credentials(socket_mode, settings.slack)
    api_url = settings.slack.api_url
    client = make_client(creds["SLACK_BOT_TOKEN"], api_url)
    try:
        return build_app(assistant, client=client, signing_secret=creds["SLACK_SIGNING_SECRET"],
                         socket_mode=socket_mode, listener_executor=listener_executor)
    except BoltError as exc:
        # bolt checks the bot token with auth.test when the app is built.
        raise CredentialsError(f"SLACK_BOT_TOKEN was refused by Slack ({_short(exc)}).") from None
    except (SlackApiError, SlackClientError, OSError) as exc:
        raise CredentialsError(
            f"could not reach the Slack Web API at {client.base_url} to check SLACK_BOT_TOKEN: {_short(exc)}",
            EXIT_FAILED,
        ) from None


def make_front(app: App, signing_secret: str, host: str = "127.0.0.1", port: int = 3000, *,
               path: str = EVENTS_PATH, limits: Limits | None = None,
               dispatcher: Executor | None = None, answers: Executor | None = None) -> Front:
    """The HTTP front for Slack events, commands and interactions on ``path``.

    The signature is checked on the raw bytes before anything else is done with
    them: an unsigned, forged or stale request is refused (401) without being
    parsed, and logged in one line without its body. A signed event
    (``event_callback``) is acknowledged at once and handed to bolt on the
    ``answers`` pool, whose threads take turns to compute (web/workers.py), so
    a burst of answers cannot hold its acknowledgement up. Other requests
    (commands, buttons, ``url_verification``) are dispatched by bolt on a small
    pool of threads (bolt's ``App`` is synchronous) and answered with bolt's
    acknowledgement; a signed body bolt cannot read gets 400. The aiohttp loop
    holds connections, so a slow client costs a socket, never a thread.
    """
    front = Front("slack", host, port, limits=limits)
    verifier = signing_secret.encode("utf-8")
    pool = dispatcher or DaemonExecutor(DISPATCH_THREADS, "slack-dispatch")
    answers = answers or DaemonExecutor(LISTENER_THREADS, "slack-answer", turnstile=ANSWERING)

    async def events(request: web.Request) -> web.Response:
        ANSWERING.request_seen()  # answers wait for a pause in the requests (web/workers.py)
        body = await read_body(request)
        check_signature(verifier, request.headers, body)
        headers: dict[str, list[str]] = {}
        for name, value in request.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "body is not UTF-8") from None
        loop = asyncio.get_running_loop()
        if _is_event_callback(request, body):
            # Events are acknowledged here, before any answering work: bolt would ack
            # them at once too, but only from a thread that must first win the
            # interpreter from the answers (see web/workers.py).
            answers.submit(_dispatch_later, app, text, request.query_string, headers)
            return web.Response(status=200)
        try:
            response = await loop.run_in_executor(pool, _dispatch, app, text, request.query_string,
                                                  headers)
        except _Unreadable as exc:
            raise Refused(400, f"unreadable payload ({exc})") from None
        content_type = (response.headers.get("content-type") or ["text/plain; charset=utf-8"])[0]
        out = web.Response(status=response.status, body=str(response.body or "").encode("utf-8"))
        out.headers["Content-Type"] = content_type
        for name, values in response.headers.items():
            if name.lower() not in ("content-type", "content-length", "connection", "set-cookie"):
                out.headers[name] = values[0]
        return out

    front.app.router.add_post(path, events)
    front.add_readiness("slack app", lambda: None if app.client is not None else "no Web API client")
    return front


def check_signature(secret: bytes, headers: Mapping[str, str], body: bytes,
                    now: float | None = None) -> None:
    """Raise :class:`Refused` (401) unless ``body`` carries a valid, fresh Slack signature.

    Slack's scheme (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``), computed
    on the raw bytes: nothing is decoded or parsed before it matches.
    """
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        raise Refused(401, "unsigned request")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) < 16):
        raise Refused(401, "bad timestamp")
    sent = int(timestamp)
    if abs((time.time() if now is None else now) - sent) > MAX_SIGNATURE_AGE:
        raise Refused(401, "stale timestamp")
    digest = hmac.new(secret, b"v0:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256)
    given = signature.encode("utf-8", "replace")
    if not hmac.compare_digest(b"v0=" + digest.hexdigest().encode("ascii"), given):
        raise Refused(401, "bad signature")


def _is_event_callback(request: web.Request, body: bytes) -> bool:
    if not request.content_type.endswith("json"):
        return False
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(parsed, dict) and parsed.get("type") == "event_callback"


def _dispatch_later(app: App, body: str, query: str, headers: dict[str, list[str]]) -> None:
    try:
        _dispatch(app, body, query, headers)
    except _Unreadable as exc:
        logger.warning("an event Slack signed could not be read (%s); acknowledged, not answered", exc)


class _Unreadable(Exception):
    """A signed body bolt could not parse."""


def _dispatch(app: App, body: str, query: str, headers: dict[str, list[str]]) -> BoltResponse:
    try:
        request = BoltRequest(body=body, query=query, headers=headers)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise _Unreadable(type(exc).__name__) from None
    if not isinstance(request.body, dict):
        raise _Unreadable("not an object")
    try:
        return app.dispatch(request)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise _Unreadable(type(exc).__name__) from None


def serve(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the Slack app until interrupted; exit 2 on missing or refused credentials."""
    settings = current(settings)
    socket_mode = settings.slack.socket_mode(bool(getattr(args, "socket", False)))
    configure_logging()
    listeners = DaemonExecutor(LISTENER_THREADS, "slack-answer", turnstile=ANSWERING)
    _check_configuration(socket_mode, settings)  # before loading anything: a quick, clear failure
    assistant = load_assistant(args.kb, settings, compile_apart=True)
    app = create_app(assistant, settings, socket_mode, listener_executor=listeners)
    from smassist.channels.slack.app import watch

    shared = _shared_state(assistant, settings)
    watcher = watch(assistant, app.client, settings=settings)  # knowledge edits served live, admins told of errors
    try:
        if socket_mode:
            health = getattr(args, "health_port", None)
            code = _serve_socket_mode(app, settings.slack.app_token, health=None if health is None
                                      else _health_front(app, assistant, args.host, health))
        else:
            code = _serve_http(app, assistant, settings.slack.signing_secret, args.host,
                               args.port, listeners, health_port=getattr(args, "health_port", None))
    finally:
        watcher.stop()
        shared.close()
    return finish(code)


def _check_configuration(socket_mode: bool, settings: Settings) -> None:
    """Every configuration error found without the network, all said at once (exit 2): the
    credentials this mode needs, and what the question log needs (``SMASSIST_LOG_KEY`` with a
    PostgreSQL ``SMASSIST_DB``). Loading the knowledge base and Slack's own check of the
    token (auth.test) come after, so a first start says everything there is to set."""
    from smassist.state.factory import config_problem

    problems = []
    try:
        credentials(socket_mode, settings.slack)
    except CredentialsError as exc:
        problems.append(str(exc))
    state_problem = config_problem(settings)
    if state_problem:
        problems.append(state_problem)
    if problems:
        raise CredentialsError("\n".join(problems))


def _shared_state(assistant: Assistant, settings: Settings) -> SharedState:
    """The question log, delivery claims, conversations, notices and versions (smassist.state)."""
    from smassist.state import StateConfigError
    from smassist.state.factory import serve_state

    try:
        return serve_state(assistant, settings)
    except StateConfigError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from None


def _serve_http(app: App, assistant: Assistant, signing_secret: str, host: str, port: int,
                listeners: DaemonExecutor, health_port: int | None = None) -> int:
    # The loop gets the interpreter back within 1 ms of asking, not 5 (see web/workers.py).
    sys.setswitchinterval(SWITCH_INTERVAL)
    front = make_front(app, signing_secret, host, port, answers=listeners)
    front.add_readiness("knowledge base", lambda: _kb_ready(assistant))
    front.add_readiness("database", lambda: _database_ready(assistant))
    if health_port is not None and health_port != port:
        # The endpoints are on --port already; --health-port (a probe's configuration,
        # the same for both modes) gets them too rather than nothing.
        front.alongside(_health_front(app, assistant, host, health_port))

    async def answers_in_flight() -> None:
        # Answers already acknowledged get the rest of the grace period; past it
        # they are abandoned (daemon threads), never waited for.
        if listeners.in_flight:
            logger.info("waiting for %d answer(s) in flight", listeners.in_flight)
            done = await asyncio.to_thread(listeners.wait_idle, max(0.0, front.remaining() - 0.3))
            if not done:
                logger.warning("%d answer(s) still in flight at exit (a Web API call that "
                               "does not return); abandoned", listeners.in_flight)

    front.on_stop(answers_in_flight)
    logger.info("smassist Slack app: events on %s (HTTP mode)", EVENTS_PATH)
    try:
        return front.run()
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_FAILED) from None


def _database_ready(assistant: Assistant) -> str | None:
    """PostgreSQL answers (always ready without one)."""
    from smassist import state

    return None if state.of(assistant).ready() else "database unreachable"


def _kb_ready(assistant: Assistant) -> str | None:
    kb = assistant.kb
    return None if kb is not None and kb.entries else "knowledge base not loaded"


def _health_front(app: App, assistant: Assistant, host: str, port: int) -> Front:
    """/healthz /readyz /metrics for Socket Mode (no HTTP events to hang them on)."""
    front = Front("slack", host, port)
    front.add_readiness("slack app", lambda: None if app.client is not None else "no Web API client")
    front.add_readiness("knowledge base", lambda: _kb_ready(assistant))
    front.add_readiness("database", lambda: _database_ready(assistant))
    return front


def _serve_socket_mode(app: App, app_token: str, health: Front | None = None) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        raise CommandError(f"SLACK_APP_TOKEN was refused by Slack ({_short(exc)}).", EXIT_USAGE) from None
    except (SlackClientError, OSError) as exc:
        raise CommandError(f"could not open the Socket Mode connection: {_short(exc)}", EXIT_FAILED) from None
    logger.info("smassist Slack app connected (Socket Mode)")
    if health is not None:
        health.add_readiness("socket mode", lambda: None if handler.client.is_connected()
                             else "not connected to Slack")
        try:
            url = health.start_in_thread()
        except OSError as exc:
            handler.close()
            raise CommandError(f"cannot listen on {health.host}:{health.port}: "
                               f"{exc.strerror or exc}", EXIT_FAILED) from None
        logger.info("health endpoints on %s/healthz, /readyz, /metrics", url)
    stop = threading.Event()
    _stop_on_sigterm(stop.set)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        if health is not None:
            health.stop_thread()
    return EXIT_OK


def _stop_on_sigterm(stop: object) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handle(signum: int, frame: object) -> None:
        threading.Thread(target=stop, daemon=True).start()  # type: ignore[arg-type]

    signal.signal(signal.SIGTERM, handle)


def _short(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
