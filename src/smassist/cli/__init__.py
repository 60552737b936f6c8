"""The `smassist` command line.

Start-up is kept lean: this module imports only the standard library at the top;
each command imports what it needs, and Slack, Telegram or plotting libraries
only when that command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smassist.answering.assistant import Assistant

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A clear message for the user and an exit code; never a traceback."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def load_assistant(args: argparse.Namespace) -> Assistant:
    """The assistant on ``--kb`` (or the default); a broken knowledge base exits 2."""
    from smassist.answering.assistant import Assistant

    try:
        return Assistant.load(args.kb)
    except Exception as exc:
        # Imported only on failure: the loader pulls in YAML and pydantic, which
        # a warm cache never needs (about 0.3 s of `smassist ask`).
        from smassist.kb.loader import KnowledgeBaseError

        if isinstance(exc, KnowledgeBaseError):
            raise CommandError(exc.report(), EXIT_USAGE) from None
        raise


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


# --- ask, chat ---------------------------------------------------------------


def _question_log():  # -> SQLiteStore | None
    """The question log for ask and chat; with ``SMASSIST_DB=off`` the store is not even imported."""
    from smassist import paths

    if paths.question_log_off():
        return None
    from smassist.admin.store import open_default_store

    return open_default_store()


def cmd_ask(args: argparse.Namespace) -> int:
    from smassist.channels.terminal import render as terminal

    assistant = load_assistant(args)
    assistant.recorder = _question_log()
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    def answer(question: str) -> None:
        reply = assistant.ask(question, lang=args.lang, conversation="cli:ask", channel="cli")
        if args.json:
            _print_json(reply.to_dict())
        else:
            sys.stdout.write(terminal.render(reply, color=color) + "\n")

    if args.question:
        answer(" ".join(args.question))
        return EXIT_OK
    first = True
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        if not question.strip():
            continue
        if not args.json and not first:
            sys.stdout.write("\n")
        answer(question)
        sys.stdout.flush()
        first = False
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    from smassist.channels.terminal.chat import run_chat

    assistant = load_assistant(args)
    assistant.recorder = _question_log()
    return run_chat(assistant, lang=args.lang)


# --- kb ------------------------------------------------------------------------


def cmd_kb_check(args: argparse.Namespace) -> int:
    from smassist import paths
    from smassist.kb import loader

    root = paths.knowledge_path(args.path or args.kb)
    try:
        kb = loader.load(root)
    except loader.KnowledgeBaseError as exc:
        sys.stdout.write(exc.report() + "\n")
        return EXIT_PROBLEMS
    from smassist.language.confusables import check_summary, confusables_report

    sys.stdout.write(check_summary(kb) + "\n")
    if not getattr(args, "no_confusables", False):
        sys.stdout.write("\n" + confusables_report(kb) + "\n")
    return EXIT_OK  # confusable entries are warnings


def cmd_kb_export(args: argparse.Namespace) -> int:
    assistant = load_assistant(args)
    kb = assistant.kb
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
    from smassist import paths
    from smassist.kb.schema import write_schemas

    target = paths.knowledge_path(args.kb) / "schema"
    for path in write_schemas(target):
        sys.stdout.write(f"wrote {path}\n")
    return EXIT_OK


# --- stats -------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    from smassist.answering.reply import StatisticView

    assistant = load_assistant(args)
    kb = assistant.kb
    lang = args.lang or "fr"
    if args.topic and args.topic not in kb.topics:
        raise CommandError(
            f"unknown topic '{args.topic}'; topics: {', '.join(kb.topics)}", EXIT_USAGE
        )
    stats = kb.statistics_by_topic(args.topic) if args.topic else list(kb.statistics.values())
    views = [StatisticView.of(s, kb, lang) for s in stats]
    if args.json:
        sys.stdout.write(
            json.dumps([v.to_dict() for v in views], ensure_ascii=False, indent=2) + "\n"
        )
        return EXIT_OK
    for view in views:
        sys.stdout.write(f"{view.text}\n    {view.source} [{view.id}]\n")
    sys.stdout.write(f"{len(views)} statistics\n")
    return EXIT_OK


# --- trend, brief ----------------------------------------------------------------


def cmd_trend(args: argparse.Namespace) -> int:
    from smassist.trends import charts

    assistant = load_assistant(args)
    reply = assistant.trend(" ".join(args.subject), lang=args.lang)
    series = reply.extra.get("series", [])
    if args.json:
        _print_json({**reply.to_dict(), "series": series})
    else:
        sys.stdout.write(reply.text + "\n")
    if not series:
        return EXIT_PROBLEMS
    if not charts.available():
        # The text trend stands on its own; say how to get the picture too.
        (sys.stderr if args.json else sys.stdout).write(charts.INSTALL_HINT[reply.lang] + "\n")
        return EXIT_PROBLEMS if args.chart else EXIT_OK
    if args.chart:
        import shutil
        from pathlib import Path

        target = Path(args.chart).expanduser()
        for index, series_id in enumerate(series):
            path = target if index == 0 else target.with_name(
                f"{target.stem}-{series_id}{target.suffix or '.png'}")
            try:
                shutil.copyfile(charts.chart(assistant.kb, series_id, reply.lang), path)
            except OSError as exc:
                raise CommandError(f"cannot write the chart to {path}: {exc.strerror}",
                                   EXIT_PROBLEMS) from None
            sys.stderr.write(f"chart: {path}\n")
    return EXIT_OK


def cmd_brief(args: argparse.Namespace) -> int:
    assistant = load_assistant(args)
    reply = assistant.brief(lang=args.lang)
    if args.json:
        _print_json({**reply.to_dict(), "brief": [
            {"statistic": stat, "entry": entry} for stat, entry in reply.extra.get("brief", [])]})
    else:
        sys.stdout.write(reply.text + "\n")
    return EXIT_OK


# --- the question log and the admins' reports ----------------------------------


def _question_store():  # -> SQLiteStore
    from smassist.admin.store import default_db_path, open_default_store

    try:
        path = default_db_path()
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if path is None:
        raise CommandError("the question log is off (SMASSIST_DB=off)")
    return open_default_store()


def _since(text: str | None):  # -> datetime | None
    from smassist.admin.store import parse_duration, utcnow

    if not text:
        return None
    try:
        return utcnow() - parse_duration(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def _logged_questions(age: str | None) -> list:  # -> list[QuestionRecord]
    """The logged questions of the last ``age`` (all when None); exit 1 if the log can't be read."""
    from smassist.admin.store import StoreUnavailable

    since = _since(age)
    try:
        return _question_store().questions(since)
    except StoreUnavailable as exc:
        raise CommandError(str(exc), EXIT_PROBLEMS) from None


