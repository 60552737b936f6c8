"""Which entries need an opening they do not have (a ``kb check`` warning).

An entry holds one answer, written for its title. When its example questions ask
for other kinds of answer too (a figure, a method, a reason...), each of those
kinds needs an opening (``openings: {KIND: {fr, en}}``) so that the reply starts
with what was asked. Kinds are read by the same recogniser that reads questions
(:func:`smassist.answering.kinds.question_kind`, phrases in
``knowledge/vocabulary.yaml``).

A kind needs no opening when the answer already serves it: the title's own kind,
and a figure when the answer's first sentence states one in both languages. A kind
counts for an entry from :data:`MIN_QUESTIONS` example questions on: one stray
phrasing does not make a kind of questions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from smassist.answering.kinds import first_sentence, holds_figure, question_kind
from smassist.kb.runtime import LANGS, EntryInfo, KnowledgeBase

#: Example questions of a kind (both languages together) from which it needs serving.
MIN_QUESTIONS = 3


@dataclass(frozen=True, slots=True)
class MissingOpening:
    entry: str
    location: str  # file:line of the entry
    missing: tuple[str, ...]  # the kinds without an opening
    counts: dict[str, int]  # kind -> example questions of that kind

    def message(self) -> str:
        kinds = ", ".join(f"{k} ({self.counts[k]} questions)" for k in self.missing)
        asked = ", ".join(f"{k} {n}" for k, n in sorted(self.counts.items(), key=lambda kv: -kv[1]))
        return (f"{self.location}: entry '{self.entry}' has example questions of several kinds "
                f"({asked}) but no opening for: {kinds}; add openings: {{KIND: {{fr, en}}}}")


def question_kinds(kb: KnowledgeBase, entry: EntryInfo) -> Counter[str]:
    """How many of the entry's example questions ask for each kind."""
    counts: Counter[str] = Counter()
    for lang in LANGS:
        for question in entry.questions.get(lang, ()):
            kind = question_kind(kb.vocabulary, question, lang)
            if kind:
                counts[kind] += 1
    return counts


def served_kinds(kb: KnowledgeBase, entry: EntryInfo) -> set[str]:
    """The kinds the answer itself serves: its title's, and a figure it opens with."""
    served = {k for lang in LANGS if (k := question_kind(kb.vocabulary, entry.title.get(lang, ""), lang))}
    if entry.statistics and all(holds_figure(first_sentence(entry.answer.get(lang, ""))) for lang in LANGS):
        served.add("figure")
    return served


def missing_openings(kb: KnowledgeBase, least: int = MIN_QUESTIONS) -> list[MissingOpening]:
    """Entries whose questions mix kinds and that lack an opening for one that occurs."""
    found = []
    for entry in kb.entries.values():
        counts = question_kinds(kb, entry)
        if len(counts) < 2:
            continue
        served = served_kinds(kb, entry) | set(entry.openings)
        missing = tuple(k for k, n in counts.most_common() if n >= least and k not in served)
        if missing:
            found.append(MissingOpening(entry.id, str(entry.location), missing, dict(counts)))
    return found


def openings_report(kb: KnowledgeBase) -> str:
    """The warnings, one ``file:line: message`` per entry, or that none is missing."""
    found = missing_openings(kb)
    if not found:
        return "Openings: every entry whose questions mix kinds has the openings they need."
    lines = [f"Openings (warnings): {len(found)} entries lack an opening for a kind of their questions."]
    lines.extend(f"  {m.message()}" for m in found)
    return "\n".join(lines)
