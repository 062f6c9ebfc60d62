"""« Liste des demandes »: every request of the family and what became of it.

The seeds keep a month; we show the last month by default and the whole history on
request. Planning requests today; record changes join them with the family issue.
"""
import datetime as dt

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.families.models import Child
from webapp.planning.models import DayRequest, Service

bp = Blueprint("requests", __name__)
bp.before_request(require_tenant)

KINDS = ("reservation", "absence")
RECENT = dt.timedelta(days=31)
PAGE_LIMIT = 500


@bp.get("/demandes")
@login_required
def history():
    family = current_user.family
    if family is None:
        abort(404)
    kind = request.args.get("type", "")
    child_id = request.args.get("enfant", "", type=str)
    everything = request.args.get("tout") == "1"
    query = (select(DayRequest, Child, Service)
             .join(Child, Child.id == DayRequest.child_id).join(Service, Service.id == DayRequest.service_id)
             .where(DayRequest.family_id == family.id)
             .order_by(DayRequest.created_at.desc(), DayRequest.id.desc()).limit(PAGE_LIMIT))
    if kind in KINDS:
        query = query.where(DayRequest.kind == kind)
    if child_id.isdigit():
        query = query.where(DayRequest.child_id == int(child_id))
    if not everything:
        query = query.where(DayRequest.created_at >= clock.utcnow() - RECENT)
    rows = db.execute(query).all()
    motives = {m.code: m.label for m in g.tenant.settings.absence_motives}
    return render_template("requests/list.html", rows=rows, children=family.children, kind=kind,
                           child_id=child_id, everything=everything, motives=motives)