def cmd_log_prune(args: argparse.Namespace) -> int:
    from smassist.admin.store import StoreUnavailable

    before = _since(args.older_than)
    store = _question_store()
    try:
        deleted = store.prune(before)
    except StoreUnavailable as exc:
        raise CommandError(str(exc), EXIT_PROBLEMS) from None
    sys.stdout.write(f"{deleted} question{'s' if deleted != 1 else ''} older than "
                     f"{args.older_than} deleted from {store.path}\n")
    return EXIT_OK


def cmd_log_export(args: argparse.Namespace) -> int:
    from smassist.admin.store import EXPORT_FIELDS

    records = [r.to_dict() for r in _logged_questions(args.since)]
    if args.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            record["suggestions"] = " ".join(record["suggestions"])
            record["clicks"] = " ".join(record["clicks"])
            writer.writerow(record)
    else:
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    return EXIT_OK


def cmd_kb_gaps(args: argparse.Namespace) -> int:
    from smassist.admin import reports

    records = _logged_questions(args.since)
    gaps = reports.find_gaps(records, load_assistant(args).state)
    if args.json:
        sys.stdout.write(json.dumps([g.to_dict() for g in gaps], ensure_ascii=False, indent=1) + "\n")
    elif args.yaml:
        sys.stdout.write(reports.gaps_yaml(gaps))
    else:
        sys.stdout.write(reports.format_gaps(gaps, args.since, limit=args.limit) + "\n")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from smassist.admin import reports

    records = _logged_questions(args.since)
    summary = reports.summarize(records, since=args.since)
    if args.json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(reports.format_summary(summary, args.lang) + "\n")
    return EXIT_OK


# --- eval ----------------------------------------------------------------------


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


# --- the parser ----------------------------------------------------------------


#: What each platform needs beyond the core install, and the extra that brings it.
_PLATFORM_MODULES = {"slack": ("slack_bolt", "slack_sdk", "aiohttp"), "telegram": ("telegram",)}


