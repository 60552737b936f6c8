"""``smassist eval [FILE] [--cross-validation [K]]``: how well the engine answers.

A labelled question file, or (as ``rasa test nlu --cross-validation``) K folds of
the knowledge base's own example questions, or both.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from smassist.cli.common import EXIT_OK, EXIT_USAGE, CommandError, load_assistant


def cmd_eval(args: argparse.Namespace) -> int:
    from smassist.language.evaluation import evaluate, load_questions

    folds = args.cross_validation
    if args.file is None and folds is None:
        raise CommandError("give a question file, or --cross-validation [K]", EXIT_USAGE)
    if folds is not None and folds < 2:
        raise CommandError("--cross-validation needs at least 2 folds", EXIT_USAGE)
    questions = None
    if args.file is not None:
        try:
            questions = load_questions(args.file)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the question file: {exc}", EXIT_USAGE) from None
    assistant = load_assistant(args)
    result: dict[str, Any] = {}
    texts = []
    if questions is not None:
        from smassist.answering.evaluation import figure_openings

        report = evaluate(assistant.kb, assistant.state.engine, questions)
        openings = figure_openings(assistant, questions)
        result = report.to_dict()
        result["figure_openings"] = openings.to_dict()
        texts.append(report.render() + "\n\n" + openings.render())
    if folds is not None:
        from smassist.language.evaluation import cross_validation, render_cross_validation

        figures, answer, clarify = cross_validation(assistant.kb, folds)
        result["cross_validation"] = {"figures": figures, "answer_threshold": round(answer, 4),
                                      "clarify_threshold": round(clarify, 4)}
        texts.append(render_cross_validation(figures, answer, clarify))
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("\n\n".join(texts) + "\n")
    return EXIT_OK


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    evaluate = commands.add_parser("eval", parents=[common], help="accuracy report on a labelled question file")
    evaluate.add_argument("file", nargs="?",
                          help="YAML file: questions: [{text, lang, topic}] (topic null = out of scope)")
    evaluate.add_argument("--cross-validation", nargs="?", type=int, const=5, metavar="K",
                          help="also (or instead) K-fold cross-validation on the knowledge base's "
                               "own questions (default 5)")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(handler=cmd_eval)
