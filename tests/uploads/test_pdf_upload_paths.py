"""Issue 15, point 1, over the web: every way a PDF comes in stores the rebuilt file, never the bytes sent."""
import pytest
from sqlalchemy import select

import tests.web.test_staff as staff_tests
from tests.uploads import hostile_pdfs, pdf_walk
from tests.web.test_documents import publish_document
from tests.web.test_messages import agent_client, family_client, messages, reply, send
from webapp.documents.models import Document
from webapp.uploads.models import StoredFile


@pytest.fixture(autouse=True)
def _agent_codes_follow_the_clock(clock, monkeypatch):
    monkeypatch.setattr(staff_tests, "CLOCK", clock)


def test_a_family_and_an_agent_attach_a_hostile_pdf_and_the_other_side_gets_an_inert_one(client_for, tenant_db):
    db = tenant_db("alpha")
    family, _ = family_client(client_for, db)
    hostile = hostile_pdfs.with_document_and_page_aa("GoToE")
    assert send(family, attachment=("certificat.pdf", hostile)).status_code == 303
    [first] = messages(db)
    agent = agent_client(client_for, db)
    received = agent.get(f"/agent/messages/{first.id}/piece-jointe")
    assert received.status_code == 200 and received.data != hostile
    pdf_walk.assert_inert(received.data)
    assert "Certificat de scolarit" in pdf_walk.text(received.data)

    answer = reply(agent, f"/agent/messages/{first.id}", body="Voici le formulaire.",
                   attachment=("formulaire.pdf", hostile_pdfs.with_annotations()))
    assert answer.status_code == 303
    sent_back = [m for m in messages(db) if m.attachment_id and m.id != first.id]
    assert sent_back
    stored = db.get(StoredFile, sent_back[0].attachment_id)
    data = family.get(f"/messages/{sent_back[0].id}/piece-jointe").data
    assert stored.size == len(data)
    pdf_walk.assert_inert(data)


def test_a_published_document_is_the_rebuilt_pdf(client_for, tenant_db):
    db = tenant_db("alpha")
    agent = agent_client(client_for, db)
    assert publish_document(agent, data=hostile_pdfs.with_names_and_attachment()).status_code == 303
    [document] = db.scalars(select(Document)).all()
    stored = db.get(StoredFile, document.file_id)
    assert stored.content_type == "application/pdf"
    data = agent.get(f"/agent/documents/doc/{document.id}/fichier").data
    pdf_walk.assert_inert(data)


def test_a_password_protected_pdf_is_refused_with_a_french_sentence(client_for, tenant_db):
    import io

    import pikepdf

    db = tenant_db("alpha")
    family, _ = family_client(client_for, db)
    out = io.BytesIO()
    hostile_pdfs.base().save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    answer = send(family, attachment=("bulletin.pdf", out.getvalue()))
    assert answer.status_code == 400 and "protégé par un mot de passe" in answer.get_data(as_text=True)
    assert messages(db) == [] and db.scalars(select(StoredFile)).all() == []
