"""The intent engine: match a question to a knowledge-base entry, or decline.

Each example question of each entry is analysed (:class:`smassist.normalize.Analyzer`:
folding, elisions, stop words, stems, synonym concepts) and indexed for BM25.
A question is scored against every example; an entry's score is its best
example plus how much of the entry's vocabulary the question shares. Words the
index does not know are corrected to its vocabulary when they are one or two
edits away (typos), and otherwise count against the answer: a question that is
mostly about something else is declined even when it shares a word with the
knowledge base.

Confidence is in [0, 1] and does not depend on the knowledge base's size or
domain: it is how much of the question's information (its terms, weighted by
rarity) the best entry explains, tempered by how far ahead of the runner-up it is.

Nothing here knows the domain; domain words live in ``knowledge/``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from smassist.knowledge import LANGS, KnowledgeBase
from smassist.normalize import CONCEPT, STOP, Analyzer, stem, tokens

#: At or above: answer. Between CLARIFY and ANSWER: "did you mean". Below: decline.
ANSWER_THRESHOLD = 0.5
CLARIFY_THRESHOLD = 0.4
#: When the runner-up's ranking score is within this share of the best one, ask instead.
CLOSE_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Match:
    """What the engine thinks: answer the top candidate, ask, or decline."""

    decision: str  # "answer", "clarify" or "unknown"
    candidates: tuple[Candidate, ...]
    #: The question's terms as the engine read them (stems, ~concepts), for reports.
    terms: tuple[str, ...] = ()
    #: Share of the question's information the best entry explains.
    coverage: float = 0.0

    @property
    def confidence(self) -> float:
        return self.candidates[0].confidence if self.candidates else 0.0

    @property
    def entry(self) -> str | None:
        return self.candidates[0].entry if self.decision == "answer" else None


Example = tuple[str, str, str]  # (entry id, lang, question)


#: Logistic calibration of (coverage, similarity, margin) into P(the best entry is right),
#: fitted once on CLINC150's validation split (benchmarks/engine_accuracy.py), never on
#: smassist's own knowledge base: one threshold then means the same on any knowledge base.
CALIBRATION = (1.6, 5.2, 0.0, -2.3)


def calibrated(coverage: float, similarity: float, margin: float) -> float:
    """Confidence in [0, 1] from the best entry's coverage, similarity and lead."""
    a, b, c, bias = CALIBRATION
    return 1 / (1 + math.exp(-(a * coverage + b * similarity + c * margin + bias)))


