"""SSRF rules: which Genius URLs a tenant may save, and where the client may connect."""

from __future__ import annotations

import pytest

from sync.errors import ConfigurationError
from sync.genius.addresses import AddressPolicy, check_base_url

PRODUCTION = AddressPolicy(production=True)
DEVELOPMENT = AddressPolicy(production=False)
SELF_HOSTED = AddressPolicy(
    production=True, allowed_private_hosts=frozenset({"erp.acme.internal"})
)


def resolver(*addresses: str):
    """Answers for a host name, as a DNS server would give them."""

    def resolve(_host: str, _port: int) -> list[str]:
        return list(addresses)

    return resolve


def unresolvable(_host: str, _port: int) -> list[str]:
    raise OSError("Name or service not known")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        pytest.param("http://93.184.216.34", "https://", id="plain-http"),
        pytest.param("https://127.0.0.1", "loopback", id="loopback-v4"),
        pytest.param("https://127.8.9.10:8443", "loopback", id="loopback-range"),
        pytest.param("https://[::1]", "loopback", id="loopback-v6"),
        pytest.param("https://localhost", "loopback", id="localhost-resolved"),
        pytest.param("https://10.1.2.3", "private", id="private-10"),
        pytest.param("https://172.16.0.1", "private", id="private-172"),
        pytest.param("https://192.168.1.10", "private", id="private-192"),
        pytest.param("https://[fd00::1]", "private", id="private-v6"),
        pytest.param("https://169.254.169.254", "metadata", id="metadata-v4"),
        pytest.param("https://[fd00:ec2::254]", "metadata", id="metadata-v6"),
        pytest.param("https://100.100.100.200", "metadata", id="metadata-alibaba"),
        pytest.param("https://169.254.10.10", "link-local", id="link-local-v4"),
        pytest.param("https://[fe80::1]", "link-local", id="link-local-v6"),
        pytest.param("https://100.64.0.1", "CGNAT", id="cgnat"),
        pytest.param("https://0.0.0.0", "unspecified", id="unspecified"),
        pytest.param("https://224.0.0.1", "multicast", id="multicast"),
        pytest.param("https://240.0.0.1", "reserved", id="reserved"),
        pytest.param("https://[::ffff:127.0.0.1]", "loopback", id="v4-mapped"),
        pytest.param("https://[::ffff:a9fe:a9fe]", "metadata", id="v4-mapped-metadata"),
        pytest.param("https://[64:ff9b::a9fe:a9fe]", "metadata", id="nat64"),
        pytest.param("https://[2002:7f00:1::]", "loopback", id="6to4"),
        pytest.param("https://user:pw@93.184.216.34", "no user", id="credentials"),
        pytest.param("https://93.184.216.34/?next=1", "must not carry", id="query"),
        pytest.param("https:///api", "host name", id="no-host"),
        pytest.param("ftp://93.184.216.34", "https://", id="other-scheme"),
    ],
)
def test_production_refuses_addresses_inside_our_network(url, reason):
    with pytest.raises(ConfigurationError, match=reason):
        check_base_url(url, policy=PRODUCTION)


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://93.184.216.34", id="public-v4"),
        pytest.param("https://93.184.216.34:8443/genius/", id="port-and-path"),
        pytest.param("https://[2606:4700:4700::1111]", id="public-v6"),
    ],
)
def test_production_admits_public_https_addresses(url):
    assert check_base_url(url, policy=PRODUCTION) == url.rstrip("/")


@pytest.mark.parametrize(
    ("addresses", "refused"),
    [
        pytest.param(("93.184.216.34", "10.0.0.5"), True, id="one-private-among-two"),
        pytest.param(("2606:4700::1111", "::1"), True, id="one-loopback-v6"),
        pytest.param(("93.184.216.34", "169.254.169.254"), True, id="one-metadata"),
        pytest.param(("93.184.216.34", "2606:4700::1111"), False, id="all-public"),
    ],
)
def test_a_host_with_one_bad_address_is_refused_whole(addresses, refused):
    check = lambda: check_base_url(  # noqa: E731
        "https://erp.example.com", policy=PRODUCTION, resolve=resolver(*addresses)
    )

    if refused:
        with pytest.raises(ConfigurationError, match=r"erp\.example\.com"):
            check()
    else:
        assert check() == "https://erp.example.com"


@pytest.mark.parametrize(
    ("addresses", "admitted"),
    [
        pytest.param(("10.20.0.5",), True, id="private"),
        pytest.param(("100.64.3.4",), True, id="vpn-cgnat"),
        pytest.param(("127.0.0.1",), False, id="never-loopback"),
        pytest.param(("169.254.169.254",), False, id="never-metadata"),
        pytest.param(("fe80::1",), False, id="never-link-local"),
    ],
)
def test_the_allow_list_admits_private_addresses_of_listed_hosts_only(
    addresses, admitted
):
    def check(host: str) -> str:
        return check_base_url(
            f"https://{host}", policy=SELF_HOSTED, resolve=resolver(*addresses)
        )

    if admitted:
        assert check("ERP.acme.internal") == "https://ERP.acme.internal"
    else:
        with pytest.raises(ConfigurationError):
            check("erp.acme.internal")
    with pytest.raises(ConfigurationError):
        check("other.acme.internal")


@pytest.mark.parametrize(
    ("url", "admitted"),
    [
        pytest.param("http://localhost:8102", True, id="localhost"),
        pytest.param("http://127.0.0.1:8102", True, id="loopback-v4"),
        pytest.param("http://[::1]:8102", True, id="loopback-v6"),
        pytest.param("http://10.0.0.7", False, id="private"),
        pytest.param("http://169.254.169.254", False, id="metadata"),
    ],
)
def test_development_admits_loopback_only(url, admitted):
    if admitted:
        assert check_base_url(url, policy=DEVELOPMENT) == url
    else:
        with pytest.raises(ConfigurationError):
            check_base_url(url, policy=DEVELOPMENT)


def test_a_host_that_does_not_resolve_now_is_left_to_the_connection_check():
    url = "https://genius.acme.invalid"

    assert check_base_url(url, policy=PRODUCTION, resolve=unresolvable) == url


async def test_the_client_refuses_at_connect_time_whatever_was_checked(
    make_client, sandbox_url
):
    # A name checked while it pointed elsewhere (DNS rebinding) still cannot
    # lead the client to loopback: the address is checked at each connection.
    port = sandbox_url.rsplit(":", 1)[1]
    async with make_client(
        base_url=f"http://localhost:{port}", policy=PRODUCTION
    ) as client:
        with pytest.raises(ConfigurationError, match="loopback"):
            await client.get_company()

    assert client.calls == 1
