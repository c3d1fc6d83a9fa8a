"""Development-only code: the loopback emulators of outside APIs. Product code never imports it."""
