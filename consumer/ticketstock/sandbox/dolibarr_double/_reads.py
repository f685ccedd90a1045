"""Core reads of tickets and stock movements, key for key as Dolibarr 23 answers them.

Each read starts from a template holding the recorded order of keys and the values
of the fields the double does not model; ``dict.update`` keeps that order while the
modelled fields are filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._bodies import (
    TICKET_CATEGORIES,
    TICKET_SEVERITIES,
    TICKET_TYPES,
    contact_type,
    number_text,
)
from ._records import API_USER_ID, API_USER_NAME, Contact, Movement, Ticket, User

_COMMON_HEAD: Final[dict[str, Any]] = {
    "module": None,
    "id": None,
    "entity": None,
    "import_key": None,
    "array_options": (),
    "array_languages": None,
    "contacts_ids": None,
    "contacts_ids_internal": None,
    "linkedObjectsIds": None,
}

_TICKET: Final[dict[str, Any]] = {
    **_COMMON_HEAD,
    **dict.fromkeys(("fk_project", "user", "product", "origin_type", "origin_id")),
    "ref": None,
    "status": "0",
    **dict.fromkeys(
        (
            "state_id",
            "region_id",
            "demand_reason_id",
            "transport_mode_id",
            "shipping_method",
            "fk_multicurrency",
        )
    ),
    "model_pdf": "",
    **dict.fromkeys(("last_main_doc", "lines", "actiontypecode")),
    "comments": (),
    "civility_code": None,
    "date_creation": None,
    "date_validation": "",
    "date_modification": None,
    "tms": None,
    **dict.fromkeys(
        (
            "date_cloture",
            "user_creation_id",
            "user_validation_id",
            "user_closing_id",
            "user_modification_id",
            "fk_user_creat",
            "fk_user_modif",
        )
    ),
    "specimen": 0,
    **dict.fromkeys(("totalpaid", "totalpaid_multicurrency")),
    "extraparams": (),
    **dict.fromkeys(
        (
            "cond_reglement_supplier_id",
            "deposit_percent",
            "retained_warranty_fk_cond_reglement",
            "warehouse_id",
            "track_id",
            "fk_soc",
            "socid",
            "fk_contract",
            "origin_email",
        )
    ),
    "fk_user_create": str(API_USER_ID),
    **dict.fromkeys(("fk_user_assign", "subject", "message", "private")),
    "fk_statut": "0",
    "resolution": None,
    "progress": "0",
    **dict.fromkeys(
        (
            "timing",
            "type_code",
            "category_code",
            "severity_code",
            "type_label",
            "category_label",
            "severity_label",
            "email_from",
            "origin_replyto",
            "origin_references",
            "datec",
        )
    ),
    "date_read": "",
    "date_last_msg_sent": "",
    "date_close": "",
    "notify_tiers_at_create": None,
    "email_msgid": None,
    "email_date": "",
    "ip": None,
}


def ticket_read(
    ticket: Ticket, users: Mapping[int, User], *, contact_list: int | None
) -> dict[str, Any]:
    """One ticket as ``GET /tickets/{id}`` answers it, or as a list item (None).

    ``contact_list`` 1 lists internal contacts as id strings, 0 as contact rows; a
    list item has neither, nor the ticket's messages. Contacts whose user does not
    exist are left out, since Dolibarr finds them through a join on the users.
    """
    read = dict(_TICKET)
    read.update(_ticket_fields(ticket))
    if contact_list is not None:
        known = [contact for contact in ticket.contacts if contact.user_id in users]
        read["contacts_ids"] = []
        read["contacts_ids_internal"] = [
            str(contact.user_id)
            if contact_list
            else _contact_row(ticket, contact, users[contact.user_id])
            for contact in known
        ]
    assignee = users.get(ticket.fk_user_assign or 0)
    if assignee is not None:
        read["fk_user_assign_string"] = assignee.full_name
    if contact_list is not None:
        read["messages"] = [_creation_message(ticket)]
    return read


def _ticket_fields(ticket: Ticket) -> dict[str, Any]:
    assign = ticket.fk_user_assign
    return {
        "id": str(ticket.id),
        "entity": str(ticket.entity),
        "ref": ticket.ref,
        "date_creation": ticket.datec,
        "date_modification": ticket.datec,
        "tms": ticket.datec,
        "track_id": ticket.track_id,
        "fk_user_assign": None if assign is None else str(assign),
        "subject": ticket.subject,
        "message": ticket.message,
        "type_code": ticket.type_code,
        "category_code": ticket.category_code,
        "severity_code": ticket.severity_code,
        "type_label": TICKET_TYPES.get(ticket.type_code or ""),
        "category_label": TICKET_CATEGORIES.get(ticket.category_code or ""),
        "severity_label": TICKET_SEVERITIES.get(ticket.severity_code or ""),
        "datec": ticket.datec,
    }


def _contact_row(ticket: Ticket, contact: Contact, user: User) -> dict[str, Any]:
    type_id, type_label = contact_type(contact.role)
    return {
        "parentId": str(ticket.id),
        "source": "internal",
        "socid": "-1",
        "id": str(user.id),
        "nom": user.lastname,
        "civility": "",
        "lastname": user.lastname,
        "firstname": user.firstname,
        "email": user.email,
        "address": "",
        "zip": "",
        "town": "",
        "country_id": None,
        "country": None,
        "login": user.login,
        "photo": "",
        "gender": "",
        "statuscontact": "1" if user.active else "0",
        "rowid": str(contact.row_id),
        "code": contact.role,
        "libelle": type_label,
        "status": 4,
        "fk_c_type_contact": type_id,
    }


def _creation_message(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": str(ticket.agenda_id),
        "fk_user_action": str(API_USER_ID),
        "fk_user_action_socid": None,
        "fk_user_action_string": API_USER_NAME,
        "message": f"Ticket {ticket.ref} created",
        "datec": ticket.datec,
        "private": 0,
    }


_MOVEMENT: Final[dict[str, Any]] = {
    **_COMMON_HEAD,
    "product": None,
    "origin_type": "",
    "origin_id": "0",
    **dict.fromkeys(
        (
            "ref",
            "ref_ext",
            "statut",
            "status",
            "state_id",
            "region_id",
            "demand_reason_id",
            "transport_mode_id",
            "shipping_method",
            "fk_multicurrency",
            "multicurrency_code",
            "multicurrency_tx",
            "multicurrency_total_ht",
            "multicurrency_total_tva",
            "multicurrency_total_localtax1",
            "multicurrency_total_localtax2",
            "multicurrency_total_ttc",
            "last_main_doc",
            "actiontypecode",
            "civility_code",
            "date_creation",
            "date_validation",
            "date_modification",
            "tms",
            "date_cloture",
            "user_creation_id",
            "user_validation_id",
            "user_closing_id",
            "user_modification_id",
            "fk_user_creat",
            "fk_user_modif",
        )
    ),
    "specimen": 0,
    **dict.fromkeys(("totalpaid", "totalpaid_multicurrency")),
    "extraparams": (),
    **dict.fromkeys(
        (
            "cond_reglement_supplier_id",
            "deposit_percent",
            "retained_warranty_fk_cond_reglement",
            "warehouse_id",
            "product_id",
            "entrepot_id",
            "qty",
            "type",
            "datem",
            "price",
        )
    ),
    "fk_user_author": str(API_USER_ID),
    "label": "",
    "fk_origin": "0",
    "origintype": "",
    "line_id_oject_src": None,
    "line_id_oject_origin": None,
    "inventorycode": "",
    "movementcode": "",
    "batch": "",
    "line_id_object_src": None,
    "line_id_object_origin": None,
    "eatby": "",
    "sellby": "",
}


def movement_read(movement: Movement) -> dict[str, Any]:
    """One movement as ``GET /stockmovements/{id}`` answers it (no entity: none)."""
    read = dict(_MOVEMENT)
    origin_type = movement.origin_type or ""
    origin_id = str(movement.origin_id or 0)
    read.update(
        {
            "id": str(movement.id),
            "origin_type": origin_type,
            "origin_id": origin_id,
            "tms": movement.datem,
            "warehouse_id": str(movement.warehouse_id),
            "product_id": str(movement.product_id),
            "qty": number_text(movement.qty),
            "type": str(movement.type),
            "datem": movement.datem,
            "label": movement.label,
            "fk_origin": origin_id,
            "origintype": origin_type,
            "batch": movement.batch,
        }
    )
    return read
