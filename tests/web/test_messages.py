"""« Boîte de réception »: families write, agents answer, threads, deletion, unread counts, broadcasts."""
import io

import pytest
from sqlalchemy import func, select

import tests.web.test_staff as staff_tests
from tests.factories import enrol, make_child, make_family, make_service
from tests.helpers import csrf_token, recorded_sql, sign_in
from tests.uploads import files
from webapp.mail.models import OutboxMail
from webapp.messages.models import Message
from webapp.uploads.models import StoredFile


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


def family_client(client_for, db, host="alpha.test", number="100100", **fields):
    family = make_family(db, number=number, **fields)
    client = client_for(host)
    assert sign_in(client, number=number).status_code in (302, 303)
    return client, family


def agent_client(client_for, db, host="alpha.test", **fields):
    client = client_for(host)
    staff_tests.signed_in_agent(client, db, **fields)
    return client


def send(client, subject="Demande de renseignements", body="Bonjour,\nPuis-je inscrire mon fils mercredi ?",
         attachment=None, url="/messages/nouveau"):
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "subject": subject, "body": body}
    if attachment is not None:
        data["attachment"] = (io.BytesIO(attachment[1]), attachment[0])
    return client.post(url, data=data, content_type="multipart/form-data")


def messages(db):
    db.expire_all()
    return list(db.scalars(select(Message).order_by(Message.id)))


def agent_write(client, **fields):
    token = csrf_token(client.get("/agent/messages/nouveau").get_data(as_text=True))
    data = {"csrf_token": token, "subject": "Fermeture exceptionnelle", "body": "La cantine ferme vendredi."}
    data.update(fields)
    return client.post("/agent/messages/nouveau", data=data, content_type="multipart/form-data")


def reply(client, url, body="Réponse", attachment=None):
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "body": body}
    if attachment is not None:
        data["attachment"] = (io.BytesIO(attachment[1]), attachment[0])
    return client.post(url, data=data, content_type="multipart/form-data")


# --- a family writes ------------------------------------------------------------------------
def test_family_sends_a_message_without_attachment(client_for, tenant_db):
    db = tenant_db("alpha")
    client, family = family_client(client_for, db)
    answer = send(client)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/messages/envoyes")
    [message] = messages(db)
    assert (message.family_id, message.from_family, message.subject) == (family.id, True, "Demande de renseignements")
    assert message.body.startswith("Bonjour,\nPuis-je") and message.attachment_id is None and message.thread_id is None
    page = client.get("/messages/envoyes").get_data(as_text=True)
    assert "Demande de renseignements" in page


def test_family_sends_a_message_with_a_pdf(client_for, tenant_db):
    db = tenant_db("alpha")
    client, _family = family_client(client_for, db)
    pdf = files.pdf()
    assert send(client, attachment=("fiche.pdf", pdf)).status_code == 303
    [message] = messages(db)
    stored = db.get(StoredFile, message.attachment_id)
    assert (stored.original_name, stored.content_type) == ("fiche.pdf", "application/pdf")
    answer = client.get(f"/messages/{message.id}/piece-jointe")
    # what is stored is the PDF rebuilt from its pages (webapp.uploads.pdf_rebuild), never the bytes sent
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF-") and answer.data != pdf
    assert stored.size == len(answer.data)
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer.headers["Cache-Control"]


def test_a_photo_attachment_loses_its_gps(client_for, tenant_db):
    db = tenant_db("alpha")
    client, _family = family_client(client_for, db)
    assert send(client, attachment=("IMG_0001.jpg", files.jpeg(exif_gps=True))).status_code == 303
    [message] = messages(db)
    data = client.get(f"/messages/{message.id}/piece-jointe").data
    assert data.startswith(b"\xff\xd8") and b"Exif" not in data and b"PhoneMaker" not in data


