"""Tell French from English, falling back to the caller's hint on short text."""

from __future__ import annotations

from smassist.language.normalize import tokens

_MARKERS = {
    "fr": frozenset(
        ["le", "la", "les", "des", "du", "de", "un", "une", "et", "est", "sont", "pour", "avec", "dans", "sur", "qui", "que", "quoi", "quel", "quelle", "quels", "quelles", "comment", "combien", "pourquoi", "nous", "vous", "on", "notre", "nos", "votre", "vos", "ce", "cette", "ces", "il", "elle", "ils", "faut", "faire", "fait", "entreprise", "entreprises", "boite", "reseaux", "sociaux", "charte", "chiffres", "mesurer", "mesurent", "ont", "avoir", "une", "leur", "leurs", "au", "aux", "pas", "ne", "ou", "ca", "moi", "je", "tu", "bonjour", "salut", "merci", "oui", "non", "plus", "moins", "quand", "donc", "aussi", "tres", "deja", "chez", "selon"]
    ),
    "en": frozenset(
        ["the", "a", "an", "and", "is", "are", "for", "with", "in", "on", "who", "what", "which", "how", "many", "much", "why", "we", "you", "our", "your", "this", "that", "these", "it", "they", "do", "does", "did", "should", "can", "could", "would", "have", "has", "companies", "company", "social", "media", "networks", "policy", "measure", "firms", "of", "to", "from", "there", "please", "thanks", "hello", "hi", "yes", "no", "more", "less", "when", "so", "also", "very", "already", "at", "by"]
    ),
}


def detect(text: str, hint: str | None = None) -> str:
    """'fr' or 'en'. ``hint`` (a locale such as 'fr-FR' or 'en') decides a tie."""
    fallback = _lang_of(hint) or "fr"
    words = tokens(text)
    if not words:
        return fallback
    score = {lang: sum(map(markers.__contains__, words)) for lang, markers in _MARKERS.items()}
    # French accents are strong evidence even in a two-word question.
    if any(ch in text for ch in "éèêàùçôîœ"):
        score["fr"] += 2
    if score["fr"] == score["en"]:
        return fallback
    return "fr" if score["fr"] > score["en"] else "en"


def _lang_of(locale: str | None) -> str | None:
    if not locale:
        return None
    code = locale.strip().lower().replace("_", "-").split("-")[0]
    return code if code in ("fr", "en") else None
