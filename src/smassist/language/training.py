"""Training and self-calibration of the engine's learned layer, per knowledge-base version.

Runs when a version is compiled (``smassist kb check``, a cache miss, a live
reload in the reloader's thread); needs numpy, scipy and scikit-learn. Answering
never imports this module: :mod:`smassist.language.model` holds the result as
plain arrays.

1. **Model.** A linear SVM (scikit-learn ``LinearSVC``, one-vs-rest) over the
   example questions of every entry, plus one more class made of the
   out-of-scope examples (``knowledge/out_of_scope.yaml``) when there are any.
2. **Cross-validation.** The example questions (and out-of-scope examples) are
   split into k folds; each fold is held out once, and a tenth of the entries are
   left out of that fold's training entirely, so that their held-out questions
   play unseen topics (a knowledge base without an out-of-scope file still gets
   negatives). Every held-out question is scored by the model and engine index
   trained without it.
3. **Calibration.** A logistic regression on those held-out scores gives the
   probability that answering the first candidate is right; the answer
   threshold minimises (in-scope questions not answered right) + 2 x (wrong
   answers), and the "did you mean" threshold minimises (in-scope questions
   whose right entry is not offered first) + (out-of-scope questions offered a
   choice), below the answer threshold. The same code and constants serve every
   knowledge base; nothing is tuned on an evaluation file.
"""

from __future__ import annotations

import math
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from smassist.language.model import (
    OUT_OF_SCOPE,
    SIMILARITY_WEIGHT,
    Calibration,
    Model,
    question_features,
    reading,
)

if TYPE_CHECKING:
    from smassist.language.engine import Engine

Example = tuple[str, str, str]  # (label, lang, question)

#: Changes whenever what training produces changes (the in-process memo of trained layers).
CODE_VERSION = 6
#: Character n-gram lengths (benchmarks/engine_choices.py --features).
CHARS = (2, 5)
#: A feature is kept when this many training questions have it (engine terms, character n-grams).
MIN_DF = (1, 2)
#: The SVM regularisation (idem).
SVM_C = 0.5
#: Labels whose weight a feature keeps beside its median (the model as stored); None: every
#: label. Session 5: a feature's differences are added as one packed integer whatever
#: their number, so pruning no longer buys answering time (benchmarks/README.md, "Engine
#: v2 choices"), and the model is stored as trained.
KEEP_PER_FEATURE: int | None = None
#: Of the kept differences, this share (the smallest) is dropped.
DROP_SHARE = 0.0
#: Folds of the cross-validation; at most ``MAX_FOLDS`` are run once this many held-out
#: questions are scored (a large knowledge base needs fewer folds to calibrate).
FOLDS = 5
ENOUGH_HELD_OUT = 1000
#: Fewer example questions than this per entry on average, or fewer entries than
#: two: too little to cross-validate, so no trained layer (similarity alone).
MIN_QUESTIONS_PER_ENTRY = 4
#: More entries than this: no trained layer (training would take minutes).
MAX_ENTRIES = 1000
#: Share of the entries left out of each fold's training (their questions play unseen topics).
UNSEEN_ENTRIES = 0.1
#: Regularisation of the logistic calibration (weak: four readings, thousands of questions).
CALIBRATION_C = 100.0
#: A wrong answer costs this many missed answers when the answer threshold is chosen.
WRONG_ANSWER_COST = 2.0
#: A decline offers entries as choices only where, held out, the offered choices held
#: the right entry at least this often (:func:`choice_threshold`), and at most this many
#: candidates are offered.
CHOICE_PRECISION = 0.5
CHOICES = 3
#: Offers counted before the precision is trusted (fewer: too few to tell).
MIN_CHOICE_OFFERS = 5


