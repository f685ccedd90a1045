"""The test company inside the Dolibarr: warehouses, products, people, API user.

Warehouses and products go through the REST API as an integration would make
them; users and the group through the helper, because the API can neither give
rights nor set an API key. Every name carries the run's id, and every id lands
in :class:`Created` the moment it exists, so the clean-up removes exactly what
this run made, even when the set-up stops half way.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .dolibarr import AdminHelper, DolibarrApi


@dataclass
class Created:
    """Ids of everything the run made, for the clean-up."""

    warehouses: list[int] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    track_ids: list[str] = field(default_factory=list)

    def cleanup(self, helper: AdminHelper) -> dict[str, object]:
        answer = helper.run(
            "cleanup",
            track_ids=self.track_ids,
            user_ids=self.users,
            group_ids=self.groups,
            warehouse_ids=self.warehouses,
            product_ids=self.products,
        )
        if answer["errors"]:
            raise AssertionError(f"clean-up left things behind: {answer['errors']}")
        deleted: dict[str, object] = answer["deleted"]
        return deleted


@dataclass(frozen=True)
class Person:
    id: int
    login: str
    name: str
    email: str


@dataclass(frozen=True)
class Company:
    watched: int
    watched_ref: str
    watched_label: str
    other: int
    other_ref: str
    product: int
    product_ref: str
    product_label: str
    serial: int
    serial_ref: str
    assignee: Person
    member: Person  # active, with an email
    inactive: Person  # disabled, with an email
    no_email: Person  # active, without an email
    group: int
    api_user: Person
    api_key: str


def create_company(
    admin: DolibarrApi, helper: AdminHelper, run_id: str, created: Created
) -> Company:
    tag = f"E2E-{run_id.upper()}"
    watched = _warehouse(admin, created, f"{tag}-RET", "Returns dock (e2e)")
    other = _warehouse(admin, created, f"{tag}-MAIN", "Main store (e2e)")
    product_label = "Chaise pliante « Été » e2e"
    product = _product(admin, created, f"{tag}-CHAIR", product_label, serial=False)
    serial = _product(
        admin, created, f"{tag}-SERIAL", "Serial scanner e2e", serial=True
    )

    def person(role: str, name: str, email: str, active: bool = True) -> Person:
        return _user(helper, created, f"tse2e{run_id}{role}", name, email, active)

    domain = "example.com"  # a deliverable-looking domain: .test is refused
    assignee = person("as", "Alice Tech", f"alice.{run_id}@{domain}")
    member = person("bo", "Bob Store", f"bob.{run_id}@{domain}")
    inactive = person("ca", "Carl Gone", f"carl.{run_id}@{domain}", active=False)
    no_email = person("di", "Dina Nomail", "")
    group = helper.run(
        "create-group",
        name=f"TicketStock e2e {run_id}",
        # The assignee too: a recipient twice over, who must get one mail.
        member_ids=[assignee.id, member.id, inactive.id, no_email.id],
    )["id"]
    created.groups.append(group)

    api_key = secrets.token_hex(16)
    api_user = _user(
        helper, created, f"tse2e{run_id}api", "Api Consumer", "", True, api_key
    )
    return Company(
        watched=watched[0],
        watched_ref=watched[1],
        watched_label="Returns dock (e2e)",
        other=other[0],
        other_ref=other[1],
        product=product[0],
        product_ref=product[1],
        product_label=product_label,
        serial=serial[0],
        serial_ref=serial[1],
        assignee=assignee,
        member=member,
        inactive=inactive,
        no_email=no_email,
        group=group,
        api_user=api_user,
        api_key=api_key,
    )


def _warehouse(
    admin: DolibarrApi, created: Created, ref: str, label: str
) -> tuple[int, str]:
    warehouse_id = admin.create_warehouse(ref, label)
    created.warehouses.append(warehouse_id)
    return warehouse_id, ref


def _product(
    admin: DolibarrApi, created: Created, ref: str, label: str, *, serial: bool
) -> tuple[int, str]:
    product_id = admin.create_product(ref, label, serial=serial)
    created.products.append(product_id)
    return product_id, ref


def _user(
    helper: AdminHelper,
    created: Created,
    login: str,
    name: str,
    email: str,
    active: bool,
    api_key: str | None = None,
) -> Person:
    first, last = name.split(" ", 1)
    answer = helper.run(
        "create-user",
        login=login,
        firstname=first,
        lastname=last,
        email=email,
        active=active,
        api_key=api_key,
        rights_module="ticketstock" if api_key else None,
    )
    created.users.append(answer["id"])
    return Person(answer["id"], login, name, email)
