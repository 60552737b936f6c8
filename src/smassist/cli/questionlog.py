"""``smassist log prune|export`` and ``smassist report``: the question log, for its admins."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from smassist.admin.commands import REPORT_PERIOD
from smassist.answering.clean import printable, terminal_json
from smassist.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    logged_questions,
    missing_subcommand,
    question_store,
    since,
)


def cmd_log_prune(args: argparse.Namespace) -> int:
    from smassist.admin.store import StoreUnavailable

    before = since(args.older_than)
    store = question_store(args)
    try:
        deleted = store.prune(before)
    except StoreUnavailable as exc:
        raise CommandError(str(exc), EXIT_PROBLEMS) from None
    sys.stdout.write(f"{deleted} question{'s' if deleted != 1 else ''} older than "
                     f"{args.older_than} deleted from {store.path}\n")
    return EXIT_OK


def cmd_log_export(args: argparse.Namespace) -> int:
    from smassist.admin.store import EXPORT_FIELDS

    records = [r.to_dict() for r in logged_questions(args, args.since)]
    if args.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            record["suggestions"] = " ".join(record["suggestions"])
            record["clicks"] = " ".join(record["clicks"])
            # What users typed never drives the admin's terminal (escapes, bidi overrides).
            writer.writerow({k: printable(v) if isinstance(v, str) else v for k, v in record.items()})
    else:
        sys.stdout.write(terminal_json(records, indent=1) + "\n")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from smassist.admin import reports

    records = logged_questions(args, args.since)
    summary = reports.summarize(records, since=args.since)
    if args.json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(reports.format_summary(summary, args.lang) + "\n")
    return EXIT_OK


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    log_parser = commands.add_parser("log", parents=[common], help="the question log: prune, export")
    log_commands = log_parser.add_subparsers(dest="log_command", metavar="LOG_COMMAND")
    prune = log_commands.add_parser("prune", parents=[common], help="delete old questions")
    prune.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 90d, 12h, 4w")
    prune.set_defaults(handler=cmd_log_prune)
    log_export = log_commands.add_parser("export", parents=[common], help="every logged question to stdout")
    log_format = log_export.add_mutually_exclusive_group()
    log_format.add_argument("--csv", action="store_true")
    log_format.add_argument("--json", action="store_true", help="(the default)")
    log_export.add_argument("--since", metavar="AGE", help=f"only the last AGE, e.g. {REPORT_PERIOD}")
    log_export.set_defaults(handler=cmd_log_export)
    log_parser.set_defaults(handler=missing_subcommand(log_parser))

    report = commands.add_parser("report", parents=[common], help="usage summary from the question log")
    report.add_argument("--since", metavar="AGE", default=REPORT_PERIOD,
                        help=f"e.g. {REPORT_PERIOD} (default), 12h, 4w")
    report.add_argument("--json", action="store_true")
    report.add_argument("--lang", choices=("fr", "en"), default="en", help="language of the text report")
    report.set_defaults(handler=cmd_report)
