"""Upgrade check: bench/upgrade_check.py fills a database with the demo data of the commit before
the restructuring, migrates it with this checkout and checks rows, stock and pages. Slow (a minute
or so), so it runs only on PostgreSQL and with SELLERHUB_UPGRADE_CHECK=1:

    SELLERHUB_UPGRADE_CHECK=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/sellerhub \\
        .venv/bin/python -m pytest -q tests/core/test_upgrade.py

It works in its own database, `<name>_upgrade` next to the one in DATABASE_URL (or
SELLERHUB_UPGRADE_DATABASE_URL), and Redis db 11 (or SELLERHUB_UPGRADE_REDIS_URL)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(os.environ.get("SELLERHUB_UPGRADE_CHECK") != "1",
                       reason="slow: set SELLERHUB_UPGRADE_CHECK=1 to run the upgrade check"),
]


def upgrade_database_url():
    if os.environ.get("SELLERHUB_UPGRADE_DATABASE_URL"):
        return os.environ["SELLERHUB_UPGRADE_DATABASE_URL"]
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'sellerhub'}_upgrade", query=""))


def test_a_demo_database_of_the_base_commit_upgrades_cleanly(on_postgres):
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), str(ROOT / "bench" / "upgrade_check.py"),
               "--database-url", upgrade_database_url(),
               "--redis-url", os.environ.get("SELLERHUB_UPGRADE_REDIS_URL", "redis://127.0.0.1:6379/11")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "UPGRADE CHECK PASSED" in result.stdout
