"""What every channel does the same way, written once; a platform adds only its own I/O.

A channel turns a platform's payload into a question for the core and the
platform-neutral :class:`~smassist.answering.reply.Reply` back into that
platform's message. :class:`Channel` holds, once, everything that is not about
a platform:

- **conversation keys** (:meth:`Channel.conversation`): ``NAME:part:part``, so
  "source ?" refers to the last answer in the same thread or chat;
- **language**: the hint given to the core (:meth:`Channel.language_hint`) and
  the language of the channel's own words (:meth:`Channel.ui_lang`);
- **asking** and the question log (:meth:`Channel.ask`, feedback and clicks);
- **buttons** a reply offers (:func:`actions`: follow-ups, "did you mean"
  choices, feedback, sources), which each platform draws its way;
- **the command table** (:data:`COMMANDS`: English and French names, menu text,
  admin-only) and the answers of the commands every channel shares
  (:meth:`Channel.admin_text` for reload and report);
- **admins**: ``SMASSIST_ADMINS`` parsed once (:mod:`smassist.settings`), the
  platform's ids picked by :attr:`Channel.admin_id`, notices of broken edits
  from the knowledge-base watcher (:meth:`Channel.watch`);
- **chart attachments** of a trend reply (:meth:`Channel.chart_attachments`);
- **retries** (:func:`retrying`), and **logging** for ``serve`` in its sibling
  :mod:`smassist.channels.logs` (kept apart: ``smassist ask`` renders through
  this module and must not import :mod:`logging`); starting up
  (:func:`load_assistant`, :class:`CommandError`) is :mod:`smassist.channels.launch`.

A platform implements :meth:`Channel.send_reply` (with a plain-text fallback),
:meth:`Channel.send_picture` and :meth:`Channel.send_to_admin`, and receives
events its own way (bolt listeners, python-telegram-bot handlers, ``input()``).
Only the standard library is imported here, and not :mod:`logging`: the
terminal's rendering, on ``smassist ask``'s start-up path, imports this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from smassist.channels.launch import EXIT_OK as EXIT_OK
from smassist.channels.launch import EXIT_PROBLEMS as EXIT_PROBLEMS
from smassist.channels.launch import EXIT_USAGE as EXIT_USAGE
from smassist.channels.launch import CommandError as CommandError
from smassist.channels.launch import close_question_log as close_question_log
from smassist.channels.launch import load_assistant as load_assistant
from smassist.channels.launch import serving_assistant as serving_assistant
from smassist.records import record
from smassist.settings import Settings, current
from smassist.texts import lang_code, speak, text

if TYPE_CHECKING:
    import logging
    import re

    from smassist.admin.reloader import ReloadOutcome, Watcher
    from smassist.answering.assistant import Assistant
    from smassist.answering.reply import Reply, Suggestion
    from smassist.kb.runtime import KnowledgeBase



def _logger() -> logging.Logger:
    """The channels' logger; :mod:`logging` is imported when there is something to say,
    so that ``smassist ask`` (which renders through this module) never pays for it."""
    import logging

    return logging.getLogger("smassist.channels")

def conversation_key(channel: str, *parts: object) -> str:
    """``slack:T1:C1:1700.1``: the core's conversation for a place on a platform."""
    return ":".join([channel, *(str(p) for p in parts)])


# --- commands --------------------------------------------------------------------


@record
class Command:
    """A command offered by the channels: its names, menu text and who may run it."""

    name: str                       # English, and what Telegram's menu shows
    aliases: tuple[str, ...] = ()   # French and other names
    admin_only: bool = False
    #: False: only recognised alone ("/smassist help"), so "/smassist help me ..." stays a question.
    takes_args: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def description(self, lang: str) -> str:
        return text(lang, f"command.{self.name}")