class Engine:
    """An index over the example questions of one knowledge-base version."""

    k1 = 1.2
    b = 0.75
    #: Weight of the entry-level vocabulary score beside the best example's score.
    entry_weight = 2.0
    #: An unknown query word weighs this share of the rarest known term.
    unknown_weight = 0.7
    #: Stop words count this much in ranking (nothing in confidence).
    stop_weight = 1.0
    #: Share of the examples above which a term only refines examples that other terms found.
    common_share = 0.05
    #: How an entry's vocabulary weighs a term: idf * (share of its examples using it) ** this.
    share_power = 0.5

    def __init__(self, kb: KnowledgeBase):
        examples = [
            (entry.id, lang, question)
            for entry in kb.entries.values()
            for lang in LANGS
            for question in entry.questions[lang]
        ]
        self._build(examples, kb.synonyms, kb.stopwords)

    @classmethod
    def from_examples(
        cls,
        examples: Iterable[Example],
        synonyms: Iterable[tuple[str, Iterable[str]]] = (),
        stopwords: dict[str, Iterable[str]] | None = None,
    ) -> Engine:
        """An engine over plain ``(entry id, lang, question)`` triples (no YAML needed)."""
        engine = cls.__new__(cls)
        engine._build(list(examples), synonyms, stopwords)
        return engine

    # --- the index ------------------------------------------------------------

    def _build(
        self,
        examples: list[Example],
        synonyms: Iterable[tuple[str, Iterable[str]]],
        stopwords: dict[str, Iterable[str]] | None,
    ) -> None:
        self.analyzer = Analyzer(synonyms, stopwords)
        self.entries: list[str] = []
        entry_index: dict[str, int] = {}
        doc_entry: list[int] = []
        doc_terms: list[list[str]] = []
        self.doc_text: list[str] = []
        surface: set[str] = set(self.analyzer.words)
        for entry_id, lang, question in examples:
            if entry_id not in entry_index:
                entry_index[entry_id] = len(self.entries)
                self.entries.append(entry_id)
            found = self.analyzer.analyze(question, lang, index=True)
            doc_entry.append(entry_index[entry_id])
            doc_terms.append(found)
            self.doc_text.append(" ".join(tokens(question)))
            surface.update(tokens(question))
        self.doc_entry = doc_entry
        n_docs = max(len(doc_terms), 1)
        avg_len = sum(len(t) for t in doc_terms) / n_docs or 1.0
        df: dict[str, int] = defaultdict(int)
        for found in doc_terms:
            for term in set(found):
                df[term] += 1
        self.idf = {t: math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.max_idf = max(self.idf.values(), default=1.0)

        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        # Stop words and very common terms would make long posting lists: they
        # are kept per example and only added to examples other terms found.
        crowded = max(self.common_share * n_docs, 64)
        common = {t for t, d in df.items() if t.startswith(STOP) or d > crowded}
        self.doc_common: list[dict[str, float]] = [{} for _ in doc_terms]
        entry_docs: dict[int, int] = defaultdict(int)
        entry_df: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for doc_id, found in enumerate(doc_terms):
            entry = doc_entry[doc_id]
            entry_docs[entry] += 1
            counts: dict[str, int] = defaultdict(int)
            for term in found:
                counts[term] += 1
            norm = self.k1 * (1 - self.b + self.b * len(found) / avg_len)
            for term, count in counts.items():
                weight = self.idf[term] * count * (self.k1 + 1) / (count + norm)
                if term.startswith(STOP):
                    weight *= self.stop_weight
                if term in common:
                    self.doc_common[doc_id][term] = weight
                else:
                    postings[term].append((doc_id, weight))
                entry_df[term][entry] += 1
        self.postings = {t: tuple(p) for t, p in postings.items()}
        # How typical a term is of an entry: the share of its examples that use it.
        self.entry_postings = {
            t: tuple((e, self.idf[t] * (c / entry_docs[e]) ** self.share_power) for e, c in per.items())
            for t, per in entry_df.items()
        }
        self.surface = frozenset(surface)
        self.stems = frozenset(t for t in df if not t.startswith((CONCEPT, STOP)))
        self.avg_len = avg_len
        self.vocabulary = tuple(sorted(w for w in surface if len(w) >= 4 and w.isalpha()))

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # --- matching ---------------------------------------------------------------

    def correct(self, word: str, lang: str) -> str | None:
        """The index word ``word`` is a typo of, if any (one edit, two for long words)."""
        if len(word) < 6 or not word.isalpha() or word in self.surface:
            return None
        if stem(word, lang) in self.stems:
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 1 if len(word) <= 8 else 2
        found = process.extractOne(word, self.vocabulary, scorer=OSA.distance, score_cutoff=limit)
        # Typos rarely touch the first letter; requiring it avoids most false friends.
        return found[0] if found and found[0][0] == word[0] else None

    def analyze(self, text: str, lang: str) -> list[str]:
        """The query terms of ``text`` as this index reads them."""
        return self.analyzer.analyze(text, lang, correct=self.correct)

    def features(self, text: str, lang: str, limit: int = 3):
        """(query terms, [(entry index, rank score, coverage, similarity)] best first)."""
        query = list(dict.fromkeys(self.analyze(text, lang)))
        unknown = self.unknown_weight * self.max_idf
        informative = {t: self.idf.get(t, unknown) for t in query if not t.startswith(STOP)}
        total = sum(informative.values())
        doc_scores: dict[int, float] = defaultdict(float)
        entry_scores: dict[int, float] = defaultdict(float)
        entry_cover: dict[int, float] = defaultdict(float)
        for term in query:
            for doc_id, weight in self.postings.get(term, ()):
                doc_scores[doc_id] += weight
            info = informative.get(term)
            for entry, weight in self.entry_postings.get(term, ()):
                entry_scores[entry] += weight
                if info is not None:
                    entry_cover[entry] += info
        if not doc_scores or not total:
            return query, []
        common = [t for t in query if t not in self.postings]
        if common:
            doc_common = self.doc_common
            for doc_id in doc_scores:
                weights = doc_common[doc_id]
                if weights:
                    doc_scores[doc_id] += sum(weights.get(t, 0.0) for t in common)
        best_doc: dict[int, float] = {}
        for doc_id, score in doc_scores.items():
            entry = self.doc_entry[doc_id]
            if score > best_doc.get(entry, 0.0):
                best_doc[entry] = score
        norm = self.k1 * (1 - self.b + self.b * len(query) / self.avg_len)
        saturation = (self.k1 + 1) / (1 + norm)
        self_score = saturation * sum(
            self.idf.get(t, unknown) * self._factor(t) for t in query
        )
        ranked = sorted(
            ((best_doc[e] + self.entry_weight * entry_scores[e], e) for e in best_doc),
            reverse=True,
        )[: max(limit, 2)]
        return query, [
            (e, score, entry_cover[e] / total, min(best_doc[e] / self_score, 1.0))
            for score, e in ranked
        ]

    def _factor(self, term: str) -> float:
        return self.stop_weight if term.startswith(STOP) else 1.0

    def match(self, text: str, lang: str, limit: int = 3) -> Match:
        query, ranked = self.features(text, lang, limit)
        if not ranked:
            return Match("unknown", (), tuple(query))
        top_score = ranked[0][1]
        candidates = []
        for entry, score, coverage, similarity in ranked:
            runner_up = ranked[1][1] if entry == ranked[0][0] and len(ranked) > 1 else top_score
            margin = (score - runner_up) / top_score if top_score else 0.0
            confidence = calibrated(coverage, similarity, margin)
            candidates.append(Candidate(self.entries[entry], round(confidence, 4)))
        best = candidates[0].confidence
        if best < CLARIFY_THRESHOLD:
            decision = "unknown"
        elif best < ANSWER_THRESHOLD or (
            len(ranked) > 1 and ranked[0][1] - ranked[1][1] < CLOSE_MARGIN * top_score
        ):
            decision = "clarify"
        else:
            decision = "answer"
        return Match(decision, tuple(candidates[:limit]), tuple(query), ranked[0][2])
