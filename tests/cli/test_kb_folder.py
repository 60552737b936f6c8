"""Which knowledge base is served, and `smassist kb init` (issue 17).

An admin who edits files must edit the folder that is served: `--kb`, then
`SMASSIST_KB`, then `./knowledge` in the current folder, then the bundled copy;
every command says which one it uses.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smassist.cli import main
from smassist.settings import Settings, bundled_knowledge

MARKER = "checked by our own admins"
QUESTION = "Do we need a social media charter?"


def smassist(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command as an admin runs it: a new process in ``cwd``."""
    return subprocess.run([sys.executable, "-m", "smassist", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def init(target: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["kb", "init", str(target)]) == 0
    return capsys.readouterr().out


def break_reference(root: Path, wrong: str) -> int:
    """Cite an unknown statistic in charter.yaml; the line it is on."""
    path = root / "entries" / "charter.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if 'stat("charter-adoption-2017")' in line)
    lines[number] = lines[number].replace('stat("charter-adoption-2017")', f'stat("{wrong}")', 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


# --- kb init ------------------------------------------------------------------------------


def test_init_copies_the_bundled_base_with_schema_lines_that_resolve_in_the_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "ours" / "knowledge"
    out = init(target, capsys)
    bundled = bundled_knowledge()
    copied = sorted(p.relative_to(target) for p in target.rglob("*") if p.is_file())
    assert Path("topics.yaml") in copied and Path("entries/charter.yaml") in copied
    assert {p for p in copied if p.parts[0] == "schema"} == {
        p.relative_to(bundled) for p in (bundled / "schema").glob("*.json")}
    yaml_files = [target / p for p in copied if p.suffix == ".yaml"]
    assert len(yaml_files) > 10
    for path in yaml_files:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        schema = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert schema, f"{path}: {first!r}"
        assert (path.parent / schema.group(1)).resolve().is_file(), f"{path}: {schema.group(1)}"
        assert os.access(path, os.W_OK)
    # How to serve it: the folder's parent (./knowledge), SMASSIST_KB, --kb.
    assert f"cd {target.parent}" in out
    assert f"export SMASSIST_KB={target}" in out
    assert f"smassist --kb {target}" in out


def test_init_without_a_folder_writes_knowledge_in_the_current_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["kb", "init"]) == 0
    assert (tmp_path / "knowledge" / "topics.yaml").is_file()
    assert Settings.from_env().knowledge_folder().origin == "./knowledge"


def test_init_refuses_a_folder_that_is_not_empty_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "knowledge"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["kb", "init", str(target)]) == 1
    err = capsys.readouterr().err
    assert str(target) in err and "not empty" in err and "nothing was copied" in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert "Traceback" not in err


def test_an_edit_in_the_copy_is_served_from_its_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    init(site / "knowledge", capsys)
    entry = site / "knowledge" / "entries" / "charter.yaml"
    text = entry.read_text(encoding="utf-8")
    edited = text.replace("The samples differ from year to year", f"The samples, {MARKER}, differ from year to year")
    assert edited != text
    entry.write_text(edited, encoding="utf-8")

    done = smassist("ask", "--json", "--lang", "en", QUESTION, cwd=site)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["entry"] == "charter-adoption"
    assert MARKER in answer["answer"]
    assert answer["knowledge_base"]["path"] == str(site / "knowledge")
    assert answer["knowledge_base"]["origin"] == "./knowledge"
    assert re.fullmatch(r"[0-9a-f]{12}", answer["knowledge_base"]["version"])
    # The same question elsewhere is answered by the bundled copy, which says so.
    bundled = json.loads(smassist("ask", "--json", "--lang", "en", QUESTION, cwd=tmp_path).stdout)
    assert MARKER not in bundled["answer"]
    assert bundled["knowledge_base"]["origin"] == "bundled"


def test_kb_check_on_a_broken_copy_reports_the_file_and_line_in_the_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    init(site / "knowledge", capsys)
    line = break_reference(site / "knowledge", "charter-adoption-2071")
    done = smassist("kb", "check", cwd=site)
    assert done.returncode != 0
    first, *rest = done.stdout.splitlines()
    assert first == f"Knowledge base: {site / 'knowledge'} (./knowledge in the current folder)"
    reported = re.search(r"^knowledge/entries/charter\.yaml:(\d+): .*'charter-adoption-2071'",
                         "\n".join(rest), flags=re.M)
    assert reported, done.stdout
    assert int(reported.group(1)) in (line - 1, line)  # the answer's line (or its `fr: |` key)
    assert "Traceback" not in done.stderr


# --- which folder wins --------------------------------------------------------------------


def test_smassist_kb_wins_over_local_knowledge_and_kb_wins_over_both(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    for folder in (site / "knowledge", tmp_path / "from-env", tmp_path / "from-flag"):
        init(folder, capsys)
    break_reference(tmp_path / "from-env", "wrong-in-env-copy")
    break_reference(tmp_path / "from-flag", "wrong-in-flag-copy")
    monkeypatch.chdir(site)
    monkeypatch.setenv("SMASSIST_KB", str(tmp_path / "from-env"))

    assert main(["kb", "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"Knowledge base: {tmp_path / 'from-env'} (from SMASSIST_KB)\n")
    assert "wrong-in-env-copy" in out

    for argv in (["--kb", str(tmp_path / "from-flag"), "kb", "check"],
                 ["kb", "check", "--kb", str(tmp_path / "from-flag")],
                 ["kb", "check", str(tmp_path / "from-flag")]):
        assert main(argv) == 1
        out = capsys.readouterr().out
        assert out.startswith(f"Knowledge base: {tmp_path / 'from-flag'} (given on the command line)\n")
        assert "wrong-in-flag-copy" in out and "wrong-in-env-copy" not in out


def test_resolution_order_and_what_it_says(tmp_path: Path) -> None:
    (tmp_path / "knowledge" / "entries").mkdir(parents=True)
    (tmp_path / "knowledge" / "topics.yaml").write_text("topics: []\n", encoding="utf-8")
    bare = Settings()
    assert bare.knowledge_folder(cwd=tmp_path).path == tmp_path / "knowledge"
    assert bare.knowledge_folder(cwd=tmp_path).origin == "./knowledge"
    env = Settings.from_env({"SMASSIST_KB": str(tmp_path / "elsewhere")})
    assert env.knowledge_folder(cwd=tmp_path).origin == "SMASSIST_KB"
    assert env.knowledge_folder("given", cwd=tmp_path).origin == "--kb"
    assert env.knowledge_folder("given").path == Path.cwd() / "given"  # absolute: one folder named
    # A ./knowledge that is not a knowledge base is not served, and the choice says why.
    (tmp_path / "knowledge" / "topics.yaml").unlink()
    folder = bare.knowledge_folder(cwd=tmp_path)
    assert folder.origin == "bundled" and folder.path == bundled_knowledge()
    assert "./knowledge is not a knowledge base" in folder.describe()
    assert "kb init" in folder.describe()
    assert Settings().knowledge_folder(cwd=tmp_path / "empty").note == ""


def test_init_in_a_checkout_says_its_knowledge_folder_is_already_served(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    init(tmp_path / "knowledge", capsys)
    monkeypatch.chdir(tmp_path)
    assert main(["kb", "init"]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'knowledge'} already holds a knowledge base" in err
    assert f"serves it when run from {tmp_path}" in err
    assert main(["kb", "init", "sub/../other"]) == 0  # a path is shown as one folder
    assert f"into {tmp_path / 'other'}." in capsys.readouterr().out