class Features:
    """The binary feature matrices (engine terms, character n-grams) of a set of questions.

    Built once for every example; each fold (and the final model) takes its rows
    and weighs them with the IDF of its own training rows, as the model will.
    """

    def __init__(self, groups: list[tuple[set[str], set[str]]]):
        self.vocab: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self.matrices = tuple(self._binary([g[i] for g in groups], self.vocab[i], grow=True)
                              for i in range(2))

    @staticmethod
    def _binary(rows: list[set[str]], vocab: dict[str, int], grow: bool) -> csr_matrix:
        indptr, indices = [0], []
        for row in rows:
            for feature in row:
                j = vocab.get(feature)
                if j is None:
                    if not grow:
                        continue
                    j = vocab[feature] = len(vocab)
                indices.append(j)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        return csr_matrix((data, indices, indptr), shape=(len(rows), max(len(vocab), 1)))

    def rows(self, groups: list[tuple[set[str], set[str]]]) -> tuple[csr_matrix, csr_matrix]:
        """Binary matrices of other questions over the same vocabulary (unknown features dropped)."""
        return tuple(self._binary([g[i] for g in groups], self.vocab[i], grow=False) for i in range(2))


@dataclass
class Weighting:
    """The columns a training set knows and their IDF, per feature group."""

    keep: tuple[np.ndarray, np.ndarray]
    idf: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, train: tuple[csr_matrix, csr_matrix], min_df: tuple[int, int] | None = None) -> Weighting:
        keep, idf = [], []
        for x, least in zip(train, min_df or MIN_DF, strict=True):
            df = np.asarray(x.getnnz(axis=0)).ravel()
            columns = np.flatnonzero(df >= least)
            keep.append(columns)
            idf.append(np.log((x.shape[0] + 1) / (df[columns] + 1)) + 1)
        return cls(tuple(keep), tuple(idf))

    def apply(self, binary: tuple[csr_matrix, csr_matrix]) -> csr_matrix:
        """IDF-weighted rows, each group L2-normalised over the features it knows."""
        parts = []
        for x, keep, idf in zip(binary, self.keep, self.idf, strict=True):
            if not len(keep):
                continue
            weighted = x[:, keep].multiply(idf[None, :]).tocsr()
            parts.append(normalize(weighted))
        return hstack(parts).tocsr()


