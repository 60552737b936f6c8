"""What every command group shares: loading the assistant, the question log, JSON output.

Only the standard library at the top: this module is on ``smassist ask``'s start-up path.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from smassist.channels.launch import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandError
from smassist.channels.launch import load_assistant as load_assistant_at

if TYPE_CHECKING:
    from datetime import datetime

    from smassist.admin.store import QuestionRecord, SQLiteStore
    from smassist.answering.assistant import Assistant
    from smassist.settings import KnowledgeFolder, Settings

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "CommandError", "Handler"]

Handler = Callable[[argparse.Namespace], int]
#: ``add_parsers(commands, common)`` of one command group.
AddParsers = Callable[[Any, argparse.ArgumentParser], None]


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings :func:`smassist.cli.main` read once (or the environment now, for direct calls)."""
    from smassist.settings import current

    return current(getattr(args, "settings", None))


def knowledge_folder(args: argparse.Namespace, path: str | None = None) -> KnowledgeFolder:
    """The folder the command serves and why (``path`` or ``--kb``, ``SMASSIST_KB``,
    ``./knowledge``, bundled); kept on ``args`` for what the command prints."""
    folder = settings_of(args).knowledge_folder(path or getattr(args, "kb", None))
    args.knowledge_folder = folder
    return folder


def load_assistant(args: argparse.Namespace) -> Assistant:
    """The assistant on the command's knowledge folder; a broken knowledge base exits 2."""
    return load_assistant_at(str(knowledge_folder(args).path), settings_of(args))


def print_json(data: object, indent: int | None = None) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent) + "\n")


def question_log(args: argparse.Namespace) -> SQLiteStore | None:
    """The question log for ask and chat; with ``SMASSIST_DB=off`` the store is not even imported."""
    settings = settings_of(args)
    if settings.question_log_off:
        return None
    from smassist.admin.store import database_url, open_default_store

    if database_url(settings):  # PostgreSQL: psycopg only when asked for
        from smassist.state.factory import open_question_store

        return open_question_store(settings)
    return open_default_store(settings)


def question_store(args: argparse.Namespace) -> SQLiteStore:
    """The question log for the commands that read it; exit 2 when it is off or not supported."""
    from smassist.admin.store import StoreUnavailable, database_url, default_db_path
    from smassist.state.factory import open_question_store

    settings = settings_of(args)
    try:
        path = default_db_path(settings)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if path is None and not database_url(settings):
        raise CommandError("the question log is off (SMASSIST_DB=off)")
    try:
        store = open_question_store(settings, strict=True)
    except StoreUnavailable as exc:
        raise CommandError(str(exc), EXIT_PROBLEMS) from None
    assert store is not None
    return store


def since(text: str | None) -> datetime | None:
    """The moment ``text`` (``30d``, ``12h``) ago; None for no limit; exit 2 for a bad duration."""
    from smassist.admin.store import parse_duration, utcnow

    if not text:
        return None
    try:
        return utcnow() - parse_duration(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def logged_questions(args: argparse.Namespace, age: str | None) -> list[QuestionRecord]:
    """The logged questions of the last ``age`` (all when None); exit 1 if the log can't be read."""
    from smassist.admin.store import StoreUnavailable

    start = since(age)
    try:
        return question_store(args).questions(start)
    except StoreUnavailable as exc:
        raise CommandError(str(exc), EXIT_PROBLEMS) from None


def missing_subcommand(parser: argparse.ArgumentParser) -> Handler:
    """A handler printing ``parser``'s help (``smassist kb`` without a sub-command)."""

    def show_help(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    return show_help


def color_wanted(args: argparse.Namespace) -> bool:
    return sys.stdout.isatty() and not settings_of(args).no_color
