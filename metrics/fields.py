"""``PackedIntegersField``: a list of whole numbers stored as packed 64-bit integers.

The after-sales snapshots keep each day's returned orders and response times (a few hundred
numbers per shop and day), and the metrics page reads 60 days of them on every view: as JSON,
the database's text output and the parsing of it took about as long as the rest of that read.
Packed, the column is 8 bytes a number (``bytea`` on PostgreSQL, a blob on SQLite) and reads back
in one call. Little-endian whatever the machine, so a copy of the database reads the same anywhere.
"""

import sys
from array import array
from base64 import b64decode, b64encode

from django.db import models

_ITEM = "q"  # signed 64-bit
assert array(_ITEM).itemsize == 8  # noqa: S101 (every platform Python supports)


def pack(values):
    packed = array(_ITEM, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack(data):
    values = array(_ITEM)
    values.frombytes(bytes(data))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


class PackedIntegersField(models.BinaryField):
    """A list of ints (or None) in Python; packed bytes in the database."""

    description = "A list of whole numbers, packed"

    def from_db_value(self, value, expression, connection):
        return None if value is None else unpack(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, str):  # as serialized (base64 of the packed bytes)
            return unpack(b64decode(value))
        return unpack(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, (bytes, bytearray, memoryview)):
            return super().get_db_prep_value(value, connection, prepared)
        return super().get_db_prep_value(pack(value), connection, prepared)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return None if value is None else b64encode(pack(value)).decode("ascii")
