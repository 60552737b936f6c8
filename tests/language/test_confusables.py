"""`smassist kb check` warns about confusable entries, held out, without failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from smassist.cli import main
from smassist.kb import loader
from smassist.language.confusables import find_confusables
from tests.kb.test_loader import ENTRIES, write_kb

# A third entry whose example questions paraphrase roi-measurement's (exact copies are errors).
OVERLAPPING = ENTRIES + """\
  - id: roi-companies
    topic: roi
    title: {fr: "Les entreprises et le ROI", en: "Companies and ROI"}
    questions:
      fr: ["Combien d'entreprises mesurent-elles leur ROI ?", "Les entreprises mesurent-elles leur ROI ?"]
      en: ["How many companies do measure their ROI?", "Do companies measure their ROI?"]
    answer:
      fr: Peu d'entreprises le mesurent.
      en: Few companies measure it.
"""

# Two entries whose example questions share no telling word.
DISTINCT = """\
entries:
  - id: roi-measurement
    topic: roi
    title: {fr: "Qui mesure son ROI ?", en: "Who measures ROI?"}
    questions:
      fr: ["Combien d'entreprises mesurent leur ROI ?", "Mesurer le ROI des réseaux sociaux"]
      en: ["How many companies measure their ROI?", "Measuring our ROI"]
    answer:
      fr: "{{ stat('stat-one') }} des entreprises mesurent leur ROI."
      en: "{{ stat('stat-one') }} of companies measure their ROI."
  - id: charter-need
    topic: charter
    title: {fr: "Faut-il une charte ?", en: "Do we need a policy?"}
    questions:
      fr: ["Faut-il une charte ?", "Une charte pour les salariés"]
      en: ["Do we need a written policy?", "A policy for employees"]
    answer:
      fr: Oui, une charte simple suffit.
      en: Yes, a simple policy is enough.
"""


def test_confusable_pair_is_reported_with_its_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb_dir = write_kb(tmp_path / "kb", entries__roi=OVERLAPPING)
    kb = loader.load(kb_dir)
    location = str(kb.entries["roi-measurement"].location)
    pairs, checked, flagged = find_confusables(kb)
    assert ("roi-measurement", "roi-companies") in {(p.entry, p.other) for p in pairs}
    assert checked == 8 and flagged >= 1

    assert main(["kb", "check", str(kb_dir)]) == 0  # warnings only
    out = capsys.readouterr().out
    assert "OK: 3 entries" in out
    assert "Confusable entries (warnings)" in out
    assert "roi-measurement -> roi-companies" in out
    assert f"{location}: [" in out and location.endswith("entries/roi.yaml:2")
    assert "give these entries more distinct example questions, or merge them" in out

    assert main(["kb", "check", "--no-confusables", str(kb_dir)]) == 0
    assert "Confusable" not in capsys.readouterr().out


def test_a_clean_knowledge_base_has_no_confusables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb_dir = write_kb(tmp_path / "kb", entries__roi=DISTINCT)
    assert find_confusables(loader.load(kb_dir))[0] == []
    assert main(["kb", "check", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    assert "Confusable entries (warnings): none" in out
    assert "->" not in out


def test_a_broken_knowledge_base_still_fails_before_the_confusables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb_dir = write_kb(tmp_path / "kb", entries__roi=OVERLAPPING)
    (kb_dir / "statistics.yaml").write_text(
        (kb_dir / "statistics.yaml").read_text().replace("value: 31", "value: x")
    )
    assert main(["kb", "check", str(kb_dir)]) == 1
    out = capsys.readouterr().out
    assert "statistics.yaml:3:" in out
    assert "Confusable" not in out
