"""Every sentence smassist says on its own, in French and English, and how numbers read.

Domain knowledge (answers, figures, titles) comes from ``knowledge/``; this is
the assistant's own voice: prompts, refusals, headings, button labels, trend
wording, reports, command descriptions. One catalogue, so that one rule holds
everywhere:

- **fallback**: a language smassist does not speak reads :data:`DEFAULT_LANG`
  (``fr-FR`` is ``fr``; ``de`` is French, as the assistant itself answers);
- **plural**: a :class:`Plural` entry takes ``count``; French uses the singular
  below 2 (``0 question``, ``1,5 point``), English only for exactly 1;
- **numbers**: :func:`format_number` (French ``16 000`` and ``6,9`` with narrow
  no-break spaces, English ``16,000`` and ``6.9``); :mod:`smassist.kb.figures`
  builds every figure on it.

Keys are ``area.name``: ``answer.*`` (the core's replies), ``reply.*`` (grounding,
follow-ups, small talk and declines), ``brief.*``,
``trend.*``, ``chart.*``, ``admin.*``, ``report.*``, ``chat.*`` (terminal),
``slack.*``, ``telegram.*`` (those two may hold the platform's own markup),
``command.*`` (the command menu of every channel) and ``console.*`` (the admin
console's pages, read through :mod:`smassist.web.console.texts`). A test checks that both
languages have the same keys and the same ``{placeholders}``.
"""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
NNBSP = "\u202f"  # narrow no-break space, the French typographic separator


class Plural(tuple[str, str]):
    """A sentence with a singular and a plural form, chosen by ``count``.

    A plain tuple subclass rather than a NamedTuple: this module is imported on
    every start, and building a NamedTuple class costs more than the catalogue.
    """

    __slots__ = ()

    def __new__(cls, one: str, other: str) -> Plural:
        return super().__new__(cls, (one, other))

    @property
    def one(self) -> str:
        return self[0]

    @property
    def other(self) -> str:
        return self[1]


def lang_code(value: object) -> str | None:
    """'fr' or 'en' for a language or locale we speak ('fr-FR', 'en_GB', 'EN'); else None."""
    if not value or not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGS else None


def speak(lang: object) -> str:
    """The language to write in: ``lang`` when we speak it, else :data:`DEFAULT_LANG`."""
    return lang_code(lang) or DEFAULT_LANG


def plural_form(count: float, lang: str) -> str:
    """'one' or 'other': French counts 0 and 1 (and 1,5) as singular, English only 1."""
    if speak(lang) == "fr":
        return "one" if abs(count) < 2 else "other"
    return "one" if count == 1 else "other"


def text(lang: object, key: str, /, *, count: float | None = None, **values: object) -> str:
    """The sentence ``key`` in ``lang``, filled with ``values`` (and ``count`` for a plural)."""
    entry = CATALOGUE[speak(lang)][key]
    if isinstance(entry, Plural):
        if count is None:
            raise TypeError(f"text {key!r} has plural forms: give count=")
        entry = entry.one if plural_form(count, speak(lang)) == "one" else entry.other
    if count is not None:
        values.setdefault("count", count)
    return entry.format(**values) if values else entry


def scoped(area: str) -> Callable[..., str]:
    """``text`` for one area: ``say = scoped("slack"); say(lang, "useful")``."""

    def say(lang: object, key: str, /, **values: object) -> str:
        return text(lang, f"{area}.{key}", **values)

    say.__doc__ = f"The sentence ``{area}.KEY`` in ``lang`` (see :func:`smassist.texts.text`)."
    return say


def descriptions(key: str) -> dict[str, str]:
    """A sentence in every language we speak: ``{"fr": ..., "en": ...}`` (command menus)."""
    return {lang: text(lang, key) for lang in LANGS}


# --- numbers ------------------------------------------------------------------------


def format_number(value: float, lang: str) -> str:
    """A number with the locale's thousands separator and decimal mark."""
    if float(value).is_integer():
        formatted = f"{int(value):,}"
    else:
        formatted = f"{value:,.2f}".rstrip("0").rstrip(".")
    if speak(lang) == "fr":
        return formatted.replace(",", NNBSP).replace(".", ",")
    return formatted


def colon(lang: str) -> str:
    """' :' in French (a space before the colon), ':' in English."""
    return " :" if speak(lang) == "fr" else ":"


# --- the catalogue ----------------------------------------------------------------

