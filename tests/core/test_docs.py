"""The project carries its own documentation: every repository path that docs/architecture.md
names exists, and no file points outside the repository for a definition."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = ("config", "sellerhub", "integrations", "documents", "inventory", "orders", "fulfilment", "channels",
       "metrics", "devtools", "docs", "tests", "bench")


def test_every_path_in_the_architecture_map_exists():
    text = (ROOT / "docs" / "architecture.md").read_text()
    named = {m.rstrip("/") for m in re.findall(r"`([a-z_]+/[A-Za-z0-9_./-]*)`", text) if m.split("/")[0] in TOP}
    assert named, "the map names no paths"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def test_the_domain_docs_answer_where_the_rules_live():
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "late-dispatch rule" in text and "metrics/selectors/rules.py" in text
    assert "orders/mapping/tiktok.py" in text
    for name in ("metrics.md", "tiktok-mapping.md", "tiktok-shop.md", "channels.md", "labels.md"):
        assert (ROOT / "docs" / "domain" / name).exists(), name


def test_nothing_in_the_repository_points_outside_it():
    outside = "shared"
    pattern = r"\.\./" + outside + "|" + outside + "/domain"
    found = subprocess.run(["git", "grep", "-l", "-E", pattern, "--", "."], cwd=ROOT, capture_output=True,
                           text=True)
    assert found.stdout == ""
