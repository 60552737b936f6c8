"""Where smassist finds its knowledge base and keeps its files: kept for the names it had.

Everything here is read through :mod:`smassist.settings` (one place for the
environment); new code takes a :class:`~smassist.settings.Settings` instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from smassist.settings import LOG_OFF_VALUES as LOG_OFF_VALUES
from smassist.settings import Settings
from smassist.settings import bundled_knowledge as bundled_knowledge


def question_log_off() -> bool:
    """True when ``SMASSIST_DB`` turns the question log off (then nothing imports the store)."""
    return Settings.from_env().question_log_off


def knowledge_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path``, else ``$SMASSIST_KB``, else ``./knowledge``, else the bundled knowledge base."""
    return Settings.from_env().knowledge_path(path)


def cache_dir() -> Path:
    return Settings.from_env().cache_dir()


def data_dir() -> Path:
    return Settings.data_dir()
