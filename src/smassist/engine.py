"""The intent engine: match a question to a knowledge-base entry, or decline.

First version: BM25 over the stemmed terms of every example question, combined
with a rapidfuzz similarity to the nearest example. Nothing here knows the
domain; domain words live in ``knowledge/``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from smassist.knowledge import LANGS, KnowledgeBase
from smassist.normalize import fold, terms

ANSWER_THRESHOLD = 0.55
CLARIFY_THRESHOLD = 0.35
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

    @property
    def confidence(self) -> float:
        return self.candidates[0].confidence if self.candidates else 0.0

    @property
    def entry(self) -> str | None:
        return self.candidates[0].entry if self.decision == "answer" else None


class Engine:
    """An index over the example questions of one knowledge-base version."""

    k1 = 1.2
    b = 0.75

    def __init__(self, kb: KnowledgeBase):
        self.docs: list[tuple[str, str, list[str], str]] = []  # entry, lang, terms, folded text
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for entry in kb.entries.values():
            for lang in LANGS:
                for question in entry.questions[lang]:
                    doc_terms = terms(question, lang)
                    doc_id = len(self.docs)
                    self.docs.append((entry.id, lang, doc_terms, fold(question)))
                    counts: dict[str, int] = defaultdict(int)
                    for term in doc_terms:
                        counts[term] += 1
                    for term, count in counts.items():
                        postings[term].append((doc_id, count))
        n = max(len(self.docs), 1)
        self.avg_len = sum(len(d[2]) for d in self.docs) / n or 1.0
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        self.postings = dict(postings)

    def match(self, text: str, lang: str, limit: int = 3) -> Match:
        query = terms(text, lang)
        if not query:
            return Match("unknown", ())
        scores: dict[int, float] = defaultdict(float)
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc_id, count in self.postings[term]:
                length = len(self.docs[doc_id][2])
                norm = count * (self.k1 + 1) / (count + self.k1 * (1 - self.b + self.b * length / self.avg_len))
                scores[doc_id] += idf * norm
        if not scores:
            return Match("unknown", ())
        best_possible = sum(self.idf.get(t, 0.0) for t in set(query)) * (self.k1 + 1) / 2 or 1.0
        folded = fold(text)
        per_entry: dict[str, float] = {}
        for doc_id, score in sorted(scores.items(), key=lambda kv: -kv[1])[:50]:
            entry, _, _, doc_text = self.docs[doc_id]
            lexical = min(score / best_possible, 1.0)
            fuzzy = fuzz.token_sort_ratio(folded, doc_text) / 100
            confidence = 0.7 * lexical + 0.3 * fuzzy
            if confidence > per_entry.get(entry, 0.0):
                per_entry[entry] = confidence
        ranked = sorted(per_entry.items(), key=lambda kv: -kv[1])[:limit]
        candidates = tuple(Candidate(e, round(c, 4)) for e, c in ranked)
        top = candidates[0].confidence
        if top < CLARIFY_THRESHOLD:
            decision = "unknown"
        elif top < ANSWER_THRESHOLD or (
            len(candidates) > 1 and top - candidates[1].confidence < CLOSE_MARGIN
        ):
            decision = "clarify"
        else:
            decision = "answer"
        return Match(decision, candidates)
