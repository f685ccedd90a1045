"""``ticketstock dlq`` as an operator runs it: tables, JSON, prompts, no secrets."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dlq.conftest import DeadLetter, depth, event, failure, taken
from ticketstock.broker import Broker
from ticketstock.cli import build_parser, dispatch
from ticketstock.settings import Settings

SECRET_HEADERS = {
    "x-api-key": "key-value-never-shown",
    "Authorization": "Bearer token-never-shown",
    "x-ts-reason": "cannot reach amqp://ops:hunter2-never-shown@127.0.0.1:5672/",
}
SECRETS = ("key-value-never-shown", "token-never-shown", "hunter2-never-shown")


async def run(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(["dlq", *argv])
    return await dispatch(args, settings)


def run_process(
    settings: Settings, *argv: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TICKETSTOCK_AMQP_URL": settings.amqp_url.get_secret_value(),
        "TICKETSTOCK_AMQP_PREFIX": settings.amqp_prefix,
    }
    return subprocess.run(
        [sys.executable, "-m", "ticketstock.cli", "dlq", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_list_prints_a_table_for_people_and_json_for_scripts(
    dlq_settings: Settings,
    dead_letter: DeadLetter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = event(entity=4, movement_id=321)
    await dead_letter(
        "tickets", document, headers=failure("Dolibarr answered 503 [busy]")
    )

    assert await run(dlq_settings, "list") == 0
    table = capsys.readouterr().out
    assert await run(dlq_settings, "list", "--json") == 0
    listed = json.loads(capsys.readouterr().out)

    assert document["event_id"] in table
    assert "Dolibarr answered 503 [busy]" in table
    assert "DolibarrUnavailable" in table
    [row] = listed["messages"]
    assert row["event_id"] == document["event_id"]
    assert (row["movement_id"], row["entity"], row["attempts"]) == (321, 4, 3)
    assert listed["queues"] == {
        f"{dlq_settings.amqp_prefix}.tickets.dead": 1,
        f"{dlq_settings.amqp_prefix}.mail.dead": 0,
    }


async def test_export_writes_json_lines_that_give_back_every_body_and_header(
    broker: Broker,
    dlq_settings: Settings,
    dead_letter: DeadLetter,
    tmp_path: Path,
) -> None:
    document = event()
    headers = failure("SMTP 550", "SmtpPermanentError", **{"x-ts-smtp-code": 550})
    await dead_letter("mail", document, headers=headers, message_id="job-1")
    await dead_letter("mail", raw=b"\x00\xffnot utf-8", message_id="raw")
    await dead_letter("tickets", raw=b"{truncated", message_id="cut")
    output = tmp_path / "dead.jsonl"

    assert await run(dlq_settings, "export", "--output", str(output)) == 0

    records = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    by_id = {record["message_id"]: record for record in records}
    assert [r["message_id"] for r in records] == ["cut", "job-1", "raw"]
    assert _body(by_id["job-1"]) == json.dumps(document).encode()
    assert _body(by_id["raw"]) == b"\x00\xffnot utf-8"
    assert _body(by_id["cut"]) == b"{truncated"
    assert by_id["job-1"]["headers"] == headers
    assert by_id["job-1"]["type"] == "ticketstock.stock-movement.v1"
    assert await depth(broker, broker.topology.dead_queue("mail")) == 2
    assert await depth(broker, broker.topology.dead_queue("tickets")) == 1


def _body(record: dict[str, str]) -> bytes:
    if record["body_encoding"] == "base64":
        return base64.b64decode(record["body"])
    return record["body"].encode("utf-8")


async def test_show_prints_a_message_in_full_by_event_id_or_message_id(
    dlq_settings: Settings,
    dead_letter: DeadLetter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = event(movement_id=55)
    await dead_letter("mail", document, message_id="job-55")
    await dead_letter("mail", message_id="other")

    assert await run(dlq_settings, "show", document["event_id"], "--json") == 0
    by_event = json.loads(capsys.readouterr().out)
    assert await run(dlq_settings, "show", "job-55") == 0
    text = capsys.readouterr().out
    assert await run(dlq_settings, "show", "no-such-id") == 1

    assert [r["message_id"] for r in by_event] == ["job-55"]
    assert json.loads(by_event[0]["body"]) == document
    assert "job-55" in text and '"id": 55' in text and "x-ts-reason" in text


async def test_secrets_never_reach_the_output_of_list_show_or_export(
    dlq_settings: Settings,
    dead_letter: DeadLetter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    headers = failure(**SECRET_HEADERS)
    await dead_letter("tickets", headers=headers, message_id="secretive")

    for argv in (
        ("list",),
        ("list", "--json"),
        ("show", "secretive"),
        ("show", "secretive", "--json"),
        ("export",),
        ("replay", "--dry-run"),
        ("purge", "--dry-run", "--json"),
    ):
        assert await run(dlq_settings, *argv) == 0
        printed = capsys.readouterr()
        for secret in SECRETS:
            assert secret not in printed.out + printed.err, (argv, secret)
    assert await run(dlq_settings, "show", "secretive", "--json") == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["headers"]["x-api-key"] == "***"
    assert record["headers"]["Authorization"] == "***"
    assert "amqp://ops:***@127.0.0.1:5672/" in record["reason"]


async def test_replay_prints_what_it_did_and_exits_non_zero_when_it_stopped(
    broker: Broker,
    dlq_settings: Settings,
    dead_letter: DeadLetter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = [await dead_letter("tickets", event(entity=e)) for e in (1, 2)]

    assert await run(dlq_settings, "replay", "--entity", "2", "--json") == 0
    done = json.loads(capsys.readouterr().out)
    work = broker.topology.queue("tickets")
    channel = await broker.connection.channel()
    queue = await channel.get_queue(work, ensure=False)
    await queue.unbind(broker.topology.retry_exchange, routing_key=work)
    await channel.close()
    assert await run(dlq_settings, "replay") == 1
    stopped = capsys.readouterr().out

    assert (done["replayed"], done["read"], done["dry_run"]) == (1, 2, False)
    assert [m["message_id"] for m in done["messages"]] == [ids[1]]
    assert "replayed 0 of 1" in stopped and "stay in the dead-letter queue" in stopped
    assert [m.message_id for m in await taken(broker, work)] == [ids[1]]


async def test_purge_asks_first_and_removes_nothing_without_a_yes(
    broker: Broker,
    dlq_settings: Settings,
    dead_letter: DeadLetter,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [await dead_letter("mail") for _ in range(2)]
    dead = broker.topology.dead_queue("mail")

    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    assert await run(dlq_settings, "purge") == 1
    declined = capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert await run(dlq_settings, "purge") == 1
    assert await depth(broker, dead) == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert await run(dlq_settings, "purge", "--event-id", ids[0]) == 0
    confirmed = capsys.readouterr()

    assert "Remove these 2 message(s) for good? [y/N]" in declined.err
    assert "nothing removed" in declined.err
    assert "removed 1 of 1" in confirmed.out
    assert [m.message_id for m in await taken(broker, dead)] == [ids[1]]


async def test_the_installed_command_purges_with_yes_and_says_how_many(
    broker: Broker, dlq_settings: Settings, dead_letter: DeadLetter
) -> None:
    for _ in range(2):
        await dead_letter("tickets")

    result = await asyncio.to_thread(
        run_process, dlq_settings, "purge", "--yes", "--json"
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["removed"] == 2
    assert await depth(broker, broker.topology.dead_queue("tickets")) == 0


def test_a_failed_connection_names_the_broker_without_its_password(
    dlq_settings: Settings,
) -> None:
    closed_port = dlq_settings.model_copy(
        update={
            "amqp_url": type(dlq_settings.amqp_url)("amqp://ops:s3cret-pw@127.0.0.1:1/")
        }
    )

    result = run_process(closed_port, "list")

    assert result.returncode == 1
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "amqp://ops:***@127.0.0.1:1/" in result.stderr
