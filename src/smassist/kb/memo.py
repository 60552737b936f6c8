"""What answering works out from a knowledge-base version alone, remembered per version.

A version is immutable (:class:`~smassist.kb.runtime.KnowledgeBase` and everything in it
are frozen records), so anything computed from it alone, a figure's citation line, an
entry's answer for a kind of question, whether anything measures a platform, holds
for as long as that version is served. :func:`memo` gives a dictionary per (version,
name), found by the version's identity (a reload serves a new object, and its memos
start empty); a few versions are kept, for the reloads of a long-running server.

Keys are ids and languages, never a question's text: what is remembered is bounded by
the knowledge base, not by what users ask. Two threads may compute the same value at
once; both get an equal result, and one is kept.
"""

from __future__ import annotations

from typing import Any

#: Versions whose memos are kept (the served one, and those of recent reloads).
VERSIONS = 8
#: Entries of one memo before it starts again (a bound, not a size anyone should reach).
LIMIT = 20_000

_memos: dict[int, tuple[object, dict[str, dict[Any, Any]]]] = {}


def memo(kb: object, name: str) -> dict[Any, Any]:
    """The dictionary named ``name`` of the version ``kb`` (empty the first time)."""
    hit = _memos.get(id(kb))
    if hit is None or hit[0] is not kb:
        if len(_memos) >= VERSIONS:  # old versions after reloads
            _memos.clear()
        hit = _memos[id(kb)] = (kb, {})
    found = hit[1].get(name)
    if found is None or len(found) > LIMIT:
        found = hit[1][name] = {}
    return found
