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

from tests.conftest import REPO


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


def test_wheel_installs_with_the_platform_extras_and_serve_runs(wheel: Path, tmp_path: Path) -> None:
    """What the deployment READMEs say: pip install 'smassist-….whl[slack,telegram,charts]'.

    The new environment sees this one's packages (a .pth file) and pip runs with
    --no-index: the extras' requirements must all be satisfied by what the test
    environment has, and only the wheel itself is installed.
    """
    import site

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    [venv_site] = venv.glob("lib/python*/site-packages")
    (venv_site / "outer.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
         "--no-index", f"{wheel}[slack,telegram,charts]"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "does not provide the extra" not in result.stdout + result.stderr
    smassist = venv / "bin" / "smassist"
    env = {k: v for k, v in os.environ.items()
           if k not in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "TELEGRAM_BOT_TOKEN")}
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import smassist, smassist.trends.charts as c; print(smassist.__file__, c.available())"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert where.stdout.split() == [str(venv_site / "smassist" / "__init__.py"), "True"], where.stderr
    serve = subprocess.run([str(smassist), "serve", "--help"], capture_output=True, text=True,
                           env=env, cwd=tmp_path, timeout=120)
    assert serve.returncode == 0 and "slack" in serve.stdout and "telegram" in serve.stdout
    # Each platform's extra is there: without credentials each stops naming its variable
    # (a missing extra would say `pip install 'smassist[…]'` instead).
    for platform, variable in (("slack", "SLACK_BOT_TOKEN"), ("telegram", "TELEGRAM_BOT_TOKEN")):
        run = subprocess.run([str(smassist), "serve", platform], capture_output=True, text=True,
                             env=env, cwd=tmp_path, timeout=120)
        assert run.returncode == 2 and variable in run.stderr and "pip install" not in run.stderr, run.stderr


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_is_listed_once_and_every_listed_package_exists() -> None:
    listed = _pyproject()["tool"]["setuptools"]["packages"]
    assert len(listed) == len(set(listed)), sorted(p for p in listed if listed.count(p) > 1)
    on_disk = {".".join(p.parent.relative_to(REPO / "src").parts)
               for p in (REPO / "src" / "smassist").rglob("__init__.py")}
    assert set(listed) == on_disk | {"smassist.knowledge"}


def test_no_requirement_is_given_twice() -> None:
    """An extra repeating a core requirement (or another extra's) is one more bound to keep in step."""
    import re

    project = _pyproject()["project"]

    def name(requirement: str) -> str:
        return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    core = [name(r) for r in project["dependencies"]]
    assert len(core) == len(set(core))
    for extra, requirements in project["optional-dependencies"].items():
        own = [name(r) for r in requirements if not r.startswith("smassist[")]
        assert len(own) == len(set(own)), extra
        assert not set(own) & set(core), f"[{extra}] repeats core requirements: {set(own) & set(core)}"
