"""/enfants/<id>/photo: the family sends, replaces, removes its child's photo; agents read it (journaled)."""
import io

import pytest
from sqlalchemy import func, select

import tests.web.test_staff as staff_tests
from tests.factories import make_child
from tests.helpers import csrf_token
from tests.uploads import files
from tests.web.test_messages import agent_client, family_client
from webapp.audit.models import AuditEvent
from webapp.photos.models import ChildPhoto, photos_of
from webapp.uploads.models import StoredFile


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


def upload(client, child_id, name="photo.jpg", data=None):
    token = csrf_token(client.get("/accueil").get_data(as_text=True))
    return client.post(f"/enfants/{child_id}/photo", content_type="multipart/form-data",
                       data={"csrf_token": token, "photo": (io.BytesIO(data or files.jpeg(exif_gps=True)), name),
                             "retour": "/accueil"})


def photo_files(db):
    db.expire_all()
    return list(db.scalars(select(StoredFile)))


def test_family_uploads_then_replaces_then_deletes_its_childs_photo(client_for, tenant_db, app):
    db = tenant_db("alpha")
    client, family = family_client(client_for, db)
    child = make_child(db, family)
    answer = upload(client, child.id)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/accueil")
    [first] = photo_files(db)
    first_name = first.stored_name
    served = client.get(f"/enfants/{child.id}/photo")
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert b"Exif" not in served.data and "no-store" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    folder = __import__("pathlib").Path(app.instance_path) / "uploads" / "alpha"
    assert (folder / first_name).exists()

    assert upload(client, child.id, name="autre.png", data=files.png()).status_code == 303
    [second] = photo_files(db)
    second_name = second.stored_name
    assert second.content_type == "image/png" and not (folder / first_name).exists()

    token = csrf_token(client.get("/accueil").get_data(as_text=True))
    assert client.post(f"/enfants/{child.id}/photo/supprimer", data={"csrf_token": token}).status_code == 303
    assert photo_files(db) == [] and not (folder / second_name).exists()
    assert client.get(f"/enfants/{child.id}/photo").status_code == 404


@pytest.mark.parametrize("name, data, error", [
    ("fiche.pdf", None, "Seules les photos JPEG ou PNG sont acceptées."),
    ("bombe.png", files.png_bomb(), "40 millions de pixels"),
    ("photo.jpg", files.EXE, "Seules les photos JPEG ou PNG sont acceptées."),
])
def test_refused_photos_change_nothing(client_for, tenant_db, name, data, error):
    db = tenant_db("alpha")
    client, family = family_client(client_for, db)
    child = make_child(db, family)
    answer = upload(client, child.id, name=name, data=data or files.pdf())
    assert answer.status_code == 303
    assert error in client.get("/accueil").get_data(as_text=True).replace("&#39;", "'")
    assert photo_files(db) == [] and db.scalar(select(func.count()).select_from(ChildPhoto)) == 0


def test_another_familys_child_is_404(client_for, tenant_db):
    db = tenant_db("alpha")
    owner, family = family_client(client_for, db)
    child = make_child(db, family)
    upload(owner, child.id)
    other, _other = family_client(client_for, db, number="100101")
    assert other.get(f"/enfants/{child.id}/photo").status_code == 404
    assert upload(other, child.id).status_code == 404
    token = csrf_token(other.get("/accueil").get_data(as_text=True))
    assert other.post(f"/enfants/{child.id}/photo/supprimer", data={"csrf_token": token}).status_code == 404
    assert len(photo_files(db)) == 1


def test_agents_read_photos_and_the_reading_is_journaled(client_for, tenant_db):
    db = tenant_db("alpha")
    owner, family = family_client(client_for, db)
    child = make_child(db, family)
    upload(owner, child.id)
    agent = agent_client(client_for, db)
    assert agent.get(f"/enfants/{child.id}/photo").status_code == 200
    db.expire_all()
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.event == "photo.read")).all()
    assert event.account_kind == "agent" and event.identifier == f"family:{child.family_id} child:{child.id}"
    # an agent cannot send a photo, even with a valid token and image: the family does
    before = db.scalar(select(ChildPhoto.file_id).where(ChildPhoto.child_id == child.id))
    token = csrf_token(agent.get("/agent/").get_data(as_text=True))
    answer = agent.post(f"/enfants/{child.id}/photo", content_type="multipart/form-data",
                        data={"csrf_token": token, "photo": (io.BytesIO(files.jpeg()), "autre.jpg")})
    assert answer.status_code == 404
    db.expire_all()
    assert db.scalar(select(ChildPhoto.file_id).where(ChildPhoto.child_id == child.id)) == before


def test_another_communes_agent_gets_404(client_for, tenant_db):
    db = tenant_db("alpha")
    owner, family = family_client(client_for, db)
    child = make_child(db, family)
    upload(owner, child.id)
    beta_agent = agent_client(client_for, tenant_db("beta"), host="beta.test")
    assert beta_agent.get(f"/enfants/{child.id}/photo").status_code == 404


def test_the_fragment_shows_a_placeholder_then_the_photo_with_the_form(client_for, tenant_db, app):
    from flask import render_template_string
    from flask_login import login_user

    from webapp.auth.users import SignedIn

    db = tenant_db("alpha")
    client, family = family_client(client_for, db)
    child = make_child(db, family)
    fragment = '{% with child=child, photo=photos.get(child.id) %}{% include "uploads/_child_photo.html" %}{% endwith %}'
    with app.test_request_context("/accueil", base_url="http://alpha.test"):
        app.preprocess_request()
        login_user(SignedIn(family, "family", "alpha", "token"))
        empty = render_template_string(fragment, child=child, photos=photos_of(db, [child.id]))
    assert "Pas de photo." in empty and f'action="/enfants/{child.id}/photo"' in empty
    assert 'enctype="multipart/form-data"' in empty and "Supprimer la photo" not in empty
    upload(client, child.id)
    with app.test_request_context("/accueil", base_url="http://alpha.test"):
        app.preprocess_request()
        login_user(SignedIn(family, "family", "alpha", "token"))
        shown = render_template_string(fragment, child=child, photos=photos_of(db, [child.id]))
    assert f'src="/enfants/{child.id}/photo?v=' in shown and 'alt="Photo de Léo"' in shown
    assert "Supprimer la photo" in shown and "Remplacer la photo" in shown


def test_the_return_address_stays_on_this_site(client_for, tenant_db):
    db = tenant_db("alpha")
    client, family = family_client(client_for, db)
    child = make_child(db, family)
    token = csrf_token(client.get("/accueil").get_data(as_text=True))
    for target in ("//evil.example/", "https://evil.example/", "/\t/evil.example"):
        answer = client.post(f"/enfants/{child.id}/photo", content_type="multipart/form-data", data={
            "csrf_token": token, "photo": (io.BytesIO(files.png()), "p.png"), "retour": target})
        assert answer.status_code == 303 and answer.headers["Location"] == "/accueil", target


def test_sending_is_rate_limited_per_visitor(client_for, tenant_db):
    db = tenant_db("alpha")
    owner, family = family_client(client_for, db)
    child = make_child(db, family)
    token = csrf_token(owner.get("/accueil").get_data(as_text=True))
    codes = [owner.post(f"/enfants/{child.id}/photo", data={"csrf_token": token}).status_code for _ in range(61)]
    assert 429 not in codes[:60] and codes[60] == 429
