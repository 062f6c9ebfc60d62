"""« Mon compte », « Mes enfants » and the agents' queue, through the web."""
import re

import pytest
from sqlalchemy import func, select

from tests.factories import make_child, make_family
from tests.helpers import csrf_token, recorded_sql, sign_in
from tests.records.test_changes import stored_text
import tests.web.test_staff as staff_tests
from webapp.audit.models import AuditEvent
from webapp.families.models import Child, ChildHealth, Family, FamilyPartner
from webapp.mail.models import OutboxMail
from webapp.photos.models import ChildPhoto
from webapp.planning.models import Enrolment
from webapp.records.models import ChangeRequest
from webapp.uploads.models import StoredFile

PASSWORD = "Famille2026"
IBAN = "FR76 3000 6000 0112 3456 7890 189"


def form_of(client, url) -> dict:
    """The prefilled values of a record form, as a browser would post them back."""
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.get_data(as_text=True)
    data: dict = {"csrf_token": csrf_token(html)}
    for name, value in re.findall(r'<input class="field__input" id="[^"]*" name="([^"]+)" type="(?:text|date|tel|email)"\s+value="([^"]*)"', html):
        data[name] = value.replace("&#39;", "'").replace("&amp;", "&")
    for name, body in re.findall(r'<select class="field__input" id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea class="field__input" id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body
    for name, value in re.findall(r'<input type="checkbox" (?:id="[^"]*" )?name="([^"]+)" value="([^"]+)" checked', html):
        data.setdefault(name, [])
        data[name].append(value)
    return data


def post(client, url, **changes):
    data = form_of(client, url)
    data.update(changes)
    return client.post(url, data=data)


def decide(agent, ids, decision="accepter", reason=""):
    page = agent.get("/agent/modifications").get_data(as_text=True)
    return agent.post("/agent/modifications/decision", data={
        "csrf_token": csrf_token(page), "demande": [str(i) for i in ids], "decision": decision, "raison": reason})


def only_request(db) -> ChangeRequest:
    db.expire_all()
    return db.scalar(select(ChangeRequest))


CASES = [  # section, url (child id as {c}), form changes, check of the applied value
    ("responsable", "/mon-compte/responsable", {"city": "Chambéry", "situation": "separated"},
     lambda db, f, c: (f.city, f.situation) == ("Chambéry", "separated")),
    ("conjoint", "/mon-compte/conjoint", {"last_name": "MARTIN", "first_name": "Paul", "postcode": "73100"},
     lambda db, f, c: db.scalar(select(FamilyPartner.last_name)) == "MARTIN"),
    ("fiscal", "/mon-compte/fiscal", {"tax_number": "1234567890123", "reference_income": "32 000", "tax_shares": "2,5"},
     lambda db, f, c: (f.reference_income, f.tax_shares) == (32000, "2.5")),
    ("caf", "/mon-compte/caf", {"caf_number": "7654321", "caf_quotient": "640"},
     lambda db, f, c: f.caf_quotient == 640),
    ("bank", "/mon-compte/bank", {"account_holder": "DUPONT JEANNE", "iban": IBAN, "bic": "BNPAFRPP",
                                  "current_password": PASSWORD},
     lambda db, f, c: (f.iban, f.bic) == ("FR7630006000011234567890189", "BNPAFRPP")),
    ("child_identity", "/mes-enfants/{c}/child_identity", {"school_class": "CE1", "sex": "F"},
     lambda db, f, c: (c.school_class, c.sex) == ("CE1", "F")),
    ("authorisations", "/mes-enfants/{c}/authorisations", {"0-name": "Mamie Jo", "0-may_pick_up": "1"},
     lambda db, f, c: [p.name for p in c.authorised_persons] == ["Mamie Jo"]),
    ("complementary", "/mes-enfants/{c}/complementary", {"insurance_company": "MAIF", "image_rights": "1"},
     lambda db, f, c: (c.insurance_company, c.image_rights) == ("MAIF", True)),
    ("health", "/mes-enfants/{c}/health", {"allergies": "Kiwi", "diets": ["gluten_free"], "pai": "1"},
     lambda db, f, c: db.scalar(select(ChildHealth)).allergies == "Kiwi"),
    ("add_child", "/mes-enfants/ajouter", {"last_name": "DUPONT", "first_name": "Zoé", "birth_date": "2021-03-04"},
     lambda db, f, c: db.scalar(select(func.count()).select_from(Child)) == 2),
    ("enrolment", "/mes-enfants/{c}/enrolment", {"service_id": "{s}"},
     lambda db, f, c: db.scalar(select(func.count()).select_from(Enrolment)) == 1),
]


@pytest.mark.parametrize("code, url, values, applied", CASES, ids=[case[0] for case in CASES])
def test_every_section_request_accept_applies(alpha, family_client, agent_client, code, url, values, applied):
    db, family, child, service = alpha
    url = url.format(c=child.id)
    values = {k: (v.format(s=service.id) if isinstance(v, str) else v) for k, v in values.items()}
    answer = post(family_client, url, **values)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    request = only_request(db)
    assert (request.section, request.state) == (code, "pending")
    family_page = family_client.get("/mes-enfants" if request.child_id or code == "add_child" else "/mon-compte")
    assert "Demande en attente du" in family_page.get_data(as_text=True)
    queue = agent_client.get("/agent/modifications").get_data(as_text=True)
    assert family.number in queue
    assert decide(agent_client, [request.id]).status_code == 303
    db.expire_all()
    family, child = db.get(Family, family.id), db.get(Child, child.id)
    assert only_request(db).state == "accepted"
    assert applied(db, family, child)
    listing = family_client.get("/demandes").get_data(as_text=True)
    assert "Acceptée" in listing


def test_refuse_with_reason_changes_nothing_and_family_sees_it(alpha, family_client, agent_client):
    db, family, _child, _service = alpha
    post(family_client, "/mon-compte/responsable", city="Paris")
    request = only_request(db)
    assert decide(agent_client, [request.id], "refuser").status_code == 400  # no reason
    assert only_request(db).state == "pending"
    decide(agent_client, [request.id], "refuser", reason="Justificatif de domicile manquant")
    db.expire_all()
    assert db.get(Family, family.id).city == "Alpha" and only_request(db).state == "refused"
    listing = family_client.get("/demandes?type=responsable").get_data(as_text=True)
    assert "Refusée" in listing and "Justificatif de domicile manquant" in listing
    mail = db.scalar(select(OutboxMail))
    assert mail is not None and "Responsable" in mail.body and "Paris" not in mail.body


def test_health_decision_mail_is_generic_and_only_when_allowed(alpha, family_client, agent_client):
    db, family, child, _service = alpha
    post(family_client, f"/mes-enfants/{child.id}/health", allergies="Arachides")
    decide(agent_client, [only_request(db).id])
    body = db.scalar(select(OutboxMail)).body
    assert "Données sanitaires" in body and "Arachides" not in body
    family.email_allowed = False
    db.commit()
    post(family_client, f"/mes-enfants/{child.id}/complementary", notes="Lunettes")
    pending = db.scalar(select(ChangeRequest).where(ChangeRequest.state == "pending"))
    decide(agent_client, [pending.id])
    assert db.scalar(select(func.count()).select_from(OutboxMail)) == 1


@pytest.mark.parametrize("decision, reason", [("refuser", "Acte de naissance manquant"), ("accepter", "")])
def test_the_decision_mail_of_a_child_to_add_quotes_no_value_of_the_request(alpha, family_client, agent_client,
                                                                           decision, reason):
    """Issue 15, point 8: the refusal e-mail quoted the first name typed in the request (« the section's name,
    never a value »); the agent's own reason stays, as before, for sections that are not sensitive."""
    db, _family, _child, _service = alpha
    post(family_client, "/mes-enfants/ajouter", last_name="DUPONT", first_name="Zoé", birth_date="2021-03-04")
    decide(agent_client, [only_request(db).id], decision, reason=reason)
    body = db.scalar(select(OutboxMail)).body
    assert "Ajouter un enfant" in body and "Zoé" not in body and "2021" not in body
    if reason:
        assert reason in body


def test_a_name_change_mail_names_no_child(alpha, family_client, agent_client):
    """Once accepted, the child's first name on record is the request's value: the e-mail leaves it out."""
    db, _family, child, _service = alpha
    post(family_client, f"/mes-enfants/{child.id}/child_identity", first_name="Héléna")
    decide(agent_client, [only_request(db).id])
    body = db.scalar(select(OutboxMail)).body
    assert "Identité, école et classe" in body and "Héléna" not in body
    post(family_client, f"/mes-enfants/{child.id}/complementary", insurance_company="MAIF")
    decide(agent_client, [db.scalar(select(ChangeRequest.id).where(ChangeRequest.state == "pending"))])
    db.expire_all()
    last = db.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first().body
    assert "Données complémentaires (Héléna)" in last and "MAIF" not in last  # a name on record, not in the request


def test_withdraw_a_pending_request(alpha, family_client):
    db, *_ = alpha
    post(family_client, "/mon-compte/caf", caf_quotient="500")
    request = only_request(db)
    page = family_client.get("/mon-compte").get_data(as_text=True)
    answer = family_client.post(f"/mon-compte/demandes/{request.id}/retirer", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 303
    assert only_request(db).state == "withdrawn"
    assert "Retirée" in family_client.get("/demandes").get_data(as_text=True)


@pytest.mark.parametrize("url, values, field_error", [
    ("/mon-compte/bank", {"iban": "FR76 3000 6000 0112 3456 7890 188", "current_password": PASSWORD}, "IBAN non valable"),
    ("/mon-compte/responsable", {"postcode": "7300"}, "Code postal non valable"),
    ("/mon-compte/responsable", {"phone_home": "douze"}, "Numéro de téléphone non valable"),
])
def test_validation_errors_change_nothing(alpha, family_client, url, values, field_error):
    db, *_ = alpha
    answer = post(family_client, url, **values)
    assert answer.status_code == 400 and field_error in answer.get_data(as_text=True)
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    assert only_request(db) is None


@pytest.mark.parametrize("url, values", [
    ("/mon-compte/responsable", {"email": "nouvelle@example.org"}),
    ("/mon-compte/bank", {"iban": IBAN}),
])
def test_password_asked_again_for_email_and_bank(alpha, family_client, url, values):
    db, *_ = alpha
    assert post(family_client, url, **values).status_code == 400
    assert post(family_client, url, current_password="wrong", **values).status_code == 400
    assert only_request(db) is None
    assert post(family_client, url, current_password=PASSWORD, **values).status_code == 303
    assert only_request(db).state == "pending"


def test_address_change_needs_no_password(alpha, family_client):
    assert post(family_client, "/mon-compte/responsable", city="Chambéry").status_code == 303


def test_nothing_changed_is_said_and_nothing_recorded(alpha, family_client):
    db, *_ = alpha
    answer = post(family_client, "/mon-compte/responsable")
    assert answer.status_code == 303
    assert "Aucune valeur n&#39;a changé" in family_client.get("/mon-compte").get_data(as_text=True)
    assert only_request(db) is None


def test_iban_is_masked_for_the_family_and_encrypted_at_rest(alpha, family_client):
    db, family, child, _service = alpha
    family.iban = "FR7630006000011234567890189"
    db.add(ChildHealth(child_id=child.id, allergies="Pollen de bouleau"))
    db.commit()
    page = family_client.get("/mon-compte").get_data(as_text=True)
    assert "FR76 ••••" in page and "3000600001" not in page
    assert "Pollen de bouleau" in family_client.get("/mes-enfants").get_data(as_text=True)
    raw = stored_text(db, Family.__table__, ChildHealth.__table__)
    assert "DUPONT" in raw  # the clear columns are read as stored…
    assert "FR76" not in raw and "Pollen" not in raw  # …the encrypted ones are not readable


def test_another_familys_child_and_request_are_404(alpha, family_client, client_for):
    db, family, child, _service = alpha
    other = make_family(db, number="200200")
    theirs = make_child(db, other, first_name="Oscar")
    other_client = client_for("alpha.test")
    sign_in(other_client, number="200200")
    post(other_client, f"/mes-enfants/{theirs.id}/complementary", notes="Timide")
    their_request = only_request(db)
    page = family_client.get("/mon-compte").get_data(as_text=True)
    token = csrf_token(page)
    for code in ("child_identity", "health", "authorisations", "enrolment"):
        assert family_client.get(f"/mes-enfants/{theirs.id}/{code}").status_code == 404
        assert family_client.post(f"/mes-enfants/{theirs.id}/{code}", data={"csrf_token": token}).status_code == 404
    assert family_client.post(f"/mon-compte/demandes/{their_request.id}/retirer",
                              data={"csrf_token": token}).status_code == 404
    assert only_request(db).state == "pending"
    assert "Oscar" not in family_client.get("/mes-enfants").get_data(as_text=True)
    assert "Timide" not in family_client.get("/demandes?tout=1").get_data(as_text=True)
    assert family_client.get("/mon-compte/inconnu").status_code == 404


def test_other_commune_sees_nothing(alpha, client_for, tenant_db):
    _db, family, child, _service = alpha
    beta = tenant_db("beta")
    make_family(beta, number="100100")
    client = client_for("beta.test")
    sign_in(client)
    assert client.get(f"/mes-enfants/{child.id}/health").status_code == 404
    import tests.web.test_staff as staff_tests
    agent = client_for("beta.test")
    staff_tests.signed_in_agent(agent, beta, email="agent@beta.example.org")
    assert agent.get(f"/agent/familles/{family.id + 1000}").status_code == 404
    assert agent.get(f"/agent/familles/{family.id}/enfants/{child.id}/modifier/health").status_code == 404


def test_families_and_anonymous_cannot_open_agent_pages(alpha, family_client, client_for):
    _db, family, *_ = alpha
    for url in ("/agent/modifications", f"/agent/familles/{family.id}"):
        assert family_client.get(url).status_code in (302, 303, 404)
        assert client_for("alpha.test").get(url).status_code in (302, 303)
    assert client_for("alpha.test").get("/mon-compte").status_code in (302, 303)


def test_agent_reads_of_sensitive_sections_are_journaled(alpha, agent_client):
    db, family, child, _service = alpha
    family.iban = "FR7630006000011234567890189"
    db.add(ChildHealth(child_id=child.id, allergies="Pollen de bouleau"))
    db.commit()
    page = agent_client.get(f"/agent/familles/{family.id}").get_data(as_text=True)
    assert "Pollen" not in page and "FR76" not in page and "Afficher" in page
    assert db.scalar(select(AuditEvent).where(AuditEvent.event == "records.read")) is None
    page = agent_client.get(f"/agent/familles/{family.id}?afficher=health&enfant={child.id}").get_data(as_text=True)
    assert "Pollen de bouleau" in page
    page = agent_client.get(f"/agent/familles/{family.id}?afficher=bank").get_data(as_text=True)
    assert "FR76 ••••" in page
    events = db.scalars(select(AuditEvent).where(AuditEvent.event == "records.read").order_by(AuditEvent.id)).all()
    assert [e.identifier for e in events] == [f"family:{family.id} child:{child.id} section:health",
                                              f"family:{family.id} section:bank"]
    assert all(e.account_kind == "agent" and "Pollen" not in e.identifier for e in events)


def test_agent_edits_directly_and_it_is_journaled(alpha, agent_client):
    db, family, child, _service = alpha
    url = f"/agent/familles/{family.id}/enfants/{child.id}/modifier/health"
    answer = post(agent_client, url, allergies="Oeuf", pai="1")
    assert answer.status_code == 303
    health = db.scalar(select(ChildHealth))
    assert health.allergies == "Oeuf" and health.has_pai
    events = [e.event for e in db.scalars(select(AuditEvent).where(AuditEvent.event.like("records.%"))
                                          .order_by(AuditEvent.id))]
    assert events == ["records.read", "records.edited"]
    bad = post(agent_client, f"/agent/familles/{family.id}/modifier/responsable", postcode="ABCDE")
    assert bad.status_code == 400
    db.expire_all()
    assert db.get(Family, family.id).postcode == "73000"


def test_sensitive_request_values_in_the_queue_only_on_demand(alpha, family_client, agent_client):
    db, *_ = alpha
    post(family_client, "/mon-compte/bank", iban=IBAN, current_password=PASSWORD)
    request = only_request(db)
    queue = agent_client.get("/agent/modifications").get_data(as_text=True)
    assert "FR76" not in queue and "Coordonnées bancaires" in queue
    detail = agent_client.get(f"/agent/modifications/{request.id}").get_data(as_text=True)
    assert "FR76 ••••" in detail
    assert db.scalar(select(AuditEvent).where(AuditEvent.event == "records.read")).identifier.endswith("section:bank")


def _many(db, count, start=0):
    for n in range(start, start + count):
        family = make_family(db, number=f"3000{n:02d}")
        for name in ("Alix", "Bao"):
            child = make_child(db, family, first_name=name)
            db.add(ChildHealth(child_id=child.id, allergies="x"))
            db.add(ChangeRequest(family_id=family.id, child_id=child.id, section="complementary", state="pending",
                                 created_at=family_created(), payload_json='{"new": {"notes": "a"}, "old": {"notes": ""}}'))
    db.commit()


def family_created():
    import datetime as dt
    return dt.datetime(2025, 12, 1, tzinfo=dt.UTC)


def test_pages_cost_a_constant_number_of_queries(alpha, family_client, agent_client):
    db, family, child, _service = alpha

    def counts():
        found = []
        for client, url in ((family_client, "/mon-compte"), (family_client, "/mes-enfants"),
                            (agent_client, "/agent/modifications"), (agent_client, f"/agent/familles/{family.id}")):
            with recorded_sql() as statements:
                assert client.get(url).status_code == 200
            found.append(len(statements))
        return found

    _many(db, 1)
    give_photo(db, make_child(db, family, first_name="Hugo"))
    before = counts()
    _many(db, 4, start=1)
    for name in ("Jade", "Noé"):
        give_photo(db, make_child(db, family, first_name=name))
    assert counts() == before


def give_photo(db, child):
    """A photo row for the child, written directly (the upload itself is tested in test_child_photos)."""
    import uuid

    stored = StoredFile(kind="photo", original_name="photo.jpg", content_type="image/jpeg", size=10, sha256="0" * 64,
                        stored_name=uuid.uuid4().hex, created_at=family_created())
    db.add(stored)
    db.flush()
    db.add(ChildPhoto(child_id=child.id, file_id=stored.id, updated_at=family_created()))
    db.commit()


def test_child_pages_cost_the_same_for_one_child_or_three_with_photos(alpha, family_client, agent_client):
    db, family, child, _service = alpha
    give_photo(db, child)

    def counts():
        found = []
        for client, url in ((family_client, "/mes-enfants"), (agent_client, f"/agent/familles/{family.id}")):
            with recorded_sql() as statements:
                assert client.get(url).status_code == 200
            found.append(len(statements))
        return found

    one = counts()
    give_photo(db, make_child(db, family, first_name="Hugo"))
    make_child(db, family, first_name="Jade")  # without photo
    assert counts() == one


def test_child_photo_on_the_family_and_agent_pages(alpha, family_client, agent_client):
    import io

    from tests.uploads import files

    db, family, child, _service = alpha
    other = make_child(db, family, first_name="Hugo")
    token = csrf_token(family_client.get("/mes-enfants").get_data(as_text=True))
    answer = family_client.post(f"/enfants/{child.id}/photo", content_type="multipart/form-data", data={
        "csrf_token": token, "photo": (io.BytesIO(files.jpeg()), "photo.jpg"), "retour": "/mes-enfants"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/mes-enfants"
    photo = db.scalar(select(ChildPhoto))
    src = f'src="/enfants/{child.id}/photo?v={photo.file_id}"'

    mine = family_client.get("/mes-enfants").get_data(as_text=True)
    assert src in mine and 'alt="Photo de Léna"' in mine and "Remplacer la photo" in mine
    assert f'action="/enfants/{other.id}/photo"' in mine and "Pas de photo." in mine  # Hugo: none yet

    staff = agent_client.get(f"/agent/familles/{family.id}").get_data(as_text=True)
    assert src in staff and "Pas de photo." in staff
    assert 'action="/enfants/' not in staff and 'type="file"' not in staff  # only the family sends photos
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "photo.read")) == 0
    assert agent_client.get(f"/enfants/{child.id}/photo?v={photo.file_id}").status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "photo.read")) == 1


