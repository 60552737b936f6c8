"""Kept for ``smassist.reloader.start_watcher`` / ``reload_now`` (docs/INTERFACE.md): the
reloader lives in :mod:`smassist.admin.reloader`."""

from smassist.admin.reloader import *  # noqa: F403
from smassist.admin.reloader import reload_now as reload_now
from smassist.admin.reloader import start_watcher as start_watcher
