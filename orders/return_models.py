"""Channel returns beyond the ``Return`` row itself: the return's timeline and the decisions sent
to the channel."""

from django.db import models  # noqa: F401

__all__: list[str] = []
