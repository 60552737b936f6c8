"""`smassist chat`: an interactive terminal session with history."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from smassist import texts as catalogue
from smassist.answering.assistant import Assistant
from smassist.channels.base import Attachment, Channel
from smassist.channels.terminal import render as terminal
from smassist.settings import Settings

if TYPE_CHECKING:
    from smassist.admin.reloader import ReloadOutcome, Watcher
    from smassist.answering.reply import Reply


def _setup_history() -> Path | None:
    try:
        import readline
    except ImportError:  # Windows without pyreadline: no history, still works
        return None
    path = Settings.data_dir() / "chat_history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(path)
        readline.set_history_length(1000)
    except OSError:
        return None
    return path


def _save_history(path: Path | None) -> None:
    if path is None:
        return
    try:
        import readline

        readline.write_history_file(path)
    except OSError:
        pass


class TerminalChannel(Channel):
    """The terminal as a channel: questions from ``input()``, replies as text on stdout."""

    name = "cli"  # the question log's name for the terminal
    command_names = ("help", "topics", "source", "reload", "quit")

    def __init__(self, assistant: Assistant, settings: Settings | None = None, *,
                 color: bool = False):
        super().__init__(assistant, settings)
        self.color = color

    def send_reply(self, where: TextIO, reply: Reply) -> None:
        where.write(terminal.render(reply, color=self.color) + "\n\n")

    def send_picture(self, where: TextIO, attachment: Attachment) -> None:
        if attachment.path is not None:
            where.write(f"chart: {attachment.path}\n")

    def send_to_admin(self, admin: str, message: str) -> None:
        sys.stderr.write("\n" + message + "\n")  # whoever sits at the terminal is the admin here
        sys.stderr.flush()

    def command_named(self, typed: str) -> str | None:
        """The command a line names ("/aide" is help), or None for a question."""
        word = typed.strip().lower()
        bare = word[1:] if word.startswith("/") else word
        for found in self.offered_commands(admin=True):
            if (word.startswith("/") or found.name == "quit") and bare in found.names:
                return found.name
        return None


def _start_watching(channel: TerminalChannel, interval: float) -> Watcher:
    """Serve edits to the knowledge files live; say so between two questions."""
    import logging

    from smassist.admin.reloader import reload_text

    # The notice below already says it; no second copy from logging's last resort.
    logging.getLogger("smassist.admin.reloader").addHandler(logging.NullHandler())

    def tell(outcome: ReloadOutcome) -> None:
        if outcome.changed or not outcome.ok:
            channel.send_to_admin("", reload_text(outcome))

    return channel.watch(interval, on_reload=tell)


def run_chat(assistant: Assistant, lang: str | None = None, *, watch: bool = True,
             watch_interval: float = 1.0, color: bool | None = None,
             settings: Settings | None = None) -> int:
    interactive = sys.stdin.isatty()
    if color is None:
        color = sys.stdout.isatty() and not Settings.from_env().no_color
    channel = TerminalChannel(assistant, settings, color=color)
    watcher = _start_watching(channel, watch_interval) if watch else None
    history = _setup_history() if interactive else None
    lang = lang or "fr"
    conversation = channel.conversation(os.getpid())
    if interactive:
        print(catalogue.text(lang, "chat.intro"))
    try:
        while True:
            try:
                line = input("> " if interactive else "")
            except EOFError:
                break
            text = line.strip()
            if not text:
                continue
            command = channel.command_named(text)
            if command == "quit":
                break
            if command == "help":
                reply = channel.with_commands(assistant.help(lang), admin=True)
            elif command == "topics":
                reply = assistant.help(lang, question=text)
            elif command == "source":
                reply = assistant.sources(lang, conversation)
            elif command == "reload":
                print(channel.admin_text("reload", lang) + "\n")
                continue
            else:
                reply = assistant.ask(text, lang=lang, conversation=conversation, channel=channel.name)
                if reply.kind == "help":  # "aide" typed alone: whoever sits here may run every command
                    reply = channel.with_commands(reply, admin=True)
                lang = reply.lang
            channel.send_reply(sys.stdout, reply)
    except KeyboardInterrupt:
        print()
    finally:
        if watcher is not None:
            watcher.stop()
        _save_history(history)
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """``smassist serve terminal``: the terminal channel, as ``smassist chat``."""
    from smassist.channels.base import serving_assistant

    assistant = serving_assistant(args.kb, settings)
    return run_chat(assistant, lang=getattr(args, "lang", None),
                    color=sys.stdout.isatty() and not settings.no_color, settings=settings)
