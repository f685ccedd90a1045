"""deploy/ticketstock.env.example names every setting, each with its default."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ticketstock.settings import ENV_PREFIX, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "ticketstock.env.example"
ASSIGNMENT = re.compile(rf"^(?P<off>#\s*)?(?P<name>{ENV_PREFIX}[A-Z0-9_]+)=")


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No TICKETSTOCK_* variable of the machine may mask what the file says."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


def named() -> dict[str, bool]:
    """Each setting the file names, and whether it is commented out."""
    found: dict[str, bool] = {}
    for line in EXAMPLE.read_text("utf-8").splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            assert match["name"] not in found, f"{match['name']} named twice"
            found[match["name"]] = bool(match["off"])
    return found


def test_the_example_names_every_setting_and_nothing_else() -> None:
    settings = {ENV_PREFIX + name.upper() for name in Settings.model_fields}

    assert set(named()) == settings


def test_settings_left_out_are_exactly_those_without_a_default() -> None:
    defaults = Settings.model_fields

    for name, commented_out in named().items():
        field = defaults[name.removeprefix(ENV_PREFIX).lower()]
        assert commented_out == (field.default is None), name


def test_the_values_in_the_example_are_the_defaults(clean_environment: None) -> None:
    assert load_settings(EXAMPLE) == load_settings()


def test_each_setting_has_a_one_line_comment_above_it() -> None:
    lines = EXAMPLE.read_text("utf-8").splitlines()

    for index, line in enumerate(lines):
        if ASSIGNMENT.match(line):
            above = lines[index - 1]
            assert above.startswith("# ") and not ASSIGNMENT.match(above), line
