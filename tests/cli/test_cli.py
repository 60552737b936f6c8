"""The smassist command line, run as users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smassist.cli import main
from tests.conftest import BUNDLED_KB
from tests.kb.test_loader import write_kb


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``smassist ARGS`` in a child process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "smassist.cli", *args],
        input=stdin, capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_ask_prints_an_answer_with_its_source(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    result = run("ask", "--kb", str(kb), "Combien d'entreprises mesurent leur ROI ?")
    assert result.returncode == 0, result.stderr
    assert "31\u202f% des entreprises mesurent leur ROI." in result.stdout
    # One line to repeat: who ran the study, which, its year and sample, the article.
    assert ("Source : Someone : Étude un, 2018, 427 répondants en France — article « An article »,"
            " A publisher") in " ".join(result.stdout.split())


def test_ask_json_batch_reads_stdin_and_prints_one_object_per_line(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    stdin = "How many companies measure their ROI?\n\nquel temps fera-t-il demain à Brest ?\n{{ 7*7 }}\n"
    result = run("ask", "--json", "--kb", str(kb), stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # the blank line is skipped
    first, second, third = (json.loads(line) for line in lines)
    assert first["matched"] is True and first["entry"] == "roi-measurement"
    assert first["topic"] == "roi" and first["lang"] == "en"
    stat = first["statistics"][0]
    assert {"id", "value", "unit", "label", "year", "study", "article"} <= set(stat)
    assert (stat["value"], stat["unit"], stat["year"], stat["article"]) == (31, "percent", 2018, "art-one")
    assert first["sources"] == ["Study one, 2018, 427 respondents in France"]
    assert second["matched"] is False and second["topic"] is None
    assert third["question"] == "{{ 7*7 }}" and "49" not in third["answer"]


def test_broken_knowledge_base_exits_2_with_its_report(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    (kb / "topics.yaml").write_text("topics:\n  - id: roi\n    title: [\n")
    result = run("ask", "--kb", str(kb), "ROI ?")
    assert result.returncode == 2
    assert "topics.yaml:" in result.stderr and "YAML syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_kb_check_exit_codes_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = write_kb(tmp_path / "kb")
    assert main(["kb", "check", str(kb)]) == 0
    out = capsys.readouterr().out
    assert "OK: 2 entries, 4 example questions, 1 statistics" in out
    assert "roi" in out
    (kb / "statistics.yaml").write_text((kb / "statistics.yaml").read_text().replace("value: 31", "value: x"))
    assert main(["kb", "check", str(kb)]) == 1
    assert "statistics.yaml:3:" in capsys.readouterr().out


def test_kb_check_on_a_missing_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", str(tmp_path / "nowhere")]) == 1
    assert "no such knowledge-base folder" in capsys.readouterr().out


def test_kb_export_json_lists_entries_with_questions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "export", "--json", "--kb", str(write_kb(tmp_path / "kb"))]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in data] == ["roi-measurement", "charter-need"]
    assert data[0]["topic"] == "roi"
    assert data[0]["questions"]["en"] == ["How many companies measure their ROI?"]


def test_stats_json_resolves_study_year_and_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--json", "--kb", str(write_kb(tmp_path / "kb"))]) == 0
    [stat] = json.loads(capsys.readouterr().out)
    assert (stat["id"], stat["year"], stat["study"], stat["article"]) == ("stat-one", 2018, "study-one", "art-one")
    assert main(["stats", "--topic", "nope", "--kb", str(write_kb(tmp_path / "kb"))]) == 2


def test_chat_answers_lines_and_quits(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    stdin = "Combien d'entreprises mesurent leur ROI ?\nsource ?\n/topics\n/quit\nnever read\n"
    result = run("chat", "--kb", str(kb), stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "31\u202f% des entreprises" in result.stdout
    assert "An article" in result.stdout  # the sources of the last answer
    assert "never read" not in result.stdout


def test_importing_the_cli_does_not_import_chat_platforms_or_plotting() -> None:
    code = (
        "import sys, smassist.cli; "
        "print(sorted(m for m in ('slack_bolt', 'slack_sdk', 'telegram', 'matplotlib', 'pydantic', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def modules_loaded_on_a_warm_start(code: str, modules: tuple[str, ...], **env: str) -> list[str]:
    """Which of ``modules`` a child running ``code`` imports, once the compiled cache is filled."""
    code += f"; import sys; print(sorted(m for m in {modules!r} if m in sys.modules), file=sys.stderr)"
    env = {**os.environ, **env}
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)  # fills the cache
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_answering_from_the_cache_needs_neither_pydantic_nor_jinja(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    code = f"from smassist.answering.assistant import Assistant; Assistant.load({str(kb)!r}).ask('ROI ?')"
    assert modules_loaded_on_a_warm_start(code, ("pydantic", "jinja2", "yaml")) == []


def test_a_warm_ask_with_the_log_off_loads_neither_the_store_nor_a_hash_library(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    code = f"from smassist.cli import main; main(['ask', '--kb', {str(kb)!r}, 'ROI ?'])"
    assert modules_loaded_on_a_warm_start(code, ("smassist.admin.store", "sqlite3", "hashlib", "yaml", "logging"),
                                          SMASSIST_DB="off") == []
    # With the log on (the default), the store is used: the check above can fail.
    assert "smassist.admin.store" in modules_loaded_on_a_warm_start(
        code, ("smassist.admin.store",), SMASSIST_DB=str(tmp_path / "log.sqlite3"))


def test_a_warm_ask_with_the_trained_layer_imports_none_of_the_training_libraries(tmp_path: Path) -> None:
    """numpy, scipy and scikit-learn (~270 MB, ~0.5 s to import) fit a version; answering from
    the compiled cache needs none of them (benchmarks/README.md, Dependencies)."""
    code = ("from smassist.cli import main; main(['ask', '--kb', " + repr(str(BUNDLED_KB)) + ", 'ROI ?']); "
            "from smassist.answering.assistant import Assistant; "
            "assert Assistant.load(" + repr(str(BUNDLED_KB)) + ").state.engine.model is not None")
    assert modules_loaded_on_a_warm_start(code, ("numpy", "scipy", "sklearn", "joblib"), SMASSIST_DB="off",
                                          SMASSIST_CACHE_DIR=str(tmp_path / "cache")) == []


def test_kb_option_works_before_or_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = str(write_kb(tmp_path / "kb"))
    for argv in (["--kb", kb, "kb", "export", "--json"], ["kb", "export", "--json", "--kb", kb]):
        assert main(argv) == 0
        assert [e["id"] for e in json.loads(capsys.readouterr().out)] == ["roi-measurement", "charter-need"]


def test_python_dash_m_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "smassist", "stats", "--topic", "nope",
                             "--kb", str(write_kb(tmp_path / "kb"))], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown topic 'nope'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("platform", "module"), [("slack", "slack_bolt"), ("slack", "aiohttp"),
                                                   ("telegram", "telegram")])
def test_serve_without_the_platform_extra_says_how_to_install_it(
        platform: str, module: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # A None entry in sys.modules makes `import module` fail, as on a core-only install.
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-used")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:not-used")
    assert main(["serve", platform]) == 2
    err = capsys.readouterr().err
    assert f"pip install 'smassist[{platform}]'" in err
    assert "Traceback" not in err
