"""Host name normalisation: the only form in which hosts are compared."""
import re

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_host(raw: str | None) -> str | None:
    """Lower-case `raw`, drop its port and trailing dot; None when it is not a DNS name.

    IP literals (v4 or v6) and malformed names give None, so they never match a tenant.
    """
    if not raw:
        return None
    host = raw.strip().lower()
    if host.startswith("["):  # IPv6 literal, with or without a port
        return None
    host = host.rsplit(":", 1)[0] if ":" in host else host
    host = host.rstrip(".")
    if not host or len(host) > 253:
        return None
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return None
    if all(label.isdigit() for label in labels):  # 127.0.0.1 and friends
        return None
    return host
