import pytest

from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NAV = {
    "Warehouse": ["Dashboard", "Orders", "Pick & pack", "Inventory", "Fulfilment"],
    "Owner": ["Dashboard", "Orders", "Pick & pack", "Inventory", "Fulfilment", "Metrics", "Channels", "Staff",
              "Access"],
    "Ops": ["Dashboard", "Orders", "Inventory", "Fulfilment", "Metrics", "Channels", "Admin", "Jobs"],
}


@pytest.mark.parametrize("role", list(NAV))
def test_each_role_logs_in_and_sees_only_its_navigation(page, login, role):
    UserFactory(username=f"{role.lower()}-user", role=role)
    login(f"{role.lower()}-user")
    labels = page.locator("#main-nav a").all_inner_texts()
    assert labels == NAV[role]
    assert page.locator(".role").inner_text() == role
    # A page outside the role is refused.
    if role == "Warehouse":
        response = page.goto("/metrics/")
        assert response.status == 403
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")


def test_login_works_with_the_keyboard_alone(page):
    UserFactory(username="keys", role="Owner")
    page.goto("/login/")
    page.keyboard.type("keys")  # the username field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type("pw-for-tests")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Dashboard"


def test_wrong_password_is_explained(page):
    UserFactory(username="someone", role="Owner")
    page.goto("/login/")
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert "correct username and password" in page.locator("[role=alert]").inner_text()
