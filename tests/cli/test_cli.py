"""The ``ticketstock`` command as an operator runs it: real processes, real broker."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aio_pika
import pytest

from tests import factories
from tests.conftest import collect
from ticketstock.check import check
from ticketstock.logs import JsonFormatter
from ticketstock.settings import Settings


def _run(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ticketstock.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
        check=False,
    )


def _env(settings: Settings) -> dict[str, str]:
    return {
        "TICKETSTOCK_AMQP_PREFIX": settings.amqp_prefix,
        "TICKETSTOCK_DOLIBARR_URL": str(settings.dolibarr_url),
        "TICKETSTOCK_DOLIBARR_API_KEY": "test-api-key-0123456789",
        "TICKETSTOCK_SMTP_PORT": str(settings.smtp_port),
    }


def test_topology_print_shows_quorum_queues_and_their_arguments(
    settings_for: Callable[..., Settings],
) -> None:
    result = _run(["topology", "print"], _env(settings_for()))
    assert result.returncode == 0, result.stderr
    described = json.loads(result.stdout)
    queues = {q["name"]: q["arguments"] for q in described["queues"]}
    prefix = settings_for().amqp_prefix
    assert queues[f"{prefix}.tickets"]["x-queue-type"] == "quorum"
    assert queues[f"{prefix}.tickets"]["x-dead-letter-strategy"] == "at-least-once"
    assert queues[f"{prefix}.tickets.wait.5s"]["x-message-ttl"] == 5000
    assert f"{prefix}.mail.dead" in queues


async def test_publish_validates_then_puts_the_events_on_the_broker(
    settings_for: Callable[..., Settings],
    amqp: aio_pika.abc.AbstractRobustConnection,
    tmp_path: Path,
) -> None:
    settings = settings_for()
    declared = _run(["topology", "declare"], _env(settings))
    assert declared.returncode == 0, declared.stderr
    events = [factories.event(1), factories.event(2)]
    lines = tmp_path / "events.jsonl"
    lines.write_text("\n".join(json.dumps(e) for e in events) + "\n")

    result = _run(["publish", str(lines)], _env(settings))

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("published event_id=") == 2
    taken = await collect(amqp, f"{settings.amqp_prefix}.tickets", 2)
    assert [m.message_id for m in taken] == [e["event_id"] for e in events]


def test_publish_refuses_an_invalid_file_and_says_where(
    settings_for: Callable[..., Settings], tmp_path: Path
) -> None:
    bad = factories.event(3)
    bad["movement"]["qty"] = "lots"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = _run(["publish", str(path)], _env(settings_for()))
    assert result.returncode == 1
    assert "event 1: stock-movement-event.v1 invalid at movement/qty" in result.stderr
    missing = _run(["publish", str(tmp_path / "absent.json")], _env(settings_for()))
    assert missing.returncode == 1
    assert "No such file or directory" in missing.stderr
    assert "Traceback" not in missing.stderr + result.stderr


def test_check_names_the_broken_component_without_its_password(
    settings_for: Callable[..., Settings],
) -> None:
    broken = {
        **_env(settings_for()),
        "TICKETSTOCK_AMQP_URL": "amqp://guest:s3cret@127.0.0.1:1/",
        "TICKETSTOCK_DOLIBARR_URL": "http://127.0.0.1:1",
        "TICKETSTOCK_SMTP_PORT": "1",
        "TICKETSTOCK_LEDGER": "redis",
        "TICKETSTOCK_REDIS_URL": "redis://:r3dis@127.0.0.1:1/0",
    }
    bad = _run(["check"], broken)
    lines = bad.stdout.splitlines()
    assert bad.returncode == 1
    assert lines[0] == "FAIL settings: missing settings: TICKETSTOCK_TRACK_ID_SECRET"
    assert lines[1].startswith(
        "FAIL rabbitmq: cannot connect to RabbitMQ at amqp://guest:***@127.0.0.1:1/"
    )
    assert lines[2].startswith("FAIL dolibarr: http://127.0.0.1:1/api/index.php: ")
    assert lines[3].startswith("FAIL ledger: redis redis://***@127.0.0.1:1/0: ")
    assert lines[4].startswith("FAIL smtp: 127.0.0.1:1: SMTPConnectError")
    assert "s3cret" not in bad.stdout + bad.stderr
    assert "r3dis" not in bad.stdout + bad.stderr


async def test_check_passes_when_everything_answers(
    settings_for: Callable[..., Settings],
    company: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await check(settings_for())
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   rabbitmq: connected" in out
    assert (
        "ok   dolibarr entity 1: module 1.0.0 configured, 1 watched warehouse(s)" in out
    )
    assert "ok   smtp: 127.0.0.1:" in out
    assert "ok   settings: complete for both roles" in out


def test_missing_settings_stop_run_with_their_names() -> None:
    result = _run(["run", "--role", "tickets"], {"TICKETSTOCK_DOLIBARR_URL": ""})
    assert result.returncode == 2
    assert "TICKETSTOCK_DOLIBARR" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_log_lines_carry_the_fields_as_keys() -> None:
    record = logging.LogRecord(
        "ticketstock.worker",
        logging.INFO,
        __file__,
        1,
        "message settled stage=%s",
        ("tickets",),
        None,
    )
    record.__dict__.update(
        {"stage": "tickets", "event_id": "e1", "outcome": "ticket-created"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "message settled stage=tickets"
    assert line["event_id"] == "e1"
    assert line["outcome"] == "ticket-created"
    assert line["level"] == "INFO"


def test_publish_refuses_a_file_that_is_not_text_or_holds_no_event(
    settings_for: Callable[..., Settings], tmp_path: Path
) -> None:
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00{}")
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    for path, message in ((binary, "not UTF-8 text"), (empty, "no event in")):
        result = _run(["publish", str(path)], _env(settings_for()))
        assert result.returncode == 1
        assert message in result.stderr
        assert "Traceback" not in result.stderr


async def test_topology_delete_keeps_a_queue_that_holds_messages(
    settings_for: Callable[..., Settings],
    amqp: aio_pika.abc.AbstractRobustConnection,
    tmp_path: Path,
) -> None:
    settings = settings_for()
    env = _env(settings)
    assert _run(["topology", "declare"], env).returncode == 0
    event = tmp_path / "event.json"
    event.write_text(json.dumps(factories.event(1)))
    assert _run(["publish", str(event)], env).returncode == 0

    kept = _run(["topology", "delete"], env)
    assert kept.returncode == 1
    assert (
        kept.stdout.strip()
        == f"kept {settings.amqp_prefix}.tickets: it holds 1 message(s)"
    )
    await collect(amqp, f"{settings.amqp_prefix}.tickets", 1)
    assert _run(["topology", "delete"], env).returncode == 0
    channel = await amqp.channel()
    with pytest.raises(aio_pika.exceptions.ChannelNotFoundEntity):
        await channel.declare_queue(f"{settings.amqp_prefix}.tickets", passive=True)
