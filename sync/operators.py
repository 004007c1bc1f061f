"""The integrator's operators and their sign-in to the admin portal."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import select

from store.db import session_scope
from store.models import Operator

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = hash_password(password, bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(expected, digest_hex)


def ensure_operator(email: str, password: str) -> Operator:
    """Create the operator, or reset its password to `password`."""
    email = email.strip().lower()
    with session_scope() as session:
        operator = session.exec(select(Operator).where(Operator.email == email)).first()
        if operator is None:
            operator = Operator(email=email, password_hash="")
        if not check_password(password, operator.password_hash):
            operator.password_hash = hash_password(password)
        session.add(operator)
        return operator


def authenticate(email: str, password: str) -> Operator | None:
    with session_scope() as session:
        operator = session.exec(
            select(Operator).where(Operator.email == email.strip().lower())
        ).first()
    if operator is None:
        hash_password(password)  # same cost whether the address exists or not
        return None
    return operator if check_password(password, operator.password_hash) else None
