"""CSV import of SKUs and of stock counts: every row is validated before anything is applied.

A file with any bad row applies nothing; each bad row is reported with its number (counting the
header as row 1, as a spreadsheet shows it) and the reason. Validation only reads the database;
applying goes through inventory.services in one transaction.

SKU file columns (header names are case-insensitive; only seller_sku and name are required):
    seller_sku, name, barcode, product, attributes, weight_grams, length_mm, width_mm, height_mm,
    reorder_point, active, location, quantity
  `attributes` is "size=M; color=Black" (or a JSON object); `active` is yes/no; `quantity`, when
  given, is the counted on-hand figure at `location` (default MAIN). Existing SKUs are updated
  (blank cells keep their value), so importing the same file twice gives the same result.

Stock count file columns: seller_sku (or barcode), location (default MAIN), counted.

Whole numbers are bounded by their database column (``COLUMN_MAX``: a SKU's dimensions and
reorder point, a stock quantity): a bigger one is a bad row with its number, never an overflow
when the file is applied. ``decode_upload`` refuses files with NUL bytes (UTF-16, a spreadsheet's
binary format) and files that are not text, with a message that says how to save the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from inventory.models import SKU, Location, StockLevel
from inventory.validators import gtin_problem

SKU_COLUMNS = ("seller_sku", "name", "barcode", "product", "attributes", "weight_grams", "length_mm", "width_mm",
               "height_mm", "reorder_point", "active", "location", "quantity")
COUNT_COLUMNS = ("seller_sku", "barcode", "location", "counted")
ALIASES = {"sku": "seller_sku", "seller sku": "seller_sku", "qty": "quantity", "on_hand": "quantity",
           "count": "counted", "counted_quantity": "counted", "gtin": "barcode", "upc": "barcode", "ean": "barcode"}
INT_FIELDS = ("weight_grams", "length_mm", "width_mm", "height_mm", "reorder_point")
TRUE = {"yes", "y", "true", "1", "active"}
FALSE = {"no", "n", "false", "0", "inactive"}
MAX_ROWS = 100_000
INT_MAX = 2**31 - 1  # PostgreSQL integer: the columns of dimensions, reorder points and stock levels
MAX_QUANTITY = 100_000_000  # one stock figure or change; far below INT_MAX, so sums cannot overflow either
COLUMN_MAX = {"weight_grams": INT_MAX, "length_mm": INT_MAX, "width_mm": INT_MAX, "height_mm": INT_MAX,
              "reorder_point": INT_MAX, "quantity": MAX_QUANTITY, "counted": MAX_QUANTITY}
CHUNK = 2000


class FileProblem(ValueError):
    """The file as a whole cannot be read (reported as row 1)."""


def decode_upload(raw: bytes) -> str:
    """The text of an uploaded CSV (UTF-8, or Windows-1252 as older spreadsheets save it);
    FileProblem with what to do for anything else."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        raise FileProblem("the file is not a plain text CSV (it holds NUL bytes, as UTF-16 or a spreadsheet's "
                          "own format does): save it as \"CSV UTF-8\" and upload it again")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("the file is not a text CSV file (neither UTF-8 nor Windows-1252): save it as \"CSV UTF-8\"")


def read_rows(content: str, allowed):
    """[(row number, {column: value})] of the non-blank rows; raises FileProblem."""
    content = content.lstrip("\ufeff")
    sample = content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("the file is empty") from None
    columns = []
    for name in header:
        key = name.strip().lower().replace("-", "_")
        key = ALIASES.get(key, ALIASES.get(key.replace("_", " "), key))
        columns.append(key if key in allowed else None)
    unknown = [h for h, c in zip(header, columns, strict=True) if c is None and h.strip()]
    if unknown:
        raise FileProblem("unknown column(s): " + ", ".join(unknown) + "; expected: " + ", ".join(allowed))
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                rows.append((number, None))  # reported as a bad row
                continue
            rows.append((number, {c: v.strip() for c, v in zip(columns, values, strict=False) if c}))
            if len(rows) > MAX_ROWS:
                raise FileProblem(f"the file has more than {MAX_ROWS:,} rows; split it")
    except csv.Error as exc:
        raise FileProblem(f"the file is not valid CSV ({exc})") from None
    return [c for c in columns if c], rows


