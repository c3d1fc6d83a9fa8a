"""The channel tests share the sync tests' fixtures: an emulator over real HTTP, the four
accounts connected to it, SKUs with stock and their listings."""

from tests.sync.conftest import accounts, connect, emu, emulator, listed, skus  # noqa: F401
