"""The family's side: « Télécharger mes données » and « Imprimer la fiche enfant ».

Only the signed-in family's own data: another family's child, an agent's session or an
anonymous visitor gets a 404 (the sign-in page for anonymous visitors).
"""
import json

from flask import Blueprint, Response, render_template, request
from flask_login import login_required
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.audit.models import record
from webapp.auth.users import own_child, signed_in_family
from webapp.db import db
from webapp.families.models import Child, ChildHealth
from webapp.family_admin import export, pdfs
from webapp.pdf import pdf_response
from webapp.staff.access import no_store

bp = Blueprint("family_data", __name__)
bp.before_request(require_tenant)
bp.after_request(no_store)


def _journal(event: str, family, now) -> None:
    """Who downloaded what, never a value."""
    record(db, event, now=now, account_kind="family", account_id=family.id, identifier=f"family:{family.id}",
           ip=request.remote_addr or "")


@bp.get("/mon-compte/mes-donnees")
@login_required
def my_data():
    return render_template("family_admin/my_data.html", family=signed_in_family())


@bp.get("/mon-compte/mes-donnees.json")
@login_required
def my_data_json():
    family = signed_in_family()
    now = clock.utcnow()
    data = export.family_data(db, family.id, now)
    _journal("family.data_export_json", family, now)
    db.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="mes-donnees-{family.number}.json"'
    return response


@bp.get("/mon-compte/mes-donnees.pdf")
@login_required
def my_data_pdf():
    family = signed_in_family()
    now = clock.utcnow()
    data = export.family_data(db, family.id, now)
    children = db.scalars(select(Child).where(Child.family_id == family.id).order_by(Child.birth_date,
                                                                                     Child.id)).all()
    health = {h.child_id: h for h in db.scalars(select(ChildHealth).where(
        ChildHealth.child_id.in_([c.id for c in children])))}
    doc = pdfs.export_pdf(family, children, health, data)
    _journal("family.data_export_pdf", family, now)
    db.commit()
    return pdf_response(doc, f"mes-donnees-{family.number}.pdf")


@bp.get("/enfants/<int:child_id>/fiche.pdf")
@login_required
def child_record(child_id: int):
    """« Imprimer la fiche enfant », simple or complete (`?version=complete`), own children only."""
    child = own_child(child_id)
    complete = request.args.get("version") == "complete"
    health = db.scalar(select(ChildHealth).where(ChildHealth.child_id == child.id)) if complete else None
    doc = pdfs.child_record_pdf(child, health, complete, clock.utcnow())
    name = "fiche-enfant-complete" if complete else "fiche-enfant"
    return pdf_response(doc, f"{name}-{child.id}.pdf")
