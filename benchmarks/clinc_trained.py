"""CLINC150 with the shipped engine (issue 13): trained layer, self-calibration, cost.

The engine is compiled as smassist compiles any knowledge base: the index, the
trained layer (linear SVM on the engine's terms and character 2-5 grams) and the
calibration chosen by cross-validation on the training split's own questions
(plus a tenth of the intents left out of each fold's training as unseen topics).
Nothing here is tuned on CLINC150: the constants are the engine's own.

Rows:
- *one threshold on validation* (the published oos-threshold protocol, ``oos_train``
  not used): the confidence threshold maximising accuracy on validation in-scope
  + validation out-of-scope, applied to test;
- *as shipped*: the engine's own decisions (answer = right intent answered; an
  out-of-scope question counts as declined when not answered), no validation split;
- *with oos_train as out-of-scope examples* (as ``knowledge/out_of_scope.yaml``), as shipped.

Compile time and peak memory are measured in a child process per row (the
compile is what a cache miss or ``smassist kb check`` costs); ``ask`` latency is
``Engine.match`` per test question.

    python benchmarks/clinc_trained.py      # about 5-10 minutes on 2 cores
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import best_threshold, load_clinc  # noqa: E402
from report import command_line, machine, machine_line, table, write_json  # noqa: E402

#: Costs of a wrong answer (in missed answers) whose self-calibration is compared (``cost_weights``).
COST_WEIGHTS = (0.25, 0.5, 1.0, 2.0)


def cost_weights(held, test: list[tuple[bool, tuple[float, ...]]],
                 test_oos: list[tuple[float, ...]]) -> list[dict[str, float]]:
    """Per cost of a wrong answer: the thresholds the self-calibration picks, and the test's best.

    ``held`` are the compile's own held-out questions; ``test`` is (first candidate
    right, reading) per in-scope test question, ``test_oos`` a reading per
    out-of-scope one. The *test's best* threshold is the one minimising that cost on
    the test split itself: a diagnosis of where the self-calibration stands (what
    no version could know), never used to choose anything.
    """
    import numpy as np

    from smassist.language import training

    right = np.array([r for r, _ in test])
    out = []
    for weight in COST_WEIGHTS:
        cal = training.calibrate(held, wrong_cost=weight)
        conf = np.array([cal.confidence(*f) for _, f in test])
        oos = np.array([cal.confidence(*f) for f in test_oos])

        def at(t, conf=conf, oos=oos, weight=weight):
            answered = conf >= t
            return ((answered & right).mean(), (oos < t).mean(),
                    (~(answered & right)).sum() + weight * ((answered & ~right).sum() + (oos >= t).sum()))

        grid = np.unique(np.quantile(np.concatenate([conf, oos]), np.linspace(0, 1, 801)))
        best = min(grid, key=lambda t: at(t)[2])
        shipped, oracle = at(cal.answer), at(best)
        out.append({"wrong_cost": weight, "threshold": cal.answer, "in_scope": float(shipped[0]),
                    "oos_recall": float(shipped[1]), "cost": float(shipped[2]),
                    "test_best_threshold": float(best), "test_best_in_scope": float(oracle[0]),
                    "test_best_oos_recall": float(oracle[1]), "test_best_cost": float(oracle[2])})
    return out


def child(with_oos_train: bool) -> dict[str, object]:
    """Compile on the train split, then answer validation and test (in this process)."""
    import resource

    from smassist.language import training
    from smassist.language.engine import Engine

    held: list = []  # the compile's own held-out questions, kept for ``cost_weights``
    cross_validate = training.cross_validate

    def keeping(*args, **kwargs):
        found = cross_validate(*args, **kwargs)
        held.extend(found)
        return found

    training.cross_validate = keeping

    data = load_clinc()
    assert data is not None
    train = [(intent, "en", text) for text, intent in data["train"]]
    oos = [("en", text) for text, _ in data["oos_train"]] if with_oos_train else []
    start = time.perf_counter()
    cpu = time.process_time()
    engine = Engine.from_examples(train, out_of_scope=oos)
    compile_s, compile_cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    training.cross_validate = cross_validate
    assert engine.calibration is not None, "the trained layer was not built"

    def answers(items):
        out, times = [], []
        for text, _ in items:
            t = time.perf_counter()
            match = engine.match(text, "en")
            times.append(time.perf_counter() - t)
            out.append((match.candidates[0].entry if match.candidates else None, match.confidence,
                        match.decision))
        return out, times

    (val, _), (val_oos, _) = answers(data["val"]), answers(data["oos_val"])
    (test, t1), (test_oos, t2) = answers(data["test"]), answers(data["oos_test"])
    times = sorted(t1 + t2)
    threshold, val_acc, val_rec = best_threshold(
        [c for _, c, _ in val], [p == g for (p, _, _), (_, g) in zip(val, data["val"], strict=True)],
        [c for _, c, _ in val_oos])
    gold = [g for _, g in data["test"]]
    ranked = [engine.rank(text, "en") for text, _ in data["test"]]
    costs = cost_weights(held, [(first == g, r) for (first, r), g in zip(ranked, gold, strict=True)],
                         [engine.rank(text, "en")[1] for text, _ in data["oos_test"]])
    return {
        "cost_weights": costs,
        "compile_s": compile_s, "compile_cpu_s": compile_cpu, "peak_mb": peak_mb,
        "train_s": engine.train_seconds,
        "thresholds": [engine.calibration.answer, engine.calibration.clarify],
        "cv": engine.calibration.figures,
        "val_threshold": threshold, "val_in_scope": val_acc, "val_oos": val_rec,
        "test_in_scope_val_threshold": sum(p == g and c >= threshold for (p, c, _), g in zip(test, gold, strict=True)) / len(gold),
        "test_oos_val_threshold": sum(c < threshold for _, c, _ in test_oos) / len(test_oos),
        "test_in_scope_shipped": sum(p == g and d == "answer" for (p, _, d), g in zip(test, gold, strict=True)) / len(gold),
        "test_in_scope_lenient_shipped": sum(p == g and d != "unknown" for (p, _, d), g in zip(test, gold, strict=True)) / len(gold),
        "test_oos_shipped": sum(d != "answer" for _, _, d in test_oos) / len(test_oos),
        "top1": sum(p == g for (p, _, _), g in zip(test, gold, strict=True)) / len(gold),
        "ask_p50_ms": times[len(times) // 2] * 1000, "ask_p99_ms": times[int(len(times) * 0.99)] * 1000,
        "model_mb": len(__import__("pickle").dumps(engine.model, protocol=5)) / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the oos_train row")
    parser.add_argument("--kb", help="ignored: this benchmark runs on CLINC150 only")
    parser.add_argument("--child", choices=("plain", "oos_train"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child == "oos_train")))
        return 0
    if load_clinc() is None:
        return 0
    results = {}
    for name in ("plain",) if args.quick else ("plain", "oos_train"):
        run = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True,
                             env={**os.environ, "SMASSIST_NO_CACHE": "1"}, timeout=3600)
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            return 1
        results[name] = json.loads(run.stdout.strip().splitlines()[-1])
        print(f"{name}: {results[name]}", file=sys.stderr)
    p = results["plain"]
    rows = [
        ["engine v2, one threshold on validation (oos_train not used)",
         round(100 * p["test_in_scope_val_threshold"], 1), round(100 * p["test_oos_val_threshold"], 1),
         f"{p['val_threshold']:.3f}"],
        ["engine v2 as shipped (self-calibrated thresholds, no validation split)",
         round(100 * p["test_in_scope_shipped"], 1), round(100 * p["test_oos_shipped"], 1),
         " / ".join(f"{t:.3f}" for t in p["thresholds"])],
    ]
    if "oos_train" in results:
        o = results["oos_train"]
        rows.append(["engine v2 as shipped, oos_train as out-of-scope examples",
                     round(100 * o["test_in_scope_shipped"], 1), round(100 * o["test_oos_shipped"], 1),
                     " / ".join(f"{t:.3f}" for t in o["thresholds"])])
    print(table(["engine", "test in-scope %", "test oos recall %", "threshold(s)"], rows))
    if "cost_weights" in p:
        weights = [[f"{c['wrong_cost']:g}" + (" (shipped)" if c["wrong_cost"] == 2 else ""),
                    f"{c['threshold']:.3f}", round(100 * c["in_scope"], 1), round(100 * c["oos_recall"], 1),
                    f"{c['test_best_threshold']:.3f}", round(100 * c["test_best_in_scope"], 1),
                    round(100 * c["test_best_oos_recall"], 1), f"{c['cost']:.0f} / {c['test_best_cost']:.0f}"]
                   for c in p["cost_weights"]]
        print()
        print(table(["a wrong answer costs (missed answers)", "self-calibrated threshold", "test in-scope %",
                     "test oos recall %", "test's best threshold (diagnosis)", "in-scope %", "oos recall %",
                     "test cost: self-calibrated / best"], weights))
    cost = [[name, round(r["compile_s"], 1), round(r["compile_cpu_s"], 1), round(r["peak_mb"]),
             round(r["model_mb"], 1), round(r["ask_p50_ms"], 2), round(r["ask_p99_ms"], 2),
             round(100 * r["top1"], 1)] for name, r in results.items()]
    print()
    print(table(["compile", "compile s", "compile CPU s", "peak RSS MB", "model MB", "ask p50 ms",
                 "ask p99 ms", "test top-1 %"], cost))
    info = machine()
    print(f"\nMachine: {machine_line(info)}\nReproduce: `python benchmarks/clinc_trained.py`")
    path = write_json("clinc_trained.json", {"benchmark": "clinc_trained", "machine": info,
                                             "command": command_line(), "results": results})
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
