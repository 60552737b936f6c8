"""``smassist kb check|export|schema|init|gaps``: the knowledge base, for the admins who edit it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from smassist.admin.commands import REPORT_PERIOD
from smassist.answering.clean import terminal_json
from smassist.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    knowledge_folder,
    load_assistant,
    logged_questions,
    missing_subcommand,
    settings_of,
)

if TYPE_CHECKING:
    from pathlib import Path

    from smassist.settings import Settings

#: What ``kb init`` copies from the bundled knowledge base (the wheel's package data).
INIT_PATTERNS = ("*.yaml", "*.md", "entries/*.yaml", "schema/*.json")


def cmd_kb_check(args: argparse.Namespace) -> int:
    from smassist.kb import loader

    folder = knowledge_folder(args, args.path)
    root = folder.path
    sys.stdout.write(f"Knowledge base: {folder.describe()}\n")
    try:
        kb = loader.load(root)
    except loader.KnowledgeBaseError as exc:
        sys.stdout.write(exc.report() + "\n")
        return EXIT_PROBLEMS
    from smassist.language.compiled import load_compiled
    from smassist.language.confusables import check_summary, confusables_report
    from smassist.language.evaluation import calibration_report

    sys.stdout.write(check_summary(kb) + "\n")
    sys.stdout.flush()
    try:  # compiles the version (index, trained layer, calibration) and caches it
        _, engine = load_compiled(root)
    except loader.KnowledgeBaseError as exc:  # edited meanwhile
        sys.stdout.write(exc.report() + "\n")
        return EXIT_PROBLEMS
    sys.stdout.write("\n" + calibration_report(engine) + "\n")
    from smassist.answering.openings import openings_report

    sys.stdout.write("\n" + openings_report(kb) + "\n")  # warnings (issue 14)
    if not getattr(args, "no_confusables", False):
        sys.stdout.write("\n" + confusables_report(kb) + "\n")
    return EXIT_OK  # confusable entries are warnings


def cmd_kb_export(args: argparse.Namespace) -> int:
    kb = load_assistant(args).kb
    data = [
        {
            "id": entry.id,
            "topic": entry.topic,
            "title": entry.title,
            "questions": {lang: list(qs) for lang, qs in entry.questions.items()},
            "statistics": list(entry.statistics),
            "follow_ups": list(entry.follow_ups),
        }
        for entry in kb.entries.values()
    ]
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        for item in data:
            sys.stdout.write(f"{item['id']} ({item['topic']})\n")
            for lang, questions in item["questions"].items():
                for question in questions:
                    sys.stdout.write(f"  [{lang}] {question}\n")
    return EXIT_OK


def cmd_kb_schema(args: argparse.Namespace) -> int:
    from smassist.kb.schema import write_schemas

    target = knowledge_folder(args).path / "schema"
    for path in write_schemas(target):
        sys.stdout.write(f"wrote {path}\n")
    return EXIT_OK


def cmd_kb_init(args: argparse.Namespace) -> int:
    """Copy the bundled knowledge base into a folder the admin owns, and say how to serve it."""
    import shutil
    from pathlib import Path

    from smassist.settings import LOCAL_KNOWLEDGE, absolute, bundled_knowledge, is_knowledge_folder

    target = absolute(Path(args.dir or LOCAL_KNOWLEDGE).expanduser())
    if target.exists() and not target.is_dir():
        raise CommandError(f"{target} is a file, not a folder; nothing was copied.", EXIT_PROBLEMS)
    if is_knowledge_folder(target):
        where = (f"; smassist serves it when run from {target.parent}"
                 if target.name == LOCAL_KNOWLEDGE else "")
        raise CommandError(
            f"{target} already holds a knowledge base{where}. Nothing was copied (kb init never "
            "overwrites); for another copy: smassist kb init DIR", EXIT_PROBLEMS)
    if target.is_dir() and any(target.iterdir()):
        raise CommandError(
            f"{target} is not empty; nothing was copied (kb init never overwrites). "
            "Give a new or empty folder: smassist kb init DIR", EXIT_PROBLEMS)
    source = bundled_knowledge()
    files = sorted({path for pattern in INIT_PATTERNS for path in source.glob(pattern)})
    try:
        for path in files:
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            # Contents only: an installed copy may be read-only, the admin's must not be.
            shutil.copyfile(path, copy)
    except OSError as exc:
        raise CommandError(f"cannot write the knowledge base into {target}: {exc}",
                           EXIT_PROBLEMS) from None
    sys.stdout.write(init_message(target, len(files), settings_of(args)))
    return EXIT_OK


def init_message(target: Path, count: int, settings: Settings) -> str:
    """What ``kb init`` says: where the copy is and the three ways to serve it."""
    from smassist.settings import LOCAL_KNOWLEDGE

    lines = [f"Copied the bundled knowledge base ({count} files, with its schemas) into {target}.",
             "Point smassist at it in one of these ways:"]
    if target.name == LOCAL_KNOWLEDGE:
        lines.append(f"  cd {shlex_quote(target.parent)}    # ./knowledge is served when no "
                     "other folder is given")
    lines += [f"  export SMASSIST_KB={shlex_quote(target)}",
              f"  smassist --kb {shlex_quote(target)} COMMAND"]
    if settings.kb is not None:
        lines.append(f"Note: SMASSIST_KB is set ({settings.kb}); it wins over ./knowledge.")
    lines.append("Then edit a file and run: smassist kb check")
    return "\n".join(lines) + "\n"


def shlex_quote(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


def cmd_kb_gaps(args: argparse.Namespace) -> int:
    from smassist.admin import reports

    records = logged_questions(args, args.since)
    gaps = reports.find_gaps(records, load_assistant(args).state)
    if args.json:
        sys.stdout.write(terminal_json([g.to_dict() for g in gaps], indent=1) + "\n")
    elif args.yaml:
        sys.stdout.write(reports.gaps_yaml(gaps))
    else:
        sys.stdout.write(reports.format_gaps(gaps, args.since, limit=args.limit) + "\n")
    return EXIT_OK


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    kb = commands.add_parser("kb", parents=[common], help="check or export the knowledge base")
    kb_commands = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND")
    check = kb_commands.add_parser("check", parents=[common], help="validate the knowledge base")
    check.add_argument("path", nargs="?", help="knowledge-base folder")
    check.add_argument("--no-confusables", action="store_true",
                       help="skip the (held-out) check for confusable entries")
    check.set_defaults(handler=cmd_kb_check)
    export = kb_commands.add_parser("export", parents=[common], help="entries with their example questions")
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=cmd_kb_export)
    schema = kb_commands.add_parser("schema", parents=[common], help="write the JSON Schemas into knowledge/schema/")
    schema.set_defaults(handler=cmd_kb_schema)
    init = kb_commands.add_parser(
        "init", parents=[common],
        help="copy the bundled knowledge base into DIR (default ./knowledge), to edit and serve")
    init.add_argument("dir", nargs="?", metavar="DIR", help="a new or empty folder (default ./knowledge)")
    init.set_defaults(handler=cmd_kb_init)
    gaps = kb_commands.add_parser("gaps", parents=[common],
                                  help="logged questions not answered well, grouped by similarity")
    gaps.add_argument("--since", metavar="AGE", default=REPORT_PERIOD,
                      help=f"e.g. {REPORT_PERIOD} (default), 12h, 4w")
    gaps_format = gaps.add_mutually_exclusive_group()
    gaps_format.add_argument("--yaml", action="store_true", help="each group as a questions: block to paste")
    gaps_format.add_argument("--json", action="store_true")
    gaps.add_argument("--limit", type=int, default=20, metavar="N", help="groups shown (default 20)")
    gaps.set_defaults(handler=cmd_kb_gaps)
    kb.set_defaults(handler=missing_subcommand(kb))
