"""The Dolibarr module's PHPUnit suite, run as part of the one test command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "publisher_plugin" / "phpunit.xml"


def test_the_module_phpunit_suite_passes() -> None:
    phpunit = shutil.which("phpunit")
    if phpunit is None or shutil.which("php") is None:
        pytest.skip(
            "php or phpunit is not installed (scripts/prepare-machine installs them)"
        )
    if not CONFIG.is_file():
        pytest.skip("publisher_plugin/phpunit.xml is missing")
    result = subprocess.run(
        [phpunit, "-c", str(CONFIG), "--colors=never"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "OK (" in result.stdout, report
