"""smassist: answers on corporate social-media strategy, with sourced figures.

``from smassist import Assistant`` is the entry point; see README.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant
    from smassist.answering.reply import Reply

__all__ = ["Assistant", "Reply"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `smassist --help` and `kb check` don't pay for the engine.
    if name == "Assistant":
        from smassist.answering.assistant import Assistant

        return Assistant
    if name == "Reply":
        from smassist.answering.reply import Reply

        return Reply
    raise AttributeError(f"module 'smassist' has no attribute {name!r}")
