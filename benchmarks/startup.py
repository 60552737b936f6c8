"""Start-up: `smassist ask "…"` as a whole process, against `python -c pass`.

Each run is a fresh process; its wall time is measured around it and its peak
resident memory is the child's own ``ru_maxrss`` (``os.wait4``), so neither
includes this script. Rows:

- ``python -c pass``: the interpreter alone (same interpreter, same run), the unit;
- ``smassist ask`` (warm cache): the compiled knowledge base is read from the
  cache; one unmeasured run fills the cache first;
- ``smassist ask`` (cold cache): ``SMASSIST_CACHE_DIR`` is a new empty folder for
  every run, so each run parses the YAML, validates it and builds the index
  (and writes the cache);
- ``smassist ask`` (warm cache, question log on): as users run it by default,
  the question recorded in a SQLite file (in a temporary folder here).

Runs are interleaved (pass, warm, cold, pass, warm, …) so that a slow moment of
the machine affects every row alike; a cold run trains the version's model (issue
13), about 10 s, so the cold row has at most ``COLD_RUNS`` runs. smassist is
byte-compiled first, as ``pip install`` does: with ``PYTHONDONTWRITEBYTECODE``
set (this machine sets it) no ``.pyc`` is ever written, and every run would
compile every module from source (about 110-130 ms here). ``SMASSIST_DB`` is ``off`` or a temporary
file: nothing is written to the user's folders. Targets (issue 8): warm median under 5x ``python -c pass``,
peak memory under 80 MB.

    python benchmarks/startup.py [--runs 20] [--quick] [--kb PATH] [--profile]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import (
    clean_env,
    command_line,
    machine,
    machine_line,
    median,
    percentile,
    table,
    write_json,
)

QUESTION = "Combien d'entreprises mesurent leur ROI ?"
TARGET_RATIO = 5.0
TARGET_MB = 80.0
#: Cold runs (each compiles the knowledge base: parse, index, train, calibrate).
COLD_RUNS = 3
#: Issue 13: compiling the bundled knowledge base within 400 MB peak.
COLD_TARGET_MB = 400.0


def byte_compile() -> None:
    """Write smassist's ``.pyc`` files, as pip does when it installs the package."""
    import compileall

    import smassist

    compileall.compile_dir(str(Path(smassist.__file__).resolve().parent), quiet=1)


def smassist_command() -> list[str]:
    """The installed console script next to this interpreter (what users run)."""
    script = Path(sys.executable).parent / "smassist"
    return [str(script)] if script.exists() else [sys.executable, "-m", "smassist.cli"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int, bytes]:
    """(wall ms, CPU ms (user + system), peak RSS MB, exit code, stdout) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    out, err = b"", b""
    # Read before waiting so a large answer cannot block the child on a full pipe.
    out = child.stdout.read() if child.stdout else b""
    err = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return wall, cpu, usage.ru_maxrss / 1024, child.returncode, out


def summary(name: str, walls: list[float], cpus: list[float], rss: list[float],
            unit: float, cpu_unit: float) -> dict[str, object]:
    row: dict[str, object] = {
        "name": name, "runs": len(walls),
        "median_ms": round(median(walls), 1), "p90_ms": round(percentile(walls, 0.9), 1),
        "min_ms": round(min(walls), 1), "max_ms": round(max(walls), 1),
        "ratio_median": round(median(walls) / unit, 2),
        "ratio_p90": round(percentile(walls, 0.9) / unit, 2),
        "cpu_median_ms": round(median(cpus), 1),
        "cpu_ratio_median": round(median(cpus) / cpu_unit, 2),
        "peak_rss_mb_median": round(median(rss), 1), "peak_rss_mb_max": round(max(rss), 1),
    }
    return row


_PHASES = r"""
import json, sys, time
t0 = time.perf_counter()
from smassist.answering.assistant import Assistant
from smassist.channels.terminal import render as terminal
t1 = time.perf_counter()
assistant = Assistant.load(sys.argv[1] or None)
t2 = time.perf_counter()
reply = assistant.ask(sys.argv[2], conversation="cli:ask", channel="cli")
t3 = time.perf_counter()
terminal.render(reply, color=False)
t4 = time.perf_counter()
print(json.dumps({"import smassist (assistant, terminal)": (t1 - t0) * 1000,
                  "Assistant.load (knowledge base and index)": (t2 - t1) * 1000,
                  "ask": (t3 - t2) * 1000, "render": (t4 - t3) * 1000}))
