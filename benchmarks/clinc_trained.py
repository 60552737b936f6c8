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


def child(with_oos_train: bool) -> dict[str, object]:
    """Compile on the train split, then answer validation and test (in this process)."""
    import resource

    from smassist.language.engine import Engine

    data = load_clinc()
    assert data is not None
    train = [(intent, "en", text) for text, intent in data["train"]]
    oos = [("en", text) for text, _ in data["oos_train"]] if with_oos_train else []
    start = time.perf_counter()
    cpu = time.process_time()
    engine = Engine.from_examples(train, out_of_scope=oos)
    compile_s, compile_cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
    return {
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
