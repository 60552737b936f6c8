"""What a question asks for, and what it names, from the phrases of knowledge/vocabulary.yaml.

- :func:`question_kind`: figure, recommendation, method, reason, comparison or
  trend (or None), the first kind in the vocabulary's order with a phrase in
  the question, the question's language first.
- :func:`named_entities`: the platforms, countries, company sizes, companies,
  populations and years a question names.
- :func:`holds_figure`: whether a sentence states a figure (what ``eval``
  checks in a figure question's first sentence).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from smassist.kb.runtime import LANGS, EntityInfo, Vocabulary
from smassist.language.normalize import fold
from smassist.records import record

#: Kinds whose questions want figures: a named entity the figures miss is said first.
FIGURE_KINDS = ("figure", "comparison", "trend")
#: Entity kinds precise enough to matter whatever the question's kind.
SPECIFIC_ENTITIES = ("platform", "country", "company", "company-size")

_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


@lru_cache(maxsize=64)  # one question is read by kinds, entities and quantities in turn
def question_words(text: str) -> str:
    """Folded words separated by single spaces, '+' read as 'plus' ('Google+'), '€' as
    'euros' and '$' as 'dollars' (what a cost question asks for)."""
    text = fold(text).replace("+", " plus ").replace("'", " ")
    text = text.replace("€", " euros ").replace("$", " dollars ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


class _Phrases:
    """Phrases (folded words joined by single spaces) looked up as whole words.

    ``question_words`` leaves only ``[a-z0-9]`` runs separated by one space, so a
    phrase stands in a question as whole words exactly when `` phrase `` is in
    `` question ``: no regular expression to compile (a hundred of them cost a
    tenth of a second at every start-up).
    """

    __slots__ = ("padded",)

    def __init__(self, phrases: tuple[str, ...]) -> None:
        words = {question_words(p) for p in phrases}
        self.padded = tuple(sorted((f" {w} " for w in words if w), key=len, reverse=True))

    def search(self, words: str) -> bool:
        padded = f" {words} "
        return any(phrase in padded for phrase in self.padded)


def _phrase_pattern(phrases: tuple[str, ...]) -> _Phrases | None:
    matcher = _Phrases(phrases)
    return matcher if matcher.padded else None


class _PhraseIndex:
    """Which of several phrase sets a question holds, each phrase looked up by its first word.

    The same answer as ``_Phrases.search`` on each set, without trying every
    phrase of every set on every question.
    """

    __slots__ = ("first",)

    def __init__(self, sets: list[_Phrases | None]) -> None:
        self.first: dict[str, list[tuple[int, str]]] = {}
        for i, phrases in enumerate(sets):
            for padded in phrases.padded if phrases is not None else ():
                self.first.setdefault(padded.split(" ", 2)[1], []).append((i, padded))

    def found(self, words: str) -> set[int]:
        """The positions of the sets with a phrase in ``words`` (``question_words``)."""
        padded = f" {words} "
        hits: set[int] = set()
        for word in set(words.split(" ")):
            for i, phrase in self.first.get(word, ()):
                if i not in hits and phrase in padded:
                    hits.add(i)
        return hits


@record
class _Compiled:
    kinds: tuple[tuple[str, dict[str, _Phrases | None]], ...]
    entities: tuple[tuple[EntityInfo, _Phrases | None], ...]
    #: Over the (kind, language) pairs, kind by kind in LANGS order; over the entities.
    kind_index: _PhraseIndex
    entity_index: _PhraseIndex
    quantities: tuple[tuple[EntityInfo, _Phrases | None], ...] = ()
    quantity_index: _PhraseIndex | None = None


_cache: dict[int, tuple[Vocabulary, _Compiled]] = {}
_lock = threading.Lock()


def _compiled(vocabulary: Vocabulary) -> _Compiled:
    """The vocabulary's patterns, compiled once per knowledge-base version."""
    key = id(vocabulary)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is vocabulary:
            return hit[1]
        kinds = tuple((kind, {lang: _phrase_pattern(phrases.get(lang, ())) for lang in LANGS})
                      for kind, phrases in vocabulary.kinds)
        entities = tuple((e, _phrase_pattern(e.names)) for e in vocabulary.entities)
        quantities = tuple((q, _phrase_pattern(q.names)) for q in vocabulary.quantities)
        compiled = _Compiled(
            kinds=kinds, entities=entities,
            kind_index=_PhraseIndex([patterns[lang] for _, patterns in kinds for lang in LANGS]),
            entity_index=_PhraseIndex([pattern for _, pattern in entities]),
            quantities=quantities, quantity_index=_PhraseIndex([pattern for _, pattern in quantities]),
        )
        if len(_cache) > 8:  # old versions after reloads
            _cache.clear()
        _cache[key] = (vocabulary, compiled)
        return compiled


