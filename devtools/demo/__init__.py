"""Demo data loaders, one module per area, each exposing ``load(*, users)``; ``manage.py
load_demo_data`` runs them in dependency order (``LOADERS``). ``emulated`` connects accounts to
the loopback emulators; ``catalogue.json`` is the catalogue the emulator is seeded with."""
