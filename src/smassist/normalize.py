"""Text normalisation for French and English questions.

Case and accent folding, apostrophe variants, French elisions (l', d', qu'...),
punctuation, stop words and Snowball stemming; numbers are kept.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|presqu)'(?=\w)")
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")

STOPWORDS = {
    "fr": frozenset(
        ["a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "en", "et", "est", "etre", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "c", "d", "j", "l", "m", "n", "s", "t", "ca", "cela", "ceci", "sont", "ont", "avez", "avons", "ai", "as", "font", "fait", "faire", "faut", "il", "y", "est-ce", "quoi", "quel", "quelle", "quels", "quelles", "comment", "pourquoi", "combien", "est-ce-que", "donc", "alors", "bon", "bien", "tres", "plus", "moins"]
    ),
    "en": frozenset(
        ["a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "i", "you", "we", "they", "he", "she", "it", "my", "our", "your", "their", "its", "me", "us", "them", "this", "that", "these", "those", "what", "which", "who", "whom", "how", "why", "when", "where", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "have", "has", "had", "there", "here", "about", "into", "than", "then", "so", "if", "not", "no", "any", "some"]
    ),
}


def fold(text: str) -> str:
    """Lower case, without accents, with straight apostrophes."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded words and numbers, French elisions removed ("l'entreprise" -> "entreprise")."""
    return _TOKEN.findall(_ELISION.sub(" ", fold(text)))


@lru_cache(maxsize=4)
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer("french" if lang == "fr" else "english")


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    if word.isdigit() or len(word) <= 2:
        return word
    return _stemmer(lang).stemWord(word)


def terms(text: str, lang: str, stopwords: frozenset[str] | None = None) -> list[str]:
    """Stemmed content words of ``text`` for matching."""
    stop = STOPWORDS[lang] if stopwords is None else stopwords
    return [stem(w, lang) for w in tokens(text) if w not in stop]
