"""`smassist chat`: an interactive terminal session with history."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from smassist import texts as catalogue
from smassist.answering.assistant import Assistant
from smassist.channels.terminal import render as terminal
from smassist.settings import Settings


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


def _start_watching(assistant: Assistant, interval: float):  # -> Watcher
    """Serve edits to the knowledge files live; say so between two questions."""
    import logging

    from smassist.admin.reloader import reload_text, start_watcher

    # The notice below already says it; no second copy from logging's last resort.
    logging.getLogger("smassist.admin.reloader").addHandler(logging.NullHandler())

    def tell(outcome) -> None:
        if outcome.changed or not outcome.ok:
            sys.stderr.write("\n" + reload_text(outcome) + "\n")
            sys.stderr.flush()

    return start_watcher(assistant, interval=interval, on_reload=tell)


def run_chat(assistant: Assistant, lang: str | None = None, *, watch: bool = True,
             watch_interval: float = 1.0, color: bool | None = None) -> int:
    interactive = sys.stdin.isatty()
    watcher = _start_watching(assistant, watch_interval) if watch else None
    if color is None:
        color = sys.stdout.isatty() and not Settings.from_env().no_color
    history = _setup_history() if interactive else None
    lang = lang or "fr"
    conversation = f"chat:{os.getpid()}"
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
            command = text.lower()
            if command in ("/quit", "/exit", "/q", "quit", "exit"):
                break
            if command in ("/help", "/aide"):
                reply = assistant.help(lang)
            elif command in ("/topics", "/sujets"):
                reply = assistant.help(lang, question=text)
            elif command in ("/source", "/sources"):
                reply = assistant.sources(lang, conversation)
            elif command in ("/reload", "/recharger"):
                from smassist.admin.commands import reload_command

                print(reload_command(assistant, lang) + "\n")
                continue
            else:
                reply = assistant.ask(text, lang=lang, conversation=conversation, channel="cli")
                lang = reply.lang
            print(terminal.render(reply, color=color))
            print()
    except KeyboardInterrupt:
        print()
    finally:
        if watcher is not None:
            watcher.stop()
        _save_history(history)
    return 0