def _fit(x: csr_matrix, y: np.ndarray, n_labels: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    """(coef labels x features, bias) of a one-vs-rest linear SVM; absent labels never win."""
    present = np.unique(y)
    coef = np.zeros((n_labels, x.shape[1]))
    bias = np.full(n_labels, -10.0)
    if len(present) == 1:
        bias[present[0]] = 1.0
        return coef, bias
    svm = LinearSVC(C=c).fit(x, y)
    if len(present) == 2:  # liblinear gives one row for two classes
        coef[present[1]], bias[present[1]] = svm.coef_[0], svm.intercept_[0]
        coef[present[0]], bias[present[0]] = -svm.coef_[0], -svm.intercept_[0]
    else:
        coef[present], bias[present] = svm.coef_, svm.intercept_
    return coef, bias


def _floats(values: np.ndarray) -> array:
    out = array("f")
    out.frombytes(np.ascontiguousarray(values, dtype=np.float32).tobytes())
    return out


def prune(coef: np.ndarray, keep: int | None = KEEP_PER_FEATURE,
          drop: float = DROP_SHARE) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(median per feature, offsets, label ids, differences): the model as stored.

    Each feature keeps its median and, of its ``keep`` largest differences from it
    (None: all), those above the ``drop`` quantile of all kept differences; a
    difference of zero is never stored.
    """
    weights = coef.T  # feature x label
    median = np.median(weights, axis=1)
    difference = weights - median[:, None]
    if keep is None or keep >= weights.shape[1]:
        ids = np.broadcast_to(np.arange(weights.shape[1]), difference.shape)
        values = difference
    else:
        ids = np.argpartition(-np.abs(difference), keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(difference, ids, axis=1)
    cut = np.quantile(np.abs(values), drop) if values.size and drop > 0 else 0.0
    mask = (np.abs(values) >= cut) & (values != 0)
    offsets = np.concatenate([[0], np.cumsum(mask.sum(axis=1))])
    return median, offsets, ids[mask], values[mask]


def as_stored(coef: np.ndarray, keep: int | None = KEEP_PER_FEATURE,
              drop: float = DROP_SHARE) -> np.ndarray:
    """``coef`` as the stored model computes with it (labels x features)."""
    if (keep is None or keep >= coef.shape[0]) and drop <= 0:
        return coef  # nothing dropped: the stored model is the trained one (up to float32)
    median, offsets, ids, values = prune(coef, keep, drop)
    dense = np.repeat(median[:, None], coef.shape[0], axis=1)
    rows = np.repeat(np.arange(len(median)), np.diff(offsets))
    dense[rows, ids] += values
    return dense.T


def to_model(features: Features, weighting: Weighting, coef: np.ndarray, bias: np.ndarray,
             labels: list[str], chars: tuple[int, int], keep: int | None = KEEP_PER_FEATURE,
             drop: float = DROP_SHARE) -> Model:
    """The trained weights as a :class:`Model` (plain arrays; IDF folded in)."""
    names = []
    for vocab, columns in zip(features.vocab, weighting.keep, strict=True):
        inverse = {j: f for f, j in vocab.items()}
        names.append([inverse[j] for j in columns])
    idf = np.concatenate(weighting.idf)
    median, offsets, ids, values = prune(coef, keep, drop)
    rows = np.repeat(np.arange(len(median)), np.diff(offsets))
    label_ids = array("H")
    label_ids.frombytes(np.ascontiguousarray(ids, dtype=np.uint16).tobytes())
    starts = array("I")
    starts.frombytes(np.ascontiguousarray(offsets, dtype=np.uint32).tobytes())
    return Model(list(labels), (names[0], names[1]), idf.tolist(), (median * idf).tolist(), label_ids,
                 _floats(values * idf[rows]), starts, bias.tolist(), chars)


class Untrainable(ValueError):
    """No trained layer for these examples (the engine answers by similarity alone)."""


class TooLittleData(Untrainable):
    """Too few example questions to train and cross-validate a model."""


@dataclass
class HeldOut:
    """One held-out question as the fold's engine and model read it."""

    gold: str | None  # the right entry, or None for a question to decline
    kind: str  # "example", "unseen entry" or "out of scope"
    first: str | None  # the first candidate (entry id)
    features: tuple[float, ...]  # the calibration's reading (model.READING)
    #: The next candidates (entry id, reading), as ``Engine.match`` reads them: what a
    #: decline could offer as choices (:func:`choice_threshold`).
    others: tuple[tuple[str, tuple[float, ...]], ...] = ()


def folds_of(examples: Sequence[Example], k: int) -> list[int]:
    """A fold per example: each entry's questions (per language) spread over the folds.

    Deterministic: the i-th question of an entry goes to fold ``(i + offset) % k``,
    the offset turning with the entry so that small entries do not all land in
    the first folds.
    """
    seen: dict[tuple[str, str], int] = defaultdict(int)
    offsets: dict[tuple[str, str], int] = {}
    out = []
    for label, lang, _ in examples:
        key = (label, lang)
        offsets.setdefault(key, len(offsets) % k)
        out.append((seen[key] + offsets[key]) % k)
        seen[key] += 1
    return out


def rank_reading(blend: np.ndarray, similarity: np.ndarray, oos: float,
                 coverage: float) -> tuple[int, tuple[float, ...]]:
    """The first entry and the calibration's reading of it: the same as ``Engine.rank``."""
    order = np.argsort(-blend, kind="stable")
    first = int(order[0])
    other = float(blend[order[1]]) if len(order) > 1 else float(blend[first]) - 1.0
    return first, reading(float(blend[first]), other, float(similarity[first]), oos, coverage)


def runners_up(blend: np.ndarray, similarity: np.ndarray, oos: float, coverage: float,
               first: int, entries: Sequence[str],
               count: int = 2) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """The ``count`` candidates after ``first``, read as ``Engine.match`` reads them."""
    order = [int(j) for j in np.argsort(-blend, kind="stable")[: count + 1] if int(j) != first][:count]
    top = float(blend[first])
    return tuple((entries[j], reading(float(blend[j]), top, float(similarity[j]), oos, coverage))
                 for j in order)


def features_of(examples: Sequence[Example], terms: Callable[[str, str], list[str]],
                chars: tuple[int, int] = CHARS) -> Features:
    return Features([question_features(terms(text, lang), text, chars) for _, lang, text in examples])


def cross_validate(examples: Sequence[Example], out_of_scope: Sequence[tuple[str, str]],
                   build: Callable[[list[Example]], Engine], terms: Callable[[str, str], list[str]],
                   k: int = FOLDS, enough: int = ENOUGH_HELD_OUT, unseen: float = UNSEEN_ENTRIES,
                   chars: tuple[int, int] = CHARS, c: float = SVM_C,
                   similarity_weight: float = SIMILARITY_WEIGHT,
                   features: Features | None = None) -> list[HeldOut]:
    """Every held-out question of the folds run, scored without itself.

    ``build(examples)`` makes an engine index (no model) over in-scope examples;
    ``terms`` reads the training questions (the full index: the same terms as a
    fold's index gives its own training questions).
    """
    everything = [*examples, *((OUT_OF_SCOPE, lang, q) for lang, q in out_of_scope)]
    features = features or features_of(everything, terms, chars)
    fold = np.array(folds_of(everything, k))
    entries = sorted({label for label, _, _ in examples})
    n_unseen = int(unseen * len(entries)) if len(entries) >= 10 else 0
    step = max(len(entries) // max(n_unseen, 1), 1)
    held: list[HeldOut] = []
    for f in range(k):
        # A share of the entries, spread over the ids and turning with the fold, is
        # left out of this fold's training: its questions play unseen topics.
        gone = {entries[(f + i * step) % len(entries)] for i in range(n_unseen)}
        train = [i for i, (x, g) in enumerate(zip(everything, fold, strict=True))
                 if g != f and x[0] not in gone]
        test = [i for i, g in enumerate(fold) if g == f]
        if not test or not train:
            continue
        engine = build([everything[i] for i in train if everything[i][0] != OUT_OF_SCOPE])
        labels = list(engine.entries)
        if any(everything[i][0] == OUT_OF_SCOPE for i in train):
            labels.append(OUT_OF_SCOPE)
        index = {label: j for j, label in enumerate(labels)}
        binary = tuple(m[train] for m in features.matrices)
        weighting = Weighting.of(binary)
        coef, bias = _fit(weighting.apply(binary), np.array([index[everything[i][0]] for i in train]),
                          len(labels), c)
        questions = [everything[i] for i in test]
        held_rows = features.rows([question_features(engine.model_terms(text, lang), text, chars)
                                   for _, lang, text in questions])
        scores = weighting.apply(held_rows) @ as_stored(coef).T + bias
        n = len(engine.entries)
        for (label, lang, text), row in zip(questions, scores, strict=True):
            similarity = np.zeros(n)
            _, ranked, coverage = engine.scores(text, lang, limit=n)
            for score, entry in ranked:
                similarity[entry] = score
            blend = row[:n] + similarity_weight * similarity
            oos = float(row[n]) if len(labels) > n else -math.inf
            first, read = rank_reading(blend, similarity, oos, coverage)
            kind = "out of scope" if label == OUT_OF_SCOPE else "unseen entry" if label in gone else "example"
            held.append(HeldOut(label if kind == "example" else None, kind, engine.entries[first], read,
                                runners_up(blend, similarity, oos, coverage, first, engine.entries)))
        if sum(h.kind == "example" for h in held) >= enough and f >= 1:
            break
    return held


def calibrate(held: list[HeldOut], similarity_weight: float = SIMILARITY_WEIGHT,
              wrong_cost: float = WRONG_ANSWER_COST, groups: dict[str, str] | None = None,
              columns: Sequence[int] | None = None) -> Calibration:
    """The confidence curve and the thresholds, from held-out questions.

    With ``groups`` (entry -> topic), an answer with another entry of the right
    topic counts as right: what the knowledge base's own evaluation measures.
    """
    def is_right(h: HeldOut) -> bool:
        if h.gold is None or h.first is None:
            return False
        return h.first == h.gold or (groups is not None and groups.get(h.first) == groups.get(h.gold))

    x = np.array([h.features for h in held], dtype=np.float64)
    if columns is not None:
        x = x[:, list(columns)]
    right = np.array([is_right(h) for h in held])
    if right.all() or not right.any():  # nothing to learn from: a flat, cautious curve
        coef, intercept = (0.0,) * x.shape[1], 0.0
        conf = np.full(len(held), 0.5)
    else:
        lr = LogisticRegression(C=CALIBRATION_C, max_iter=1000).fit(x, right)
        coef = tuple(float(v) for v in lr.coef_[0])
        intercept = float(lr.intercept_[0])
        conf = lr.predict_proba(x)[:, 1]
    in_scope = np.array([h.gold is not None for h in held])
    candidates = np.unique(np.concatenate([np.quantile(conf, np.linspace(0, 1, 401)), [1.01]]))
    # Answer: misses + wrong_cost x wrong answers (an in-scope question answered with
    # another entry is wrong too). Ties go to the higher threshold.
    best = None
    for t in candidates:
        answered = conf >= t
        misses = int((in_scope & ~(answered & right)).sum())
        wrong = int((answered & ~right).sum())
        cost = misses + wrong_cost * wrong
        if best is None or cost <= best[0]:
            best = (cost, float(t))
    answer = best[1] if best else 1.01
    # "Did you mean": in-scope questions whose right entry is not offered first, plus
    # questions to decline that are offered a choice; at most the answer threshold.
    best = None
    for t in candidates[candidates <= answer]:
        offered = conf >= t
        cost = int((in_scope & ~(offered & right)).sum()) + int((~in_scope & offered).sum())
        if best is None or cost < best[0]:
            best = (cost, float(t))
    clarify = best[1] if best else answer
    figures = figures_of(held, conf, answer, clarify)
    if groups is not None:
        examples = [(h, c) for h, c in zip(held, conf, strict=True) if h.kind == "example"]
        figures["answered_right_topic"] = round(
            sum(bool(c >= answer and is_right(h)) for h, c in examples) / max(len(examples), 1), 4)
    return Calibration(coef, intercept, similarity_weight, answer, clarify, figures)


def figures_of(held: list[HeldOut], conf: np.ndarray, answer: float, clarify: float) -> dict[str, float]:
    """What the cross-validation measured at the chosen thresholds (shares in [0, 1])."""
    def share(kind: str, test: Callable[[HeldOut, float], bool]) -> float:
        items = [(h, c) for h, c in zip(held, conf, strict=True) if h.kind == kind]
        return round(float(sum(bool(test(h, c)) for h, c in items)) / len(items), 4) if items else -1.0

    return {
        "held_out": float(sum(h.kind == "example" for h in held)),
        "out_of_scope_held_out": float(sum(h.kind == "out of scope" for h in held)),
        "unseen_entry_held_out": float(sum(h.kind == "unseen entry" for h in held)),
        "answered_right": share("example", lambda h, c: c >= answer and h.first == h.gold),
        "first_right": share("example", lambda h, c: h.first == h.gold),
        "offered_right": share("example", lambda h, c: c >= clarify and h.first == h.gold),
        "answered_wrong": share("example", lambda h, c: c >= answer and h.first != h.gold),
        "out_of_scope_not_answered": share("out of scope", lambda h, c: c < answer),
        "out_of_scope_declined": share("out of scope", lambda h, c: c < clarify),
        "unseen_entry_not_answered": share("unseen entry", lambda h, c: c < answer),
    }


def train(engine: Engine, examples: Sequence[Example], out_of_scope: Sequence[tuple[str, str]],
          build: Callable[[list[Example]], Engine], chars: tuple[int, int] = CHARS,
          c: float = SVM_C, groups: dict[str, str] | None = None) -> tuple[Model, Calibration, float]:
    """The model of ``engine`` (trained on everything) and its calibration (cross-validated).

    Raises :class:`Untrainable` when the examples are too few to cross-validate, or too many.
    """
    entries = {label for label, _, _ in examples}
    if len(entries) < 2 or len(examples) < MIN_QUESTIONS_PER_ENTRY * len(entries):
        raise TooLittleData(f"{len(examples)} example questions for {len(entries)} entries")
    if len(entries) > MAX_ENTRIES:
        raise Untrainable(f"{len(entries)} entries: more than {MAX_ENTRIES} are not trained "
                          "(one-vs-rest training grows with entries x examples)")
    start = time.perf_counter()
    everything = [*examples, *((OUT_OF_SCOPE, lang, q) for lang, q in out_of_scope)]
    features = features_of(everything, engine.model_terms, chars)
    held = cross_validate(examples, out_of_scope, build, engine.model_terms, chars=chars, c=c,
                          features=features)
    calibration = with_choices(calibrate(held, groups=groups), held)
    labels = list(engine.entries) + ([OUT_OF_SCOPE] if out_of_scope else [])
    index = {label: j for j, label in enumerate(labels)}
    weighting = Weighting.of(features.matrices)
    coef, bias = _fit(weighting.apply(features.matrices),
                      np.array([index[label] for label, _, _ in everything]), len(labels), c)
    model = to_model(features, weighting, coef, bias, labels, chars)
    return model, calibration, time.perf_counter() - start


# --- choices offered by a decline ------------------------------------------------------


def choice_threshold(held: Sequence[HeldOut], calibration: Calibration,
                     precision: float = CHOICE_PRECISION, count: int = CHOICES,
                     least: int = MIN_CHOICE_OFFERS) -> tuple[float, dict[str, float]]:
    """The confidence from which a decline offers a candidate as a choice, and its figures.

    Below the "did you mean" threshold a question is declined; a decline may still
    offer the candidates at or above the returned threshold. Going down from the
    clarify threshold, each held-out question in that band is offered its candidates
    at or above the threshold; the threshold stops where the questions offered
    choices would no longer hold their right entry among them at least ``precision``
    of the time (out-of-scope and unseen-entry questions never do). When even the
    first offers miss that, the threshold is the clarify one: a decline offers nothing.
    """
    clarify = calibration.clarify
    band: list[tuple[list[tuple[str, float]], HeldOut]] = []
    for h in held:
        first = calibration.confidence(*h.features)
        if first >= clarify or h.first is None:
            continue
        candidates = [(h.first, first)] + [(e, calibration.confidence(*r)) for e, r in h.others]
        band.append((candidates[:count], h))
    levels = sorted({c for candidates, _ in band for _, c in candidates}, reverse=True)
    threshold = clarify
    for level in levels:
        offered = [(h, [e for e, c in candidates if c >= level]) for candidates, h in band]
        offered = [(h, entries) for h, entries in offered if entries]
        right = sum(h.gold is not None and h.gold in entries for h, entries in offered)
        if len(offered) < least:
            continue  # too few offers to tell; accepted only with the offers below them
        if right < precision * len(offered):
            break
        threshold = level
    offered = [(h, [e for e, c in candidates if c >= threshold]) for candidates, h in band]
    offered = [(h, entries) for h, entries in offered if entries]
    right = sum(h.gold is not None and h.gold in entries for h, entries in offered)
    out_of_scope = [h for _, h in band if h.kind == "out of scope"]
    total_oos = sum(h.kind == "out of scope" for h in held)
    figures = {
        "choice_threshold": float(threshold),
        "choices_offered": float(len(offered)),
        "choices_right": round(right / len(offered), 4) if offered else -1.0,
        "out_of_scope_offered_choices": round(
            sum(h.kind == "out of scope" for h, _ in offered) / total_oos, 4) if total_oos else -1.0,
        "declined_held_out": float(len(band)),
        "declined_out_of_scope": float(len(out_of_scope)),
    }
    return float(threshold), figures


def with_choices(calibration: Calibration, held: Sequence[HeldOut]) -> Calibration:
    """``calibration`` with the decline's choice threshold and figures in ``figures``."""
    _, figures = choice_threshold(held, calibration)
    return replace(calibration, figures={**calibration.figures, **figures})
