"""Which requests go through a proxy: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY from
the environment, as httpx reads them, except that a server on this machine is always reached
directly.

A local Ollama, vLLM or LM Studio lives on loopback: sending its requests to a corporate proxy
fails (the proxy cannot reach this machine's 127.0.0.1) or leaks the conversation, and people
rarely think of listing localhost in NO_PROXY. The proxy in use is also named in error
messages, so a proxy that refuses or fails is not mistaken for the provider.
"""

from __future__ import annotations

import ipaddress
import urllib.request
from urllib.parse import urlsplit, urlunsplit


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def direct_mounts(base_url: str | None) -> dict[str, None] | None:
    """`mounts=` for an httpx client: None for a loopback host means "no proxy, connect
    directly" (a more specific pattern than the environment's proxy ones, so it wins)."""
    host = urlsplit(base_url or "").hostname
    if not host or not is_loopback(host):
        return None
    pattern = f"[{host}]" if ":" in host else host
    return {f"all://{pattern}": None}


def proxy_for(base_url: str | None) -> str | None:
    """The proxy the environment sends requests to `base_url` through, without any
    user:password in it (it goes into messages), and the variable it came from; None when
    the requests go directly."""
    parts = urlsplit(base_url or "")
    host = parts.hostname
    if not host or is_loopback(host):
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    shown = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    netloc = shown.netloc.rpartition("@")[2]  # never a password in a message
    variable = f"{'ALL' if parts.scheme not in proxies else parts.scheme.upper()}_PROXY"
    return f"{urlunsplit((shown.scheme, netloc, '', '', ''))} (from {variable})"