#: Every command a channel may offer; each channel picks the ones it has.
COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("start", takes_args=False),
    Command("help", ("aide",), takes_args=False),
    Command("topics", ("sujets",), takes_args=False),
    Command("ask", ("question",)),
    Command("stats", ("chiffres-sujet",)),
    Command("source", ("sources",), takes_args=False),
    Command("trend", ("tendance", "evolution", "évolution")),
    Command("brief", ("chiffres",), takes_args=False),
    Command("reload", ("recharger",), admin_only=True, takes_args=False),
    Command("report", ("rapport",), admin_only=True, takes_args=False),
    Command("quit", ("exit", "q", "quitter"), takes_args=False),
)}


def command(name: str) -> Command:
    return COMMANDS[name]


def admin_text(assistant: Assistant, name: str, lang: str, settings: Settings | None = None) -> str:
    """What the admin commands every channel offers answer, as plain text.

    ``reload``: the new version and its counts, or every problem; ``report``: the
    question log of the last :data:`~smassist.admin.commands.REPORT_PERIOD`.
    """
    from smassist.admin import commands

    if name == "reload":
        return commands.reload_command(assistant, lang)
    if name == "report":
        return commands.report_command(assistant, commands.REPORT_PERIOD, lang, settings=settings)
    raise KeyError(name)


# --- buttons ---------------------------------------------------------------------


#: Reply kinds a user can rate.
RATED_KINDS = frozenset({"answer", "sources", "details", "clarify", "unknown"})
#: Kinds whose follow-ups are offered as "see also" buttons (trend and brief draw
#: their entries' buttons themselves, beside their figures).
FOLLOW_UP_KINDS = frozenset({"answer", "sources", "details"})
#: Kinds whose suggestions are choices ("did you mean", help examples, and the choices
#: repeated when "tell me more" comes before one was picked: an 'invalid' reply).
CHOICE_KINDS = frozenset({"clarify", "unknown", "help", "invalid"})
MAX_BUTTONS = 3


@record
class Actions:
    """The buttons a reply offers, whatever the platform draws them as."""

    choices: tuple[Suggestion, ...] = ()
    follow_ups: tuple[Suggestion, ...] = ()
    feedback: bool = False
    #: The entry whose sources one tap shows (an answer citing figures).
    sources_of: str | None = None


def actions(reply: Reply, limit: int = MAX_BUTTONS) -> Actions:
    return Actions(
        choices=reply.suggestions[:limit] if reply.kind in CHOICE_KINDS else (),
        follow_ups=reply.follow_ups[:limit] if reply.kind in FOLLOW_UP_KINDS else (),
        feedback=reply.kind in RATED_KINDS,
        sources_of=reply.entry if reply.kind == "answer" and reply.statistics else None,
    )


# --- charts ----------------------------------------------------------------------


@record
class Attachment:
    """The chart of one series of a trend reply, with the sourced text it shows."""

    series: str
    title: str
    #: The series' trend as text: the picture's caption or alt text, or the message without it.
    description: str
    #: The PNG file; None when charts are not installed (``pip install 'smassist[charts]'``).
    path: Path | None


def chart_attachments(kb: KnowledgeBase, reply: Reply) -> Iterator[Attachment]:
    """Each series of a trend reply with its chart, drawn on demand (a generator: send as they come)."""
    from smassist.trends import charts
    from smassist.trends.series import build_trend

    drawing = True
    for series_id in reply.extra.get("series") or []:
        if series_id not in kb.series:
            continue
        path = charts.chart_or_none(kb, series_id, reply.lang) if drawing else None
        if path is None and drawing:
            drawing = False
            _logger().info("No chart for the trend: %s", text("en", "chart.install_hint"))
        description = build_trend(kb, kb.series[series_id], reply.lang).render()
        yield Attachment(series_id, kb.series[series_id].label[reply.lang], description, path)


# --- retries and logging ---------------------------------------------------------

T = TypeVar("T")


