"""The real Dolibarr, seen two ways: its REST API, and a PHP helper for the rest.

The REST API does what a user or an integration would: create warehouses and
products, move stock, read tickets back. The helper (``dolibarr_admin.php``) does
what the API cannot: enable the module, save its setup, transfer stock as the UI
does, read the outbox, and delete what the suite made.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

HELPER = Path(__file__).with_name("dolibarr_admin.php")


class DolibarrError(AssertionError):
    """Dolibarr answered something else than what the suite asked for."""


class DolibarrApi:
    """Dolibarr's REST API with one user's API key."""

    def __init__(self, url: str, api_key: str) -> None:
        self._client = httpx.Client(
            base_url=f"{url.rstrip('/')}/api/index.php",
            headers={"DOLAPIKEY": api_key, "Accept": "application/json"},
            timeout=30.0,
            trust_env=False,  # loopback only, whatever proxy the shell has
        )

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        return self._client.request(method, path, **options)

    def call(self, method: str, path: str, **options: Any) -> Any:
        """The decoded answer; a non-2xx status fails with Dolibarr's message."""
        response = self.request(method, path, **options)
        if response.status_code >= 300:
            raise DolibarrError(
                f"{method} {path}: HTTP {response.status_code} {response.text[:300]}"
            )
        return response.json()

    def whoami(self) -> dict[str, Any]:
        info: dict[str, Any] = self.call("GET", "/users/info")
        return info

    def create_warehouse(self, ref: str, label: str) -> int:
        body = {"ref": ref, "label": ref, "lieu": label, "statut": 1}
        return int(self.call("POST", "/warehouses", json=body))

    def create_product(self, ref: str, label: str, *, serial: bool = False) -> int:
        body = {
            "ref": ref,
            "label": label,
            "type": 0,
            "status": 1,
            "status_buy": 1,
            "status_batch": 2 if serial else 0,
        }
        return int(self.call("POST", "/products", json=body))

    def move(
        self,
        product_id: int,
        warehouse_id: int,
        qty: float,
        label: str,
        *,
        batch: str | None = None,
    ) -> httpx.Response:
        """POST /stockmovements; the response as it came (a refusal is a result here)."""
        body: dict[str, Any] = {
            "product_id": product_id,
            "warehouse_id": warehouse_id,
            "qty": qty,
            "label": label,
            "movementcode": "E2E",
        }
        if batch is not None:
            body["batch"] = batch
        return self.request("POST", "/stockmovements", json=body)

    def movement_exists(self, movement_id: int) -> bool:
        response = self.request("GET", f"/stockmovements/{movement_id}")
        if response.status_code == 404:
            return False
        if response.status_code >= 300:
            raise DolibarrError(f"GET /stockmovements/{movement_id}: {response.text}")
        return True

    def tickets_with_track_ids(self, track_ids: Iterable[str]) -> list[dict[str, Any]]:
        quoted = ",".join(f"'{track}'" for track in track_ids)
        filters = f"(t.track_id:in:{quoted})"
        tickets: list[dict[str, Any]] = self.call(
            "GET", "/tickets", params={"sqlfilters": filters, "limit": 100}
        )
        return tickets

    def ticket(self, ticket_id: int | str) -> dict[str, Any]:
        """One ticket with its contacts' details (``contact_list=0``)."""
        ticket: dict[str, Any] = self.call(
            "GET", f"/tickets/{ticket_id}", params={"contact_list": 0}
        )
        return ticket

    def dictionary(self, name: str) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.call("GET", f"/setup/dictionary/{name}")
        return entries

    def module_config(self) -> dict[str, Any]:
        config: dict[str, Any] = self.call("GET", "/ticketstock/config")
        return config


class AdminHelper:
    """``php dolibarr_admin.php`` on one Dolibarr, entity and administrator."""

    def __init__(self, php: str, htdocs: Path, entity: int, login: str) -> None:
        self._php = php
        self._htdocs = htdocs
        self._entity = entity
        self._login = login

    def run(self, command: str, **arguments: Any) -> dict[str, Any]:
        argv = [
            self._php,
            str(HELPER),
            str(self._htdocs),
            str(self._entity),
            self._login,
            command,
        ]
        done = subprocess.run(
            argv,
            input=json.dumps(arguments),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        answer = _last_json_line(done.stdout)
        if answer is None or not answer.get("ok"):
            reason = answer.get("error") if answer else done.stdout + done.stderr
            raise DolibarrError(f"dolibarr_admin.php {command}: {reason}".strip())
        return answer

    def publish_outbox(self, module_dir: Path) -> tuple[int, str]:
        """Run the module's own cron script once, as the system cron would."""
        script = module_dir / "scripts" / "ticketstock_publish.php"
        env = {**os.environ, "DOLIBARR_HTDOCS": str(self._htdocs)}
        done = subprocess.run(
            [self._php, str(script), str(self._entity)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        return done.returncode, (done.stdout + done.stderr).strip()


def _last_json_line(text: str) -> dict[str, Any] | None:
    """The helper's answer: its last line (Dolibarr may print warnings before it)."""
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                answer: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError:
                return None
            return answer
    return None
