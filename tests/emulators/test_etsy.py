"""Etsy Open API v3 emulator over real HTTP."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.emulators.support import etsy_session, running_emulator

APP = "/v3/application"


@pytest.fixture(scope="module")
def emu():
    with running_emulator() as handle:
        yield handle


@pytest.fixture(autouse=True)
def fresh(emu):
    emu.state.reset()


@pytest.fixture
def etsy(emu):
    session = etsy_session(emu)
    base = emu.url("etsy") + APP
    shop = emu.state.config.credentials.etsy_shop_id

    class Client:
        shop_id = shop

        def get(self, path, **kw):
            return session.get(base + path.format(shop=shop), **kw)

        def put(self, path, **kw):
            return session.put(base + path.format(shop=shop), **kw)

        def post(self, path, **kw):
            return session.post(base + path.format(shop=shop), **kw)

    return Client()


def test_api_key_needs_keystring_and_secret(emu, etsy):
    c = emu.state.config.credentials
    url = emu.url("etsy") + APP + f"/shops/{c.etsy_shop_id}/receipts"
    bearer = {"Authorization": f"Bearer {c.etsy_access_token}"}
    assert requests.get(url, headers=bearer).status_code == 401
    keystring_only = requests.get(url, headers={**bearer, "x-api-key": c.etsy_keystring})
    assert keystring_only.status_code == 401 and "error" in keystring_only.json()
    no_token = requests.get(url, headers={"x-api-key": f"{c.etsy_keystring}:{c.etsy_shared_secret}"})
    assert no_token.status_code == 401
    ok = etsy.get("/shops/{shop}/receipts")
    assert ok.status_code == 200
    assert ok.headers["x-limit-per-second"] == "10" and "x-remaining-today" in ok.headers
    other_shop = etsy.get("/shops/1/receipts")
    assert other_shop.status_code == 403


def test_refresh_token_rotates(emu):
    c = emu.state.config.credentials
    url = emu.url("etsy") + "/v3/public/oauth/token"
    form = {"grant_type": "refresh_token", "client_id": c.etsy_keystring, "refresh_token": c.etsy_refresh_token}
    first = requests.post(url, data=form)
    assert first.status_code == 200
    tokens = first.json()
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert tokens["access_token"].startswith(f"{c.etsy_user_id}.")
    reused = requests.post(url, data=form)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    # JSON bodies are accepted too (etsyv3 sends JSON)
    again = requests.post(url, json=dict(form, refresh_token=tokens["refresh_token"]))
    assert again.status_code == 200
    assert etsy_session(emu, again.json()["access_token"]).get(emu.url("etsy") + APP + "/users/me").status_code == 200


def test_expired_access_token(emu, etsy):
    emu.state.etsy.expire_access_tokens()
    resp = etsy.get("/shops/{shop}/receipts")
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_token"


def test_pkce_authorization_code_flow(emu):
    c = emu.state.config.credentials
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect = "https://sellerhub.example.com/channels/etsy/callback"
    resp = requests.get(
        emu.url("etsy") + "/oauth/connect",
        params={
            "response_type": "code",
            "client_id": c.etsy_keystring,
            "redirect_uri": redirect,
            "scope": "transactions_r transactions_w listings_r listings_w",
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
    )
    assert resp.status_code == 302
    location = urlsplit(resp.headers["Location"])
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    token_url = emu.url("etsy") + "/v3/public/oauth/token"
    form = {
        "grant_type": "authorization_code",
        "client_id": c.etsy_keystring,
        "redirect_uri": redirect,
        "code": query["code"][0],
        "code_verifier": "wrong" * 10,
    }
    assert requests.post(token_url, data=form).status_code == 400
    resp = requests.get(resp.request.url, allow_redirects=False)  # a fresh code
    form["code"] = parse_qs(urlsplit(resp.headers["Location"]).query)["code"][0]
    form["code_verifier"] = verifier
    assert requests.post(token_url, data=form).status_code == 200


def test_250_receipts_page_through(emu, etsy):
    created = emu.state.generate_orders("etsy", 250)
    seen = []
    offset = 0
    while True:
        body = etsy.get(
            "/shops/{shop}/receipts",
            params={"limit": 100, "offset": offset, "sort_on": "receipt_id", "sort_order": "asc"},
        ).json()
        assert body["count"] == 250
        seen += [r["receipt_id"] for r in body["results"]]
        offset += 100
        if offset >= body["count"]:
            break
    assert seen == sorted(created)
    assert etsy.get("/shops/{shop}/receipts", params={"limit": 101}).status_code == 400


def test_min_last_modified_and_shape(emu, etsy):
    st = emu.state
    now = int(st.clock.now())
    st.generate_orders("etsy", 2, at=now - 3600)
    recent = st.generate_orders("etsy", 3, at=now)
    body = etsy.get("/shops/{shop}/receipts", params={"min_last_modified": now - 60}).json()
    assert sorted(r["receipt_id"] for r in body["results"]) == sorted(recent)
    receipt = body["results"][0]
    for key in (
        "status",
        "is_paid",
        "is_shipped",
        "created_timestamp",
        "updated_timestamp",
        "grandtotal",
        "country_iso",
    ):
        assert key in receipt
    assert set(receipt["grandtotal"]) == {"amount", "divisor", "currency_code"}
    assert {"transaction_id", "listing_id", "product_id", "sku", "quantity"} <= set(receipt["transactions"][0])


def test_tracking_is_form_encoded_and_recorded(emu, etsy):
    rid = emu.state.generate_orders("etsy", 1, skus=["MUG-RED"])[0]
    path = f"/shops/{{shop}}/receipts/{rid}/tracking"
    as_json = etsy.post(path, json={"tracking_code": "9400111206206406260787", "carrier_name": "usps"})
    assert as_json.status_code == 400
    resp = etsy.post(path, data={"tracking_code": "9400111206206406260787", "carrier_name": "usps", "send_bcc": "true"})
    assert resp.status_code == 200
    receipt = resp.json()
    assert receipt["is_shipped"] and receipt["shipments"][0]["tracking_code"] == "9400111206206406260787"
    upload = emu.state.received("etsy", "tracking_upload")[0]
    assert (upload["receipt_id"], upload["carrier_name"], upload["send_bcc"]) == (rid, "usps", True)
    cancelled = emu.state.generate_orders("etsy", 1, status="canceled")[0]
    resp = etsy.post(
        f"/shops/{{shop}}/receipts/{cancelled}/tracking", data={"tracking_code": "1", "carrier_name": "usps"}
    )
    assert resp.status_code == 409


def test_inventory_get_edit_put(emu, etsy):
    listing_id = emu.state.mapping()["TEE-BLK-M"]["etsy"]["listing_id"]
    inv = etsy.get(f"/listings/{listing_id}/inventory").json()
    old_ids = {p["product_id"] for p in inv["products"]}
    assert inv["quantity_on_property"] and inv["sku_on_property"]
    products = []
    for p in inv["products"]:
        offering = p["offerings"][0]
        qty = 7 if p["sku"] == "TEE-BLK-M" else offering["quantity"]
        products.append(
            {
                "sku": p["sku"],
                "property_values": p["property_values"],
                "offerings": [
                    {
                        "price": offering["price"]["amount"] / offering["price"]["divisor"],
                        "quantity": qty,
                        "is_enabled": offering["is_enabled"],
                    }
                ],
            }
        )
    body = {
        "products": products,
        "price_on_property": inv["price_on_property"],
        "quantity_on_property": inv["quantity_on_property"],
        "sku_on_property": inv["sku_on_property"],
    }
    resp = etsy.put(f"/listings/{listing_id}/inventory", json=body)
    assert resp.status_code == 200, resp.text
    new_ids = {p["product_id"] for p in resp.json()["products"]}
    assert not new_ids & old_ids  # Etsy issues new product ids on every PUT
    assert emu.state.etsy.stock("TEE-BLK-M") == 7
    pushes = {p["sku"]: p["quantity"] for p in emu.state.received("etsy", "stock_update")}
    assert pushes["TEE-BLK-M"] == 7
    # forgetting the *_on_property arrays makes varying quantities invalid
    bad = etsy.put(f"/listings/{listing_id}/inventory", json={"products": products})
    assert bad.status_code == 400 and "quantity_on_property" in bad.json()["error"]
    # an offering without price is refused
    products[0]["offerings"][0].pop("price")
    assert etsy.put(f"/listings/{listing_id}/inventory", json=body).status_code == 400


def test_listings_include_inventory(emu, etsy):
    body = etsy.get("/shops/{shop}/listings", params={"includes": "Inventory", "limit": 100}).json()
    assert body["count"] == 5
    skus = {p["sku"] for li in body["results"] for p in li["inventory"]["products"]}
    assert {"TEE-BLK-S", "MUG-BLU", "CAP-BLK"} <= skus
