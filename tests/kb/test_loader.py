"""The loader reports every problem of a knowledge base as file:line: message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from smassist.kb import loader
from smassist.kb.loader import KnowledgeBaseError
from tests.conftest import BUNDLED_KB

SOURCES = """\
articles:
  - id: art-one
    title: An article
    publisher: A publisher
studies:
  - id: study-one
    name: {fr: Étude un, en: Study one}
    by: [Someone]
    year: 2018
    scope: france
    sample:
      size: 427
      population: {fr: répondants en France, en: respondents in France}
    article: art-one
"""

STATISTICS = """\
statistics:
  - id: stat-one
    value: 31
    unit: percent
    label: {fr: des entreprises mesurent leur ROI, en: of companies measure their ROI}
    study: study-one
    quote: "31% des entreprises"
    topics: [roi]
"""

TOPICS = """\
topics:
  - id: roi
    title: {fr: ROI, en: ROI}
    description: {fr: Le retour sur investissement., en: Return on investment.}
  - id: charter
    title: {fr: Charte, en: Policy}
    description: {fr: La charte., en: The policy.}
"""

ENTRIES = """\
entries:
  - id: roi-measurement
    topic: roi
    title: {fr: "Qui mesure son ROI ?", en: "Who measures ROI?"}
    questions:
      fr: ["Combien d'entreprises mesurent leur ROI ?"]
      en: ["How many companies measure their ROI?"]
    answer:
      fr: "{{ stat('stat-one') }} des entreprises mesurent leur ROI."
      en: "{{ stat('stat-one') }} of companies measure their ROI."
    follow_ups: [charter-need]
  - id: charter-need
    topic: charter
    title: {fr: "Faut-il une charte ?", en: "Do we need a policy?"}
    questions:
      fr: ["Faut-il une charte ?"]
      en: ["Do we need a social media policy?"]
    answer:
      fr: Oui, une charte simple suffit.
      en: Yes, a simple policy is enough.
