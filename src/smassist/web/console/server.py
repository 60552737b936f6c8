"""``smassist serve admin``: the read-only admin console on 127.0.0.1 (or behind a token)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys

logger = logging.getLogger("smassist.console")

TOKEN_VARIABLE = "SMASSIST_ADMIN_TOKEN"
#: A shorter token is refused: it would be guessed.
MIN_TOKEN_LENGTH = 16
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_access(host: str, token: str | None) -> None:
    """Refuse (CommandError, exit 2) a console reachable from elsewhere without a good token."""
    from smassist.channels.base import EXIT_USAGE, CommandError

    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise CommandError(f"{TOKEN_VARIABLE} is too short ({len(token)} characters; at least "
                           f"{MIN_TOKEN_LENGTH}). Generate one with: openssl rand -hex 32", EXIT_USAGE)
    if token is None and not is_loopback(host):
        raise CommandError(
            f"the admin console on --host {host} would be open to anyone who reaches it.\n"
            f"Set {TOKEN_VARIABLE} (e.g. export {TOKEN_VARIABLE}=\"$(openssl rand -hex 32)\"), "
            "or keep the default --host 127.0.0.1.", EXIT_USAGE)


def _token(settings: object | None) -> str | None:
    from smassist.settings import current

    return current(settings).admin_token  # type: ignore[arg-type]


def serve(args: argparse.Namespace, settings: object | None = None) -> int:
    """Run the console until SIGTERM or Ctrl-C."""
    from smassist.admin.reloader import start_watcher
    from smassist.channels.base import EXIT_PROBLEMS, CommandError, load_assistant
    from smassist.state.factory import open_question_store
    from smassist.web.console.app import Console

    host = getattr(args, "host", None) or DEFAULT_HOST
    port = getattr(args, "port", None)
    port = DEFAULT_PORT if port is None else port
    token = _token(settings)
    check_access(host, token)
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    assistant = load_assistant(getattr(args, "kb", None), settings,  # type: ignore[arg-type]
                               compile_apart=True)
    log_error = None
    try:
        # SQLite or PostgreSQL; reading needs no SMASSIST_LOG_KEY (strict: a failure is shown).
        store = open_question_store(settings, strict=True)  # type: ignore[arg-type]
    except Exception as exc:  # a bad SMASSIST_DB: the KB pages still work
        store, log_error = None, str(exc)
    watcher = start_watcher(assistant)  # the console shows what the bots serve: edits within seconds
    console = Console(assistant, store, token, log_error=log_error)
    front = build_front(console, host, port)
    kb = assistant.kb
    front.on_start(lambda: logger.info(
        "smassist admin console on %s/ (knowledge base %s, version %s)", front.url, kb.root,
        kb.version[:12]))
    try:
        return front.run()
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_PROBLEMS) from None
    finally:
        watcher.stop()


def build_front(console, host: str, port: int):  # (Console, ...) -> Front
    """The console's pages on the shared HTTP front (limits, timeouts, /healthz /readyz /metrics)."""
    from smassist.web.console.app import add_routes
    from smassist.web.server import Front, Limits

    front = Front("admin", host, port, limits=Limits(max_body=64 * 1024))
    add_routes(front.app, console)
    front.add_readiness("knowledge base", lambda: None if console.assistant.kb.entries else "empty")
    return front
