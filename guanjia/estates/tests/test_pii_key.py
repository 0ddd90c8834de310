"""The ID-number hash is keyed by PII_HASH_KEY alone: rotating SECRET_KEY never orphans the stored hashes."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from guanjia.estates.services import customer_create, id_number_matches
from guanjia.frontdesk.services import code_hash

pytestmark = pytest.mark.django_db

ROTATED_SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789-abcdefghijklmnop"


def test_a_stored_id_number_still_verifies_after_secret_key_rotation(world):
    customer = customer_create(project=world.estate, name="王芳", id_number="44030119900101123X", actor=None)

    with override_settings(SECRET_KEY=ROTATED_SECRET_KEY):
        customer.refresh_from_db()
        assert id_number_matches(customer, "44030119900101123X")
        assert not id_number_matches(customer, "440301199001011230")


def test_a_pickup_code_hash_survives_secret_key_rotation_but_not_a_new_pii_key(world):
    before = code_hash(world.estate.pk, "123456")

    with override_settings(SECRET_KEY=ROTATED_SECRET_KEY):
        assert code_hash(world.estate.pk, "123456") == before
    with override_settings(PII_HASH_KEY="another-pii-hash-key-0123456789-abcdef"):
        assert code_hash(world.estate.pk, "123456") != before


def test_the_pii_key_is_not_the_secret_key():
    assert settings.PII_HASH_KEY and settings.PII_HASH_KEY != settings.SECRET_KEY
