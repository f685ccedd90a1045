"""The baseline: the least a consumer can do to turn an event into a ticket and mails.

Plain aio-pika, httpx and aiosmtplib. It reads the module's configuration once,
then for each event makes the same create call the pipeline makes and sends one
mail per recipient straight away, then acks. No schema validation, no retry tiers,
no second queue, no sent-ledger, no metrics, no log line per message: whatever the
pipeline costs above this is the price of its guarantees.

    python -m benchmarks.baseline --amqp-url URL --queue NAME --dolibarr-url URL \\
        --api-key KEY --secret S --smtp-port N [--prefetch 16] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import signal
import sys
from email.message import EmailMessage
from typing import Any

import aio_pika
import aiosmtplib
import httpx


class Baseline:
    def __init__(self, args: argparse.Namespace, config: dict[str, Any]) -> None:
        self._args = args
        self._secret = args.secret.encode()
        self._config = config
        self._recipients = recipient_addresses(config)
        self._http = httpx.AsyncClient(
            base_url=args.dolibarr_url.rstrip("/") + "/api/index.php",
            headers={"DOLAPIKEY": args.api_key, "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=args.concurrency,
                max_keepalive_connections=args.concurrency,
            ),
            timeout=30,
        )

    async def handle(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process(requeue=True):
            event = json.loads(message.body)
            ticket = await self._create(event)
            for address in self._recipients:
                await self._send(ticket, address)

    async def _create(self, event: dict[str, Any]) -> dict[str, Any]:
        movement = event["movement"]
        ticket = self._config["ticket"]
        name = f"{event['instance_id']}\x1f{event['entity']}\x1f{movement['id']}"
        track = "ts" + hmac.new(self._secret, name.encode(), hashlib.sha256).hexdigest()
        body = {
            "track_id": track[:42],
            "movement_id": movement["id"],
            "subject": f"Return of {movement['product']['ref']} ({movement['qty']})",
            "message": f"{movement['qty']} x {movement['product']['ref']} returned.",
            "type_code": ticket["type"]["code"],
            "severity_code": ticket["severity"]["code"],
            "category_code": ticket["category"]["code"],
            "fk_user_assign": (self._config["assignee"] or {}).get("id"),
            "contact_ids": sorted({int(c["id"]) for c in self._config["contacts"]}),
        }
        headers = {"DOLAPIENTITY": str(event["entity"])}
        response = await self._http.post(
            "/ticketstock/tickets", json=body, headers=headers
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def _send(self, ticket: dict[str, Any], address: str) -> None:
        link = f"{self._config['ticket_url_base']}?track_id={ticket['track_id']}"
        mail = EmailMessage()
        mail["Subject"] = f"[{ticket['ref']}] {ticket['subject']}"
        mail["From"] = "ticketstock@example.com"
        mail["To"] = address
        mail.set_content(f"Ticket {ticket['ref']}\n\n{ticket['message']}\n{link}\n")
        await aiosmtplib.send(
            mail, hostname="127.0.0.1", port=self._args.smtp_port, timeout=30
        )

    async def aclose(self) -> None:
        await self._http.aclose()


def recipient_addresses(config: dict[str, Any]) -> list[str]:
    """The assignee's and the contacts' addresses, once each, as the pipeline mails."""
    people = [config["assignee"], *config["contacts"]]
    found = (p["email"].strip().lower() for p in people if p and p.get("email"))
    return list(dict.fromkeys(address for address in found if address))


async def fetch_config(args: argparse.Namespace) -> dict[str, Any]:
    url = args.dolibarr_url.rstrip("/") + "/api/index.php/ticketstock/config"
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers={"DOLAPIKEY": args.api_key})
        response.raise_for_status()
        config: dict[str, Any] = response.json()
        return config


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    baseline = Baseline(args, await fetch_config(args))
    connection = await aio_pika.connect_robust(args.amqp_url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=args.prefetch)
    queue = await channel.declare_queue(args.queue, passive=True)
    await queue.consume(baseline.handle)
    print("baseline running", flush=True)
    await stop.wait()
    await channel.close()
    await connection.close()
    await baseline.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baseline")
    parser.add_argument("--amqp-url", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--dolibarr-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--prefetch", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=8)
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
