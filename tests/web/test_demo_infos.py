"""The demo's news item, règlement intérieur (a real PDF) and thread for family 100100."""
from sqlalchemy import select

from tests.factories import make_family
from webapp.demo.infos import load, rules_pdf
from webapp.documents.models import Document, NewsItem
from webapp.messages.models import Message
from webapp.uploads import checks


def test_the_rules_pdf_passes_the_upload_checks():
    assert checks.clean(rules_pdf()).content_type == "application/pdf"


def test_demo_infos_and_thread_are_loaded_once(app, tenant_db, tmp_path, clock):
    db = tenant_db("alpha")
    make_family(db, number="100100")
    tenant = app.extensions["tenancy"].registry.get("alpha")
    today = clock.now.date()
    assert load(db, tenant, tmp_path, today) is True
    assert load(db, tenant, tmp_path, today) is False
    assert len(db.scalars(select(NewsItem)).all()) == 1 and len(db.scalars(select(Document)).all()) == 1
    question, answer = db.scalars(select(Message).order_by(Message.id)).all()
    assert question.from_family and answer.thread_id == question.id and not answer.from_family
    assert [p.suffix for p in tmp_path.iterdir()] == [".pdf"]