def question_kind(vocabulary: Vocabulary, text: str, lang: str) -> str | None:
    """The kind of answer ``text`` asks for, or None when no phrase says it."""
    compiled = _compiled(vocabulary)
    hits = compiled.kind_index.found(question_words(text))
    if not hits:
        return None
    for order in ((lang,), tuple(other for other in LANGS if other != lang)):
        for k, (kind, _) in enumerate(compiled.kinds):
            for code in order:
                if code in LANGS and k * len(LANGS) + LANGS.index(code) in hits:
                    return kind
    return None


def year_entity(year: int) -> EntityInfo:
    return EntityInfo(f"year-{year}", "year", {"fr": str(year), "en": str(year)}, (str(year),))


def named_entities(vocabulary: Vocabulary, text: str) -> list[EntityInfo]:
    """Entities (and years) the question names, in the order of the vocabulary, years last."""
    words = question_words(text)
    compiled = _compiled(vocabulary)
    hits = compiled.entity_index.found(words)
    found = [entity for i, (entity, _) in enumerate(compiled.entities) if i in hits]
    found.extend(year_entity(int(y)) for y in dict.fromkeys(_YEAR.findall(words)))
    return found


def asked_quantity(vocabulary: Vocabulary, text: str) -> EntityInfo | None:
    """The quantity a question asks for (a cost, a time...): the first in the vocabulary's
    order with a phrase in it, so "combien d'entreprises ont un budget" asks for a share."""
    compiled = _compiled(vocabulary)
    assert compiled.quantity_index is not None
    hits = compiled.quantity_index.found(question_words(text))
    for i, (quantity, _) in enumerate(compiled.quantities):
        if i in hits:
            return quantity
    return None


def mentions(entity: EntityInfo, text: str, *, folded: bool = False) -> bool:
    """True when ``text`` (a label, a study name...) names ``entity``.

    ``folded``: ``text`` is already ``question_words(text)``.
    """
    pattern = _names_pattern(entity.names)
    return bool(pattern and pattern.search(text if folded else question_words(text)))


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> _Phrases | None:
    return _phrase_pattern(names)


_FRACTION_WORDS = re.compile(
    r"\b(?:la moitie|moitie|un tiers|deux tiers|un quart|trois quarts|un cinquieme|un dixieme|"
    r"half|one third|two thirds|a quarter|three quarters|one fifth|one tenth|deux fois|twice)\b"
)


_NOT_FIGURES = re.compile(r"(?<![\d,.])(?:19|20)\d\d(?![\d,.%])|\b\d\)|\b\d+(?:e|er|ème|eme|rd|th|nd|st)\b")


def holds_figure(sentence: str) -> bool:
    """True when the sentence states a figure: a number that is not a year, an enumeration
    mark ("1)") or an ordinal ("3e édition"), or a fraction written in words."""
    if re.search(r"\d", _NOT_FIGURES.sub(" ", sentence)):
        return True
    return bool(_FRACTION_WORDS.search(fold(sentence)))


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[A-ZÀ-ÖØ-Ý0-9])|\n+")


def split_first_sentence(text: str) -> tuple[str, str]:
    """(first sentence, the rest) of an answer."""
    match = _SENTENCE_END.search(text)
    if match is None:
        return text.strip(), ""
    rest = text[match.end():].strip()
    # A new paragraph stays one: the rest then starts with its line break.
    return text[:match.start()].strip(), ("\n" + rest if "\n" in match.group() and rest else rest)


def first_sentence(text: str) -> str:
    return split_first_sentence(text)[0]
