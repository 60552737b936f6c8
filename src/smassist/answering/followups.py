"""Short messages that are not questions of their own: small talk, "pourquoi ?", "et en 2017 ?".

These are UI phrases (how people talk to an assistant), not domain knowledge:
they live here, next to "source ?" and "plus de détails" in conversation.py.
"""

from __future__ import annotations

import re

from smassist.answering.kinds import question_words
from smassist.kb.runtime import EntityInfo

_SMALLTALK = {
    "hello": (r"(?:bonjour|bonsoir|salut|coucou|hello|hi|hey|yo|good (?:morning|afternoon|evening)|"
              r"hello there|hi there|bonjour a (?:toi|vous)|re)(?: smassist| tout le monde| everyone| all)?"),
    "thanks": (r"(?:merci|merci beaucoup|merci bien|super merci|top merci|thanks|thank you|thx|ty|"
               r"many thanks|thanks a lot|cheers|parfait merci|great thanks|ok merci|ok thanks)"
               r"(?: beaucoup| bien| a toi| a vous| smassist| so much| a lot)?"),
    "bye": r"(?:au revoir|a plus|a bientot|bonne journee|bonne soiree|ciao|bye|goodbye|see you|see ya|later)",
    "ack": (r"(?:ok|okay|d accord|dac|ca marche|compris|entendu|parfait|super|top|genial|cool|nice|"
            r"great|got it|perfect|understood|alright|all right|fine|tres bien|very good)"),
    "who": (r"(?:qui es tu|t es qui|tu es qui|qui etes vous|c est quoi smassist|tu sers a quoi|"
            r"who are you|what are you|what is smassist|are you a bot|es tu un robot|ca va|comment ca va|"
            r"how are you|how are you doing)"),
}
_SMALLTALK_PATTERNS = {kind: re.compile(rf"^{pattern}$") for kind, pattern in _SMALLTALK.items()}

_WHY = re.compile(r"^(?:mais |et |ah |ok )?(?:pourquoi|pourquoi ca|pourquoi donc|pourquoi cela|"
                  r"pour quelle raison|why|why so|why is that|why that|how come|for what reason|"
                  r"c est a dire pourquoi)$")
_HOW = re.compile(r"^(?:mais |et |ok )?(?:comment|comment faire|comment on fait|comment s y prendre|"
                  r"concretement|en pratique|how|how so|how do we do that|how do i do that|how to|"
                  r"in practice|concretely|what do we do)$")
_REASK_START = re.compile(r"^(?:et|and|what about|how about|et pour|et chez|et en|et aux|et dans|"
                          r"and for|and in|and at|and among|what of|same for|meme question pour|"
                          r"pareil pour|idem pour|et du cote|et cote|et sur|and on)\b")


def _words(text: str) -> str:
    return question_words(text)


def smalltalk_kind(text: str) -> str | None:
    """'hello', 'thanks', 'bye', 'ack' or 'who' when the whole message is small talk."""
    words = _words(text)
    if not words or len(words.split()) > 6:
        return None
    for kind, pattern in _SMALLTALK_PATTERNS.items():
        if pattern.match(words):
            return kind
    return None


def content_follow_up(text: str) -> str | None:
    """'why' or 'how' when the whole message asks that of the last answer."""
    words = _words(text)
    if _WHY.match(words):
        return "why"
    if _HOW.match(words):
        return "how"
    return None


def is_reask(text: str, entities: list[EntityInfo]) -> bool:
    """True for "et aux États-Unis ?", "and in 2017?", "et pour les PME ?": the last question again,
    about something else. It must be short and name what it is about."""
    words = _words(text)
    if not entities or not words or len(words.split()) > 7:
        return False
    if _REASK_START.match(words):
        return True
    # Only the entity itself ("2017 ?", "LinkedIn ?"): nothing else to match.
    rest = words
    for entity in entities:
        for name in sorted(entity.names, key=len, reverse=True):
            rest = re.sub(rf"(?<![a-z0-9]){re.escape(_words(name))}(?![a-z0-9])", " ", rest)
    leftover = [w for w in rest.split() if w not in ("en", "in", "pour", "for", "les", "the", "la", "le", "l", "aux", "au")]
    return not leftover
