"""The client's address: the socket's peer, or what trusted proxies say it was.

`X-Forwarded-For` is read only when the peer is one of the configured proxies, and then
from the right: each proxy appends the address it was connected from, so the first hop
from the right that is no trusted proxy is the client; whatever lies further left the
client wrote itself. An IPv6 client is counted by its /64, the network one subscriber
holds, or it could step through addresses to escape a per-address limit."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from litestar.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


@functools.lru_cache(maxsize=8)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """The networks of `YIMEN_TRUSTED_PROXIES` (the settings checked their form)."""
    items = (item.strip() for item in setting.split(","))
    return tuple(ipaddress.ip_network(item, strict=False) for item in items if item)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(text: str, networks: Iterable[Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


def _forwarded_hops(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            hops += value.decode("latin-1").split(",")
    return hops


def client_address(scope: Scope, networks: tuple[Network, ...]) -> str:
    """The address a per-address limit counts the request against."""
    peer = scope.get("client")
    host = str(peer[0]) if peer else UNKNOWN
    if networks and _is_trusted(host, networks):
        host = _first_untrusted(_forwarded_hops(scope), networks) or host
    return _counted_as(host)


def _first_untrusted(hops: list[str], networks: tuple[Network, ...]) -> str | None:
    """The nearest hop no trusted proxy is at (the leftmost if all are proxies); None
    when there is none, or the hop is no address, which no proxy of ours would write."""
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop.strip() if _address(hop) is not None else None
    return hops[0].strip() if hops else None


def _counted_as(host: str) -> str:
    address = _address(host) if ":" in host else None
    if not isinstance(address, ipaddress.IPv6Address):
        return host
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))
