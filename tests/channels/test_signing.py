"""Signature vectors from docs/domain/tiktok-shop.md and labels.md plus tampering negatives.

Plain pytest, no database: run with ``-p no:django``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from integrations.channels import signing

# --- vectors quoted in the domain docs --------------------------------------------------

# docs/domain/tiktok-shop.md#signing: secret e59af819cc, /authorization/202309/shops, app_key 29a39d,
# timestamp 1623812664, empty body.
TIKTOK_SECRET = "e59af819cc"
TIKTOK_PATH = "/authorization/202309/shops"
TIKTOK_QUERY = {"app_key": "29a39d", "timestamp": "1623812664"}
TIKTOK_SIGN = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"

# docs/domain/tiktok-shop.md#webhooks: app_key abcdef, secret 123, the sample type-1 payload of
# partner.tiktokshop.com/docv2/page/tts-webhooks-overview -> 5dec0f11…9031ac05.
TIKTOK_WEBHOOK_BODY = (
    b'{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507",'
    b'"timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178",'
    b'"order_status":"UNPAID","update_time":1718305585}}'
)
TIKTOK_WEBHOOK_SIGNATURE = "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"

# docs/domain/labels.md#signature: secret "s\u00e9cret", body = compact JSON of EasyPost/examples
# official/fixtures/event-body.json.
EASYPOST_SECRET = "s\u00e9cret"
EASYPOST_SIGNATURE = "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db"
EASYPOST_EVENT_BODY = (
    b'{"description":"tracker.updated","mode":"production","previous_attributes":{"status":'
    b'"in_transit"},"created_at":"2024-08-02T19:26:52.000Z","pending_urls":["https://example.com'
    b'/easypost"],"completed_urls":[],"updated_at":"2024-08-02T19:26:52.000Z","id":"evt_1",'
    b'"user_id":"user_1","status":"pending","object":"Event","result":{"id":"trk_1","object":'
    b'"Tracker","mode":"production","tracking_code":"1","status":"in_transit","status_detail":'
    b'"arrived_at_facility","created_at":"2024-07-31T14:45:27Z","updated_at":"2024-08-02T19:26:51Z'
    b'","signed_by":null,"weight":614.4,"est_delivery_date":"2024-08-05T00:00:00Z","shipment_id":'
    b'null,"carrier":"FedEx","tracking_details":[{"object":"TrackingDetail","message":"Shipment '
    b'information sent to FedEx","description":"Shipment information sent to FedEx","status":'
    b'"pre_transit","status_detail":"label_created","datetime":"2024-07-31T15:00:00Z","source":'
    b'"FedEx","carrier_code":"OC","tracking_location":{"object":"TrackingLocation","city":null,'
    b'"state":null,"country":"US","zip":"32837"}},{"object":"TrackingDetail","message":"Picked up'
    b'","description":"Picked up","status":"in_transit","status_detail":"arrived_at_facility",'
    b'"datetime":"2024-07-31T19:27:00Z","source":"FedEx","carrier_code":"PU","tracking_location":'
    b'{"object":"TrackingLocation","city":"ORLANDO","state":"FL","country":"US","zip":"32809"}},'
    b'{"object":"TrackingDetail","message":"Arrived at FedEx location","description":"Arrived at '
    b'FedEx location","status":"in_transit","status_detail":"arrived_at_facility","datetime":'
    b'"2024-07-31T22:35:00Z","source":"FedEx","carrier_code":"AR","tracking_location":{"object":'
    b'"TrackingLocation","city":"ORLANDO","state":"FL","country":"US","zip":"32809"}},{"object":'
    b'"TrackingDetail","message":"Departed FedEx location","description":"Departed FedEx location'
    b'","status":"in_transit","status_detail":"departed_facility","datetime":"2024-08-01T14:42:13Z'
    b'","source":"FedEx","carrier_code":"DP","tracking_location":{"object":"TrackingLocation",'
    b'"city":"ORLANDO","state":"FL","country":"US","zip":"32809"}},{"object":"TrackingDetail",'
    b'"message":"On the way","description":"On the way","status":"in_transit","status_detail":'
    b'"unknown","datetime":"2024-08-02T02:46:19Z","source":"FedEx","carrier_code":"IT",'
    b'"tracking_location":{"object":"TrackingLocation","city":"KENLY","state":"NC","country":"US",'
    b'"zip":"27542"}},{"object":"TrackingDetail","message":"On the way","description":"On the way'
    b'","status":"in_transit","status_detail":"unknown","datetime":"2024-08-02T18:35:20Z","source"'
    b':"FedEx","carrier_code":"IT","tracking_location":{"object":"TrackingLocation","city":'
    b'"EDISON TWP","state":"NJ","country":"US","zip":"08817"}},{"object":"TrackingDetail",'
    b'"message":"Arrived at FedEx location","description":"Arrived at FedEx location","status":'
    b'"in_transit","status_detail":"arrived_at_facility","datetime":"2024-08-02T18:50:00Z",'
    b'"source":"FedEx","carrier_code":"AR","tracking_location":{"object":"TrackingLocation","city"'
    b':"EDISON","state":"NJ","country":"US","zip":"08817"}}],"carrier_detail":{"object":'
    b'"CarrierDetail","service":"FEDEX_GROUND","container_type":null,"est_delivery_date_local":'
    b'"2024-08-05","est_delivery_time_local":null,"origin_location":"ORLANDO FL US",'
    b'"origin_tracking_location":{"object":"TrackingLocation","city":"ORLANDO","state":"FL",'
    b'"country":"US","zip":"32809"},"destination_location":"BROOKLYN HGTS NY US",'
    b'"destination_tracking_location":null,"guaranteed_delivery_date":null,"alternate_identifier"'
    b':null,"initial_delivery_attempt":null},"finalized":false,"is_return":false,"public_url":'
    b'"https://track.easypost.com/1"}}'
)

# docs/domain/channels.md#etsy-webhooks gives Etsy's scheme (3P) without a vector; it is the Standard Webhooks
# scheme, whose published example is used here.
ETSY_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ETSY_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
ETSY_TS = 1614265330
ETSY_BODY = b'{"test": 2432232314}'
ETSY_SIGNATURE = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

GARBAGE = [None, "", " ", 42, 4.2, ["x"], {"a": 1}, b"\xff\xfe", "h\u00e9llo", "\x00" * 64]


# --- TikTok request signing -------------------------------------------------------------


def test_tiktok_doc_vector():
    assert signing.tiktok_sign(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=TIKTOK_QUERY) == (TIKTOK_SIGN)


def test_tiktok_sign_ignores_sign_and_access_token_and_key_order():
    query = {"timestamp": 1623812664, "access_token": "tok", "sign": "old", "app_key": "29a39d"}
    assert signing.tiktok_sign(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=query) == (TIKTOK_SIGN)
    # parse_qs-style multi-values and pair lists give the same answer
    as_lists = {"app_key": ["29a39d"], "timestamp": ["1623812664"]}
    pairs = [("timestamp", "1623812664"), ("app_key", "29a39d")]
    for q in (as_lists, pairs):
        assert signing.tiktok_sign(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=q) == (TIKTOK_SIGN)


def test_tiktok_base_string_layout():
    base = signing.tiktok_sign_base_string(
        app_secret="S",
        path="/order/202309/orders/search",
        query={"shop_cipher": "C", "app_key": "K", "timestamp": "1", "page_size": 10},
        body=b'{"order_status":"AWAITING_SHIPMENT"}',
    )
    assert base == (
        b'S/order/202309/orders/searchapp_keyKpage_size10shop_cipherCtimestamp1{"order_status":"AWAITING_SHIPMENT"}S'
    )


def test_tiktok_body_is_signed_unless_multipart():
    args = {"app_secret": "S", "path": "/p", "query": {"app_key": "K", "timestamp": "1"}}
    empty = signing.tiktok_sign(**args)
    with_body = signing.tiktok_sign(**args, body=b'{"a":1}', content_type="application/json")
    multipart = signing.tiktok_sign(**args, body=b"--xyz\r\n...", content_type="multipart/form-data; boundary=xyz")
    assert with_body != empty
    assert multipart == empty


def test_verify_tiktok_request_accepts_and_refuses():
    query = dict(TIKTOK_QUERY, sign=TIKTOK_SIGN)
    ok = signing.verify_tiktok_request(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=query)
    assert ok is True
    # upper-case hex is still the same signature
    query_upper = dict(TIKTOK_QUERY, sign=TIKTOK_SIGN.upper())
    assert signing.verify_tiktok_request(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=query_upper)
    assert not signing.verify_tiktok_request(app_secret="wrong", path=TIKTOK_PATH, query=query)
    assert not signing.verify_tiktok_request(app_secret=TIKTOK_SECRET, path="/authorization/202309/shopz", query=query)
    tampered = dict(query, timestamp="1623812665")
    assert not signing.verify_tiktok_request(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=tampered)
    assert not signing.verify_tiktok_request(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=query, body=b"{}")


@pytest.mark.parametrize("bad", GARBAGE)
def test_verify_tiktok_request_never_raises(bad):
    assert (
        signing.verify_tiktok_request(app_secret=TIKTOK_SECRET, path=TIKTOK_PATH, query=TIKTOK_QUERY, sign=bad) is False
    )


# --- TikTok webhooks --------------------------------------------------------------------


def test_tiktok_webhook_doc_vector():
    assert (
        signing.tiktok_webhook_signature(app_key="abcdef", app_secret="123", body=TIKTOK_WEBHOOK_BODY)
        == TIKTOK_WEBHOOK_SIGNATURE
    )
    assert signing.verify_tiktok_webhook(
        app_key="abcdef",
        app_secret="123",
        body=TIKTOK_WEBHOOK_BODY,
        authorization=TIKTOK_WEBHOOK_SIGNATURE,
    )


def test_tiktok_webhook_negatives():
    base = {"app_key": "abcdef", "app_secret": "123", "authorization": TIKTOK_WEBHOOK_SIGNATURE}
    assert not signing.verify_tiktok_webhook(**base, body=TIKTOK_WEBHOOK_BODY + b" ")
    tampered = TIKTOK_WEBHOOK_BODY.replace(b"UNPAID", b"AWAITING_SHIPMENT")
    assert not signing.verify_tiktok_webhook(**base, body=tampered)
    assert not signing.verify_tiktok_webhook(**dict(base, app_secret="124"), body=TIKTOK_WEBHOOK_BODY)
    assert not signing.verify_tiktok_webhook(**dict(base, app_key="abcdeg"), body=TIKTOK_WEBHOOK_BODY)
    # the bare hex is the whole header: a scheme prefix is not TikTok's format
    prefixed = dict(base, authorization="Bearer " + TIKTOK_WEBHOOK_SIGNATURE)
    assert not signing.verify_tiktok_webhook(**prefixed, body=TIKTOK_WEBHOOK_BODY)


@pytest.mark.parametrize("bad", GARBAGE)
def test_tiktok_webhook_garbage(bad):
    assert (
        signing.verify_tiktok_webhook(app_key="abcdef", app_secret="123", body=TIKTOK_WEBHOOK_BODY, authorization=bad)
        is False
    )


# --- WooCommerce ------------------------------------------------------------------------

WOO_BODY = b'{"id":727,"status":"processing","date_modified_gmt":"2026-07-10T08:00:00"}'
WOO_SECRET = "wc-webhook-secret"


def test_woocommerce_signature_is_base64_hmac_of_body():
    expected = base64.b64encode(hmac.new(WOO_SECRET.encode(), WOO_BODY, hashlib.sha256).digest()).decode()
    sig = signing.woocommerce_webhook_signature(secret=WOO_SECRET, body=WOO_BODY)
    assert sig == expected
    assert signing.verify_woocommerce_webhook(secret=WOO_SECRET, body=WOO_BODY, signature=sig)
    assert signing.verify_woocommerce_webhook(secret=WOO_SECRET.encode(), body=WOO_BODY.decode(), signature=sig)


def test_woocommerce_negatives():
    sig = signing.woocommerce_webhook_signature(secret=WOO_SECRET, body=WOO_BODY)
    assert not signing.verify_woocommerce_webhook(
        secret=WOO_SECRET, body=WOO_BODY.replace(b"727", b"728"), signature=sig
    )
    assert not signing.verify_woocommerce_webhook(secret="other", body=WOO_BODY, signature=sig)
    hex_form = hmac.new(WOO_SECRET.encode(), WOO_BODY, hashlib.sha256).hexdigest()
    assert not signing.verify_woocommerce_webhook(secret=WOO_SECRET, body=WOO_BODY, signature=hex_form)


@pytest.mark.parametrize("bad", GARBAGE)
def test_woocommerce_garbage(bad):
    assert signing.verify_woocommerce_webhook(secret=WOO_SECRET, body=WOO_BODY, signature=bad) is (False)


# --- Square -----------------------------------------------------------------------------

SQUARE_KEY = "sq-signature-key"
SQUARE_URL = "https://sellerhub.example.com/webhooks/square"
SQUARE_BODY = b'{"merchant_id":"M1","type":"order.updated","event_id":"e1","data":{"id":"O1"}}'


def test_square_signature_covers_url_and_body():
    expected = base64.b64encode(
        hmac.new(SQUARE_KEY.encode(), SQUARE_URL.encode() + SQUARE_BODY, hashlib.sha256).digest()
    ).decode()
    sig = signing.square_webhook_signature(signature_key=SQUARE_KEY, notification_url=SQUARE_URL, body=SQUARE_BODY)
    assert sig == expected
    assert signing.verify_square_webhook(
        signature_key=SQUARE_KEY, notification_url=SQUARE_URL, body=SQUARE_BODY, signature=sig
    )


def test_square_negatives():
    sig = signing.square_webhook_signature(signature_key=SQUARE_KEY, notification_url=SQUARE_URL, body=SQUARE_BODY)
    args = {"signature_key": SQUARE_KEY, "notification_url": SQUARE_URL, "signature": sig}
    assert not signing.verify_square_webhook(**args, body=SQUARE_BODY.replace(b"O1", b"O2"))
    assert not signing.verify_square_webhook(**dict(args, notification_url=SQUARE_URL + "/"), body=SQUARE_BODY)
    assert not signing.verify_square_webhook(**dict(args, signature_key="x"), body=SQUARE_BODY)
    # the legacy SHA1 header value is not accepted
    sha1 = base64.b64encode(
        hmac.new(SQUARE_KEY.encode(), SQUARE_URL.encode() + SQUARE_BODY, hashlib.sha1).digest()
    ).decode()
    assert not signing.verify_square_webhook(**dict(args, signature=sha1), body=SQUARE_BODY)


@pytest.mark.parametrize("bad", GARBAGE)
def test_square_garbage(bad):
    assert (
        signing.verify_square_webhook(
            signature_key=SQUARE_KEY, notification_url=SQUARE_URL, body=SQUARE_BODY, signature=bad
        )
        is False
    )
    assert (
        signing.verify_square_webhook(signature_key=SQUARE_KEY, notification_url=bad, body=SQUARE_BODY, signature="abc")
        is False
    )


# --- EasyPost ---------------------------------------------------------------------------


def test_easypost_doc_vector():
    assert signing.easypost_webhook_signature(secret=EASYPOST_SECRET, body=EASYPOST_EVENT_BODY) == EASYPOST_SIGNATURE
    assert signing.verify_easypost_webhook(
        secret=EASYPOST_SECRET, body=EASYPOST_EVENT_BODY, signature=EASYPOST_SIGNATURE
    )


def test_easypost_secret_is_nfkd_normalised():
    decomposed = "se\u0301cret"  # the same text as "s\u00e9cret", already in NFKD
    assert signing.verify_easypost_webhook(secret=decomposed, body=EASYPOST_EVENT_BODY, signature=EASYPOST_SIGNATURE)
    # without NFKD the digest differs (docs/domain/labels.md#signature): prove the vector depends on it
    raw = hmac.new(EASYPOST_SECRET.encode(), EASYPOST_EVENT_BODY, hashlib.sha256).hexdigest()
    assert "hmac-sha256-hex=" + raw != EASYPOST_SIGNATURE


def test_easypost_negatives():
    assert not signing.verify_easypost_webhook(
        secret=EASYPOST_SECRET,
        body=EASYPOST_EVENT_BODY.replace(b"in_transit", b"delivered", 1),
        signature=EASYPOST_SIGNATURE,
    )
    assert not signing.verify_easypost_webhook(secret="secret", body=EASYPOST_EVENT_BODY, signature=EASYPOST_SIGNATURE)
    bare_hex = EASYPOST_SIGNATURE.removeprefix("hmac-sha256-hex=")
    assert not signing.verify_easypost_webhook(secret=EASYPOST_SECRET, body=EASYPOST_EVENT_BODY, signature=bare_hex)


@pytest.mark.parametrize("bad", GARBAGE)
def test_easypost_garbage(bad):
    assert signing.verify_easypost_webhook(secret=EASYPOST_SECRET, body=EASYPOST_EVENT_BODY, signature=bad) is False
    assert signing.verify_easypost_webhook(secret=bad, body=EASYPOST_EVENT_BODY, signature=EASYPOST_SIGNATURE) is (
        bad == EASYPOST_SECRET
    )


# --- Etsy -------------------------------------------------------------------------------


def test_etsy_standard_webhooks_vector():
    sig = signing.etsy_webhook_signature(secret=ETSY_SECRET, webhook_id=ETSY_ID, timestamp=ETSY_TS, body=ETSY_BODY)
    assert sig == ETSY_SIGNATURE
    for header in (ETSY_SIGNATURE, "v1," + ETSY_SIGNATURE, "v1,bm9wZQ== v1," + ETSY_SIGNATURE):
        assert signing.verify_etsy_webhook(
            secret=ETSY_SECRET,
            webhook_id=ETSY_ID,
            timestamp=str(ETSY_TS),
            body=ETSY_BODY,
            signature=header,
            now=ETSY_TS + 10,
        )


def test_etsy_negatives():
    args = {
        "secret": ETSY_SECRET,
        "webhook_id": ETSY_ID,
        "timestamp": str(ETSY_TS),
        "body": ETSY_BODY,
        "signature": "v1," + ETSY_SIGNATURE,
        "now": ETSY_TS,
    }
    assert signing.verify_etsy_webhook(**args)
    assert not signing.verify_etsy_webhook(**dict(args, body=b'{"test": 2432232315}'))
    assert not signing.verify_etsy_webhook(**dict(args, webhook_id="msg_other"))
    assert not signing.verify_etsy_webhook(**dict(args, timestamp=str(ETSY_TS + 1)))
    assert not signing.verify_etsy_webhook(**dict(args, secret="whsec_" + "A" * 32))
    assert not signing.verify_etsy_webhook(**dict(args, signature="v2," + ETSY_SIGNATURE))
    # replay window
    assert not signing.verify_etsy_webhook(**dict(args, now=ETSY_TS + 301))
    assert signing.verify_etsy_webhook(**dict(args, now=ETSY_TS + 10_000, tolerance_seconds=None))


@pytest.mark.parametrize("bad", GARBAGE)
def test_etsy_garbage(bad):
    base = {
        "secret": ETSY_SECRET,
        "webhook_id": ETSY_ID,
        "timestamp": str(ETSY_TS),
        "body": ETSY_BODY,
        "signature": "v1," + ETSY_SIGNATURE,
        "now": ETSY_TS,
    }
    for field in ("signature", "webhook_id", "timestamp"):
        assert signing.verify_etsy_webhook(**dict(base, **{field: bad})) is False
    assert signing.verify_etsy_webhook(**dict(base, secret="whsec_not base64!")) is False
