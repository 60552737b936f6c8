"""``smassist serve admin``: the read-only admin console on 127.0.0.1 (or behind a token)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import signal
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
    from smassist.admin.store import open_default_store
    from smassist.channels.base import EXIT_PROBLEMS, CommandError, load_assistant
    from smassist.web.console.app import Console, make_app

    host = getattr(args, "host", None) or DEFAULT_HOST
    port = getattr(args, "port", None)
    port = DEFAULT_PORT if port is None else port
    token = _token(settings)
    check_access(host, token)
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    assistant = load_assistant(getattr(args, "kb", None), settings)  # type: ignore[arg-type]
    log_error = None
    try:
        store = open_default_store(settings)  # type: ignore[arg-type]
    except Exception as exc:  # a bad SMASSIST_DB: the KB pages still work
        store, log_error = None, str(exc)
    watcher = start_watcher(assistant)  # the console shows what the bots serve: edits within seconds
    console = Console(assistant, store, token, log_error=log_error)
    app = make_app(console)
    try:
        return asyncio.run(_run(app, host, port, assistant))
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_PROBLEMS) from None
    except KeyboardInterrupt:
        return 0
    finally:
        watcher.stop()


async def _run(app, host: str, port: int, assistant) -> int:  # app: web.Application
    from aiohttp import web

    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=128)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    sockets = getattr(site._server, "sockets", None) or ()
    bound = sockets[0].getsockname()[:2] if sockets else (host, port)
    kb = assistant.kb
    where = f"[{bound[0]}]" if ":" in str(bound[0]) else bound[0]
    logger.info("smassist admin console on http://%s:%s/ (knowledge base %s, version %s)",
                where, bound[1], kb.root, kb.version[:12])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0
