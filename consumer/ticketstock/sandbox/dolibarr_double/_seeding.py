"""Seeding the double's database the way an administrator would fill Dolibarr.

Ids are Dolibarr's auto-increments unless given; user 1 is the API user, so the
first seeded user is 2, as in the recorded instance.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ._demo import DemoCompany, seed_demo
from ._records import EntityConfig, Group, Movement, Product, User, Warehouse
from ._store import Store


class Seeding:
    """The seeding half of :class:`DolibarrDouble`, over its store."""

    _store: Store

    def add_user(
        self,
        login: str,
        firstname: str = "",
        lastname: str = "",
        email: str | None = None,
        *,
        active: bool = True,
        entity: int = 1,
        id: int | None = None,
    ) -> int:
        user_id = self._store.allocate("user", id)
        user = User(user_id, login, firstname, lastname, email, active, entity)
        self._store.users[user_id] = user
        return user_id

    def add_group(
        self,
        name: str,
        member_ids: Iterable[int] = (),
        *,
        entity: int = 1,
        id: int | None = None,
    ) -> int:
        members = tuple(dict.fromkeys(member_ids))
        unknown = [user_id for user_id in members if user_id not in self._store.users]
        if unknown:
            raise ValueError(f"no users {unknown} to put in group {name!r}")
        group_id = self._store.allocate("group", id)
        self._store.groups[group_id] = Group(group_id, name, members, entity)
        return group_id

    def add_warehouse(
        self,
        ref: str,
        label: str | None = None,
        *,
        entity: int = 1,
        id: int | None = None,
    ) -> int:
        warehouse_id = self._store.allocate("warehouse", id)
        warehouse = Warehouse(warehouse_id, ref, label, entity)
        self._store.warehouses[warehouse_id] = warehouse
        return warehouse_id

    def add_product(
        self,
        ref: str,
        label: str = "",
        *,
        id: int | None = None,
    ) -> int:
        product_id = self._store.allocate("product", id)
        self._store.products[product_id] = Product(product_id, ref, label)
        return product_id

    def add_movement(
        self,
        product_id: int,
        warehouse_id: int,
        qty: float,
        type: int,
        *,
        movement_id: int | None = None,
        origin_type: str | None = None,
        origin_id: int | None = None,
        label: str = "",
        batch: str = "",
        datem: int | None = None,
    ) -> int:
        """Record a committed movement; its product and warehouse must exist."""
        if product_id not in self._store.products:
            raise ValueError(f"no product {product_id}")
        if warehouse_id not in self._store.warehouses:
            raise ValueError(f"no warehouse {warehouse_id}")
        if float(qty) == 0:
            raise ValueError("Dolibarr refuses a movement of quantity 0")
        new_id = self._store.allocate("movement", movement_id)
        self._store.movements[new_id] = Movement(
            id=new_id,
            product_id=product_id,
            warehouse_id=warehouse_id,
            qty=float(qty),
            type=int(type),
            origin_type=origin_type,
            origin_id=origin_id,
            label=label,
            batch=batch,
            datem=int(time.time()) if datem is None else int(datem),
        )
        return new_id

    def add_movements(
        self,
        first_id: int,
        count: int,
        product_id: int,
        warehouse_id: int,
        qty: float = 1,
        type: int = 3,
    ) -> range:
        """``count`` movements with consecutive ids, for benchmarks."""
        ids = range(first_id, first_id + count)
        for movement_id in ids:
            self.add_movement(
                product_id, warehouse_id, qty, type, movement_id=movement_id
            )
        return ids

    def remove_movement(self, movement_id: int) -> None:
        """Forget a movement, as Dolibarr does when it rolls one back after its
        trigger fired; its id is never reused."""
        if self._store.movements.pop(movement_id, None) is None:
            raise KeyError(f"no movement {movement_id}")

    def configure(
        self,
        entity: int = 1,
        *,
        warehouses: Iterable[int],
        assignee_id: int | None,
        group_id: int | None,
        type_code: str,
        severity_code: str,
        category_code: str,
        subject: str,
        content: str,
        contact_role: str = "CONTRIBUTOR",
        language: str = "en_US",
        company_name: str = "",
        enabled: bool = True,
        ids_as_strings: bool = False,
    ) -> None:
        """Save the module's setup page for ``entity``; unknown ids or codes fail."""
        config = EntityConfig(
            entity=entity,
            enabled=enabled,
            warehouse_ids=tuple(warehouses),
            assignee_id=assignee_id,
            group_id=group_id,
            type_code=type_code,
            severity_code=severity_code,
            category_code=category_code,
            subject=subject,
            content=content,
            contact_role=contact_role,
            language=language,
            company_name=company_name,
            ids_as_strings=ids_as_strings,
        )
        self._store.check_config(config)
        self._store.configs[entity] = config

    def seed_demo(self) -> DemoCompany:
        """Set entity 1 up as a small company that watches its returns warehouse."""
        return seed_demo(self)
