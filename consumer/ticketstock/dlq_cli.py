"""``ticketstock dlq``: list, show, replay, purge and export dead-lettered messages.

Tables for people, ``--json`` for scripts (``export`` writes JSON lines). Every
command takes the same filters; ``replay`` and ``purge`` also take ``--dry-run``,
and ``purge`` asks before it removes anything unless given ``--yes``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from .broker import Broker
from .dlq import DeadLetterQueues, Outcome
from .dlq_message import DeadMessage, Selection, redact, redact_text
from .settings import Settings
from .topology import STAGES, Stage

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def add_dlq_parser(commands: Any) -> None:
    """Add ``dlq`` and its actions to the ``ticketstock`` command."""
    dlq = commands.add_parser("dlq", help="list, show, replay, purge or export")
    actions = dlq.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    filters = _filter_arguments()
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON for scripts")

    listing = actions.add_parser(
        "list", parents=[filters, as_json], help="a page of messages, none consumed"
    )
    listing.add_argument("--offset", type=_count, default=0, help="skip this many")
    listing.add_argument("--limit", type=_count, default=50, help="page size")
    listing.set_defaults(handler=list_command)

    show = actions.add_parser(
        "show", parents=[as_json], help="messages in full, by event id or message id"
    )
    show.add_argument("id", help="an event id or a message id")
    show.set_defaults(handler=show_command)

    replay = actions.add_parser(
        "replay", parents=[filters, as_json], help="send messages back to their stage"
    )
    replay.add_argument("--limit", type=_count, help="replay at most this many")
    replay.add_argument(
        "--rate", type=_rate, default=50.0, help="messages a second (default 50)"
    )
    replay.add_argument("--dry-run", action="store_true", help="only list them")
    replay.set_defaults(handler=replay_command)

    purge = actions.add_parser(
        "purge", parents=[filters, as_json], help="remove messages for good"
    )
    purge.add_argument("--limit", type=_count, help="remove at most this many")
    purge.add_argument("--dry-run", action="store_true", help="only list them")
    purge.add_argument("--yes", action="store_true", help="do not ask first")
    purge.set_defaults(handler=purge_command)

    export = actions.add_parser(
        "export", parents=[filters], help="every message as JSON lines, none consumed"
    )
    export.add_argument(
        "--output", type=Path, default=Path("-"), help="a file, or - for stdout"
    )
    export.set_defaults(handler=export_command)


def _filter_arguments() -> argparse.ArgumentParser:
    filters = argparse.ArgumentParser(add_help=False)
    group = filters.add_argument_group("filters (every one given must hold)")
    group.add_argument("--stage", choices=STAGES, help="one stage's queue only")
    group.add_argument("--reason", help="a part of the reason or error class, any case")
    group.add_argument("--entity", type=int, help="the Dolibarr entity")
    group.add_argument("--event-id", help="an event id or a message id")
    group.add_argument(
        "--older-than", type=duration, metavar="AGE", help="e.g. 90s, 15m, 2h, 3d"
    )
    group.add_argument("--newer-than", type=duration, metavar="AGE")
    return filters


def duration(text: str) -> timedelta:
    """``90``, ``90s``, ``15m``, ``2h``, ``3d`` or ``1w`` as a duration."""
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 15m or 2h)")
    return timedelta(seconds=float(match[1]) * _UNIT_SECONDS[match[2]])


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def selection_of(args: argparse.Namespace) -> Selection:
    stages: tuple[Stage, ...] = (args.stage,) if args.stage else STAGES
    return Selection(
        stages=stages,
        reason=args.reason,
        entity=args.entity,
        event_id=args.event_id,
        older_than=args.older_than,
        newer_than=args.newer_than,
    )


@contextlib.asynccontextmanager
async def _queues(settings: Settings) -> AsyncIterator[DeadLetterQueues]:
    broker = Broker(settings, name="ticketstock dlq")
    await broker.connect(declare_topology=False)
    try:
        yield DeadLetterQueues(broker)
    finally:
        await broker.close()


async def list_command(args: argparse.Namespace, settings: Settings) -> int:
    selection = selection_of(args)
    async with _queues(settings) as queues:
        depths = await queues.depths(selection.stages)
        page = await queues.browse(selection, offset=args.offset, limit=args.limit)
        names = {queues.queue_name(stage): depths[stage] for stage in depths}
    now = datetime.now(UTC)
    if args.json:
        _print_json(
            {
                "queues": names,
                "offset": args.offset,
                "limit": args.limit,
                "messages": [message.summary(now) for message in page],
            }
        )
        return 0
    console = _console()
    if page:
        console.print(_table(page, now))
    waiting = ", ".join(f"{name}: {count}" for name, count in names.items())
    console.print(f"{len(page)} shown from offset {args.offset}; waiting: {waiting}")
    return 0


async def show_command(args: argparse.Namespace, settings: Settings) -> int:
    async with _queues(settings) as queues:
        found = await queues.find(args.id)
    now = datetime.now(UTC)
    if not found:
        print(f"no dead-lettered message with event id or message id {args.id}")
        return 1
    if args.json:
        _print_json([message.record(now) for message in found])
        return 0
    console = _console()
    for message in found:
        facts = Table.grid(padding=(0, 2))
        for name, value in message.summary(now).items():
            facts.add_row(name, _text(value))
        console.print(facts)
        console.print("headers:", json.dumps(redact(message.headers), indent=2))
        console.print("body:", _body_for_people(message.body), end="\n\n")
    return 0


async def replay_command(args: argparse.Namespace, settings: Settings) -> int:
    selection = selection_of(args)
    async with _queues(settings) as queues:
        total = sum((await queues.depths(selection.stages)).values())
        show_bar = not (args.json or args.dry_run)
        with _progress(total, "replaying", enabled=show_bar) as advance:
            outcome = await queues.replay(
                selection,
                limit=args.limit,
                rate=args.rate,
                dry_run=args.dry_run,
                on_read=advance,
            )
    _report(outcome, "replayed", args.json)
    return 1 if outcome.stopped else 0


async def purge_command(args: argparse.Namespace, settings: Settings) -> int:
    selection = selection_of(args)
    async with _queues(settings) as queues:
        preview = await queues.purge(selection, limit=args.limit, dry_run=True)
        if args.dry_run:
            _report(preview, "removed", args.json)
            return 0
        if not preview.settled:
            _report(Outcome(False, read=preview.read), "removed", args.json)
            return 0
        if not args.yes:
            if not args.json:
                _console().print(_table(preview.settled, datetime.now(UTC)))
            question = f"Remove these {len(preview.settled)} message(s) for good?"
            if not _confirm(question):
                print("nothing removed", file=sys.stderr)
                return 1
        # No more than were confirmed, even if more matching ones arrived since.
        outcome = await queues.purge(selection, limit=len(preview.settled))
    _report(outcome, "removed", args.json)
    return 0


async def export_command(args: argparse.Namespace, settings: Settings) -> int:
    to_stdout = str(args.output) == "-"
    output: TextIO = (
        sys.stdout
        if to_stdout
        else await asyncio.to_thread(args.output.open, "w", encoding="utf-8")
    )
    count = 0
    now = datetime.now(UTC)
    try:
        async with _queues(settings) as queues:
            scan = queues.scan(selection_of(args))
            async with contextlib.aclosing(scan) as messages:
                async for message in messages:
                    record = message.record(now)
                    output.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
    finally:
        if not to_stdout:
            output.close()
    print(f"exported {count} message(s)", file=sys.stderr)
    return 0


def _report(outcome: Outcome, verb: str, as_json: bool) -> None:
    now = datetime.now(UTC)
    if as_json:
        _print_json(
            {
                "dry_run": outcome.dry_run,
                "read": outcome.read,
                verb: len(outcome.settled),
                "stopped": outcome.stopped,
                "messages": [message.summary(now) for message in outcome.settled],
            }
        )
        return
    console = _console()
    if outcome.dry_run:
        if outcome.settled:
            console.print(_table(outcome.settled, now))
        console.print(
            f"dry run: would have {verb} {len(outcome.settled)} of "
            f"{outcome.read} message(s) read; nothing changed"
        )
        return
    console.print(f"{verb} {len(outcome.settled)} of {outcome.read} message(s) read")
    if outcome.stopped:
        console.print(f"stopped: {redact_text(outcome.stopped)}")
        console.print(
            "that message and those not reached stay in the dead-letter queue"
        )


def _table(messages: list[DeadMessage], now: datetime) -> Table:
    table = Table()
    for name in ("#", "stage", "age", "event id", "movement", "entity", "tries"):
        table.add_column(name, no_wrap=True)
    table.add_column("replays", no_wrap=True)
    table.add_column("error", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for message in messages:
        age = message.age(now)
        table.add_row(
            str(message.position),
            message.stage,
            "-" if age is None else _age(age),
            _text(message.event_id),
            _text(message.movement_id),
            _text(message.entity),
            _text(message.attempts),
            str(message.replay_count),
            message.error_class or f"({message.dead_lettered_by})",
            message.reason,
        )
    return table


def _age(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def _body_for_people(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return f"(not UTF-8, {len(body)} bytes)"
    try:
        return json.dumps(redact(json.loads(text)), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return f"(not JSON) {redact_text(text)}"


def _console() -> Console:
    # Reasons and bodies are data: square brackets in them are not rich markup.
    console = Console(markup=False, highlight=False)
    if not console.is_terminal:
        console.width = 160  # piped to a file or grep: keep one row a line
    return console


def _print_json(document: object) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False))


def _confirm(question: str) -> bool:
    """Ask on standard error, read the answer on standard input; no answer is no."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().casefold()
    return answer in {"y", "yes"}


@contextlib.contextmanager
def _progress(
    total: int, label: str, *, enabled: bool
) -> Iterator[Callable[[DeadMessage], None]]:
    """A progress bar on standard error, when it is a terminal; yields its step."""
    console = Console(stderr=True, markup=False)
    if not (enabled and console.is_terminal):
        yield lambda _message: None
        return
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=total)
        with _logs_above(progress):
            yield lambda _message: progress.advance(task)


@contextlib.contextmanager
def _logs_above(progress: Progress) -> Iterator[None]:
    # Log lines written straight to the terminal would tear the bar. While it shows,
    # sys.stderr is rich's proxy, which prints what it gets above the bar.
    terminal, proxy = progress.console.file, sys.stderr
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.stream is terminal
    ]
    for handler in handlers:
        handler.setStream(proxy)
    try:
        yield
    finally:
        for handler in handlers:
            handler.setStream(terminal)
