"""The sentences of grounding, follow-ups, small talk and declines: the ``reply.*`` entries of
the one catalogue, :mod:`smassist.texts` (kept here under the names reply building uses)."""

from __future__ import annotations

from smassist.texts import scoped

#: ``say(lang, "covered", ...)`` is ``smassist.texts.text(lang, "reply.covered", ...)``.
say = scoped("reply")


def join_words(items: list[str], lang: str) -> str:
    """'A', 'A et B', 'A, B et C' (English: 'A, B and C')."""
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(lang, 'and')} {items[-1]}"