_FR: dict[str, str | Plural] = {
    # The core's replies (answering).
    "answer.empty": "Posez-moi une question sur les médias sociaux en entreprise, par exemple : « Faut-il une charte des médias sociaux ? »",
    "answer.too_long": "Votre message fait {length} caractères ; je lis les questions de {limit} caractères au plus. Pouvez-vous le raccourcir ?",
    "answer.unreadable": "Je n'arrive pas à lire ce message (il contient des caractères de contrôle ou des données binaires). Pouvez-vous reformuler en texte ?",
    "answer.clarify": "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :",
    "answer.unknown": "Je ne sais pas répondre à cette question : elle sort de ce que je connais. Je réponds sur les médias sociaux en entreprise, sur ces sujets :",
    "answer.sources_intro": "Sources de ma dernière réponse ({title}) :",
    "answer.no_sources": "Ma dernière réponse ({title}) ne cite pas de chiffre : c'est un conseil, pas une statistique.",
    "answer.details_intro": "Plus de détails sur « {title} » :",
    "answer.help": "Je suis smassist. Je réponds aux questions sur la stratégie des médias sociaux en entreprise, chiffres et sources à l'appui. Quelques sujets :",
    "answer.examples": "Exemples de questions :",
    "answer.figures": "Les chiffres",
    "answer.sources": "Sources",
    "answer.source": "Source",
    "answer.related": "Voir aussi",
    "answer.article": "lu dans « {title} » ({publisher}{date})",
    # One line per study that a manager can repeat (issue 14): who, what, when, on whom, read where.
    "answer.citation": "{study}{year}, {sample} — article « {title} », {publisher}{date}",
    "answer.citation_by": "{by} : {line}",
    "answer.by_unknown": "auteur non précisé",
    "answer.year_unknown": "année non précisée",
    "answer.and": "et",
    "answer.months": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "answer.figure_refs": Plural("chiffre {numbers}", "chiffres {numbers}"),
    "answer.commands_intro": "Commandes :",
    "answer.age_note": "Chiffres de {year}.",
    "answer.pick": "Répondez par le numéro de votre choix.",
    "answer.no_choice": "Il n'y a pas de choix en attente : posez-moi votre question en quelques mots.",
    # Grounding, follow-ups, small talk and declines (reply building).
    "reply.uncovered_measured": "Les articles n'ont pas de chiffre sur {what} ; ceux de cette réponse portent sur {measured}.",
    "reply.uncovered_general": "Les articles n'ont pas de chiffre sur {what} : aucun chiffre ci-dessous ne le mesure.",
    "reply.uncovered_no_figures": "Les articles n'ont pas de chiffre sur {what} ; voici ce qu'ils conseillent.",
    "reply.uncovered_year": "Les articles n'ont pas de chiffre de {years} sur ce point ; ceux qu'ils donnent datent de {have}.",
    "reply.uncovered_year_undated": "Les articles n'ont pas de chiffre de {years} sur ce point ; ceux qu'ils donnent ne sont pas datés.",
    "reply.covered": 'Pour {what} : {figures}.',
    "reply.unmeasured_anywhere": "Les articles n'ont aucun chiffre sur {what}.",
    "reply.unmeasured_quantity": "Les articles ne donnent aucun chiffre sur {what} ; ce qu'ils disent sur « {about} » :",
    "reply.undated": 'année non précisée',
    "reply.list_sep": ' ; ',
    "reply.and": 'et',
    "reply.decline_choices": "Je n'ai pas de réponse sûre à cette question. Elle se rapproche peut-être de l'un de ces sujets (répondez par le numéro) :",
    "reply.decline_topics_hint": 'Sinon, /topics liste tout ce que je sais.',
    "reply.other_language": "Je réponds en français et en anglais : posez-moi votre question dans l'une de ces langues. / I answer in French and English: please ask your question in one of them.",
    "reply.out_of_range": Plural("Il n'y a qu'un choix : tapez 1, ou posez une autre question.", 'Choisissez un numéro entre 1 et {count}.'),
    "reply.smalltalk_hello": "Bonjour ! Posez-moi une question sur les médias sociaux en entreprise, par exemple : « Combien d'entreprises mesurent leur ROI ? »",
    "reply.smalltalk_thanks": 'Avec plaisir ! Une autre question ? Par exemple : « Faut-il une charte des médias sociaux ? »',
    "reply.smalltalk_bye": 'À bientôt ! Je reste là pour vos questions sur les médias sociaux en entreprise.',
    "reply.smalltalk_ack": 'Très bien. Une autre question sur les médias sociaux en entreprise ? /help liste ce que je sais faire.',
    "reply.smalltalk_who": "Je suis smassist : je réponds aux questions sur la stratégie des médias sociaux en entreprise, chiffres et sources à l'appui. Essayez : « Combien d'entreprises ont une charte ? »",
    "reply.more_figures": 'Les autres chiffres du sujet :',
    "reply.more_quotes": 'Ce que disent les articles, mot pour mot :',
    "reply.more_nothing": "Les articles n'en disent pas plus sur « {title} ». Sujets voisins :",
    "reply.why_intro": 'Pourquoi :',
    "reply.how_intro": 'Comment faire :',
    "reply.quote_line": '« {quote} » ({source})',
    # A follow-up with nothing to follow: a question first, or one of the choices offered.
    "reply.no_context": "Posez-moi d'abord une question ; je pourrai ensuite {then}. Je réponds sur les médias sociaux en entreprise, sur ces sujets :",
    "reply.pick_first": "Dites-moi d'abord laquelle de ces questions est la vôtre ; je pourrai ensuite {then} :",
    "reply.then_sources": "vous donner les sources de ma réponse",
    "reply.then_details": "vous en dire plus",
    "reply.then_why": "vous dire pourquoi",
    "reply.then_how": "vous dire comment faire",
    "reply.then_figures": "vous donner les chiffres",
    "reply.then_reask": "y répondre pour {about}",
    # The brief.
    "brief.title": "Les {count} chiffres à connaître",
    "brief.empty": "La base ne contient encore aucun chiffre.",
    "brief.more": "Chaque chiffre vient avec sa source ; touchez un sujet pour la réponse complète.",
    # Figures over time.
    "trend.up": "En hausse : de {first} en {y1} à {last} en {y2} ({change}).",
    "trend.down": "En baisse : de {first} en {y1} à {last} en {y2} ({change}).",
    "trend.stable": "À peu près stable : {first} en {y1}, {last} en {y2} ({change}, trop peu pour parler d'évolution).",
    "trend.same": "Stable : {first} en {y1} comme en {y2}.",
    "trend.mixed": "Des hauts et des bas : de {first} en {y1} à {last} en {y2} ({change} au total).",
    "trend.compare": "{items} : {change} d'écart.",
    "trend.across": "De {first} ({p1}) à {last} ({p2}) : {change}, mais entre des populations différentes.",
    "trend.within": "En {scope} seulement, {reading}",
    "trend.caveat_populations": "Ces points viennent de {count} enquêtes différentes, dans des pays différents ({scopes}) : ce n'est pas la même population, lisez l'écart comme un ordre de grandeur.",
    "trend.caveat_studies": "Ces points viennent de {count} enquêtes différentes (échantillons différents) : ce ne sont pas les mêmes personnes, lisez les petits écarts avec prudence.",
    "trend.caveat_approx": "Valeurs approximatives ({values}) : l'écart l'est aussi.",
    "trend.caveat_no_year": "Année non précisée pour : {studies}.",
    "trend.no_year": "année non précisée",
    "trend.points": Plural("point", "points"),
    "trend.points_short": Plural("pt", "pts"),
    "trend.unchanged": "inchangé",
    "trend.about": "environ ",
    "trend.caution": "Attention :",
    "trend.note": "Note :",
    "trend.none": "Je n'ai pas de série de chiffres dans le temps pour « {key} ». Séries disponibles : {series}.",
    "trend.none_at_all": "Aucune série de chiffres dans le temps n'est encore déclarée dans la base (knowledge/series.yaml).",
    "trend.vs": "contre",
    # Charts.
    "chart.install_hint": "Pour recevoir aussi un graphique, installez l'extension : pip install 'smassist[charts]'",
    "chart.source": "Source",
    "chart.sources": "Sources",
    "chart.caution": "Attention",
    "chart.note": "Note",
    # The admins' commands.
    "admin.reloaded": "Base de connaissances rechargée : version {version} en service (avant : {previous}).",
    "admin.unchanged": "Base de connaissances inchangée : version {version} en service.",
    "admin.fixed": "Base de connaissances corrigée et rechargée : version {version} en service.",
    "admin.failed": Plural("Base de connaissances NON rechargée : {count} problème. La version {version} reste en service.",
                           "Base de connaissances NON rechargée : {count} problèmes. La version {version} reste en service."),
    "admin.unsettled": "Les fichiers sont en cours d'écriture ; réessayez dans quelques secondes (version {version} en service).",
    "admin.more": "… et {count} de plus (lancez `smassist kb check`).",
    "admin.counts": "{entries} entrées, {questions} questions d'exemple, {statistics} statistiques, {studies} études, {articles} articles.",
    "admin.refused": "Cette commande est réservée aux administrateurs de smassist.",
    "admin.access_reread": "Listes d'accès relues : {files}.",
    "admin.access_kept": "Listes d'accès NON relues, celles en vigueur restent : {problem}",
    "admin.no_log": "Le journal des questions est désactivé (SMASSIST_DB=off) : pas de rapport.",
    "admin.instances": "Instances ({count}) :",
    "admin.this_instance": "celle-ci",
    "admin.no_answer": "pas de réponse en {seconds} s",
    "admin.drift": "Les instances servent des versions différentes : vérifiez que chaque hôte a les mêmes fichiers de connaissances.",
    # The question-log report.
    "report.period.h": Plural("{n} dernière heure", "{n} dernières heures"),
    "report.period.d": Plural("{n} dernier jour", "{n} derniers jours"),
    "report.period.w": Plural("{n} dernière semaine", "{n} dernières semaines"),
    "report.all": "depuis le début",
    "report.empty": "Rapport smassist ({period}) : aucune question enregistrée.",
    "report.head": Plural("Rapport smassist ({period}) : {count} question ; {rate} des vraies questions ont reçu une réponse ({answered} sur {answerable} ; l'aide, les salutations et les messages invalides ne comptent pas)",
                          "Rapport smassist ({period}) : {count} questions ; {rate} des vraies questions ont reçu une réponse ({answered} sur {answerable} ; l'aide, les salutations et les messages invalides ne comptent pas)"),
    "report.per_day": "Questions par jour :",
    "report.day": "jour",
    "report.total": "total",
    "report.feedback": Plural("Avis : {given} réponse notée ({rate} des réponses), {useful_share} utiles ({useful} 👍, {not_useful} 👎) ; {clicks} clics sur des questions liées.",
                              "Avis : {given} réponses notées ({rate} des réponses), {useful_share} utiles ({useful} 👍, {not_useful} 👎) ; {clicks} clics sur des questions liées."),
    "report.top_topics": "Sujets les plus demandés :",
    "report.top_entries": "Fiches les plus servies :",
    "report.unanswered": "Questions les plus posées restées sans réponse (voir `smassist kb gaps`) :",
    # The terminal.
    "chat.intro": "smassist — posez une question sur les médias sociaux en entreprise. /topics, /help, /quit.",
    # Slack (mrkdwn).
    "slack.useful": "👍 Utile",
    "slack.not_useful": "👎 Pas utile",
    "slack.thanks_useful": "Merci, c'est noté : cette réponse vous a été utile.",
    "slack.thanks_not_useful": "Merci, c'est noté : cette réponse ne vous a pas aidé. Reformulez votre question ou essayez un des sujets proposés.",
    "slack.post_to_channel": "Publier dans le canal",
    "slack.posted_by": "<@{user}> a demandé : {question}",
    "slack.related": "Voir aussi :",
    "slack.did_you_mean": "Vouliez-vous dire :",
    "slack.expired": "Cette réponse n'est plus en mémoire ; posez la question à nouveau.",
    "slack.unknown_subcommand": "Je ne connais pas la commande « {name} ». Tapez `/smassist help` pour voir ce que je sais faire.",
    "slack.admins_only": "La commande « {name} » est réservée aux administrateurs de smassist.",
    "slack.usage": "Utilisation : `/smassist VOTRE QUESTION` (réponse visible de vous seul), ou mentionnez-moi dans un canal.",
    "slack.truncated": "… (réponse raccourcie)",
    # Telegram (HTML).
    "telegram.start": (
        "Bonjour ! Je suis <b>smassist</b> : je réponds aux questions sur la stratégie "
        "des médias sociaux en entreprise, chiffres et sources à l'appui.\n\n"
        "Écrivez simplement votre question, ou touchez un exemple ci-dessous. "
        "Après une réponse, le bouton « Sources » donne d'où viennent les chiffres."
    ),
    "telegram.commands_intro": "Commandes :",
    "telegram.figures_button": "📊 Les chiffres par sujet",
    "telegram.sources_button": "📚 Sources",
    "telegram.useful_button": "👍 Utile",
    "telegram.not_useful_button": "👎 Pas utile",
    "telegram.topics_prompt": "Choisissez un sujet :",
    "telegram.stats_prompt": "Les chiffres de quel sujet ?",
    "telegram.topic_questions": "<b>{title}</b> : touchez une question.",
    "telegram.topic_figures_button": "📊 Les chiffres de ce sujet",
    "telegram.stats_title": "📊 <b>Les chiffres : {title}</b>",
    "telegram.no_stats": "Je n'ai pas encore de chiffre sourcé sur « {title} ».",
    "telegram.unknown_topic": "Je ne connais pas le sujet « {topic} ». Choisissez-en un :",
    "telegram.ask_usage": "Écrivez votre question après /ask, par exemple : /ask Faut-il une charte des médias sociaux ?",
    "telegram.unknown_command": "Je ne connais pas cette commande. Voici ce que je sais faire :",
    "telegram.thanks_useful": "Merci ! Content que ce soit utile.",
    "telegram.thanks_not_useful": "Merci, c'est noté : cela aide à améliorer les réponses.",
    "telegram.outdated_button": "Ce bouton n'est plus valable (la base de connaissances a changé). Posez la question à nouveau.",
    "telegram.not_allowed": (
        "Bonjour ! Ce bot est réservé aux personnes autorisées de l'entreprise. "
        "Pour y avoir accès, envoyez votre identifiant Telegram à un administrateur : <code>{user_id}</code>"
    ),
    "telegram.nobody_allowed": (
        "Bonjour ! Ce bot n'est encore ouvert à personne : aucun utilisateur n'a été autorisé. "
        "Envoyez votre identifiant Telegram à un administrateur pour y avoir accès : <code>{user_id}</code>"
    ),
    "telegram.not_admin": "Cette commande est réservée aux administrateurs.",
    "telegram.error": "Désolé, quelque chose s'est mal passé de mon côté. Réessayez dans un instant.",
    # The command menu (Telegram's setMyCommands: at most 256 characters each).
    "command.start": "Présentation et exemples de questions",
    "command.help": "Ce que je sais faire",
    "command.topics": "Les sujets et leurs questions",
    "command.ask": "Poser une question : /ask QUESTION",
    "command.stats": "Les chiffres d'un sujet, sourcés : /stats SUJET",
    "command.source": "Les sources de la dernière réponse",
    "command.trend": "Évolution d'un chiffre dans le temps, avec graphique (ex. /trend roi)",
    "command.brief": "Les dix chiffres à connaître, sourcés",
    "command.reload": "Recharger la base de connaissances (admins)",
    "command.report": "Rapport d'usage des 30 derniers jours (admins)",
    "command.quit": "Quitter",
    # The admin console (smassist.web.console): pages, navigation, login.
    "console.title": "Console d'administration smassist",
    "console.colon": "\xa0:",
    "console.console": "console d'administration",
    "console.nav_report": "Utilisation",
    "console.nav_gaps": "Lacunes",
    "console.nav_kb": "Base de connaissances",
    "console.nav_status": "Version en service",
    "console.logout": "Se déconnecter",
    "console.read_only": "Lecture seule : modifiez les fichiers de la base de connaissances pour changer ce que répond smassist.",
    "console.serving": "Version {version} en service, depuis {folder}",
    "console.report_title": "Rapport d'utilisation",
    "console.period": "Période",
    "console.period_all": "depuis le début",
    "console.period_n": "{n} derniers {unit}",
    "console.unit_h": "heures",
    "console.unit_d": "jours",
    "console.unit_w": "semaines",
    "console.no_questions": "Aucune question enregistrée sur cette période.",
    "console.log_off": "Le journal des questions est désactivé (SMASSIST_DB=off) : rien à afficher.",
    "console.log_error": "Le journal des questions est illisible : {error}",
    "console.questions": "Questions",
    "console.answered_rate": "Avec réponse",
    "console.answered_of": "{answered} sur {answerable}",
    "console.feedback": "Avis",
    "console.feedback_detail": "{given} notées, {useful} utiles, {not_useful} pas utiles",
    "console.useful_share": "Utiles",
    "console.clicks": "Clics sur des questions liées",
    "console.per_day": "Questions par jour et par canal",
    "console.per_day_chart": "Questions par jour, par canal",
    "console.day": "Jour",
    "console.total": "Total",
    "console.top_entries": "Fiches les plus servies",
    "console.top_topics": "Sujets les plus demandés",
    "console.unanswered": "Questions les plus posées restées sans réponse",
    "console.see_gaps": "Voir les lacunes",
    "console.feedback_chart": "Avis sur les réponses",
    "console.yes": "utile",
    "console.no": "pas utile",
    "console.languages": "Langues",
    "console.gaps_title": "Lacunes de la base",
    "console.gaps_intro": "Les questions auxquelles smassist a mal répondu (pas de réponse, « vouliez-vous dire », confiance faible, ou jugées pas utiles), regroupées par ressemblance, les plus posées d'abord.",
    "console.no_gaps": "Aucune lacune sur cette période : chaque question enregistrée a reçu une réponse sûre.",
    "console.asked": "posée {count} fois",
    "console.last_asked": "dernière fois le {when}",
    "console.reason_unknown": "pas de réponse",
    "console.reason_clarify": "vouliez-vous dire",
    "console.reason_low": "confiance faible",
    "console.reason_not_useful": "pas utile",
    "console.wordings": "Formulations",
    "console.closest": "Fiche la plus proche",
    "console.closest_none": "aucune : une nouvelle fiche ?",
    "console.closest_far": "aucune de proche (la plus proche, {entry}, à {confidence}) : une nouvelle fiche ?",
    "console.closest_at": "{entry} à {confidence}",
    "console.edit_in": "dans {path}",
    "console.yaml_block": "YAML à coller sous les questions: de la fiche :",
    "console.yaml_how": "Collez les lignes sous fr: / en: des questions: de la fiche, puis vérifiez avec smassist kb check.",
    "console.out_of_scope_title": "Refusées à chaque fois : à raison ?",
    "console.out_of_scope_how": "Si smassist a eu raison de ne pas répondre à ces questions, collez ce bloc dans out_of_scope.yaml : il apprend à smassist ce qui n'est pas son domaine.",
    "console.kb_title": "Base de connaissances",
    "console.kb_intro": "{entries} fiches dans {topics} sujets, {statistics} chiffres issus de {studies} études dans {articles} articles.",
    "console.entry_questions": "{count} questions d'exemple",
    "console.figures": "Chiffres",
    "console.no_figures": "Aucun chiffre.",
    "console.source": "Source",
    "console.follow_ups": "Questions liées",
    "console.defined_in": "Définie dans {path}",
    "console.answer": "Réponse",
    "console.topics": "Sujets",
    "console.status_title": "Version en service",
    "console.version": "Version",
    "console.folder": "Dossier",
    "console.loaded_at": "Chargée le",
    "console.counts": "Contenu",
    "console.counts_value": "{entries} fiches, {questions} questions d'exemple, {statistics} chiffres, {studies} études, {articles} articles",
    "console.files_ok": "Les fichiers du dossier sont cette version : rien n'attend d'être servi.",
    "console.files_changed": "Les fichiers du dossier ont changé depuis le chargement de cette version ; smassist les sert d'ici quelques secondes s'ils sont valides.",
    "console.problems": "Problèmes dans les fichiers",
    "console.problems_intro": "Les fichiers du dossier ont {count} problème(s) : ils ne sont PAS servis. La version ci-dessus continue de répondre jusqu'à leur correction.",
    "console.versions_seen": "Versions qui ont répondu ces dernières 24 heures",
    "console.versions_none": "Aucune question enregistrée ces dernières 24 heures.",
    "console.channel": "Canal",
    "console.count": "Questions",
    "console.login_title": "Connexion",
    "console.login_intro": "Cette console demande le jeton d'administration (SMASSIST_ADMIN_TOKEN sur le serveur).",
    "console.token": "Jeton d'administration",
    "console.login": "Se connecter",
    "console.login_failed": "Ce jeton n'est pas le bon.",
    "console.not_found": "Cette page n'existe pas.",
    "console.proxied_without_token": "Cette console est atteinte par un proxy mais n'a pas de SMASSIST_ADMIN_TOKEN : elle refuse de servir. Définissez le jeton sur le serveur.",
    "console.lang_other": "English",
}

