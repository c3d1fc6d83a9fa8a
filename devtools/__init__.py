"""Development-only code: the loopback emulators of outside APIs and the demo data loaders
(``manage.py load_demo_data``). Product code never imports it."""
