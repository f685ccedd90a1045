"""Everything one run of the suite stands on, and the operations cases use.

:func:`build_world` sets the stage in order (Dolibarr reachable, module installed
and enabled, the company, the module's setup, the broker tap, the SMTP sink, the
sender and the consumer) and takes it down in the reverse order, each step
undoing only what it did.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ticketstock.render import track_id
from ticketstock.sandbox.smtp_sink import SmtpSink

from . import installation, report
from .broker import EventTap, delete_topology
from .company import Company, Created, create_company
from .dolibarr import AdminHelper, DolibarrApi, DolibarrError
from .services import ServiceProcess, child_env

ENTITY = 1
RETRY_DELAYS = (1, 2)
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
SUBJECT = (
    "Return of __TICKETSTOCK_PRODUCT_REF__ (__TICKETSTOCK_QTY__) into "
    "__TICKETSTOCK_WAREHOUSE_REF__"
)
CONTENT = (
    "Ticket __REF__ for movement __TICKETSTOCK_MOVEMENT_ID__: __TICKETSTOCK_QTY__ x "
    "__TICKETSTOCK_PRODUCT_LABEL__ into __TICKETSTOCK_WAREHOUSE_LABEL__."
)


@dataclass(frozen=True)
class E2EConfig:
    """The suite's settings, from ``TICKETSTOCK_E2E_*``."""

    url: str
    api_key: str
    htdocs: Path
    amqp_url: str
    stop_broker: bool
    php: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> E2EConfig:
        missing = [
            name
            for name in ("TICKETSTOCK_E2E_API_KEY", "TICKETSTOCK_E2E_HTDOCS")
            if not environ.get(name)
        ]
        if missing:
            raise AssertionError(f"set {' and '.join(missing)} for the e2e suite")
        php = shutil.which("php")
        if php is None:
            raise AssertionError("no php command: the e2e suite needs PHP's CLI")
        return cls(
            url=environ["TICKETSTOCK_E2E_DOLIBARR_URL"].rstrip("/"),
            api_key=environ["TICKETSTOCK_E2E_API_KEY"],
            htdocs=Path(environ["TICKETSTOCK_E2E_HTDOCS"]),
            amqp_url=environ.get("TICKETSTOCK_E2E_AMQP_URL") or DEFAULT_AMQP_URL,
            stop_broker=environ.get("TICKETSTOCK_E2E_STOP_BROKER") == "1",
            php=php,
        )


