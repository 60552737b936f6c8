"""``smassist eval`` reports how often a figure question's reply opens with a figure."""

from __future__ import annotations

from pathlib import Path

from smassist import Assistant
from smassist.answering.evaluation import figure_openings
from smassist.language.evaluation import load_questions

QUESTIONS = """
questions:
  - {text: "Quel pourcentage des sociétés a rédigé une charte réseaux sociaux ?", lang: fr, topic: charter, kind: figure}
  - {text: "What percentage of companies have a written social media policy?", lang: en, topic: charter, kind: figure}
  - {text: "Faut-il avoir une charte médias sociaux ?", lang: fr, topic: charter, kind: recommendation}
  - {text: "Comment supprimer mon compte Instagram perso ?", lang: fr, topic: null}
"""


def test_only_figure_questions_are_counted_and_their_openings_checked(tmp_path: Path) -> None:
    path = tmp_path / "eval.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    result = figure_openings(Assistant.load(use_cache=False), load_questions(path))
    assert result.labelled and result.questions == 2
    assert result.opened_with_figure == result.answered == 2
    assert result.share == 1.0
    assert "figure questions (labelled in the file): 2" in result.render()
