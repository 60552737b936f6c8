"""``/smassist``: a question, or a sub-command (``help``, and admin ones added by others).

Each sub-command is one small function taking a :class:`CommandRequest`. To add
one, decorate it with :func:`subcommand` in a module imported by
:mod:`smassist.channels.slack.app` (or pass ``subcommands=`` to ``build_app``)::

    @subcommand("reload", admin_only=True)
    def reload(request: CommandRequest) -> None:
        request.respond(text="...")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smassist.channels.base import command
from smassist.channels.slack.blocks import render
from smassist.channels.slack.texts import text as say

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from smassist.answering.assistant import Assistant
    from smassist.channels.base import Channel


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """One ``/smassist`` invocation, already acknowledged."""

    assistant: Assistant
    client: WebClient
    name: str           # the sub-command, lower-case
    args: str           # the rest of the text
    user: str
    channel: str
    team: str
    lang: str           # the user's language (Slack locale), 'fr' or 'en'
    conversation: str
    #: Sends a message to the user through the command's response_url
    #: (ephemeral by default; pass response_type="in_channel" to post for all).
    respond: Callable[..., Any]
    #: The Slack channel (the base's shared logic, the settings, charts); None in a bare call.
    channel_base: Channel | None = None


SubCommand = Callable[[CommandRequest], None]


@dataclass(frozen=True, slots=True)
class SubCommandSpec:
    handler: SubCommand
    admin_only: bool = False
    #: False: the sub-command is only recognised alone ("/smassist help"),
    #: so "/smassist help me measure ROI" stays a question.
    takes_args: bool = True


SUBCOMMANDS: dict[str, SubCommandSpec] = {}


def subcommand(*names: str, admin_only: bool = False,
               takes_args: bool = True) -> Callable[[SubCommand], SubCommand]:
    """Register a function as ``/smassist NAME`` (several names for aliases)."""

    def register(handler: SubCommand) -> SubCommand:
        for name in names:
            SUBCOMMANDS[name.lower()] = SubCommandSpec(handler, admin_only, takes_args)
        return handler

    return register


def parse(text: str, table: Mapping[str, SubCommandSpec]) -> tuple[str, str] | None:
    """(name, args) when ``text`` invokes a sub-command; None when it is a question."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "help", ""
    name = words[0].lower()
    args = words[1] if len(words) > 1 else ""
    spec = table.get(name)
    if spec is None or (args and not spec.takes_args):
        return None
    return name, args


@subcommand(*command("help").names, takes_args=False)
def show_help(request: CommandRequest) -> None:
    """What smassist knows: its topics, with example questions as buttons."""
    reply = request.assistant.help(request.lang)
    if request.channel_base is not None:  # the sub-commands, as Slack users type them
        base = request.channel_base
        reply = base.with_commands(reply, admin=base.is_admin(request.user))
    message = render(reply, feedback=False)
    message.blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": say(request.lang, "usage")}]})
    request.respond(response_type="ephemeral", **message.as_kwargs())