"""


def write_kb(root: Path, **overrides: str) -> Path:
    """A small valid knowledge base; ``overrides`` replace files by name."""
    files = {
        "sources.yaml": SOURCES,
        "statistics.yaml": STATISTICS,
        "topics.yaml": TOPICS,
        "entries/roi.yaml": ENTRIES,
    }
    files.update({name.replace("__", "/") + ".yaml": text for name, text in overrides.items()})
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def problems_of(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as info:
        loader.load(root)
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in info.value.problems]


def test_a_valid_knowledge_base_loads_with_rendered_answers(tmp_path: Path) -> None:
    kb = loader.load(write_kb(tmp_path))
    entry = kb.entries["roi-measurement"]
    assert entry.answer["fr"] == "31\u202f% des entreprises mesurent leur ROI."
    assert entry.answer["en"] == "31% of companies measure their ROI."
    assert entry.statistics == ("stat-one",)  # cited in the template, so shown
    assert kb.statistics["stat-one"].year == 2018  # inherited from its study
    assert entry.location.line == 2


def test_yaml_syntax_error_is_reported_with_line_number(tmp_path: Path) -> None:
    broken = STATISTICS.replace("    unit: percent\n", "    unit: percent\n   oops: [\n")
    problems = problems_of(write_kb(tmp_path, statistics=broken))
    assert len(problems) == 1
    assert problems[0].startswith("statistics.yaml:")
    assert "YAML syntax error" in problems[0]
    line = int(problems[0].split(":")[1])
    assert 4 <= line <= 8


def test_missing_field_is_reported_at_its_item(tmp_path: Path) -> None:
    broken = STATISTICS.replace("    study: study-one\n", "")
    assert problems_of(write_kb(tmp_path, statistics=broken)) == [
        "statistics.yaml:2: missing field 'study' in statistics[1]"
    ]


def test_wrongly_typed_value_is_reported_with_line_number(tmp_path: Path) -> None:
    broken = STATISTICS.replace("value: 31", "value: trente")
    [problem] = problems_of(write_kb(tmp_path, statistics=broken))
    assert problem.startswith("statistics.yaml:3: statistics[1].value:")
    assert "'trente'" in problem


def test_misspelt_field_is_reported_not_ignored(tmp_path: Path) -> None:
    broken = ENTRIES.replace("    follow_ups: [charter-need]", "    folow_ups: [charter-need]")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=broken))
    assert problem.startswith("roi.yaml:11: unknown field 'folow_ups'")


def test_unknown_statistic_is_reported_with_line_number_and_a_suggestion(tmp_path: Path) -> None:
    broken = ENTRIES.replace("fr: \"{{ stat('stat-one') }}", "fr: \"{{ stat('stat-onne') }}")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=broken))
    assert problem.startswith("roi.yaml:9: answer (fr): unknown statistic 'stat-onne'")
    assert "did you mean 'stat-one'" in problem


def test_unknown_references_are_each_reported_where_written(tmp_path: Path) -> None:
    statistics = STATISTICS.replace("study: study-one", "study: study-two").replace(
        "topics: [roi]", "topics: [roii]"
    )
    sources = SOURCES.replace("    article: art-one", "    article: art-two")
    entries = ENTRIES.replace("    topic: charter", "    topic: charters").replace(
        "follow_ups: [charter-need]", "follow_ups: [charter-needs]\n    statistics: [nope]"
    )
    problems = problems_of(
        write_kb(tmp_path, statistics=statistics, sources=sources, entries__roi=entries)
    )
    assert "sources.yaml:14: unknown article 'art-two' (did you mean 'art-one'?)" in problems
    assert "statistics.yaml:6: unknown study 'study-two' (did you mean 'study-one'?)" in problems
    assert "statistics.yaml:8: unknown topic 'roii' (did you mean 'roi'?)" in problems
    assert any(p.startswith("roi.yaml:11: unknown follow-up entry 'charter-needs'") for p in problems)
    assert any(p.startswith("roi.yaml:12: unknown statistic 'nope'") for p in problems)
    assert any(p.startswith("roi.yaml:14: unknown topic 'charters'") for p in problems)


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    other = """\
    entries:
      - id: charter-need
        topic: charter
        title: {fr: Autre, en: Other}
        questions: {fr: ["Une autre question ?"], en: ["Another question?"]}
        answer: {fr: Autre., en: Other.}
    """
    problems = problems_of(write_kb(tmp_path, entries__zz=other))
    assert len(problems) == 1
    assert problems[0].startswith("zz.yaml:2: duplicate entry id 'charter-need'")
    assert "roi.yaml:12" in problems[0]


def test_same_example_question_under_two_entries_is_reported(tmp_path: Path) -> None:
    broken = ENTRIES.replace('fr: ["Faut-il une charte ?"]', "fr: [\"combien d'entreprises mesurent leur roi\"]")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=broken))
    assert problem.startswith("roi.yaml:16: the example question")
    assert "also under entry 'roi-measurement'" in problem


def test_template_syntax_error_is_reported(tmp_path: Path) -> None:
    broken = ENTRIES.replace('en: "{{ stat(\'stat-one\') }} of', 'en: "{{ stat(\'stat-one\') of')
    [problem] = problems_of(write_kb(tmp_path, entries__roi=broken))
    assert problem.startswith("roi.yaml:10: answer (en): template syntax error")


def test_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    broken = ENTRIES.replace("Oui, une charte simple suffit.", "\"{{ ''.__class__.__mro__[1].__subclasses__() }}\"")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=broken))
    assert "answer (fr)" in problem


def test_undefined_template_variable_is_an_error_not_blank(tmp_path: Path) -> None:
    broken = ENTRIES.replace("Yes, a simple policy is enough.", "\"Yes, {{ nothing }} is enough.\"")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=broken))
    assert problem.startswith("roi.yaml:20: answer (en): template error")
    assert "nothing" in problem


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    statistics = STATISTICS.replace("unit: percent", "unit: percents")
    entries = ENTRIES.replace("    topic: charter", "    topic: charters")
    problems = problems_of(write_kb(tmp_path, statistics=statistics, entries__roi=entries))
    assert len(problems) == 2
    assert problems[0].startswith("roi.yaml:")
    assert problems[1].startswith("statistics.yaml:4: statistics[1].unit: must be")


def test_key_given_twice_is_reported(tmp_path: Path) -> None:
    broken = STATISTICS.replace("    unit: percent\n", "    unit: percent\n    unit: count\n")
    [problem] = problems_of(write_kb(tmp_path, statistics=broken))
    assert problem == "statistics.yaml:5: 'unit' is given twice in the same block; keep one"


def test_missing_required_file_and_empty_file_are_reported(tmp_path: Path) -> None:
    root = write_kb(tmp_path, topics="")
    (root / "statistics.yaml").unlink()
    problems = problems_of(root)
    assert "statistics.yaml:1: this required file is missing" in problems
    assert "topics.yaml:1: the file is empty" in problems


def test_non_utf8_file_is_reported(tmp_path: Path) -> None:
    root = write_kb(tmp_path)
    (root / "entries" / "latin1.yaml").write_bytes("entries:\n  - id: caf\xe9\n".encode("latin-1"))
    [problem] = problems_of(root)
    assert problem.startswith("latin1.yaml:1: the file is not UTF-8 text")


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    broken = "!!python/object/apply:os.system ['echo pwned']\n"
    [problem] = problems_of(write_kb(tmp_path, topics=broken))
    assert problem.startswith("topics.yaml:1: YAML syntax error")


def test_series_must_compare_like_with_like(tmp_path: Path) -> None:
    statistics = STATISTICS + (
        "  - id: stat-two\n    value: 12\n    unit: count\n"
        "    label: {fr: comptes, en: accounts}\n    study: study-one\n    quote: 12 comptes\n"
    )
    series = """\
    series:
      - id: mixed
        label: {fr: Mélange, en: Mixed}
        points: [stat-one, stat-two]
    """
    problems = problems_of(write_kb(tmp_path, statistics=statistics, series=series))
    assert any(p.startswith("series.yaml:4: series 'mixed' mixes units") for p in problems)
    assert any("same year and scope" in p for p in problems)


def test_bundled_knowledge_base_is_valid() -> None:
    kb = loader.load(BUNDLED_KB)
    assert {"charter-adoption", "roi-measurement", "platforms-used"} <= set(kb.entries)
    for entry in kb.entries.values():
        assert entry.answer["fr"] and entry.answer["en"]


OUT_OF_SCOPE = """\
out_of_scope:
  - about: small talk
    questions:
      fr: ["Salut, ça va ?", "Raconte-moi une blague"]
      en: ["Tell me a joke"]
  - about: IT support
    questions:
      en: ["My laptop will not start"]
