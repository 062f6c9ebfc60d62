"""« Infos/Documents »: agents publish, families read current ones on their commune only."""
import datetime as dt
import io

import pytest
from sqlalchemy import select

import tests.web.test_staff as staff_tests
from tests.helpers import csrf_token, recorded_sql
from tests.uploads import files
from tests.web.test_messages import agent_client, family_client
from webapp.documents.models import Document, NewsItem
from webapp.uploads.models import StoredFile

TODAY = "2025-12-08"  # the clock fixture's Monday, Paris time


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


def publish_document(agent, title="Règlement intérieur", data=None, name="reglement.pdf", show_from=TODAY,
                     show_until="", category="reglement"):
    token = csrf_token(agent.get("/agent/documents/").get_data(as_text=True))
    return agent.post("/agent/documents/nouveau", content_type="multipart/form-data", data={
        "csrf_token": token, "document-title": title, "document-category": category,
        "document-file": (io.BytesIO(data or files.pdf()), name), "document-show_from": show_from,
        "document-show_until": show_until})


def publish_news(agent, title="Cantine : menus de Noël", body="Repas de fête jeudi.", show_from=TODAY, show_until=""):
    token = csrf_token(agent.get("/agent/documents/").get_data(as_text=True))
    return agent.post("/agent/documents/infos/nouvelle", data={
        "csrf_token": token, "info-title": title, "info-body": body, "info-show_from": show_from,
        "info-show_until": show_until})


def test_agent_publishes_and_the_family_sees_and_downloads(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    assert publish_document(agent).status_code == 303
    assert publish_news(agent).status_code == 303
    family, _family = family_client(client_for, db)
    home = family.get("/accueil").get_data(as_text=True)
    assert "Infos de la commune" in home and "Règlement intérieur" in home and "Repas de fête jeudi." in home
    infos = family.get("/infos/").get_data(as_text=True)
    assert "Règlement intérieur" in infos and "Cantine : menus de Noël" in infos
    [document] = db.scalars(select(Document)).all()
    answer = family.get(f"/infos/documents/{document.id}")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF-")
    assert answer.headers["Content-Disposition"].startswith("attachment;") and "reglement.pdf" in answer.headers[
        "Content-Disposition"]
    assert "no-store" in answer.headers["Cache-Control"]


def test_display_dates_hide_past_and_future_items(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    publish_news(agent, title="Passée", show_from="2025-11-01", show_until="2025-12-07")
    publish_news(agent, title="Future", show_from="2025-12-09")
    publish_news(agent, title="Dernier jour", show_from="2025-12-01", show_until=TODAY)
    publish_document(agent, title="Menus de janvier", show_from="2026-01-01", category="menus")
    family, _family = family_client(client_for, db)
    infos = family.get("/infos/").get_data(as_text=True)
    assert "Dernier jour" in infos and "Passée" not in infos and "Future" not in infos
    assert "Menus de janvier" not in infos
    [document] = db.scalars(select(Document)).all()
    assert family.get(f"/infos/documents/{document.id}").status_code == 404


def test_agent_changes_dates_and_deletes(client_for, tenant_db, app):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    publish_document(agent)
    [document] = db.scalars(select(Document)).all()
    stored_name = db.get(StoredFile, document.file_id).stored_name
    token = csrf_token(agent.get("/agent/documents/").get_data(as_text=True))
    prefix = f"doc{document.id}"
    answer = agent.post(f"/agent/documents/doc/{document.id}/dates", data={
        "csrf_token": token, f"{prefix}-show_from": "2025-12-10", f"{prefix}-show_until": "2025-12-20"})
    assert answer.status_code == 303
    db.expire_all()
    assert (document.show_from, document.show_until) == (dt.date(2025, 12, 10), dt.date(2025, 12, 20))
    bad = agent.post(f"/agent/documents/doc/{document.id}/dates", data={
        "csrf_token": token, f"{prefix}-show_from": "2025-12-10", f"{prefix}-show_until": "2025-12-01"})
    assert bad.status_code == 303
    db.expire_all()
    assert document.show_until == dt.date(2025, 12, 20)
    assert agent.post(f"/agent/documents/doc/{document.id}/supprimer", data={"csrf_token": token}).status_code == 303
    db.expire_all()
    assert db.scalars(select(Document)).all() == [] and db.scalars(select(StoredFile)).all() == []
    import pathlib

    assert not (pathlib.Path(app.instance_path) / "uploads" / "alpha" / stored_name).exists()


def test_a_refused_file_publishes_nothing(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    answer = publish_document(agent, data=files.pdf_with_zip_appended())
    assert answer.status_code == 400 and "un autre format caché" in answer.get_data(as_text=True)
    assert db.scalars(select(Document)).all() == [] and db.scalars(select(StoredFile)).all() == []


def test_bad_dates_are_refused(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    answer = publish_news(agent, show_from="2025-12-10", show_until="2025-12-01")
    assert answer.status_code == 400 and "La date de fin doit suivre la date de début." in answer.get_data(
        as_text=True)
    assert db.scalars(select(NewsItem)).all() == []


def test_another_communes_document_is_404(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    publish_document(agent)
    [document] = db.scalars(select(Document)).all()
    beta_family, _f = family_client(client_for, tenant_db("beta"), host="beta.test")
    assert beta_family.get(f"/infos/documents/{document.id}").status_code == 404
    anonymous = client_for("alpha.test")
    assert anonymous.get(f"/infos/documents/{document.id}").status_code in (302, 401)


def test_families_cannot_manage_documents(client_for, tenant_db):
    family, _f = family_client(client_for, tenant_db("alpha"))
    assert family.get("/agent/documents/").status_code in (302, 303)


def test_documents_pages_run_a_constant_number_of_queries(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    publish_document(agent)
    publish_news(agent)
    family, _f = family_client(client_for, db)

    def count(client, url):
        with recorded_sql() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = (count(family, "/infos/"), count(family, "/accueil"), count(agent, "/agent/documents/"))
    for n in range(5):
        publish_document(agent, title=f"Menu {n}", category="menus")
        publish_news(agent, title=f"Info {n}")
    assert (count(family, "/infos/"), count(family, "/accueil"), count(agent, "/agent/documents/")) == few
    assert max(few) <= 10, few
