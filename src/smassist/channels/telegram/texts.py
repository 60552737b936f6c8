"""What the Telegram bot says on its own (buttons, commands, refusals), in French and English.

The assistant's answers come from the core (:mod:`smassist.answering.texts` and the
knowledge base); these are only the sentences a Telegram chat needs around them.
"""

from __future__ import annotations

LANGS = ("fr", "en")

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "start": (
            "Bonjour ! Je suis <b>smassist</b> : je réponds aux questions sur la stratégie "
            "des médias sociaux en entreprise, chiffres et sources à l'appui.\n\n"
            "Écrivez simplement votre question, ou touchez un exemple ci-dessous. "
            "Après une réponse, le bouton « Sources » donne d'où viennent les chiffres."
        ),
        "commands_intro": "Commandes :",
        "figures_button": "📊 Les chiffres par sujet",
        "sources_button": "📚 Sources",
        "useful_button": "👍 Utile",
        "not_useful_button": "👎 Pas utile",
        "topics_prompt": "Choisissez un sujet :",
        "stats_prompt": "Les chiffres de quel sujet ?",
        "topic_questions": "<b>{title}</b> : touchez une question.",
        "topic_figures_button": "📊 Les chiffres de ce sujet",
        "stats_title": "📊 <b>Les chiffres : {title}</b>",
        "no_stats": "Je n'ai pas encore de chiffre sourcé sur « {title} ».",
        "unknown_topic": "Je ne connais pas le sujet « {topic} ». Choisissez-en un :",
        "ask_usage": "Écrivez votre question après /ask, par exemple : /ask Faut-il une charte des médias sociaux ?",
        "unknown_command": "Je ne connais pas cette commande. Voici ce que je sais faire :",
        "thanks_useful": "Merci ! Content que ce soit utile.",
        "thanks_not_useful": "Merci, c'est noté : cela aide à améliorer les réponses.",
        "outdated_button": "Ce bouton n'est plus valable (la base de connaissances a changé). Posez la question à nouveau.",
        "not_allowed": (
            "Bonjour ! Ce bot est réservé aux personnes autorisées de l'entreprise. "
            "Pour y avoir accès, envoyez votre identifiant Telegram à un administrateur : <code>{user_id}</code>"
        ),
        "nobody_allowed": (
            "Bonjour ! Ce bot n'est encore ouvert à personne : aucun utilisateur n'a été autorisé. "
            "Envoyez votre identifiant Telegram à un administrateur pour y avoir accès : <code>{user_id}</code>"
        ),
        "not_admin": "Cette commande est réservée aux administrateurs.",
        "error": "Désolé, quelque chose s'est mal passé de mon côté. Réessayez dans un instant.",
        "figure_source": "Source : {source} — lu sur {publisher}",
    },
    "en": {
        "start": (
            "Hello! I'm <b>smassist</b>: I answer questions on corporate social media "
            "strategy, with figures and their sources.\n\n"
            "Just type your question, or tap an example below. After an answer, the "
            "\"Sources\" button tells where the figures come from."
        ),
        "commands_intro": "Commands:",
        "figures_button": "📊 Figures by topic",
        "sources_button": "📚 Sources",
        "useful_button": "👍 Useful",
        "not_useful_button": "👎 Not useful",
        "topics_prompt": "Pick a topic:",
        "stats_prompt": "Figures on which topic?",
        "topic_questions": "<b>{title}</b>: tap a question.",
        "topic_figures_button": "📊 Figures on this topic",
        "stats_title": "📊 <b>Figures: {title}</b>",
        "no_stats": "I have no sourced figure on \"{title}\" yet.",
        "unknown_topic": "I don't know the topic \"{topic}\". Pick one:",
        "ask_usage": "Type your question after /ask, for example: /ask Do we need a social media policy?",
        "unknown_command": "I don't know that command. Here is what I can do:",
        "thanks_useful": "Thanks! Glad it helped.",
        "thanks_not_useful": "Thanks, noted: it helps improve the answers.",
        "outdated_button": "This button has expired (the knowledge base changed). Please ask again.",
        "not_allowed": (
            "Hello! This bot is reserved for authorised people in the company. "
            "To get access, send your Telegram user id to an administrator: <code>{user_id}</code>"
        ),
        "nobody_allowed": (
            "Hello! This bot is not open to anyone yet: no user has been authorised. "
            "Send your Telegram user id to an administrator to get access: <code>{user_id}</code>"
        ),
        "not_admin": "This command is for administrators only.",
        "error": "Sorry, something went wrong on my side. Please try again in a moment.",
        "figure_source": "Source: {source} — read on {publisher}",
    },
}

#: Descriptions shown in Telegram's command menu (setMyCommands; at most 256 characters).
COMMAND_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "start": {"fr": "Présentation et exemples de questions", "en": "What smassist is, with example questions"},
    "help": {"fr": "Ce que je sais faire", "en": "What I can do"},
    "topics": {"fr": "Les sujets et leurs questions", "en": "Topics and their questions"},
    "ask": {"fr": "Poser une question : /ask QUESTION", "en": "Ask a question: /ask QUESTION"},
    "stats": {"fr": "Les chiffres d'un sujet, sourcés : /stats SUJET", "en": "A topic's figures with sources: /stats TOPIC"},
    "source": {"fr": "Les sources de la dernière réponse", "en": "Sources of the last answer"},
}


def text(lang: str, key: str, **values: object) -> str:
    """A sentence in ``lang`` (French when the language is not one we speak)."""
    table = TEXTS.get(lang, TEXTS["fr"])
    return table[key].format(**values)


def ui_lang(*candidates: str | None) -> str:
    """The first candidate (a language code such as ``fr-FR``) we speak, else English."""
    for candidate in candidates:
        if candidate:
            code = candidate.strip().lower().replace("_", "-").split("-")[0]
            if code in LANGS:
                return code
    return "en"
