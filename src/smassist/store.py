"""Kept for ``smassist.store.open_default_store()`` (docs/INTERFACE.md): the store lives in
:mod:`smassist.admin.store`."""

from smassist.admin.store import *  # noqa: F403
