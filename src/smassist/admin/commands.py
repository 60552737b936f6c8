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
    from smassist.state import InstanceVersion

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


#: How long /reload waits, after its own reload, for the other instances to say which
#: version they serve. They were asked first and reload meanwhile, but a new version's
#: model is trained on each (seconds, more on a busy host).
RELOAD_WAIT_SECONDS = 30.0


def reload_command(assistant: Assistant, lang: str = "en") -> str:
    """The admin's reload command: reload now and say how it went.

    With several instances (shared state in PostgreSQL), every other instance is
    asked to reload too (first, so that they reload while this one does), and the
    answer lists the version each one serves.
    """
    from smassist import state
    from smassist.admin.reloader import reload_now

    shared = state.of(assistant)
    request = shared.versions.request_reload() if shared.shared else None
    outcome = reload_now(assistant)
    said = reload_text(outcome, lang)
    if request is None:
        return said
    shared.versions.serving(outcome.version, request)
    return said + "\n" + instances_text(shared.versions.instances(request, RELOAD_WAIT_SECONDS),
                                        lang)


def instances_text(instances: list[InstanceVersion], lang: str = "en") -> str:
    """One line per instance with the version it serves; a warning when they differ."""
    lines = [text(lang, "admin.instances", count=len(instances))]
    for found in instances:
        notes = [text(lang, "admin.this_instance")] if found.current else []
        if not found.answered:
            notes.append(text(lang, "admin.no_answer", seconds=int(RELOAD_WAIT_SECONDS)))
        lines.append(f"- {found.instance}: {found.version or '?'}"
                     + (f" ({', '.join(notes)})" if notes else ""))
    if len({i.version for i in instances}) > 1:
        lines.append(text(lang, "admin.drift"))
    return "\n".join(lines)


def report_command(assistant: Assistant, since: str = REPORT_PERIOD, lang: str = "en", *,
                   settings: Settings | None = None) -> str:
    """The admin's report command: the question-log summary as plain text."""
    from smassist.admin import reports
    from smassist.admin.store import StoreUnavailable, parse_duration, utcnow
    from smassist.state.factory import open_question_store

    store = getattr(assistant, "recorder", None)
    if not hasattr(store, "questions"):
        store = open_question_store(settings)
    if store is None:
        return text(lang, "admin.no_log")
    try:
        records = store.questions(utcnow() - parse_duration(since))
    except (StoreUnavailable, ValueError) as exc:
        return str(exc)
    return reports.format_summary(reports.summarize(records, since=since), lang)
