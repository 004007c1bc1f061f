"""Test connection tells each failure apart; saving stores the key safely."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlmodel import select

from runtime.redis_server import free_port
from sandbox.genius.server import serve_in_thread
from store.credentials import load_secret
from store.db import session_scope
from store.models import Credential, CredentialKind, Tenant
from sync.errors import ConfigurationError
from sync.genius import open_genius
from sync.genius.addresses import AddressPolicy
from sync.genius.connection import save_connection
from sync.genius.connection import test_connection as check_connection
from sync.genius.signatures import key_id

KEY = "demo-genius-key"
COMPANY = "FABDEMO"
DEVELOPMENT = AddressPolicy(production=False)


def write_self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself, as a careless server has."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "genius.local")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_sandbox(sandbox, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert_path, key_path = write_self_signed(tmp_path)
    with serve_in_thread(sandbox, certfile=cert_path, keyfile=key_path) as url:
        yield url, cert_path


@pytest.mark.parametrize(
    ("company", "api_key", "outcome"),
    [
        pytest.param(COMPANY, KEY, "ok", id="ok"),
        pytest.param("fabdemo", f"  {KEY} ", "ok", id="ok-after-trimming"),
        pytest.param(COMPANY, "not-the-key", "wrong_key", id="wrong-key"),
        pytest.param("AUTRE", KEY, "wrong_company", id="wrong-company"),
        pytest.param("NOPE", KEY, "wrong_company", id="unknown-company"),
    ],
)
async def test_credentials_outcomes(sandbox_url, company, api_key, outcome):
    check = await check_connection(sandbox_url, company, api_key, policy=DEVELOPMENT)

    assert check.outcome == outcome
    assert check.ok == (outcome == "ok")
    if check.ok:
        assert check.company_name == "Fabrication Démo inc."
        assert check.timezone == "America/Toronto"
    assert api_key.strip() not in check.message


async def test_nothing_listening_is_unreachable():
    url = f"http://127.0.0.1:{free_port()}"

    check = await check_connection(url, COMPANY, KEY, policy=DEVELOPMENT)

    assert check.outcome == "unreachable"
    assert url in check.message


async def test_a_self_signed_certificate_is_a_tls_failure(tls_sandbox):
    url, _cert = tls_sandbox

    check = await check_connection(url, COMPANY, KEY, policy=DEVELOPMENT)

    assert check.outcome == "tls"
    assert "certificate" in check.message


async def test_the_same_server_passes_once_its_certificate_is_trusted(tls_sandbox):
    url, cert = tls_sandbox
    trusted = ssl.create_default_context(cafile=str(cert))

    check = await check_connection(
        url, COMPANY, KEY, policy=DEVELOPMENT, verify=trusted
    )

    assert check.outcome == "ok"


@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param("/somewhere/else", id="wrong-path-404"),
        pytest.param("/_sandbox/clock", id="json-but-not-genius"),
    ],
)
async def test_a_server_that_is_not_genius_is_named_so(sandbox_url, suffix):
    check = await check_connection(
        sandbox_url + suffix, COMPANY, KEY, policy=DEVELOPMENT
    )

    assert check.outcome == "not_genius"


async def test_a_refused_url_is_not_even_tried(sandbox_url):
    with pytest.raises(ConfigurationError, match="https://"):
        await check_connection(sandbox_url, COMPANY, KEY, policy=AddressPolicy())


@pytest.fixture
def tenant(db) -> Tenant:
    with session_scope() as session:
        tenant = Tenant(hub_id="880001", name="Fabrication Démo")
        session.add(tenant)
        session.flush()
    return tenant


async def test_saving_stores_the_key_encrypted_and_subscribes_webhooks(
    tenant, sandbox, sandbox_url
):
    check = await save_connection(
        tenant.id,
        base_url=sandbox_url + "/",
        company="fabdemo",
        api_key=KEY,
        policy=DEVELOPMENT,
    )

    assert (check.ok, check.key_hint) == (True, "…-key")
    with session_scope() as session:
        stored = session.get(Tenant, tenant.id)
        rows = session.exec(select(Credential).where(Credential.tenant_id == tenant.id))
        ciphertexts = [row.ciphertext for row in rows]
        hook = load_secret(session, tenant.id, CredentialKind.GENIUS_WEBHOOK)
        genius = load_secret(session, tenant.id, CredentialKind.GENIUS)
    assert (stored.genius_base_url, stored.genius_company) == (sandbox_url, COMPANY)
    assert genius["api_key"] == KEY
    assert all(KEY not in text for text in ciphertexts)
    subscription = sandbox.state.companies[COMPANY].webhook
    assert subscription["Url"].endswith(f"/webhooks/genius/{tenant.id}")
    assert subscription["Secret"] == hook["secret"]


async def test_a_failed_test_stores_nothing(tenant, sandbox_url):
    check = await save_connection(
        tenant.id,
        base_url=sandbox_url,
        company=COMPANY,
        api_key="wrong-key-123",
        policy=DEVELOPMENT,
    )

    assert check.outcome == "wrong_key"
    with session_scope() as session:
        assert load_secret(session, tenant.id, CredentialKind.GENIUS) is None
        assert session.get(Tenant, tenant.id).genius_base_url == ""


async def test_a_saved_connection_opens_a_client_for_the_engine(tenant, sandbox_url):
    await save_connection(
        tenant.id,
        base_url=sandbox_url,
        company=COMPANY,
        api_key=KEY,
        policy=DEVELOPMENT,
    )

    async with open_genius(tenant.id) as erp:
        quote = await erp.get_quote("S-000001")

    assert quote["CustomerCode"] == "BOREAL"
    assert erp.timezone == "America/Toronto"
    assert erp.calls == 1


async def test_saving_keeps_the_id_genius_gives_our_key_in_its_events(
    tenant, sandbox_url
):
    await save_connection(
        tenant.id,
        base_url=sandbox_url,
        company=COMPANY,
        api_key=KEY,
        policy=DEVELOPMENT,
    )

    with session_scope() as session:
        stored = load_secret(session, tenant.id, CredentialKind.GENIUS)
    assert stored["changed_by_id"] == key_id(KEY)
    assert KEY not in stored["changed_by_id"]


async def test_a_tenant_without_connection_cannot_open_a_client(tenant):
    with pytest.raises(ConfigurationError, match="no Genius connection"):
        async with open_genius(tenant.id):
            pass
