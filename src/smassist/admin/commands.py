"""Who is an admin, and what the admin commands (reload, report) answer.

Platform-neutral plain text: the channels check :func:`is_admin` (or their
:class:`~smassist.channels.base.Channel`) and send these texts as they are (in a
code block if they like). What a reload says is :func:`smassist.admin.reloader.reload_text`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smassist.settings import Settings, current, parse_ids
from smassist.texts import text

if TYPE_CHECKING:
    from smassist.admin.reloader import ReloadOutcome
    from smassist.answering.assistant import Assistant

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


def refused_text(lang: str = "en") -> str:
    return text(lang, "admin.refused")


def reload_text(outcome: ReloadOutcome, lang: str = "en", *, fixed: bool = False) -> str:
    """What the admin reads after a reload (:func:`smassist.admin.reloader.reload_text`)."""
    from smassist.admin import reloader

    return reloader.reload_text(outcome, lang, fixed=fixed)


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
        return text(lang, "admin.no_log")
    try:
        records = store.questions(utcnow() - parse_duration(since))
    except (StoreUnavailable, ValueError) as exc:
        return str(exc)
    return reports.format_summary(reports.summarize(records, since=since), lang)