def _whole(value, label, maximum=INT_MAX):
    """(int, None) or (None, problem)."""
    if len(value) > 30:
        return None, f"{label} {value[:30]!r}... is not a whole number up to {maximum:,}"
    try:
        number = int(value)
    except ValueError:
        return None, f"{label} {value!r} is not a whole number"
    if number < 0:
        return None, f"{label} {value} is negative"
    if number > maximum:
        return None, f"{label} {value} is above the largest allowed, {maximum:,}"
    return number, None


def parse_attributes(value):
    if not value:
        return {}
    if value.startswith("{"):
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError
        return {str(k): str(v) for k, v in data.items()}
    result = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        key, sep, val = part.partition("=")
        if not sep or not key.strip():
            raise ValueError
        result[key.strip()] = val.strip()
    return result


def format_attributes(attributes):
    return "; ".join(f"{k}={v}" for k, v in (attributes or {}).items())


def _locations():
    return {loc.code: loc for loc in Location.objects.filter(active=True)}


def _reserved_at(pairs):
    """{(sku_id, location_id): reserved} for these pairs, in chunked queries."""
    by_location = defaultdict(set)
    for sku_id, location_id in pairs:
        by_location[location_id].add(sku_id)
    reserved = {}
    for location_id, sku_ids in by_location.items():
        ids = sorted(sku_ids)
        for start in range(0, len(ids), CHUNK):
            for sku_id, value in StockLevel.objects.filter(
                location_id=location_id, sku_id__in=ids[start:start + CHUNK], reserved__gt=0
            ).values_list("sku_id", "reserved"):
                reserved[(sku_id, location_id)] = value
    return reserved


def _existing_skus(keys, field):
    found = {}
    keys = sorted(keys)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        for sku in SKU.objects.filter(**{f"{field}__in": chunk}).only("pk", "seller_sku", "barcode"):
            found[getattr(sku, field)] = sku
    return found


def _report(errors):
    return [{"row": row, "sku": sku, "error": "; ".join(problems)} for row, (sku, problems) in sorted(errors.items())]


def validate_skus(content, progress=lambda done, total: None):
    """(rows ready for services.import_skus, errors, number of rows)."""
    try:
        columns, rows = read_rows(content, SKU_COLUMNS)
    except FileProblem as exc:
        return [], [{"row": 1, "sku": "", "error": str(exc)}], 0
    missing = [c for c in ("seller_sku", "name") if c not in columns]
    if missing:
        return [], [{"row": 1, "sku": "", "error": "missing column(s): " + ", ".join(missing)}], len(rows)
    total = len(rows)
    existing = _existing_skus({r["seller_sku"] for _n, r in rows if r and r.get("seller_sku")}, "seller_sku")
    by_barcode = _existing_skus({r["barcode"] for _n, r in rows if r and r.get("barcode")}, "barcode")
    locations = _locations()
    errors = {}
    seen_sku, seen_barcode, ready, counted_pairs = {}, {}, [], []

    for index, (number, row) in enumerate(rows, start=1):
        problems = []
        if row is None:
            errors[number] = ("", ["the row has more cells than the header"])
            continue
        seller_sku = row.get("seller_sku", "")
        current = existing.get(seller_sku)
        fields = {}
        if not seller_sku:
            problems.append("seller SKU is missing")
        elif len(seller_sku) > 64:
            problems.append("seller SKU is longer than 64 characters")
        elif seller_sku in seen_sku:
            problems.append(f"duplicate SKU {seller_sku} (also on row {seen_sku[seller_sku]})")
        else:
            seen_sku[seller_sku] = number
        name = row.get("name", "")
        if name:
            if len(name) > 200:
                problems.append("name is longer than 200 characters")
            fields["name"] = name
        elif current is None:
            problems.append("name is missing")
        barcode = row.get("barcode", "")
        if barcode:
            problem = gtin_problem(barcode)
            owner = by_barcode.get(barcode)
            if problem:
                problems.append(problem)
            elif barcode in seen_barcode:
                problems.append(f"barcode {barcode} is also on row {seen_barcode[barcode]}")
            elif owner is not None and owner.seller_sku != seller_sku:
                problems.append(f"barcode {barcode} already belongs to SKU {owner.seller_sku}")
            else:
                seen_barcode[barcode] = number
                fields["barcode"] = barcode
        for field in INT_FIELDS:
            if row.get(field):
                value, problem = _whole(row[field], field.replace("_", " "), COLUMN_MAX[field])
                if problem:
                    problems.append(problem)
                else:
                    fields[field] = value
        if row.get("attributes"):
            try:
                fields["attributes"] = parse_attributes(row["attributes"])
            except ValueError:
                problems.append('attributes must look like "size=M; color=Black"')
        if row.get("active"):
            flag = row["active"].lower()
            if flag in TRUE or flag in FALSE:
                fields["active"] = flag in TRUE
            else:
                problems.append(f"active {row['active']!r} must be yes or no")
        product = row.get("product", "")
        if len(product) > 200:
            problems.append("product is longer than 200 characters")
        quantity, location = None, None
        if row.get("quantity"):
            quantity, problem = _whole(row["quantity"], "quantity", MAX_QUANTITY)
            if problem:
                problems.append(problem)
            code = row.get("location") or "MAIN"
            location = locations.get(code)
            if location is None:
                problems.append(f"location {code} does not exist")
        elif row.get("location"):
            problems.append("a location is given without a quantity")
        if problems:
            errors[number] = (seller_sku, problems)
        else:
            ready.append({"row": number, "seller_sku": seller_sku, "fields": fields, "product": product,
                          "location_id": location.pk if location else None, "quantity": quantity})
            if quantity is not None and current is not None:
                counted_pairs.append((current.pk, location.pk, number, quantity, seller_sku, location.code))
        if index % 500 == 0 or index == total:
            progress(index, total)

    if counted_pairs:
        reserved = _reserved_at((s, loc) for s, loc, *_rest in counted_pairs)
        for sku_id, location_id, number, quantity, seller_sku, code in counted_pairs:
            held = reserved.get((sku_id, location_id), 0)
            if quantity < held:
                problem = f"quantity {quantity} at {code} is below the {held} reserved for orders"
                errors[number] = (seller_sku, [problem])
    return ([] if errors else ready), _report(errors), total


