"""The assistant every channel shares: question in, platform-neutral Reply out."""

from __future__ import annotations

import os
import re
import threading
import time
import unicodedata
from pathlib import Path
from typing import Protocol

from smassist import metrics
from smassist.answering.building import compose, more
from smassist.answering.clean import clean_question, other_language, strip_invisible
from smassist.answering.conversation import (
    Context,
    Conversations,
    ConversationStore,
    asks_for_trend,
    choice_number,
    follow_up_kind,
)
from smassist.answering.followups import (
    bare_reask,
    content_follow_up,
    is_reask,
    refers_back,
    smalltalk_kind,
)
from smassist.answering.grounding import ground, relevant_entities, unmeasured_anywhere
from smassist.answering.kinds import named_entities, question_kind
from smassist.answering.reply import Reply, StatisticView, Suggestion
from smassist.answering.replytexts import join_words, say
from smassist.answering.texts import MAX_QUESTION_CHARS, message
from smassist.kb.runtime import EntityInfo, EntryInfo, KnowledgeBase
from smassist.language import detect as language
from smassist.language.engine import Engine, Match
from smassist.records import record
from smassist.settings import Settings, current
from smassist.texts import format_number


class Recorder(Protocol):
    """Keeps what was asked and how it was received (the question log)."""

    def record_question(self, reply: Reply, channel: str, user: str | None) -> None: ...

    def record_feedback(self, reply_id: str, useful: bool, channel: str, user: str | None) -> None: ...

    def record_click(self, reply_id: str, entry: str, channel: str, user: str | None) -> None: ...


@record
class State:
    """One whole knowledge-base version and its index; swapped in one assignment."""

    kb: KnowledgeBase
    engine: Engine


