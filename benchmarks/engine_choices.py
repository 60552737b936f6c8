"""How the trained layer's choices were made (issue 13): calibration variants on one cross-validation.

The bundled knowledge base is cross-validated once (every fold), as compiling a
version does; then each calibration variant (what counts as a right answer:
the entry, or an entry of the right topic; the cost of a wrong answer; which
readings the calibration uses) chooses its thresholds on those held-out
questions, and is reported with its cross-validated figures and, as the issue
allows, on the existing evaluation set (tests/data/eval_questions.yaml; never
the unseen one). Feature variants (character n-gram lengths, minimum document
frequency, labels kept per feature) retrain the whole layer.

    python benchmarks/engine_choices.py             # calibration variants (~1 min)
    python benchmarks/engine_choices.py --features  # feature variants (~2 min each)
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL_FILE = HERE.parent / "tests" / "data" / "eval_questions.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", action="store_true", help="feature variants instead")
    parser.add_argument("--similarity", action="store_true",
                        help="the engine's similarity in the ranking score (weight 0 or 1), each cross-validated")
    parser.add_argument("--calibrators", action="store_true",
                        help="calibrator variants, each judged by a nested cross-validation of the held-out readings")
    args = parser.parse_args(argv)
    import numpy as np

    import smassist.language.training as tr
    from smassist.kb import loader
    from smassist.language.engine import Engine, examples_of, texts_of
    from smassist.language.evaluation import load_questions

    kb = loader.load(HERE.parent / "knowledge")
    examples, texts, oos = examples_of(kb), texts_of(kb), list(kb.out_of_scope)
    topic = {e.id: e.topic for e in kb.entries.values()}
    questions = load_questions(EVAL_FILE)

    def build(fold):
        kept = {x[0] for x in fold}
        return Engine.from_examples(fold, kb.synonyms, kb.stopwords, [x for x in texts if x[0] in kept])

    if args.features:
        # (chars, min df, labels kept per feature (None: all), share of the kept differences dropped)
        for chars, min_df, keep, drop in [((2, 5), (1, 2), None, 0.0), ((2, 5), (1, 2), 10, 0.5),
                                          ((2, 5), (1, 2), 20, 0.5), ((2, 5), (1, 2), 20, 0.0),
                                          ((2, 5), (1, 1), None, 0.0), ((2, 4), (1, 2), None, 0.0),
                                          ((3, 5), (1, 2), None, 0.0)]:
            tr.MIN_DF = min_df
            for function in (tr.prune, tr.as_stored, tr.to_model):
                function.__defaults__ = (keep, drop)
            engine = Engine.from_examples(examples, kb.synonyms, kb.stopwords, texts)
            model, calibration, seconds = tr.train(engine, examples, oos, build, chars=chars, groups=topic)
            engine.model, engine.calibration = model, calibration
            matches = [(q, engine.match(q.text, q.lang)) for q in questions]
            strict = np.mean([m.decision == "answer" and topic[m.entry] == q.topic for q, m in matches if q.topic])
            declined = np.mean([m.decision != "answer" for q, m in matches if not q.topic])
            ms = min(timeit.repeat(lambda e=engine: [e.match(q.text, q.lang) for q in questions],
                                   number=1, repeat=3)) / len(questions) * 1000
            f = calibration.figures
            print(f"chars={chars} min_df={min_df} keep={keep} drop={drop} features={len(model)} "
                  f"train {seconds:.1f}s | "
                  f"CV topic-right {f['answered_right_topic']:.3f} wrong {f['answered_wrong']:.3f} "
                  f"oos {f['out_of_scope_not_answered']:.3f} | eval strict {strict:.3f} oos {declined:.3f} | "
                  f"match {ms:.2f} ms", flush=True)
        return 0

    start = time.perf_counter()
    engine = Engine.from_examples(examples, kb.synonyms, kb.stopwords, texts)
    model, _, _ = tr.train(engine, examples, oos, build, groups=topic)
    engine.model = model
    everything = [*examples, *((tr.OUT_OF_SCOPE, lang, q) for lang, q in oos)]
    features = tr.features_of(everything, engine.model_terms)
    scored: list[tuple] = []  # every held-out question's scores (blend, similarity, oos, coverage, entries)
    runners_up = tr.runners_up

    def keeping(blend, similarity, oos_score, coverage, first, entries, count=2):
        scored.append((np.array(blend), np.array(similarity), oos_score, coverage, list(entries)))
        return runners_up(blend, similarity, oos_score, coverage, first, entries, count)

    tr.runners_up = keeping
    held = tr.cross_validate(examples, oos, build, engine.model_terms, features=features, enough=10**9)
    tr.runners_up = runners_up
    print(f"cross-validation: {len(held)} held-out questions, {time.perf_counter() - start:.1f} s", flush=True)
    if args.similarity:
        for weight in (1.0, 0.0):
            held_w = held if weight == 1.0 else tr.cross_validate(
                examples, oos, build, engine.model_terms, features=features, enough=10**9,
                similarity_weight=weight)
            cal = tr.calibrate(held_w, similarity_weight=weight, groups=topic)
            engine.calibration = cal
            matches = [(q, engine.match(q.text, q.lang)) for q in questions]
            strict = np.mean([m.decision == "answer" and topic[m.entry] == q.topic for q, m in matches if q.topic])
            declined = np.mean([m.decision != "answer" for q, m in matches if not q.topic])
            right = [h.gold is not None and topic.get(h.first) == topic.get(h.gold) for h in held_w]
            conf = [cal.confidence(*h.features) for h in held_w]
            answered = [c >= cal.answer for c in conf]
            wrong = sum(a and not r for a, r in zip(answered, right, strict=True))
            misses = sum(h.kind == "example" and not (a and r) for h, a, r in zip(held_w, answered, right, strict=True))
            f = cal.figures
            print(f"similarity weight {weight}: CV cost {misses + 2 * wrong} (misses {misses}, wrong {wrong}) | "
                  f"topic-right {f['answered_right_topic']:.3f} first right {f['first_right']:.3f} wrong "
                  f"{f['answered_wrong']:.3f} oos {f['out_of_scope_not_answered']:.3f} unseen "
                  f"{f['unseen_entry_not_answered']:.3f} thresholds {cal.answer:.2f}/{cal.clarify:.2f} | "
                  f"eval strict {strict:.3f} oos {declined:.3f}", flush=True)
        return 0
    readings = [(q, *engine.rank(q.text, q.lang)) for q in questions]
    if args.calibrators:
        eval_scored = []
        for q in questions:
            _, blend, similarity, oos_score, coverage = engine.blended(q.text, q.lang)
            eval_scored.append((np.array(blend), np.array(similarity), oos_score, coverage, list(engine.entries)))
        return calibrators(tr, held, scored, questions, eval_scored, topic)
    n = len(readings[0][2])
    for groups, cost, columns in itertools.product((None, topic), (1.0, 1.5, 2.0, 3.0),
                                                   (tuple(range(n)), tuple(range(n - 1)))):
        calibration = tr.calibrate(held, wrong_cost=cost, groups=groups, columns=columns)
        conf = [calibration.confidence(*[r[i] for i in columns]) for _, _, r in readings]
        ins = [(q, f, c) for (q, f, _), c in zip(readings, conf, strict=True) if q.topic]
        outs = [c for (q, _, _), c in zip(readings, conf, strict=True) if not q.topic]
        strict = np.mean([topic[f] == q.topic and c >= calibration.answer for q, f, c in ins])
        declined = np.mean([c < calibration.answer for c in outs])
        f = calibration.figures
        print(f"right={'topic' if groups else 'entry'} cost={cost} readings={columns} | CV right "
              f"{f['answered_right']:.3f} wrong {f['answered_wrong']:.3f} oos {f['out_of_scope_not_answered']:.3f} "
              f"unseen {f['unseen_entry_not_answered']:.3f} thresholds {calibration.answer:.2f}/"
              f"{calibration.clarify:.2f} | eval strict {strict:.3f} oos {declined:.3f}", flush=True)
    return 0


def read_as(scores, how: str, topic: dict[str, str]) -> tuple[str, tuple[float, ...]]:
    """(first entry, the reading a calibrator variant reads) from a question's scores.

    ``base``: the shipped reading (score, lead, lead over out of scope, coverage);
    ``topic lead``: the lead over the best entry of *another topic* instead of over
    the runner-up; ``+ softmax T``: a fifth reading, the log of the share of the first
    entry's topic in a softmax of the ranking scores at temperature T; ``quadratic``:
    the readings and their pairwise products.
    """
    import numpy as np

    from smassist.language.model import reading

    blend, similarity, oos, coverage, entries = scores
    order = np.argsort(-blend, kind="stable")
    first = int(order[0])
    values = list(reading(float(blend[first]), float(blend[order[1]]), float(similarity[first]), oos, coverage))
    mine = topic.get(entries[first])
    if "topic lead" in how:
        others = [blend[j] for j in order[1:] if topic.get(entries[j]) != mine]
        values[1] = float(blend[first] - (others[0] if others else blend[first] - 1.0))
    if "softmax" in how:
        temperature = float(how.split("softmax ")[1].split()[0])
        weights = np.exp((blend - blend[first]) / temperature)
        same = np.array([topic.get(e) == mine for e in entries])
        values.append(float(np.log(weights[same].sum() / weights.sum())))
    if "quadratic" in how:
        values += [a * b for i, a in enumerate(values) for b in values[i:]]
    return entries[first], tuple(values)


def calibrators(tr, held, scored, questions, eval_scored, topic, parts: int = 5) -> int:
    """Each calibrator variant fitted on 4/5 of the held-out readings, judged on the rest (nested CV).

    Cost = in-scope questions not answered right (topic) + 2 x wrong answers, the
    objective the thresholds minimise; reported with its parts, and on the eval set
    (with the same cost, and the lowest cost any threshold on that confidence could
    reach there: how well the confidence separates, whatever the threshold).
    """
    import dataclasses

    import numpy as np

    variants = [("shipped (linear, C=100)", "base", 100.0), ("linear, C=1", "base", 1.0),
                ("quadratic, C=100", "base quadratic", 100.0), ("quadratic, C=1", "base quadratic", 1.0),
                ("topic lead", "topic lead", 100.0), ("topic lead, quadratic", "topic lead quadratic", 100.0),
                ("+ softmax 0.05", "softmax 0.05", 100.0), ("+ softmax 0.1", "softmax 0.1", 100.0),
                ("+ softmax 0.3", "softmax 0.3", 100.0), ("+ softmax 0.1, quadratic", "softmax 0.1 quadratic", 100.0)]
    ins_eval = np.array([q.topic is not None for q in questions])
    for name, how, c in variants:
        rows = []
        for h, s in zip(held, scored, strict=True):
            first, values = read_as(s, how, topic)
            assert first == h.first
            rows.append(dataclasses.replace(h, features=values))
        tr.CALIBRATION_C = c
        answered_right = wrong = misses = 0
        oos_answered = unseen_answered = 0
        for part in range(parts):
            fit = [h for i, h in enumerate(rows) if i % parts != part]
            test = [h for i, h in enumerate(rows) if i % parts == part]
            cal = tr.calibrate(fit, groups=topic)
            for h in test:
                ok = cal.confidence(*h.features) >= cal.answer
                good = h.gold is not None and topic.get(h.first) == topic.get(h.gold)
                answered_right += ok and good and h.kind == "example"
                misses += h.kind == "example" and not (ok and good)
                wrong += ok and not good
                oos_answered += ok and h.kind == "out of scope"
                unseen_answered += ok and h.kind == "unseen entry"
        n_ex = sum(h.kind == "example" for h in rows)
        n_oos = sum(h.kind == "out of scope" for h in rows) or 1
        n_unseen = sum(h.kind == "unseen entry" for h in rows) or 1
        cal = tr.calibrate(rows, groups=topic)
        read = [read_as(s, how, topic) for s in eval_scored]
        conf = np.array([cal.confidence(*values) for _, values in read])
        good = np.array([q.topic is not None and topic[f] == q.topic for q, (f, _) in zip(questions, read, strict=True)])

        def cost(t, conf=conf, good=good):
            answered = conf >= t
            return int((ins_eval & ~(answered & good)).sum() + 2 * (answered & ~good).sum())

        answered = conf >= cal.answer
        strict = (answered & good)[ins_eval].mean()
        declined = (~answered)[~ins_eval].mean()
        best = min(cost(t) for t in np.unique(np.concatenate([conf, [1.01]])))
        print(f"{name:26s} nested CV: cost {misses + 2 * wrong} | answered right topic "
              f"{answered_right / n_ex:.3f}, wrong answers {wrong} ({wrong / len(rows):.3f} of all held out), "
              f"out of scope answered {oos_answered / n_oos:.3f}, unseen entries answered "
              f"{unseen_answered / n_unseen:.3f} | eval strict {strict:.3f} oos {declined:.3f} "
              f"cost {cost(cal.answer)} (best threshold {best})", flush=True)
    tr.CALIBRATION_C = 100.0
    return 0


if __name__ == "__main__":
    sys.exit(main())
