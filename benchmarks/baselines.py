"""The matchers compared with smassist's engine, behind one small interface.

Every matcher is fitted on ``(label, lang, text)`` example questions and answers
``predict(text, lang) -> (label, score)``: the best label and a score where
higher means surer. Out of scope is decided by the caller with a threshold on
that score, chosen the same way for every matcher (see ``accuracy.py``).

- ``engine``: smassist's own engine (``Engine.from_examples``); the score is its confidence.
- ``rapidfuzz <scorer>``: ``process.extractOne`` over every example question
  (``default_process``: lower case, punctuation removed); the label of the nearest one.
- ``tfidf word|char + NN``: cosine nearest example question in a TF-IDF space
  (word 1-2 grams; character 2-5 grams within word boundaries, sublinear tf).
- ``tfidf word|char + LR`` / ``+ SVM``: LogisticRegression (max probability) or
  LinearSVC (max decision value) on the same features.
- ``BM25``: Okapi BM25 (k1 1.2, b 0.75) over the example questions, lower-cased
  word tokens, no stemming or stop words; the label of the best example, its score.

scikit-learn, scipy and numpy come from the ``bench`` extra; smassist never imports them.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence

Example = tuple[str, str, str]  # (label, lang, text)

_WORD = re.compile(r"\w+", re.UNICODE)


class Matcher:
    name = "matcher"
    #: The score is comparable across knowledge bases (a calibrated confidence).
    calibrated = False

    def fit(self, examples: Sequence[Example]) -> Matcher:
        raise NotImplementedError

    def predict(self, text: str, lang: str) -> tuple[str | None, float]:
        raise NotImplementedError

    def predict_many(self, texts: Sequence[str], langs: Sequence[str]) -> list[tuple[str | None, float]]:
        return [self.predict(t, lang) for t, lang in zip(texts, langs, strict=True)]


class EngineMatcher(Matcher):
    name = "smassist engine"
    calibrated = True

    def __init__(self, synonyms=(), stopwords=None, kb=None, train: bool = True):
        self.synonyms, self.stopwords, self.kb, self.train = synonyms, stopwords, kb, train
        if not train:
            self.name = "smassist engine, similarity alone (no trained layer)"

    def fit(self, examples: Sequence[Example]) -> EngineMatcher:
        from smassist.language.engine import Engine

        if self.kb is not None:
            self.engine = Engine(self.kb, train=self.train)
        else:
            self.engine = Engine.from_examples(list(examples), self.synonyms, self.stopwords,
                                               out_of_scope=[] if self.train else None)
        return self

    def match(self, text: str, lang: str):
        return self.engine.match(text, lang)

    def predict(self, text: str, lang: str) -> tuple[str | None, float]:
        match = self.engine.match(text, lang)
        if not match.candidates:
            return None, 0.0
        return match.candidates[0].entry, match.candidates[0].confidence


class FuzzMatcher(Matcher):
    def __init__(self, scorer: str = "token_set_ratio"):
        self.scorer_name = scorer
        self.name = f"rapidfuzz {scorer}"

    def fit(self, examples: Sequence[Example]) -> FuzzMatcher:
        from rapidfuzz import fuzz, utils

        self._scorer = getattr(fuzz, self.scorer_name)
        self._process = utils.default_process
        self.labels = [label for label, _, _ in examples]
        self.choices = [self._process(text) for _, _, text in examples]
        return self

    def predict(self, text: str, lang: str) -> tuple[str | None, float]:
        from rapidfuzz import process

        found = process.extractOne(self._process(text), self.choices, scorer=self._scorer)
        if found is None:
            return None, 0.0
        return self.labels[found[2]], found[1] / 100

    def predict_many(self, texts, langs):
        from rapidfuzz import process

        scores = process.cdist([self._process(t) for t in texts], self.choices, scorer=self._scorer,
                               workers=1)
        best = scores.argmax(axis=1)
        return [(self.labels[j], float(scores[i, j]) / 100) for i, j in enumerate(best)]


class TfidfMatcher(Matcher):
    def __init__(self, analyzer: str = "char", model: str = "NN"):
        self.analyzer, self.model = analyzer, model
        self.name = f"tfidf {analyzer} + {model}"

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        if self.analyzer == "char":
            return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                   lowercase=True, strip_accents="unicode")
        return TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                               lowercase=True, strip_accents="unicode", token_pattern=r"(?u)\b\w+\b")

    def fit(self, examples: Sequence[Example]) -> TfidfMatcher:
        import numpy as np

        self.vectorizer = self._vectorizer()
        matrix = self.vectorizer.fit_transform([text for _, _, text in examples])
        labels = [label for label, _, _ in examples]
        if self.model == "NN":
            self.matrix = matrix.T.tocsr()  # features x examples: one sparse product per query
            self.labels = labels
        elif self.model == "LR":
            from sklearn.linear_model import LogisticRegression

            self.clf = LogisticRegression(C=10.0, max_iter=300)
            self.clf.fit(matrix, labels)
            self.classes = list(self.clf.classes_)
        else:
            from sklearn.svm import LinearSVC

            self.clf = LinearSVC(C=1.0)
            self.clf.fit(matrix, labels)
            self.classes = list(self.clf.classes_)
        self._np = np
        return self

    def _scores(self, vectors):
        if self.model == "NN":
            return (vectors @ self.matrix).toarray()
        if self.model == "LR":
            return self.clf.predict_proba(vectors)
        return self.clf.decision_function(vectors)

    def predict(self, text: str, lang: str) -> tuple[str | None, float]:
        return self.predict_many([text], [lang])[0]

    def predict_many(self, texts, langs):
        scores = self._scores(self.vectorizer.transform(list(texts)))
        if scores.ndim == 1:  # a binary LinearSVC
            scores = self._np.stack([-scores, scores], axis=1)
        best = scores.argmax(axis=1)
        names = self.labels if self.model == "NN" else self.classes
        return [(names[j], float(scores[i, j])) for i, j in enumerate(best)]


class BM25Matcher(Matcher):
    name = "BM25"
    k1 = 1.2
    b = 0.75

    @staticmethod
    def tokens(text: str) -> list[str]:
        return _WORD.findall(text.casefold())

    def fit(self, examples: Sequence[Example]) -> BM25Matcher:
        docs = [self.tokens(text) for _, _, text in examples]
        self.labels = [label for label, _, _ in examples]
        n = len(docs)
        avg = sum(map(len, docs)) / max(n, 1) or 1.0
        df: dict[str, int] = defaultdict(int)
        for doc in docs:
            for term in set(doc):
                df[term] += 1
        idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            counts: dict[str, int] = defaultdict(int)
            for term in doc:
                counts[term] += 1
            norm = self.k1 * (1 - self.b + self.b * len(doc) / avg)
            for term, c in counts.items():
                postings[term].append((i, idf[term] * c * (self.k1 + 1) / (c + norm)))
        self.postings = dict(postings)
        return self

    def predict(self, text: str, lang: str) -> tuple[str | None, float]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(self.tokens(text)):
            for i, weight in self.postings.get(term, ()):
                scores[i] += weight
        if not scores:
            return None, 0.0
        best = max(scores, key=scores.__getitem__)
        return self.labels[best], scores[best]


FUZZ_SCORERS = ("token_set_ratio", "token_sort_ratio", "ratio", "WRatio", "QRatio")


def baselines(linear: bool = True) -> list[Matcher]:
    """Every baseline except rapidfuzz (whose scorer is chosen separately)."""
    found: list[Matcher] = [TfidfMatcher("word", "NN"), TfidfMatcher("char", "NN")]
    if linear:
        found += [TfidfMatcher("word", "LR"), TfidfMatcher("char", "LR"),
                  TfidfMatcher("word", "SVM"), TfidfMatcher("char", "SVM")]
    found.append(BM25Matcher())
    return found
