"""The ticketstock command: run, operate and check the TicketStock pipeline.

    ticketstock run [--role tickets|mail|all]     run the service
    ticketstock topology print|declare|delete     show, create or remove the RabbitMQ topology
    ticketstock publish FILE...                   publish stock-movement events by hand
    ticketstock check                             check settings, RabbitMQ, Dolibarr, SMTP
    ticketstock dlq list|show|replay|purge|export operate the dead-letter queues
    ticketstock sandbox                           the whole pipeline on this machine, with
                                                  a Dolibarr double and a local SMTP sink

Settings come from TICKETSTOCK_* environment variables and, with --env-file (given
before the command), from a file of the same names.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from . import __version__, logs
from .errors import SettingsError, TicketStockError
from .settings import Role, Settings, load_settings

log = logging.getLogger(__name__)

ROLES: dict[str, set[Role]] = {
    "tickets": {"tickets"},
    "mail": {"mail"},
    "all": {"tickets", "mail"},
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticketstock",
        description=__doc__.split("\n")[0],
        epilog="Settings: TICKETSTOCK_* environment variables, or --env-file FILE given"
        " before the command. See README.md for the list.",
    )
    parser.add_argument(
        "--version", action="version", version=f"ticketstock {__version__}"
    )
    parser.add_argument(
        "--env-file", type=Path, help="read TICKETSTOCK_* settings from this file"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run the ticket consumer, the mail sender, or both"
    )
    run.add_argument(
        "--role",
        choices=sorted(ROLES),
        default="all",
        help="tickets: the ticket consumer; mail: the mail sender; all: both (default)",
    )

    topology = commands.add_parser(
        "topology", help="print or declare the RabbitMQ topology"
    )
    topology.add_argument(
        "action",
        choices=["print", "declare", "delete"],
        help="print: the exchanges and queues with their arguments, as JSON; declare:"
        " create them; delete: remove the empty queues and then the exchanges",
    )

    publish = commands.add_parser(
        "publish", help="validate and publish stock-movement events"
    )
    publish.add_argument(
        "files", nargs="+", type=Path, help="JSON files, or JSON lines, or -"
    )

    check = commands.add_parser(
        "check", help="check settings and connectivity, say what is wrong"
    )
    check.add_argument(
        "--entity",
        type=int,
        action="append",
        help="Dolibarr entity whose module configuration to check (default: 1; repeatable)",
    )

    from .dlq_cli import add_dlq_parser
    from .sandbox.cli import add_sandbox_parser

    add_dlq_parser(commands)
    add_sandbox_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.env_file)
    except SettingsError as exc:
        print(f"ticketstock: {exc}", file=sys.stderr)
        return 2
    long_running = args.command in ("run", "sandbox")
    level = settings.log_level
    if not long_running and level != "DEBUG":
        level = "WARNING"
    logs.configure(level, settings.log_format)
    try:
        return int(asyncio.run(dispatch(args, settings)) or 0)
    except SettingsError as exc:
        print(f"ticketstock: {exc}", file=sys.stderr)
        return 2
    except TicketStockError as exc:
        print(f"ticketstock: {exc.reason}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        print(f"ticketstock: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        from .service import run

        await run(settings, ROLES[args.role])
        return 0
    if args.command == "topology":
        return await topology_command(args.action, settings)
    if args.command == "publish":
        from .publish import publish_files

        return await publish_files(settings, args.files)
    if args.command == "check":
        from .check import check

        return await check(settings, tuple(args.entity or (1,)))
    handler: Any = args.handler  # dlq and sandbox register their own coroutine
    return int(await handler(args, settings))


async def topology_command(action: str, settings: Settings) -> int:
    from .broker import Broker
    from .topology import delete_if_empty

    broker = Broker(settings, name="ticketstock topology")
    if action == "print":
        print(json.dumps(broker.topology.describe(), indent=2))
        return 0
    await broker.connect(declare_topology=action == "declare")
    try:
        if action == "delete":
            kept = await delete_if_empty(broker.connection, broker.topology)
            for name, count in kept:
                print(f"kept {name}: it holds {count} message(s)")
            return 1 if kept else 0
    finally:
        await broker.close()
    print(
        f"declared {len(broker.topology.queues())} queues and "
        f"{len(broker.topology.exchanges())} exchanges"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
