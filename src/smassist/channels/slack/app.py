"""The Slack app: bolt listeners that turn Slack payloads into questions, and Replies into messages.

``build_app(assistant, ...)`` makes the bolt ``App``; ``register(app, door)``
attaches one thin callback per concern; :class:`SlackDoor` holds what they
share (the assistant, the Web API client, small memories) and does the work.
Nothing here is imported by the core.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from smassist import metrics, state
from smassist.answering.assistant import Assistant
from smassist.answering.reply import Reply
from smassist.channels.base import COMMANDS, Attachment, Channel, Command, conversation_key
from smassist.channels.slack import (
    admin_commands,  # noqa: F401  (registers reload, report)
    commands,
    figures,  # also registers the trend and brief sub-commands
)
from smassist.channels.slack.admin_commands import code_block
from smassist.channels.slack.admins import SLACK_USER_ID
from smassist.channels.slack.blocks import (
    ACTION_POST,
    ACTION_USEFUL,
    ENTRY_ACTIONS,
    FEEDBACK_ACTIONS,
    ButtonValue,
    SlackMessage,
    render,
)
from smassist.channels.slack.memory import Recent
from smassist.channels.slack.retry import DeliveryPolicy
from smassist.channels.slack.texts import text as say
from smassist.language import detect as language
from smassist.settings import Settings
from smassist.web.workers import ANSWERING

if TYPE_CHECKING:
    from smassist.admin.reloader import Watcher
    from smassist.state import Deliveries

logger = logging.getLogger("smassist.slack")

#: Slack's limit for a file's alt text.
MAX_ALT_TEXT = 1000

COMMAND = "/smassist"
CHANNEL = "slack"  # the name of this channel in conversation keys and the question log
DEFAULT_API_URL = "https://slack.com/api/"

#: Message subtypes that are a person writing; every other subtype (edits,
#: deletions, joins, bot messages) is ignored.
_HUMAN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def retry_handlers() -> list:
    """Retries for the Web API: one policy, one budget per failure kind (see retry.py)."""
    return [DeliveryPolicy()]


class _TurnTakingClient(WebClient):
    """A WebClient that gives the answering turn back while it waits for Slack (web/workers.py)."""

    def api_call(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with ANSWERING.waiting():
            return super().api_call(*args, **kwargs)


def make_client(token: str, api_url: str | None = None) -> WebClient:
    """A Web API client with back-off retries; ``api_url`` overrides Slack's own."""
    base_url = (api_url or DEFAULT_API_URL).rstrip("/") + "/"
    return _TurnTakingClient(token=token, base_url=base_url, timeout=15,
                             retry_handlers=retry_handlers())


def build_app(assistant: Assistant, *, token: str | None = None, signing_secret: str = "",
              client: WebClient | None = None, api_url: str | None = None,
              subcommands: Mapping[str, commands.SubCommandSpec] | None = None,
              socket_mode: bool = False, settings: Settings | None = None,
              listener_executor: Executor | None = None) -> App:
    """The bolt app answering with ``assistant``.

    Give either ``client`` or ``token`` (and optionally ``api_url``). Request
    signatures are verified with ``signing_secret`` (Socket Mode has none to check).
    At start-up bolt calls ``auth.test`` to learn the bot's own user id.
    """
    if client is None:
        if not token:
            raise ValueError("a bot token or a client is needed")
        client = make_client(token, api_url)
    app = App(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=not socket_mode,
        # Acknowledge first, answer after: listeners run on bolt's worker threads.
        process_before_response=False,
        ignoring_self_events_enabled=True,
        logger=_bolt_logger(),
        listener_executor=listener_executor,
    )
    door = SlackDoor(assistant, subcommands=subcommands, client=client, settings=settings)
    register(app, door)
    return app