class Assistant:
    """Answers questions from one knowledge base; safe to share between threads."""

    def __init__(self, kb: KnowledgeBase, engine: Engine | None = None,
                 conversations: Conversations | None = None,
                 recorder: Recorder | None = None):
        self._state = State(kb, engine or Engine(kb))
        self.conversations: Conversations = conversations or ConversationStore()
        self.recorder = recorder
        #: Held while a reload builds the next version (the reloader takes it too).
        self.reload_lock = threading.Lock()

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, use_cache: bool = True,
             recorder: Recorder | None = None, settings: Settings | None = None) -> Assistant:
        """The assistant on the knowledge base at ``path`` (default: ``$SMASSIST_KB``, ``./knowledge``, bundled).

        ``recorder`` keeps the question log (e.g. ``smassist.store.open_default_store()``);
        ``settings`` the environment (default: read now).
        Raises :class:`smassist.loader.KnowledgeBaseError` with every problem found.
        """
        from smassist.language.compiled import load_compiled

        settings = current(settings)
        kb, engine = load_compiled(settings.knowledge_path(path), use_cache=use_cache,
                                   settings=settings)
        return cls(kb, engine, recorder=recorder)

    @property
    def kb(self) -> KnowledgeBase:
        return self._state.kb

    @property
    def state(self) -> State:
        return self._state

    def swap(self, kb: KnowledgeBase, engine: Engine | None = None) -> None:
        """Serve a new knowledge-base version from the next question on."""
        self._state = State(kb, engine or Engine(kb))

    def reload(self, use_cache: bool = True) -> KnowledgeBase:
        """Load the knowledge base again from its folder and serve it if it is valid.

        On problems, raises :class:`smassist.loader.KnowledgeBaseError` and keeps
        serving the current version.
        """
        from smassist.language.compiled import load_compiled

        with self.reload_lock:
            kb, engine = load_compiled(self._state.kb.root, use_cache=use_cache)
            if kb.version != self._state.kb.version:
                self.swap(kb, engine)
            return self._state.kb

    # --- answering ----------------------------------------------------------

    def ask(self, text: str, lang: str | None = None, conversation: str | None = None, *,
            channel: str = "api", user: str | None = None) -> Reply:
        """Answer ``text``. ``lang`` is a hint (a locale) used when the text is too short to tell.

        ``channel`` and ``user`` (the platform's user id) only go to the question log.
        """
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        # Undecodable bytes (a terminal's surrogate escapes) become U+FFFD, so the reply,
        # its JSON and the question log only ever hold valid text.
        text = _SURROGATES.sub("\ufffd", text)
        started = time.perf_counter()
        with self.conversations.turn(conversation):  # one turn at a time per conversation
            reply = self._ask(text, lang, conversation)
        metrics.ANSWER_SECONDS.observe(time.perf_counter() - started, channel=channel)
        metrics.QUESTIONS.inc(channel=channel, decision=reply.kind)
        if self.recorder is not None:
            self.recorder.record_question(reply, channel, user)
        return reply

    def record_feedback(self, reply_id: str, useful: bool, *, channel: str = "api",
                        user: str | None = None) -> None:
        """A user said whether a reply was useful."""
        if self.recorder is not None:
            self.recorder.record_feedback(reply_id, useful, channel, user)

    def record_click(self, reply_id: str, entry: str, *, channel: str = "api",
                     user: str | None = None) -> None:
        """A user pressed a follow-up or 'did you mean' button of a reply."""
        if self.recorder is not None:
            self.recorder.record_click(reply_id, entry, channel, user)

    def _ask(self, text: str, lang: str | None, conversation: str | None) -> Reply:
        state = self._state  # one version for the whole answer
        context = self.conversations.get(conversation)
        hint = _lang_hint(lang) or context.lang
        problem = _input_problem(strip_invisible(text))
        cleaned = clean_question(text)
        if not problem and not any(ch.isalnum() for ch in cleaned):
            problem = "empty"  # nothing but markup: "<b></b>", "<@U123>"
        reply_lang = language.detect(cleaned[:MAX_QUESTION_CHARS], hint) if cleaned else (hint or "fr")
        if problem == "too_long":
            return Reply(text, "invalid", message(reply_lang, "too_long",
                                                  length=format_number(len(text), reply_lang),
                                                  limit=format_number(MAX_QUESTION_CHARS, reply_lang)), reply_lang,
                         version=state.kb.version)
        if problem:
            return Reply(text, "invalid", message(reply_lang, problem), reply_lang,
                         version=state.kb.version)

        number = choice_number(cleaned)
        if number is not None:
            if context.choices and 1 <= number <= len(context.choices):
                return self._answer_entry(state, context.choices[number - 1], text, reply_lang,
                                          conversation, 1.0)
            if context.choices:  # a pick, but not one of those offered: say which are
                self.conversations.remember(conversation, lang=reply_lang, choices=context.choices)
                return Reply(text, "invalid", say(reply_lang, "out_of_range",
                                                  count=len(context.choices)), reply_lang,
                             version=state.kb.version)
            # A bare digit is a pick, not a question: never match it against the entries.
            return Reply(text, "invalid", message(reply_lang, "no_choice"), reply_lang,
                         version=state.kb.version)

        foreign = other_language(cleaned)
        if foreign is not None:
            return Reply(text, "unknown", say(reply_lang, "other_language"), reply_lang,
                         version=state.kb.version, extra={"other_language": foreign})
        chat = smalltalk_kind(cleaned)
        if chat is not None:
            return Reply(text, "smalltalk", say(reply_lang, f"smalltalk_{chat}"), reply_lang,
                         version=state.kb.version)

        kind = follow_up_kind(cleaned)
        if kind == "help":
            return self.help(reply_lang, question=text)
        if kind in ("sources", "details"):
            reply_lang = (lang and _lang_hint(lang)) or (
                language.detect(cleaned, context.lang or hint) if len(cleaned.split()) > 2 else
                context.lang or language.detect(cleaned, hint))
            if context.choices or context.entry not in state.kb.entries:
                return self._nothing_to_follow(state, context, kind, text, reply_lang, conversation)
            if kind == "sources":
                return self._sources(state, context.entry, text, reply_lang, conversation)
            return self._more(state, context, "details", text, reply_lang, conversation)

        wanted = content_follow_up(cleaned)
        if wanted is not None:
            if context.choices or context.entry not in state.kb.entries:
                return self._nothing_to_follow(state, context, wanted, text, reply_lang, conversation)
            return self._more(state, context, wanted, text, reply_lang, conversation)
        if context.entry in state.kb.entries and not context.choices:
            entities = [e for e in named_entities(state.kb.vocabulary, cleaned) if e.grounded]
            if is_reask(cleaned, entities):
                return self._answer_entry(state, context.entry, text, reply_lang, conversation,
                                          1.0, kind="figure", entities=entities)
        elif refers_back(cleaned):
            entities = [e for e in named_entities(state.kb.vocabulary, cleaned) if e.grounded]
            if bare_reask(cleaned, entities):
                return self._nothing_to_follow(state, context, "reask", text, reply_lang,
                                               conversation, about=[e.name[reply_lang] for e in entities])

        match = state.engine.match(cleaned, reply_lang)
        if asks_for_trend(cleaned):
            trend = self._trend_for_match(state, match, cleaned, text, reply_lang, conversation)
            if trend is not None:
                return trend
        return self._reply_for_match(state, match, text, reply_lang, conversation, cleaned)

    def trend(self, key: str, lang: str | None = None, conversation: str | None = None) -> Reply:
        """Figures over time (kind 'trend') for a series id, a topic id or words: "roi"."""
        from smassist.answering.trends import trend_reply
        from smassist.trends import series as trends

        state = self._state
        cleaned = clean_question(key if isinstance(key, str) else "")
        context = self.conversations.get(conversation)
        lang = _lang_hint(lang) or (language.detect(cleaned, context.lang) if cleaned
                                    else context.lang or "fr")
        found = trends.find_series(state.kb, cleaned) if cleaned else []
        entry = None
        if cleaned and not found:
            match = state.engine.match(cleaned, lang)
            if match.candidates and match.decision != "unknown":
                entry = match.candidates[0].entry
                found = trends.series_for_entry(state.kb, entry)
        reply = trend_reply(state.kb, found, lang, key, entry)
        self.conversations.remember(conversation, entry=reply.entry, lang=lang)
        return reply

    def brief(self, lang: str | None = None) -> Reply:
        """The ten figures a manager most needs (kind 'brief'), each with its source."""
        from smassist.answering.brief import brief_reply

        return brief_reply(self._state.kb, _lang_hint(lang) or "fr")

    def _trend_for_match(self, state: State, match: Match, cleaned: str, question: str,
                         lang: str, conversation: str | None) -> Reply | None:
        """A trend answer when the question asks for an evolution and its subject has a series."""
        from smassist.answering.trends import trend_reply
        from smassist.trends import series as trends

        entry = match.candidates[0].entry if match.candidates and match.decision != "unknown" else None
        via_entry = trends.series_for_entry(state.kb, entry) if entry else []
        named = trends.find_series(state.kb, cleaned)
        # Series the question names win over a weak entry match; both agreeing is best.
        if match.decision == "answer" and not via_entry:
            return None  # the subject is clear and has no figures over time: answer it
        if not named and match.decision != "answer":
            return None  # a guess about the subject is not enough to switch to a trend
        found = [s for s in via_entry if s in named] or named or via_entry
        if not found:
            return None
        if via_entry and not set(map(id, found)) & set(map(id, via_entry)):
            entry = None
        self.conversations.remember(conversation, entry=entry, lang=lang)
        return trend_reply(state.kb, found, lang, question, entry, match.confidence or 1.0)

    def answer_entry(self, entry_id: str, lang: str, conversation: str | None = None,
                     question: str | None = None) -> Reply:
        """The answer of a given entry (a follow-up or 'did you mean' button was pressed)."""
        state = self._state
        lang = _lang_hint(lang) or "fr"
        if entry_id not in state.kb.entries:
            return self.help(lang, question=question or entry_id)
        return self._answer_entry(state, entry_id, question or state.kb.entries[entry_id].title[lang],
                                  lang, conversation, 1.0)

    def sources(self, lang: str, conversation: str | None, entry: str | None = None) -> Reply:
        """The sources of ``entry``, or of the last answer in ``conversation``."""
        context = self.conversations.get(conversation)
        lang = _lang_hint(lang) or context.lang or "fr"
        if entry is not None and entry in self._state.kb.entries:
            return self._sources(self._state, entry, "source", lang, conversation)
        if context.choices or context.entry not in self._state.kb.entries:
            return self._nothing_to_follow(self._state, context, "sources", "source", lang,
                                           conversation)
        return self._sources(self._state, context.entry, "source", lang, conversation)

    def help(self, lang: str, question: str = "help") -> Reply:
        """What smassist knows: the topics, with an example question each."""
        state = self._state
        lang = _lang_hint(lang) or "fr"
        suggestions = []
        for topic in state.kb.topics.values():
            entries = state.kb.entries_by_topic(topic.id)
            if entries and len(suggestions) < 5:
                suggestions.append(Suggestion(entries[0].id, entries[0].title[lang]))
        return Reply(question, "help", message(lang, "help"), lang,
                     topics=self._topic_list(state, lang), suggestions=tuple(suggestions),
                     version=state.kb.version)

    # --- building replies ---------------------------------------------------

    def _reply_for_match(self, state: State, match: Match, question: str, lang: str,
                         conversation: str | None, cleaned: str | None = None) -> Reply:
        kb = state.kb
        if match.decision == "answer":
            words = cleaned if cleaned is not None else clean_question(question)
            kind = question_kind(kb.vocabulary, words, lang)
            return self._answer_entry(state, match.candidates[0].entry, question, lang,
                                      conversation, match.confidence, kind=kind,
                                      entities=relevant_entities(kb, words, kind))
        # Whatever else is said, a platform or country nothing measures is named first.
        unmeasured, missing = unmeasured_anywhere(
            kb, cleaned if cleaned is not None else clean_question(question), lang)
        first = f"{unmeasured} " if unmeasured else ""
        if match.decision == "clarify":
            choices = tuple(c.entry for c in match.candidates[:3])
            self.conversations.remember(conversation, lang=lang, choices=choices)
            return Reply(
                question, "clarify", first + message(lang, "clarify"), lang,
                confidence=match.confidence,
                suggestions=tuple(Suggestion(e, kb.entries[e].title[lang]) for e in choices),
                version=kb.version, uncovered=missing,
            )
        least = choice_threshold(state.engine)
        plausible = tuple(c.entry for c in match.candidates[:3]
                          if least is not None and c.confidence >= least)
        if plausible:
            # What was found is offered as choices ("2" picks the second), not hidden behind
            # the list of every topic.
            self.conversations.remember(conversation, lang=lang, choices=plausible)
            return Reply(question, "unknown", first + say(lang, "decline_choices"), lang,
                         confidence=match.confidence,
                         suggestions=tuple(Suggestion(e, kb.entries[e].title[lang]) for e in plausible),
                         version=kb.version, extra={"choices": True}, uncovered=missing)
        self.conversations.remember(conversation, lang=lang)
        return Reply(question, "unknown", first + message(lang, "unknown"), lang,
                     confidence=match.confidence, topics=self._topic_list(state, lang),
                     version=kb.version, uncovered=missing)

    def _answer_entry(self, state: State, entry_id: str, question: str, lang: str,
                      conversation: str | None, confidence: float, *, kind: str | None = None,
                      entities: list[EntityInfo] | None = None) -> Reply:
        kb = state.kb
        entry = kb.entries[entry_id]
        grounding = ground(kb, entry, entities or [], lang)
        composed = compose(kb, entry, lang, kind, grounding)
        shown = ("answer",) + ((f"opening:{composed.opening}",) if composed.opening else ())
        self.conversations.remember(conversation, entry=entry_id, lang=lang, shown=shown)
        return Reply(
            question, "answer", composed.text, lang,
            matched=True, topic=entry.topic, entry=entry.id, title=entry.title[lang],
            confidence=confidence,
            statistics=tuple(StatisticView.of(kb.statistics[s], kb, lang) for s in composed.statistics),
            follow_ups=_follow_ups(kb, entry, lang),
            version=kb.version,
            question_kind=kind, covered=grounding.covered, uncovered=grounding.uncovered,
        )

    def _sources(self, state: State, entry_id: str, question: str, lang: str,
                 conversation: str | None) -> Reply:
        kb = state.kb
        entry = kb.entries[entry_id]
        self.conversations.remember(conversation, entry=entry_id, lang=lang)
        stats = _shown_statistics(kb, entry, lang)
        if stats:
            lines = [message(lang, "sources_intro", title=entry.title[lang])]
            for citation in dict.fromkeys(s.citation for s in stats):
                lines.append(f"- {citation}")
                lines.extend(f"  · {s.text}" for s in stats if s.citation == citation)
            text = "\n".join(lines)
        else:
            text = message(lang, "no_sources", title=entry.title[lang])
        return Reply(question, "sources", text, lang, matched=True, topic=entry.topic,
                     entry=entry.id, title=entry.title[lang], confidence=1.0, statistics=stats,
                     follow_ups=_follow_ups(kb, entry, lang),
                     version=kb.version)

    def _more(self, state: State, context: Context, want: str, question: str, lang: str,
              conversation: str | None) -> Reply:
        """What the last answer did not give: the method, the reasoning, the topic's other
        figures, the articles' own words; one block per message, never a repeat."""
        kb = state.kb
        entry_id = context.entry or ""
        entry = kb.entries[entry_id]
        shown = context.shown if context.entry == entry_id else ()
        text, stat_ids, block = more(kb, entry, lang, want, shown)
        if text is None or block is None:
            text = say(lang, "more_nothing", title=entry.title[lang])
            self.conversations.remember(conversation, entry=entry_id, lang=lang, shown=shown)
            return Reply(question, "details", text, lang, matched=True, topic=entry.topic,
                         entry=entry.id, title=entry.title[lang], confidence=1.0,
                         follow_ups=_follow_ups(kb, entry, lang), version=kb.version)
        self.conversations.remember(conversation, entry=entry_id, lang=lang,
                                    shown=(*shown, block))
        intro = message(lang, "details_intro", title=entry.title[lang])
        return Reply(question, "details", f"{intro}\n{text}", lang, matched=True,
                     topic=entry.topic, entry=entry.id, title=entry.title[lang], confidence=1.0,
                     statistics=tuple(StatisticView.of(kb.statistics[s], kb, lang) for s in stat_ids),
                     follow_ups=_follow_ups(kb, entry, lang), version=kb.version)

    def _nothing_to_follow(self, state: State, context: Context, want: str, question: str,
                           lang: str, conversation: str | None, about: list[str] | None = None) -> Reply:
        """A follow-up ("source ?", "pourquoi ?", "et aux États-Unis ?") with no answer to follow:
        with a "did you mean" pending, its choices again (a number picks one); else, ask a
        question first, and the topics there are answers on."""
        kb = state.kb
        then = say(lang, f"then_{want}", **({"about": join_words(about or [], lang)}
                                             if want == "reask" else {}))
        choices = tuple(e for e in context.choices if e in kb.entries)
        self.conversations.remember(conversation, lang=lang, choices=choices)
        if choices:
            return Reply(question, "invalid", say(lang, "pick_first", then=then), lang,
                         suggestions=tuple(Suggestion(e, kb.entries[e].title[lang]) for e in choices),
                         version=kb.version)
        return Reply(question, "invalid", say(lang, "no_context", then=then), lang,
                     topics=self._topic_list(state, lang), version=kb.version)

    @staticmethod
    def _topic_list(state: State, lang: str) -> tuple[tuple[str, str], ...]:
        having = {entry.topic for entry in state.kb.entries.values()}
        return tuple((t.id, t.title[lang]) for t in state.kb.topics.values() if t.id in having)


