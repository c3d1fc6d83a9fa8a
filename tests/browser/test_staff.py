"""The Owner manages staff in the app: adds a Warehouse user, who logs in and sees only the
warehouse navigation; once deactivated, their login is refused."""

import pytest

from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WAREHOUSE_NAV = ["Dashboard", "Orders", "Pick & pack", "Inventory", "Fulfilment"]
NEW_PASSWORD = "Quiet-orchard-7-ledger"


def log_in(page, username, password):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def test_owner_creates_a_warehouse_user_then_deactivates_them(browser, page, login, live_server):
    UserFactory(username="boss", role="Owner")
    login("boss")
    page.get_by_role("link", name="Staff").click()
    page.wait_for_url("**/settings/staff/")
    page.get_by_role("link", name="Add staff").click()
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("First name").fill("Wanda")
    page.get_by_label("Email").fill("wanda@example.test")
    page.get_by_label("Warehouse:").check()
    page.get_by_label("Initial password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add staff").click()
    assert "wanda can now log in as Warehouse" in page.locator(".messages").inner_text()
    assert page.locator("#member-role").inner_text() == "Warehouse"

    # The new user, in a browser of their own.
    context = browser.new_context(base_url=live_server.url)
    theirs = context.new_page()
    log_in(theirs, "wanda", NEW_PASSWORD)
    theirs.wait_for_url("**/")
    assert theirs.locator("#main-nav a").all_inner_texts() == WAREHOUSE_NAV
    assert theirs.goto("/settings/staff/").status == 403

    # The Owner sees the last login, then deactivates the account.
    page.goto("/settings/staff/")
    row = page.locator("tr[data-username=wanda]")
    assert "never" not in row.inner_text()
    row.get_by_role("link", name="Manage wanda").click()
    page.get_by_role("button", name="Deactivate wanda").click()
    assert "Deactivated" in page.locator("#member-state").inner_text()

    # Their open session ends and the login is refused.
    theirs.goto("/orders/")
    assert "/login/" in theirs.url
    log_in(theirs, "wanda", NEW_PASSWORD)
    assert "correct username and password" in theirs.locator("[role=alert]").inner_text()
    context.close()


def test_a_member_added_without_a_password_sets_it_from_the_one_time_link(browser, page, login, live_server):
    UserFactory(username="boss2", role="Owner")
    login("boss2")
    page.goto("/settings/staff/new")
    page.get_by_label("Username").fill("otto")
    page.get_by_label("Ops:").check()
    page.keyboard.press("Enter")
    link = page.get_by_role("textbox", name="Link").input_value()
    assert page.get_by_role("textbox", name="Link").evaluate("el => el === document.activeElement")

    context = browser.new_context(base_url=live_server.url)
    theirs = context.new_page()
    theirs.goto(link)
    theirs.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    theirs.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    theirs.get_by_role("button", name="Set password").click()
    theirs.wait_for_url("**/login/")
    log_in(theirs, "otto", NEW_PASSWORD)
    theirs.wait_for_url("**/")
    assert theirs.locator(".role").inner_text() == "Ops"
    context.close()