async def retrying(call: Callable[[], Awaitable[T]], *, retry_on: tuple[type[BaseException], ...],
                   never: tuple[type[BaseException], ...] = (), attempts: int = 3,
                   pause: float = 0.5, what: str = "the platform",
                   log: logging.Logger | None = None) -> T:
    """``await call()``, again after a transient error (``retry_on`` but not ``never``), with back-off."""
    import asyncio

    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except retry_on as exc:
            if isinstance(exc, never) or attempt == attempts:
                raise
            (log or _logger()).warning("Network error talking to %s (attempt %d): %s",
                                       what, attempt, exc)
            await asyncio.sleep(pause * attempt)
    raise AssertionError("unreachable")


# --- the base ---------------------------------------------------------------------


class Channel:
    """One door to the assistant. Subclasses set :attr:`name` and implement the three ``send`` methods."""

    #: The channel's name in conversation keys and in the question log.
    name: ClassVar[str] = "channel"
    #: What this platform's user ids look like, to pick its own among ``SMASSIST_ADMINS``
    #: (None: every id).
    admin_id: ClassVar[re.Pattern[str] | None] = None
    #: The commands this channel offers (names of :data:`COMMANDS`).
    command_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, assistant: Assistant, settings: Settings | None = None):
        self.assistant = assistant
        self.settings = current(settings)
        # The access files are read once at start: one that cannot be read stops the
        # channel with a message naming it (later, a reload keeps the lists in force).
        for source in self.settings.access_files():
            _ = source.ids

    # --- conversations and language -------------------------------------------------

    def conversation(self, *parts: object) -> str:
        return conversation_key(self.name, *parts)

    def language_hint(self, question: str, conversation: str,
                      locale: str | Callable[[], str | None] | None) -> str | None:
        """The user's platform language, only when the text cannot tell and the conversation has none yet.

        ``locale`` may be a function (a platform call): it is only called when needed.
        """
        from smassist.language.detect import detect

        if self.assistant.conversations.get(conversation).lang:
            return None
        if detect(question, "fr") == detect(question, "en"):
            return None  # the text decides
        return locale() if callable(locale) else locale

    def ui_lang(self, conversation: str | None, *locales: str | None, default: str = "en") -> str:
        """The language of the channel's own words: the conversation's, else the first locale we speak."""
        last = self.assistant.conversations.get(conversation).lang if conversation else None
        for candidate in (last, *locales):
            code = lang_code(candidate)
            if code:
                return code
        return speak(default)

    # --- asking and the question log ----------------------------------------------------

    def ask(self, question: str, conversation: str, user: object = None,
            locale: str | Callable[[], str | None] | None = None) -> Reply:
        hint = self.language_hint(question, conversation, locale)
        reply = self.assistant.ask(question, lang=hint, conversation=conversation,
                                   channel=self.name, user=None if user is None else str(user))
        if reply.kind == "help":  # "aide", "help" typed as a message: the commands too
            reply = self.with_commands(reply, admin=self.is_admin(user))
        return reply

    def log_feedback(self, reply_id: str, useful: bool, user: object) -> None:
        self.assistant.record_feedback(reply_id, useful, channel=self.name, user=str(user))

    def log_click(self, reply_id: str, entry: str, user: object) -> None:
        self.assistant.record_click(reply_id, entry, channel=self.name, user=str(user))

    # --- commands and admins ----------------------------------------------------------

    def offered_commands(self, admin: bool = False) -> list[Command]:
        """This channel's commands in menu order (admin-only ones for admins)."""
        return [COMMANDS[n] for n in self.command_names if admin or not COMMANDS[n].admin_only]

    #: How a command is typed on this platform: "/" + its name ("/smassist " on Slack).
    command_prefix: ClassVar[str] = "/"

    def command_lines(self, lang: str, admin: bool = False) -> list[str]:
        """'/help — Ce que je sais faire': this channel's commands, as its users type them."""
        return [f"{self.command_prefix}{c.name} — {c.description(lang)}"
                for c in self.offered_commands(admin=admin)]

    def with_commands(self, reply: Reply, admin: bool = False) -> Reply:
        """A help reply that also lists this channel's commands (``extra['commands']``)."""
        lines = self.command_lines(reply.lang, admin=admin)
        if not lines:
            return reply
        import dataclasses  # off the start-up path: only a help reply uses it

        return dataclasses.replace(reply, extra={**reply.extra, "commands": lines})

    def admin_ids(self) -> tuple[str, ...]:
        """This platform's ids among ``SMASSIST_ADMINS``, in order."""
        pattern = self.admin_id
        ids = dict.fromkeys((*self.settings.admins, *self.settings.file_admins()))
        return tuple(i for i in ids if pattern is None or pattern.fullmatch(i))

    def reread_access(self) -> list[str]:
        """Read the access files again (``SMASSIST_ADMINS_FILE``,
        ``SMASSIST_TELEGRAM_ALLOWED_FILE``; on ``/reload`` and each knowledge-base reload):
        the problems, for which the lists in force are kept."""
        problems = self.settings.reread_access()
        for problem in problems:
            _logger().warning("access list kept as it was: %s", problem)
        return problems

    def is_admin(self, user: object) -> bool:
        return user is not None and str(user).strip() in self.admin_ids()

    def admin_text(self, name: str, lang: str) -> str:
        """What the shared admin commands answer (``reload``, ``report``), as plain text.

        ``reload`` also reads the access files again and says so."""
        files = self.settings.access_files()
        if name != "reload" or not files:
            return admin_text(self.assistant, name, lang, self.settings)
        problems = self.reread_access()
        said = admin_text(self.assistant, name, lang, self.settings)
        if problems:
            return "\n".join([said, *(text(lang, "admin.access_kept", problem=p) for p in problems)])
        return f"{said}\n{text(lang, 'admin.access_reread', files=', '.join(str(f.path) for f in files))}"

    def notify_admins(self, message: str) -> list[str]:
        """Send ``message`` (plain text) to each admin of this platform; the ids reached."""
        reached = []
        for admin in self.admin_ids():
            try:
                self.send_to_admin(admin, message)
            except Exception as exc:  # one unreachable admin must not stop the others
                _logger().warning("could not notify admin %s on %s: %s", admin, self.name,
                               type(exc).__name__)
                continue
            reached.append(admin)
        return reached

    def watch(self, interval: float = 1.0,
              on_reload: Callable[[ReloadOutcome], object] | None = None) -> Watcher:
        """Serve knowledge-base edits live; each admin hears once about a broken edit (and its fix)."""
        from smassist.admin.reloader import start_watcher

        return start_watcher(self.assistant, notify=self.notify_admins, interval=interval,
                             on_reload=self.rereading_access(on_reload))

    def rereading_access(self, then: Callable[[ReloadOutcome], object] | None = None
                         ) -> Callable[[ReloadOutcome], object]:
        """A watcher's ``on_reload``: the access files are read again at each knowledge-base
        reload, then ``then(outcome)``."""

        def reloaded(outcome: ReloadOutcome) -> object:
            self.reread_access()
            return then(outcome) if then is not None else None

        return reloaded

    def chart_attachments(self, reply: Reply) -> Iterator[Attachment]:
        return chart_attachments(self.assistant.kb, reply)

    # --- what a platform implements -----------------------------------------------------

    def send_reply(self, where: Any, reply: Reply) -> Any:
        """Show ``reply`` at ``where`` (the platform's place), with a plain-text fallback."""
        raise NotImplementedError

    def send_picture(self, where: Any, attachment: Attachment) -> Any:
        """Attach a picture (a chart) at ``where``."""
        raise NotImplementedError

    def send_to_admin(self, admin: str, message: str) -> Any:
        """Send plain text privately to one admin."""
        raise NotImplementedError
