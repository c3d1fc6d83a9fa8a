"""Demo data of the Owner's Access page: an API token of the warehouse's scanner and one of the
owner's (their keys are thrown away: the page lists tokens, never shows one)."""

from knox.models import AuthToken


def load(*, users):
    for role in ("warehouse", "owner"):
        if role in users:
            AuthToken.objects.create(user=users[role])
