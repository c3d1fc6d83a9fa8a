"""OpenAPI post-processing: every operation documents the error answers the API really gives.

The API answers errors as JSON ``{"error": ..., "status": ...}`` (``sellerhub.api_base``): 400 for
bad input (with ``fields``), 401 without credentials, 403 when the role does not allow it, 404 for
an unknown id or page, 409 when the state refuses a change, 413 for a body too large. This hook adds
those answers to each operation of the schema (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``), so
clients and the schema fuzz test (``tests/security/test_api_schema_fuzz.py``) know them.
"""

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error answer: what went wrong, the status code, and the fields at fault.",
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in words a person can act on."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "fields": {"description": "Per-field messages (bad input only)."},
        "field": {"type": "string", "description": "The field at fault, when one is."},
    },
    "required": ["error", "status"],
}
DESCRIPTIONS = {
    "400": "Bad input: the message says what to send instead; nothing changed.",
    "401": "No or invalid credentials.",
    "403": "Your role does not allow this.",
    "404": "No such object (or page).",
    "409": "The object's state refuses this change; nothing changed.",
    "413": "The request body is too large.",
    "415": "The body's content type is not one the API reads (send JSON).",
    "429": "Too many attempts; try again later.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _codes(method: str, public: bool) -> list[str]:
    if public:  # the token endpoint: bad credentials, too many attempts
        return ["400", "401", "413", "415", "429"] if method in WRITE_METHODS else ["400"]
    codes = ["400", "401", "403", "404", "409"]  # GET too: a document that can't be made yet
    if method in WRITE_METHODS:
        codes += ["413", "415"]
    return codes


def add_error_responses(result, generator, **kwargs):
    """Add the JSON error answers to every operation (keeps any answer an operation declares)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in WRITE_METHODS | {"get"}:
                continue
            public_operation = not operation.get("security") or {} in operation["security"]
            responses = operation.setdefault("responses", {})
            for code in _codes(method, public_operation):
                responses.setdefault(code, {"content": {"application/json": {"schema": ref}},
                                            "description": DESCRIPTIONS[code]})
    return result


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_file(schema, components, depth=0) -> bool:
    if depth > 5 or not isinstance(schema, dict):
        return False
    if "$ref" in schema:
        return _has_file(components.get(schema["$ref"].rsplit("/", 1)[-1], {}), components, depth + 1)
    if schema.get("format") == "binary":
        return True
    return any(_has_file(sub, components, depth + 1) for sub in (schema.get("properties") or {}).values())


def json_bodies_only(result, generator, **kwargs):
    """Document JSON request bodies only, where an operation reads JSON: the API also reads forms
    (the browsable API, old clients), but a form can't carry nested lists or a null, so offering
    it in the schema promises requests that can't mean what they say. Uploads keep multipart."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content") if isinstance(operation, dict) else None
            if not content or "application/json" not in content:
                continue
            for media in FORM_TYPES:
                if media in content and not _has_file(content[media].get("schema", {}), components):
                    del content[media]
    return result