"""


def profile(kb: str | None, env: dict[str, str], top: int = 12) -> dict[str, object]:
    """Where a warm-cache start-up goes: in-process phases, and the costliest imports."""
    import json

    phases_runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", _PHASES, kb or "", QUESTION], env=env,
                             capture_output=True, text=True, check=True).stdout
        phases_runs.append(json.loads(out))
    phases = {k: round(median([r[k] for r in phases_runs]), 1) for k in phases_runs[0]}

    argv = [sys.executable, "-X", "importtime", "-m", "smassist.cli", "ask", QUESTION]
    if kb:
        argv += ["--kb", kb]
    err = subprocess.run(argv, env=env, capture_output=True, text=True).stderr
    imports = []
    for line in err.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(3)) <= 2:  # modules imported by the program itself, not nested
            imports.append((found.group(4), int(found.group(2)) / 1000))
    imports.sort(key=lambda item: -item[1])
    return {"phases_ms_median_of_5": phases,
            "top_level_imports_ms": [{"module": m, "cumulative_ms": round(t, 1)} for m, t in imports[:top]],
            "all_imports_ms": round(sum(t for _, t in imports), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="measured runs per row (default 20)")
    parser.add_argument("--quick", action="store_true", help="5 runs per row")
    parser.add_argument("--kb", help="knowledge base folder (default: the bundled one)")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--profile", action="store_true",
                        help="also break a warm start-up into phases and imports (always done when a target is missed)")
    parser.add_argument("--json", default="startup.json", help="file name under benchmarks/results/")
    args = parser.parse_args(argv)
    runs = 5 if args.quick else args.runs

    ask = [*smassist_command(), "ask", args.question]
    if args.kb:
        ask += ["--kb", args.kb]
    byte_compile()
    work = Path(tempfile.mkdtemp(prefix="smassist-bench-startup-"))
    warm_env = clean_env(SMASSIST_CACHE_DIR=str(work / "warm"))
    try:
        wall, _, rss, code, out = run_once(ask, warm_env)  # fills the warm cache; not counted
        if code or not out.strip():
            print(f"`{' '.join(ask)}` failed (exit {code}); fix the knowledge base first.")
            return 1
        cache_mb = sum(f.stat().st_size for f in (work / "warm").glob("kb-*.pickle")) / 1e6
        keys = ("pass", "warm", "cold", "log")
        samples: dict[str, tuple[list[float], list[float], list[float]]] = {k: ([], [], []) for k in keys}
        for n in range(runs):
            for key in samples:
                if key == "cold" and n >= COLD_RUNS:
                    continue
                if key == "pass":
                    argv_, env = [sys.executable, "-c", "pass"], clean_env()
                elif key == "warm":
                    argv_, env = ask, warm_env
                elif key == "log":
                    argv_, env = ask, {**warm_env, "SMASSIST_DB": str(work / "log.sqlite3")}
                else:
                    argv_, env = ask, clean_env(SMASSIST_CACHE_DIR=str(work / f"cold-{n}"))
                wall, cpu, rss, code, _ = run_once(argv_, env)
                if code:
                    print(f"run failed: {' '.join(argv_)} (exit {code})")
                    return 1
                samples[key][0].append(wall)
                samples[key][1].append(cpu)
                samples[key][2].append(rss)
        unit, cpu_unit = median(samples["pass"][0]), median(samples["pass"][1])
        rows = [
            summary("python -c pass", *samples["pass"], unit, cpu_unit),
            summary("smassist ask, warm cache", *samples["warm"], unit, cpu_unit),
            summary("smassist ask, cold cache (parse, validate, index)", *samples["cold"], unit, cpu_unit),
            summary("smassist ask, warm cache, question log on (SQLite)", *samples["log"], unit, cpu_unit),
        ]
        warm, cold = rows[1], rows[2]
        targets = {
            "warm_ratio_under_5x": warm["ratio_median"] < TARGET_RATIO,
            "warm_peak_under_80mb": warm["peak_rss_mb_max"] < TARGET_MB,
            "cold_peak_under_400mb": cold["peak_rss_mb_max"] < COLD_TARGET_MB,
            "log_on_ratio_under_5x": rows[3]["ratio_median"] < TARGET_RATIO,
        }
        info = machine()
        result: dict[str, object] = {
            "benchmark": "startup", "machine": info, "command": command_line(),
            "smassist": " ".join(ask), "question": args.question, "rows": rows, "cache_mb": round(cache_mb, 2),
            "targets": {"ratio_median_under": TARGET_RATIO, "peak_rss_mb_under": TARGET_MB, **targets},
        }
        if args.profile or not all(targets.values()):
            result["profile"] = profile(args.kb, warm_env)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"Start-up of `smassist ask \"{args.question}\"` ({runs} runs per row, interleaved)")
    print(machine_line(info))
    print()
    print(table(["", "runs", "median ms", "p90 ms", "max ms", "x python (median)", "x python (p90)",
                 "CPU ms (median)", "x python CPU", "peak RSS MB (max)"],
                [[r["name"], r["runs"], r["median_ms"], r["p90_ms"], r["max_ms"], r["ratio_median"],
                  r["ratio_p90"], r["cpu_median_ms"], r["cpu_ratio_median"], r["peak_rss_mb_max"]]
                 for r in rows]))
    print()
    print(f"Targets: warm median {warm['ratio_median']}x python -c pass (< {TARGET_RATIO}x): "
          f"{'met' if targets['warm_ratio_under_5x'] else 'MISSED'}; peak RSS warm {warm['peak_rss_mb_max']} MB "
          f"(< {TARGET_MB:.0f} MB): {'met' if targets['warm_peak_under_80mb'] else 'MISSED'}; "
          f"cold (compiles and trains) {cold['peak_rss_mb_max']} MB (< {COLD_TARGET_MB:.0f} MB): "
          f"{'met' if targets['cold_peak_under_400mb'] else 'MISSED'}; "
          f"with the question log on {rows[3]['ratio_median']}x: "
          f"{'met' if targets['log_on_ratio_under_5x'] else 'MISSED'}")
    if "profile" in result:
        prof = result["profile"]
        print()
        print("Warm start-up in process (median of 5):")
        for phase, ms in prof["phases_ms_median_of_5"].items():
            print(f"  {phase:45s} {ms:7.1f} ms")
        print(f"Costliest top-level imports (python -X importtime; all imports {prof['all_imports_ms']} ms):")
        for item in prof["top_level_imports_ms"]:
            print(f"  {item['module']:45s} {item['cumulative_ms']:7.1f} ms")
    path = write_json(args.json, result)
    print(f"\nWritten to {path.relative_to(path.parents[2])}; reproduce with: {command_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
