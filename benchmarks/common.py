"""Data shared by the benchmark scripts: the bundled knowledge base, the eval set, CLINC150.

Nothing is downloaded: CLINC150 is read from ``../shared/datasets/clinc150/``
(or ``$CLINC150_DIR``) and skipped with a message when it is absent.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
EVAL_FILE = ROOT / "tests" / "data" / "eval_questions.yaml"
CLINC_DIR = Path(os.environ.get("CLINC150_DIR", ROOT.parent / "shared" / "datasets" / "clinc150"))

Example = tuple[str, str, str]  # (label, lang, text)


def clinc150() -> dict[str, list[tuple[str, str]]] | None:
    """CLINC150 splits as lists of (text, intent); None when the folder is absent."""
    path = CLINC_DIR / "data_full.json"
    if not path.is_file():
        print(f"CLINC150 not found at {path}: skipped (nothing is downloaded).")
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {split: [(text, intent) for text, intent in items] for split, items in data.items()}


def bundled_examples(kb_path: Path | None = None):
    """(kb, examples, eval questions) for the bundled knowledge base and eval set."""
    from smassist import loader, paths
    from smassist.evaluation import load_questions

    kb = loader.load(paths.knowledge_path(kb_path))
    examples = [(e.id, lang, q) for e in kb.entries.values() for lang, qs in e.questions.items() for q in qs]
    return kb, examples, load_questions(EVAL_FILE)


def timed(function: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Best wall time in ms over ``repeat`` runs, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best * 1000, result


def latencies(function: Callable[[str], object], texts: Sequence[str], rounds: int = 3) -> dict[str, float]:
    """p50, p99 and max per call in ms, and calls per second."""
    samples = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            function(text)
            samples.append(time.perf_counter() - start)
    samples.sort()
    ms = [s * 1000 for s in samples]
    return {
        "p50_ms": round(statistics.median(ms), 4),
        "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 4),
        "max_ms": round(ms[-1], 4),
        "per_second": round(len(samples) / sum(samples), 1),
    }


def machine() -> dict[str, str]:
    return {"python": platform.python_version(), "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(), "system": platform.system()}


def write_json(name: str, data: object) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}"
    return "" if value is None else str(value)
