"""``smassist ask`` and ``smassist chat``: questions from the terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smassist.cli.common import (
    EXIT_OK,
    color_wanted,
    load_assistant,
    print_json,
    question_log,
    settings_of,
)


def cmd_ask(args: argparse.Namespace) -> int:
    from smassist.channels.terminal import render as terminal

    assistant = load_assistant(args)
    assistant.recorder = question_log(args)
    color = color_wanted(args)
    # Which folder answered (issue 17): an admin sees whether their edits are the ones served.
    served = {**args.knowledge_folder.to_dict(), "version": assistant.kb.version[:12]}

    def answer(question: str) -> None:
        reply = assistant.ask(question, lang=args.lang, conversation="cli:ask", channel="cli")
        if args.json:
            print_json({**reply.to_dict(), "knowledge_base": served})
        else:
            sys.stdout.write(terminal.render(reply, color=color) + "\n")

    try:
        if args.question:
            answer(" ".join(args.question))
            return EXIT_OK
        first = True
        for line in sys.stdin:
            question = line.rstrip("\r\n")
            if not question.strip():
                continue
            if not args.json and not first:
                sys.stdout.write("\n")
            answer(question)
            sys.stdout.flush()
            first = False
        return EXIT_OK
    finally:
        _close(assistant.recorder)


def cmd_chat(args: argparse.Namespace) -> int:
    from smassist.channels.terminal.chat import run_chat

    assistant = load_assistant(args)
    sys.stderr.write(f"Knowledge base: {args.knowledge_folder.describe()}\n")
    assistant.recorder = question_log(args)
    try:
        return run_chat(assistant, lang=args.lang, color=color_wanted(args),
                        settings=settings_of(args))
    finally:
        _close(assistant.recorder)


def _close(recorder: Any) -> None:
    """The question log's writer gets its last lines to disk (bounded) before the command ends."""
    close = getattr(recorder, "close", None)
    if close is not None:
        close(timeout=2.0)


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    ask = commands.add_parser("ask", parents=[common], help="answer one question (or one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question; omitted: one question per line on stdin")
    ask.add_argument("--lang", choices=("fr", "en"), help="answer language when the question is too short to tell")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer, one per line")
    ask.set_defaults(handler=cmd_ask)

    chat = commands.add_parser("chat", parents=[common], help="interactive session in the terminal")
    chat.add_argument("--lang", choices=("fr", "en"))
    chat.set_defaults(handler=cmd_chat)
