"""PayFiP fixtures: the stand-in on a free loopback port, and families with issued invoices.

The stand-in's notifications go to the app through a test client bound to the host of
`urlnotif` (the commune's base_url), the way PayFiP's server would reach the portal.
"""
import datetime as dt
from urllib.parse import urlsplit

import pytest

from tests.billing.helpers import issued_invoice, make_regie
from tests.factories import make_child, make_family, make_service
from webapp.commune import PayfipSettings
from webapp.payfip.standin import PAGE_PATH, SOAP_PATH, PayfipStandin, serve


@pytest.fixture
def standin(app, monkeypatch):
    """A fresh stand-in for each test; the app's PAYFIP_* URLs point at it."""
    delivered: list[tuple[str, int]] = []

    def deliver(url: str, body: bytes) -> None:
        parts = urlsplit(url)
        client = app.test_client()
        response = client.post(parts.path, data=body, content_type="application/x-www-form-urlencoded",
                               base_url=f"{parts.scheme}://{parts.netloc}")
        delivered.append((url, response.status_code))

    fake = PayfipStandin(clients={"021289", "021290"}, notifier=deliver)
    fake.delivered = delivered
    server, url = serve(fake)
    settings = app.config["SETTINGS"]
    monkeypatch.setattr(settings, "payfip_ws_url", url + SOAP_PATH)
    monkeypatch.setattr(settings, "payfip_payment_url", url + PAGE_PATH)
    fake.url = url
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def alpha_on_payfip(app, monkeypatch):
    """Alpha turned into a second PayFiP commune (client 021290), to test cross-commune notifications."""
    registry = app.extensions["tenancy"].registry
    alpha = registry.get("alpha")
    changed = alpha.model_copy(update={"settings": alpha.settings.model_copy(update={
        "payment_mode": "payfip", "payfip": PayfipSettings(client_id="021290")})})
    monkeypatch.setitem(registry._by_slug, "alpha", changed)
    for host in alpha.hosts:
        monkeypatch.setitem(registry._by_host, host, changed)
    monkeypatch.setattr(registry, "tenants", [changed if t.slug == "alpha" else t for t in registry.tenants])
    return changed


def billed_family(session, number="100100", totals=(4250,), prefix="AL", **fields):
    """A family of the commune with issued invoices of one régie (totals in cents); returns (family, invoices)."""
    family = make_family(session, number=number, **fields)
    child = make_child(session, family)
    service = make_service(session, code=f"garderie{number}", name="GARDERIE SOIR", nature="childcare")
    regie = make_regie(session, code=f"r{number}", prefix=f"{prefix}{number[-2:]}")
    invoices = []
    for n, total in enumerate(totals, start=1):
        invoice = issued_invoice(session, regie, family, child, service, total, number=f"{regie.invoice_prefix}-{n}",
                                 period_start=dt.date(2025, 9 + n, 1))
        invoice.payment_reference = f"2025{regie.invoice_prefix}{n:06d}"
        invoices.append(invoice)
    session.commit()
    return family, invoices
