"""The JSON Schemas shared with the Dolibarr module, loaded from the installed package.

Each schema is compiled once into a validator; :func:`validate` is the only way a
message or an endpoint answer enters the typed world.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Final

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from .errors import InvalidMessage

EVENT: Final = "stock-movement-event.v1"
MAIL_JOB: Final = "mail-job.v1"
MODULE_CONFIG: Final = "module-config.v1"
TICKET_CREATE_REQUEST: Final = "ticket-create-request.v1"
TICKET_CREATE_RESPONSE: Final = "ticket-create-response.v1"

SCHEMA_NAMES: Final = (
    EVENT,
    MAIL_JOB,
    MODULE_CONFIG,
    TICKET_CREATE_REQUEST,
    TICKET_CREATE_RESPONSE,
)


def schema_dir() -> Traversable:
    """Where the schemas live: inside the installed package, or the checkout's own.

    A wheel carries them as ``ticketstock/schemas``; an editable install leaves them
    at the top of the checkout, two folders above this file.
    """
    packaged = files("ticketstock") / "schemas"
    if packaged.is_dir():
        return packaged
    return files("ticketstock") / ".." / ".." / "schemas"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema file ``<name>.schema.json``."""
    path = schema_dir() / f"{name}.schema.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"schema {name!r} is not in the installed package; reinstall ticketstock"
        )
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _registry() -> Registry:
    resources = [
        (load_schema(name)["$id"], Resource.from_contents(load_schema(name)))
        for name in SCHEMA_NAMES
    ]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """The compiled validator of one schema, built on first use and kept."""
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=FormatChecker()
    )


def validate(name: str, document: object) -> None:
    """Raise :class:`InvalidMessage` with a one-line reason if ``document`` breaks ``name``."""
    error = best_match(validator(name).iter_errors(document))
    if error is None:
        return
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    raise InvalidMessage(f"{name} invalid at {where}: {_short(error.message)}")


# Events and mail jobs are a few kilobytes; anything near this is not one of them,
# and parsing it would hold the event loop for seconds.
MAX_MESSAGE_BYTES: Final = 1_048_576
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89abcdefABCDEF]")


def decode_json(body: bytes, name: str) -> Any:
    """Parse a message body as strict UTF-8 JSON, or raise :class:`InvalidMessage`.

    Strict means what JSON itself allows and no more: no NaN or Infinity, no lone
    UTF-16 surrogates, no nesting or numbers so large that parsing them fails.
    """
    if len(body) > MAX_MESSAGE_BYTES:
        raise InvalidMessage(f"{name} is {len(body)} bytes, over {MAX_MESSAGE_BYTES}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMessage(
            f"{name} is not UTF-8: {exc.reason} at byte {exc.start}"
        ) from exc
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidMessage(
            f"{name} is not JSON: {exc.msg} at char {exc.pos}"
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise InvalidMessage(
            f"{name} cannot be parsed: {type(exc).__name__}: {exc}"
        ) from exc
    # Only a \uD800-\uDFFF escape can smuggle a lone surrogate in; re-encoding the
    # whole document to look for one is left to the rare body that has such escapes.
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidMessage(f"{name} holds a lone surrogate (\\u escape)") from exc
    return document


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _short(text: str, limit: int = 200) -> str:
    """Cut a validator message that quotes a huge value down to one readable line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
