"""A Dolibarr 23 with the TicketStock module, in memory, for tests and benchmarks.

It answers Dolibarr's REST paths under ``/api/index.php`` as the recorded samples
in ``shared/dolibarr-api-samples`` do (status codes, error bodies, ids as strings
in reads, bare integers from creates) and the module's two endpoints as
``schemas/README.md`` specifies. It listens on loopback only.

In-process::

    async with DolibarrDouble(api_key="secret") as double:
        demo = double.seed_demo()
        ...  # point a client at double.base_url
        assert len(double.tickets) == 1

As a process::

    python -m ticketstock.sandbox.dolibarr_double --port 8088 --api-key KEY \\
        [--host 127.0.0.1] [--seed-demo] [--delay-ms N] [--main-url URL]

It prints its root URL (``http://127.0.0.1:<port>``) as the first line on stdout
and stops cleanly on SIGTERM or SIGINT.

Dolibarr paths served (``DOLAPIKEY`` header or ``?DOLAPIKEY=`` on all but status;
``DOLAPIENTITY`` picks the entity, 1 by default):

- ``GET /status``
- ``GET /ticketstock/config``, ``POST /ticketstock/tickets`` (the module)
- ``GET /tickets`` (``sqlfilters``, ``sortfield``, ``sortorder``, ``limit``,
  ``page``), ``POST /tickets``, ``GET /tickets/{id}`` (``contact_list``),
  ``GET /tickets/track_id/{track_id}``
- ``GET /stockmovements`` (same list parameters), ``GET /stockmovements/{id}``

Any other path under ``/api/index.php`` answers Restler's route-stage 404. Lists
show the requested entity's rows; reads by id or track id are not scoped, and
the track id is unique across entities, as in Dolibarr.

Control API (no key, never counted, never faulted; JSON bodies; 400 with
``{"error": "..."}`` when a body cannot be applied):

``GET /_double/state`` (``?tickets=0`` leaves the ticket list empty)
    ``{"ticket_count": 1, "tickets": [...], "calls": {"POST
    /api/index.php/ticketstock/tickets": 3}, "faults": {...}}``; each ticket as
    stored: id, entity, ref, track_id, subject, message, the three codes,
    fk_user_assign, contacts (user_id, role), contact_ids, movement_id, origin,
    source (``module`` or ``core``), datec, agenda_id.

``POST /_double/seed``
    ``{"demo": true, "users": [...], "groups": [...], "warehouses": [...],
    "products": [...], "movements": [...], "movement_ranges": [...],
    "remove_movements": [ids], "configs": [...]}``, applied in that order; each
    item holds the keyword arguments of the matching method (``add_user``,
    ``add_group``, ``add_warehouse``, ``add_product``, ``add_movement``,
    ``add_movements``, ``configure``). Answers the ids created under the same
    keys (a movement range as ``[first, last]``) and ``demo`` as
    :class:`DemoCompany`. Items before a failing one stay applied.

``POST /_double/faults``
    ``{"clear": true, "delay_ms": 20, "fail": {"status": 503, "count": 2,
    "path": "/api/index.php/ticketstock/tickets", "method": "POST",
    "message": "...", "retry_after": 1}, "hang": {"seconds": 5, "count": 1,
    "path": ...}, "ref_collisions": 3}``; ``fail`` and ``hang`` may be lists,
    ``count`` null means until cleared, ``clear`` is applied first. Answers the
    armed faults.

``POST /_double/reset``
    ``{"scope": "calls" | "run" | "all"}``: the call counts only; or tickets,
    counts and faults (the default); or everything, seeded rows included.
    Answers the state.
"""

from ._demo import DemoCompany
from ._faults import FaultPlan
from ._records import (
    Contact,
    EntityConfig,
    Group,
    Movement,
    Product,
    Ticket,
    User,
    Warehouse,
)
from ._server import DEFAULT_MODULE_VERSION, DolibarrDouble, require_loopback

__all__ = [
    "DEFAULT_MODULE_VERSION",
    "Contact",
    "DemoCompany",
    "DolibarrDouble",
    "EntityConfig",
    "FaultPlan",
    "Group",
    "Movement",
    "Product",
    "Ticket",
    "User",
    "Warehouse",
    "require_loopback",
]
