"""Reading and writing a tenant's secrets; the only place they are decrypted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from store.crypto import decrypt_json, encrypt_json
from store.models import Credential
from store.types import utcnow


def save_secret(
    session: Session,
    tenant_id: int,
    kind: str,
    secret: dict[str, Any],
    *,
    hint: str = "",
    expires_at: datetime | None = None,
) -> Credential:
    row = session.exec(
        select(Credential).where(
            Credential.tenant_id == tenant_id, Credential.kind == kind
        )
    ).first()
    if row is None:
        row = Credential(tenant_id=tenant_id, kind=kind, ciphertext="")
    row.ciphertext = encrypt_json(secret)
    row.hint = hint
    row.expires_at = expires_at
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def load_secret(session: Session, tenant_id: int, kind: str) -> dict[str, Any] | None:
    row = session.exec(
        select(Credential).where(
            Credential.tenant_id == tenant_id, Credential.kind == kind
        )
    ).first()
    return None if row is None else decrypt_json(row.ciphertext)


def delete_secrets(session: Session, tenant_id: int) -> int:
    rows = session.exec(select(Credential).where(Credential.tenant_id == tenant_id))
    count = 0
    for row in rows:
        session.delete(row)
        count += 1
    return count
