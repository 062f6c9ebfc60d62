"""Billing fixtures shared by the billing tests: a régie, tariffs, issued invoices."""
import datetime as dt

from webapp.billing.models import Invoice, InvoiceLine, Regie, Tariff, TariffBracket

NOW = dt.datetime(2025, 12, 8, 9, 0, tzinfo=dt.UTC)


def make_regie(session, code="alsh", name="Régie garderie ALSH", prefix="AL", credit_prefix=None) -> Regie:
    regie = Regie(code=code, name=name, invoice_prefix=prefix, credit_prefix=credit_prefix or f"AV{prefix}",
                  next_invoice_number=1, next_credit_number=1, next_receipt_number=1)
    session.add(regie)
    session.commit()
    return regie


def make_tariff(session, service, regie, brackets=((None, 250),), nature=None, unit_label="journée",
                late_surcharge_cents=0) -> Tariff:
    tariff = Tariff(service_id=service.id, regie_id=regie.id, nature=nature or service.nature, unit_label=unit_label,
                    late_surcharge_cents=late_surcharge_cents,
                    brackets=[TariffBracket(qf_max=q, price_cents=p) for q, p in brackets])
    session.add(tariff)
    session.commit()
    return tariff


def issued_invoice(session, regie, family, child, service, total_cents, *, number, period_start,
                   issued_at=NOW, nature="childcare") -> Invoice:
    """An issued invoice written directly (for ledger tests that do not need the month run)."""
    period_end = (period_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    from webapp.billing.models import school_year_of

    invoice = Invoice(regie_id=regie.id, family_id=family.id, status="issued", number=number,
                      period_start=period_start, period_end=period_end, school_year=school_year_of(period_start),
                      total_cents=total_cents, created_at=issued_at, issued_at=issued_at,
                      lines=[InvoiceLine(child_id=child.id, service_id=service.id, nature=nature, label=service.name,
                                         quantity=1, unit_price_cents=total_cents, amount_cents=total_cents,
                                         days=period_start.isoformat())])
    session.add(invoice)
    session.commit()
    return invoice


def book(session, family, child, service, days, *, late=False, state="accepted"):
    """Accepted reservations written directly (the planning's own rules are tested there)."""
    from webapp.planning.models import DayRequest

    for day in days:
        session.add(DayRequest(family_id=family.id, child_id=child.id, service_id=service.id, day=day,
                               kind="reservation", state=state, late=late, created_at=NOW))
    session.commit()


def absent(session, family, child, service, days, *, billed):
    from webapp.planning.models import DayRequest

    for day in days:
        session.add(DayRequest(family_id=family.id, child_id=child.id, service_id=service.id, day=day,
                               kind="absence", state="accepted", motive="medical", billed=billed, created_at=NOW))
    session.commit()


