"""Logging for ``smassist serve``: INFO on stderr, secrets blanked, noisy HTTP clients quiet."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redacting(logging.Formatter):
    """Formats like ``inner`` with the secrets blanked out (URLs carry bot tokens)."""

    def __init__(self, inner: logging.Formatter, hidden: Iterable[str]):
        super().__init__()
        self.inner = inner
        self.hidden = [h for h in hidden if h]

    def format(self, record: logging.LogRecord) -> str:
        formatted = self.inner.format(record)
        for value in self.hidden:
            formatted = formatted.replace(value, "<hidden>")
        return formatted


def configure_logging(*hidden: str, quiet: Iterable[str] = (),
                      filters: Iterable[logging.Filter] = ()) -> None:
    """INFO logs on stderr for ``serve``, never showing ``hidden`` values (tokens, secrets).

    ``quiet`` loggers (HTTP clients that log every request URL) are kept to
    warnings; ``filters`` (one per kind) are added to every handler.
    """
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    for noisy in quiet:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    wanted = list(filters)
    for handler in root.handlers:
        if any(hidden):
            inner = handler.formatter or logging.Formatter(LOG_FORMAT)
            if isinstance(inner, Redacting):
                inner = inner.inner
            handler.setFormatter(Redacting(inner, hidden))
        for extra in wanted:
            if not any(type(f) is type(extra) for f in handler.filters):
                handler.addFilter(extra)
