"""Kept for ``smassist.store.open_default_store()`` (docs/INTERFACE.md): the store lives in
:mod:`smassist.admin.store`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smassist.admin.store import *  # noqa: F403

if TYPE_CHECKING:
    from smassist.admin.store import QuestionStore
    from smassist.settings import Settings


def open_default_store(settings: Settings | None = None) -> QuestionStore | None:
    """The question log ``SMASSIST_DB`` configures: SQLite (unset or a path), PostgreSQL (a
    ``postgresql://`` URL, reached now) or None (``off``)."""
    from smassist.state.factory import open_question_store

    return open_question_store(settings)
