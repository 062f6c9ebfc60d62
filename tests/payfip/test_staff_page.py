"""The agents' list of online payments: anomalies first, a constant number of queries, agents only."""
import datetime as dt

from tests.helpers import recorded_sql
from tests.payfip.conftest import billed_family
from tests.web import test_staff
from webapp.payfip.models import PaymentAttempt, PaymentAttemptInvoice

PAGE = "/agent/paiements-en-ligne/"


def add_attempts(db, family, invoice, count, state="paid", problem=""):
    for n in range(count):
        db.add(PaymentAttempt(family_id=family.id, refdet=f"{state.upper()}{family.number}{n:04d}", exer=2025,
                              objet="Facture", amount_cents=1000 + n, id_op=f"{state}{family.number}{n}",
                              state=state, problem=problem, created_at=dt.datetime(2025, 12, 1, 9, n, tzinfo=dt.UTC),
                              invoices=[PaymentAttemptInvoice(invoice_id=invoice.id, amount_cents=1000 + n)]))
    db.commit()


def agent_client(client_for, db, clock, host="famille.beta.test"):
    test_staff.CLOCK = clock
    client = client_for(host)
    test_staff.signed_in_agent(client, db)
    return client


def test_anomalies_come_first_and_queries_do_not_grow(client_for, tenant_db, clock):
    db = tenant_db("beta")
    family, invoices = billed_family(db)
    other, others = billed_family(db, number="200200", prefix="BE")
    add_attempts(db, family, invoices[0], 2)
    add_attempts(db, other, others[0], 1, state="error", problem="mismatch")
    client = agent_client(client_for, db, clock)
    assert "Paiements en ligne (PayFiP)" in client.get("/agent/").get_data(as_text=True)
    with recorded_sql() as few:
        html = client.get(PAGE).get_data(as_text=True)
    assert html.index("Anomalie") < html.index("Payé")
    assert "ERROR2002000000" in html and "Réponse de PayFiP différente" in html
    add_attempts(db, other, others[0], 20)
    with recorded_sql() as many:
        page = client.get(PAGE)
    assert page.status_code == 200 and len(many) == len(few)
    only = client.get(PAGE + "?anomalies=1").get_data(as_text=True)
    assert "ERROR2002000000" in only and "PAID1001000000" not in only


def test_families_and_tresorerie_communes_do_not_see_it(client_for, tenant_db, clock):
    from tests.helpers import sign_in

    db = tenant_db("beta")
    billed_family(db)
    family_client = client_for("famille.beta.test")
    sign_in(family_client)
    assert family_client.get(PAGE).status_code in (302, 303, 404)
    assert "Paiements en ligne" not in family_client.get(PAGE, follow_redirects=True).get_data(as_text=True)
    alpha_agent = agent_client(client_for, tenant_db("alpha"), clock, host="alpha.test")
    assert alpha_agent.get(PAGE).status_code == 404
    assert "Paiements en ligne (PayFiP)" not in alpha_agent.get("/agent/").get_data(as_text=True)
