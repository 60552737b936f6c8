"""What a *trained* model on smassist's own features reaches on CLINC150, and what it costs.

An experiment, not a shipped matcher: it measures how far the issue-3 target
(92 / 50 with one threshold chosen on validation) is from the engine, and what
closing the gap would take. The engine ranks by cosine similarity to example
questions and entry centroids, with nothing learnt; the gap on CLINC150 is
discrimination between 150 close intents, which a trained linear model brings.

Features: the engine's own TF-IDF terms (``Engine.analyze``: stems, pairs of
neighbouring words, typo correction) plus TF-IDF character 2-6 grams (across
word boundaries, sub-linear tf). Model: multinomial logistic regression
(scikit-learn, lbfgs). Every choice (C, and the confidence: the model's
probability alone or blended with the engine's own score for the same intent)
is made on the validation split only; the test split is read once per choice
for the report, and the row chosen on validation is marked.

    pip install -e '.[bench]'
    python benchmarks/clinc_trained.py          # about 10 minutes on 2 cores
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import best_threshold, load_clinc  # noqa: E402
from report import command_line, machine, machine_line, table, write_json  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one C value (10) instead of two")
    parser.add_argument("--kb", help="ignored: this experiment runs on CLINC150 only")
    args = parser.parse_args(argv)
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from smassist.language.engine import Engine, _with_pairs

    data = load_clinc()
    if data is None:
        return 0
    train = [(intent, "en", text) for text, intent in data["train"]]
    splits = {"val": data["val"], "val_oos": data["oos_val"], "test": data["test"], "test_oos": data["oos_test"]}

    start = time.perf_counter()
    engine = Engine.from_examples(train)
    engine_s = time.perf_counter() - start

    vocab: dict[str, int] = {}

    def word_matrix(texts: list[str], fit: bool):
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            for term, weight in engine._vector(_with_pairs(engine.analyze(text, "en"))).items():
                col = vocab.get(term)
                if col is None:
                    if not fit:
                        continue
                    col = vocab[term] = len(vocab)
                rows.append(r)
                cols.append(col)
                vals.append(weight)
        return rows, cols, vals

    labels = sorted({intent for intent, _, _ in train})
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[intent] for intent, _, _ in train])
    start = time.perf_counter()
    train_texts = [text for _, _, text in train]
    r, c, v = word_matrix(train_texts, True)
    words = csr_matrix((v, (r, c)), shape=(len(train), len(vocab)))
    chars = TfidfVectorizer(analyzer="char", ngram_range=(2, 6), sublinear_tf=True).fit(train_texts)
    x_train = hstack([words, chars.transform(train_texts)]).tocsr()
    features_s = time.perf_counter() - start

    def features(texts: list[str]):
        r, c, v = word_matrix(texts, False)
        return hstack([csr_matrix((v, (r, c)), shape=(len(texts), len(vocab))), chars.transform(texts)]).tocsr()

    xs = {name: features([t for t, _ in items]) for name, items in splits.items()}

    def engine_score(text: str, intent: str) -> float:
        _, ranked, _ = engine.scores(text, "en", limit=len(labels))
        return next((score for score, e in ranked if engine.entries[e] == intent), 0.0)

    def engine_alone(name: str):
        preds = []
        for text, _ in splits[name]:
            _, ranked, _ = engine.scores(text, "en", limit=1)
            preds.append((engine.entries[ranked[0][1]], ranked[0][0]) if ranked else (None, 0.0))
        return preds

    def evaluate(predict) -> dict[str, float]:
        p = {name: predict(name) for name in splits}
        correct = [pred == gold for (pred, _), (_, gold) in zip(p["val"], splits["val"], strict=True)]
        t, vacc, vrec = best_threshold([s for _, s in p["val"]], correct, [s for _, s in p["val_oos"]])
        acc = sum(pred == gold and s >= t for (pred, s), (_, gold) in zip(p["test"], splits["test"], strict=True))
        rec = sum(s < t for _, s in p["test_oos"])
        return {"val_in_scope": vacc, "val_oos": vrec,
                "val_overall": (vacc * len(splits["val"]) + vrec * len(splits["val_oos"]))
                / (len(splits["val"]) + len(splits["val_oos"])),
                "test_in_scope": acc / len(splits["test"]), "test_oos": rec / len(splits["test_oos"]),
                "threshold": t}

    rows = [{"model": "smassist engine (no training)", "fit_s": engine_s, "parameters": 0,
             **evaluate(engine_alone)}]
    print(f"engine: {rows[0]['test_in_scope']:.3f} / {rows[0]['test_oos']:.3f}", file=sys.stderr)
    for c_value in (10.0,) if args.quick else (10.0, 50.0):
        start = time.perf_counter()
        model = LogisticRegression(C=c_value, max_iter=300).fit(x_train, y)
        fit_s = features_s + time.perf_counter() - start
        start = time.perf_counter()
        proba = {name: model.predict_proba(x) for name, x in xs.items()}
        ms = (time.perf_counter() - start) * 1000 / sum(len(items) for items in splits.values())
        best = {name: (p.argmax(1), p.max(1)) for name, p in proba.items()}
        params = int(model.coef_.size)
        for blend in (1.0, 0.6, 0.3):
            def predict(name: str, blend: float = blend, best: dict = best) -> list[tuple[str, float]]:
                out = []
                for (text, _), j, prob in zip(splits[name], *best[name], strict=True):
                    score = prob if blend == 1.0 else blend * prob + (1 - blend) * engine_score(text, labels[j])
                    out.append((labels[j], float(score)))
                return out
            confidence = "probability" if blend == 1.0 else f"{blend} x probability + {1 - blend:.1f} x engine score"
            rows.append({"model": f"LR C={c_value:g}, engine terms + char 2-6; {confidence}",
                         "fit_s": fit_s, "parameters": params, "ms_per_question_sklearn": ms,
                         **evaluate(predict)})
            print(f"{rows[-1]['model']}: {rows[-1]['test_in_scope']:.3f} / {rows[-1]['test_oos']:.3f}",
                  file=sys.stderr)
    chosen = max(rows[1:], key=lambda row: row["val_overall"])
    for row in rows:
        row["chosen_on_validation"] = row is chosen
    print(table(["model", "val in-scope %", "val oos %", "test in-scope %", "test oos recall %", "fit s",
                 "parameters", "chosen on validation"],
                [[row["model"], round(100 * row["val_in_scope"], 1), round(100 * row["val_oos"], 1),
                  round(100 * row["test_in_scope"], 1), round(100 * row["test_oos"], 1), round(row["fit_s"], 1),
                  row["parameters"], "yes" if row["chosen_on_validation"] else ""] for row in rows]))
    info = machine()
    print(f"\nMachine: {machine_line(info)}\nReproduce: `python benchmarks/clinc_trained.py`")
    path = write_json("clinc_trained.json", {"benchmark": "clinc_trained", "machine": info,
                                             "command": command_line(), "rows": rows,
                                             "char_features": len(chars.vocabulary_), "word_features": len(vocab)})
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
