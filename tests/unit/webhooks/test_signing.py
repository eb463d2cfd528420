"""Signatures per the Standard Webhooks spec, checked by an independent implementation."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from verifier.webhooks import signing

# The spec's published example (standard-webhooks/standard-webhooks, spec and its
# libraries' tests): this secret, id, timestamp and body sign to this signature.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_spec_example_signs_to_the_published_signature() -> None:
    assert signing.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_our_headers_verify_with_the_standardwebhooks_library() -> None:
    secret = signing.generate_secret()
    body = '{"type":"verification.completed","data":{"verification_id":"v1"}}'
    headers = signing.headers([secret], "msg_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {
        "type": "verification.completed",
        "data": {"verification_id": "v1"},
    }


def test_a_changed_body_fails_verification() -> None:
    secret = signing.generate_secret()
    headers = signing.headers([secret], "msg_1", int(time.time()), '{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify('{"a":2}', headers)


def test_during_a_rotation_either_secret_verifies() -> None:
    new, old = signing.generate_secret(), signing.generate_secret()
    headers = signing.headers([new, old], "msg_1", int(time.time()), "{}")
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify("{}", headers)
    Webhook(old).verify("{}", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify("{}", headers)


def test_a_secret_is_32_random_bytes_with_the_spec_prefix() -> None:
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(signing.secret_bytes(secret)) == 32
    assert secret != signing.generate_secret()
