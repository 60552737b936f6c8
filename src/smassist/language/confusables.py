"""Summaries of a knowledge base for `smassist kb check`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from smassist.kb.runtime import LANGS, KnowledgeBase

if TYPE_CHECKING:
    from smassist.language.engine import Match


def check_summary(kb: KnowledgeBase) -> str:
    """Entries, example questions and statistics per topic and language."""
    rows = []
    for topic in kb.topics.values():
        entries = kb.entries_by_topic(topic.id)
        questions = {lang: sum(len(e.questions[lang]) for e in entries) for lang in LANGS}
        stats = len(kb.statistics_by_topic(topic.id))
        rows.append((topic.id, len(entries), questions["fr"], questions["en"], stats))
    width = max(len(r[0]) for r in rows) if rows else 5
    lines = [f"{'topic':<{width}}  entries  questions fr  questions en  statistics"]
    lines.extend(f"{t:<{width}}  {e:>7}  {fr:>12}  {en:>12}  {s:>10}" for t, e, fr, en, s in rows)
    summary = kb.summary()
    lines.append(
        f"OK: {summary['entries']} entries, {summary['questions']} example questions, "
        f"{summary['statistics']} statistics from {summary['studies']} studies in "
        f"{summary['articles']} articles, {summary['topics']} topics "
        f"(version {summary['version']})."
    )
    empty = [r[0] for r in rows if r[1] == 0]
    if empty:
        lines.append(f"Topics without entries: {', '.join(empty)}.")
    return "\n".join(lines)


#: Folds of the held-out check: each example question is matched by an engine built
#: without its fold (a fifth of every entry's examples).
CONFUSABLE_FOLDS = 5
#: Pairs shown by :func:`confusables_report`, most frequent first.
CONFUSABLE_PAIRS_SHOWN = 15
#: Example questions shown per pair.
CONFUSABLE_EXAMPLES_SHOWN = 2


@dataclass(frozen=True, slots=True)
class Confusion:
    """Example questions of ``entry`` that the engine, without them, matches to ``other``."""

    entry: str
    other: str
    location: str  # file:line of ``entry``
    questions: tuple[tuple[str, str], ...]  # (lang, question), in knowledge-base order


def find_confusables(kb: KnowledgeBase, folds: int = CONFUSABLE_FOLDS) -> tuple[list[Confusion], int, int]:
    """Confusable pairs, most frequent first; also (questions checked, questions flagged).

    Held out, like ``rasa data validate`` plus cross-validation: every entry's
    example questions are dealt round-robin into ``folds`` folds, and each fold
    is matched by an engine built (:meth:`Engine.from_examples`) on the other
    folds, so no question is matched against itself. A question is flagged when
    the engine answers or asks with another entry first (asking with its own
    entry first is the engine hesitating, not confusing). Declined questions are
    not confusions. Entries with a single example question cannot be held out and
    are skipped.

    Cost, measured on the bundled knowledge base (62 entries, 1028 questions,
    ~0.17 s an engine build, ~0.1 ms a match): one engine per fold, 5 folds,
    ~1 s. Rejected: one engine on all examples (~0.3 s) matches each question
    against itself, so it only finds near-duplicates (1 question flagged);
    leaving out a whole entry per build (~4.2 s) leaves the question nothing
    right to match; leaving out one question per build would take ~3 minutes.
    """
    from smassist.language.engine import Engine, examples_of, texts_of

    texts = texts_of(kb)  # titles and answers are never held out: they are not questions
    examples = examples_of(kb)  # entry by entry, so an entry's examples are dealt from fold 0
    fold_of = [i % folds for _, own in groupby(examples, key=itemgetter(0)) for i, _ in enumerate(own)]
    checkable = {e.id for e in kb.entries.values() if sum(len(q) for q in e.questions.values()) > 1}
    flagged: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    checked = 0
    for fold in range(folds):
        held = [x for x, f in zip(examples, fold_of, strict=True) if f == fold and x[0] in checkable]
        if not held:
            continue
        rest = [x for x, f in zip(examples, fold_of, strict=True) if f != fold]
        engine = Engine.from_examples(rest, kb.synonyms, kb.stopwords, texts)
        for entry_id, lang, question in held:
            checked += 1
            other = _confused_with(engine.match(question, lang), entry_id)
            if other is not None:
                flagged[(entry_id, other)].append((lang, question))
    order = {(e, lang, q): i for i, (e, lang, q) in enumerate(examples)}
    pairs = [
        Confusion(a, b, str(kb.entries[a].location), tuple(sorted(qs, key=lambda x: order[(a, *x)])))
        for (a, b), qs in flagged.items()
    ]
    pairs.sort(key=lambda c: (-len(c.questions), c.entry, c.other))
    return pairs, checked, sum(len(qs) for qs in flagged.values())


def _confused_with(match: Match, entry_id: str) -> str | None:
    """The other entry a match points to instead of (or as close as) ``entry_id``."""
    if match.decision == "unknown" or not match.candidates:
        return None
    first = match.candidates[0].entry
    return first if first != entry_id else None


def confusables_report(kb: KnowledgeBase, limit: int = CONFUSABLE_PAIRS_SHOWN) -> str:
    """The "Confusable entries (warnings)" section of ``kb check``."""
    pairs, checked, flagged = find_confusables(kb)
    if not pairs:
        return f"Confusable entries (warnings): none ({checked} example questions checked, held out)."
    lines = [
        f"Confusable entries (warnings): {flagged} of {checked} example questions, held out, "
        f"are matched to another entry ({len(pairs)} pairs)."
    ]
    for pair in pairs[:limit]:
        count = len(pair.questions)
        lines.append(f"  {pair.entry} -> {pair.other}: {count} question{'s' if count > 1 else ''}")
        for lang, question in pair.questions[:CONFUSABLE_EXAMPLES_SHOWN]:
            lines.append(f"    {pair.location}: [{lang}] {question}")
    if len(pairs) > limit:
        rest = pairs[limit:]
        lines.append(
            f"  ... and {len(rest)} more pairs ({sum(len(p.questions) for p in rest)} questions)."
        )
    lines.append("Hint: give these entries more distinct example questions, or merge them.")
    return "\n".join(lines)
