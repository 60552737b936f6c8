"""A small knowledge base with series, written into a folder for trend, chart and brief tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

SOURCES = """\
articles:
  - id: art-one
    title: An article
    publisher: A publisher
studies:
  - id: fr-2016
    name: {fr: Baromètre 2016, en: 2016 barometer}
    by: [Someone]
    year: 2016
    scope: france
    sample:
      population: {fr: répondants en France, en: respondents in France}
    article: art-one
  - id: fr-2018
    name: {fr: Baromètre 2018, en: 2018 barometer}
    by: [Someone]
    year: 2018
    scope: france
    sample:
      size: 427
      population: {fr: répondants en France, en: respondents in France}
    article: art-one
  - id: us-2010
    name: {fr: Étude américaine 2010, en: 2010 US study}
    by: [Someone else]
    year: 2010
    scope: usa
    sample:
      size: 457
      population: {fr: marketeurs américains, en: US marketers}
    article: art-one
"""

STATISTICS = """\
statistics:
  - id: selling-2016
    value: 20
    unit: percent
    label: {fr: des répondants font du social selling, en: of respondents do social selling}
    study: fr-2016
    quote: "20 %"
    topics: [social-selling]
  - id: selling-2018
    value: 50
    unit: percent
    label: {fr: des répondants font du social selling, en: of respondents do social selling}
    study: fr-2018
    quote: "50 %"
    topics: [social-selling]
  - id: roi-us-2010
    value: 43
    unit: percent
    label: {fr: des marketeurs mesurent leur ROI, en: of marketers measure their ROI}
    study: us-2010
    quote: "43%"
    topics: [roi]
  - id: roi-2016
    value: 32
    unit: percent
    label: {fr: des répondants mesurent leur ROI, en: of respondents measure their ROI}
    study: fr-2016
    quote: "32 %"
    topics: [roi]
  - id: roi-2018
    value: 31
    unit: percent
    label: {fr: des entreprises mesurent leur ROI, en: of companies measure their ROI}
    study: fr-2018
    quote: "31%"
    topics: [roi]
  - id: teams-2018
    value: 15
    unit: percent
    label: {fr: des équipes ont plus de 6 personnes, en: of teams have more than 6 people}
    study: fr-2018
    quote: "15 %"
    topics: [organisation]
"""

TOPICS = """\
topics:
  - id: roi
    title: {fr: Retour sur investissement, en: Return on investment}
    description: {fr: Le ROI., en: ROI.}
  - id: social-selling
    title: {fr: Social selling, en: Social selling}
    description: {fr: Vendre par les réseaux., en: Selling through networks.}
  - id: organisation
    title: {fr: Organisation, en: Organisation}
    description: {fr: Les équipes., en: Teams.}
"""

ENTRIES = """\
entries:
  - id: roi-measurement
    topic: roi
    title: {fr: "Qui mesure son ROI ?", en: "Who measures ROI?"}
    questions:
      fr: ["Combien d'entreprises mesurent leur ROI ?", "mesure du ROI des médias sociaux"]
      en: ["How many companies measure their ROI?", "social media ROI measurement"]
    answer:
      fr: "{{ figure('roi-2018') }}."
      en: "{{ figure('roi-2018') }}."
    statistics: [roi-2016, roi-us-2010]
  - id: social-selling-use
    topic: social-selling
    title: {fr: "Le social selling, qui le pratique ?", en: "Who does social selling?"}
    questions:
      fr: ["Combien d'entreprises font du social selling ?", "le social selling en entreprise"]
      en: ["How many companies do social selling?", "social selling in companies"]
    answer:
      fr: "{{ figure('selling-2018') }}."
      en: "{{ figure('selling-2018') }}."
  - id: team-size
    topic: organisation
    title: {fr: "Quelle taille d'équipe ?", en: "How big a team?"}
    questions:
      fr: ["Quelle taille pour une équipe médias sociaux ?", "combien de personnes dans l'équipe"]
      en: ["How big is a social media team?", "how many people in the team"]
    answer:
      fr: "{{ figure('teams-2018') }}."
      en: "{{ figure('teams-2018') }}."
"""

SERIES = """\
series:
  - id: social-selling
    label: {fr: Part des répondants qui font du social selling, en: Share of respondents doing social selling}
    points: [selling-2016, selling-2018]
  - id: roi-measured
    label: {fr: Part des entreprises qui mesurent leur ROI, en: Share of companies measuring ROI}
    points: [roi-us-2010, roi-2016, roi-2018]
    note: {fr: 2010 aux États-Unis ; ensuite en France., en: 2010 in the US; then France.}
brief: []
"""


def write_kb(root: Path, series: str = SERIES, **overrides: str) -> Path:
    """The small knowledge base in ``root``; pass e.g. ``statistics=...`` to replace a file."""
    files = {"sources": SOURCES, "statistics": STATISTICS, "topics": TOPICS, "series": series,
             **overrides}
    root.mkdir(parents=True, exist_ok=True)
    (root / "entries").mkdir(exist_ok=True)
    for name, text in files.items():
        (root / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "entries" / "all.yaml").write_text(ENTRIES, encoding="utf-8")
    return root
