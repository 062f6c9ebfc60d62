"""Agents' billing pages: tariffs, month run → review → issue, credit note, payment and receipt, balances."""
import datetime as dt

from sqlalchemy import select

from tests.billing.helpers import NOW, book, make_regie, make_tariff
from tests.factories import make_child, make_family, make_service
from tests.helpers import posted_form, recorded_sql, sign_in
from tests.pdf_text import pdf_text
from tests.web.test_staff import _pinned_clock, signed_in_agent  # noqa: F401  (the fixture pins TOTP time)
from webapp.billing.models import CreditNote, Invoice, InvoiceLine, Payment, Regie, Tariff

NOV = [dt.date(2025, 11, 3), dt.date(2025, 11, 4), dt.date(2025, 11, 6)]


def _agent(client_for, session):
    client = client_for("alpha.test")
    signed_in_agent(client, session)
    return client


def _post(client, page_url, action, data):
    return client.post(action, data=posted_form(client.get(page_url).get_data(as_text=True), data))


def test_agent_configures_regie_and_tariff(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    service = make_service(session, code="garderie", name="GARDERIE MATIN")
    client = _agent(client_for, session)
    answer = _post(client, "/agent/facturation/tarifs", "/agent/facturation/tarifs",
                   {"regie-code": "alsh", "regie-name": "Régie garderie ALSH", "regie-invoice_prefix": "AL",
                    "regie-credit_prefix": "AVAL", "regie-next_invoice_number": "36"})
    assert answer.status_code == 302
    regie = session.scalars(select(Regie)).one()
    assert (regie.invoice_prefix, regie.next_invoice_number) == ("AL", 36)
    # A bad bracket text is refused with a message, nothing saved.
    bad = _post(client, f"/agent/facturation/tarifs/{service.id}", f"/agent/facturation/tarifs/{service.id}",
                {"regie": str(regie.id), "nature": "childcare", "unit_label": "journée", "brackets": "abc"})
    assert bad.status_code == 200 and "Une tranche par ligne" in bad.get_data(as_text=True)
    assert session.scalars(select(Tariff)).all() == []
    good = _post(client, f"/agent/facturation/tarifs/{service.id}", f"/agent/facturation/tarifs/{service.id}",
                 {"regie": str(regie.id), "nature": "childcare", "unit_label": "journée",
                  "brackets": "600 1,00\n900 1,50\n* 2,00", "late_surcharge": "0,50"})
    assert good.status_code == 302
    session.expire_all()
    tariff = session.scalars(select(Tariff)).one()
    assert sorted((b.qf_max or 0, b.price_cents) for b in tariff.brackets) == [(0, 200), (600, 100), (900, 150)]
    assert tariff.late_surcharge_cents == 50
    assert "QF ≤ 600" in client.get("/agent/facturation/tarifs").get_data(as_text=True)


def test_month_run_review_issue_credit_note_payment(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    family = make_family(session, caf_quotient=500)
    child = make_child(session, family)
    service = make_service(session, code="garderie", name="GARDERIE MATIN")
    regie = make_regie(session)
    make_tariff(session, service, regie, brackets=((600, 100), (None, 200)))
    book(session, family, child, service, NOV)
    client = _agent(client_for, session)

    answer = _post(client, "/agent/facturation/", "/agent/facturation/calculer", {"month": "2025-11"})
    assert answer.headers["Location"].endswith("/agent/facturation/mois/2025-11")
    review = client.get("/agent/facturation/mois/2025-11").get_data(as_text=True)
    assert "100100" in review and "03/11, 04/11, 06/11" in review and "3,00" in review
    assert "Sans tarif" not in review
    # A bad month is refused, nothing drafted twice.
    _post(client, "/agent/facturation/", "/agent/facturation/calculer", {"month": "2025-13"})
    assert len(session.scalars(select(Invoice)).all()) == 1

    _post(client, "/agent/facturation/mois/2025-11", "/agent/facturation/mois/2025-11/emettre", {})
    session.expire_all()
    invoice = session.scalars(select(Invoice)).one()
    assert (invoice.status, invoice.number, invoice.total_cents) == ("issued", "AL-1", 300)
    assert "AL-1" in client.get("/agent/facturation/").get_data(as_text=True)
    assert "AL-1" in client.get("/agent/facturation/?famille=100100").get_data(as_text=True)
    assert "AL-1" not in client.get("/agent/facturation/?famille=999999").get_data(as_text=True)

    # Credit note: too large refused, then a right one.
    url = f"/agent/facturation/factures/{invoice.id}"
    refused = _post(client, url, url, {"amount": "5,00", "reason": "Erreur"})
    assert "dépasse" in refused.get_data(as_text=True)
    _post(client, url, url, {"amount": "1,00", "reason": "Jour de grève facturé"})
    note = session.scalars(select(CreditNote)).one()
    assert (note.number, note.amount_cents, note.invoice_id) == ("AVAL-1", 100, invoice.id)
    assert session.get(Invoice, invoice.id).total_cents == 300  # the invoice itself never changes

    # A cheque received at the desk, with its printable receipt.
    answer = _post(client, "/agent/facturation/reglements/nouveau", "/agent/facturation/reglements/nouveau",
                   {"family": "100100", "amount": "2,00", "method": "cheque", "received_on": "2025-12-05",
                    "reference": "0012345", "invoice": "AL-1"})
    assert answer.status_code == 302
    payment = session.scalars(select(Payment)).one()
    assert (payment.amount_cents, payment.method, payment.agent_id is not None) == (200, "cheque", True)
    receipt = client.get(f"/agent/facturation/reglements/{payment.id}.pdf")
    assert "Reçu de paiement N° AL-R1" in pdf_text(receipt.data)
    assert "AL-R1" in client.get(answer.headers["Location"]).get_data(as_text=True)
    balances = client.get("/agent/facturation/soldes").get_data(as_text=True)
    assert "100100" in balances and "0,00" in balances
    assert "AL-1" in pdf_text(client.get(f"/agent/facturation/factures/{invoice.id}.pdf").data)


def test_payment_refusals(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    make_family(session)
    make_regie(session)
    client = _agent(client_for, session)
    url = "/agent/facturation/reglements/nouveau"
    for data, message in (({"family": "999"}, "Aucune famille"), ({"amount": "-3"}, "Montant invalide"),
                          ({"amount": "abc"}, "Montant invalide"), ({"invoice": "ZZ-1"}, "n&#39;existe pas"),
                          ({"received_on": "2030-01-01"}, "futur")):
        values = {"family": "100100", "amount": "2,00", "method": "cheque", "received_on": "2025-12-05"} | data
        answer = _post(client, url, url, values)
        assert answer.status_code == 200 and message in answer.get_data(as_text=True), message
    assert session.scalars(select(Payment)).all() == []


def test_agent_pages_need_an_agent_and_other_commune_is_404(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    family = make_family(session)
    regie = make_regie(session)
    invoice = Invoice(regie_id=regie.id, family_id=family.id, status="issued", number="AL-1",
                      period_start=dt.date(2025, 11, 1), period_end=dt.date(2025, 11, 30), school_year="2025-2026",
                      total_cents=100, created_at=NOW, issued_at=NOW)
    session.add(invoice)
    session.commit()
    family_client = client_for("alpha.test")
    sign_in(family_client)
    assert family_client.get("/agent/facturation/").status_code in (302, 404)
    assert family_client.get(f"/agent/facturation/factures/{invoice.id}.pdf").status_code in (302, 404)
    beta_agent = client_for("beta.test")
    signed_in_agent(beta_agent, tenant_db("beta"))
    assert beta_agent.get(f"/agent/facturation/factures/{invoice.id}").status_code == 404
    assert beta_agent.get("/agent/facturation/mois/2025-99").status_code == 404


def test_overview_and_balances_query_counts(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    regie = make_regie(session)
    service = make_service(session, code="garderie", name="GARDERIE")
    client = _agent(client_for, session)

    def add_families(start, count):
        for n in range(start, start + count):
            family = make_family(session, number=str(300000 + n), password=None)
            child = make_child(session, family)
            session.add(Invoice(regie_id=regie.id, family_id=family.id, status="issued", number=f"AL-{n}",
                                period_start=dt.date(2025, 11, 1), period_end=dt.date(2025, 11, 30),
                                school_year="2025-2026", total_cents=100, created_at=NOW, issued_at=NOW))
            session.add(Invoice(regie_id=regie.id, family_id=family.id, status="draft",
                                period_start=dt.date(2025, 12, 1), period_end=dt.date(2025, 12, 31), school_year="2025-2026", total_cents=100,
                                created_at=NOW, lines=[InvoiceLine(child_id=child.id, service_id=service.id,
                                                                   nature="childcare", label="GARDERIE", quantity=1,
                                                                   unit_price_cents=100, amount_cents=100,
                                                                   days="2025-12-01")]))
        session.commit()

    add_families(1, 2)
    counts = []
    for extra in (0, 15):
        add_families(10 + extra, extra)
        with recorded_sql() as statements:
            client.get("/agent/facturation/")
            client.get("/agent/facturation/soldes")
            assert "300026" in client.get("/agent/facturation/mois/2025-12").get_data(as_text=True) or not extra
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_tariff_without_late_surcharge_saves_unchanged(client_for, tenant_db, clock):
    """Issue 15, point 8: the edit form showed the surcharge empty and saving it raised AttributeError (a 500)."""
    import html
    import re

    session = tenant_db("alpha")
    service = make_service(session, code="garderie", name="GARDERIE MATIN")
    regie = make_regie(session)
    make_tariff(session, service, regie, brackets=((600, 100), (None, 200)), late_surcharge_cents=0)
    client = _agent(client_for, session)
    url = f"/agent/facturation/tarifs/{service.id}"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'name="late_surcharge" type="text" value=""', page)
    shown = {"regie": str(regie.id), "nature": "childcare", "unit_label": "journée", "late_surcharge": "",
             "brackets": html.unescape(re.search(r'name="brackets"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1))}
    assert shown["brackets"].strip() == "600 1,00\n* 2,00"
    answer = _post(client, url, url, shown)
    assert answer.status_code == 302
    session.expire_all()
    tariff = session.scalars(select(Tariff)).one()
    assert tariff.late_surcharge_cents == 0 and len(tariff.brackets) == 2
    # A surcharge of blanks is none too; a bad one is refused with its message.
    assert _post(client, url, url, shown | {"late_surcharge": "  "}).status_code == 302
    refused = _post(client, url, url, shown | {"late_surcharge": "abc"})
    assert refused.status_code == 200 and "Montant invalide" in refused.get_data(as_text=True)


def test_agents_get_the_credit_note_pdf_linked_from_the_invoice(client_for, tenant_db, clock):
    """Issue 15, point 9: the trésorerie's copy of an avoir; another commune's agent gets a 404."""
    from tests.billing.test_once import _invoice
    from webapp.billing import ledger

    session = tenant_db("alpha")
    invoice = _invoice(session, number="AL-7")
    note = ledger.issue_credit_note(session, invoice, 700, "Jour de grève facturé", now=NOW, agent_id=None)
    session.commit()
    client = _agent(client_for, session)
    page = client.get(f"/agent/facturation/factures/{invoice.id}").get_data(as_text=True)
    assert f'href="/agent/facturation/avoirs/{note.id}.pdf"' in page
    text = pdf_text(client.get(f"/agent/facturation/avoirs/{note.id}.pdf").data)
    assert "Avoir N° AVAL-1" in text and "AL-7" in text and "7,00 €" in text and "Jour de grève facturé" in text
    assert client.get("/agent/facturation/avoirs/999999.pdf").status_code == 404
    beta_agent = client_for("beta.test")
    signed_in_agent(beta_agent, tenant_db("beta"))
    assert beta_agent.get(f"/agent/facturation/avoirs/{note.id}.pdf").status_code == 404
