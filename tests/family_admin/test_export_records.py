"""« Télécharger mes données » (JSON and PDF) and « Imprimer la fiche enfant », for families and agents."""
import datetime as dt
import json

import pytest
from sqlalchemy import select

from tests.billing.helpers import issued_invoice, make_regie
from tests.factories import enrol, make_child, make_family, make_service
from tests.family_admin.helpers import agent
from tests.helpers import sign_in
from tests.pdf_text import pdf_text
from webapp.audit.models import AuditEvent
from webapp.families.models import AuthorisedPerson, ChildHealth, FamilyPartner
from webapp.messages.models import Message
from webapp.planning.models import DayRequest
from webapp.records.models import ChangeRequest

NOW = dt.datetime(2025, 12, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def alpha(tenant_db):
    """Two families of Alpha; the first with a partner, a child with health data, history of every kind."""
    db = tenant_db("alpha")
    dupont = make_family(db, number="100100", last_name="DUPONT", first_name="Jeanne",
                         iban="FR7630006000011234567890189", caf_quotient=640, phone_mobile="06 11 22 33 44")
    db.add(FamilyPartner(family_id=dupont.id, last_name="DUPONT", first_name="Marc", phone_mobile="06 55 66 77 88"))
    leo = make_child(db, dupont, first_name="Léo", school_class="CP")
    db.add(AuthorisedPerson(child_id=leo.id, name="Mamie Rose", relationship_label="grand-mère", phone="0479000001"))
    db.add(ChildHealth(child_id=leo.id, allergies="Arachide sévère", doctor_name="Dr Paulin", pai="1"))
    service = make_service(db)
    enrol(db, leo, service)
    db.add(DayRequest(family_id=dupont.id, child_id=leo.id, service_id=service.id, day=dt.date(2025, 12, 11),
                      kind="reservation", state="pending", created_at=NOW))
    change = ChangeRequest(family_id=dupont.id, section="responsable", state="pending", created_at=NOW)
    change.payload = {"new": {"city": "Val-Alpha"}, "old": {"city": "Alpha"}}
    db.add(change)
    db.add(Message(family_id=dupont.id, from_family=True, sender_name="DUPONT Jeanne", subject="Cantine jeudi",
                   body="Léo mangera bien jeudi.", size=24, created_at=NOW))
    issued_invoice(db, make_regie(db), dupont, leo, service, 12060, number="AL-1", period_start=dt.date(2025, 11, 1))
    martin = make_family(db, number="200200", last_name="MARTIN", first_name="Paul")
    zoe = make_child(db, martin, first_name="Zoé")
    db.add(ChildHealth(child_id=zoe.id, allergies="Kiwi"))
    db.commit()
    return dict(db=db, dupont=dupont, leo=leo, martin=martin, zoe=zoe)


def test_json_export_holds_the_whole_family_and_nothing_of_another(client_for, alpha):
    client = client_for("alpha.test")
    sign_in(client)
    answer = client.get("/mon-compte/mes-donnees.json")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert "attachment" in answer.headers["Content-Disposition"]
    data = json.loads(answer.data)
    assert data["family"]["number"] == "100100" and data["family"]["iban"] == "FR7630006000011234567890189"
    assert data["family"]["caf_quotient"] == 640 and "password_hash" not in data["family"]
    assert data["partner"]["first_name"] == "Marc"
    [child] = data["children"]
    assert child["first_name"] == "Léo" and child["health"]["allergies"] == "Arachide sévère"
    assert child["authorised_persons"][0]["name"] == "Mamie Rose"
    assert data["change_requests"][0]["payload"]["new"] == {"city": "Val-Alpha"}
    assert data["planning_requests"][0]["service"] == "RESTAURATION"
    assert data["messages"][0]["body"] == "Léo mangera bien jeudi."
    assert data["invoices"][0]["number"] == "AL-1" and data["invoices"][0]["lines"]
    assert child["enrolments"][0]["service"] == "RESTAURATION"
    assert {e["event"] for e in data["security_journal"]} >= {"login.success"}
    text = answer.get_data(as_text=True)
    assert "Zoé" not in text and "Kiwi" not in text and "200200" not in text and "MARTIN" not in text


def test_exports_are_journaled_without_values(client_for, alpha):
    db = alpha["db"]
    client = client_for("alpha.test")
    sign_in(client)
    client.get("/mon-compte/mes-donnees.json")
    client.get("/mon-compte/mes-donnees.pdf")
    events = db.scalars(select(AuditEvent).where(AuditEvent.event.like("family.data_export%"))).all()
    assert sorted(e.event for e in events) == ["family.data_export_json", "family.data_export_pdf"]
    assert all(e.account_id == alpha["dupont"].id and "Arachide" not in e.identifier for e in events)


def test_pdf_export_is_readable(client_for, alpha):
    client = client_for("alpha.test")
    sign_in(client)
    answer = client.get("/mon-compte/mes-donnees.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data)
    for expected in ("100100", "Marc", "Léo", "Mamie Rose", "Arachide sévère", "FR7630006000011234567890189",
                     "Cantine jeudi", "AL-1", "120,60 €", "RESTAURATION", "11/12/2025", "Réservation", "En attente",
                     "Responsable"):
        assert expected in text, expected
    assert "Kiwi" not in text and "Zoé" not in text
    assert "Télécharger mes données" in client.get("/mon-compte/mes-donnees").get_data(as_text=True)


def test_family_prints_its_own_child_record_simple_or_complete(client_for, alpha):
    client = client_for("alpha.test")
    sign_in(client)
    leo = alpha["leo"]
    simple = pdf_text(client.get(f"/enfants/{leo.id}/fiche.pdf").data)
    assert "Léo" in simple and "CP" in simple and "Mamie Rose" in simple and "06 11 22 33 44" in simple
    assert "Arachide sévère" not in simple
    complete = pdf_text(client.get(f"/enfants/{leo.id}/fiche.pdf?version=complete").data)
    assert "Arachide sévère" in complete and "Dr Paulin" in complete


def test_another_familys_child_is_404_and_agents_and_anonymous_get_no_family_pages(client_for, alpha):
    client = client_for("alpha.test")
    sign_in(client)
    assert client.get(f"/enfants/{alpha['zoe'].id}/fiche.pdf?version=complete").status_code == 404
    assert client.get("/enfants/999999/fiche.pdf").status_code == 404
    anonymous = client_for("alpha.test")
    paths = ("/mon-compte/mes-donnees.json", "/mon-compte/mes-donnees.pdf", f"/enfants/{alpha['leo'].id}/fiche.pdf")
    for path in paths:
        assert anonymous.get(path).status_code in (302, 303, 401)
    staff = agent(client_for, alpha["db"])
    assert staff.get("/mon-compte/mes-donnees.json").status_code == 404


def test_the_same_child_id_on_another_commune_is_404(client_for, alpha, tenant_db):
    beta = tenant_db("beta")
    make_family(beta, number="100100")
    client = client_for("beta.test")
    sign_in(client)
    assert client.get(f"/enfants/{alpha['leo'].id}/fiche.pdf").status_code == 404
    staff = agent(client_for, beta, host="beta.test")
    assert staff.get(f"/agent/enfants/{alpha['leo'].id}/fiche.pdf").status_code == 404


def test_agent_prints_any_child_of_the_commune_and_the_complete_one_is_journaled(client_for, alpha):
    db = alpha["db"]
    client = agent(client_for, db)
    zoe = alpha["zoe"]
    simple = client.get(f"/agent/enfants/{zoe.id}/fiche.pdf")
    assert simple.status_code == 200 and "Kiwi" not in pdf_text(simple.data)
    assert db.scalar(select(AuditEvent).where(AuditEvent.event == "records.read")) is None
    complete = client.get(f"/agent/enfants/{zoe.id}/fiche.pdf?version=complete")
    assert "Kiwi" in pdf_text(complete.data)
    db.expire_all()
    event = db.scalar(select(AuditEvent).where(AuditEvent.event == "records.read"))
    assert event.account_kind == "agent" and f"child:{zoe.id}" in event.identifier and "Kiwi" not in event.identifier
    family = client_for("alpha.test")
    sign_in(family)
    assert family.get(f"/agent/enfants/{zoe.id}/fiche.pdf").status_code in (302, 303)


def test_mon_compte_and_mes_enfants_link_to_the_downloads(client_for, alpha):
    client = client_for("alpha.test")
    sign_in(client)
    assert 'href="/mon-compte/mes-donnees"' in client.get("/mon-compte").get_data(as_text=True)
    children = client.get("/mes-enfants").get_data(as_text=True)
    assert f'href="/enfants/{alpha["leo"].id}/fiche.pdf?version=complete"' in children