def validate_counts(content, progress=lambda done, total: None):
    """(counts ready for services.apply_counts as (sku_id, location_id, counted), errors, rows)."""
    try:
        columns, rows = read_rows(content, COUNT_COLUMNS)
    except FileProblem as exc:
        return [], [{"row": 1, "sku": "", "error": str(exc)}], 0
    if "counted" not in columns or not ({"seller_sku", "barcode"} & set(columns)):
        return [], [{"row": 1, "sku": "", "error": "the file needs the columns seller_sku (or barcode) and counted"}], \
            len(rows)
    total = len(rows)
    by_sku = _existing_skus({r["seller_sku"] for _n, r in rows if r and r.get("seller_sku")}, "seller_sku")
    by_barcode = _existing_skus({r["barcode"] for _n, r in rows if r and r.get("barcode")}, "barcode")
    locations = _locations()
    errors, seen, ready, meta = {}, {}, [], {}
    for index, (number, row) in enumerate(rows, start=1):
        if row is None:
            errors[number] = ("", ["the row has more cells than the header"])
            continue
        problems = []
        key = row.get("seller_sku") or row.get("barcode", "")
        sku = by_sku.get(row["seller_sku"]) if row.get("seller_sku") else by_barcode.get(row.get("barcode", ""))
        if not key:
            problems.append("seller SKU (or barcode) is missing")
        elif sku is None:
            problems.append(f"no SKU {key}")
        code = row.get("location") or "MAIN"
        location = locations.get(code)
        if location is None:
            problems.append(f"location {code} does not exist")
        counted, problem = ((None, "counted is missing") if not row.get("counted")
                            else _whole(row["counted"], "counted", MAX_QUANTITY))
        if problem:
            problems.append(problem)
        if sku is not None and location is not None:
            pair = (sku.pk, location.pk)
            if pair in seen:
                problems.append(f"{sku.seller_sku} at {code} is also counted on row {seen[pair]}")
            else:
                seen[pair] = number
        if problems:
            errors[number] = (sku.seller_sku if sku else key, problems)
        else:
            ready.append((sku.pk, location.pk, counted))
            meta[(sku.pk, location.pk)] = (number, sku.seller_sku, code)
        if index % 500 == 0 or index == total:
            progress(index, total)
    if ready:
        reserved = _reserved_at((s, loc) for s, loc, _c in ready)
        for sku_id, location_id, counted in ready:
            held = reserved.get((sku_id, location_id), 0)
            if counted < held:
                number, seller_sku, code = meta[(sku_id, location_id)]
                errors[number] = (seller_sku, [f"counted {counted} at {code} is below the {held} reserved for orders"])
    return ([] if errors else ready), _report(errors), total
