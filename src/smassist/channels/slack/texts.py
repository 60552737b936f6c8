"""What the Slack app says about itself (buttons, acknowledgements), in French and English.

Domain answers come from the core; these are only the Slack door's own words.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "useful": "👍 Utile",
        "not_useful": "👎 Pas utile",
        "thanks_useful": "Merci, c'est noté : cette réponse vous a été utile.",
        "thanks_not_useful": "Merci, c'est noté : cette réponse ne vous a pas aidé. Reformulez votre question ou essayez un des sujets proposés.",
        "post_to_channel": "Publier dans le canal",
        "posted_by": "<@{user}> a demandé : {question}",
        "figures": "Les chiffres",
        "source": "Source",
        "sample": "échantillon",
        "related": "Voir aussi :",
        "did_you_mean": "Vouliez-vous dire :",
        "examples": "Exemples de questions :",
        "expired": "Cette réponse n'est plus en mémoire ; posez la question à nouveau.",
        "unknown_subcommand": "Je ne connais pas la commande « {name} ». Tapez `/smassist help` pour voir ce que je sais faire.",
        "admins_only": "La commande « {name} » est réservée aux administrateurs de smassist.",
        "usage": "Utilisation : `/smassist VOTRE QUESTION` (réponse visible de vous seul), ou mentionnez-moi dans un canal.",
        "truncated": "… (réponse raccourcie)",
    },
    "en": {
        "useful": "👍 Useful",
        "not_useful": "👎 Not useful",
        "thanks_useful": "Thanks, noted: this answer was useful to you.",
        "thanks_not_useful": "Thanks, noted: this answer did not help. Try rephrasing your question or one of the suggested topics.",
        "post_to_channel": "Post to channel",
        "posted_by": "<@{user}> asked: {question}",
        "figures": "Figures",
        "source": "Source",
        "sample": "sample",
        "related": "See also:",
        "did_you_mean": "Did you mean:",
        "examples": "Example questions:",
        "expired": "This answer is no longer in memory; please ask again.",
        "unknown_subcommand": "I don't know the command \"{name}\". Type `/smassist help` to see what I can do.",
        "admins_only": "The command \"{name}\" is for smassist administrators only.",
        "usage": "Usage: `/smassist YOUR QUESTION` (answer visible only to you), or mention me in a channel.",
        "truncated": "… (answer shortened)",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """The Slack door's sentence ``key`` in ``lang`` (French when the language is unknown)."""
    return TEXTS.get(lang, TEXTS["fr"])[key].format(**values)
