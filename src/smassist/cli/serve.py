"""``smassist serve NAME``: run a channel named in :mod:`smassist.channels.registry`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from smassist.channels import registry
from smassist.cli.common import (
    EXIT_USAGE,
    CommandError,
    knowledge_folder,
    missing_subcommand,
    settings_of,
)


def cmd_serve(args: argparse.Namespace) -> int:
    info = registry.CHANNELS[args.platform]
    missing = info.missing_module()
    if missing is not None:
        raise CommandError(info.missing_extra_message(missing), EXIT_USAGE)
    # The folder is chosen once, here, and said first: the channel serves that one.
    folder = knowledge_folder(args)
    args.kb = str(folder.path)
    if info.name == "terminal":
        sys.stderr.write(f"Knowledge base: {folder.describe()}\n")
    else:
        import logging

        from smassist.channels.logs import configure_logging

        configure_logging()
        logging.getLogger("smassist.serve").info("Knowledge base: %s", folder.describe())
    return info.serve_function()(args, settings_of(args))


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    names = "|".join(registry.CHANNELS)
    serve = commands.add_parser("serve", parents=[common], help=f"run a channel ({names})")
    platforms = serve.add_subparsers(dest="platform", metavar="PLATFORM")
    for info in registry.CHANNELS.values():
        channel = platforms.add_parser(info.name, parents=[common], help=info.help)
        for option in info.options:
            channel.add_argument(*option.flags, **option.settings)
        channel.set_defaults(handler=cmd_serve)
    serve.set_defaults(handler=missing_subcommand(serve))
