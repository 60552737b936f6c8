"""`smassist eval`: how well the engine answers a labelled question file.

The file is YAML: ``questions: [{text, lang, topic}]`` where ``topic: null``
marks an out-of-scope question that must be declined; an optional ``kind`` (figure,
method, reason...) is kept on the question for reports that split by it. Like ``rasa test nlu``,
the report gives per-topic precision, recall and F1, overall accuracy, the
out-of-scope abstention rate and the confused pairs with the questions behind
them.

Two readings of a "did you mean" (clarify) reply are reported:
- *strict*: only an answer with the right topic is correct; a clarify is not;
- *lenient*: an answer with the right topic, or a clarify whose first choice
  has the right topic.
On an out-of-scope question, both a decline and a clarify count as declined
(no knowledge-base answer was given).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from smassist.kb.runtime import KnowledgeBase
from smassist.language.engine import Engine

OUT_OF_SCOPE = "(out of scope)"
DECLINED = "(declined)"


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    lang: str
    topic: str | None
    kind: str | None = None  # optional label: what sort of answer is asked (figure, method...)


@dataclass(frozen=True, slots=True)
class Outcome:
    question: LabelledQuestion
    decision: str
    predicted: str | None  # the topic answered, or None when declined/clarified
    first_choice: str | None  # the best candidate's topic, whatever the decision
    confidence: float

    @property
    def strict_ok(self) -> bool:
        if self.question.topic is None:
            return self.decision != "answer"
        return self.decision == "answer" and self.predicted == self.question.topic

    @property
    def lenient_ok(self) -> bool:
        if self.question.topic is None:
            return self.decision != "answer"
        return self.decision in ("answer", "clarify") and self.first_choice == self.question.topic


@dataclass
class Report:
    outcomes: list[Outcome]
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)

    def in_scope(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.topic is not None]

    def out_of_scope(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.topic is None]

    def summary(self) -> dict[str, float | int]:
        ins, oos = self.in_scope(), self.out_of_scope()
        return {
            "questions": len(self.outcomes),
            "in_scope": len(ins),
            "out_of_scope": len(oos),
            "accuracy_strict": _ratio(sum(o.strict_ok for o in ins), len(ins)),
            "accuracy_lenient": _ratio(sum(o.lenient_ok for o in ins), len(ins)),
            "top1_topic": _ratio(sum(o.first_choice == o.question.topic for o in ins), len(ins)),
            "clarified_in_scope": _ratio(sum(o.decision == "clarify" for o in ins), len(ins)),
            "declined_in_scope": _ratio(sum(o.decision == "unknown" for o in ins), len(ins)),
            "oos_declined": _ratio(sum(o.decision != "answer" for o in oos), len(oos)),
            "oos_declined_without_clarify": _ratio(sum(o.decision == "unknown" for o in oos), len(oos)),
        }

    def confusions(self) -> dict[tuple[str, str], list[Outcome]]:
        """(expected, got) -> the questions behind it; declines and wrong answers only."""
        pairs: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            if o.strict_ok:
                continue
            expected = o.question.topic or OUT_OF_SCOPE
            if o.decision == "answer":
                got = o.predicted or "?"
            elif o.decision == "clarify":
                got = f"clarify:{o.first_choice}"
            else:
                got = DECLINED
            pairs[(expected, got)].append(o)
        return dict(sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    def to_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "per_topic": self.per_topic,
            "confusions": [
                {"expected": e, "got": g, "count": len(items),
                 "questions": [{"text": o.question.text, "lang": o.question.lang,
                                "confidence": o.confidence} for o in items]}
                for (e, g), items in self.confusions().items()
            ],
        }

    def render(self) -> str:
        s = self.summary()
        lines = [
            f"{s['questions']} questions: {s['in_scope']} in scope, {s['out_of_scope']} out of scope.",
            "",
            f"{'topic':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}",
        ]
        for topic, row in self.per_topic.items():
            lines.append(f"{topic:<22} {row['precision']:>9.2f} {row['recall']:>7.2f} "
                         f"{row['f1']:>6.2f} {int(row['support']):>8}")
        lines += [
            "",
            f"in scope, answered with the right topic (strict):      {s['accuracy_strict']:.1%}",
            f"in scope, right topic answered or first in 'did you mean': {s['accuracy_lenient']:.1%}",
            f"in scope, right topic ranked first (any decision):     {s['top1_topic']:.1%}",
            f"in scope, clarified: {s['clarified_in_scope']:.1%}, declined: {s['declined_in_scope']:.1%}",
            f"out of scope, declined (a clarify counts as declined): {s['oos_declined']:.1%}"
            f" (without clarify: {s['oos_declined_without_clarify']:.1%})",
        ]
        confusions = self.confusions()
        if confusions:
            lines += ["", "Confused (expected -> got):"]
            for (expected, got), items in confusions.items():
                lines.append(f"  {expected} -> {got}: {len(items)}")
                lines.extend(f"      [{o.question.lang}] {o.question.text}  ({o.confidence:.2f})"
                             for o in items)
        return "\n".join(lines)


def _ratio(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def load_questions(path: str | Path) -> list[LabelledQuestion]:
    """The labelled questions of a YAML file; raises ValueError on a malformed file."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    items = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected 'questions:' with a list of {{text, lang, topic}}")
    questions = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"{path}: question {i} needs a 'text'")
        lang = item.get("lang") or "fr"
        if lang not in ("fr", "en"):
            raise ValueError(f"{path}: question {i}: lang must be fr or en, got {lang!r}")
        topic, kind = item.get("topic"), item.get("kind")
        questions.append(LabelledQuestion(item["text"], lang, topic if topic else None,
                                          kind if isinstance(kind, str) else None))
    return questions


