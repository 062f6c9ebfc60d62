"""Agents' family search (accents, case, pagination, constant queries) and « Nouvelle famille »."""
import re

import pytest
from sqlalchemy import select

from tests.factories import make_child, make_family
from tests.family_admin.helpers import agent
from tests.helpers import csrf_token, recorded_sql, sign_in
from webapp.audit.models import AuditEvent
from webapp.families.models import Child, Family

AGENT_PAGES = ("/agent/familles", "/agent/familles/nouvelle", "/agent/familles/import",
               "/agent/familles/import/modele.csv", "/agent/familles/creees")


def test_search_ignores_accents_and_case_and_links_to_the_record(client_for, tenant_db):
    db = tenant_db("alpha")
    dupont = make_family(db, number="100100", last_name="DUPONT", first_name="Jeanne")
    make_child(db, dupont, first_name="Léo")
    other = make_family(db, number="100200", last_name="BÉRANGER", first_name="Élise", email="elise@example.org")
    client = agent(client_for, db)

    page = client.get("/agent/familles?q=leo dupont").get_data(as_text=True)
    assert "100100" in page and "100200" not in page
    assert f'href="/agent/familles/{dupont.id}"' in page
    for query in ("beranger", "ELISE@EXAMPLE", "100200", "élise béranger"):
        page = client.get(f"/agent/familles?q={query}").get_data(as_text=True)
        assert f'/agent/familles/{other.id}"' in page and "100100" not in page, query
    page = client.get("/agent/familles?q=personne").get_data(as_text=True)
    assert re.search(r"0 familles? trouvées?", page) and "100100" not in page


def test_search_is_paginated_with_a_constant_number_of_queries(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    for i in range(3):
        family = make_family(db, number=f"1{i:05d}", last_name=f"NOM{i:02d}", password=None)
        make_child(db, family)
    with recorded_sql() as few:
        assert client.get("/agent/familles").status_code == 200
    for i in range(3, 60):
        family = make_family(db, number=f"1{i:05d}", last_name=f"NOM{i:02d}", password=None)
        make_child(db, family)
        make_child(db, family, first_name="Zoé")
    with recorded_sql() as many:
        page = client.get("/agent/familles?page=2").get_data(as_text=True)
    assert len(many) == len(few)
    assert "60 familles trouvées" in page and "Page 2 sur 3" in page
    assert "NOM25" in page and "NOM24" not in page and "NOM50" not in page


@pytest.mark.parametrize("path", AGENT_PAGES)
def test_agent_pages_refuse_families_and_anonymous_visitors(client_for, tenant_db, path):
    db = tenant_db("alpha")
    make_family(db)
    anonymous = client_for("alpha.test")
    assert anonymous.get(path).status_code in (302, 303)
    family = client_for("alpha.test")
    sign_in(family)
    answer = family.get(path)
    assert answer.status_code in (302, 303) and "/agent/connexion" in answer.headers["Location"]


def test_an_agent_of_another_commune_is_not_an_agent_here(client_for, tenant_db):
    client = agent(client_for, tenant_db("beta"), host="beta.test")
    client.host = "alpha.test"
    assert client.get("/agent/familles").status_code in (302, 303)


def _create(client, **data):
    token = csrf_token(client.get("/agent/familles/nouvelle").get_data(as_text=True))
    fields = {"csrf_token": token, "civility": "Madame", "last_name": "Durand", "first_name": "Anne",
              "email": "anne.durand@example.org", "postcode": "73100", "city": "Alpha"}
    fields.update(data)
    return client.post("/agent/familles/nouvelle", data=fields)


def test_create_gives_the_next_free_number_and_journals_it(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db, number="100100")
    client = agent(client_for, db)
    answer = _create(client, **{"children-0-first_name": "Tom", "children-0-birth_date": "2019-03-02",
                                "children-0-sex": "M", "children-0-school_class": "CE1"})
    assert answer.status_code == 303
    family = db.scalar(select(Family).where(Family.number == "100101"))
    assert family is not None and family.last_name == "Durand" and family.password_hash is None
    children = db.scalars(select(Child).where(Child.family_id == family.id)).all()
    assert [(c.first_name, c.last_name, c.birth_date.isoformat(), c.sex) for c in children] == [
        ("Tom", "Durand", "2019-03-02", "M")]
    event = db.scalar(select(AuditEvent).where(AuditEvent.event == "family.created"))
    assert event.account_kind == "agent" and "100101" in event.identifier
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "100101" in page and "Envoyer le courriel de bienvenue" in page


def test_create_refuses_bad_values_and_a_taken_number_and_writes_nothing(client_for, tenant_db):
    db = tenant_db("alpha")
    make_family(db, number="100100")
    client = agent(client_for, db)
    answer = _create(client, email="pas-un-courriel", postcode="7310",
                     **{"children-0-first_name": "Tom", "children-0-birth_date": "2019-02-31"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Adresse électronique non valable." in page and "Code postal non valable" in page
    assert "date de naissance « 2019-02-31 » invalide" in page
    answer = _create(client, number="100100")
    assert answer.status_code == 400 and "100100 existe déjà" in answer.get_data(as_text=True)
    assert db.scalar(select(Family).where(Family.last_name == "Durand")) is None
    assert _create(client, last_name="").status_code == 400


def test_created_list_runs_a_constant_number_of_queries(client_for, tenant_db):
    db = tenant_db("alpha")
    client = agent(client_for, db)
    ids = []
    for i in range(12):
        family = make_family(db, number=f"3{i:05d}", password=None)
        make_child(db, family)
        ids.append(str(family.id))
    with recorded_sql() as few:
        assert client.get(f"/agent/familles/creees?familles={','.join(ids[:2])}").status_code == 200
    with recorded_sql() as many:
        page = client.get(f"/agent/familles/creees?familles={','.join(ids)}").get_data(as_text=True)
    assert len(many) == len(few) and "300011" in page


def test_the_agents_family_record_offers_the_child_record_prints(client_for, tenant_db):
    db = tenant_db("alpha")
    family = make_family(db)
    child = make_child(db, family)
    page = agent(client_for, db).get(f"/agent/familles/{family.id}").get_data(as_text=True)
    assert f'href="/agent/enfants/{child.id}/fiche.pdf?version=complete"' in page
