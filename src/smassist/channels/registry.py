"""The channels smassist can serve, by name: ``smassist serve NAME`` is built from this table.

A channel is one package under :mod:`smassist.channels` with a ``serve(args,
settings)`` function; adding one is one :class:`ChannelInfo` line here (or a
call to :func:`register` from a plugin or a test). Nothing here imports a
channel: ``smassist --help`` stays fast, and a missing platform library is
reported with the extra that brings it, before anything is loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from smassist.records import field, record


@record
class Option:
    """One command-line option of ``smassist serve NAME`` (argparse's add_argument)."""

    flags: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)


@record
class ChannelInfo:
    name: str
    #: The module holding ``serve(args, settings) -> int``.
    module: str
    help: str
    #: Modules the channel needs beyond the core install, and the extra that brings them.
    requires: tuple[str, ...] = ()
    extra: str | None = None
    options: tuple[Option, ...] = ()

    def missing_module(self) -> str | None:
        """The first required module that cannot be imported, or None."""
        for module in self.requires:
            try:
                importlib.import_module(module)
            except ImportError:
                return module
        return None

    def missing_extra_message(self, module: str) -> str:
        return (f"{self.name.capitalize()} support is not installed (no module {module!r}).\n"
                f"Install it with: pip install 'smassist[{self.extra or self.name}]'")

    def serve_function(self) -> Callable[..., int]:
        return importlib.import_module(self.module).serve


CHANNELS: dict[str, ChannelInfo] = {}


def register(info: ChannelInfo) -> ChannelInfo:
    """Make ``smassist serve NAME`` run ``info``'s channel (a later entry replaces one of the same name)."""
    CHANNELS[info.name] = info
    return info


def unregister(name: str) -> None:
    CHANNELS.pop(name, None)


register(ChannelInfo(
    "slack", "smassist.channels.slack.server", "the Slack app",
    requires=("slack_bolt", "slack_sdk", "aiohttp"), extra="slack",
    options=(Option(("--host",), {"default": "0.0.0.0"}),
             Option(("--port",), {"type": int, "default": 3000}),
             Option(("--socket",), {"action": "store_true",
                                    "help": "Socket Mode (also when SLACK_APP_TOKEN is set)"}),
             Option(("--health-port",), {"type": int, "metavar": "P",
                                         "help": "serve /healthz /readyz /metrics on --host:P (Socket Mode has no other "
                                                 "HTTP server; in HTTP mode they are on --port too)"})),
))
register(ChannelInfo(
    "telegram", "smassist.channels.telegram.server", "the Telegram bot",
    requires=("telegram",), extra="telegram",
    options=(Option(("--webhook-url",), {"metavar": "URL"}),
             Option(("--host",), {"default": "0.0.0.0"}),
             Option(("--port",), {"type": int, "default": 8443}),
             Option(("--health-port",), {"type": int, "metavar": "P",
                                         "help": "serve /healthz /readyz /metrics on --host:P (long polling has no other "
                                                 "HTTP server; with a webhook they are on --port too)"})),
))
register(ChannelInfo(
    "terminal", "smassist.channels.terminal.chat", "the terminal chat (as smassist chat)",
    options=(Option(("--lang",), {"choices": ("fr", "en")}),),
))
register(ChannelInfo(
    "admin", "smassist.web.console.server", "the read-only admin console (web pages)",
    requires=("aiohttp",), extra="admin",
    options=(Option(("--host",), {"default": "127.0.0.1",
                                  "help": "default 127.0.0.1; anything else needs SMASSIST_ADMIN_TOKEN"}),
             Option(("--port",), {"type": int, "default": 8080})),
))
