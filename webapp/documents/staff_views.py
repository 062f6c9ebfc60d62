"""/agent/documents: agents publish documents and news, change when they are shown, delete them."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.documents import publishing
from webapp.documents.forms import CATEGORY_LABELS, DatesForm, DocumentForm, NewsForm
from webapp.documents.models import Document, NewsItem
from webapp.staff.access import no_store, staff_required
from webapp.uploads import storage
from webapp.uploads.models import StoredFile
from webapp.uploads.serving import commune_folder, send_stored

bp = Blueprint("staff_documents", __name__, url_prefix="/agent/documents")
bp.before_request(require_tenant)
bp.after_request(no_store)


def _page(document_form=None, news_form=None, status=200):
    documents = publishing.all_documents(db)
    news = publishing.all_news(db)
    dates = {("doc", d.id): DatesForm(formdata=None, prefix=f"doc{d.id}", data=dict(show_from=d.show_from.isoformat(),
                                      show_until=d.show_until.isoformat() if d.show_until else ""))
             for d, _f in documents}
    dates.update({("news", n.id): DatesForm(formdata=None, prefix=f"news{n.id}", data=dict(
        show_from=n.show_from.isoformat(), show_until=n.show_until.isoformat() if n.show_until else ""))
        for n in news})
    return render_template("documents/staff.html", documents=documents, news=news, dates=dates,
                           document_form=document_form or DocumentForm(prefix="document"),
                           news_form=news_form or NewsForm(prefix="info"), categories=CATEGORY_LABELS,
                           delete_form=FlaskForm()), status


@bp.get("/")
@staff_required
def manage():
    return _page()


@bp.post("/nouveau")
@staff_required
def add_document():
    form = DocumentForm(prefix="document")
    if not form.validate_on_submit():
        return _page(document_form=form, status=400)
    now = clock.utcnow()
    stored = storage.store(db, commune_folder(), form.file.cleaned, form.file.filename, kind="document", now=now)
    db.flush()
    db.add(Document(title=form.title.data.strip(), category=form.category.data, file_id=stored.id,
                    show_from=form.show_from.day, show_until=form.show_until.day, created_at=now,
                    created_by=current_user.agent.id))
    db.commit()
    flash(_("Le document « %(title)s » est publié.", title=form.title.data.strip()), "success")
    return redirect(url_for("staff_documents.manage"), 303)


@bp.post("/infos/nouvelle")
@staff_required
def add_news():
    form = NewsForm(prefix="info")
    if not form.validate_on_submit():
        return _page(news_form=form, status=400)
    db.add(NewsItem(title=form.title.data.strip(), body=form.body.data.strip(), show_from=form.show_from.day,
                    show_until=form.show_until.day, created_at=clock.utcnow(), created_by=current_user.agent.id))
    db.commit()
    flash(_("L'information « %(title)s » est publiée.", title=form.title.data.strip()), "success")
    return redirect(url_for("staff_documents.manage"), 303)


def _object_or_404(kind: str, object_id: int):
    found = db.get(Document if kind == "doc" else NewsItem, object_id)
    if found is None:
        abort(404)
    return found


@bp.post("/doc/<int:object_id>/dates", defaults={"kind": "doc"})
@bp.post("/news/<int:object_id>/dates", defaults={"kind": "news"})
@staff_required
def change_dates(kind: str, object_id: int):
    item = _object_or_404(kind, object_id)
    form = DatesForm(prefix=f"{kind}{object_id}")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("staff_documents.manage"), 303)
    item.show_from, item.show_until = form.show_from.day, form.show_until.day
    db.commit()
    flash(_("Les dates d'affichage de « %(title)s » sont enregistrées.", title=item.title), "success")
    return redirect(url_for("staff_documents.manage"), 303)


@bp.post("/doc/<int:object_id>/supprimer", defaults={"kind": "doc"})
@bp.post("/news/<int:object_id>/supprimer", defaults={"kind": "news"})
@staff_required
def delete(kind: str, object_id: int):
    item = _object_or_404(kind, object_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    title = item.title
    if kind == "doc":
        stored_name = publishing.delete_document(db, item)
        db.commit()
        storage.discard(commune_folder(), [stored_name] if stored_name else [])
    else:
        db.delete(item)
        db.commit()
    flash(_("« %(title)s » est supprimé.", title=title), "success")
    return redirect(url_for("staff_documents.manage"), 303)


@bp.get("/doc/<int:document_id>/fichier")
@staff_required
def file(document_id: int):
    document = _object_or_404("doc", document_id)
    return send_stored(db.get(StoredFile, document.file_id))