@dataclass
class World:
    cfg: E2EConfig
    tmp: Path
    run_id: str
    admin: DolibarrApi
    helper: AdminHelper
    created: Created = field(default_factory=Created)
    prefix: str = ""
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    instance_id: str = ""
    module_dir: Path = Path()
    company: Company | None = None
    codes: dict[str, str] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    sink: SmtpSink | None = None
    tap: EventTap | None = None
    processes: list[ServiceProcess] = field(default_factory=list)

    @property
    def co(self) -> Company:
        assert self.company is not None
        return self.company

    @property
    def mailbox(self) -> SmtpSink:
        assert self.sink is not None
        return self.sink

    @property
    def events(self) -> EventTap:
        assert self.tap is not None
        return self.tap

    def track(self, movement_id: int) -> str:
        return track_id(self.secret.encode(), self.instance_id, ENTITY, movement_id)

    def remember(self, movement_id: int) -> None:
        """Note a movement, so that a ticket made for it is deleted afterwards."""
        self.created.track_ids.append(self.track(movement_id))

    def move(
        self,
        warehouse: int,
        qty: float,
        *,
        product: int | None = None,
        batch: str | None = None,
    ) -> int:
        """A stock movement through ``POST /stockmovements``; its id."""
        response = self.admin.move(
            product or self.co.product,
            warehouse,
            qty,
            f"e2e {self.run_id}",
            batch=batch,
        )
        if response.status_code != 200:
            raise DolibarrError(f"POST /stockmovements: {response.text[:300]}")
        movement = int(response.json())
        self.remember(movement)
        return movement

    def transfer(self, source: int, target: int, qty: float) -> list[dict[str, Any]]:
        """A warehouse-to-warehouse transfer as the UI makes it; its two legs."""
        legs: list[dict[str, Any]] = self.helper.run(
            "transfer",
            product_id=self.co.product,
            source=source,
            target=target,
            qty=qty,
            label=f"e2e {self.run_id} transfer",
        )["movements"]
        for leg in legs:
            self.remember(leg["id"])
        return legs

    def tickets_for(self, *movement_ids: int) -> list[dict[str, Any]]:
        return self.admin.tickets_with_track_ids(self.track(m) for m in movement_ids)

    def mails_for(self, ticket_ref: str) -> list[EmailMessage]:
        return [
            message
            for message in self.mailbox.messages()
            if str(message["Subject"]).startswith(f"[{ticket_ref}]")
        ]

    def outbox(self, *movement_ids: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.helper.run(
            "outbox", movement_ids=list(movement_ids)
        )["rows"]
        return rows

    def settled(self, role: str, **fields: Any) -> list[dict[str, Any]]:
        """Outcome lines of every process of a role this run started."""
        return [
            line
            for process in self.processes
            if process.role == role
            for line in process.settled(**fields)
        ]

    def configure(self, **changes: str) -> None:
        """Save the module's setup with these fields changed, as its page would."""
        self.form.update(changes)
        self.helper.run("configure", **self.form)

    def service_env(self, **overrides: str) -> dict[str, str]:
        settings = {
            "TICKETSTOCK_AMQP_URL": self.cfg.amqp_url,
            "TICKETSTOCK_AMQP_PREFIX": self.prefix,
            "TICKETSTOCK_RETRY_DELAYS": json.dumps(list(RETRY_DELAYS)),
            "TICKETSTOCK_DOLIBARR_URL": self.cfg.url,
            "TICKETSTOCK_DOLIBARR_API_KEY": self.co.api_key,
            "TICKETSTOCK_TRACK_ID_SECRET": self.secret,
            "TICKETSTOCK_SMTP_HOST": "127.0.0.1",
            "TICKETSTOCK_SMTP_PORT": str(self.mailbox.port),
            "TICKETSTOCK_MAIL_FROM": "ticketstock-e2e@example.com",
            "TICKETSTOCK_LEDGER_PATH": str(self.tmp / "sent-ledger.sqlite3"),
            "TICKETSTOCK_HTTP_PORT": "0",
            "TICKETSTOCK_LOG_FORMAT": "json",
            "TICKETSTOCK_SHUTDOWN_TIMEOUT": "5",
        }
        settings.update(overrides)
        return child_env(settings)

    def start(self, role: str, name: str, **overrides: str) -> ServiceProcess:
        """Start a ``ticketstock run`` process; its log is ``<name>.log``."""
        process = ServiceProcess(
            role, self.service_env(**overrides), self.tmp / f"{name}.log"
        )
        self.processes.append(process)
        return process.start()

    def current(self, role: str) -> ServiceProcess:
        return next(p for p in reversed(self.processes) if p.role == role)


def wait_for(
    check: Callable[[], Any], what: str, timeout: float = 30.0, every: float = 0.2
) -> Any:
    """Poll ``check`` until it answers something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)
    return result


@contextmanager
def build_world(cfg: E2EConfig, tmp: Path) -> Iterator[World]:
    with ExitStack() as stack:
        world = _dolibarr(stack, cfg, tmp)
        _company(stack, world)
        _broker_and_mail(stack, world)
        _services(stack, world)
        yield world


def _dolibarr(stack: ExitStack, cfg: E2EConfig, tmp: Path) -> World:
    """Reach Dolibarr, record its state, install and enable the module."""
    admin = DolibarrApi(cfg.url, cfg.api_key)
    stack.callback(admin.close)
    me = admin.whoami()
    if str(me.get("admin")) != "1":
        raise AssertionError(f"the API key of {me.get('login')} is not an admin's")
    helper = AdminHelper(cfg.php, cfg.htdocs, ENTITY, str(me["login"]))
    before = helper.run("state")
    census = helper.run("census")["counts"]
    stack.callback(_census, helper, census)
    stack.callback(installation.restore, helper, before)

    world = World(cfg, tmp, secrets.token_hex(4), admin, helper)
    world.prefix = f"ts-e2e-{world.run_id}"
    custom_dir = Path(before["custom_dir"] or cfg.htdocs / "custom")
    world.module_dir, installed = installation.install(stack, custom_dir)
    enabled = installation.enable(stack, helper, before)
    world.instance_id = helper.run("state")["instance_id"]
    report.note(
        "info",
        "set-up",
        f"Dolibarr {before['dolibarr_version']} at {cfg.url}, entity {ENTITY}, "
        f"admin {me['login']}; module {installed}; {enabled}; "
        f"multicompany {'on' if before['multicompany'] else 'off'}",
    )
    return world


def _company(stack: ExitStack, world: World) -> None:
    """The company, its opening stock, and the module's setup for it."""
    stack.callback(_cleanup, world)
    co = create_company(world.admin, world.helper, world.run_id, world.created)
    world.company = co
    # Opening stock, before anything is watched: no event for these.
    for warehouse in (co.watched, co.other):
        world.move(warehouse, 20)
    codes = {
        name: installation.pick_code(world.admin.dictionary(f"ticket_{plural}"))
        for name, plural in (
            ("type", "types"),
            ("severity", "severities"),
            ("category", "categories"),
        )
    }
    world.codes = {name: code for name, (code, _) in codes.items()}
    world.form = {
        "warehouses": [co.watched],
        "assignee": co.assignee.id,
        "contact_group": co.group,
        "contact_role": "CONTRIBUTOR",
        "ticket_type": world.codes["type"],
        "ticket_severity": world.codes["severity"],
        "ticket_category": world.codes["category"],
        "subject": SUBJECT,
        "content": CONTENT,
        "keep_admin_notification": "0",
        "purge_days": "30",
        **installation.broker_fields(world.cfg.amqp_url, f"{world.prefix}.events"),
    }
    world.configure()


def _cleanup(world: World) -> None:
    deleted = world.created.cleanup(world.helper)
    report.note(
        "info",
        "clean-up",
        f"deleted {deleted['tickets']} tickets, {len(world.created.users)} users, "
        f"{len(world.created.groups)} group, {len(world.created.warehouses)} "
        f"warehouses with their movements, {len(world.created.products)} products, "
        f"{deleted['agenda_events']} agenda events, {deleted['outbox_rows']} outbox rows",
    )


def _broker_and_mail(stack: ExitStack, world: World) -> None:
    world.tap = EventTap(world.cfg.amqp_url, world.prefix)
    stack.callback(delete_topology, world.cfg.amqp_url, world.prefix, RETRY_DELAYS)
    world.tap.declare()
    world.sink = stack.enter_context(SmtpSink())


def _services(stack: ExitStack, world: World) -> None:
    stack.callback(_stop_all, world)
    world.start("mail", "sender")
    world.start("tickets", "consumer")
    # With the consumer's key: proves its user's "read" right.
    consumer_api = DolibarrApi(world.cfg.url, world.co.api_key)
    try:
        world.config = consumer_api.module_config()
    finally:
        consumer_api.close()


def _stop_all(world: World) -> None:
    for process in world.processes:
        process.stop()


def _census(helper: AdminHelper, before: dict[str, int]) -> None:
    after = helper.run("census")["counts"]
    changed = {
        table: f"{before.get(table, 0)} -> {count}"
        for table, count in after.items()
        if count != before.get(table, 0)
    }
    if changed:
        text = ", ".join(f"llx_{t} {c}" for t, c in changed.items())
        report.note("info", "left as found", f"row counts that differ: {text}")
    else:
        report.note("info", "left as found", f"{len(after)} tables, same row counts")
