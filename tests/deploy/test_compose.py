"""compose.yaml: valid by the Compose specification, healthy, loopback-only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from ticketstock.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = Path(__file__).with_name("compose-spec.json")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def test_compose_file_validates_against_the_compose_specification_schema(
    compose: dict[str, Any],
) -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema)

    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(compose)
    ]

    assert errors == []


def test_the_stack_has_every_part_the_operations_need(
    services: dict[str, dict[str, Any]],
) -> None:
    assert set(services) == {
        "rabbitmq",
        "mariadb",
        "dolibarr",
        "mailpit",
        "consumer",
        "sender",
    }
    assert services["rabbitmq"]["image"].startswith("rabbitmq:3.13-management")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    assert (
        "FROM dolibarr/dolibarr:" in services["dolibarr"]["build"]["dockerfile_inline"]
    )


def test_every_service_has_a_healthcheck_that_runs_a_command(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check is not None, name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert not check.get("disable", False), name


def test_the_consumer_and_the_sender_are_ready_only_when_readyz_says_so(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, role in (("consumer", "tickets"), ("sender", "mail")):
        service = services[name]
        assert service["build"] == "."
        assert service["command"] == ["run", "--role", role]
        assert "/readyz" in " ".join(service["healthcheck"]["test"])


def test_every_dependency_waits_for_a_healthy_service(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            assert "healthcheck" in services[dependency], dependency
    assert set(services["consumer"]["depends_on"]) == {"rabbitmq", "dolibarr"}
    assert set(services["sender"]["depends_on"]) == {"rabbitmq", "mailpit"}


def test_every_port_is_published_on_the_hosts_loopback_only(
    services: dict[str, dict[str, Any]],
) -> None:
    published = [
        (name, port)
        for name, service in services.items()
        for port in service.get("ports", [])
    ]

    assert published
    for name, port in published:
        assert isinstance(port, str) and port.startswith("127.0.0.1:"), (name, port)


def test_the_module_is_mounted_where_the_dolibarr_image_loads_external_modules(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = [volume.split(":") for volume in services["dolibarr"]["volumes"]]

    assert [
        "./publisher_plugin/ticketstock",
        "/var/www/html/custom/ticketstock",
        "ro",
    ] in (mounts)
    assert (ROOT / "publisher_plugin" / "ticketstock").is_dir()


def test_the_services_read_the_example_settings_then_an_optional_local_file(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("consumer", "sender"):
        env_files = services[name]["env_file"]
        assert env_files[0] == {"path": "deploy/ticketstock.env.example"}
        assert env_files[1] == {"path": "ticketstock.env", "required": False}
        assert (ROOT / env_files[0]["path"]).is_file()


def test_the_settings_compose_sets_are_real_settings(
    services: dict[str, dict[str, Any]],
) -> None:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    for name in ("consumer", "sender"):
        named = set(services[name]["environment"])
        assert named <= known, named - known


def test_the_schema_check_finds_a_broken_file(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["consumer"]["depends_on"]["rabbitmq"]["condition"] = "healthy"
    broken["services"]["sender"]["helthcheck"] = {"test": ["CMD", "true"]}
    schema = json.loads(SCHEMA.read_text("utf-8"))

    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))

    assert len(errors) == 2
