"""``ticketstock sandbox``: the whole pipeline on this machine, no Dolibarr needed.

Starts the Dolibarr double (seeded with a small company: a watched warehouse, an
assignee, a group) and a local SMTP sink, runs the ticket consumer and the mail
sender against them and the real RabbitMQ, and writes a ready-to-publish event
file. Mails land as ``.eml`` files in the sandbox folder.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..service import Service
from ..settings import Settings
from .dolibarr_double import DolibarrDouble
from .smtp_sink import SmtpSink

log = logging.getLogger(__name__)

SANDBOX_API_KEY = "sandbox-api-key"
SANDBOX_SECRET = "sandbox-track-id-secret-not-for-production"  # noqa: S105


def add_sandbox_parser(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="run the pipeline against a Dolibarr double and a local SMTP sink",
    )
    sandbox.add_argument(
        "--folder",
        type=Path,
        default=Path("var/sandbox"),
        help="where the event file, the mails and the ledger go (default: var/sandbox)",
    )
    sandbox.add_argument(
        "--dolibarr-port",
        type=int,
        default=8088,
        help="the double's port (default: 8088)",
    )
    sandbox.add_argument(
        "--smtp-port",
        type=int,
        default=8025,
        help="the SMTP sink's port (default: 8025)",
    )
    sandbox.add_argument(
        "--prefix",
        default="ticketstock-sandbox",
        help="AMQP name prefix, so the sandbox never shares queues with a real service"
        " (default: ticketstock-sandbox)",
    )
    sandbox.set_defaults(handler=run_sandbox)


def write_event(
    path: Path, movement_id: int, warehouse: dict[str, Any], product: dict[str, Any]
) -> None:
    """An event for a movement the double knows, as the module would publish it."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    event = {
        "event_id": str(uuid.uuid4()),
        "schema_version": 1,
        "occurred_at": now,
        "instance_id": "sandbox",
        "entity": 1,
        "movement": {
            "id": movement_id,
            "type": 3,
            "qty": 2,
            "product": product,
            "warehouse": warehouse,
            "batch": None,
            "label": "Customer return",
            "inventory_code": None,
            "origin": None,
            "project_id": None,
            "user": {"id": 1, "login": "admin"},
            "date": now,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(event, indent=2) + "\n", encoding="utf-8")


def _explain(
    base_url: str,
    smtp_port: int,
    prefix: str,
    event: Path,
    folder: Path,
    service: Service,
) -> None:
    """Tell the person at the terminal what runs where and what to do next."""
    command = Path(sys.argv[0])
    command_text = str(command) if command.name == "ticketstock" else "ticketstock"
    health = service.health.port if service.health else None
    print(
        f"sandbox running: Dolibarr double {base_url}, SMTP sink 127.0.0.1:{smtp_port}"
    )
    print(
        f"publish an event:   TICKETSTOCK_AMQP_PREFIX={prefix} {command_text} publish {event}"
    )
    print(f"see the tickets:    curl -s {base_url}/_double/state")
    print(f"see the mails:      ls {folder / 'mail'}")
    if health:
        print(
            f"metrics and health: http://127.0.0.1:{health}/metrics, /healthz, /readyz"
        )
    print("Ctrl-C stops")


async def run_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    folder: Path = args.folder
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    double = DolibarrDouble(
        api_key=SANDBOX_API_KEY, main_url=f"http://127.0.0.1:{args.dolibarr_port}"
    )
    demo = double.seed_demo()
    base_url = await double.start(host="127.0.0.1", port=args.dolibarr_port)
    sink = SmtpSink(port=args.smtp_port, folder=folder / "mail").start()
    ledger = folder / "sent-ledger.sqlite3"
    # The double forgets everything at each start, and so must the ledger, or the
    # movement ids it hands out again would find their mails already sent.
    ledger.unlink(missing_ok=True)
    overrides = {
        "amqp_prefix": args.prefix,
        "http_port": 0,
        "dolibarr_url": base_url,
        "dolibarr_api_key": SANDBOX_API_KEY,
        "track_id_secret": SANDBOX_SECRET,
        "mail_backend": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": sink.port,
        "smtp_security": "none",
        "ledger": "sqlite",
        "ledger_path": ledger,
    }
    sandboxed = Settings.model_validate({**settings.model_dump(), **overrides})
    movement_id = double.add_movement(demo.product_id, demo.warehouse_id, 2, 3)
    event_path = folder / "event.json"
    write_event(event_path, movement_id, demo.warehouse, demo.product)

    service = Service(sandboxed, {"tickets", "mail"})
    try:
        await service.start()
        _explain(base_url, sink.port, args.prefix, event_path, folder, service)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await service.stop()
        sink.stop()
        await double.stop()
    return 0