def test_forms_need_the_csrf_token(alpha, family_client):
    db, *_ = alpha
    data = form_of(family_client, "/mon-compte/responsable")
    data.pop("csrf_token")
    data["city"] = "Lyon"
    assert family_client.post("/mon-compte/responsable", data=data).status_code == 400
    assert only_request(db) is None


def test_agent_urls_mixing_families_are_404(alpha, agent_client):
    db, family, _child, _service = alpha
    other = make_family(db, number="200200")
    theirs = make_child(db, other)
    assert agent_client.get(f"/agent/familles/{family.id}/enfants/{theirs.id}/modifier/complementary").status_code == 404
    assert agent_client.get(f"/agent/familles/{family.id}?afficher=health&enfant={theirs.id}").status_code == 404
    assert agent_client.get(f"/agent/familles/{family.id}/modifier/add_child").status_code == 404
    assert agent_client.get("/agent/modifications/999999").status_code == 404
    assert db.scalar(select(AuditEvent).where(AuditEvent.event == "records.read")) is None


def test_enrolment_in_a_service_already_followed_is_refused(alpha, family_client):
    db, _family, child, service = alpha
    from tests.factories import enrol
    enrol(db, child, service)
    answer = post(family_client, f"/mes-enfants/{child.id}/enrolment", service_id=str(service.id))
    assert answer.status_code == 409 and "déjà inscrit" in answer.get_data(as_text=True)
    assert only_request(db) is None


