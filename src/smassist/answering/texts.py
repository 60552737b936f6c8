"""The assistant's own sentences, in French and English (not domain knowledge)."""

from __future__ import annotations

MAX_QUESTION_CHARS = 2000

MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "empty": "Posez-moi une question sur les médias sociaux en entreprise, par exemple : « Faut-il une charte des médias sociaux ? »",
        "too_long": "Votre message fait {length} caractères ; je lis les questions de {limit} caractères au plus. Pouvez-vous la raccourcir ?",
        "unreadable": "Je n'arrive pas à lire ce message (il contient des caractères de contrôle ou des données binaires). Pouvez-vous reformuler en texte ?",
        "clarify": "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :",
        "unknown": "Je ne sais pas répondre à cette question : elle sort de ce que je connais. Je réponds sur les médias sociaux en entreprise, sur ces sujets :",
        "no_context": "Posez-moi d'abord une question ; je pourrai ensuite donner les sources ou plus de détails sur ma réponse.",
        "sources_intro": "Sources de ma dernière réponse ({title}) :",
        "no_sources": "Ma dernière réponse ({title}) ne cite pas de chiffre : c'est un conseil, pas une statistique.",
        "details_intro": "Plus de détails sur « {title} » :",
        "help": "Je suis smassist. Je réponds aux questions sur la stratégie des médias sociaux en entreprise, chiffres et sources à l'appui. Quelques sujets :",
        "examples": "Exemples de questions :",
        "figures": "Les chiffres",
        "sources": "Sources",
        "related": "Voir aussi",
        "article": "lu dans « {title} » ({publisher}{date})",
        "age_note": "Chiffres de {year}.",
        "pick": "Répondez par le numéro de votre choix.",
        "no_choice": "Il n'y a pas de choix en attente : posez-moi votre question en quelques mots.",
    },
    "en": {
        "empty": "Ask me a question about social media in companies, for example: \"Do we need a social media policy?\"",
        "too_long": "Your message is {length} characters long; I read questions of at most {limit} characters. Could you shorten it?",
        "unreadable": "I can't read this message (it contains control characters or binary data). Could you rephrase it as text?",
        "clarify": "I'm not sure I understood. Did you mean:",
        "unknown": "I can't answer that: it is outside what I know. I answer questions about social media in companies, on these topics:",
        "no_context": "Ask me a question first; I can then give the sources or more details of my answer.",
        "sources_intro": "Sources of my last answer ({title}):",
        "no_sources": "My last answer ({title}) cites no figure: it is advice, not a statistic.",
        "details_intro": "More on \"{title}\":",
        "help": "I'm smassist. I answer questions on corporate social media strategy, with figures and their sources. Some topics:",
        "examples": "Example questions:",
        "figures": "Figures",
        "sources": "Sources",
        "related": "See also",
        "article": "read in \"{title}\" ({publisher}{date})",
        "age_note": "Figures from {year}.",
        "pick": "Reply with the number of your choice.",
        "no_choice": "There is no choice waiting for a number: ask me your question in a few words.",
    },
}


def message(lang: str, key: str, **values: object) -> str:
    return MESSAGES[lang][key].format(**values)
