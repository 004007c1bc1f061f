"""Secrets at rest: encrypted, readable after a key rotation, never stored in clear."""

import pytest
from cryptography.fernet import Fernet
from sqlmodel import select

from runtime.settings import ConfigurationError
from store.credentials import load_secret, save_secret
from store.crypto import (
    UnreadableSecret,
    decrypt_json,
    encrypt_json,
    make_cipher,
    rotate,
)
from store.db import session_scope
from store.models import Credential, Tenant


def test_a_new_key_in_front_still_reads_rows_of_the_old_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = encrypt_json({"api_key": "k-123"}, make_cipher(old))

    both = make_cipher(f"{new},{old}")
    assert decrypt_json(token, both) == {"api_key": "k-123"}

    rotated = rotate(token, both)
    assert decrypt_json(rotated, make_cipher(new)) == {"api_key": "k-123"}
    with pytest.raises(UnreadableSecret):
        decrypt_json(token, make_cipher(new))


@pytest.mark.parametrize(
    "keys", ["", " , ", "not-a-fernet-key"], ids=["empty", "blank", "bad"]
)
def test_unusable_keys_are_a_configuration_error(keys):
    with pytest.raises(ConfigurationError, match="ENCRYPTION_KEYS"):
        make_cipher(keys)


def test_a_saved_secret_is_not_in_the_row_in_clear(db):
    with session_scope() as session:
        tenant = Tenant(hub_id="101", name="Portail")
        session.add(tenant)
        session.flush()
        save_secret(
            session, tenant.id, "genius", {"api_key": "very-secret-key"}, hint="…-key"
        )
        tenant_id = tenant.id

    with session_scope() as session:
        row = session.exec(select(Credential)).one()
        assert "very-secret-key" not in row.ciphertext
        assert load_secret(session, tenant_id, "genius") == {
            "api_key": "very-secret-key"
        }
