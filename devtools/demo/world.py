"""The demo's side of the one seeded world (``devtools/emulators/world.py``): where its anchor
file lives and the world's orders as the loaders import them.

``load_demo_data`` anchors the world at the moment it loads the orders and writes the anchor to
``DEMO_WORLD_FILE`` (default ``var/demo-world.json``); the emulator that ``make run`` starts
reads the same file (``--world``) and plays the same story, so the two hold the same orders,
line ids, packages and FBT stock.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core import mail

from devtools.emulators import Catalogue, EmulatorConfig, EmulatorState
from devtools.emulators.world import Seeded, read_anchor, write_anchor

SEED_FILE = Path(__file__).with_name("catalogue.json")


def world_file() -> Path:
    """``DEMO_WORLD_FILE``, else ``var/demo-world.json``; under a test runner (Django's test
    environment gives ``mail.outbox``) a file of this process in the temp directory, so tests
    never move the anchor of the developer's own demo."""
    configured = getattr(settings, "DEMO_WORLD_FILE", "")
    if configured:
        return Path(configured)
    if hasattr(mail, "outbox"):
        return Path(tempfile.gettempdir()) / f"sellerhub-demo-world-{os.getpid()}.json"
    return Path(settings.BASE_DIR) / "var" / "demo-world.json"


def anchor_now() -> float:
    """A new anchor (now, to the second), written to the world file for the emulator."""
    anchor = float(int(time.time()))
    write_anchor(world_file(), anchor)
    return anchor


def current_anchor() -> float | None:
    return read_anchor(world_file())


def seeded(anchor: float) -> list[Seeded]:
    """The world's story orders at ``anchor``, exactly as the emulator seeds them."""
    state = EmulatorState(EmulatorConfig(seed=Catalogue.from_file(SEED_FILE).items, world_anchor=anchor))
    return state.seeded
