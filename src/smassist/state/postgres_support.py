"""Whether the PostgreSQL extra is installed, checked before importing it."""

from __future__ import annotations

from smassist.state import StateConfigError

INSTALL_HINT = "pip install 'smassist[postgres]'"


def require_driver() -> None:
    """StateConfigError naming the extra when psycopg or psycopg_pool is missing."""
    import importlib

    missing = []
    for name in ("psycopg", "psycopg_pool"):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise StateConfigError(
            f"SMASSIST_DB is a PostgreSQL URL but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed: {INSTALL_HINT}")
