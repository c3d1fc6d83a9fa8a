"""The Owner's Staff pages: adding staff, roles, deactivation, password resets and the one-time
link; the last active Owner is kept; Warehouse and Ops are refused."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from sellerhub import staff_services
from sellerhub.access import set_ops_staff_right
from sellerhub.roles import role_of
from tests.core.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "Plum-harbour-42-lantern"

STAFF_URLS = ["/settings/staff/", "/settings/staff/new"]


@pytest.fixture
def person():
    """A second browser: the member of staff, beside the Owner's."""
    return Client()


@pytest.mark.parametrize("role", ["Warehouse", "Ops"])
def test_warehouse_and_ops_get_403_on_every_staff_page(client, role):
    member = UserFactory(role="Warehouse", username="member")
    client.force_login(UserFactory(role=role))
    for url in STAFF_URLS + [f"/settings/staff/{member.pk}/"]:
        assert client.get(url).status_code == 403, url
    for action in ("role", "active", "password"):
        response = client.post(f"/settings/staff/{member.pk}/{action}", {"role": "Owner", "active": "false"})
        assert response.status_code == 403, action
    member.refresh_from_db()
    assert member.is_active and role_of(member) == "Warehouse"


def test_ops_with_the_admin_staff_right_still_cannot_use_the_staff_pages(client):
    set_ops_staff_right(allowed=True)
    client.force_login(UserFactory(role="Ops"))
    assert client.get("/settings/staff/").status_code == 403


def test_owner_adds_a_warehouse_user_with_a_password_who_can_log_in(owner_client, person):
    response = owner_client.post("/settings/staff/new", {
        "username": "dana", "first_name": "Dana", "last_name": "Reyes", "email": "dana@example.test",
        "role": "Warehouse", "password": STRONG,
    })
    assert response.status_code == 302
    dana = User.objects.get(username="dana")
    assert role_of(dana) == "Warehouse" and dana.is_active and not dana.is_staff
    page = owner_client.get("/settings/staff/").content.decode()
    assert "dana" in page and "Dana Reyes" in page and "never" in page
    detail = owner_client.get(response["Location"]).content.decode()
    assert "set-password link" not in detail  # a password was given: no link
    assert person.login(username="dana", password=STRONG)


