"""The schemas travel inside the wheel, so an installed service finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from ticketstock import contract

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_every_schema_under_the_package(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("ticketstock-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in contract.SCHEMA_NAMES:
        assert f"ticketstock/schemas/{name}.schema.json" in names
    assert "ticketstock/py.typed" in names


def test_packaged_schemas_are_the_checkout_schemas() -> None:
    for name in contract.SCHEMA_NAMES:
        packaged = (contract.schema_dir() / f"{name}.schema.json").read_text("utf-8")
        assert packaged == (ROOT / "schemas" / f"{name}.schema.json").read_text("utf-8")
