"""Families: « Infos/Documents » (current news and documents) and the downloads, their commune's only."""
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.documents import publishing
from webapp.documents.forms import CATEGORY_LABELS
from webapp.uploads.serving import send_stored

bp = Blueprint("documents", __name__, url_prefix="/infos")
bp.before_request(require_tenant)


@bp.get("/")
@login_required
def page():
    if current_user.family is None:
        abort(404)
    return render_template("documents/infos.html", news=publishing.current_news(db, clock.paris_today()),
                           documents=publishing.current_documents(db, clock.paris_today()), categories=CATEGORY_LABELS)


@bp.get("/documents/<int:document_id>")
@login_required
def download(document_id: int):
    """A document shown today, to a family or an agent of this commune (another commune's id: 404)."""
    found = publishing.shown_document(db, document_id, clock.paris_today())
    if found is None:
        abort(404)
    return send_stored(found[1])
