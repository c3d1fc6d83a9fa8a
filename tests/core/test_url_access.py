"""Every URL pattern: anonymous users are sent to login (pages) or get 401/403 (API), and a
user of the wrong role gets 403. The list comes from the URL conf, so no page can be missed."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from sellerhub.access import required_permission
from sellerhub.roles import ROLES
from tests.core.factories import UserFactory

# Views anybody may reach, each for a reason.
PUBLIC = {
    "login": "the login page",
    "logout": "logging out (POST) needs no role",
    "healthz": "probed by load balancers",
    "api_token": "exchanges a password for a token",
    "admin:login": "sends to SellerHub's login page",
    "staff_set_password": "the one-time link a new member of staff sets their password with",
}
PUBLIC_PREFIXES = ("webhooks/", "static/", "media/")


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), (namespace + entry.name) if entry.name else None, entry.callback


def concrete(route):
    """Turn a route (path or regex) into a URL with dummy values for its parameters."""
    route = route.lstrip("^").replace("\\Z", "").replace("$", "")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug|path):?[^>]*>", "x", route)
    route = re.sub(r"\(\?P<format>[^)]*\)", "", route)
    route = re.sub(r"\(\?P<pk>[^)]*\)", "1", route)
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "x", route)
    route = route.replace("/?", "/").replace("\\.", ".").replace("^", "")
    route = re.sub(r"[()?*+]", "", route)
    return "/" + route


def patterns():
    seen = set()
    for route, name, callback in walk():
        url = concrete(route)
        if url in seen or name in PUBLIC or url.lstrip("/").startswith(PUBLIC_PREFIXES):
            continue
        seen.add(url)
        yield pytest.param(url, name, callback, id=url)


ALL = list(patterns())


def test_walk_finds_every_app():
    urls = " ".join(p.values[0] for p in ALL)
    apps = ("/orders/", "/inventory/", "/fulfilment/", "/metrics/", "/channels/", "/api/v1/", "/admin/", "/ops/jobs/")
    for part in apps:
        assert part in urls


@pytest.mark.parametrize("url,name,callback", ALL)
def test_anonymous_is_sent_to_login(client, db, url, name, callback):
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code in (401, 403), url
        if not url.startswith(("/api/schema/", "/api/docs/")):  # those render YAML and HTML
            assert response["Content-Type"].startswith("application/json")
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), response["Location"]


@pytest.mark.parametrize("url,name,callback", ALL)
def test_wrong_role_gets_403(client, db, url, name, callback, roleless_user):
    permission = required_permission(callback)
    assert permission, f"{url} ({name}) declares no permission"
    codename = permission.split(".", 1)[1]
    holders = set(Group.objects.filter(permissions__codename=codename).values_list("name", flat=True))
    wrong = [None] + [role for role in ROLES if role not in holders]

    for role in wrong:
        user = roleless_user if role is None else UserFactory(role=role)
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403, f"{url} as {role or 'no role'}: {response.status_code}"
