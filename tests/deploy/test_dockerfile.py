"""The Dockerfile builds the package the way the README installs it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_the_image_starts_from_python_3_11_slim() -> None:
    assert instructions()[0] == ("FROM", "python:3.11-slim")


def test_the_package_is_installed_with_pip_install_dot_as_make_install_does() -> None:
    runs = [args for keyword, args in instructions() if keyword == "RUN"]
    makefile = (ROOT / "Makefile").read_text("utf-8")
    install = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    readme = (ROOT / "README.md").read_text("utf-8")

    assert "pip install ." in runs
    assert re.search(r"pip install\b.*\s\.$", install, re.MULTILINE)
    assert "make run" in readme and "install into .venv" in readme


def test_the_image_copies_exactly_what_the_source_distribution_holds() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    sdist = set(pyproject["tool"]["hatch"]["build"]["targets"]["sdist"]["include"])
    copied = set()
    for keyword, args in instructions():
        if keyword == "COPY":
            copied.update(part.rstrip("/") for part in args.split()[:-1])
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
        if line.startswith("!")
    }

    assert copied == sdist
    assert allowed == sdist


def test_the_service_runs_as_a_user_other_than_root() -> None:
    users = [args for keyword, args in instructions() if keyword == "USER"]

    assert users and users[-1] not in ("root", "0")


def test_the_image_checks_health_on_healthz_and_runs_the_ticketstock_command() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    found = dict(instructions())

    assert "/healthz" in found["HEALTHCHECK"]
    assert json.loads(found["ENTRYPOINT"]) == ["ticketstock"]
    assert "ticketstock" in pyproject["project"]["scripts"]
