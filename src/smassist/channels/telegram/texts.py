"""What the Telegram bot says on its own: the ``telegram.*`` and ``command.*`` entries of
the one catalogue, :mod:`smassist.texts` (kept here under the names the bot uses)."""

from __future__ import annotations

from smassist.texts import LANGS, descriptions, lang_code, scoped

__all__ = ["COMMAND_DESCRIPTIONS", "LANGS", "text", "ui_lang"]

#: ``text(lang, "start")`` is ``smassist.texts.text(lang, "telegram.start")``.
text = scoped("telegram")

#: Descriptions shown in Telegram's command menu (setMyCommands; at most 256 characters).
COMMAND_DESCRIPTIONS: dict[str, dict[str, str]] = {
    name: descriptions(f"command.{name}")
    for name in ("start", "help", "topics", "ask", "stats", "source")
}


def ui_lang(*candidates: str | None) -> str:
    """The first candidate (a language code such as ``fr-FR``) we speak, else English.

    English, not the catalogue's French default: a Telegram user whose app speaks
    neither language more likely reads English.
    """
    for candidate in candidates:
        code = lang_code(candidate)
        if code:
            return code
    return "en"
