"""Starting a channel or a command: the assistant it serves, and a clear error instead of a traceback.

Light on purpose (no :mod:`logging`, no platform library): the command line
imports it on every start.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant
    from smassist.settings import Settings

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

class CommandError(Exception):
    """A clear message for the user and an exit code; never a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def load_assistant(kb: str | None = None, settings: Settings | None = None, *,
                   compile_apart: bool = False) -> Assistant:
    """The assistant on ``kb`` (or the configured one); a broken knowledge base is a CommandError (exit 2).

    ``compile_apart`` (the long-running servers): when the compiled cache is cold,
    compile in a child process first (:func:`compile_in_child`), so that the
    server only ever reads the cache.
    """
    from smassist.answering.assistant import Assistant

    if compile_apart:
        from smassist.settings import current

        settings = current(settings)
        compile_in_child(settings.knowledge_path(kb), settings)
    try:
        return Assistant.load(kb, settings=settings)
    except Exception as exc:
        # Imported only on failure: the loader pulls in YAML and pydantic, which
        # a warm cache never needs (about 0.3 s of `smassist ask`).
        from smassist.kb.loader import KnowledgeBaseError

        if isinstance(exc, KnowledgeBaseError):
            raise CommandError(exc.report(), EXIT_USAGE) from None
        raise


def compile_in_child(root: str | os.PathLike[str], settings: Settings) -> bool:
    """Fill the compiled cache for ``root`` from a child process when it is cold; True if it is warm now.

    See :func:`smassist.language.compiled.fill_in_child`: a server never trains in its
    own process, so it never keeps the training libraries and their memory.
    """
    from pathlib import Path

    from smassist.language import compiled

    root = Path(root)
    if settings.no_cache or compiled.is_cached(root, settings):
        return not settings.no_cache
    import logging

    logging.getLogger("smassist.serve").info(
        "compiling the knowledge base in a separate process (first start of this version)")
    return compiled.fill_in_child(root, settings)


def serving_assistant(kb: str | None = None, settings: Settings | None = None) -> Assistant:
    """The assistant a channel serves: :func:`load_assistant` with the configured question log."""
    from smassist.admin.store import open_default_store

    assistant = load_assistant(kb, settings)
    assistant.recorder = open_default_store(settings)
    return assistant


def close_question_log(assistant: Assistant) -> None:
    """The question log's writer gets its last lines to disk (bounded) before serving ends."""
    close = getattr(assistant.recorder, "close", None)
    if close is not None:
        close(timeout=2.0)
