"""The sentences of grounding, follow-ups, small talk and declines, in French and English.

Kept together so they move as one block into the text catalogue.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "uncovered_measured": "Les articles n'ont pas de chiffre sur {what} ; ceux de cette réponse portent sur {measured}.",
        "uncovered_general": "Les articles n'ont pas de chiffre sur {what} : aucun chiffre ci-dessous ne le mesure.",
        "uncovered_no_figures": "Les articles n'ont pas de chiffre sur {what} ; voici ce qu'ils conseillent.",
        "uncovered_year": "Les articles n'ont pas de chiffre de {years} sur ce point ; ceux qu'ils donnent datent de {have}.",
        "uncovered_year_undated": "Les articles n'ont pas de chiffre de {years} sur ce point ; ceux qu'ils donnent ne sont pas datés.",
        "covered": "Pour {what} : {figures}.",
        "unmeasured_anywhere": "Les articles n'ont aucun chiffre sur {what}.",
        "undated": "année non précisée",
        "list_sep": " ; ",
        "and": "et",
        "decline_choices": "Je n'ai pas de réponse sûre à cette question. Elle se rapproche peut-être de l'un de ces sujets (répondez par le numéro) :",
        "decline_topics_hint": "Sinon, /topics liste tout ce que je sais.",
        "other_language": "Je réponds en français et en anglais : posez-moi votre question dans l'une de ces langues. / I answer in French and English: please ask your question in one of them.",
        "out_of_range": "Choisissez un numéro entre 1 et {count}.",
        "smalltalk_hello": "Bonjour ! Posez-moi une question sur les médias sociaux en entreprise, par exemple : « Combien d'entreprises mesurent leur ROI ? »",
        "smalltalk_thanks": "Avec plaisir ! Une autre question ? Par exemple : « Faut-il une charte des médias sociaux ? »",
        "smalltalk_bye": "À bientôt ! Je reste là pour vos questions sur les médias sociaux en entreprise.",
        "smalltalk_ack": "Très bien. Une autre question sur les médias sociaux en entreprise ? /help liste ce que je sais faire.",
        "smalltalk_who": "Je suis smassist : je réponds aux questions sur la stratégie des médias sociaux en entreprise, chiffres et sources à l'appui. Essayez : « Combien d'entreprises ont une charte ? »",
        "more_figures": "Les autres chiffres du sujet :",
        "more_quotes": "Ce que disent les articles, mot pour mot :",
        "more_nothing": "Les articles n'en disent pas plus sur « {title} ». Sujets voisins :",
        "why_intro": "Pourquoi :",
        "how_intro": "Comment faire :",
        "quote_line": "« {quote} » ({source})",
        "reask_none": "Je n'ai pas de question précédente à préciser : posez-moi votre question en entier.",
    },
    "en": {
        "uncovered_measured": "The articles have no figure on {what}; the figures in this answer are about {measured}.",
        "uncovered_general": "The articles have no figure on {what}: none of the figures below measures it.",
        "uncovered_no_figures": "The articles have no figure on {what}; here is what they advise.",
        "uncovered_year": "The articles have no figure from {years} on this; the ones they give date from {have}.",
        "uncovered_year_undated": "The articles have no figure from {years} on this; the ones they give are not dated.",
        "covered": "For {what}: {figures}.",
        "unmeasured_anywhere": "The articles have no figure at all on {what}.",
        "undated": "year not given",
        "list_sep": "; ",
        "and": "and",
        "decline_choices": "I have no sure answer to that. It may be close to one of these (reply with the number):",
        "decline_topics_hint": "Otherwise, /topics lists everything I know.",
        "other_language": "Je réponds en français et en anglais : posez-moi votre question dans l'une de ces langues. / I answer in French and English: please ask your question in one of them.",
        "out_of_range": "Pick a number from 1 to {count}.",
        "smalltalk_hello": "Hello! Ask me a question about social media in companies, for example: \"How many companies measure their ROI?\"",
        "smalltalk_thanks": "You're welcome! Another question? For example: \"Do we need a social media policy?\"",
        "smalltalk_bye": "Bye for now! I'm here for your questions on social media in companies.",
        "smalltalk_ack": "All right. Another question on social media in companies? /help lists what I can do.",
        "smalltalk_who": "I'm smassist: I answer questions on corporate social media strategy, with figures and their sources. Try: \"How many companies have a social media policy?\"",
        "more_figures": "The topic's other figures:",
        "more_quotes": "What the articles say, word for word:",
        "more_nothing": "The articles say nothing more on \"{title}\". Related topics:",
        "why_intro": "Why:",
        "how_intro": "How to go about it:",
        "quote_line": "\"{quote}\" ({source})",
        "reask_none": "There is no earlier question to narrow down: please ask your whole question.",
    },
}


def say(lang: str, key: str, **values: object) -> str:
    table = TEXTS.get(lang) or TEXTS["fr"]
    return table[key].format(**values) if values else table[key]


def join_words(items: list[str], lang: str) -> str:
    """'A', 'A et B', 'A, B et C' (English: 'A, B and C')."""
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(lang, 'and')} {items[-1]}"