def choice_threshold(engine: Engine) -> float | None:
    """The confidence from which a decline offers a candidate as a choice; None: never.

    The version's own cross-validation chose it (``choice_threshold`` in the
    calibration's figures): choices offered at or above it held the right entry at
    least half the time, held out. Without a trained layer there is no such
    measurement, and a decline offers no choice (the "did you mean" band still does).
    """
    calibration = engine.calibration
    if calibration is None:
        return None
    found = calibration.figures.get("choice_threshold")
    return None if found is None or found >= calibration.clarify else found


def _shown_statistics(kb: KnowledgeBase, entry: EntryInfo, lang: str) -> tuple[StatisticView, ...]:
    """The figures shown with the entry's answer, each with its source, in ``lang``."""
    return tuple(StatisticView.of(kb.statistics[s], kb, lang) for s in entry.statistics)


def _follow_ups(kb: KnowledgeBase, entry: EntryInfo, lang: str) -> tuple[Suggestion, ...]:
    """The entry's first three follow-ups, titled in ``lang``."""
    return tuple(Suggestion(f, kb.entries[f].title[lang]) for f in entry.follow_ups[:3])


_SURROGATES = re.compile("[\ud800-\udfff]")


def _lang_hint(lang: str | None) -> str | None:
    if not lang:
        return None
    code = str(lang).strip().lower().replace("_", "-").split("-")[0]
    return code if code in ("fr", "en") else None


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n\t\r"


def _input_problem(text: str) -> str | None:
    if len(text) > MAX_QUESTION_CHARS:
        return "too_long"
    stripped = text.strip()
    if not stripped:
        return "empty"
    # A printable text holds no control character (str.isprintable runs in C).
    controls = stripped.count("\ufffd") + (
        0 if stripped.isprintable() else sum(_is_control(ch) for ch in stripped))
    if controls and controls * 10 >= len(stripped):
        return "unreadable"
    if not any(ch.isalnum() for ch in stripped):
        return "empty"
    return None


def default_path() -> Path:
    return current().knowledge_path()
