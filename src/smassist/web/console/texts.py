"""The console's words: the ``console.*`` sentences of the one catalogue, :mod:`smassist.texts`.

Templates read them as ``t.NAME`` (``t.serving.format(...)``); one mapping per language,
built once from the catalogue, so the console keeps the catalogue's languages and test.
"""

from __future__ import annotations

from smassist.texts import CATALOGUE, LANGS, speak

__all__ = ["LANGS", "texts"]

_PREFIX = "console."
_TEXTS: dict[str, dict[str, str]] = {
    lang: {key[len(_PREFIX):]: str(value) for key, value in CATALOGUE[lang].items()
           if key.startswith(_PREFIX)}
    for lang in LANGS
}


def texts(lang: str) -> dict[str, str]:
    """The console's sentences in ``lang`` (a language we don't speak reads the catalogue's default)."""
    return _TEXTS[speak(lang)]