def test_bank_form_never_shows_the_iban_and_empty_keeps_it(alpha, family_client):
    db, family, *_ = alpha
    family.iban, family.bic = "FR7630006000011234567890189", "BNPAFRPP"
    db.commit()
    page = family_client.get("/mon-compte/bank").get_data(as_text=True)
    assert "30006000011234567890" not in page and "Laissez vide pour garder le compte actuel (FR76 ••••" in page
    assert post(family_client, "/mon-compte/bank", account_holder="M. et Mme DUPONT").status_code == 303
    request = only_request(db)
    assert request.new_values == {"account_holder": "M. et Mme DUPONT"}  # IBAN unchanged, so no password asked


def test_request_list_with_change_requests_costs_constant_queries(alpha, family_client):
    db, family, child, service = alpha

    def count():
        with recorded_sql() as statements:
            assert family_client.get("/demandes").status_code == 200
        return len(statements)

    post(family_client, f"/mes-enfants/{child.id}/enrolment", service_id=str(service.id))
    before = count()
    for n in range(6):
        db.add(ChangeRequest(family_id=family.id, child_id=child.id, section="complementary", state="refused",
                             created_at=family_created(), reason=f"raison {n}",
                             payload_json='{"new": {"notes": "a"}, "old": {"notes": ""}}'))
    db.commit()
    assert count() == before
    page = family_client.get("/demandes").get_data(as_text=True)
    assert "Inscriptions (RESTAURATION)" in page and "raison 5" in page and "Données complémentaires" in page