@pytest.mark.parametrize("name, data, error", [
    ("virus.pdf", files.EXE, "Seuls les fichiers JPEG, PNG et PDF sont acceptés."),
    ("photo.jpg", files.jpeg() + files.zip_file(), "données après la fin de l&#39;image"),
    ("vide.pdf", b"", "Le fichier est vide."),
    ("grand.pdf", files.pdf() + b" " * (5 * 1024 * 1024), "Le fichier dépasse 5 Mo."),
    ("archive.pdf", files.pdf_with_zip_appended(), "un autre format caché"),
])
def test_a_refused_attachment_changes_nothing(client_for, tenant_db, app, name, data, error):
    db = tenant_db("alpha")
    client, _family = family_client(client_for, db)
    answer = send(client, attachment=(name, data))
    assert answer.status_code == 400
    assert error in answer.get_data(as_text=True)
    assert messages(db) == [] and db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_missing_title_is_an_error_tied_to_the_field(client_for, tenant_db):
    db = tenant_db("alpha")
    client, _family = family_client(client_for, db)
    answer = send(client, subject="")
    assert answer.status_code == 400 and "Saisissez un titre." in answer.get_data(as_text=True)
    assert 'aria-invalid="true"' in answer.get_data(as_text=True) and messages(db) == []


# --- threads, replies, unread counts ------------------------------------------------------
def test_agent_replies_and_the_family_sees_the_thread_and_the_unread_count(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, family = family_client(client_for, db, email="parent@example.org")
    send(family_side)
    [first] = messages(db)
    agent = agent_client(client_for, db)
    inbox = agent.get("/agent/messages/").get_data(as_text=True)
    assert "Demande de renseignements" in inbox and "JEANNE DUPONT" in inbox
    assert reply(agent, f"/agent/messages/{first.id}", body="Oui, en ligne.").status_code == 303
    first_again, answer = messages(db)
    assert answer.thread_id == first.id and answer.from_family is False and answer.subject.startswith("Re : ")
    assert first_again.read_at is not None and first_again.handled_at is not None
    home = family_side.get("/accueil").get_data(as_text=True)
    assert "Vous avez 1 message non lu" in home and "(1 message non lu)" in home
    assert 'href="/messages/"' in home
    thread = family_side.get(f"/messages/{first.id}").get_data(as_text=True)
    assert thread.index("Puis-je inscrire") < thread.index("Oui, en ligne.")
    assert "Vous n'avez pas de nouveau message" in family_side.get("/accueil").get_data(as_text=True)
    [mail] = list(db.scalars(select(OutboxMail)))
    assert mail.recipient == "parent@example.org" and "Oui, en ligne" not in mail.body
    assert "https://famille.alpha.test/messages" in mail.body


def test_family_replies_in_a_thread_the_commune_started(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, family = family_client(client_for, db)
    agent = agent_client(client_for, db)
    assert agent_write(agent, target="famille", family_number="100100").status_code == 303
    [first] = messages(db)
    assert reply(family_side, f"/messages/{first.id}", body="Bien reçu.").status_code == 303
    _first, answer = messages(db)
    assert answer.from_family and answer.thread_id == first.id
    assert "Re : Fermeture exceptionnelle" in agent.get("/agent/messages/").get_data(as_text=True)


def test_delete_and_restore_a_received_message(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    agent = agent_client(client_for, db)
    agent_write(agent, target="famille", family_number="100100")
    [message] = messages(db)
    token = csrf_token(family_side.get("/messages/").get_data(as_text=True))
    assert family_side.post(f"/messages/{message.id}/supprimer", data={"csrf_token": token}).status_code == 303
    assert "Fermeture exceptionnelle" not in family_side.get("/messages/").get_data(as_text=True)
    assert "Fermeture exceptionnelle" in family_side.get("/messages/supprimes").get_data(as_text=True)
    assert "Vous n'avez pas de nouveau message" in family_side.get("/accueil").get_data(as_text=True)
    assert family_side.post(f"/messages/{message.id}/restaurer", data={"csrf_token": token}).status_code == 303
    assert "Fermeture exceptionnelle" in family_side.get("/messages/").get_data(as_text=True)
    assert messages(db)[0].deleted_at is None


def test_agents_mark_handled_and_filter(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    send(family_side, subject="Premier")
    send(family_side, subject="Second")
    first, _second = messages(db)
    agent = agent_client(client_for, db)
    token = csrf_token(agent.get(f"/agent/messages/{first.id}").get_data(as_text=True))
    assert agent.post(f"/agent/messages/{first.id}/traite", data={"csrf_token": token}).status_code == 303
    unhandled = agent.get("/agent/messages/").get_data(as_text=True)
    assert "Second" in unhandled and "Premier" not in unhandled
    assert "Premier" in agent.get("/agent/messages/?etat=tous").get_data(as_text=True)


# --- broadcasts and e-mails -----------------------------------------------------------------
@pytest.fixture
def commune(tenant_db):
    """Three families: one at the canteen of École d'Alpha, one at the garderie of École du Bourg, one nowhere."""
    db = tenant_db("alpha")
    canteen = make_service(db)
    garderie = make_service(db, code="garderie", name="GARDERIE", site="École du Bourg")
    a = make_family(db, number="100100", email="a@example.org")
    b = make_family(db, number="100101", email="b@example.org", email_allowed=False)
    c = make_family(db, number="100102", email=None)
    enrol(db, make_child(db, a), canteen)
    enrol(db, make_child(db, b), garderie)
    make_child(db, c)
    return db, canteen, garderie, (a, b, c)


@pytest.mark.parametrize("target, expected", [
    ({"target": "service", "service": "CANTEEN"}, {"100100"}),
    ({"target": "site", "site": "École du Bourg"}, {"100101"}),
    ({"target": "toutes"}, {"100100", "100101", "100102"}),
    ({"target": "famille", "family_number": "100102"}, {"100102"}),
])
def test_broadcast_reaches_the_right_families_in_one_insert(client_for, commune, target, expected):
    db, canteen, _garderie, families = commune
    agent = agent_client(client_for, db)
    fields = {k: (str(canteen.id) if v == "CANTEEN" else v) for k, v in target.items()}
    with recorded_sql() as statements:
        assert agent_write(agent, **fields).status_code == 303
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO") and "message" in s.split("(")[0]]
    assert len(inserts) == 1
    numbers = {f.number for f in families if f.id in {m.family_id for m in messages(db)}}
    assert numbers == expected
    assert {m.body for m in messages(db)} == {"La cantine ferme vendredi."}  # encrypted, read back


def test_email_only_to_families_who_allow_it_and_never_the_body(client_for, commune):
    db, _canteen, _garderie, _families = commune
    agent = agent_client(client_for, db)
    agent_write(agent, target="toutes", body="Votre enfant a de la fièvre.")
    db.expire_all()
    mails = list(db.scalars(select(OutboxMail)))
    assert [m.recipient for m in mails] == ["a@example.org"]
    assert "fièvre" not in mails[0].body and "https://famille.alpha.test/messages" in mails[0].body


def test_broadcast_to_nobody_sends_nothing(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    answer = agent_write(agent, target="famille", family_number="999999")
    assert answer.status_code == 400 and "Aucune famille" in answer.get_data(as_text=True)
    assert messages(db) == []


# --- nobody else's messages -----------------------------------------------------------------
def test_another_familys_messages_and_attachments_are_404(client_for, tenant_db):
    db = tenant_db("alpha")
    owner, _family = family_client(client_for, db)
    send(owner, attachment=("fiche.pdf", files.pdf()))
    [message] = messages(db)
    other, _other = family_client(client_for, db, number="100101")
    for url in (f"/messages/{message.id}", f"/messages/{message.id}/piece-jointe"):
        assert other.get(url).status_code == 404
    token = csrf_token(other.get("/messages/").get_data(as_text=True))
    assert other.post(f"/messages/{message.id}/supprimer", data={"csrf_token": token}).status_code == 404
    assert reply(other, "/messages/nouveau").status_code == 400  # (sanity: its own form still works)
    assert other.post(f"/messages/{message.id}", data={"csrf_token": token, "body": "x"}).status_code == 404


def test_another_communes_messages_are_404(client_for, tenant_db):
    db = tenant_db("alpha")
    owner, _family = family_client(client_for, db)
    send(owner, attachment=("fiche.pdf", files.pdf()))
    [message] = messages(db)
    beta_family, _f = family_client(client_for, tenant_db("beta"), host="beta.test")
    beta_agent = agent_client(client_for, tenant_db("beta"), host="beta.test")
    for client, url in ((beta_family, f"/messages/{message.id}"), (beta_family, f"/messages/{message.id}/piece-jointe"),
                        (beta_agent, f"/agent/messages/{message.id}"),
                        (beta_agent, f"/agent/messages/{message.id}/piece-jointe")):
        assert client.get(url).status_code == 404, url


def test_families_cannot_open_the_commune_inbox(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    answer = family_side.get("/agent/messages/")
    assert answer.status_code in (302, 303) and "/agent/connexion" in answer.headers["Location"]


# --- no N+1 ---------------------------------------------------------------------------------
def _count(client, url):
    with recorded_sql() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_inbox_pages_run_a_constant_number_of_queries(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    agent = agent_client(client_for, db)
    agent_write(agent, target="famille", family_number="100100")
    send(family_side)
    few = {url: _count(family_side, url) for url in ("/messages/", "/messages/envoyes", "/accueil")}
    few_agent = _count(agent, "/agent/messages/")
    for n in range(6):
        agent_write(agent, target="famille", family_number="100100", subject=f"Info {n}")
        send(family_side, subject=f"Question {n}", attachment=("f.pdf", files.pdf()))
    many = {url: _count(family_side, url) for url in ("/messages/", "/messages/envoyes", "/accueil")}
    assert many == few and max(many.values()) <= 12, many
    assert _count(agent, "/agent/messages/") == few_agent <= 8


def test_agents_pages_do_not_count_families_messages(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    with recorded_sql() as statements:
        assert agent.get("/agent/").status_code == 200
    # The family's count rides in the session's query (webapp.auth.users), for a family only.
    session_query = [s for s in statements if "auth_session" in s.lower()]
    assert session_query and all("CASE WHEN" in s for s in session_query if "message" in s.lower())
    assert not [s for s in statements if "message" in s.lower() and "count" in s.lower() and s not in session_query]


def test_agents_see_what_the_commune_sent_and_whether_it_was_read(client_for, tenant_db):
    db = tenant_db("alpha")
    family_side, _family = family_client(client_for, db)
    agent = agent_client(client_for, db)
    form = agent.get("/agent/messages/nouveau?famille=100100").get_data(as_text=True)
    assert 'value="100100"' in form and '<input checked id="target-0" name="target"' in form
    agent_write(agent, target="famille", family_number="100100")
    sent = agent.get("/agent/messages/?etat=envoyes").get_data(as_text=True)
    assert "Fermeture exceptionnelle" in sent and "Non lu" in sent
    [message] = messages(db)
    family_side.get(f"/messages/{message.id}")
    assert "✓ Lu" in agent.get("/agent/messages/?etat=envoyes").get_data(as_text=True)


def test_recipients_of_a_service_leave_out_enrolments_that_ended(tenant_db):
    import datetime as dt

    from webapp.messages import inbox

    db = tenant_db("alpha")
    canteen = make_service(db)
    current, former = make_family(db, number="100100"), make_family(db, number="100101")
    enrol(db, make_child(db, current), canteen)
    enrol(db, make_child(db, former), canteen, starts_on=dt.date(2024, 9, 1), ends_on=dt.date(2025, 7, 4))
    today = dt.date(2025, 12, 8)
    assert inbox.recipients(db, "service", str(canteen.id), today) == [current.id]
    assert inbox.recipients(db, "site", "École d'Alpha", today) == [current.id]
    assert inbox.recipients(db, "service", "not-a-number", today) == []
    assert inbox.recipients(db, "autre", "", today) == []
