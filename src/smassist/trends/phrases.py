"""How people ask for a figure over time ("ça évolue ?", "is it growing?"), in folded words.

The assistant's own UI language, not domain knowledge: the answering layer asks
:func:`asks_for_trend` before it switches a question to a trend answer, and the
series finder drops these words before it compares names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smassist.language.normalize import fold

#: How people ask for an evolution (folded: lower case, no accents). UI language, not domain.
TREND_PATTERNS: tuple[str, ...] = (
    # French
    r"evolu\w*", r"progress\w*", r"tendances?", r"au fil (?:des|du) \w+", r"dans le temps",
    r"d annee en annee", r"depuis (?:19|20)\d\d", r"entre (?:19|20)\d\d", r"augmente(?:nt)?",
    r"diminue(?:nt)?", r"recule(?:nt)?", r"stagne(?:nt)?", r"en (?:hausse|baisse)", r"courbe",
    r"graphique", r"historique", r"decolle\w*", r"se (?:repand|generalise)\w*",
    # English
    r"evolv\w*", r"trends?", r"trending", r"over (?:time|the years)", r"year (?:on|over) year",
    r"since (?:19|20)\d\d", r"between (?:19|20)\d\d", r"(?:is|are) (?:growing|rising|falling|declining|increasing|decreasing|spreading|stalling)",
    r"grow(?:s|ing|th)", r"increas(?:e|es|ing)", r"decreas(?:e|es|ing)", r"declin(?:e|es|ing)",
    r"taking off", r"chart", r"graph", r"history", r"changed",
)


@lru_cache(maxsize=1)
def trend_pattern() -> re.Pattern[str]:
    """The compiled trend phrases (compiled on first use: start-up stays lean)."""
    return re.compile(r"\b(?:" + "|".join(TREND_PATTERNS) + r")\b")


def text_fold(text: str) -> str:
    """Folded words separated by single spaces (what the phrase patterns are written for)."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text).replace("'", " ")))


def asks_for_trend(question: str) -> bool:
    """True when the question asks how something moved over time."""
    return bool(trend_pattern().search(text_fold(question)))
