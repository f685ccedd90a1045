"""The Dolibarr double answers like the recorded Dolibarr 23 and the module contract.

Every test talks real HTTP over loopback. Recorded answers are read from the
shared samples at test time, so a new recording is checked without editing here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import ticketstock
from ticketstock.contract import (
    MODULE_CONFIG,
    TICKET_CREATE_RESPONSE,
    validate,
)
from ticketstock.sandbox.dolibarr_double import DemoCompany, DolibarrDouble

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "dolibarr-api-samples"
API_KEY = "double-test-key-0123456789"
MAIN_URL = "https://erp.example.com"
MODULE_TICKETS = "/api/index.php/ticketstock/tickets"


def recorded(name: str) -> dict[str, Any]:
    """One sample file: method, path, request_body, status, response_body."""
    if not SAMPLES.is_dir():
        pytest.fail(
            f"the recorded Dolibarr samples are not at {SAMPLES}: clone the repository"
            " beside the shared/ folder (as CI does) to run these tests"
        )
    sample: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return sample


@pytest.fixture
async def dolibarr() -> AsyncIterator[DolibarrDouble]:
    async with DolibarrDouble(API_KEY, main_url=MAIN_URL) as double:
        yield double


@pytest.fixture
def demo(dolibarr: DolibarrDouble) -> DemoCompany:
    return dolibarr.seed_demo()


@pytest.fixture
async def api(dolibarr: DolibarrDouble) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"DOLAPIKEY": API_KEY}
    async with httpx.AsyncClient(base_url=dolibarr.api_url, headers=headers) as client:
        yield client


def create_body(demo: DemoCompany, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "track_id": "ts-0123456789abcdef",
        "movement_id": demo.return_movement_id,
        "subject": "Return into WH-RETURNS",
        "message": "2 x HEADSET-200",
        "type_code": "ISSUE",
        "severity_code": "HIGH",
        "category_code": "OTHER",
        "fk_user_assign": demo.assignee_id,
        "contact_ids": [demo.active_member_id, demo.no_email_member_id],
    }
    body.update(changes)
    return body


# -- status and authentication ---------------------------------------------------


async def test_status_needs_no_key_and_has_the_recorded_fields(
    dolibarr: DolibarrDouble,
) -> None:
    expected = recorded("get_status.json")["response_body"]["success"]

    async with httpx.AsyncClient(base_url=dolibarr.api_url) as client:
        response = await client.get("/status")

    assert response.status_code == 200
    success = response.json()["success"]
    assert list(success) == list(expected)
    assert success["dolibarr_version"] == expected["dolibarr_version"]
    assert abs(success["timestamp_now_utc"] - time.time()) < 5


@pytest.mark.parametrize(
    ("sample", "headers"),
    [
        ("error_no_apikey.json", {}),
        ("error_bad_apikey.json", {"DOLAPIKEY": "not-the-key"}),
    ],
)
async def test_a_missing_or_wrong_key_gets_the_recorded_401_body(
    dolibarr: DolibarrDouble, sample: str, headers: dict[str, str]
) -> None:
    expected = recorded(sample)

    async with httpx.AsyncClient(base_url=dolibarr.base_url) as client:
        response = await client.get(expected["path"], headers=headers)

    assert response.status_code == expected["status"] == 401
    assert response.json() == expected["response_body"]


async def test_the_wrong_key_message_names_the_requested_entity(
    dolibarr: DolibarrDouble,
) -> None:
    headers = {"DOLAPIKEY": "not-the-key", "DOLAPIENTITY": "3"}

    async with httpx.AsyncClient(base_url=dolibarr.api_url) as client:
        response = await client.get("/ticketstock/config", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["message"].endswith("(conf->entity=3)")


async def test_the_key_is_also_accepted_as_a_url_parameter(
    dolibarr: DolibarrDouble,
) -> None:
    async with httpx.AsyncClient(base_url=dolibarr.api_url) as client:
        response = await client.get("/tickets", params={"DOLAPIKEY": API_KEY})

    assert response.status_code == 200


# -- the module's configuration --------------------------------------------------


async def test_demo_config_validates_and_lists_only_the_groups_active_members(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    response = await api.get("/ticketstock/config")

    assert response.status_code == 200
    config = response.json()
    validate(MODULE_CONFIG, config)
    assert config["enabled"] is True
    assert config["entity"] == 1
    assert config["warehouses"] == [
        {"id": demo.warehouse_id, "ref": "WH-RETURNS", "label": "Returned goods"}
    ]
    assert config["assignee"]["id"] == demo.assignee_id
    assert config["assignee"]["email"]
    member_ids = [contact["id"] for contact in config["contacts"]]
    assert member_ids == [demo.active_member_id, demo.no_email_member_id]
    assert config["contacts"][1]["email"] == ""
    assert config["ticket_url_base"] == f"{MAIN_URL}/ticket/card.php"


async def test_demo_ticket_labels_are_the_recorded_dictionary_labels(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    ticket = (await api.get("/ticketstock/config")).json()["ticket"]

    for key, sample in (
        ("type", "get_setup_dictionary_ticket_types.json"),
        ("severity", "get_setup_dictionary_ticket_severities.json"),
        ("category", "get_setup_dictionary_ticket_categories.json"),
    ):
        rows = recorded(sample)["response_body"]
        labels = {row["code"]: row["label"] for row in rows}
        assert ticket[key]["label"] == labels[ticket[key]["code"]]
    assert (ticket["type"]["code"], ticket["type"]["label"]) == (
        "ISSUE",
        "Issue or bug",
    )


async def test_config_ids_may_be_written_as_strings_and_still_validate(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    dolibarr.configure(
        1,
        warehouses=[demo.warehouse_id],
        assignee_id=demo.assignee_id,
        group_id=demo.group_id,
        type_code="ISSUE",
        severity_code="HIGH",
        category_code="OTHER",
        subject="s",
        content="c",
        ids_as_strings=True,
    )

    config = (await api.get("/ticketstock/config")).json()

    validate(MODULE_CONFIG, config)
    assert config["entity"] == "1"
    assert config["warehouses"][0]["id"] == str(demo.warehouse_id)
    assert config["assignee"]["id"] == str(demo.assignee_id)
    assert config["group"]["id"] == str(demo.group_id)


async def test_an_entity_never_configured_answers_disabled(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    response = await api.get("/ticketstock/config", headers={"DOLAPIENTITY": "2"})

    assert response.status_code == 200
    config = response.json()
    validate(MODULE_CONFIG, config)
    assert (config["entity"], config["enabled"]) == (2, False)
    assert config["warehouses"] == []


def test_configure_refuses_a_code_missing_from_the_dictionaries(
    dolibarr: DolibarrDouble, demo: DemoCompany
) -> None:
    with pytest.raises(ValueError, match="ticket type"):
        dolibarr.configure(
            1,
            warehouses=[demo.warehouse_id],
            assignee_id=None,
            group_id=None,
            type_code="NO_SUCH_TYPE",
            severity_code="HIGH",
            category_code="OTHER",
            subject="s",
            content="c",
        )


# -- the module's ticket creation ------------------------------------------------


async def test_a_create_then_a_repeat_answer_created_true_then_false(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    first = await api.post("/ticketstock/tickets", json=create_body(demo))
    again = await api.post(
        "/ticketstock/tickets", json=create_body(demo, subject="changed")
    )

    assert first.status_code == again.status_code == 200
    validate(TICKET_CREATE_RESPONSE, first.json())
    validate(TICKET_CREATE_RESPONSE, again.json())
    assert first.json()["created"] is True
    assert again.json() == first.json() | {"created": False}
    [ticket] = dolibarr.tickets
    assert ticket.subject == "Return into WH-RETURNS"
    assert ticket.source == "module"
    assert ticket.origin == ("reception", 1)


async def test_twenty_concurrent_creates_of_one_track_id_make_one_ticket(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    dolibarr.set_delay(5)

    responses = await asyncio.gather(
        *(api.post("/ticketstock/tickets", json=create_body(demo)) for _ in range(20))
    )

    assert {response.status_code for response in responses} == {200}
    created = [response.json()["created"] for response in responses]
    assert created.count(True) == 1
    assert {response.json()["id"] for response in responses} == {1}
    assert len(dolibarr.tickets) == 1


async def test_refs_count_per_entity_while_track_ids_are_unique_across_entities(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    entity_2 = {"DOLAPIENTITY": "2"}

    one = await api.post("/ticketstock/tickets", json=create_body(demo))
    two = await api.post(
        "/ticketstock/tickets",
        json=create_body(demo, track_id="ts-entity-two-0000001"),
        headers=entity_2,
    )
    three = await api.post(
        "/ticketstock/tickets",
        json=create_body(demo, track_id="ts-entity-two-0000002"),
        headers=entity_2,
    )
    again = await api.post(
        "/ticketstock/tickets", json=create_body(demo), headers=entity_2
    )

    yymm = time.strftime("%y%m", time.gmtime())
    assert one.json()["ref"] == f"TS{yymm}-0001"
    assert (two.json()["entity"], two.json()["ref"]) == (2, f"TS{yymm}-0001")
    assert three.json()["ref"] == f"TS{yymm}-0002"
    assert [one.json()["id"], two.json()["id"], three.json()["id"]] == [1, 2, 3]
    assert (again.json()["created"], again.json()["entity"]) == (False, 1)
    assert re.fullmatch(r"TS\d{4}-\d{4}", one.json()["ref"])


async def test_an_unknown_movement_answers_404(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    response = await api.post(
        "/ticketstock/tickets", json=create_body(demo, movement_id=999)
    )

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": 404,
        "message": "Not Found: Stock movement 999 not found",
    }


async def test_a_rolled_back_movement_answers_404_and_creates_nothing(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    dolibarr.remove_movement(demo.return_movement_id)

    response = await api.post("/ticketstock/tickets", json=create_body(demo))

    assert response.status_code == 404
    assert dolibarr.tickets == []
    later = dolibarr.add_movement(demo.product_id, demo.warehouse_id, 1, 3)
    assert later > demo.return_movement_id  # a rolled-back id is never reused


@pytest.mark.parametrize(
    "change",
    [
        {"track_id": "short"},
        {"movement_id": "1"},
        {"subject": ""},
        {"contact_ids": [3, 3]},
        {"unexpected": True},
        {"message": None},
    ],
)
async def test_a_body_breaking_the_request_schema_answers_400(
    dolibarr: DolibarrDouble,
    api: httpx.AsyncClient,
    demo: DemoCompany,
    change: dict[str, Any],
) -> None:
    response = await api.post("/ticketstock/tickets", json=create_body(demo, **change))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert error["message"].startswith("Bad Request: ")
    assert dolibarr.tickets == []


async def test_a_broken_json_body_answers_dolibarrs_400_even_to_the_module(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    expected = recorded("error_tickets_invalid_json.json")

    response = await api.post(
        "/ticketstock/tickets", content=expected["request_body"].encode()
    )

    assert response.status_code == 400
    assert response.json() == expected["response_body"]


async def test_ref_and_id_keys_are_replaced_in_subject_and_message(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    body = create_body(
        demo,
        subject="[__REF__] return",
        message="Ticket __TICKET_REF__ (#__ID__), __TICKETSTOCK_QTY__ left as is",
    )

    answer = (await api.post("/ticketstock/tickets", json=body)).json()

    ref, ticket_id = answer["ref"], answer["id"]
    assert answer["subject"] == f"[{ref}] return"
    expected = f"Ticket {ref} (#{ticket_id}), __TICKETSTOCK_QTY__ left as is"
    assert answer["message"] == expected
    assert dolibarr.tickets[0].message == answer["message"]


async def test_the_assignee_is_supporttec_and_contacts_get_the_configured_role(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    body = create_body(demo, contact_ids=[demo.assignee_id, demo.active_member_id])

    answer = (await api.post("/ticketstock/tickets", json=body)).json()

    [ticket] = dolibarr.tickets
    assert {(c.user_id, c.role) for c in ticket.contacts} == {
        (demo.assignee_id, "SUPPORTTEC"),
        (demo.assignee_id, "CONTRIBUTOR"),
        (demo.active_member_id, "CONTRIBUTOR"),
    }
    assert answer["contact_ids"] == [demo.assignee_id, demo.active_member_id]
    assert answer["fk_user_assign"] == demo.assignee_id


# -- core reads ------------------------------------------------------------------


async def test_a_ticket_read_has_the_recorded_keys_and_string_ids(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    expected = recorded("get_tickets_by_id.json")["response_body"]
    await api.post("/ticketstock/tickets", json=create_body(demo))

    read = (await api.get("/tickets/1")).json()

    assert list(read) == list(expected)
    assert (read["id"], read["entity"]) == ("1", "1")
    assert read["fk_user_assign"] == str(demo.assignee_id)
    assert read["contacts_ids_internal"] == [
        str(demo.assignee_id),
        str(demo.active_member_id),
        str(demo.no_email_member_id),
    ]
    assert (read["type_label"], read["severity_label"]) == ("Issue or bug", "High")
    assert read["fk_user_assign_string"] == "Claire Martin"
    assert read["messages"][0]["message"] == f"Ticket {read['ref']} created"


async def test_contact_details_have_the_recorded_keys(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    recorded_read = recorded("get_tickets_by_id_contact_details.json")["response_body"]
    [expected] = recorded_read["contacts_ids_internal"]
    await api.post("/ticketstock/tickets", json=create_body(demo))

    read = (await api.get("/tickets/1", params={"contact_list": "0"})).json()

    supporttec = read["contacts_ids_internal"][0]
    assert list(supporttec) == list(expected)
    assert supporttec["code"] == "SUPPORTTEC"
    assert supporttec["libelle"] == expected["libelle"]
    assert supporttec["id"] == str(demo.assignee_id)


async def test_a_ticket_is_found_by_track_id_and_unknown_ones_get_the_recorded_404(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    await api.post("/ticketstock/tickets", json=create_body(demo))
    by_id = recorded("get_tickets_by_id_not_found.json")
    by_track_id = recorded("get_tickets_by_track_id_not_found.json")

    found = await api.get("/tickets/track_id/ts-0123456789abcdef")
    missing_id = await api.get("/tickets/999999")
    missing_track = await api.get("/tickets/track_id/does-not-exist-20261204150700")

    assert found.json()["id"] == "1"
    assert missing_id.status_code == missing_track.status_code == 404
    assert missing_id.json() == by_id["response_body"]
    assert missing_track.json() == by_track_id["response_body"]


async def test_the_ticket_list_is_scoped_to_the_entity_and_filtered(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    expected_item = recorded("get_tickets_list.json")["response_body"][2]
    for n in range(3):
        body = create_body(demo, track_id=f"ts-list-000000000{n}")
        await api.post("/ticketstock/tickets", json=body)
    other = create_body(demo, track_id="ts-list-other-entity")
    await api.post("/ticketstock/tickets", json=other, headers={"DOLAPIENTITY": "2"})

    listed = (await api.get("/tickets", params={"sortorder": "DESC"})).json()
    filtered = await api.get(
        "/tickets", params={"sqlfilters": "(t.track_id:=:'ts-list-0000000001')"}
    )

    assert [item["id"] for item in listed] == ["3", "2", "1"]
    assert list(listed[0]) == list(expected_item)
    assert [item["id"] for item in filtered.json()] == ["2"]


async def test_a_stock_movement_read_has_the_recorded_keys_and_string_ids(
    api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    expected = recorded("get_stockmovements_by_id.json")["response_body"]

    read = (await api.get(f"/stockmovements/{demo.return_movement_id}")).json()
    missing = await api.get("/stockmovements/999")

    assert list(read) == list(expected)
    assert read["id"] == str(demo.return_movement_id)
    assert read["warehouse_id"] == str(demo.warehouse_id)
    assert (read["qty"], read["type"]) == ("2", "3")
    assert (read["origin_type"], read["origin_id"]) == ("reception", "1")
    assert read["entity"] is None
    assert missing.status_code == 404


async def test_an_unrouted_path_gets_the_recorded_route_404(
    api: httpx.AsyncClient,
) -> None:
    expected = recorded("error_tickets_get_contacts_not_found.json")

    response = await api.get("/tickets/1/contacts")

    assert response.status_code == 404
    assert response.json() == expected["response_body"]


# -- core ticket creation --------------------------------------------------------


async def test_core_create_answers_a_bare_id_then_the_recorded_duplicate_500(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    created = recorded("post_tickets_created.json")
    duplicate = recorded("post_tickets_duplicate_track_id.json")

    first = await api.post("/tickets", json=created["request_body"])
    second = await api.post("/tickets", json=duplicate["request_body"])

    assert first.status_code == 200
    assert first.json() == 1
    assert second.status_code == 500
    assert second.json() == duplicate["response_body"]
    assert dolibarr.tickets[0].source == "core"


@pytest.mark.parametrize(
    "sample",
    ["error_tickets_missing_subject.json", "error_tickets_missing_message.json"],
)
async def test_core_create_without_a_required_field_gets_the_recorded_400(
    api: httpx.AsyncClient, sample: str
) -> None:
    expected = recorded(sample)

    response = await api.post("/tickets", json=expected["request_body"])

    assert response.status_code == 400
    assert response.json() == expected["response_body"]


async def test_core_create_without_track_id_draws_sixteen_lowercase_characters(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    body = recorded("post_tickets_created_auto_track_id.json")["request_body"]

    response = await api.post("/tickets", json=body)

    assert response.status_code == 200
    assert re.fullmatch(r"[a-z0-9]{16}", dolibarr.tickets[0].track_id)


# -- faults ----------------------------------------------------------------------


async def test_a_ref_collision_answers_the_recorded_500_then_a_retry_succeeds(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    expected = recorded("post_tickets_concurrent_ref_collision.json")
    await api.post("/tickets", json={"subject": "first", "message": "m"})
    dolibarr.collide_next_refs(1)

    collided = await api.post("/tickets", json=expected["request_body"])
    retried = await api.post("/tickets", json=expected["request_body"])

    assert collided.status_code == 500
    body = collided.json()
    assert body.keys() == expected["response_body"].keys()
    assert body["error"].keys() == expected["response_body"]["error"].keys()
    assert body["error"]["message"] == "Internal Server Error: Error creating ticket"
    yymm = time.strftime("%y%m", time.gmtime())
    detail = f"Error Duplicate entry 'TS{yymm}-0001-1' for key 'uk_ticket_ref'"
    assert body["error"]["0"] == body["error"]["1"] == detail
    assert (retried.status_code, retried.json()) == (200, 2)


async def test_a_failure_answers_its_status_to_the_next_n_matching_requests(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    dolibarr.fail_next(503, 2, path=MODULE_TICKETS)

    config = await api.get("/ticketstock/config")
    statuses = [
        (await api.post("/ticketstock/tickets", json=create_body(demo))).status_code
        for _ in range(3)
    ]

    assert config.status_code == 200
    assert statuses == [503, 503, 200]
    assert len(dolibarr.tickets) == 1


async def test_a_failure_has_dolibarrs_error_shape_and_an_optional_retry_after(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    dolibarr.fail_next(429, retry_after=2)
    dolibarr.fail_next(
        500, message="Error creating ticket", path="/api/index.php/tickets"
    )

    limited = await api.get("/tickets/1")
    failed = await api.get("/tickets")

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.json() == {"error": {"code": 429, "message": "Too Many Requests"}}
    assert failed.json()["error"] == {
        "code": 500,
        "message": "Internal Server Error: Error creating ticket",
    }


async def test_a_delay_holds_every_answer(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    dolibarr.set_delay(60)

    started = time.perf_counter()
    await api.get("/status")
    elapsed = time.perf_counter() - started

    assert elapsed >= 0.06


async def test_a_hang_makes_the_client_time_out_then_requests_pass(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    dolibarr.hang_next(30, path="/api/index.php/ticketstock/config")

    with pytest.raises(httpx.ReadTimeout):
        await api.get("/ticketstock/config", timeout=0.3)
    after = await api.get("/ticketstock/config", timeout=2)

    assert after.status_code == 200


async def test_a_create_the_client_gave_up_on_is_still_carried_out(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    dolibarr.hang_next(0.3, path=MODULE_TICKETS)

    with pytest.raises(httpx.ReadTimeout):
        await api.post("/ticketstock/tickets", json=create_body(demo), timeout=0.1)
    for _ in range(100):
        if dolibarr.tickets:
            break
        await asyncio.sleep(0.02)
    retried = await api.post("/ticketstock/tickets", json=create_body(demo))

    assert len(dolibarr.tickets) == 1
    assert retried.json()["created"] is False


async def test_stopping_releases_a_hung_request_at_once(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient
) -> None:
    dolibarr.hang_next(30)
    held = asyncio.create_task(api.get("/status", timeout=10))
    for _ in range(500):
        if dolibarr.calls:
            break
        await asyncio.sleep(0.01)

    started = time.perf_counter()
    await dolibarr.stop()
    done, _ = await asyncio.wait({held}, timeout=5)

    assert time.perf_counter() - started < 5
    assert held in done
    # The released request may be answered or cut off; either way it is over.
    assert held.exception() is not None or held.result().status_code == 200


# -- inspection and control ------------------------------------------------------


async def test_calls_are_counted_per_method_and_path_template(
    dolibarr: DolibarrDouble, api: httpx.AsyncClient, demo: DemoCompany
) -> None:
    await api.post("/ticketstock/tickets", json=create_body(demo))
    await api.get("/tickets/1")
    await api.get("/tickets/2")
    await api.get("/tickets/1/contacts")

    assert dolibarr.calls == {
        ("POST", MODULE_TICKETS): 1,
        ("GET", "/api/index.php/tickets/{id}"): 2,
        ("GET", "/api/index.php/{tail}"): 1,
    }
    dolibarr.reset_calls()
    assert dolibarr.calls == {}


async def test_the_control_api_seeds_arms_faults_reports_and_resets(
    dolibarr: DolibarrDouble,
) -> None:
    async with httpx.AsyncClient(base_url=dolibarr.base_url) as control:
        seeded = (await control.post("/_double/seed", json={"demo": True})).json()
        demo = seeded["demo"]
        more = await control.post(
            "/_double/seed",
            json={
                "movement_ranges": [
                    {
                        "first_id": 100,
                        "count": 50,
                        "product_id": demo["product_id"],
                        "warehouse_id": demo["warehouse_id"],
                    }
                ],
                "remove_movements": [120],
            },
        )
        armed = await control.post(
            "/_double/faults", json={"fail": {"status": 503, "count": 1}}
        )
        api = {"DOLAPIKEY": API_KEY}
        url = dolibarr.api_url + "/ticketstock/config"
        refused = await control.get(url, headers=api)
        served = await control.get(url, headers=api)
        state = (await control.get("/_double/state")).json()
        await dolibarr_create(control, demo)
        counted = (await control.get("/_double/state?tickets=0")).json()
        movements = dolibarr.api_url + "/stockmovements/"
        removed = await control.get(movements + "120", headers=api)
        kept = await control.get(movements + "149", headers=api)
        bad = await control.post("/_double/seed", json={"nonsense": []})
        reset = (await control.post("/_double/reset", json={"scope": "calls"})).json()

    assert more.json()["movement_ranges"] == [[100, 149]]
    assert armed.json()["failures"][0]["status"] == 503
    assert (refused.status_code, served.status_code) == (503, 200)
    assert state["calls"] == {"GET /api/index.php/ticketstock/config": 2}
    assert state["tickets"] == []
    assert (counted["ticket_count"], counted["tickets"]) == (1, [])
    assert (removed.status_code, kept.status_code) == (404, 200)
    assert bad.status_code == 400
    assert reset["calls"] == {}


async def dolibarr_create(client: httpx.AsyncClient, demo: dict[str, Any]) -> None:
    body = {
        "track_id": "ts-control-0000000001",
        "movement_id": demo["return_movement_id"],
        "subject": "s",
        "message": "m",
        "type_code": "ISSUE",
        "severity_code": "HIGH",
        "category_code": "OTHER",
        "fk_user_assign": None,
        "contact_ids": [],
    }
    response = await client.post(
        "/api/index.php/ticketstock/tickets", json=body, headers={"DOLAPIKEY": API_KEY}
    )
    assert response.status_code == 200


def test_the_double_refuses_to_listen_beyond_loopback() -> None:
    double = DolibarrDouble(API_KEY)

    with pytest.raises(ValueError, match="loopback"):
        asyncio.run(double.start(host="0.0.0.0"))  # noqa: S104


def test_the_process_serves_status_and_stops_cleanly_on_sigterm() -> None:
    package_root = Path(ticketstock.__file__).resolve().parents[1]
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(package_root), os.environ.get("PYTHONPATH")])
        )
    }
    command = [
        sys.executable,
        "-m",
        "ticketstock.sandbox.dolibarr_double",
        "--port",
        "0",
        "--api-key",
        API_KEY,
        "--seed-demo",
    ]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            status = httpx.get(base_url + "/api/index.php/status", timeout=5)
            config = httpx.get(
                base_url + "/api/index.php/ticketstock/config",
                headers={"DOLAPIKEY": API_KEY},
                timeout=5,
            )
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()

    assert status.status_code == 200
    assert config.json()["enabled"] is True
    assert returncode == 0