def evaluate(kb: KnowledgeBase, engine: Engine, questions: list[LabelledQuestion]) -> Report:
    outcomes = []
    for q in questions:
        match = engine.match(q.text, q.lang)
        first = kb.entries[match.candidates[0].entry].topic if match.candidates else None
        predicted = first if match.decision == "answer" else None
        outcomes.append(Outcome(q, match.decision, predicted, first, match.confidence))
    report = Report(outcomes)
    report.per_topic = per_topic_scores(outcomes)
    return report


def per_topic_scores(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Precision, recall and F1 of answers per topic (strict: a clarify is no answer)."""
    true_pos: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    support: Counter[str] = Counter()
    for o in outcomes:
        if o.question.topic:
            support[o.question.topic] += 1
        if o.decision == "answer" and o.predicted:
            answered[o.predicted] += 1
            if o.predicted == o.question.topic:
                true_pos[o.predicted] += 1
    scores = {}
    for topic in sorted(set(support) | set(answered)):
        precision = true_pos[topic] / answered[topic] if answered[topic] else 0.0
        recall = true_pos[topic] / support[topic] if support[topic] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[topic] = {"precision": round(precision, 4), "recall": round(recall, 4),
                         "f1": round(f1, 4), "support": support[topic]}
    return scores


# --- self-evaluation: cross-validation on the knowledge base's own questions ---------


def calibration_report(engine: Engine) -> str:
    """What the version's own cross-validation measured, and the thresholds it chose."""
    calibration = engine.calibration
    if calibration is None:
        return ("Self-evaluation: none; this version answers by similarity alone "
                "(scikit-learn is not installed, or there are too few example questions "
                "to cross-validate).")
    return _render_figures(calibration.figures, calibration.answer, calibration.clarify,
                           "Self-evaluation (cross-validation on this version's own questions)",
                           engine.train_seconds)


def _render_figures(f: dict[str, float], answer: float, clarify: float, title: str,
                    seconds: float | None = None) -> str:
    def pct(key: str) -> str:
        return "–" if f.get(key, -1) < 0 else f"{f[key]:.1%}"

    lines = [
        f"{title}: {int(f['held_out'])} example questions held out, "
        f"{int(f['out_of_scope_held_out'])} out-of-scope examples, "
        f"{int(f['unseen_entry_held_out'])} questions of entries left out of training.",
        f"  in scope, answered with the right entry:          {pct('answered_right')}"
        f" (answered with another entry: {pct('answered_wrong')})",
        f"  in scope, right entry answered or offered first:  {pct('offered_right')}"
        f" (ranked first, any decision: {pct('first_right')})",
    ]
    if "answered_right_topic" in f:
        lines.append(f"  in scope, answered with an entry of the right topic: {pct('answered_right_topic')}")
    if f["out_of_scope_held_out"]:
        lines.append(f"  out of scope (out_of_scope.yaml), not answered:   {pct('out_of_scope_not_answered')}"
                     f" (declined without 'did you mean': {pct('out_of_scope_declined')})")
    else:
        lines.append("  out of scope: no out_of_scope.yaml examples to measure declining with "
                     "(add small talk, support and near-domain questions to decline)")
    if f["unseen_entry_held_out"]:
        lines.append(f"  questions of entries left out, not answered:     {pct('unseen_entry_not_answered')}")
    if "choice_threshold" in f:
        lines.append(_choices_line(f, clarify))
    took = f" (trained in {seconds:.1f} s)" if seconds else ""
    lines.append(f"Thresholds of this version: answer at confidence >= {answer:.2f}, "
                 f"'did you mean' at >= {clarify:.2f}{took}.")
    return "\n".join(lines)


def _choices_line(f: dict[str, float], clarify: float) -> str:
    """What a decline offers: choices from the version's own threshold, or none."""
    if f["choice_threshold"] >= clarify or not f.get("choices_offered"):
        return ("  declines offer no choices: held out, choices below 'did you mean' held the "
                "right entry less than half the time")
    oos = f.get("out_of_scope_offered_choices", -1)
    return (f"  declines offer choices from confidence >= {f['choice_threshold']:.2f}: held out, "
            f"{f['choices_right']:.1%} of {int(f['choices_offered'])} offers held the right entry"
            + (f"; out-of-scope examples offered choices: {oos:.1%}" if oos >= 0 else ""))


def cross_validation(kb: KnowledgeBase, folds: int = 5) -> tuple[dict[str, float], float, float]:
    """Every fold of a ``folds``-fold cross-validation: (figures, answer and clarify thresholds).

    As ``rasa test nlu --cross-validation``: each fold's questions are answered by
    an engine and model trained without them; the thresholds are chosen on those
    same held-out questions (as compiling a version does), so the figures are
    what the version can expect on questions like its examples.
    """
    from smassist.language import training
    from smassist.language.engine import examples_of, texts_of

    examples, texts = examples_of(kb), texts_of(kb)
    full = Engine(kb, train=False)

    def build(fold: list[tuple[str, str, str]]) -> Engine:
        kept = {entry for entry, _, _ in fold}
        return Engine.from_examples(fold, kb.synonyms, kb.stopwords, [t for t in texts if t[0] in kept])

    held = training.cross_validate(examples, list(kb.out_of_scope), build, full.model_terms,
                                   k=max(folds, 2), enough=len(examples) + 1)
    calibration = training.with_choices(training.calibrate(held), held)
    figures = dict(calibration.figures)
    conf = [calibration.confidence(*h.features) for h in held]
    topic = {e.id: e.topic for e in kb.entries.values()}
    examples_held = [(h, c) for h, c in zip(held, conf, strict=True) if h.kind == "example"]
    if examples_held:
        figures["answered_right_topic"] = round(sum(
            c >= calibration.answer and topic.get(h.first or "") == topic[h.gold or ""]
            for h, c in examples_held) / len(examples_held), 4)
    figures["folds"] = float(max(folds, 2))
    return figures, calibration.answer, calibration.clarify


def render_cross_validation(figures: dict[str, float], answer: float, clarify: float) -> str:
    return _render_figures(figures, answer, clarify,
                           f"{int(figures['folds'])}-fold cross-validation on the knowledge base's own questions")
