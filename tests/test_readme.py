"""The README's commands are the ones that work."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    test_command = next(b.strip() for b in _shell_blocks(readme) if "pytest" in b)
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_quick_start_installs_then_starts_the_chat() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = _shell_blocks(readme)[0].strip()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install .")
    assert first.endswith(".venv/bin/smassist chat")


def test_readme_links_point_at_files_that_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (REPO / target).exists(), f"README links to missing {target}"


def test_python_api_of_the_readme_works() -> None:
    from smassist import Assistant

    reply = Assistant.load().ask("Combien d'entreprises mesurent leur ROI ?", conversation="me")
    assert reply.matched and reply.topic == "roi"
    assert all(s.source for s in reply.statistics)
