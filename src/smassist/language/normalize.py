"""Text normalisation for French and English questions.

Case and accent folding, apostrophe variants, French elisions (l', d', qu'...),
punctuation, stop words and Snowball stemming; numbers are kept.

:class:`Analyzer` adds what a knowledge base defines (``synonyms.yaml``): extra
stop words, and synonym groups whose words or phrases all become one concept
term. A phrase that belongs to several groups (French "RSE": *réseau social
d'entreprise* and *responsabilité sociétale des entreprises*) is resolved by
the other terms of the same text, and stays its own term when nothing decides,
so one sense is never turned into the other. Nothing here knows a domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u2032": "'"}
)
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|presqu|quoiqu)'(?=\w)")
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")

#: Prefix of concept terms; tokens never contain it, so a concept never collides with a word.
CONCEPT = "~"
#: Prefix of stop-word terms: kept for ranking (word order words such as "when"
#: or "how" tell intents apart), but they carry no information for confidence.
STOP = "'"

STOPWORDS = {
    "fr": frozenset(
        ["a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "en", "et", "est", "etre", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "c", "d", "j", "l", "m", "n", "s", "t", "ca", "cela", "ceci", "sont", "ont", "avez", "avons", "ai", "as", "font", "fait", "faire", "faut", "quoi", "quel", "quelle", "quels", "quelles", "comment", "pourquoi", "combien", "donc", "alors", "bon", "bien", "tres", "plus", "moins", "ete", "sera", "etait", "peut", "peuvent", "doit", "doivent", "dois", "suis", "es", "sommes", "etes", "avoir", "ils", "elles", "eux", "si", "ni", "tout", "tous", "toute", "toutes", "quand", "aussi", "comme", "entre", "sans", "sous", "chez", "vers", "deja", "encore", "ici", "la", "lorsque", "puisque", "dont", "ou", "car", "or", "soit", "ceux", "celle", "celles", "celui", "aujourd", "hui"]
    ),
    "en": frozenset(
        ["a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "i", "you", "we", "they", "he", "she", "it", "my", "our", "your", "their", "its", "me", "us", "them", "this", "that", "these", "those", "what", "which", "who", "whom", "how", "why", "when", "where", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "have", "has", "had", "there", "here", "about", "into", "than", "then", "so", "if", "not", "no", "any", "some", "s", "t", "d", "m", "ll", "re", "ve", "don", "doesn", "isn", "aren", "didn", "won", "wasn", "weren", "haven", "hasn", "also", "just", "very", "too", "all", "am", "as", "get", "got", "much", "many", "more", "most", "less", "out", "up", "over", "own", "same", "such", "only", "both", "each", "few", "other", "again", "once", "i", "im", "whats", "hes", "shes", "theyre", "were", "theres", "dont", "cant", "wont", "yours", "ours", "theirs", "himself", "herself", "itself", "myself", "ourselves", "yourself", "him", "her", "his", "hers"]
    ),
}


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case, without accents, with straight apostrophes."""
    text = text.translate(_APOSTROPHES).casefold()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def tokens(text: str) -> list[str]:
    """Folded words and numbers, French elisions removed ("l'entreprise" -> "entreprise")."""
    return list(_tokens(text))


@lru_cache(maxsize=64)  # one question is read by the language detector, the index and the model
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_ELISION.sub(" ", fold(text))))


@lru_cache(maxsize=4)
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer("french" if lang == "fr" else "english")


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    if len(word) <= 2 or not word.isalpha():
        return word
    return _stemmer(lang).stemWord(word)


def terms(text: str, lang: str, stopwords: frozenset[str] | None = None) -> list[str]:
    """Stemmed content words of ``text`` for matching (no synonyms)."""
    stop = STOPWORDS[lang] if stopwords is None else stopwords
    return [stem(w, lang) for w in tokens(text) if w not in stop]


