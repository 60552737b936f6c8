"""The longest question read, and ``message`` (kept for its name): the core's sentences are
the ``answer.*`` entries of the one catalogue, :mod:`smassist.texts`."""

from __future__ import annotations

from smassist.texts import scoped

MAX_QUESTION_CHARS = 2000

#: ``message(lang, "clarify")`` is ``smassist.texts.text(lang, "answer.clarify")``.
message = scoped("answer")
