"""Response headers: a strict Content-Security-Policy on pages, the API and the admin (the API
docs page alone allows its own <style> block), and `Cache-Control: private, no-store` on what a
signed-in user sees (the login page has Django's own `never_cache`); static files stay cacheable."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src": {"'self'"}, "script-src": {"'self'"}, "style-src": {"'self'"}, "img-src": {"'self'", "data:"},
    "object-src": {"'none'"}, "base-uri": {"'self'"}, "frame-ancestors": {"'none'"}, "form-action": {"'self'"},
}


def policy(response) -> dict[str, set[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = set(values)
    return out


def assert_strict(response):
    directives = policy(response)
    for name, values in STRICT.items():
        assert directives.get(name) == values, (name, directives.get(name))
    assert not any("unsafe-inline" in v or "unsafe-eval" in v for v in directives["script-src"])


def no_store(response) -> bool:
    value = response.get("Cache-Control", "")
    return "no-store" in value and "private" in value


def test_pages_api_and_admin_carry_the_strict_policy(client, owner_user, api_client_for):
    assert_strict(client.get(reverse("login")))
    client.force_login(owner_user)
    assert_strict(client.get(reverse("dashboard")))
    assert_strict(client.get(reverse("fulfilment:batches")))
    assert_strict(client.get("/admin/"))
    assert_strict(api_client_for(owner_user).get("/api/v1/jobs/"))


def test_no_page_needs_inline_script(client, owner_user):
    client.force_login(owner_user)
    for url in (reverse("dashboard"), reverse("fulfilment:batches"), reverse("api_docs")):
        html = client.get(url).content.decode()
        assert "<script>" not in html and " onclick=" not in html and " onsubmit=" not in html, url


def test_api_docs_loosen_styles_for_themselves_only(client, owner_user):
    client.force_login(owner_user)
    docs = client.get(reverse("api_docs"))
    assert docs.status_code == 200
    directives = policy(docs)
    assert "'unsafe-inline'" in directives["style-src"] and directives["script-src"] == {"'self'"}
    script = client.get(reverse("api_docs") + "?script=")  # Swagger UI's start-up script, from a URL
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_signed_in_answers_are_not_stored_static_files_may_be(client, owner_user, api_client_for):
    client.force_login(owner_user)
    for url in (reverse("dashboard"), reverse("fulfilment:batches"), "/admin/", "/api/v1/jobs/"):
        response = client.get(url)
        assert response.status_code in (200, 302, 403) and no_store(response), url
    assert no_store(api_client_for(owner_user).get("/api/v1/jobs/"))
    static = client.get("/static/js/sellerhub.js")
    assert static.status_code == 200 and not no_store(static)