"""


def test_out_of_scope_file_is_optional_and_loaded_with_languages(tmp_path: Path) -> None:
    assert loader.load(write_kb(tmp_path / "without")).out_of_scope == ()
    kb = loader.load(write_kb(tmp_path / "with", out_of_scope=OUT_OF_SCOPE))
    assert kb.out_of_scope == (("fr", "Salut, ça va ?"), ("fr", "Raconte-moi une blague"),
                               ("en", "Tell me a joke"), ("en", "My laptop will not start"))
    assert kb.summary()["out_of_scope"] == 4


def test_out_of_scope_file_problems_are_reported_with_lines(tmp_path: Path) -> None:
    misspelt = OUT_OF_SCOPE.replace("  - about: IT support\n", "  - abut: IT support\n")
    problems = problems_of(write_kb(tmp_path / "misspelt", out_of_scope=misspelt))
    assert any(p.startswith("out_of_scope.yaml:6: unknown field 'abut'") for p in problems), problems
    assert any(p.startswith("out_of_scope.yaml:6: missing field 'about'") for p in problems), problems
    broken = OUT_OF_SCOPE.replace('"Raconte-moi une blague"', '"Faut-il une charte ?"')
    broken = broken.replace('en: ["Tell me a joke"]', 'en: ["Tell me a joke", "tell me a JOKE"]')
    problems = problems_of(write_kb(tmp_path / "broken", out_of_scope=broken))
    assert len(problems) == 2, problems
    [copy] = [p for p in problems if "example question of entry" in p]
    assert copy.startswith("out_of_scope.yaml:4: 'Faut-il une charte ?' is an example question "
                           "of entry 'charter-need' (")
    assert "roi.yaml:16)" in copy
    [twice] = [p for p in problems if "already listed" in p]
    assert twice.startswith("out_of_scope.yaml:5: 'tell me a JOKE' is already listed (line 5)")


def test_out_of_scope_group_needs_a_question(tmp_path: Path) -> None:
    empty = 'out_of_scope:\n  - about: nothing\n    questions: {fr: []}\n'
    [problem] = problems_of(write_kb(tmp_path, out_of_scope=empty))
    assert problem.startswith("out_of_scope.yaml:3: the group 'nothing' has no question")


# --- problems inside texts written over several lines ---------------------------------

BLOCK_ANSWER = """\
    answer:
      fr: {style}
        Première ligne de la réponse.
        Deuxième ligne, {{{{ stat('stat-one') }}}} des entreprises.

        Quatrième ligne après un blanc{mistake}.
      en: "{{{{ stat('stat-one') }}}} of companies measure their ROI."
