"""``smassist stats``, ``trend`` and ``brief``: the figures, with their sources."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smassist.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    CommandError,
    load_assistant,
    print_json,
    settings_of,
)


def cmd_stats(args: argparse.Namespace) -> int:
    from smassist.answering.reply import StatisticView

    kb = load_assistant(args).kb
    lang = args.lang or "fr"
    if args.topic and args.topic not in kb.topics:
        raise CommandError(
            f"unknown topic '{args.topic}'; topics: {', '.join(kb.topics)}", EXIT_USAGE
        )
    stats = kb.statistics_by_topic(args.topic) if args.topic else list(kb.statistics.values())
    views = [StatisticView.of(s, kb, lang) for s in stats]
    if args.json:
        print_json([v.to_dict() for v in views], indent=2)
        return EXIT_OK
    for view in views:
        sys.stdout.write(f"{view.text}\n    {view.source} [{view.id}]\n")
    sys.stdout.write(f"{len(views)} statistics\n")
    return EXIT_OK


def cmd_trend(args: argparse.Namespace) -> int:
    from smassist.trends import charts

    assistant = load_assistant(args)
    reply = assistant.trend(" ".join(args.subject), lang=args.lang)
    series = reply.extra.get("series", [])
    if args.json:
        print_json({**reply.to_dict(), "series": series})
    else:
        sys.stdout.write(reply.text + "\n")
    if not series:
        return EXIT_PROBLEMS
    if not charts.available():
        # The text trend stands on its own; say how to get the picture too.
        (sys.stderr if args.json else sys.stdout).write(charts.INSTALL_HINT[reply.lang] + "\n")
        return EXIT_PROBLEMS if args.chart else EXIT_OK
    if args.chart:
        write_charts(args.chart, assistant, series, reply.lang, settings_of(args),
                     size=getattr(args, "chart_size", "phone"))
    return EXIT_OK


def write_charts(target_name: str, assistant: Any, series: list[str], lang: str,
                 settings: Any, size: str = "phone") -> None:
    """The chart of the first series at ``target_name``, and no other file: the other
    series are named, each with the command that draws it."""
    import shutil
    from pathlib import Path

    from smassist.trends import charts

    target = Path(target_name).expanduser()
    try:
        shutil.copyfile(charts.chart(assistant.kb, series[0], lang, size=size), target)
    except OSError as exc:
        raise CommandError(f"cannot write the chart to {target}: {exc.strerror}",
                           EXIT_PROBLEMS) from None
    sys.stderr.write(f"chart: {target}\n")
    for series_id in series[1:]:
        sys.stderr.write(f"other series: smassist trend {series_id} --chart {series_id}.png\n")


def cmd_brief(args: argparse.Namespace) -> int:
    reply = load_assistant(args).brief(lang=args.lang)
    if args.json:
        print_json({**reply.to_dict(), "brief": [
            {"statistic": stat, "entry": entry} for stat, entry in reply.extra.get("brief", [])]})
    else:
        sys.stdout.write(reply.text + "\n")
    return EXIT_OK


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
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
    trend.add_argument("--chart-size", choices=("phone", "slide"), default="phone",
                       help="phone: 1080 px wide, portrait (default); slide: 1920 x 1080, landscape")
    trend.add_argument("--json", action="store_true")
    trend.set_defaults(handler=cmd_trend)

    brief = commands.add_parser("brief", parents=[common],
                                help="the ten figures a manager most needs, with sources")
    brief.add_argument("--lang", choices=("fr", "en"))
    brief.add_argument("--json", action="store_true")
    brief.set_defaults(handler=cmd_brief)
