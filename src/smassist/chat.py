"""`smassist chat`: an interactive terminal session with history."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from smassist import terminal
from smassist.assistant import Assistant

_INTRO = {
    "fr": "smassist — posez une question sur les médias sociaux en entreprise. /topics, /help, /quit.",
    "en": "smassist — ask about social media in companies. /topics, /help, /quit.",
}


def _setup_history() -> Path | None:
    try:
        import readline
    except ImportError:  # Windows without pyreadline: no history, still works
        return None
    from smassist.paths import data_dir

    path = data_dir() / "chat_history"
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


def run_chat(assistant: Assistant, lang: str | None = None) -> int:
    interactive = sys.stdin.isatty()
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    history = _setup_history() if interactive else None
    lang = lang or "fr"
    conversation = f"chat:{os.getpid()}"
    if interactive:
        print(_INTRO[lang])
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
            else:
                reply = assistant.ask(text, lang=lang, conversation=conversation)
                lang = reply.lang
            print(terminal.render(reply, color=color))
            print()
    except KeyboardInterrupt:
        print()
    finally:
        _save_history(history)
    return 0
