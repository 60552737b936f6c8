"""A server's start with a cold compiled cache: the compile runs in a child process.

Compiling trains the matcher with numpy, scipy and scikit-learn; a server that did
it itself kept them (and the training's freed memory) for its whole life, about
220 MB instead of 60 MB. Each test runs the start in a fresh interpreter, so what
it imported is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.trend_kb import write_kb

PROBE = """
import json, sys
from smassist.channels.launch import load_assistant, CommandError
try:
    assistant = load_assistant(sys.argv[1], compile_apart=True)
except CommandError as exc:
    print(json.dumps({"error": str(exc), "code": exc.code}))
    raise SystemExit(0)
reply = assistant.ask("ROI")
heavy = sorted(m for m in ("numpy", "scipy", "sklearn", "yaml", "pydantic") if m in sys.modules)
print(json.dumps({"heavy": heavy, "entries": len(assistant.kb.entries), "text": bool(reply.text)}))
"""


def _start(kb: Path, cache: Path) -> dict:
    env = {**os.environ, "SMASSIST_CACHE_DIR": str(cache)}
    env.pop("SMASSIST_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(kb)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_cold_start_compiles_in_a_child_and_serves_from_the_cache(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    cache = tmp_path / "cache"
    first = _start(kb, cache)
    assert first["entries"] > 0 and first["text"]
    # The training libraries and the YAML/pydantic loader stayed in the child.
    assert first["heavy"] == []
    assert len(list(cache.glob("kb-*.pickle"))) == 1
    second = _start(kb, cache)  # warm: the same, with nothing to compile
    assert second == first
    assert len(list(cache.glob("kb-*.pickle"))) == 1


def test_a_broken_knowledge_base_is_still_reported_by_the_server_itself(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", topics="topics: [\n")  # YAML that does not parse
    cache = tmp_path / "cache"
    out = _start(kb, cache)
    assert out["code"] == 2
    assert "topics.yaml" in out["error"]
    assert "Traceback" not in out["error"]
    assert list(cache.glob("kb-*.pickle")) == []