_EN: dict[str, str | Plural] = {
    "answer.empty": "Ask me a question about social media in companies, for example: \"Do we need a social media policy?\"",
    "answer.too_long": "Your message is {length} characters long; I read questions of at most {limit} characters. Could you shorten it?",
    "answer.unreadable": "I can't read this message (it contains control characters or binary data). Could you rephrase it as text?",
    "answer.clarify": "I'm not sure I understood. Did you mean:",
    "answer.unknown": "I can't answer that: it is outside what I know. I answer questions about social media in companies, on these topics:",
    "answer.sources_intro": "Sources of my last answer ({title}):",
    "answer.no_sources": "My last answer ({title}) cites no figure: it is advice, not a statistic.",
    "answer.details_intro": "More on \"{title}\":",
    "answer.help": "I'm smassist. I answer questions on corporate social media strategy, with figures and their sources. Some topics:",
    "answer.examples": "Example questions:",
    "answer.figures": "Figures",
    "answer.sources": "Sources",
    "answer.source": "Source",
    "answer.related": "See also",
    "answer.article": "read in \"{title}\" ({publisher}{date})",
    "answer.citation": "{study}{year}, {sample} — article \"{title}\", {publisher}{date}",
    "answer.citation_by": "{by}: {line}",
    "answer.by_unknown": "author not given",
    "answer.year_unknown": "year not given",
    "answer.and": "and",
    "answer.months": "January February March April May June July August September October November December",
    "answer.figure_refs": Plural("figure {numbers}", "figures {numbers}"),
    "answer.commands_intro": "Commands:",
    "answer.age_note": "Figures from {year}.",
    "answer.pick": "Reply with the number of your choice.",
    "answer.no_choice": "There is no choice waiting for a number: ask me your question in a few words.",
    "reply.uncovered_measured": 'The articles have no figure on {what}; the figures in this answer are about {measured}.',
    "reply.uncovered_general": 'The articles have no figure on {what}: none of the figures below measures it.',
    "reply.uncovered_no_figures": 'The articles have no figure on {what}; here is what they advise.',
    "reply.uncovered_year": 'The articles have no figure from {years} on this; the ones they give date from {have}.',
    "reply.uncovered_year_undated": 'The articles have no figure from {years} on this; the ones they give are not dated.',
    "reply.covered": 'For {what}: {figures}.',
    "reply.unmeasured_anywhere": 'The articles have no figure at all on {what}.',
    "reply.unmeasured_quantity": 'The articles give no figure on {what}; what they say on "{about}":',
    "reply.undated": 'year not given',
    "reply.list_sep": '; ',
    "reply.and": 'and',
    "reply.decline_choices": 'I have no sure answer to that. It may be close to one of these (reply with the number):',
    "reply.decline_topics_hint": 'Otherwise, /topics lists everything I know.',
    "reply.other_language": "Je réponds en français et en anglais : posez-moi votre question dans l'une de ces langues. / I answer in French and English: please ask your question in one of them.",
    "reply.out_of_range": Plural("There is only one choice: type 1, or ask another question.", 'Pick a number from 1 to {count}.'),
    "reply.smalltalk_hello": 'Hello! Ask me a question about social media in companies, for example: "How many companies measure their ROI?"',
    "reply.smalltalk_thanks": 'You\'re welcome! Another question? For example: "Do we need a social media policy?"',
    "reply.smalltalk_bye": "Bye for now! I'm here for your questions on social media in companies.",
    "reply.smalltalk_ack": 'All right. Another question on social media in companies? /help lists what I can do.',
    "reply.smalltalk_who": 'I\'m smassist: I answer questions on corporate social media strategy, with figures and their sources. Try: "How many companies have a social media policy?"',
    "reply.more_figures": "The topic's other figures:",
    "reply.more_quotes": 'What the articles say, word for word:',
    "reply.more_nothing": 'The articles say nothing more on "{title}". Related topics:',
    "reply.why_intro": 'Why:',
    "reply.how_intro": 'How to go about it:',
    "reply.quote_line": '"{quote}" ({source})',
    "reply.no_context": "Ask me a question first; then I can {then}. I answer questions about social media in companies, on these topics:",
    "reply.pick_first": "Tell me first which of these is your question; then I can {then}:",
    "reply.then_sources": "give you the sources of my answer",
    "reply.then_details": "tell you more",
    "reply.then_why": "tell you why",
    "reply.then_how": "tell you how to go about it",
    "reply.then_figures": "give you the figures",
    "reply.then_reask": "answer it for {about}",
    "brief.title": "The {count} figures to know",
    "brief.empty": "The knowledge base has no figures yet.",
    "brief.more": "Each figure comes with its source; tap a topic for the full answer.",
    "trend.up": "Up: from {first} in {y1} to {last} in {y2} ({change}).",
    "trend.down": "Down: from {first} in {y1} to {last} in {y2} ({change}).",
    "trend.stable": "Roughly stable: {first} in {y1}, {last} in {y2} ({change}, too small to call a change).",
    "trend.same": "Stable: {first} in {y1}, as in {y2}.",
    "trend.mixed": "Ups and downs: from {first} in {y1} to {last} in {y2} ({change} overall).",
    "trend.compare": "{items}: a gap of {change}.",
    "trend.across": "From {first} ({p1}) to {last} ({p2}): {change}, but between different populations.",
    "trend.within": "In {scope} alone, {reading}",
    "trend.caveat_populations": "These points come from {count} different surveys in different countries ({scopes}): not the same population, so read the gap as an order of magnitude.",
    "trend.caveat_studies": "These points come from {count} different surveys (different samples): not the same people, so read small gaps with care.",
    "trend.caveat_approx": "Approximate values ({values}): so is the gap.",
    "trend.caveat_no_year": "Year not given for: {studies}.",
    "trend.no_year": "year not given",
    "trend.points": Plural("point", "points"),
    "trend.points_short": Plural("pt", "pts"),
    "trend.unchanged": "unchanged",
    "trend.about": "about ",
    "trend.caution": "Careful:",
    "trend.note": "Note:",
    "trend.none": "I have no series of figures over time for \"{key}\". Available series: {series}.",
    "trend.none_at_all": "No series of figures over time is declared in the knowledge base yet (knowledge/series.yaml).",
    "trend.vs": "vs",
    "chart.install_hint": "To get a chart as well, install the extra: pip install 'smassist[charts]'",
    "chart.source": "Source",
    "chart.sources": "Sources",
    "chart.caution": "Careful",
    "chart.note": "Note",
    "admin.reloaded": "Knowledge base reloaded: now serving version {version} (was {previous}).",
    "admin.unchanged": "Knowledge base unchanged: serving version {version}.",
    "admin.fixed": "Knowledge base fixed and reloaded: now serving version {version}.",
    "admin.failed": Plural("Knowledge base NOT reloaded: {count} problem. Still serving version {version}.",
                           "Knowledge base NOT reloaded: {count} problems. Still serving version {version}."),
    "admin.unsettled": "The knowledge files are being written; try again in a few seconds (still serving version {version}).",
    "admin.more": "… and {count} more (run `smassist kb check`).",
    "admin.counts": "{entries} entries, {questions} example questions, {statistics} statistics, {studies} studies, {articles} articles.",
    "admin.refused": "This command is for smassist admins only.",
    "admin.access_reread": "Access lists re-read: {files}.",
    "admin.access_kept": "Access lists NOT re-read; the ones in force stay: {problem}",
    "admin.no_log": "The question log is off (SMASSIST_DB=off): no report.",
    "admin.instances": "Instances ({count}):",
    "admin.this_instance": "this one",
    "admin.no_answer": "did not answer within {seconds} s",
    "admin.drift": "The instances serve different versions: check that every host has the same knowledge files.",
    "report.period.h": Plural("last {n} hour", "last {n} hours"),
    "report.period.d": Plural("last {n} day", "last {n} days"),
    "report.period.w": Plural("last {n} week", "last {n} weeks"),
    "report.all": "all time",
    "report.empty": "smassist report ({period}): no questions logged.",
    "report.head": Plural("smassist report ({period}): {count} question; {rate} of real questions answered ({answered} of {answerable}; help, small talk and invalid messages not counted)",
                          "smassist report ({period}): {count} questions; {rate} of real questions answered ({answered} of {answerable}; help, small talk and invalid messages not counted)"),
    "report.per_day": "Questions per day:",
    "report.day": "day",
    "report.total": "total",
    "report.feedback": Plural("Feedback: {given} reply rated ({rate} of answers), {useful_share} useful ({useful} 👍, {not_useful} 👎); {clicks} follow-up clicks.",
                              "Feedback: {given} replies rated ({rate} of answers), {useful_share} useful ({useful} 👍, {not_useful} 👎); {clicks} follow-up clicks."),
    "report.top_topics": "Top topics:",
    "report.top_entries": "Top entries:",
    "report.unanswered": "Most asked without an answer (see `smassist kb gaps`):",
    "chat.intro": "smassist — ask about social media in companies. /topics, /help, /quit.",
    "slack.useful": "👍 Useful",
    "slack.not_useful": "👎 Not useful",
    "slack.thanks_useful": "Thanks, noted: this answer was useful to you.",
    "slack.thanks_not_useful": "Thanks, noted: this answer did not help. Try rephrasing your question or one of the suggested topics.",
    "slack.post_to_channel": "Post to channel",
    "slack.posted_by": "<@{user}> asked: {question}",
    "slack.related": "See also:",
    "slack.did_you_mean": "Did you mean:",
    "slack.expired": "This answer is no longer in memory; please ask again.",
    "slack.unknown_subcommand": "I don't know the command \"{name}\". Type `/smassist help` to see what I can do.",
    "slack.admins_only": "The command \"{name}\" is for smassist administrators only.",
    "slack.usage": "Usage: `/smassist YOUR QUESTION` (answer visible only to you), or mention me in a channel.",
    "slack.truncated": "… (answer shortened)",
    "telegram.start": (
        "Hello! I'm <b>smassist</b>: I answer questions on corporate social media "
        "strategy, with figures and their sources.\n\n"
        "Just type your question, or tap an example below. After an answer, the "
        "\"Sources\" button tells where the figures come from."
    ),
    "telegram.commands_intro": "Commands:",
    "telegram.figures_button": "📊 Figures by topic",
    "telegram.sources_button": "📚 Sources",
    "telegram.useful_button": "👍 Useful",
    "telegram.not_useful_button": "👎 Not useful",
    "telegram.topics_prompt": "Pick a topic:",
    "telegram.stats_prompt": "Figures on which topic?",
    "telegram.topic_questions": "<b>{title}</b>: tap a question.",
    "telegram.topic_figures_button": "📊 Figures on this topic",
    "telegram.stats_title": "📊 <b>Figures: {title}</b>",
    "telegram.no_stats": "I have no sourced figure on \"{title}\" yet.",
    "telegram.unknown_topic": "I don't know the topic \"{topic}\". Pick one:",
    "telegram.ask_usage": "Type your question after /ask, for example: /ask Do we need a social media policy?",
    "telegram.unknown_command": "I don't know that command. Here is what I can do:",
    "telegram.thanks_useful": "Thanks! Glad it helped.",
    "telegram.thanks_not_useful": "Thanks, noted: it helps improve the answers.",
    "telegram.outdated_button": "This button has expired (the knowledge base changed). Please ask again.",
    "telegram.not_allowed": (
        "Hello! This bot is reserved for authorised people in the company. "
        "To get access, send your Telegram user id to an administrator: <code>{user_id}</code>"
    ),
    "telegram.nobody_allowed": (
        "Hello! This bot is not open to anyone yet: no user has been authorised. "
        "Send your Telegram user id to an administrator to get access: <code>{user_id}</code>"
    ),
    "telegram.not_admin": "This command is for administrators only.",
    "telegram.error": "Sorry, something went wrong on my side. Please try again in a moment.",
    "command.start": "What smassist is, with example questions",
    "command.help": "What I can do",
    "command.topics": "Topics and their questions",
    "command.ask": "Ask a question: /ask QUESTION",
    "command.stats": "A topic's figures with sources: /stats TOPIC",
    "command.source": "Sources of the last answer",
    "command.trend": "A figure over time, with a chart (e.g. /trend roi)",
    "command.brief": "The ten figures to know, with sources",
    "command.reload": "Reload the knowledge base (admins)",
    "command.report": "Usage report for the last 30 days (admins)",
    "command.quit": "Quit",
    # The admin console (smassist.web.console): pages, navigation, login.
    "console.title": "smassist admin console",
    "console.colon": ":",
    "console.console": "admin console",
    "console.nav_report": "Usage",
    "console.nav_gaps": "Knowledge gaps",
    "console.nav_kb": "Knowledge base",
    "console.nav_status": "Version served",
    "console.logout": "Log out",
    "console.read_only": "Read-only: edit the files of the knowledge base to change what smassist answers.",
    "console.serving": "Serving version {version} from {folder}",
    "console.report_title": "Usage report",
    "console.period": "Period",
    "console.period_all": "all time",
    "console.period_n": "last {n} {unit}",
    "console.unit_h": "hours",
    "console.unit_d": "days",
    "console.unit_w": "weeks",
    "console.no_questions": "No questions logged in this period.",
    "console.log_off": "The question log is off (SMASSIST_DB=off): there is nothing to report.",
    "console.log_error": "The question log cannot be read: {error}",
    "console.questions": "Questions",
    "console.answered_rate": "Answered",
    "console.answered_of": "{answered} of {answerable}",
    "console.feedback": "Feedback",
    "console.feedback_detail": "{given} rated, {useful} useful, {not_useful} not useful",
    "console.useful_share": "Useful",
    "console.clicks": "Follow-up clicks",
    "console.per_day": "Questions per day and channel",
    "console.per_day_chart": "Questions per day, by channel",
    "console.day": "Day",
    "console.total": "Total",
    "console.top_entries": "Most served entries",
    "console.top_topics": "Most asked topics",
    "console.unanswered": "Most asked without an answer",
    "console.see_gaps": "See the knowledge gaps",
    "console.feedback_chart": "Feedback on answers",
    "console.yes": "useful",
    "console.no": "not useful",
    "console.languages": "Languages",
    "console.gaps_title": "Knowledge gaps",
    "console.gaps_intro": 'Questions smassist did not answer well (no answer, "did you mean", low confidence, or rated not useful), grouped by similarity, most asked first.',
    "console.no_gaps": "No knowledge gaps in this period: every logged question got a confident answer.",
    "console.asked": "asked {count}×",
    "console.last_asked": "last asked {when}",
    "console.reason_unknown": "no answer",
    "console.reason_clarify": "did you mean",
    "console.reason_low": "low confidence",
    "console.reason_not_useful": "not useful",
    "console.wordings": "Wordings",
    "console.closest": "Closest entry",
    "console.closest_none": "none: a new entry?",
    "console.closest_far": "none close (the nearest, {entry}, at {confidence}): a new entry?",
    "console.closest_at": "{entry} at {confidence}",
    "console.edit_in": "in {path}",
    "console.yaml_block": "YAML to paste under the entry's questions:",
    "console.yaml_how": "Paste the lines under fr: / en: of the entry's questions:, then check with smassist kb check.",
    "console.out_of_scope_title": "Declined every time: right to decline?",
    "console.out_of_scope_how": "If smassist was right to decline these questions, paste this block into out_of_scope.yaml: it teaches smassist what is not its domain.",
    "console.kb_title": "Knowledge base",
    "console.kb_intro": "{entries} entries in {topics} topics, {statistics} figures from {studies} studies in {articles} articles.",
    "console.entry_questions": "{count} example questions",
    "console.figures": "Figures",
    "console.no_figures": "No figures.",
    "console.source": "Source",
    "console.follow_ups": "Follow-ups",
    "console.defined_in": "Defined in {path}",
    "console.answer": "Answer",
    "console.topics": "Topics",
    "console.status_title": "Version served",
    "console.version": "Version",
    "console.folder": "Folder",
    "console.loaded_at": "Loaded at",
    "console.counts": "Contents",
    "console.counts_value": "{entries} entries, {questions} example questions, {statistics} figures, {studies} studies, {articles} articles",
    "console.files_ok": "The files in the folder are this version: nothing waits to be served.",
    "console.files_changed": "The files in the folder changed since this version was loaded; smassist serves them within seconds if they are valid.",
    "console.problems": "Problems in the files",
    "console.problems_intro": "The files in the folder have {count} problem(s): they are NOT served. The version above keeps answering until they are fixed.",
    "console.versions_seen": "Versions that answered in the last 24 hours",
    "console.versions_none": "No question logged in the last 24 hours.",
    "console.channel": "Channel",
    "console.count": "Questions",
    "console.login_title": "Log in",
    "console.login_intro": "This console needs the admin token (SMASSIST_ADMIN_TOKEN on the server).",
    "console.token": "Admin token",
    "console.login": "Log in",
    "console.login_failed": "That token is not the right one.",
    "console.not_found": "There is no such page.",
    "console.proxied_without_token": "This console is reached through a proxy but has no SMASSIST_ADMIN_TOKEN: it refuses to serve. Set the token on the server.",
    "console.lang_other": "Français",
}

CATALOGUE: dict[str, dict[str, str | Plural]] = {"fr": _FR, "en": _EN}
