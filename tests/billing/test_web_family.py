"""Family pages: « Relevé de compte » (seed 003), Accueil's unpaid invoices, PDFs, and other families' 404."""
import datetime as dt

from tests.billing.helpers import NOW, issued_invoice, make_regie
from tests.factories import make_child, make_family, make_service
from tests.helpers import recorded_sql, sign_in
from tests.pdf_text import pdf_text
from webapp.billing import ledger


def _seed_003(session, number="100100", prefix="AL"):
    family = make_family(session, number=number)
    child = make_child(session, family, birth_date=dt.date(2020, 5, 14))  # under 6 on 1 January 2025
    service = make_service(session, code="garderie", name="GARDERIE")
    regie = make_regie(session, prefix=prefix)
    first = issued_invoice(session, regie, family, child, service, 24320, number=f"{prefix}-12",
                           period_start=dt.date(2025, 10, 1))
    second = issued_invoice(session, regie, family, child, service, 12060, number=f"{prefix}-36",
                            period_start=dt.date(2025, 11, 1))
    ledger.record_payment(session, family.id, 24320, "cheque", NOW, "1234567", NOW, invoice_ids=[first.id])
    session.commit()
    return family, first, second


def test_statement_reproduces_seed_003(client_for, tenant_db, clock):
    _seed_003(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    page = client.get("/releve-de-compte").get_data(as_text=True)
    for text in ("N° Opération", "AL-36", "AL-12", "AL-R1", "Facture : 01/11/2025 - 30/11/2025", "Règlement : Chèque",
                 "Régie garderie ALSH", "Ancien solde", "Solde du compte pour l\'année scolaire",
                 "363,80", "243,20", "120,60", "Mes factures", "Mes règlements", 'aria-current="page"'):
        assert text in page, text
    # alpha pays through the trésorerie: the page says so.
    assert "trésorerie" in page
    payments = client.get("/releve-de-compte?onglet=reglements").get_data(as_text=True)
    assert "AL-R1" in payments and "AL-12" in payments and "Attestation de frais de garde" in payments


def test_home_shows_balance_and_unpaid_invoices(client_for, tenant_db, clock):
    _seed_003(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    page = client.get("/accueil").get_data(as_text=True)
    assert "Factures impayées" in page and "AL-36" in page and "AL-12" not in page
    assert "Total des factures impayées" in page and "120,60" in page
    assert "Relevé de compte" in page  # the menu item


def test_invoice_pdf_and_other_family_or_commune_404(client_for, tenant_db, clock):
    family, first, second = _seed_003(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    answer = client.get(f"/factures/{second.id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store"
    text = pdf_text(answer.data)
    assert "Facture N° AL-36" in text and "RPI Alpha" in text and "120,60 €" in text
    assert "Solde antérieur restant dû" in text
    # Another family of the same commune.
    session = tenant_db("alpha")
    other = make_family(session, number="200200")
    regie_id = first.regie_id
    from webapp.billing.models import Invoice, Regie

    foreign = Invoice(regie_id=regie_id, family_id=other.id, status="issued", number="AL-99",
                      period_start=dt.date(2025, 10, 1), period_end=dt.date(2025, 10, 31), school_year="2025-2026",
                      total_cents=100, created_at=NOW, issued_at=NOW)
    draft = Invoice(regie_id=regie_id, family_id=family.id, status="draft", period_start=dt.date(2025, 12, 1),
                    period_end=dt.date(2025, 12, 31), school_year="2025-2026", total_cents=100, created_at=NOW)
    session.add_all([foreign, draft])
    session.commit()
    assert client.get(f"/factures/{foreign.id}.pdf").status_code == 404
    assert client.get(f"/factures/{draft.id}.pdf").status_code == 404
    assert client.get("/factures/999999.pdf").status_code == 404
    # The same id in another commune: the family of beta cannot reach alpha's invoice, nor the reverse.
    beta = tenant_db("beta")
    make_family(beta, number="100100")
    beta.add(Regie(code="x", name="R", invoice_prefix="BX", credit_prefix="AVBX"))
    beta.commit()
    beta_client = client_for("beta.test")
    sign_in(beta_client)
    assert beta_client.get(f"/factures/{second.id}.pdf").status_code == 404
    payment_id = client.get("/releve-de-compte?onglet=reglements").get_data(as_text=True).split("/reglements/")[1]
    assert beta_client.get(f"/reglements/{payment_id.split('.')[0]}.pdf").status_code == 404


def test_receipt_pdf(client_for, tenant_db, clock):
    _seed_003(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    page = client.get("/releve-de-compte?onglet=reglements").get_data(as_text=True)
    path = "/reglements/" + page.split("/reglements/")[1].split('"')[0]
    text = pdf_text(client.get(path).data)
    assert "Reçu de paiement N° AL-R1" in text and "Chèque" in text and "243,20 €" in text


def test_payfip_commune_prints_identifiant_and_reference(client_for, tenant_db, clock):
    session = tenant_db("beta")
    family = make_family(session)
    child = make_child(session, family)
    service = make_service(session, code="garderie", name="GARDERIE")
    regie = make_regie(session)
    invoice = issued_invoice(session, regie, family, child, service, 1000, number="AL-1",
                             period_start=dt.date(2025, 11, 1))
    invoice.payment_reference = "2025AL000001"
    session.commit()
    client = client_for("beta.test")
    sign_in(client)
    text = pdf_text(client.get(f"/factures/{invoice.id}.pdf").data)
    assert "Identifiant Collectivité" in text and "021289" in text and "2025AL000001" in text
    assert "trésorerie" not in client.get("/releve-de-compte").get_data(as_text=True)


def test_statement_query_count_does_not_grow(client_for, tenant_db, clock):
    session = tenant_db("alpha")
    family, first, _ = _seed_003(session)
    client = client_for("alpha.test")
    sign_in(client)
    client.get("/releve-de-compte")
    with recorded_sql() as few:
        client.get("/releve-de-compte")
        client.get("/releve-de-compte?onglet=reglements")
    from webapp.billing.models import Invoice, Regie

    regie = session.get(Regie, first.regie_id)
    child_id = first.lines[0].child_id if first.lines else None
    for n in range(20):
        invoice = Invoice(regie_id=regie.id, family_id=family.id, status="issued", number=f"AL-{100 + n}",
                          period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 30), school_year="2025-2026",
                          total_cents=100, created_at=NOW, issued_at=NOW)
        session.add(invoice)
        session.flush()
        ledger.record_payment(session, family.id, 100, "especes", NOW, "", NOW, invoice_ids=[invoice.id])
    session.commit()
    assert child_id is not None
    with recorded_sql() as many:
        page = client.get("/releve-de-compte").get_data(as_text=True)
        client.get("/releve-de-compte?onglet=reglements")
    assert "AL-119" in page
    assert len(many) == len(few)


def test_certificate_only_for_past_years(client_for, tenant_db, clock):
    _seed_003(tenant_db("alpha"))
    client = client_for("alpha.test")
    sign_in(client)
    assert client.get("/attestation-frais-de-garde/2025.pdf").status_code == 404  # still 2025
    clock.now = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
    client = client_for("alpha.test")
    sign_in(client)
    answer = client.get("/attestation-frais-de-garde/2025.pdf")
    assert answer.status_code == 200
    text = pdf_text(answer.data)
    assert "Attestation de frais de garde – année 2025" in text
    assert "243,20 €" in text  # the cheque of 2025 paid a childcare-only invoice


def test_credit_note_has_its_own_pdf_for_its_family_only(client_for, tenant_db, clock):
    """Issue 15, point 9: an avoir had no PDF; the family's own is linked from « Relevé de compte », others 404."""
    from webapp.billing.models import CreditNote

    session = tenant_db("alpha")
    family, _first, second = _seed_003(session)
    note = ledger.issue_credit_note(session, second, 1500, "Sortie annulée par l'école", now=NOW, agent_id=None)
    session.commit()
    client = client_for("alpha.test")
    sign_in(client)
    page = client.get("/releve-de-compte").get_data(as_text=True)
    assert f'href="/avoirs/{note.id}.pdf"' in page
    answer = client.get(f"/avoirs/{note.id}.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store" and "avoir-AVAL-1.pdf" in answer.headers["Content-Disposition"]
    text = pdf_text(answer.data)
    for expected in ("Avoir N° AVAL-1", "RPI Alpha", "Régie garderie ALSH", "100100", "08/12/2025",
                     "Facture corrigée", "AL-36", "01/11/2025 - 30/11/2025", "120,60 €", "15,00 €",
                     "Motif : Sortie annulée par l'école"):
        assert expected in text, expected
    # Another family of the commune, an unknown id, the same id in another commune: 404.
    other = make_family(session, number="200200")
    foreign = CreditNote(regie_id=second.regie_id, family_id=other.id, invoice_id=second.id, number="AVAL-9",
                         amount_cents=100, reason="x", issued_at=NOW, school_year="2025-2026")
    session.add(foreign)
    session.commit()
    assert client.get(f"/avoirs/{foreign.id}.pdf").status_code == 404
    assert client.get("/avoirs/999999.pdf").status_code == 404
    make_family(tenant_db("beta"), number="100100")
    beta_client = client_for("beta.test")
    sign_in(beta_client)
    assert beta_client.get(f"/avoirs/{note.id}.pdf").status_code == 404
    assert client_for("alpha.test").get(f"/avoirs/{note.id}.pdf").status_code in (302, 404)  # signed out
