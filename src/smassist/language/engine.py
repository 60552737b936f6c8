"""The intent engine: match a question to a knowledge-base entry, or decline.

Every example question of an entry (plus, as weaker evidence, the entry's title
and the sentences of its answer) is analysed by :class:`smassist.normalize.Analyzer`
(folding, elisions, stems, synonym concepts, stop words) into terms and the
pairs of neighbouring content terms, then weighted by TF-IDF (sub-linear term
frequency) and normalised. A question is compared by cosine similarity with

- each example (the nearest example: catches a close paraphrase), and
- each entry's centroid (the entry's whole vocabulary: catches a question that
  mixes words of several of its examples),

and an entry's score is a blend of the two. Words the index does not know are
corrected to its vocabulary when they are one or two edits away (typos), and
otherwise keep the weight of the rarest term: they lengthen the question's
vector, so a question that is mostly about something else scores low even when
it shares a word with the knowledge base. Stop words weigh little and are only
added to examples that content words already found (so they cost nothing on
large knowledge bases).

On top of that similarity sits a **trained layer** (:mod:`smassist.language.model`),
fitted per knowledge-base version when it is compiled: a linear model over the
engine's terms and character n-grams of the example questions, with the
out-of-scope examples (``knowledge/out_of_scope.yaml``) as one more class. An
entry's ranking score is the model's score plus the similarity; the confidence
is the probability, fitted by cross-validation on the version's own examples
(:mod:`smassist.language.training`), that answering the first entry is right,
and the answer / "did you mean" thresholds come from the same cross-validation.
Unknown words add nothing to the model's scores (they no longer dilute a
question); declining comes from the out-of-scope class and the calibration.

Without scikit-learn at compile time (or ``train=False``), the engine falls back
to its similarity alone: a logistic curve of the blended cosine with
hand-set thresholds, and a short lead over the runner-up turns an answer into
"did you mean". Nothing here knows the domain; domain words live in ``knowledge/``.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise
from operator import add, itemgetter, mul

from smassist.kb.runtime import LANGS, KnowledgeBase
from smassist.language.model import SIMILARITY_WEIGHT, Calibration, Model, reading
from smassist.language.normalize import CONCEPT, STOP, Analyzer, stem, tokens
from smassist.records import record

#: Without a trained layer (similarity alone): at or above, answer; between CLARIFY
#: and ANSWER, "did you mean"; below, decline. With one, the thresholds are the
#: version's own (``Engine.calibration``).
ANSWER_THRESHOLD = 0.5
CLARIFY_THRESHOLD = 0.35
#: An answer whose score leads the runner-up (of another entry) by less than this
#: share of its own score becomes a "did you mean".
CLOSE_MARGIN = 0.03

#: The logistic curve from blended cosine similarity to confidence: centre and slope.
#: Chosen with smassist's evaluation set (tests/data/eval_questions.yaml, see the
#: README's figures); CLINC150's validation split puts its best centre close by.
CONFIDENCE_CENTRE = 0.15
CONFIDENCE_SLOPE = 18.0


@record
class Candidate:
    entry: str
    confidence: float


@record
class Match:
    """What the engine thinks: answer the top candidate, ask, or decline."""

    decision: str  # "answer", "clarify" or "unknown"
    candidates: tuple[Candidate, ...]
    #: The question's terms as the engine read them (stems, ~concepts), for reports.
    terms: tuple[str, ...] = ()
    #: Share of the question's weight that the knowledge base's vocabulary covers.
    coverage: float = 0.0

    @property
    def confidence(self) -> float:
        return self.candidates[0].confidence if self.candidates else 0.0

    @property
    def entry(self) -> str | None:
        return self.candidates[0].entry if self.decision == "answer" else None


Example = tuple[str, str, str]  # (entry id, lang, question)

_SENTENCE = re.compile(r"(?<=[.;:!?])\s+|\n+")


def confidence_of(score: float) -> float:
    """The blended cosine similarity of the best entry, as a confidence in [0, 1]."""
    return 1 / (1 + math.exp(-CONFIDENCE_SLOPE * (score - CONFIDENCE_CENTRE)))


class Postings:
    """term -> (ids, weights), stored as flat arrays.

    Flat arrays pickle as a few buffers instead of thousands of small objects, so
    a cached index loads in a few milliseconds.
    """

    __slots__ = ("_by_id", "bounds", "ids", "index", "weights")

    def __init__(self, lists: dict[str, tuple[list[int], list[float]]]):
        self.ids = array("l")
        self.weights = array("d")
        self.bounds = array("l", [0])
        self.index: dict[str, int] = {}
        self._by_id: dict[str, dict[int, float]] = {}
        for term, (ids, weights) in lists.items():
            self.index[term] = len(self.index)
            self.ids.extend(ids)
            self.weights.extend(weights)
            self.bounds.append(len(self.ids))

    def get(self, term: str) -> tuple[array, array] | None:
        i = self.index.get(term)
        if i is None:
            return None
        start, end = self.bounds[i], self.bounds[i + 1]
        return self.ids[start:end], self.weights[start:end]

    def by_id(self, term: str) -> dict[int, float]:
        """id -> weight for ``term``; built on first use and kept (not pickled)."""
        found = self._by_id.get(term)
        if found is None:
            pair = self.get(term)
            found = dict(zip(*pair, strict=True)) if pair else {}
            self._by_id[term] = found
        return found

    def __contains__(self, term: str) -> bool:
        return term in self.index

    def __len__(self) -> int:
        return len(self.index)

    def __getstate__(self) -> tuple[array, array, array, str]:
        # Terms never contain a newline: one string is cheaper to load than many.
        return self.ids, self.weights, self.bounds, "\n".join(self.index)

    def __setstate__(self, state: tuple[array, array, array, str]) -> None:
        self.ids, self.weights, self.bounds, terms = state
        self.index = {term: i for i, term in enumerate(terms.split("\n"))} if terms else {}
        self._by_id = {}


class Engine:
    """An index over the example questions of one knowledge-base version."""

    #: Weight of the nearest example beside the entry's centroid.
    example_weight = 0.3
    #: Stop words weigh this share of their TF-IDF weight ("how" and "when" tell intents apart).
    stop_weight = 1.0
    #: Title and answer sentences count this much in an entry's centroid.
    text_weight = 0.5
    #: An unknown query word weighs this share of the rarest known term.
    unknown_weight = 1.0
    #: Terms in more than this share of the example questions (or this many) are "crowded".
    crowded_share = 0.1
    crowded_cap = 500
    #: Examples kept, by the score of their rarer terms, before crowded terms refine them.
    max_candidates = 1000

    #: The trained layer and its calibration (None: similarity alone).
    model: Model | None = None
    calibration: Calibration | None = None
    #: Seconds the training and cross-validation took (0 when loaded from the cache).
    train_seconds: float = 0.0

    def __init__(self, kb: KnowledgeBase, train: bool = True):
        self._build(examples_of(kb), kb.synonyms, kb.stopwords, texts_of(kb))
        if train:
            self.train(examples_of(kb), kb.out_of_scope, kb.synonyms, kb.stopwords, texts_of(kb),
                       groups={entry.id: entry.topic for entry in kb.entries.values()})

    @classmethod
    def from_examples(
        cls,
        examples: Iterable[Example],
        synonyms: Iterable[tuple[str, Iterable[str]]] = (),
        stopwords: dict[str, Iterable[str]] | None = None,
        texts: Iterable[Example] = (),
        out_of_scope: Iterable[tuple[str, str]] | None = None,
    ) -> Engine:
        """An engine over plain ``(entry id, lang, question)`` triples (no YAML needed).

        ``texts`` are weaker evidence about entries (titles, answer sentences).
        With ``out_of_scope`` (``(lang, question)`` pairs to decline, possibly
        empty), the trained layer is fitted and calibrated too.
        """
        engine = cls.__new__(cls)
        examples, texts = list(examples), list(texts)
        engine._build(examples, synonyms, stopwords, texts)
        if out_of_scope is not None:
            engine.train(examples, list(out_of_scope), synonyms, stopwords, texts)
        return engine

    def train(self, examples: list[Example], out_of_scope: Iterable[tuple[str, str]],
              synonyms: Iterable[tuple[str, Iterable[str]]] = (),
              stopwords: dict[str, Iterable[str]] | None = None,
              texts: Iterable[Example] = (), groups: dict[str, str] | None = None) -> bool:
        """Fit and calibrate the trained layer; False (similarity alone) without scikit-learn.

        ``groups`` (entry -> topic): an answer with another entry of the right topic
        counts as right when the thresholds are chosen.
        """
        try:
            from smassist.language import training
        except ImportError as exc:  # scikit-learn missing: similarity alone, said once in the log
            import logging

            logging.getLogger(__name__).warning(
                "trained layer not built (%s): answering by similarity alone", exc)
            return False
        synonyms, texts, out_of_scope = list(synonyms), list(texts), list(out_of_scope)
        # The same inputs train the same model: a process that compiles one knowledge
        # base twice (a reload that changed no question, tests) trains it once.
        key = _digest(training.CODE_VERSION, examples, out_of_scope, synonyms,
                      sorted((stopwords or {}).items()), texts, sorted((groups or {}).items()))
        trained = _TRAINED.get(key)
        if trained is None:

            def build(fold: list[Example]) -> Engine:
                kept = {entry for entry, _, _ in fold}
                return Engine.from_examples(fold, synonyms, stopwords,
                                            [t for t in texts if t[0] in kept])

            try:
                trained = training.train(self, examples, out_of_scope, build, groups=groups)
            except training.Untrainable:
                return False  # a tiny (or a huge) knowledge base: similarity alone
            except Exception as exc:  # never fail a compile: similarity alone, and say why
                import logging

                logging.getLogger(__name__).warning(
                    "trained layer not built (%s): answering by similarity alone", exc)
                return False
            while len(_TRAINED) >= 4:
                _TRAINED.pop(next(iter(_TRAINED)))
            _TRAINED[key] = trained
        self.model, self.calibration, self.train_seconds = trained
        return True

    # --- the index ------------------------------------------------------------

    def _build(
        self,
        examples: list[Example],
        synonyms: Iterable[tuple[str, Iterable[str]]],
        stopwords: dict[str, Iterable[str]] | None,
        texts: list[Example],
    ) -> None:
        self.analyzer = Analyzer(synonyms, stopwords)
        self.entries: list[str] = []
        entry_index: dict[str, int] = {}
        docs: list[tuple[int, list[str], bool]] = []  # (entry, terms, is an example question)
        surface: set[str] = set(self.analyzer.words)
        for items, is_question in ((examples, True), (texts, False)):
            for entry_id, lang, text in items:
                if entry_id not in entry_index:
                    entry_index[entry_id] = len(self.entries)
                    self.entries.append(entry_id)
                words = tokens(text)
                surface.update(words)
                found = _with_pairs(self.analyzer.analyze(text, lang, index=True))
                if found:
                    docs.append((entry_index[entry_id], found, is_question))
        df: dict[str, int] = defaultdict(int)
        for _, found, _ in docs:
            for term in set(found):
                df[term] += 1
        n_docs = max(len(docs), 1)
        self.idf = {t: math.log((n_docs + 1) / (d + 0.5)) for t, d in df.items()}
        self.max_idf = max(self.idf.values(), default=1.0)

        # Example questions are searched one by one; titles and answers only feed centroids.
        # Stop words and crowded terms (in a large share of the examples) only add to
        # examples that rarer terms found: they tell close examples apart without making
        # every question visit most of the index.
        n_questions = sum(1 for _, _, is_question in docs if is_question)
        crowded = min(max(self.crowded_share * n_questions, 64), self.crowded_cap)
        question_df: dict[str, int] = defaultdict(int)
        for _, found, is_question in docs:
            if is_question:
                for term in set(found):
                    question_df[term] += 1
        self.doc_entry: list[int] = []
        primary: dict[str, tuple[list[int], list[float]]] = {}
        secondary: dict[str, tuple[list[int], list[float]]] = {}
        centroids: list[dict[str, float]] = [defaultdict(float) for _ in self.entries]
        for entry, found, is_question in docs:
            vector = self._vector(found)
            share = 1.0 if is_question else self.text_weight
            for term, weight in vector.items():
                centroids[entry][term] += share * weight
            if not is_question:
                continue
            doc_id = len(self.doc_entry)
            self.doc_entry.append(entry)
            for term, weight in vector.items():
                side = secondary if term.startswith(STOP) or question_df[term] > crowded else primary
                ids, weights = side.setdefault(term, ([], []))
                ids.append(doc_id)
                weights.append(weight)
        self.postings = Postings(primary)
        self.secondary = Postings(secondary)
        centroid_postings: dict[str, tuple[list[int], list[float]]] = {}
        for entry, centroid in enumerate(centroids):
            norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
            for term, weight in centroid.items():
                ids, weights = centroid_postings.setdefault(term, ([], []))
                ids.append(entry)
                weights.append(weight / norm)
        self.centroid_postings = Postings(centroid_postings)
        self.surface = frozenset(surface)
        self.stems = frozenset(t for t in df if not t.startswith((CONCEPT, STOP)) and "|" not in t)
        by_letter: dict[str, list[str]] = defaultdict(list)
        for word in sorted(w for w in surface if len(w) >= 4 and w.isalpha()):
            by_letter[word[0]].append(word)
        #: Words a typo may be corrected to, by first letter.
        self.vocabulary = {letter: tuple(words) for letter, words in by_letter.items()}

    def _weight(self, term: str, count: int) -> float:
        idf = self.idf.get(term)
        if idf is None:
            idf = self.unknown_weight * self.max_idf
        weight = (1 + math.log(count)) * idf
        return weight * self.stop_weight if term.startswith(STOP) else weight

    def _vector(self, found: list[str]) -> dict[str, float]:
        # _weight, inlined (a question's vector is made on every match): a term seen once
        # weighs its IDF exactly ((1 + log 1) x idf), so the logarithm is skipped then.
        idf = self.idf
        unknown = self.unknown_weight * self.max_idf
        stop_weight = self.stop_weight
        vector: dict[str, float] = {}
        for term, count in Counter(found).items():  # first-seen order, as the terms came
            weight = idf.get(term)
            if weight is None:
                weight = unknown
            if count != 1:
                weight = (1 + math.log(count)) * weight
            vector[term] = weight * stop_weight if term.startswith(STOP) else weight
        values = vector.values()
        norm = math.sqrt(sum(map(mul, values, values))) or 1.0
        return {t: w / norm for t, w in vector.items()}

    # --- matching ---------------------------------------------------------------

    def correct(self, word: str, lang: str) -> str | None:
        """The index word ``word`` is a typo of, if any (one edit, two for long words)."""
        if len(word) < 5 or not word.isalpha() or word in self.surface:
            return None
        if stem(word, lang) in self.stems:
            return None
        # A word the index does not know is searched once per process (as stems are
        # remembered): names and typos come back, and each search costs ~15 us.
        corrections = self.__dict__.setdefault("_corrections", {})
        key = (word, lang)
        if key in corrections:
            return corrections[key]
        if len(corrections) >= _MAX_CORRECTIONS:
            corrections.clear()
        found = corrections[key] = self._correct(word)
        return found

    def _correct(self, word: str) -> str | None:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 1 if len(word) <= 8 else 2
        # Typos rarely touch the first letter; requiring it avoids most false friends
        # (and searches a twentieth of the vocabulary).
        choices = self.vocabulary.get(word[0], ())
        found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
        return found[0] if found else None

    def analyze(self, text: str, lang: str) -> list[str]:
        """The query terms of ``text`` as this index reads them."""
        return self.analyzer.analyze(text, lang, correct=self.correct)

    def _query(self, text: str, lang: str) -> tuple[list[str], dict[str, float], float]:
        """(query terms, their weighted vector, coverage of the query by the index's vocabulary)."""
        query = _with_pairs(self.analyze(text, lang))
        vector = self._vector(query)
        idf = self.idf
        known = content = 0.0
        for term, weight in vector.items():  # the two sums, in the vector's order
            if not term.startswith(STOP):
                square = weight * weight
                content += square
                if term in idf:
                    known += square
        return query, vector, known / content if content else 0.0

    def scores(self, text: str, lang: str, limit: int = 3) -> tuple[list[str], list[tuple[float, int]], float]:
        """(query terms, [(score, entry index)] best first, coverage of the query)."""
        query, found, coverage = self.similarities(text, lang)
        ranked = sorted(((score, entry) for entry, score in found.items()), reverse=True)
        return query, ranked[: max(limit, 2)], coverage

    def similarities(self, text: str, lang: str) -> tuple[list[str], dict[int, float], float]:
        """(query terms, {entry index: score} for the entries found (unordered), coverage of the query)."""
        query, vector, coverage = self._query(text, lang)
        doc_scores: dict[int, float] = {}
        primary, made, by_id = self.postings.index, self.postings._by_id, self.postings.by_id
        for term, weight in vector.items():
            if term not in primary:
                continue
            found = made.get(term) or by_id(term)
            if doc_scores:
                get = doc_scores.get
                for doc_id, doc_weight in found.items():
                    doc_scores[doc_id] = get(doc_id, 0.0) + weight * doc_weight
            else:  # the first term: every product is a new score (in C)
                doc_scores = dict(zip(found, map(weight.__mul__, found.values()), strict=True))
        crowded = self.secondary.index
        later = [(t, w) for t, w in vector.items() if t in crowded]
        if not doc_scores:
            # Only crowded words (e.g. "social media?"): the entries whose vocabulary
            # weighs them most lend their examples as candidates.
            doc_scores = self._candidates_from_centroids(vector)
            if not doc_scores:
                return query, {}, coverage
        if len(doc_scores) > self.max_candidates:
            doc_scores = dict(heapq.nlargest(self.max_candidates, doc_scores.items(),
                                             key=itemgetter(1)))
        # Crowded terms and stop words refine the candidates (cost: candidates, not postings).
        made, secondary = self.secondary._by_id, self.secondary.by_id
        for term, weight in later:
            weights = made.get(term) or secondary(term)
            for doc_id in doc_scores.keys() & weights.keys():  # the intersection, in C
                doc_scores[doc_id] += weight * weights[doc_id]
        # Scores are never negative: an entry's first example always sets its best.
        best_example: dict[int, float] = {}
        best = best_example.get
        doc_entry = self.doc_entry
        for doc_id, score in doc_scores.items():
            entry = doc_entry[doc_id]
            if score > best(entry, -1.0):
                best_example[entry] = score
        centroid: dict[int, float] = dict.fromkeys(best_example, 0.0)
        in_centroids, made = self.centroid_postings.index, self.centroid_postings._by_id
        centroid_weights = self.centroid_postings.by_id
        for term, weight in vector.items():
            if term not in in_centroids:
                continue
            weights = made.get(term) or centroid_weights(term)
            for entry in weights.keys() & centroid.keys():  # the intersection, in C
                centroid[entry] += weight * weights[entry]
        blend = self.example_weight
        rest = 1 - blend
        return query, {e: blend * best_example[e] + rest * centroid[e] for e in best_example}, coverage

    def _candidates_from_centroids(self, vector: dict[str, float], entries: int = 20) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for term, weight in vector.items():
            if term.startswith(STOP):
                continue
            found = self.centroid_postings.get(term)
            if found:
                for entry, entry_weight in zip(*found, strict=True):
                    scores[entry] += weight * entry_weight
        if not scores:
            return {}
        best = {e for e, _ in heapq.nlargest(entries, scores.items(), key=itemgetter(1))}
        if not hasattr(self, "_entry_docs"):
            by_entry: dict[int, list[int]] = defaultdict(list)
            for doc_id, entry in enumerate(self.doc_entry):
                by_entry[entry].append(doc_id)
            self._entry_docs = dict(by_entry)
        return {doc_id: 0.0 for entry in best for doc_id in self._entry_docs.get(entry, ())}

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_entry_docs", None)  # derived, rebuilt on first use
        state.pop("_corrections", None)
        return state

    def model_terms(self, text: str, lang: str) -> list[str]:
        """The terms the trained layer reads in ``text`` (the index's terms and pairs)."""
        return _with_pairs(self.analyze(text, lang))

    def blended(self, text: str, lang: str) -> tuple[list[str], list[float], list[float], float, float]:
        """(query terms, ranking score per entry, similarity per entry, out-of-scope score, coverage)."""
        assert self.model is not None
        n = len(self.entries)
        similarity = [0.0] * n
        weight = self.calibration.similarity_weight if self.calibration else SIMILARITY_WEIGHT
        if weight:
            query, found, coverage = self.similarities(text, lang)
            for entry, score in found.items():
                similarity[entry] = score
        else:  # the ranking is the model's alone: no need to search the index
            query, _, coverage = self._query(text, lang)
        model = self.model.scores(query, text)
        blend = list(map(add, model, map(weight.__mul__, similarity)))  # m + weight x s, per entry
        oos = model[n] if len(model) > n else -math.inf
        return query, blend, similarity, oos, coverage

    def rank(self, text: str, lang: str) -> tuple[str | None, tuple[float, ...]]:
        """The first entry for ``text`` and the calibration's reading of it."""
        _, blend, similarity, oos, coverage = self.blended(text, lang)
        best = heapq.nlargest(2, range(len(blend)), key=blend.__getitem__)
        if not best:
            return None, reading(0.0, 0.0, 0.0, 0.0, coverage)
        first = best[0]
        other = blend[best[1]] if len(best) > 1 else blend[first] - 1.0
        return self.entries[first], reading(blend[first], other, similarity[first], oos, coverage)

    def match(self, text: str, lang: str, limit: int = 3) -> Match:
        if self.model is not None and self.calibration is not None and self.entries:
            return self._match_trained(text, lang, limit)
        query, ranked, coverage = self.scores(text, lang, limit)
        if not ranked:
            return Match("unknown", (), tuple(query), coverage)
        candidates = tuple(
            Candidate(self.entries[e], round(confidence_of(score), 4)) for score, e in ranked
        )
        best = candidates[0].confidence
        top = ranked[0][0]
        close = len(ranked) > 1 and top - ranked[1][0] < CLOSE_MARGIN * top
        if best < CLARIFY_THRESHOLD:
            decision = "unknown"
        elif best < ANSWER_THRESHOLD or close:
            decision = "clarify"
        else:
            decision = "answer"
        return Match(decision, candidates[:limit], tuple(query), round(coverage, 4))


    def _match_trained(self, text: str, lang: str, limit: int) -> Match:
        calibration = self.calibration
        assert calibration is not None
        query, blend, similarity, oos, coverage = self.blended(text, lang)
        # heapq.nlargest's own equivalent (ties in index order), faster for a few dozen entries.
        best = sorted(range(len(blend)), key=blend.__getitem__, reverse=True)[: max(limit, 2)]
        top = best[0]
        runner_up = blend[best[1]] if len(best) > 1 else blend[top] - 1.0
        candidates = []
        for entry in best[:limit]:
            other = runner_up if entry == top else blend[top]
            confidence = calibration.confidence(
                *reading(blend[entry], other, similarity[entry], oos, coverage))
            candidates.append(Candidate(self.entries[entry], round(confidence, 4)))
        confidence = candidates[0].confidence
        if confidence >= calibration.answer:
            decision = "answer"
        elif confidence >= calibration.clarify:
            decision = "clarify"
        else:
            decision = "unknown"
        return Match(decision, tuple(candidates), tuple(query), round(coverage, 4))


#: Corrections an engine remembers (unknown words, each with its correction or None).
_MAX_CORRECTIONS = 50_000

#: Trained layers of this process, by a digest of what they were trained on.
_TRAINED: dict[str, tuple[Model, Calibration, float]] = {}


def _digest(*parts: object) -> str:
    import hashlib  # compile time only

    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def examples_of(kb: KnowledgeBase) -> list[Example]:
    """Every example question of the knowledge base as (entry, lang, question)."""
    return [
        (entry.id, lang, question)
        for entry in kb.entries.values()
        for lang in LANGS
        for question in entry.questions[lang]
    ]


def texts_of(kb: KnowledgeBase) -> list[Example]:
    """The weaker evidence about each entry: its title and the sentences of its answer."""
    return [
        (entry.id, lang, text)
        for entry in kb.entries.values()
        for lang in LANGS
        for text in (entry.title[lang], *_sentences(entry.answer[lang]))
    ]


def _with_pairs(found: list[str]) -> list[str]:
    """The terms and each pair of neighbouring content terms ('word order' evidence)."""
    content = [t for t in found if not t.startswith(STOP)]
    return found + [f"{a}|{b}" for a, b in pairwise(content)]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if len(s.split()) > 3]
