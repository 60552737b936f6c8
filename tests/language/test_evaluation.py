from pathlib import Path

import pytest

from smassist.cli import main
from smassist.language.engine import Engine
from smassist.language.evaluation import LabelledQuestion, evaluate, load_questions
from tests.conftest import BUNDLED_KB, REPO


def test_eval_file_is_read_with_null_topics_out_of_scope(tmp_path: Path):
    path = tmp_path / "q.yaml"
    path.write_text('questions:\n  - {text: "a?", lang: en, topic: roi}\n  - {text: "b", lang: fr, topic: null}\n'
                    '  - {text: "c?", lang: fr, topic: roi, kind: figure}\n')
    assert load_questions(path) == [LabelledQuestion("a?", "en", "roi"), LabelledQuestion("b", "fr", None),
                                    LabelledQuestion("c?", "fr", "roi", "figure")]


KINDS = {"figure", "recommendation", "method", "reason", "comparison", "trend", "definition"}
#: The held-out sets (read once each, never tuned on); eval_questions.yaml is the tunable one.
HELD_OUT = ("eval_unseen.yaml", "eval_holdout.yaml", "eval_fresh.yaml", "eval_blind.yaml")


@pytest.mark.parametrize("name", HELD_OUT)
def test_held_out_set_is_labelled_with_known_topics_and_kinds_in_both_languages(name: str):
    from smassist.kb import loader

    topics = set(loader.load(BUNDLED_KB).topics)
    questions = load_questions(REPO / "tests" / "data" / name)
    in_scope = [q for q in questions if q.topic is not None]
    out_of_scope = [q for q in questions if q.topic is None]
    labelled = {q.topic for q in in_scope}
    assert labelled <= topics and len(labelled) >= 22  # no unknown topic; all 22 of issue 13's time
    assert all(q.kind in KINDS for q in in_scope) and all(q.kind is None for q in out_of_scope)
    for lang in ("fr", "en"):
        assert sum(q.lang == lang for q in in_scope) >= 70
        assert sum(q.lang == lang for q in out_of_scope) >= 20
    assert len({q.text.casefold() for q in questions}) == len(questions)


def test_report_counts_declines_of_out_of_scope_and_confusions():
    from smassist.kb import loader

    kb = loader.load(BUNDLED_KB)
    engine = Engine(kb)
    entry = next(iter(kb.entries.values()))
    questions = [LabelledQuestion(entry.questions["en"][0], "en", entry.topic),
                 LabelledQuestion("what's the weather in Lyon tomorrow", "en", None)]
    report = evaluate(kb, engine, questions)
    summary = report.summary()
    assert summary["in_scope"] == 1 and summary["out_of_scope"] == 1
    assert summary["accuracy_lenient"] >= summary["accuracy_strict"]
    assert report.per_topic[entry.topic]["support"] == 1


def test_eval_command_prints_a_readable_report_and_json(capsys):
    file = str(REPO / "tests" / "data" / "eval_questions.yaml")
    assert main(["eval", file]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "out of scope, declined" in out
    assert main(["eval", file, "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert {"summary", "per_topic", "confusions"} <= set(data)


def test_eval_command_with_a_missing_file_exits_2_without_traceback(capsys):
    assert main(["eval", "/nonexistent/file.yaml"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_no_knowledge_base_question_is_a_near_copy_of_an_evaluation_question():
    # The evaluation set is held out: an example question that paraphrases one of
    # its questions word for word would make the figures measure memory, not matching.
    from rapidfuzz import fuzz, process, utils

    from smassist.kb import loader

    kb = loader.load(BUNDLED_KB)
    held_out = [q.text for name in ("eval_questions.yaml", *HELD_OUT)
                for q in load_questions(REPO / "tests" / "data" / name)]
    close = []
    for entry in kb.entries.values():
        for lang, questions in entry.questions.items():
            for question in questions:
                found = process.extractOne(question, held_out, scorer=fuzz.token_sort_ratio,
                                           processor=utils.default_process, score_cutoff=90)
                if found:
                    close.append(f"{entry.id} [{lang}] {question!r} ~ {found[0]!r} ({found[1]:.0f})")
    for lang, question in kb.out_of_scope:  # out_of_scope.yaml is training data too
        found = process.extractOne(question, held_out, scorer=fuzz.token_sort_ratio,
                                   processor=utils.default_process, score_cutoff=90)
        if found:
            close.append(f"out_of_scope [{lang}] {question!r} ~ {found[0]!r} ({found[1]:.0f})")
    assert not close, "\n".join(close)
