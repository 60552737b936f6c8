"""The trained layer of the engine: linear scores per entry, and calibrated confidence.

Trained per knowledge-base version when it is compiled (``smassist.language.training``,
which needs scikit-learn); answering only reads the weights stored here, as flat
``array('f')`` buffers, so it imports neither numpy nor scikit-learn and a warm
``smassist ask`` stays lean.

Features of a question (both computed on folded text, as the engine reads it):

- the engine's terms: stems, synonym concepts, stop words and pairs of
  neighbouring content terms;
- character n-grams of the folded words, across word boundaries:
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
import struct
from array import array

from smassist.language.normalize import tokens
from smassist.records import record

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
    return set(terms), char_grams(text, *chars) if chars[1] else set()


class Model:
    """Linear one-vs-rest scores for each label, stored sparse by feature.

    A feature's weights for the labels are its median (``shift``: the same for
    every label) plus, for each label, the difference (training may keep only the
    largest differences, ``training.KEEP_PER_FEATURE``; it keeps them all since
    session 5), and the cross-validation measures the model as stored. IDF weights are folded in, so a
    question's score for a label is, per feature group, a sum divided by the
    group's norm.

    The differences of a feature are packed into one Python integer, a signed
    32-bit fixed-point field per label (stored as bytes,
    ``packed[offsets[j]:offsets[j + 1]]``, and made an integer on first use):
    adding a question's features is then a few hundred integer additions done in
    C instead of a Python loop over every (feature, label) pair, and the fields
    are read back once per feature group with ``struct``. ``unit`` is the value
    of one step of a field: the largest for which ``MAX_ROWS`` features never
    overflow a field (3e-5 for the bundled knowledge base, whose largest weight
    is about 9; a score, divided by the group's norm, moves by about 1e-6).
    """

    __slots__ = ("_fields", "_idf2", "_ints", "_offset", "_shift", "bias", "chars", "grams", "idf2", "labels",
                 "offsets", "packed", "shift", "unit", "words")

    def __init__(self, labels: list[str], vocab: tuple[list[str], list[str]], idf: list[float],
                 shift: list[float], label_ids: array, values: array, starts: array, bias: list[float],
                 chars: tuple[int, int]):
        """``vocab``: the engine terms, then the character n-grams, in the order of the features."""
        self.labels = labels
        self.words = dict(zip(vocab[0], range(len(vocab[0])), strict=True))
        self.grams = dict(zip(vocab[1], range(len(vocab[0]), len(vocab[0]) + len(vocab[1])), strict=True))
        self.idf2 = array("f", (w * w for w in idf))
        self.shift = array("f", shift)
        self.bias = array("f", bias)
        self.chars = chars
        top = max(map(abs, values), default=0.0) or 1.0
        steps = 2.0 ** (_FIELD_BITS - 2 - MAX_ROWS.bit_length() - max(math.ceil(math.log2(top)), 0))
        self.unit = 1 / steps
        self.packed, self.offsets = _pack(label_ids, values, starts, steps, len(labels))
        self._derive()

    def _derive(self) -> None:
        n = len(self.labels)
        self._fields = struct.Struct(f"<{n}I")
        self._ints: dict[int, int] = {}  # feature -> its packed differences, made on first use
        # Added to a sum of packed features, makes every field non-negative (a field
        # holds its sum + 2**31), so the whole reads back as unsigned 32-bit fields.
        self._offset = sum(1 << (_FIELD_BITS * i + _FIELD_BITS - 1) for i in range(n))
        # The same values as Python floats: read without making a float object each time.
        self._idf2, self._shift = self.idf2.tolist(), self.shift.tolist()

    def scores(self, terms: list[str], text: str) -> list[float]:
        """A score per label (``self.labels``) for a question read as ``terms``."""
        idf2, shift = self._idf2, self._shift
        ints = self._ints
        size, half = len(self.labels) * _FIELD_BITS // 8, 1 << (_FIELD_BITS - 1)
        words, grams = question_features(terms, text, self.chars)
        # Per feature group: (step, common, the fields of each chunk of at most MAX_ROWS features).
        groups: list[tuple[float, float, list[tuple[int, ...]]]] = []
        for group, vocab in ((words, self.words), (grams, self.grams)):
            rows = [j for j in map(vocab.get, group) if j is not None]
            if not rows:
                continue
            scale = 1 / math.sqrt(sum(map(idf2.__getitem__, rows)))
            common = scale * sum(map(shift.__getitem__, rows))
            chunks = []
            for start in range(0, len(rows), MAX_ROWS):
                chunk = rows[start:start + MAX_ROWS]
                try:
                    summed = sum(map(ints.__getitem__, chunk))
                except KeyError:
                    summed = sum(map(self._packed_int, chunk))
                chunks.append(self._fields.unpack((summed + self._offset).to_bytes(size, "little")))
            groups.append((scale * self.unit, common, chunks))
        # Per label: bias, then per group: + step x (field - half) per chunk, then + common.
        if len(groups) == 2 and len(groups[0][2]) == len(groups[1][2]) == 1:  # the usual case, in one pass
            (step1, common1, (fields1,)), (step2, common2, (fields2,)) = groups
            return [(((b + step1 * (f1 - half)) + common1) + step2 * (f2 - half)) + common2
                    for b, f1, f2 in zip(self.bias, fields1, fields2, strict=True)]
        total = list(self.bias)
        for step, common, chunks in groups:
            for fields in chunks:
                total = [t + step * (f - half) for t, f in zip(total, fields, strict=True)]
            total = [t + common for t in total]
        return total

    def _packed_int(self, j: int) -> int:
        found = self._ints.get(j)
        if found is None:
            found = self._ints[j] = int.from_bytes(
                self.packed[self.offsets[j]:self.offsets[j + 1]], "little", signed=True)
        return found

    def __getstate__(self) -> tuple:
        # Features never contain a newline: one string loads faster than a list.
        return (self.labels, "\n".join(self.words), "\n".join(self.grams), self.idf2, self.shift,
                self.packed, self.offsets, self.unit, self.bias, self.chars)

    def __setstate__(self, state: tuple) -> None:
        (self.labels, words, grams, self.idf2, self.shift, self.packed, self.offsets, self.unit,
         self.bias, self.chars) = state
        names = (words.split("\n") if words else [], grams.split("\n") if grams else [])
        self.words = dict(zip(names[0], range(len(names[0])), strict=True))
        self.grams = dict(zip(names[1], range(len(names[0]), len(self.idf2)), strict=True))
        self._derive()

    def __len__(self) -> int:
        """The number of features."""
        return len(self.idf2)


#: Bits of one label's field in a packed feature; features added at most at once.
_FIELD_BITS = 32
MAX_ROWS = 1 << 10


def _pack(label_ids: array, values: array, starts: array, steps: float, n_labels: int) -> tuple[bytes, array]:
    """Each feature's differences as one signed integer, ``sum(round(v * steps) << 32 * label)``.

    Compile time only (numpy is imported here, never when a cached model is loaded).
    Built with numpy, a feature row at a time: the row's fields as unsigned 32-bit
    words, minus a carry of one into the field above every negative one (two's
    complement), so that a model keeping every label's weight packs in about a second
    on a large knowledge base. The bytes are those of the integer, as before.
    """
    import numpy as np

    n_features = len(starts) - 1
    bounds = np.frombuffer(starts, dtype=np.uint32)
    ids = np.frombuffer(label_ids, dtype=np.uint16)
    weights = np.frombuffer(values, dtype=np.float32)
    packed, offsets = bytearray(), array("I", [0])
    chunk = max(1, (1 << 17) // (n_labels + 1))  # feature rows per dense block (1 MB of int64)
    for begin in range(0, n_features, chunk):
        end = min(begin + chunk, n_features)
        lo, hi = int(bounds[begin]), int(bounds[end])
        rows = np.repeat(np.arange(end - begin), np.diff(bounds[begin:end + 1].astype(np.int64)))
        dense = np.zeros((end - begin, n_labels + 1), dtype=np.int64)
        dense[rows, ids[lo:hi]] = np.rint(weights[lo:hi].astype(np.float64) * steps).astype(np.int64)
        words = (dense & 0xFFFFFFFF).astype("<u4")
        carries = np.zeros_like(words)
        carries[:, 1:] = dense[:, :-1] < 0
        for word, carry in zip(words, carries, strict=True):
            total = int.from_bytes(word.tobytes(), "little") - int.from_bytes(carry.tobytes(), "little")
            if total:
                packed += total.to_bytes(total.bit_length() // 8 + 1, "little", signed=True)
            offsets.append(len(packed))
    return bytes(packed), offsets


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


@record
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
