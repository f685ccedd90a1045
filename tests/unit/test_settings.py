"""Settings: validated at start, errors name the variable, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketstock.errors import SettingsError
from ticketstock.settings import load_settings, redact_url


def test_a_wrong_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKETSTOCK_SMTP_PORT", "seventy")
    with pytest.raises(SettingsError, match="TICKETSTOCK_SMTP_PORT"):
        load_settings()


def test_missing_settings_for_the_ticket_role_are_all_named() -> None:
    settings = load_settings()
    with pytest.raises(SettingsError) as caught:
        settings.require({"tickets"})
    for name in ("DOLIBARR_URL", "DOLIBARR_API_KEY", "TRACK_ID_SECRET"):
        assert f"TICKETSTOCK_{name}" in caught.value.reason
    settings.require({"mail"})  # the sender needs none of them


def test_a_short_track_id_secret_is_refused() -> None:
    settings = load_settings(
        dolibarr_url="http://127.0.0.1:1", dolibarr_api_key="k", track_id_secret="short"
    )
    with pytest.raises(SettingsError, match="16 characters"):
        settings.require({"tickets"})


def test_settings_file_is_read_and_a_missing_file_is_named(tmp_path: Path) -> None:
    env = tmp_path / "ticketstock.env"
    env.write_text(
        "TICKETSTOCK_AMQP_PREFIX=from-file\nTICKETSTOCK_RETRY_DELAYS=[2,4]\n"
    )
    settings = load_settings(env)
    assert settings.amqp_prefix == "from-file"
    assert settings.retry_delays == (2, 4)
    with pytest.raises(SettingsError, match="settings file not found"):
        load_settings(tmp_path / "absent.env")


def test_describe_masks_secrets_and_url_passwords() -> None:
    settings = load_settings(
        amqp_url="amqp://ops:hunter2@127.0.0.1:5672/prod",
        dolibarr_api_key="api-key-value",
        smtp_password="smtp-pass",
    )
    shown = repr(settings.describe())
    assert "hunter2" not in shown and "api-key-value" not in shown
    assert "smtp-pass" not in shown
    assert "amqp://ops:***@127.0.0.1:5672/prod" in shown
    assert "hunter2" not in repr(settings)


def test_redact_url_leaves_urls_without_password_alone() -> None:
    assert redact_url("amqp://127.0.0.1/") == "amqp://127.0.0.1/"
    assert redact_url("redis://:pw@127.0.0.1:6379/0") == "redis://***@127.0.0.1:6379/0"


def test_non_positive_retry_delays_are_refused() -> None:
    with pytest.raises(SettingsError, match="RETRY_DELAYS"):
        load_settings(retry_delays=(5, 0))


def test_blank_secrets_are_refused_rather_than_taken_as_set() -> None:
    for name in ("track_id_secret", "dolibarr_api_key"):
        with pytest.raises(SettingsError, match=f"TICKETSTOCK_{name.upper()}.*empty"):
            load_settings(**{name: "  "})


def test_a_list_written_without_brackets_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TICKETSTOCK_RETRY_DELAYS", "5,30,300")
    with pytest.raises(SettingsError, match="retry_delays"):
        load_settings()


def test_an_amqp_url_with_an_unescaped_password_is_named() -> None:
    with pytest.raises(SettingsError, match=r"TICKETSTOCK_AMQP_URL.*percent-encode"):
        load_settings(amqp_url="amqp://user:pa#ss@127.0.0.1:5672/")
    with pytest.raises(SettingsError, match="TICKETSTOCK_AMQP_URL"):
        load_settings(amqp_url="http://127.0.0.1/")


def test_a_settings_file_with_a_misspelt_setting_is_refused(tmp_path: Path) -> None:
    env = tmp_path / "ticketstock.env"
    env.write_text("TICKETSTOCK_RETRY_DELAY=[5]\nOTHER_APP_VARIABLE=1\n")
    with pytest.raises(
        SettingsError, match=r"unknown settings: TICKETSTOCK_RETRY_DELAY$"
    ):
        load_settings(env)


def test_infinite_timeouts_are_refused() -> None:
    with pytest.raises(SettingsError, match="TICKETSTOCK_SHUTDOWN_TIMEOUT"):
        load_settings(shutdown_timeout=float("inf"))


def test_an_smtp_password_without_a_user_name_is_refused() -> None:
    settings = load_settings(smtp_password="secret-value")
    with pytest.raises(SettingsError, match="TICKETSTOCK_SMTP_USERNAME"):
        settings.require({"mail"})


def test_a_misspelt_environment_variable_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TICKETSTOCK_SMTP_HOSTNAME", "mail.example.com")
    monkeypatch.setenv("TICKETSTOCK_E2E_DOLIBARR_URL", "http://127.0.0.1:8080")
    with pytest.raises(SettingsError, match=r"environment: TICKETSTOCK_SMTP_HOSTNAME$"):
        load_settings()
