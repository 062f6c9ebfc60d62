"""« Liste des demandes »: every request of the family and what became of it.

The seeds keep a month; we show the last month by default and the whole history on
request. Planning requests, and the changes asked to the family record (webapp.records).
"""
import datetime as dt

from flask import Blueprint, g, render_template, request
from flask_login import login_required
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.auth.users import signed_in_family
from webapp.db import db
from webapp.families.models import Child
from webapp.ids import parse_id
from webapp.planning.models import DayRequest, Service
from webapp.records.history import change_types, record_changes

bp = Blueprint("requests", __name__)
bp.before_request(require_tenant)

KINDS = ("reservation", "absence")
RECENT = dt.timedelta(days=31)
PAGE_LIMIT = 500


@bp.get("/demandes")
@login_required
def history():
    family = signed_in_family()
    kind = request.args.get("type", "")
    child_id = request.args.get("enfant", "", type=str)
    everything = request.args.get("tout") == "1"
    query = (select(DayRequest, Child, Service)
             .join(Child, Child.id == DayRequest.child_id).join(Service, Service.id == DayRequest.service_id)
             .where(DayRequest.family_id == family.id)
             .order_by(DayRequest.created_at.desc(), DayRequest.id.desc()).limit(PAGE_LIMIT))
    if kind in KINDS:
        query = query.where(DayRequest.kind == kind)
    if parse_id(child_id) is not None:
        query = query.where(DayRequest.child_id == parse_id(child_id))
    if not everything:
        query = query.where(DayRequest.created_at >= clock.utcnow() - RECENT)
    rows = db.execute(query).all() if kind in KINDS or not kind else []
    changes = record_changes(family.id, kind, child_id, None if everything else clock.utcnow() - RECENT)
    motives = {m.code: m.label for m in g.tenant.settings.absence_motives}
    return render_template("requests/list.html", rows=rows, children=family.children, kind=kind,
                           child_id=child_id, everything=everything, motives=motives, changes=changes,
                           change_types=change_types())

