"""Who is an admin, and what the admin commands (reload, report) answer.

Platform-neutral plain text: the Slack and Telegram channels check
:func:`is_admin` and send these texts as they are (in a code block if they like).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smassist.settings import Settings, current, parse_ids

if TYPE_CHECKING:
    from smassist.admin.reloader import ReloadOutcome
    from smassist.answering.assistant import Assistant

#: Problems listed in one message; the rest are counted (a chat message has a size limit).
MAX_PROBLEMS_SHOWN = 15


#: The period the admins' report command covers.
REPORT_PERIOD = "30d"


def admin_ids(raw: str | None = None, settings: Settings | None = None) -> tuple[str, ...]:
    """The ids in ``SMASSIST_ADMINS`` (or ``raw``), in order, without duplicates.

    Slack user ids and Telegram user ids together, separated by commas (or spaces,
    semicolons); each channel keeps the ids of its own platform.
    """
    return parse_ids(raw) if raw is not None else current(settings).admins


def is_admin(user_id: object, settings: Settings | None = None) -> bool:
    """Whether ``user_id`` (a Slack ``U…`` id or a Telegram numeric id) may run admin commands."""
    return current(settings).is_admin(user_id)


_TEXTS = {
    "en": {
        "reloaded": "Knowledge base reloaded: now serving version {version} (was {previous}).",
        "unchanged": "Knowledge base unchanged: serving version {version}.",
        "fixed": "Knowledge base fixed and reloaded: now serving version {version}.",
        "failed": "Knowledge base NOT reloaded: {count} problem{s}. Still serving version {version}.",
        "unsettled": "The knowledge files are being written; try again in a few seconds (still serving version {version}).",
        "more": "… and {count} more (run `smassist kb check`).",
        "counts": "{entries} entries, {questions} example questions, {statistics} statistics, {studies} studies, {articles} articles.",
        "refused": "This command is for smassist admins only.",
        "no_log": "The question log is off (SMASSIST_DB=off): no report.",
    },
    "fr": {
        "reloaded": "Base de connaissances rechargée : version {version} en service (avant : {previous}).",
        "unchanged": "Base de connaissances inchangée : version {version} en service.",
        "fixed": "Base de connaissances corrigée et rechargée : version {version} en service.",
        "failed": "Base de connaissances NON rechargée : {count} problème{s}. La version {version} reste en service.",
        "unsettled": "Les fichiers sont en cours d'écriture ; réessayez dans quelques secondes (version {version} en service).",
        "more": "… et {count} de plus (lancez `smassist kb check`).",
        "counts": "{entries} entrées, {questions} questions d'exemple, {statistics} statistiques, {studies} études, {articles} articles.",
        "refused": "Cette commande est réservée aux administrateurs de smassist.",
        "no_log": "Le journal des questions est désactivé (SMASSIST_DB=off) : pas de rapport.",
    },
}


def _text(lang: str, key: str, **values: object) -> str:
    return _TEXTS.get(lang, _TEXTS["en"])[key].format(**values)


def refused_text(lang: str = "en") -> str:
    return _text(lang, "refused")


def reload_text(outcome: ReloadOutcome, lang: str = "en", *, fixed: bool = False) -> str:
    """What the admin reads after a reload: outcome, version hash, counts, or every problem."""
    summary = outcome.summary
    counts = _text(lang, "counts", **{k: summary.get(k, 0) for k in
                                      ("entries", "questions", "statistics", "studies", "articles")})
    if outcome.unsettled:
        return _text(lang, "unsettled", version=outcome.version)
    if outcome.ok:
        key = "fixed" if fixed else ("reloaded" if outcome.changed else "unchanged")
        return _text(lang, key, version=outcome.version, previous=outcome.previous) + "\n" + counts
    count = len(outcome.problems)
    lines = [_text(lang, "failed", count=count, s="s" if count != 1 else "",
                   version=outcome.version)]
    lines.extend(str(p) for p in outcome.problems[:MAX_PROBLEMS_SHOWN])
    if count > MAX_PROBLEMS_SHOWN:
        lines.append(_text(lang, "more", count=count - MAX_PROBLEMS_SHOWN))
    return "\n".join(lines)


def reload_command(assistant: Assistant, lang: str = "en") -> str:
    """The admin's reload command: reload now and say how it went."""
    from smassist.admin.reloader import reload_now

    return reload_text(reload_now(assistant), lang)


def report_command(assistant: Assistant, since: str = REPORT_PERIOD, lang: str = "en", *,
                   settings: Settings | None = None) -> str:
    """The admin's report command: the question-log summary as plain text."""
    from smassist.admin import reports
    from smassist.admin.store import StoreUnavailable, open_default_store, parse_duration, utcnow

    store = getattr(assistant, "recorder", None)
    if not hasattr(store, "questions"):
        store = open_default_store(settings)
    if store is None:
        return _text(lang, "no_log")
    try:
        records = store.questions(utcnow() - parse_duration(since))
    except (StoreUnavailable, ValueError) as exc:
        return str(exc)
    return reports.format_summary(reports.summarize(records, since=since), lang)