def test_without_a_password_a_one_time_link_is_shown_once_and_sets_the_password(owner_client, person):
    response = owner_client.post("/settings/staff/new", {"username": "lee", "role": "Ops"}, follow=True)
    body = response.content.decode()
    link = re.search(r'value="(http://testserver/staff/set-password/[^"]+)"', body).group(1)
    assert "shown only now" in body
    assert "set-password/" not in owner_client.get(response.redirect_chain[-1][0]).content.decode()  # once
    lee = User.objects.get(username="lee")
    assert not lee.has_usable_password()

    person.logout()
    form = person.get(link.replace("http://testserver", ""), follow=True)
    assert form.status_code == 200 and "Set your password" in form.content.decode()
    done = person.post(form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert person.login(username="lee", password=STRONG)
    person.logout()
    again = person.get(link.replace("http://testserver", ""), follow=True).content.decode()
    assert "has been used or has expired" in again


def test_bad_input_is_explained_and_changes_nothing(owner_client):
    UserFactory(username="taken", role="Warehouse")
    before = User.objects.count()
    response = owner_client.post("/settings/staff/new", {"username": "TAKEN", "role": "Warehouse"})
    assert response.status_code == 400 and "is taken" in response.content.decode()
    response = owner_client.post("/settings/staff/new", {"username": "new1", "role": "Warehouse", "password": "123"})
    assert response.status_code == 400 and "too short" in response.content.decode()
    response = owner_client.post("/settings/staff/new", {"username": "new2", "role": "King"})
    assert response.status_code == 400 and "valid choice" in response.content.decode()
    assert User.objects.count() == before


def test_owner_changes_a_role_and_deactivates_then_reactivates(owner_client, person):
    member = UserFactory(username="sam", role="Warehouse")
    AuthToken.objects.create(user=member)
    assert owner_client.post(f"/settings/staff/{member.pk}/role", {"role": "Ops"}).status_code == 302
    member.refresh_from_db()
    assert role_of(member) == "Ops" and list(member.groups.values_list("name", flat=True)) == ["Ops"]

    assert owner_client.post(f"/settings/staff/{member.pk}/active", {"active": "false"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active and not AuthToken.objects.filter(user=member).exists()
    assert not person.login(username="sam", password=PASSWORD)
    assert "Deactivated" in owner_client.get("/settings/staff/").content.decode()

    owner_client.post(f"/settings/staff/{member.pk}/active", {"active": "true"})
    assert person.login(username="sam", password=PASSWORD)


def test_a_deactivated_user_is_logged_out_of_an_open_session(owner_client, person):
    member = UserFactory(username="kit", role="Warehouse")
    person.force_login(member)
    assert person.get("/orders/").status_code == 200
    owner_client.post(f"/settings/staff/{member.pk}/active", {"active": "false"})
    response = person.get("/orders/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_last_active_owner_is_kept(client, owner_user):
    client.force_login(owner_user)
    # Not themselves by accident:
    response = client.post(f"/settings/staff/{owner_user.pk}/active", {"active": "false"}, follow=True)
    assert "your own account" in response.content.decode()
    response = client.post(f"/settings/staff/{owner_user.pk}/role", {"role": "Warehouse"})
    assert response.status_code == 400 and "your own account" in response.content.decode()
    owner_user.refresh_from_db()
    assert owner_user.is_active and role_of(owner_user) == "Owner"

    # Another Owner: one may go while one stays; the last one can't.
    other = UserFactory(username="other-owner", role="Owner")
    assert client.post(f"/settings/staff/{other.pk}/role", {"role": "Ops"}).status_code == 302
    other.refresh_from_db()
    assert role_of(other) == "Ops"
    client.post(f"/settings/staff/{other.pk}/role", {"role": "Owner"})
    client.force_login(other)
    assert client.post(f"/settings/staff/{owner_user.pk}/active", {"active": "false"}).status_code == 302
    client.force_login(owner_user)  # deactivated: the session is refused
    assert client.get("/settings/staff/").status_code == 302


def test_last_owner_rule_in_the_service():
    only = UserFactory(username="only", role="Owner")
    helper = UserFactory(username="helper", role="Owner")
    staff_services.set_active(actor=helper, user_id=helper.pk, active=True)
    staff_services.set_active(actor=only, user_id=helper.pk, active=False)
    with pytest.raises(staff_services.LastOwnerError):
        staff_services.change_role(actor=helper, user_id=only.pk, role="Warehouse")
    with pytest.raises(staff_services.LastOwnerError):
        staff_services.set_active(actor=helper, user_id=only.pk, active=False)


def test_reset_password_ends_the_old_one(owner_client, person):
    member = UserFactory(username="pat", role="Warehouse")
    response = owner_client.post(f"/settings/staff/{member.pk}/password", {"password": "short"})
    assert response.status_code == 400 and "too short" in response.content.decode()
    assert person.login(username="pat", password=PASSWORD)
    person.logout()
    response = owner_client.post(f"/settings/staff/{member.pk}/password", {"password": ""}, follow=True)
    assert "staff/set-password/" in response.content.decode()
    assert not person.login(username="pat", password=PASSWORD)
    owner_client.post(f"/settings/staff/{member.pk}/password", {"password": STRONG})
    assert person.login(username="pat", password=STRONG)


def test_staff_list_runs_a_constant_number_of_queries(owner_client):
    for i in range(3):
        UserFactory(username=f"few{i}", role="Warehouse")
    with CaptureQueriesContext(connection) as few:
        owner_client.get("/settings/staff/")
    for i in range(12):
        UserFactory(username=f"many{i}", role="Ops")
    with CaptureQueriesContext(connection) as many:
        owner_client.get("/settings/staff/")
    assert len(many) == len(few)
