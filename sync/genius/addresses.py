"""Which network addresses a tenant's Genius URL may lead to (SSRF rules).

The URL a tenant types makes our servers send requests, so it must not
reach inside our own network. In production the URL must be https and
every address its host resolves to must be public: no loopback, private,
link-local, shared (CGNAT), metadata, multicast or reserved address, IPv6
included, and IPv4 hidden inside IPv6 (mapped, 6to4, NAT64, Teredo) is
unwrapped first. One bad address refuses the whole host. Hosts listed in
GENIUS_ALLOWED_PRIVATE_HOSTS (self-hosted installations behind a VPN) may
resolve to private and shared addresses, never to loopback or link-local.
Development also admits loopback and plain http, for the sandbox.

The rules apply twice: when the URL is saved (`check_base_url`), and again
at every connection (`GuardedBackend`), so a name that later resolves to
another address (DNS rebinding) is still refused.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from runtime.settings import get_settings
from sync.errors import ConfigurationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

METADATA_ADDRESSES = {
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
}
SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, by the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address carried inside an IPv6 one, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def classify(address: IPAddress) -> str:
    """'public', or the kind of non-public address it is."""
    inner = unwrap(address)
    if inner in METADATA_ADDRESSES or address in METADATA_ADDRESSES:
        return "cloud metadata"
    shared = isinstance(inner, ipaddress.IPv4Address) and inner in SHARED_SPACE
    checks = (
        ("unspecified", inner.is_unspecified),
        ("loopback", inner.is_loopback),
        ("link-local", inner.is_link_local),
        ("multicast", inner.is_multicast),
        ("reserved", inner.is_reserved),
        ("shared (CGNAT)", shared),
        ("private", inner.is_private),
        ("reserved", not inner.is_global),
    )
    return next((kind for kind, hit in checks if hit), "public")


@dataclass(frozen=True)
class AddressPolicy:
    """The SSRF rules in force: production or development, and the allow-list."""

    production: bool = True
    allowed_private_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls) -> AddressPolicy:
        settings = get_settings()
        hosts = settings.genius.allowed_private_hosts.split(",")
        return cls(
            production=settings.is_production,
            allowed_private_hosts=frozenset(
                h.strip().lower() for h in hosts if h.strip()
            ),
        )

    def refusal(self, host: str, address: IPAddress) -> str:
        """Why `address` (of `host`) is refused, or '' when it is allowed."""
        kind = classify(address)
        if kind == "public":
            return ""
        if kind == "loopback" and not self.production:
            return ""
        allow_listed = host.lower().rstrip(".") in self.allowed_private_hosts
        if allow_listed and kind in ("private", "shared (CGNAT)"):
            return ""
        return kind

    def check_addresses(self, host: str, addresses: Iterable[str]) -> None:
        """Refuse `host` if any of its addresses is refused."""
        for text in addresses:
            kind = self.refusal(host, ipaddress.ip_address(text.split("%")[0]))
            if kind:
                hint = (
                    "add the host to GENIUS_ALLOWED_PRIVATE_HOSTS if it is a "
                    "self-hosted installation"
                    if kind in ("private", "shared (CGNAT)")
                    else "use the public address of the Genius installation"
                )
                raise ConfigurationError(
                    f"Genius host {host!r} resolves to {text} ({kind} address), "
                    f"which the connector may not call: {hint}"
                )


def check_base_url(
    url: str, *, policy: AddressPolicy | None = None, resolve: Resolver | None = None
) -> str:
    """The URL without trailing slash, or ConfigurationError saying what to fix.

    A host that does not resolve now is let through: nothing can be reached
    through it, and the connection-time check sees the address it gets later.
    """
    policy = policy or AddressPolicy.from_settings()
    parts = urlsplit(url.strip())
    allowed_schemes = ("https",) if policy.production else ("https", "http")
    if parts.scheme not in allowed_schemes:
        raise ConfigurationError(
            f"Genius URL {url!r} must start with "
            + " or ".join(f"{scheme}://" for scheme in allowed_schemes)
        )
    if not parts.hostname or parts.username or parts.password:
        raise ConfigurationError(
            f"Genius URL {url!r} needs a host name and no user or password in it"
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"Genius URL {url!r} must not carry ? or #")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ConfigurationError(f"Genius URL {url!r} has an invalid port") from None

    try:
        addresses = (resolve or resolve_host)(parts.hostname, port)
    except OSError:
        addresses = []
    policy.check_addresses(parts.hostname, addresses)
    return parts.geturl().rstrip("/")
