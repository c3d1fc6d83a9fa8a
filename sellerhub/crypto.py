"""Channel credentials are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from `CREDENTIALS_KEY` (a Fernet key, or any passphrase), else it is derived from
`SECRET_KEY`. A database dump holds only ciphertext; the admin and the API never show secrets.
"""

import base64
import functools
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


def _fernet():
    return _fernet_for(settings.CREDENTIALS_KEY or settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _fernet_for(material):
    """The cipher for a key (built once: every channel account read decrypts its credentials)."""
    try:
        return Fernet(material.encode() if isinstance(material, str) else material)
    except (ValueError, TypeError):
        digest = hashlib.sha256(("sellerhub-credentials:" + material).encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: dict) -> str:
    return PREFIX + _fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict:
    if not token:
        return {}
    if not token.startswith(PREFIX):
        raise ValueError("credentials are not encrypted")
    try:
        return json.loads(_fernet().decrypt(token[len(PREFIX):].encode()))
    except InvalidToken as exc:
        raise ValueError("credentials cannot be decrypted with this key (CREDENTIALS_KEY changed?)") from exc


class EncryptedJSONField(models.TextField):
    """A dict stored as Fernet ciphertext in a text column."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return decrypt(value)

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if not value:
            return {}
        return decrypt(value)

    def get_prep_value(self, value):
        if value is None:
            value = {}
        if isinstance(value, str):
            return value if value.startswith(PREFIX) else encrypt(json.loads(value or "{}"))
        return encrypt(value)

    def value_to_string(self, obj):
        return "(encrypted)"
