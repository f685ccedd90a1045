"""The module in the Dolibarr under test: installed, enabled, set up, then put back.

Everything is recorded before it is changed, and each change registers its own
undo, so that the Dolibarr is left as the suite found it: the module's folder in
``custom/`` (the repository's copy goes in only when another or none is there),
whether it is enabled, its constants in the entity, its health file, and the
outbox table and installation id when the suite was the one to create them.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .dolibarr import AdminHelper

REPOSITORY_MODULE = (
    Path(__file__).resolve().parents[2] / "publisher_plugin" / "ticketstock"
)


def install(stack: ExitStack, custom_dir: Path) -> tuple[Path, str]:
    """Put the repository's module into ``custom/``; the folder and what was done."""
    target = custom_dir / "ticketstock"
    if target.resolve() == REPOSITORY_MODULE:
        return target, f"already in {target} (links to the repository)"
    saved: Path | None = None
    if target.exists() or target.is_symlink():
        saved = Path(tempfile.mkdtemp(prefix="ticketstock-e2e-saved-")) / "ticketstock"
        shutil.move(target, saved)
    shutil.copytree(REPOSITORY_MODULE, target)
    stack.callback(_uninstall, target, saved)
    if saved is None:
        return target, f"copied into {target}, removed afterwards"
    return target, f"copied into {target}; the one there waits in {saved}"


def _uninstall(target: Path, saved: Path | None) -> None:
    shutil.rmtree(target)
    if saved is not None:
        shutil.move(saved, target)
        saved.parent.rmdir()


def enable(stack: ExitStack, helper: AdminHelper, before: dict[str, Any]) -> str:
    """Enable the module unless it is; disable it afterwards if it was not."""
    if before["module_enabled"]:
        return "already enabled"
    helper.run("enable")
    stack.callback(helper.run, "disable")
    return "enabled, disabled afterwards"


def restore(helper: AdminHelper, before: dict[str, Any]) -> None:
    """Constants, health file, table and installation id as ``state`` saw them."""
    helper.run(
        "restore",
        constants=before["constants"],
        health=before["health"],
        drop_outbox=not before["outbox_table"],
        delete_instance_id=not before["instance_id"],
    )


def broker_fields(amqp_url: str, exchange: str) -> dict[str, str]:
    """The setup page's broker fields for the broker the consumer uses."""
    parts = urlsplit(amqp_url)
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    return {
        "broker_host": parts.hostname or "127.0.0.1",
        "broker_port": str(parts.port or 5672),
        "broker_vhost": vhost,
        "broker_login": unquote(parts.username or "guest"),
        "broker_password": unquote(parts.password or "guest"),
        "broker_tls": "0",
        "broker_ca_file": "",
        "broker_verify_peer": "1",
        "broker_exchange": exchange,
        "broker_timeout": "1",
        "broker_pause": "60",
        "broker_probe": "1",
    }


def pick_code(entries: list[dict[str, Any]]) -> tuple[str, str]:
    """A code (and label) of a ticket dictionary, avoiding its default when it can.

    A ticket showing a code that is not the dictionary's default proves the setting
    reached it, not Dolibarr's fallback.
    """
    active = [e for e in entries if str(e.get("active", "1")) == "1"] or entries
    chosen = next((e for e in active if str(e.get("use_default")) != "1"), active[0])
    return str(chosen["code"]), str(chosen.get("label") or chosen["code"])
