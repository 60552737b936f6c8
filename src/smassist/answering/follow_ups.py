"""The short messages that refer to the last answer of a conversation.

"source ?", "sources", "plus de détails", "tell me more" are about the last
answer in the same conversation; "2" picks the second "did you mean" choice.
Written for folded text (lower case, no accents): UI language, not domain.
"""

from __future__ import annotations

import re

from smassist.language.normalize import fold

_FOLLOW_UPS = {
    "sources": (
        r"sources?", r"(?:la |les |tes |vos |quelles? )?sources?(?: stp| svp| please)?",
        r"d ?ou (?:vien(?:nen)?t|sort(?:ent)?) (?:ce|ces|le|les|tes|vos) (?:chiffres?|stats?|statistiques?|infos?)",
        r"(?:what(?:s| is| are)? )?(?:the |your )?sources?", r"where (?:does|do) (?:this|that|these|the) (?:figures?|numbers?|stats?|data) come from",
        r"(?:c est )?quoi (?:la|les|tes|vos) sources?", r"references?", r"ref(?:s)?", r"citations?",
        r"which stud(?:y|ies)", r"quelles? etudes?",
    ),
    "details": (
        r"(?:plus de |encore des? )?details?", r"(?:dis|dites)[- ]?m(?:oi|en) plus", r"en savoir plus",
        r"tell me more", r"more(?: details| info(?:rmation)?)?", r"(?:can you )?elaborate", r"developpe[sz]?",
        r"et (?:encore|apres) ?", r"go on", r"(?:plus d )?infos?",
    ),
    "help": (r"help", r"aide", r"\?+", r"menu", r"que sais[- ]tu faire", r"what can you do"),
}
_PATTERNS = {
    kind: re.compile(r"^(?:" + "|".join(patterns) + r")$") for kind, patterns in _FOLLOW_UPS.items()
}


def follow_up_kind(text: str) -> str | None:
    """'sources', 'details' or 'help' when the whole message is such a follow-up."""
    folded = " ".join(re.findall(r"[a-z0-9?]+", fold(text).replace("'", " ")))
    folded = re.sub(r"\s*\?+$", "", folded).strip() or folded.strip()
    for kind, pattern in _PATTERNS.items():
        if pattern.match(folded):
            return kind
    return None


def choice_number(text: str) -> int | None:
    """1, 2 or 3 when the whole message picks a numbered choice."""
    match = re.fullmatch(r"\s*#?([1-9])\s*[.)]?\s*", text)
    return int(match.group(1)) if match else None
