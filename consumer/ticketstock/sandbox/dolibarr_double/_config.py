"""The answer of ``GET /ticketstock/config``: one entity's module settings, resolved.

The module resolves ids into the rows a consumer needs (warehouses, the assignee,
the group's active members) so one call is enough per entity. Ids are integers
unless the entity was configured with ``ids_as_strings``, which the schema allows
because Dolibarr's own reads write numbers as strings.
"""

from __future__ import annotations

from typing import Any

from ._bodies import TICKET_CATEGORIES, TICKET_SEVERITIES, TICKET_TYPES
from ._records import EntityConfig, User
from ._store import Store

SCHEMA_VERSION = 1


def config_document(
    store: Store, entity: int, *, ticket_url_base: str, module_version: str
) -> dict[str, Any]:
    """The document for ``entity``; an entity never configured answers disabled."""
    config = store.configs.get(entity)
    if config is None:
        return _unconfigured(entity, ticket_url_base, module_version)

    ident = str if config.ids_as_strings else int
    group = store.groups.get(config.group_id or 0)
    assignee = store.users.get(config.assignee_id or 0)
    members = sorted(group.member_ids) if group is not None else []
    active = [store.users[i] for i in members if i in store.users]
    return {
        "schema_version": SCHEMA_VERSION,
        "entity": ident(entity),
        "module_version": module_version,
        "enabled": config.enabled,
        "warehouses": [
            {"id": ident(w.id), "ref": w.ref, "label": w.label}
            for w in (store.warehouses[i] for i in config.warehouse_ids)
        ],
        "assignee": None if assignee is None else _user(assignee, ident),
        "group": None if group is None else {"id": ident(group.id), "name": group.name},
        "contacts": [_user(user, ident) for user in active if user.active],
        "contact_role": config.contact_role,
        "ticket": _ticket_settings(config),
        "ticket_url_base": ticket_url_base,
        "language": config.language,
        "company_name": config.company_name,
    }


def _user(user: User, ident: type[int] | type[str]) -> dict[str, Any]:
    return {
        "id": ident(user.id),
        "login": user.login,
        "name": user.full_name,
        "email": user.email,
    }


def _ticket_settings(config: EntityConfig) -> dict[str, Any]:
    return {
        "type": _coded(config.type_code, TICKET_TYPES),
        "severity": _coded(config.severity_code, TICKET_SEVERITIES),
        "category": _coded(config.category_code, TICKET_CATEGORIES),
        "subject": config.subject,
        "content": config.content,
    }


def _coded(code: str, labels: dict[str, str]) -> dict[str, str]:
    return {"code": code, "label": labels.get(code, "")}


def _unconfigured(entity: int, url: str, module_version: str) -> dict[str, Any]:
    nothing = {"code": "", "label": ""}
    return {
        "schema_version": SCHEMA_VERSION,
        "entity": entity,
        "module_version": module_version,
        "enabled": False,
        "warehouses": [],
        "assignee": None,
        "group": None,
        "contacts": [],
        "contact_role": "CONTRIBUTOR",
        "ticket": {
            "type": nothing,
            "severity": nothing,
            "category": nothing,
            "subject": "",
            "content": "",
        },
        "ticket_url_base": url,
        "language": "en_US",
        "company_name": "",
    }
