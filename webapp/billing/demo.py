"""Demo billing data: régies and tariffs, invoices of the last two months, some payments.

Loaded once per commune (skipped when a régie exists). The first family (100100) keeps the
last month's invoice unpaid, so its Accueil shows « Factures impayées ». Deterministic.
"""
import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.billing import invoicing, ledger
from webapp.billing.models import Invoice, Regie, Tariff, TariffBracket
from webapp.clock import PARIS, as_utc
from webapp.families.models import Family
from webapp.planning.calendar import SchoolCalendar
from webapp.planning.models import DayRequest, Service

# (code, name, invoice prefix, credit prefix)
REGIES = (("alsh", "Régie garderie ALSH", "AL", "AVAL"), ("resto", "Régie restauration scolaire", "RS", "AVRS"))
# service code → (régie, nature, unit, brackets (qf_max, cents), late surcharge)
TARIFFS = {
    "garderie_matin": ("alsh", "childcare", "séance", ((500, 90), (900, 130), (None, 170)), 50),
    "garderie_midi": ("alsh", "childcare", "séance", ((500, 60), (900, 80), (None, 100)), 0),
    "garderie_soir": ("alsh", "childcare", "séance", ((500, 120), (900, 160), (None, 210)), 50),
    "restauration": ("resto", "meal", "repas", ((500, 250), (900, 320), (None, 385)), 0),
}
FIRST_NUMBER = "100100"


def _last_months(today: dt.date) -> list[tuple[int, int]]:
    first = today.replace(day=1)
    before = (first - dt.timedelta(days=1)).replace(day=1)
    earlier = (before - dt.timedelta(days=1)).replace(day=1)
    return [(earlier.year, earlier.month), (before.year, before.month)]


def load_billing(session: Session, tenant, now: dt.datetime) -> bool:
    """Fill the commune's billing once; returns whether it wrote."""
    if session.scalar(select(func.count()).select_from(Regie)):
        return False
    rng = random.Random(f"portail-famille-demo-billing:{tenant.slug}")
    regies = {}
    for code, name, prefix, credit in REGIES:
        regies[code] = Regie(code=code, name=name, invoice_prefix=prefix, credit_prefix=credit,
                             next_invoice_number=1, next_credit_number=1, next_receipt_number=1)
        session.add(regies[code])
    session.flush()
    services = {s.code: s for s in session.scalars(select(Service))}
    for code, (regie, nature, unit, brackets, late) in TARIFFS.items():
        if code in services:
            session.add(Tariff(service_id=services[code].id, regie_id=regies[regie].id, nature=nature,
                               unit_label=unit, late_surcharge_cents=late,
                               brackets=[TariffBracket(qf_max=q, price_cents=p) for q, p in brackets]))
    session.flush()
    today = now.astimezone(PARIS).date()
    calendar = SchoolCalendar(zone=tenant.settings.school_zone)
    families = list(session.scalars(select(Family).order_by(Family.number)))[:12]
    months = _last_months(today)
    for year, month in months:
        start, end = invoicing.month_bounds(year, month)
        days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        school_days = [d for d in days if d.weekday() < 5 and calendar.covers(d) and calendar.fact(d) is None]
        for family in families:
            for child in family.children:
                for code in ("restauration", "garderie_soir"):
                    service = services.get(code)
                    if service is None:
                        continue
                    for day in school_days:
                        if service.runs_on(day) and (code == "restauration" or rng.random() < 0.4):
                            session.add(DayRequest(family_id=family.id, child_id=child.id, service_id=service.id,
                                                   day=day, kind="reservation", state="accepted", regular=False,
                                                   comment="", late=False, created_at=now, decided_at=now,
                                                   reason=""))
        session.flush()
        invoicing.compute_drafts(session, year=year, month=month, now=now, school_zone=tenant.settings.school_zone)
        issued_at = dt.datetime.combine(end + dt.timedelta(days=5), dt.time(9), tzinfo=PARIS).astimezone(dt.UTC)
        invoicing.issue_month(session, year=year, month=month, now=min(issued_at, now), agent_id=None)
    # Payments: every invoice of the earlier month is paid; of the last month, families after the first half.
    first_month = dt.date(*months[0], 1)
    for invoice in session.scalars(select(Invoice).where(Invoice.status == "issued").order_by(Invoice.id)):
        family_number = session.get(Family, invoice.family_id).number
        last_month = invoice.period_start != first_month
        if last_month and (family_number == FIRST_NUMBER or rng.random() < 0.5):
            continue
        method = rng.choice(("cheque", "especes", "cesu", "virement", "carte"))
        received = min(as_utc(invoice.issued_at) + dt.timedelta(days=10), now)
        ledger.record_payment(session, invoice.family_id, invoice.total_cents, method, received,
                              f"{rng.randrange(1000000, 9999999)}" if method == "cheque" else "", now,
                              invoice_ids=[invoice.id])
    session.commit()
    return True
