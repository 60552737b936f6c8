"""``smassist serve slack``: the Slack app over HTTP (``/slack/events``) or Socket Mode."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from slack_bolt import App, BoltRequest
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError

from smassist.channels.base import CommandError, load_assistant
from smassist.channels.logs import configure_logging
from smassist.channels.slack.app import build_app, make_client
from smassist.settings import Settings, SlackSettings, current

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant

logger = logging.getLogger("smassist.slack")

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1_000_000
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class CredentialsError(Exception):
    """A credential is missing or refused; the message names the variable."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


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


def create_app(assistant: Assistant, settings: Settings, socket_mode: bool) -> App:
    """The bolt app with the environment's credentials; CredentialsError if Slack refuses them."""
    creds = credentials(socket_mode, settings.slack)
    api_url = settings.slack.api_url
    client = make_client(creds["SLACK_BOT_TOKEN"], api_url)
    try:
        return build_app(assistant, client=client, signing_secret=creds["SLACK_SIGNING_SECRET"],
                         socket_mode=socket_mode)
    except BoltError as exc:
        # bolt checks the bot token with auth.test when the app is built.
        raise CredentialsError(f"SLACK_BOT_TOKEN was refused by Slack ({_short(exc)}).") from None
    except (SlackApiError, SlackClientError, OSError) as exc:
        raise CredentialsError(
            f"could not reach the Slack Web API at {client.base_url} to check SLACK_BOT_TOKEN: {_short(exc)}",
            EXIT_FAILED,
        ) from None


def make_http_server(app: App, host: str, port: int, path: str = EVENTS_PATH) -> ThreadingHTTPServer:
    """A threaded HTTP server passing POSTs on ``path`` to bolt (which verifies signatures)."""

    class SlackEventsHandler(BaseHTTPRequestHandler):
        server_version = "smassist"
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            request_path, _, query = self.path.partition("?")
            if request_path != path:
                self._reply(404, "not found")
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                self._reply(400, "bad Content-Length")
                return
            if length < 0 or length > MAX_BODY_BYTES:
                self._reply(413, "request too large")
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            headers: dict[str, list[str]] = {}
            for name, value in self.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            response = app.dispatch(BoltRequest(body=body, query=query, headers=headers))
            payload = response.body if isinstance(response.body, str) else str(response.body)
            self._reply(response.status, payload, response.headers)

        def do_GET(self) -> None:
            if self.path.partition("?")[0] in ("/health", "/healthz"):
                self._reply(200, "ok")
            else:
                self._reply(404, "not found")

        def _reply(self, status: int, body: str, headers: Mapping[str, list[str]] | None = None) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for name, values in (headers or {}).items():
                if name.lower() in ("content-length", "connection"):
                    continue
                for value in values:
                    self.send_header(name, value)
            if not headers or not any(n.lower() == "content-type" for n in headers):
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            logger.debug("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), SlackEventsHandler)
    server.daemon_threads = True
    return server


def serve(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """Run the Slack app until interrupted; exit 2 on missing or refused credentials."""
    settings = current(settings)
    socket_mode = settings.slack.socket_mode(bool(getattr(args, "socket", False)))
    configure_logging()
    try:
        credentials(socket_mode, settings.slack)  # before loading anything: a quick, clear failure
        assistant = load_assistant(args.kb, settings)
        app = create_app(assistant, settings, socket_mode)
    except CredentialsError as exc:
        raise CommandError(str(exc), exc.code) from None
    from smassist.admin.store import open_default_store
    from smassist.channels.slack.app import watch

    assistant.recorder = open_default_store(settings)
    watcher = watch(assistant, app.client, settings=settings)  # knowledge edits served live, admins told of errors
    try:
        if socket_mode:
            return _serve_socket_mode(app, settings.slack.app_token)
        return _serve_http(app, args.host, args.port)
    finally:
        watcher.stop()


def _serve_http(app: App, host: str, port: int) -> int:
    try:
        server = make_http_server(app, host, port)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_FAILED) from None
    bound_host, bound_port = server.server_address[:2]
    logger.info("smassist Slack app listening on http://%s:%s%s (HTTP mode)", bound_host, bound_port, EVENTS_PATH)
    _stop_on_sigterm(server.shutdown)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _serve_socket_mode(app: App, app_token: str) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        raise CommandError(f"SLACK_APP_TOKEN was refused by Slack ({_short(exc)}).", EXIT_USAGE) from None
    except (SlackClientError, OSError) as exc:
        raise CommandError(f"could not open the Socket Mode connection: {_short(exc)}", EXIT_FAILED) from None
    logger.info("smassist Slack app connected (Socket Mode)")
    stop = threading.Event()
    _stop_on_sigterm(stop.set)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
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
