"""GTIN (UPC-A, EAN-8, EAN-13, GTIN-14) barcodes, validated by their check digit."""

from django.core.exceptions import ValidationError

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (weights 3,1,3,... from the right)."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(value: str) -> str | None:
    """Why `value` is not a valid GTIN, or None when it is."""
    if not value.isdigit():
        return f"barcode {value} must contain digits only"
    if len(value) not in GTIN_LENGTHS:
        return f"barcode {value} has {len(value)} digits; a GTIN has 8, 12, 13 or 14"
    expected = gtin_check_digit(value[:-1])
    if int(value[-1]) != expected:
        return f"barcode {value} has a wrong check digit (expected {expected})"
    return None


def validate_gtin(value):
    if not value:
        return
    problem = gtin_problem(value)
    if problem:
        raise ValidationError(problem[0].upper() + problem[1:] + ".", code="invalid_gtin")
