"""Input hygiene: what a question says once the wrapping of its channel is taken off.

Messages arrive wrapped: HTML from a web form or a pasted page (``<b>charte</b>``,
``&eacute;``), Slack's own syntax (``<@U123>`` mentions, ``<#C1|general>`` channels,
``<!channel>``, ``<https://x|label>`` links), Markdown fences, invisible
characters (zero-width spaces, bidi controls) and terminal colour codes that
a copy-paste carries inside a word. :func:`clean_question` strips all of it
before matching; the original text is kept for the question log.

:func:`printable` is the other direction: logged text shown on an admin's
terminal, with every control character made visible instead of obeyed.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata

#: ANSI/VT escape sequences: CSI (colours, cursor), OSC (titles, links), and lone ESC pairs.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
#: Zero-width and bidi formatting characters: invisible, and they split a word in two.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
#: Slack: user and channel mentions, special mentions, links with or without a label.
_SLACK_USER = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^<>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#C[A-Z0-9]+(?:\|([^<>]*))?>")
_SLACK_SPECIAL = re.compile(r"<!(?:channel|here|everyone|subteam\^[A-Z0-9]+|date\^[^<>]*)(?:\|[^<>]*)?>")
_SLACK_LINK = re.compile(r"<((?:https?|mailto|tel):[^<>|\s]+)(?:\|([^<>]*))?>")
#: HTML: comments, script/style blocks (their content is not the question), then any tag.
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_HTML_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I)
_INLINE_TAGS = ("a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i",
                "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong",
                "sub", "sup", "tt", "u", "var", "wbr")
_HTML_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)\b(?:[^<>\"']|\"[^\"]*\"|'[^']*')*/?>")
#: Markdown code fences and inline code marks (the words inside are kept).
_FENCE = re.compile(r"```[a-zA-Z0-9_+-]*|~~~")
_MD_MARKS = re.compile(r"(?<!\w)[`*_~]+|[`*_~]+(?!\w)")


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")


_BLOCK_TAGS = ("address", "article", "aside", "blockquote", "body", "br", "button", "caption",
               "dd", "div", "dl", "dt", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
               "h6", "head", "header", "hr", "html", "img", "input", "label", "li", "main", "meta",
               "nav", "ol", "option", "p", "pre", "section", "select", "table", "tbody", "td",
               "textarea", "th", "thead", "title", "tr", "ul", "iframe", "svg", "link", "object",
               "script", "style", "noscript", "frame", "embed", "source", "video", "audio")


def _tag(match: re.Match[str]) -> str:
    # Inline formatting sits inside a sentence (or a word: "<b>ch</b>arte"); a block tag
    # (<p>, <br>, <div>) separates words. Anything else in angle brackets is the user's
    # own text ("<bad buzz>") and stays.
    name = match.group(1).lower()
    if name in _INLINE_TAGS:
        return ""
    return " " if name in _BLOCK_TAGS else match.group(0)


def strip_markup(text: str) -> str:
    """The text without Slack syntax, HTML tags and entities, Markdown fences and code marks."""
    text = _SLACK_USER.sub(" ", text)
    text = _SLACK_SPECIAL.sub(" ", text)
    text = _SLACK_CHANNEL.sub(lambda m: f" {m.group(1) or ''} ", text)
    text = _SLACK_LINK.sub(lambda m: f" {m.group(2) or ''} ", text)
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_BLOCK.sub(" ", text)
    # Entities first, once: "&lt;b&gt;" is text about a tag, decoded to "<b>" and then stripped
    # like one, so that "&lt;script&gt;" never survives as markup either.
    for _ in range(2):
        text = _HTML_TAG.sub(_tag, html.unescape(text))
    text = _FENCE.sub(" ", text)
    return _MD_MARKS.sub("", text)


def strip_invisible(text: str) -> str:
    """The text without ANSI escapes and zero-width/bidi characters (joined where they split)."""
    return _INVISIBLE.sub("", _ANSI.sub("", text))


def clean_question(text: str) -> str:
    """What is matched: markup, invisible and control characters removed, on one line."""
    text = unicodedata.normalize("NFC", strip_invisible(text))
    text = strip_markup(text)
    text = strip_invisible(text)  # an entity may have decoded to one (&#8203;)
    kept = text if text.isprintable() else "".join(" " if _is_control(ch) else ch for ch in text)
    return " ".join(kept.split())


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control and invisible characters shown escaped.

    Newlines and tabs too, so that one logged question stays on one line of a report.
    """
    out = []
    for ch in text:
        if _is_control(ch) or _INVISIBLE.match(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def terminal_json(value: object, indent: int | None = None) -> str:
    """JSON that is safe on a terminal: like ``json.dumps`` (non-ASCII letters kept), with
    bidi, zero-width and C1 control characters written as ``\\uXXXX`` escapes (same data)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return "".join(f"\\u{ord(ch):04x}" if _INVISIBLE.match(ch) or 0x7f <= ord(ch) < 0xa0 else ch
                   for ch in text)


#: Very frequent words of languages smassist does not answer in, that are not French or
#: English words. Two of them (or one in a two-word message) make a question "other".
_FOREIGN_WORDS = {
    "es": ("cuantas", "cuántas", "cuantos", "cuántos", "empresas", "redes", "sociales", "como",
           "cómo", "para", "tiene", "tienen", "nuestra", "nuestro", "hay", "qué", "debemos",
           "porque", "estrategia", "también", "usan", "una", "las", "los", "del"),
    "de": ("wie", "viele", "unternehmen", "soziale", "sozialen", "medien", "brauchen", "wir",
           "eine", "einen", "sollten", "und", "der", "die", "das", "ist", "sind", "nicht", "mit",
           "für", "warum", "welche", "haben", "unsere", "richtlinie"),
    "it": ("quante", "quanti", "aziende", "sociali", "come", "dobbiamo", "perché", "della",
           "delle", "gli", "sono", "nostra", "hanno", "anche", "una", "che", "strategia"),
    "pt": ("quantas", "empresas", "redes", "sociais", "como", "devemos", "nossa", "são", "têm",
           "uma", "para", "também", "estratégia", "porquê"),
    "nl": ("hoeveel", "bedrijven", "sociale", "hoe", "moeten", "wij", "onze", "een", "het",
           "zijn", "hebben", "waarom", "welke", "voor", "niet"),
}
#: Words the lists above share with French or English, never counted.
_SHARED = {"une", "des", "les", "para", "como", "die", "is", "het", "the", "strategie"}
_WORD = re.compile(r"[^\W\d_]+")


#: Each list without the shared words: what a hit is.
_COUNTED = {code: frozenset(vocabulary) - _SHARED for code, vocabulary in _FOREIGN_WORDS.items()}


def other_language(text: str) -> str | None:
    """The code of the language the question is in, when it is clearly neither French nor English."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) < 2:
        return None
    best, best_hits = None, 0
    for code, counted in _COUNTED.items():
        hits = sum(map(counted.__contains__, words))
        if hits > best_hits:
            best, best_hits = code, hits
    if best is None:
        return None
    if best_hits >= 3 or (best_hits >= 2 and best_hits * 3 >= len(words)):
        return best
    return None
