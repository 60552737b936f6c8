"""Short messages that are not questions of their own: "source ?", "plus de détails", "2",
small talk, "pourquoi ?", "et en 2017 ?".

"source ?", "plus de détails", "tell me more" are about the last answer in the same
conversation; "2" picks the second "did you mean" choice. These are UI phrases (how
people talk to an assistant, folded: lower case, no accents), not domain knowledge.
"""

from __future__ import annotations

import re

from smassist.answering.kinds import question_words
from smassist.kb.runtime import EntityInfo
from smassist.language.normalize import fold

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
# "et en chiffres ?" refers back; "les chiffres ?" alone may be a (vague) question of its own.
_FIGURES = re.compile(r"^(?:mais |et |ok |and |so |but )?(?:(?:en|in|with) (?:chiffres|figures|numbers)|"
                      r"chiffres a l appui)(?: stp| svp| please)?$")
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
    """'why', 'how' or 'figures' ("et en chiffres ?") when the whole message asks that of the
    last answer."""
    words = _words(text)
    if _WHY.match(words):
        return "why"
    if _HOW.match(words):
        return "how"
    if _FIGURES.match(words):
        return "figures"
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
    leftover = [w for w in _without_entities(words, entities).split() if w not in _REASK_FILLER]
    return not leftover


def _without_entities(words: str, entities: list[EntityInfo]) -> str:
    """``words`` with every name of ``entities`` taken out (longest names first)."""
    for entity in entities:
        for name in sorted(entity.names, key=len, reverse=True):
            words = re.sub(rf"(?<![a-z0-9]){re.escape(_words(name))}(?![a-z0-9])", " ", words)
    return words


_REASK_FILLER = frozenset(("en", "in", "pour", "for", "les", "the", "la", "le", "l", "aux", "au"))


#: "et aux États-Unis ?", "and in 2017?", "same for SMEs?": only ever about a question before.
_BACK_REFERENCE = re.compile(r"^(?:et|and|meme question pour|pareil pour|idem pour|same for|"
                             r"same question for|same for the)\b")


def refers_back(text: str) -> bool:
    """True when the message opens by referring to a question before it ("et ...", "same for ...")."""
    return bool(_BACK_REFERENCE.match(_words(text)))


def bare_reask(text: str, entities: list[EntityInfo]) -> bool:
    """True when the message is a re-ask ("et aux États-Unis ?") that cannot be a question of
    its own: it opens by referring back and names only what it is about. Without a question
    before it, it has nothing to be about ("what about LinkedIn?" can be one, so it is not)."""
    words = _words(text)
    if not entities or not _BACK_REFERENCE.match(words) or len(words.split()) > 7:
        return False
    rest = _without_entities(_BACK_REFERENCE.sub(" ", words), entities)
    return all(w in _BACK_FILLER for w in rest.split())


_BACK_FILLER = _REASK_FILLER | {"a", "chez", "at", "among", "dans", "on", "sur", "du", "cote",
                                "des", "de", "d", "les", "question"}


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
    """The number when the whole message is one ("2", "#3", "0": a pick, valid or not)."""
    match = re.fullmatch(r"\s*#?([0-9])\s*[.)]?\s*", text)
    return int(match.group(1)) if match else None