def _serve(args: argparse.Namespace) -> int:
    import importlib

    for module in _PLATFORM_MODULES[args.platform]:
        try:
            importlib.import_module(module)
        except ImportError:
            raise CommandError(
                f"{args.platform.capitalize()} support is not installed (no module {module!r}).\n"
                f"Install it with: pip install 'smassist[{args.platform}]'", EXIT_USAGE) from None
    if args.platform == "slack":
        from smassist.channels.slack.server import serve
    else:
        from smassist.channels.telegram.server import serve
    return serve(args)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--kb", metavar="PATH", default=argparse.SUPPRESS,
        help="knowledge-base folder (default: $SMASSIST_KB or the bundled one)",
    )
    parser = argparse.ArgumentParser(
        prog="smassist",
        description="Answers questions on corporate social-media strategy, with sourced figures.",
        parents=[common],
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[common], help="answer one question (or one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question; omitted: one question per line on stdin")
    ask.add_argument("--lang", choices=("fr", "en"), help="answer language when the question is too short to tell")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer, one per line")
    ask.set_defaults(handler=cmd_ask)

    chat = commands.add_parser("chat", parents=[common], help="interactive session in the terminal")
    chat.add_argument("--lang", choices=("fr", "en"))
    chat.set_defaults(handler=cmd_chat)

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
    gaps = kb_commands.add_parser("gaps", parents=[common],
                                  help="logged questions not answered well, grouped by similarity")
    gaps.add_argument("--since", metavar="AGE", default="30d", help="e.g. 30d (default), 12h, 4w")
    gaps_format = gaps.add_mutually_exclusive_group()
    gaps_format.add_argument("--yaml", action="store_true", help="each group as a questions: block to paste")
    gaps_format.add_argument("--json", action="store_true")
    gaps.add_argument("--limit", type=int, default=20, metavar="N", help="groups shown (default 20)")
    gaps.set_defaults(handler=cmd_kb_gaps)
    kb.set_defaults(handler=lambda args: _missing_subcommand(kb))

    stats = commands.add_parser("stats", parents=[common], help="every statistic with its source")
    stats.add_argument("--topic", metavar="T")
    stats.add_argument("--lang", choices=("fr", "en"))
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_stats)

    trend = commands.add_parser("trend", parents=[common],
                                help="a figure over time: its points, changes and sources")
    trend.add_argument("subject", nargs="+", metavar="SERIES|TOPIC",
                       help="a series id, a topic id or words (roi, social selling)")
    trend.add_argument("--lang", choices=("fr", "en"))
    trend.add_argument("--chart", metavar="PATH", help="also write the chart as a PNG file")
    trend.add_argument("--json", action="store_true")
    trend.set_defaults(handler=cmd_trend)

    brief = commands.add_parser("brief", parents=[common],
                                help="the ten figures a manager most needs, with sources")
    brief.add_argument("--lang", choices=("fr", "en"))
    brief.add_argument("--json", action="store_true")
    brief.set_defaults(handler=cmd_brief)

    log_parser = commands.add_parser("log", parents=[common], help="the question log: prune, export")
    log_commands = log_parser.add_subparsers(dest="log_command", metavar="LOG_COMMAND")
    prune = log_commands.add_parser("prune", parents=[common], help="delete old questions")
    prune.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 90d, 12h, 4w")
    prune.set_defaults(handler=cmd_log_prune)
    log_export = log_commands.add_parser("export", parents=[common], help="every logged question to stdout")
    log_format = log_export.add_mutually_exclusive_group()
    log_format.add_argument("--csv", action="store_true")
    log_format.add_argument("--json", action="store_true", help="(the default)")
    log_export.add_argument("--since", metavar="AGE", help="only the last AGE, e.g. 30d")
    log_export.set_defaults(handler=cmd_log_export)
    log_parser.set_defaults(handler=lambda args: _missing_subcommand(log_parser))

    report = commands.add_parser("report", parents=[common], help="usage summary from the question log")
    report.add_argument("--since", metavar="AGE", default="30d", help="e.g. 30d (default), 12h, 4w")
    report.add_argument("--json", action="store_true")
    report.add_argument("--lang", choices=("fr", "en"), default="en", help="language of the text report")
    report.set_defaults(handler=cmd_report)

    evaluate = commands.add_parser("eval", parents=[common], help="accuracy report on a labelled question file")
    evaluate.add_argument("file", help="YAML file: questions: [{text, lang, topic}] (topic null = out of scope)")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(handler=cmd_eval)

    serve = commands.add_parser("serve", parents=[common], help="run the Slack app or the Telegram bot")
    platforms = serve.add_subparsers(dest="platform", metavar="PLATFORM")
    slack = platforms.add_parser("slack", parents=[common], help="the Slack app")
    slack.add_argument("--host", default="0.0.0.0")
    slack.add_argument("--port", type=int, default=3000)
    slack.add_argument("--socket", action="store_true", help="Socket Mode (also when SLACK_APP_TOKEN is set)")
    slack.set_defaults(handler=_serve)
    telegram = platforms.add_parser("telegram", parents=[common], help="the Telegram bot")
    telegram.add_argument("--webhook-url", metavar="URL")
    telegram.add_argument("--host", default="0.0.0.0")
    telegram.add_argument("--port", type=int, default=8443)
    telegram.set_defaults(handler=_serve)
    serve.set_defaults(handler=lambda args: _missing_subcommand(serve))

    return parser


def _missing_subcommand(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


class _VersionAction(argparse.Action):
    """Looks the version up only when asked (importlib.metadata is slow to import)."""

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"smassist {_version()}\n")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("smassist")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # `--kb` may come before or after the command (its default is SUPPRESS so that a
    # sub-parser never resets a value given earlier).
    if not hasattr(args, "kb"):
        args.kb = None
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except CommandError as exc:
        sys.stderr.write(f"{exc}\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`smassist stats | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    # Run through the package module, so that `python -m smassist.cli` and the
    # `smassist` script share one set of classes (CommandError included).
    from smassist.cli import main as _main

    sys.exit(_main())
