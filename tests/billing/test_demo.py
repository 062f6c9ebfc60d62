"""The demo's billing: tariffs, two months issued, payments, and 100100 with an unpaid invoice."""
from sqlalchemy import func, select

from webapp.billing import ledger
from webapp.billing.demo import load_billing
from webapp.billing.models import Invoice, Payment, Tariff
from webapp.demo import data
from webapp.families.models import Family


def test_demo_billing_loaded_once_with_an_unpaid_invoice_for_100100(app, tenant_db, clock):
    db = tenant_db("alpha")
    tenant = app.extensions["tenancy"].registry.get("alpha")
    data.load_commune(db, "alpha", [v.name for v in tenant.villages])
    assert load_billing(db, tenant, clock.now) is True
    assert load_billing(db, tenant, clock.now) is False
    assert db.scalar(select(func.count()).select_from(Tariff)) == 4
    months = set(db.scalars(select(Invoice.period_start).where(Invoice.status == "issued")))
    assert len(months) == 2
    assert db.scalar(select(func.count()).select_from(Payment)) > 0
    first = db.scalar(select(Family).where(Family.number == "100100"))
    assert ledger.unpaid_invoices(db, first.id)
