"""A small company in entity 1, for the local sandbox and for tests that need one.

It has what the pipeline meets in real life: a watched returns warehouse next to
one that is not watched, an assignee, and a group whose members are not all
mailable (one left the company, one never had an email address).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._seeding import Seeding

WATCHED_REF: Final = "WH-RETURNS"
PRODUCT_REF: Final = "HEADSET-200"
PRODUCT_LABEL: Final = "Wireless headset"

DEMO_SUBJECT: Final = (
    "Return of __TICKETSTOCK_PRODUCT_REF__ (__TICKETSTOCK_QTY__) "
    "into __TICKETSTOCK_WAREHOUSE_REF__"
)
DEMO_CONTENT: Final = (
    "Ticket __REF__: __TICKETSTOCK_QTY__ x __TICKETSTOCK_PRODUCT_REF__ "
    "(__TICKETSTOCK_PRODUCT_LABEL__) entered __TICKETSTOCK_WAREHOUSE_LABEL__ "
    "on __DAY__/__MONTH__/__YEAR__.\n"
    "Origin: __TICKETSTOCK_ORIGIN__\n"
    "Movement: __TICKETSTOCK_MOVEMENT_ID__ by __TICKETSTOCK_USER__\n"
    "Type: __TICKET_TYPE__, severity: __TICKET_SEVERITY__\n"
    "Follow it at __TICKETSTOCK_TICKET_URL__\n"
    "-- __MYCOMPANY_NAME__"
)


@dataclass(frozen=True, slots=True)
class DemoCompany:
    """The ids :func:`seed_demo` created, so tests need not hard-code them.

    ``warehouse_id`` is the watched warehouse; ``warehouse`` and ``product`` give it
    and the product in the shape a stock movement event carries them.
    """

    entity: int
    warehouse_id: int
    other_warehouse_id: int
    product_id: int
    assignee_id: int
    group_id: int
    active_member_id: int
    inactive_member_id: int
    no_email_member_id: int
    return_movement_id: int
    other_movement_id: int

    @property
    def warehouse(self) -> dict[str, Any]:
        return {"id": self.warehouse_id, "ref": WATCHED_REF}

    @property
    def product(self) -> dict[str, Any]:
        return {"id": self.product_id, "ref": PRODUCT_REF, "label": PRODUCT_LABEL}


def seed_demo(double: Seeding) -> DemoCompany:
    """Create the demo company's rows and the module's settings for entity 1."""
    main = double.add_warehouse("WH-MAIN", "Main warehouse")
    returns = double.add_warehouse(WATCHED_REF, "Returned goods")
    product = double.add_product(PRODUCT_REF, PRODUCT_LABEL)
    assignee = double.add_user(
        "cmartin", "Claire", "Martin", "claire.martin@example.com"
    )
    active = double.add_user(
        "lbernard", "Lucas", "Bernard", "lucas.bernard@example.com"
    )
    inactive = double.add_user(
        "sdubois", "Sophie", "Dubois", "sophie.dubois@example.com", active=False
    )
    no_email = double.add_user("tpetit", "Thomas", "Petit", "")
    group = double.add_group("Returns team", [active, inactive, no_email])
    double.configure(
        1,
        warehouses=[returns],
        assignee_id=assignee,
        group_id=group,
        type_code="ISSUE",
        severity_code="HIGH",
        category_code="OTHER",
        subject=DEMO_SUBJECT,
        content=DEMO_CONTENT,
        company_name="Demo Company",
    )
    return_movement = double.add_movement(
        product,
        returns,
        2,
        3,
        origin_type="reception",
        origin_id=1,
        label="Reception RCP2612-0001",
    )
    other_movement = double.add_movement(product, main, 5, 0, label="Correction")
    return DemoCompany(
        entity=1,
        warehouse_id=returns,
        other_warehouse_id=main,
        product_id=product,
        assignee_id=assignee,
        group_id=group,
        active_member_id=active,
        inactive_member_id=inactive,
        no_email_member_id=no_email,
        return_movement_id=return_movement,
        other_movement_id=other_movement,
    )
