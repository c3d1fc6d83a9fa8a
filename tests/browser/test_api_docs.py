import pytest

from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_renders_with_no_network(page, login, live_server):
    UserFactory(username="doc-reader", role="Owner")
    login("doc-reader")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    page.get_by_text("SellerHub API").first.wait_for()
    page.locator(".opblock").first.wait_for()  # operations rendered from the schema
    assert page.locator(".opblock").count() >= 2
    outside = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert outside == []