"""


def _with_block_answer(style: str, mistake: str) -> str:
    """ENTRIES with the first entry's French answer written as a block over 4 lines (5-9)."""
    before, after = ENTRIES.split("    answer:\n", 1)
    after = after.split("\n", 2)[2]  # its two one-line answers
    return before + BLOCK_ANSWER.format(style=style, mistake=mistake) + after


@pytest.mark.parametrize("style", ["|", ">", "|-", ">-"])
@pytest.mark.parametrize(("mistake", "expected"), [
    (" {{ stat('stat-onne') }}", "answer (fr): unknown statistic 'stat-onne'"),
    (" {{ stat('stat-one' }}", "answer (fr): template syntax error"),
    (" {{ nothing }}", "answer (fr): template error: 'nothing' is undefined"),
])
def test_a_problem_inside_a_text_block_is_reported_at_its_own_line(
        tmp_path: Path, style: str, mistake: str, expected: str) -> None:
    entries = _with_block_answer(style, mistake)
    assert entries.splitlines()[12].startswith("        Quatrième ligne")  # line 13
    [problem] = problems_of(write_kb(tmp_path, entries__roi=entries))
    assert problem.startswith(f"roi.yaml:13: {expected}")


def test_a_problem_in_a_wrapped_text_is_reported_where_it_is_written(tmp_path: Path) -> None:
    entries = ENTRIES.replace(
        "fr: \"{{ stat('stat-one') }} des entreprises mesurent leur ROI.\"",
        "fr: \"{{ stat('stat-one') }} des entreprises\n        mesurent {{ stat('stat-two') }} leur ROI.\"")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=entries))
    assert problem.startswith("roi.yaml:10: answer (fr): unknown statistic 'stat-two'")


def test_a_text_line_indented_less_than_its_block_is_reported_at_that_line(tmp_path: Path) -> None:
    entries = _with_block_answer("|", "").replace("        Quatrième ligne", "      Quatrième ligne")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=entries))
    assert problem.startswith("roi.yaml:13: YAML syntax error")  # not the next line, 14
    assert "indented as much as the text above it" in problem


def test_a_text_line_read_as_a_field_is_named_as_such(tmp_path: Path) -> None:
    # Indented less and holding ': ', the line reads as a field of 'answer'.
    entries = _with_block_answer("|", " : la suite").replace("        Quatrième ligne", "      Quatrième ligne")
    [problem] = problems_of(write_kb(tmp_path, entries__roi=entries))
    assert problem.startswith("roi.yaml:13: unknown field 'Quatrième ligne après un blanc' in entries[1].answer")
    assert "indent it as much as the text above it" in problem


def test_bundled_block_answers_place_their_problems_on_their_lines(tmp_path: Path) -> None:
    """The same through `smassist kb init`'s copy: a broken stat id in the second line of a
    real `fr: |` answer is reported on that line."""
    import shutil

    root = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_KB, root)
    path = next(p for p in sorted((root / "entries").glob("*.yaml")) if "fr: |\n" in p.read_text())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    block = next(i for i, line in enumerate(lines) if line.rstrip().endswith("fr: |"))
    second = block + 2  # 0-based index of the block's second line
    assert lines[second].strip(), "the block has a second line"
    lines[second] = lines[second].rstrip("\n") + " {{ stat('no-such-stat') }}\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        loader.load(root)
    [problem] = [p for p in info.value.problems if "no-such-stat" in p.message]
    assert (Path(problem.file).name, problem.line) == (path.name, second + 1)
