"""The trained layer of the engine: linear scores per entry, and calibrated confidence.

Trained per knowledge-base version when it is compiled (``smassist.language.training``,
which needs scikit-learn); answering only reads the weights stored here, as flat
``array('f')`` buffers, so it imports neither numpy nor scikit-learn and a warm
``smassist ask`` stays lean.

Features of a question (both computed on folded text, as the engine reads it):

- the engine's terms: stems, synonym concepts, stop words and pairs of
  neighbouring content terms (``w:`` prefix);
- character n-grams of the folded words, across word boundaries (``c:`` prefix):
  they make verb and noun forms that stemming leaves apart meet
  (*mesurons* / *mesurer*), and typos and plural forms cost little.

Each group is binary with an IDF weight, L2-normalised over the features the
model knows: a word it has never seen adds nothing and takes nothing away (a
product name no longer dilutes the rest of the question). What to decline is
learnt from the out-of-scope examples (one more class) and from the
calibration, not from unknown words.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from operator import itemgetter

from smassist.language.normalize import tokens

#: The label of the out-of-scope class (``knowledge/out_of_scope.yaml``); never an entry id.
OUT_OF_SCOPE = "(out of scope)"
#: An entry's ranking score is the model's score plus this times the engine's
#: similarity (benchmarks/engine_choices.py).
SIMILARITY_WEIGHT = 1.0


def char_grams(text: str, low: int, high: int) -> set[str]:
    """The character n-grams of ``text``'s folded words, joined by single spaces."""
    s = " " + " ".join(tokens(text)) + " "
    return {s[i : i + n] for n in range(low, high + 1) for i in range(len(s) - n + 1)}


def question_features(terms: list[str], text: str, chars: tuple[int, int]) -> tuple[set[str], set[str]]:
    """The two feature groups of a question: engine terms, character n-grams."""
    return {"w:" + t for t in terms}, {"c:" + g for g in char_grams(text, *chars)} if chars[1] else set()


class Model:
    """Linear one-vs-rest scores for each label, stored sparse by feature.

    A feature's weights for the labels are its median (``shift``: the same for
    every label) plus, for the few labels it tells apart most, the difference
    (``label_ids``, ``values`` from ``starts[j]`` to ``starts[j + 1]``); the rest
    of the differences are dropped when the model is trained, and the
    cross-validation measures the model as stored. IDF weights are folded in, so a question's score for a
    label is, per feature group, a sum divided by the group's norm.
    """

    __slots__ = ("bias", "chars", "idf2", "label_ids", "labels", "shift", "starts", "values", "vocab")

    def __init__(self, labels: list[str], vocab: dict[str, int], idf: list[float], shift: list[float],
                 label_ids: array, values: array, starts: array, bias: list[float], chars: tuple[int, int]):
        self.labels = labels
        self.vocab = vocab
        self.idf2 = array("f", (w * w for w in idf))
        self.shift = array("f", shift)
        self.label_ids = label_ids
        self.values = values
        self.starts = starts  # feature j's labels and values: [starts[j], starts[j + 1])
        self.bias = array("f", bias)
        self.chars = chars

    def scores(self, terms: list[str], text: str) -> list[float]:
        """A score per label (``self.labels``) for a question read as ``terms``."""
        n, starts = len(self.labels), self.starts
        total = list(self.bias)
        vocab, idf2, shift = self.vocab, self.idf2, self.shift
        label_ids, values = self.label_ids, self.values
        for group in question_features(terms, text, self.chars):
            rows = [vocab[f] for f in group if f in vocab]
            if not rows:
                continue
            scale = 1 / math.sqrt(sum(idf2[j] for j in rows))
            common = sum(map(shift.__getitem__, rows))
            positions = [p for j in rows for p in range(starts[j], starts[j + 1])]
            sums = [0.0] * n
            if positions:
                pick = itemgetter(*positions)
                picked = (pick(label_ids), pick(values)) if len(positions) > 1 else \
                    ((pick(label_ids),), (pick(values),))
                for label, value in zip(*picked, strict=True):
                    sums[label] += value
            total = [t + scale * (s + common) for t, s in zip(total, sums, strict=True)]
        return total

    def __getstate__(self) -> tuple:
        # Features never contain a newline: one string loads faster than a list.
        return (self.labels, "\n".join(self.vocab), self.idf2, self.shift, self.label_ids,
                self.values, self.starts, self.bias, self.chars)

    def __setstate__(self, state: tuple) -> None:
        (self.labels, vocab, self.idf2, self.shift, self.label_ids, self.values, self.starts,
         self.bias, self.chars) = state
        self.vocab = dict(zip(vocab.split("\n"), range(len(self.idf2)), strict=True)) if vocab else {}


#: What the calibration reads of a candidate, in this order. (The similarity alone
#: was a fifth reading; it is part of the score, and cross-validation on the bundled
#: knowledge base did no better with it: benchmarks/README.md, "Engine v2 choices".)
READING = ("score", "lead", "lead over out of scope", "coverage")


def reading(score: float, other: float, similarity: float, oos: float, coverage: float) -> tuple[float, ...]:
    """A candidate as the calibration reads it (see READING).

    ``score`` is the candidate's ranking score (which includes ``similarity``),
    ``other`` the best score of another entry, ``oos`` the out-of-scope class's
    score (-inf without one), ``coverage`` the share of the question's content
    weight that the index's vocabulary knows.
    """
    return (score, score - other, max(min(score - oos, 5.0), -5.0), coverage)


@dataclass(frozen=True, slots=True)
class Calibration:
    """From a candidate's reading to the probability that answering it is right, and the thresholds.

    Fitted by cross-validation on the version's own example questions and
    out-of-scope examples (``smassist.language.training``); ``figures`` are what
    that cross-validation measured at the chosen thresholds.
    """

    #: Logistic weights of the reading (READING), and the intercept.
    coef: tuple[float, ...]
    intercept: float
    #: Blend: ranking score = model score + ``similarity_weight`` x the engine's similarity.
    similarity_weight: float
    #: At or above: answer. At or above ``clarify``: "did you mean". Below: decline.
    answer: float
    clarify: float
    figures: dict[str, float]

    def confidence(self, *values: float) -> float:
        z = self.intercept + sum(c * v for c, v in zip(self.coef, values, strict=True))
        if z < -30:
            return 0.0
        return 1 / (1 + math.exp(-z))
