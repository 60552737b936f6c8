"""Where smassist finds its knowledge base and keeps its files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


#: Values of ``SMASSIST_DB`` that turn the question log off.
LOG_OFF_VALUES = frozenset({"off", "none", "no", "0", "false", "disabled"})


def question_log_off() -> bool:
    """True when ``SMASSIST_DB`` turns the question log off (then nothing imports the store)."""
    return os.environ.get("SMASSIST_DB", "").strip().lower() in LOG_OFF_VALUES


def bundled_knowledge() -> Path:
    """The knowledge base shipped with smassist (in a wheel, or in a source checkout)."""
    installed = _PACKAGE / "knowledge"
    if (installed / "topics.yaml").is_file():
        return installed
    return _PACKAGE.parent.parent / "knowledge"


def knowledge_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``path``, else ``$SMASSIST_KB``, else the bundled knowledge base."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get("SMASSIST_KB")
    return Path(env).expanduser() if env else bundled_knowledge()


def cache_dir() -> Path:
    env = os.environ.get("SMASSIST_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("linux"):
        # What platformdirs answers on Linux, without importing it on every start.
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
        return base / "smassist"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("smassist", appauthor=False))


def data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("smassist", appauthor=False))