def test_queue_filters_by_section_and_decides_many(alpha, family_client, agent_client):
    db, _family, child, _service = alpha
    post(family_client, "/mon-compte/caf", caf_quotient="700")
    post(family_client, f"/mes-enfants/{child.id}/complementary", insurance_company="MACIF")
    caf_only = agent_client.get("/agent/modifications?rubrique=caf").get_data(as_text=True)
    assert "CAF" in caf_only and "MACIF" not in caf_only
    assert "MACIF" in agent_client.get("/agent/modifications").get_data(as_text=True)
    ids = [r.id for r in db.scalars(select(ChangeRequest))]
    assert decide(agent_client, ids, "refuser", reason="Pièce justificative manquante").status_code == 303
    db.expire_all()
    assert {r.state for r in db.scalars(select(ChangeRequest))} == {"refused"}
    assert "Aucune demande de modification en attente" in agent_client.get("/agent/modifications").get_data(as_text=True)


@pytest.mark.parametrize("who", ["family", "agent"])
def test_a_refused_bank_form_never_writes_the_kept_iban_into_the_page(alpha, client_for, who):
    db, family, *_ = alpha
    family.iban, family.bic = "FR7630006000011234567890189", "BNPAFRPP"
    db.commit()
    client = client_for("alpha.test")
    if who == "family":
        sign_in(client)
        url = "/mon-compte/bank"
    else:
        staff_tests.signed_in_agent(client, db)
        url = f"/agent/familles/{family.id}/modifier/bank"
    answer = post(client, url, account_holder="DUPONT", bic="PAS UN BIC", current_password=PASSWORD)
    assert answer.status_code == 400
    assert "30006000011234567890" not in answer.get_data(as_text=True)
    db.expire_all()
    assert db.get(Family, family.id).bic == "BNPAFRPP"
