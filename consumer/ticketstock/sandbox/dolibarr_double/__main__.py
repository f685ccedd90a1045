"""Run the Dolibarr double as a process: ``python -m ticketstock.sandbox.dolibarr_double``.

The first line on stdout is the double's root URL, for the process that started it;
logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from ._server import DolibarrDouble, require_loopback

logger = logging.getLogger("ticketstock.sandbox.dolibarr_double")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ticketstock.sandbox.dolibarr_double",
        description="An in-memory Dolibarr 23 with the TicketStock module.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=8088, help="0 picks a free port")
    parser.add_argument("--api-key", required=True, help="the DOLAPIKEY to accept")
    parser.add_argument("--main-url", help="Dolibarr's root URL for ticket links")
    parser.add_argument("--seed-demo", action="store_true", help="seed entity 1")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="per request")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    try:
        require_loopback(args.host)
    except ValueError as exc:
        parser.error(str(exc))
    return args


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGTERM or SIGINT, then stop and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    double = DolibarrDouble(
        args.api_key, main_url=args.main_url, delay_ms=args.delay_ms
    )
    if args.seed_demo:
        double.seed_demo()
    url = await double.start(args.host, args.port)
    print(url, flush=True)
    try:
        await stop.wait()
    finally:
        await double.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
