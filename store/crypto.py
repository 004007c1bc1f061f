"""Encryption of secrets at rest with rotating keys.

`ENCRYPTION_KEYS` holds Fernet keys, newest first. The first key encrypts;
every key decrypts, so a new key can be put in front while old rows are
still readable, and `rotate` re-encrypts a row under the newest key.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from runtime.settings import ConfigurationError, get_settings


def make_cipher(keys: str) -> MultiFernet:
    parts = [key.strip() for key in keys.split(",") if key.strip()]
    if not parts:
        raise ConfigurationError(
            "ENCRYPTION_KEYS is empty: set one or more Fernet keys"
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in parts])
    except ValueError as exc:
        raise ConfigurationError(
            "ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        ) from exc


@lru_cache
def get_cipher() -> MultiFernet:
    return make_cipher(get_settings().encryption_keys.get_secret_value())


class UnreadableSecret(RuntimeError):
    """A stored secret was encrypted with a key no longer in ENCRYPTION_KEYS."""


def encrypt_json(value: dict[str, Any], cipher: MultiFernet | None = None) -> str:
    data = json.dumps(value, separators=(",", ":")).encode()
    return (cipher or get_cipher()).encrypt(data).decode()


def decrypt_json(token: str, cipher: MultiFernet | None = None) -> dict[str, Any]:
    try:
        data = (cipher or get_cipher()).decrypt(token.encode())
    except InvalidToken as exc:
        raise UnreadableSecret(
            "a stored secret cannot be decrypted with ENCRYPTION_KEYS; "
            "keep the old key in the list until every row is rotated"
        ) from exc
    return json.loads(data)


def rotate(token: str, cipher: MultiFernet | None = None) -> str:
    """The same secret, encrypted under the newest key."""
    return (cipher or get_cipher()).rotate(token.encode()).decode()