class Analyzer:
    """Turns a text into the terms the engine indexes: stems and synonym concepts.

    Built from a knowledge base's synonym groups ``(lang, terms)`` and extra stop
    words; holds only dicts and tuples, so it pickles small and loads fast.
    """

    def __init__(
        self,
        synonyms: Iterable[tuple[str, Iterable[str]]] = (),
        stopwords: dict[str, Iterable[str]] | None = None,
    ):
        extra = stopwords or {}
        self.stopwords: dict[str, frozenset[str]] = {
            lang: base | {w for word in extra.get(lang, ()) for w in tokens(word)}
            for lang, base in STOPWORDS.items()
        }
        # lang -> stem sequence (stop words kept) -> the groups it belongs to.
        self.phrases: dict[str, dict[tuple[str, ...], tuple[str, ...]]] = {lang: {} for lang in STOPWORDS}
        #: Folded words that synonym terms are made of (the typo corrector may aim at them).
        self.words: set[str] = set()
        self.longest = 1
        for lang_of_group, group in synonyms:
            group = list(group)
            concept = CONCEPT + "_".join(tokens(group[0])) if tokens(group[0]) else None
            if concept is None:
                continue
            for lang in self.phrases:
                if lang_of_group not in ("any", lang):
                    continue
                for term in group:
                    words = tokens(term)
                    if not words:
                        continue
                    self.words.update(words)
                    key = tuple(stem(w, lang) for w in words)
                    known = self.phrases[lang].get(key, ())
                    if concept not in known:
                        self.phrases[lang][key] = (*known, concept)
                    self.longest = max(self.longest, len(key))
        #: The first stem of every phrase: a word that starts none is its own term at once.
        self.firsts: dict[str, frozenset[str]] = {
            lang: frozenset(key[0] for key in phrases) for lang, phrases in self.phrases.items()}

    def is_stopword(self, word: str, lang: str) -> bool:
        return word in self.stopwords[lang]

    def analyze(
        self,
        text: str,
        lang: str,
        *,
        index: bool = False,
        correct: Callable[[str, str], str | None] | None = None,
    ) -> list[str]:
        """The terms of ``text``, in order.

        ``correct(word, lang)`` may replace a word it does not know (typos).
        With ``index=True`` (example questions), an ambiguous phrase keeps its
        own term beside the sense its context gives it, so that a question
        using the bare ambiguous word still finds it.
        """
        stop = self.stopwords[lang]
        words = tokens(text)
        if correct is not None:
            words = [w if w in stop else (correct(w, lang) or w) for w in words]
        stems = [stem(w, lang) for w in words]
        phrases, firsts, longest = self.phrases[lang], self.firsts[lang], self.longest
        items: list[tuple[str, tuple[str, ...]]] = []  # (plain term, concepts)
        i, count = 0, len(stems)
        while i < count:
            if stems[i] in firsts:  # a phrase may start here: the longest one wins
                for n in range(min(longest, count - i), 0, -1):
                    key = tuple(stems[i : i + n])
                    concepts = phrases.get(key)
                    if concepts and not (n == 1 and words[i] in stop):
                        items.append((" ".join(key), concepts))
                        i += n
                        break
                else:
                    items.append((STOP + words[i] if words[i] in stop else stems[i], ()))
                    i += 1
            else:
                items.append((STOP + words[i] if words[i] in stop else stems[i], ()))
                i += 1
        context = {c[0] for _, c in items if len(c) == 1}
        result: list[str] = []
        for plain, concepts in items:
            if not concepts:
                result.append(plain)
            elif len(concepts) == 1:
                result.append(concepts[0])
            else:
                chosen = [c for c in concepts if c in context]
                if len(chosen) == 1:
                    result.append(chosen[0])
                    if index:
                        result.append(CONCEPT + plain.replace(" ", "_"))
                else:
                    result.append(CONCEPT + plain.replace(" ", "_"))
        return result
