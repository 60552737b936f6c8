"""The `smassist` command line: one module per command group, composed here.

- :mod:`.asking`: ``ask``, ``chat``;
- :mod:`.kb`: ``kb check|export|schema|init|gaps``;
- :mod:`.figures`: ``stats``, ``trend``, ``brief``;
- :mod:`.questionlog`: ``log prune|export``, ``report``;
- :mod:`.evaluate`: ``eval``;
- :mod:`.serve`: ``serve NAME`` for every channel of :mod:`smassist.channels.registry`.

Each group has ``add_parsers(commands, common)`` and one ``cmd_*`` function per
command. Start-up is kept lean: only the standard library is imported at the
top; each command imports what it needs, and Slack, Telegram or plotting
libraries only when that command runs. The environment is read once, here
(:class:`smassist.settings.Settings`), and handed to the command as ``args.settings``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from smassist.cli import asking, evaluate, figures, kb, questionlog, serve
from smassist.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    AddParsers,
    CommandError,
    Handler,
    load_assistant,
)

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "CommandError", "build_parser",
           "load_assistant", "main"]

#: The command groups, in the order ``smassist --help`` lists them.
GROUPS: tuple[AddParsers, ...] = (asking.add_parsers, kb.add_parsers, figures.add_parsers,
                                  questionlog.add_parsers, evaluate.add_parsers, serve.add_parsers)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--kb", metavar="PATH", default=argparse.SUPPRESS,
        help="knowledge-base folder (default: $SMASSIST_KB, else ./knowledge, else the bundled one)",
    )
    parser = argparse.ArgumentParser(
        prog="smassist",
        description="Answers questions on corporate social-media strategy, with sourced figures.",
        parents=[common],
    )
    parser.add_argument("--version", action=VersionAction, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_parsers in GROUPS:
        add_parsers(commands, common)
    return parser


class VersionAction(argparse.Action):
    """Looks the version up only when asked (importlib.metadata is slow to import)."""

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"smassist {version()}\n")
        parser.exit()


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("smassist")
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    from smassist.settings import Settings, SettingsError

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
        args.settings = Settings.from_env()
        return handler(args)
    except (CommandError, SettingsError) as exc:
        sys.stderr.write(f"{exc}\n")
        return exc.code if isinstance(exc, CommandError) else EXIT_USAGE
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
    from smassist.cli import main as package_main

    sys.exit(package_main())