def watch(assistant: Assistant, client: WebClient, interval: float = 1.0,
          settings: Settings | None = None) -> Watcher:
    """Serve knowledge-base edits live; DM each Slack admin about a broken edit (once)."""
    return SlackDoor(assistant, client=client, settings=settings).watch(interval)


def register(app: App, door: SlackDoor) -> None:
    """Attach one thin listener per concern."""

    @app.event("app_mention")
    def on_mention(event: dict, body: dict, client: WebClient, context: BoltContext) -> None:
        """A mention in a channel: answer in the thread of the question."""
        door.answer_mention(event, body, client, context.bot_user_id)

    @app.event("message")
    def on_message(event: dict, body: dict, client: WebClient, context: BoltContext) -> None:
        """A direct message: answer in the DM."""
        door.answer_direct_message(event, body, client, context.bot_user_id)

    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict, client: WebClient) -> None:
        """``/smassist ...``: a question answered privately, or a sub-command."""
        ack()
        door.run_command(command, client)

    @app.action(ENTRY_ACTIONS)
    def on_entry_button(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        """A follow-up, 'did you mean' or example button: answer that entry there."""
        ack()
        door.answer_button(body, action, client)

    @app.action(FEEDBACK_ACTIONS)
    def on_feedback(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        """Useful / not useful: record it and thank the user."""
        ack()
        door.record_feedback(body, action, client)

    @app.action(ACTION_POST)
    def on_post_to_channel(ack: Ack, body: dict, action: dict) -> None:
        """Post a private /smassist answer to the channel for everyone."""
        ack()
        door.post_to_channel(body, action)

    @app.error
    def on_error(error: Exception, body: dict) -> None:
        """Log what went wrong, with the question when there is one, and keep running."""
        logger.error("unhandled error (%s) on %s: %s", type(error).__name__,
                     _describe(body), error)


class _QuietClientWarning(logging.Filter):
    """bolt warns that SLACK_BOT_TOKEN is unused when given a client: expected here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    bolt_logger = logging.getLogger("smassist.slack.bolt")
    if not any(isinstance(f, _QuietClientWarning) for f in bolt_logger.filters):
        bolt_logger.addFilter(_QuietClientWarning())
    return bolt_logger


class SlackDoor(Channel):
    """What the listeners share: the channel base, memories, and how to send."""

    name = CHANNEL
    admin_id = SLACK_USER_ID

    def __init__(self, assistant: Assistant, *,
                 subcommands: Mapping[str, commands.SubCommandSpec] | None = None,
                 client: WebClient | None = None, settings: Settings | None = None):
        super().__init__(assistant, settings)
        #: The Web API client for what no event carries one for (admin notices).
        self.client = client
        self.subcommands = dict(commands.SUBCOMMANDS)
        self.subcommands.update(subcommands or {})
        self.locales: Recent[str] = Recent(capacity=5_000, ttl=12 * 3600)
        #: Recent replies by id, so a button can repost or rate them.
        self.replies: Recent[Reply] = Recent(capacity=5_000, ttl=24 * 3600)

    command_prefix = f"{COMMAND} "

    def offered_commands(self, admin: bool = False) -> list[Command]:
        """The shared commands this app has as ``/smassist`` sub-commands (what help lists)."""
        return [c for c in COMMANDS.values() if c.name in self.subcommands
                and (admin or not c.admin_only)]

    @property
    def deliveries(self) -> Deliveries:
        """Messages already taken (by event id and by channel+ts), by this instance or
        another one (smassist.state): Slack retries an event it thinks was lost, a retry
        may land on another instance, and one message may arrive as two events
        (app_mention and message.im)."""
        return state.of(self.assistant).deliveries

    # --- incoming messages -----------------------------------------------------

    def answer_mention(self, event: dict, body: dict, client: WebClient,
                       bot_user_id: str | None) -> None:
        channel = event.get("channel", "")
        if channel.startswith("D") or event.get("channel_type") == "im":
            return  # answered as a direct message
        if not self._is_new_human_message(event, body, bot_user_id):
            return
        team = _team(body, event)
        thread_ts = event.get("thread_ts") or event.get("ts")
        conversation = self.conversation(team, channel, thread_ts)
        self._answer(client, event, bot_user_id, conversation, channel, thread_ts)

    def answer_direct_message(self, event: dict, body: dict, client: WebClient,
                              bot_user_id: str | None) -> None:
        channel = event.get("channel", "")
        if event.get("channel_type") != "im" and not channel.startswith("D"):
            return  # channel messages are only answered when the app is mentioned
        if not self._is_new_human_message(event, body, bot_user_id):
            return
        conversation = self.conversation(_team(body, event), channel)
        self._answer(client, event, bot_user_id, conversation, channel, event.get("thread_ts"))

    def _is_new_human_message(self, event: dict, body: dict, bot_user_id: str | None) -> bool:
        if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") not in _HUMAN_SUBTYPES:
            return False
        user = event.get("user")
        if not user or user == bot_user_id:
            return False
        event_id = body.get("event_id")
        if event_id and not self.deliveries.claim(f"slack:event:{event_id}"):
            logger.info("event %s already handled (Slack retry); not answering again", event_id)
            metrics.DUPLICATES_DROPPED.inc(channel=CHANNEL)
            return False
        message_key = f"slack:message:{event.get('channel')}:{event.get('ts')}"
        if not self.deliveries.claim(message_key):
            logger.info("message %s already answered; not answering again", message_key)
            metrics.DUPLICATES_DROPPED.inc(channel=CHANNEL)
            return False
        return True

    def _answer(self, client: WebClient, event: dict, bot_user_id: str | None,
                conversation: str, channel: str, thread_ts: str | None) -> None:
        question = slack_to_plain(event.get("text") or "", bot_user_id)
        user = event["user"]
        # One turn at a time per conversation (across instances too): two quick
        # messages in a thread are answered, and their answers sent, in turn.
        with self.assistant.conversations.turn(conversation):
            reply = self.ask(question, conversation, user,
                             locale=lambda: self.locale(client, user))
            self.replies.put(reply.id, reply)
            sent = self.send(client, render(reply), channel=channel, thread_ts=thread_ts,
                             question=question)
        if sent and reply.kind == "trend":
            figures.upload_charts(self, client, reply, channel, thread_ts)

    # --- /smassist -------------------------------------------------------------------

    def run_command(self, command: dict, client: WebClient) -> None:
        text = command.get("text") or ""
        user = command.get("user_id", "")
        channel = command.get("channel_id", "")
        team = command.get("team_id", "")
        response_url = command.get("response_url", "")
        conversation = self.conversation(team, channel, user, "command")

        def respond(**payload: Any) -> None:
            post_response(response_url, payload, question=text)

        parsed = commands.parse(text, self.subcommands)
        if parsed is None:
            question = html.unescape(text)
            reply = self.ask(question, conversation, user,
                             locale=lambda: self.locale(client, user))
            self.replies.put(reply.id, reply)
            message = render(reply, asked_by=user, shareable=True)
            respond(response_type="ephemeral", **message.as_kwargs())
            return
        name, args = parsed
        lang = self.user_lang(client, user, args)
        spec = self.subcommands[name]
        if spec.admin_only and not self.is_admin(user):
            respond(response_type="ephemeral", text=say(lang, "admins_only", name=name))
            return
        spec.handler(commands.CommandRequest(
            assistant=self.assistant, channel_base=self, client=client, name=name, args=args, user=user,
            channel=channel, team=team, lang=lang, conversation=conversation, respond=respond,
        ))

    # --- buttons ---------------------------------------------------------------------

    def answer_button(self, body: dict, action: dict, client: WebClient) -> None:
        value = ButtonValue.decode(action.get("value"))
        if value is None or not value.entry:
            logger.warning("ignoring a button with an unexpected value: %r", action.get("value"))
            return
        where = _Where.of(body)
        self.log_click(value.reply_id, value.entry, where.user)
        reply = self.assistant.answer_entry(value.entry, value.lang, where.conversation)
        self.replies.put(reply.id, reply)
        if where.ephemeral:
            post_response(where.response_url, {
                "response_type": "ephemeral", "replace_original": False,
                **render(reply, asked_by=where.user, shareable=True).as_kwargs()},
                question=reply.question)
        else:
            self.send(client, render(reply), channel=where.channel, thread_ts=where.thread_ts,
                      question=reply.question)

    def record_feedback(self, body: dict, action: dict, client: WebClient) -> None:
        value = ButtonValue.decode(action.get("value"))
        if value is None:
            logger.warning("ignoring a feedback button with an unexpected value: %r", action.get("value"))
            return
        useful = action.get("action_id") == ACTION_USEFUL
        where = _Where.of(body)
        self.log_feedback(value.reply_id, useful, where.user)
        thanks = say(value.lang, "thanks_useful" if useful else "thanks_not_useful")
        if where.ephemeral:
            post_response(where.response_url, {"response_type": "ephemeral",
                                               "replace_original": False, "text": thanks})
            return
        try:
            client.chat_postEphemeral(channel=where.channel, user=where.user, text=thanks,
                                      thread_ts=where.in_thread)
        except (SlackApiError, SlackClientError, OSError) as exc:
            logger.error("could not thank %s for feedback on %s: %s", where.user,
                         value.reply_id, _reason(exc))

    def post_to_channel(self, body: dict, action: dict) -> None:
        value = ButtonValue.decode(action.get("value"))
        where = _Where.of(body)
        if value is None:
            return
        reply = self.replies.get(value.reply_id)
        if reply is None and value.entry:
            reply = self.assistant.answer_entry(value.entry, value.lang)
        if reply is None:
            post_response(where.response_url, {"response_type": "ephemeral",
                                               "replace_original": False,
                                               "text": say(value.lang, "expired")})
            return
        message = render(reply, asked_by=where.user)
        if post_response(where.response_url, {"response_type": "in_channel",
                                              "replace_original": False, **message.as_kwargs()},
                         question=reply.question):
            post_response(where.response_url, {"delete_original": True})

    # --- language ----------------------------------------------------------------------

    def user_lang(self, client: WebClient, user: str, text: str = "") -> str:
        """'fr' or 'en' for messages of the Slack door itself (help, acknowledgements)."""
        return language.detect(text, self.locale(client, user) or "fr")

    def locale(self, client: WebClient, user: str) -> str | None:
        """The Slack locale of ``user`` (users.info, cached); None when unknown."""
        if not user:
            return None
        cached = self.locales.get(user)
        if cached is not None:
            return cached or None
        try:
            info = client.users_info(user=user, include_locale=True)
            found = str((info.get("user") or {}).get("locale") or "")
        except (SlackApiError, SlackClientError, OSError) as exc:
            logger.warning("could not read the locale of %s: %s", user, _reason(exc))
            found = ""
        self.locales.put(user, found)
        return found or None

    # --- sending ----------------------------------------------------------------------

    def send_reply(self, where: tuple[WebClient, str, str | None], reply: Reply) -> bool:
        """Post ``reply`` (Block Kit, with its plain-text fallback) in a channel or thread."""
        client, channel, thread_ts = where
        return self.send(client, render(reply), channel=channel, thread_ts=thread_ts,
                         question=reply.question)

    def send_picture(self, where: tuple[WebClient, str, str | None],
                     attachment: Attachment) -> bool:
        """Upload a chart in the thread, its sourced text as the alt text."""
        client, channel, thread_ts = where
        if attachment.path is None:
            return False
        try:
            client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, file=str(attachment.path),
                filename=attachment.path.name, title=attachment.title,
                alt_txt=attachment.description[:MAX_ALT_TEXT])
        except (SlackApiError, SlackClientError) as exc:  # the text is already there
            logger.warning("Could not upload the chart of %s: %s", attachment.series, exc)
            return False
        return True

    def send_to_admin(self, admin: str, message: str) -> None:
        """A direct message to one admin, as a code block (never a mention or a link)."""
        from smassist.channels.slack.admins import notify_admins

        if self.client is None or not notify_admins(self.client, code_block(message), admins=[admin]):
            raise ConnectionError(f"could not reach admin {admin}")

    def send(self, client: WebClient, message: SlackMessage, *, channel: str,
             thread_ts: str | None, question: str) -> bool:
        """Post ``message``; after the client's retries, log a failure with the question."""
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                    unfurl_links=False, unfurl_media=False, **message.as_kwargs())
        except (SlackApiError, SlackClientError, OSError) as exc:
            logger.error("could not send the answer to %r in %s: %s", question, channel, _reason(exc))
            return False
        return True


def post_response(url: str, payload: dict[str, Any], question: str = "") -> bool:
    """Send ``payload`` to an interaction's response_url, with the same retries as the Web API."""
    if not url:
        logger.error("no response_url to answer %r", question)
        return False
    try:
        with ANSWERING.waiting():
            response = WebhookClient(url, timeout=15, retry_handlers=retry_handlers()).send_dict(payload)
    except (SlackClientError, OSError) as exc:
        logger.error("could not answer %r through response_url: %s", question, _reason(exc))
        return False
    if response.status_code >= 300:
        logger.error("could not answer %r through response_url: HTTP %s %s", question,
                     response.status_code, response.body[:200])
        return False
    return True


class _Where:
    """Where a button was pressed: who, which channel and thread, which conversation."""

    def __init__(self, body: dict):
        container = body.get("container") or {}
        message = body.get("message") or {}
        self.user = (body.get("user") or {}).get("id", "")
        self.team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "")
        self.channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        self.response_url = body.get("response_url", "")
        self.ephemeral = bool(container.get("is_ephemeral"))
        #: The thread the message is in, if any (where an ephemeral note belongs).
        self.in_thread: str | None = message.get("thread_ts") or container.get("thread_ts")
        #: Where an answer to this button goes: that thread, or a new one under the
        #: message in a channel (top level in a DM).
        self.thread_ts: str | None
        if self.ephemeral:
            self.thread_ts = None
            self.conversation = conversation_key(CHANNEL, self.team, self.channel, self.user, "command")
        elif self.channel.startswith("D"):
            self.thread_ts = message.get("thread_ts") or container.get("thread_ts")
            self.conversation = conversation_key(CHANNEL, self.team, self.channel)
        else:
            self.thread_ts = (message.get("thread_ts") or container.get("thread_ts")
                              or message.get("ts") or container.get("message_ts"))
            self.conversation = conversation_key(CHANNEL, self.team, self.channel, self.thread_ts)

    @classmethod
    def of(cls, body: dict) -> _Where:
        return cls(body)


_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def slack_to_plain(text: str, bot_user_id: str | None) -> str:
    """The question as typed: the app's own mention removed, Slack's &amp; &lt; &gt; decoded.

    Other markup (``<!channel>``, ``<@U…>``) is kept as text; it is escaped again
    whenever it is shown.
    """
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    return html.unescape(" ".join(text.split()))


def _team(body: dict, event: dict) -> str:
    return body.get("team_id") or event.get("team") or ""


def _describe(body: dict) -> str:
    event = body.get("event") or {}
    if event:
        return f"event {event.get('type')} question {event.get('text', '')!r}"
    if body.get("command"):
        return f"command {body.get('command')} {body.get('text', '')!r}"
    return str(body.get("type") or "request")


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc.response.status_code)
    return f"{type(exc).__name__}: {exc}"
