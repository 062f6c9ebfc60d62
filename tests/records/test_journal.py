"""« Journal des accès »: commune admins see who read sensitive data, with names, never values."""
import datetime as dt

from webapp.audit.models import AuditEvent, record
from webapp.families.models import ChildHealth
from tests.factories import make_child, make_family
from tests.helpers import recorded_sql, sign_in
import tests.web.test_staff as staff_tests

NOW = dt.datetime(2025, 12, 8, 9, 0, tzinfo=dt.timezone.utc)


def _admin_client(client_for, db):
    client = client_for("alpha.test")
    staff_tests.signed_in_agent(client, db, role="admin", name="Claire Admin")
    return client


def test_admin_sees_an_agents_read_of_health_data_with_names_and_no_value(alpha, client_for):
    db, family, child, _service = alpha
    db.add(ChildHealth(child_id=child.id, allergies="Pollen de bouleau"))
    db.commit()
    client = _admin_client(client_for, db)
    client.get(f"/agent/familles/{family.id}?afficher=health&enfant={child.id}")
    page = client.get("/agent/journal?filtre=sensitive").get_data(as_text=True)
    assert "Consultation d&#39;une section sensible" in page or "Consultation d'une section sensible" in page
    assert "Claire Admin" in page and family.number in page and "Léna" in page and "Données sanitaires" in page
    assert "Pollen" not in page
    assert "Connexion</td>" not in page  # sign-ins are in another filter
    assert "Connexion</td>" in client.get("/agent/journal?filtre=access").get_data(as_text=True)


def test_plain_agents_and_families_do_not_see_the_journal(alpha, agent_client, client_for):
    assert agent_client.get("/agent/journal").status_code == 404
    family_client = client_for("alpha.test")
    sign_in(family_client)
    answer = family_client.get("/agent/journal")
    assert answer.status_code in (302, 303) and "/agent/connexion" in answer.headers["Location"]


def test_journal_page_queries_do_not_grow_with_its_lines(alpha, client_for):
    db, family, child, _service = alpha
    client = _admin_client(client_for, db)
    record(db, "records.read", now=NOW, account_kind="agent", account_id=None,
           identifier=f"family:{family.id} child:{child.id} section:health")
    db.commit()

    def count() -> int:
        with recorded_sql() as statements:
            assert client.get("/agent/journal").status_code == 200
        return len(statements)

    first = count()
    for index in range(30):
        other = make_family(db, number=f"2000{index:02d}", password=None)
        kid = make_child(db, other, first_name=f"Enfant{index}")
        record(db, "records.read", now=NOW, account_kind="agent", account_id=None,
               identifier=f"family:{other.id} child:{kid.id} section:health")
    db.commit()
    assert count() == first
    assert db.query(AuditEvent).count() > 30


def test_a_typed_identifier_is_shown_as_typed_never_read_as_a_reference(alpha, client_for):
    db, family, child, _service = alpha
    client = _admin_client(client_for, db)
    for typed in ("family:² child:99999999999999999999", f"family:{family.id} child:{child.id} section:health"):
        record(db, "login.failure", now=NOW, identifier=typed)
    db.commit()
    answer = client.get("/agent/journal?filtre=access")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "family:² child:99999999999999999999" in page
    assert f"family:{family.id} child:{child.id} section:health" in page  # not turned into Léna's health
    assert "Données sanitaires" not in page and "Léna" not in page
