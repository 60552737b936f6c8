"""An installed wheel (not only an editable checkout) carries the knowledge base."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("src", "knowledge"):
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"wheel build failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    [built] = out.glob("smassist-*.whl")
    return built


def test_wheel_contains_the_knowledge_base_and_its_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for kb_file in (REPO / "knowledge").rglob("*"):
        if kb_file.is_file() and kb_file.suffix in (".yaml", ".json"):
            relative = kb_file.relative_to(REPO / "knowledge").as_posix()
            assert f"smassist/knowledge/{relative}" in names


def test_installed_wheel_answers_from_its_bundled_knowledge_base(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    code = (
        "import json, smassist, smassist.paths as p; from smassist.cli import main; "
        "print(json.dumps([smassist.__file__, str(p.bundled_knowledge())])); "
        "main(['ask', '--json', 'Combien d entreprises ont une charte des médias sociaux ?'])"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    first, answer = result.stdout.splitlines()[:2]
    module_file, knowledge = json.loads(first)
    assert module_file.startswith(str(target)), "the test must run the installed copy"
    assert knowledge.startswith(str(target))
    reply = json.loads(answer)
    assert reply["matched"] and reply["topic"] == "charter" and reply["statistics"]
