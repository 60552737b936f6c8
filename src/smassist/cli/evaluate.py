"""``smassist eval FILE``: how well the engine answers a labelled question file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from smassist.cli.common import EXIT_OK, EXIT_USAGE, CommandError, load_assistant


def cmd_eval(args: argparse.Namespace) -> int:
    from smassist.language.evaluation import evaluate, load_questions

    try:
        questions = load_questions(args.file)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot read the question file: {exc}", EXIT_USAGE) from None
    assistant = load_assistant(args)
    report = evaluate(assistant.kb, assistant.state.engine, questions)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(report.render() + "\n")
    return EXIT_OK


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    evaluate = commands.add_parser("eval", parents=[common], help="accuracy report on a labelled question file")
    evaluate.add_argument("file", help="YAML file: questions: [{text, lang, topic}] (topic null = out of scope)")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(handler=cmd_eval)
