"""The agents' side of the family record: the queue of change requests and the « fiche famille ».

Every page needs an agent of this commune with the second factor done (`staff_required`).
Sensitive sections (health, bank, fiscal, CAF) stay collapsed: « Afficher » loads them and
journals the read (who, which family/child, which section — never a value). Agents' edits
go through webapp.records.changes.apply_directly, journaled too.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.families.models import Child, ChildHealth, Family
from webapp.ids import parse_ids
from webapp.photos.models import photos_of
from webapp.planning.models import Enrolment, Service
from webapp.records import changes, display, notify
from webapp.records import sections as s
from webapp.records.models import ChangeRequest
from webapp.records.views import secret_hints
from webapp.staff.access import no_store, staff_required

bp = Blueprint("records_staff", __name__, url_prefix="/agent")
bp.before_request(require_tenant)
bp.after_request(no_store)

QUEUE_LIMIT = 500


def _agent_id() -> int:
    return current_user.agent.id


def _services() -> dict[int, str]:
    return {service.id: service.name for service in db.scalars(select(Service).order_by(Service.name))}


# --- the queue --------------------------------------------------------------------------------

def _queue_rows(code: str):
    query = (select(ChangeRequest, Family, Child)
             .join(Family, Family.id == ChangeRequest.family_id)
             .outerjoin(Child, Child.id == ChangeRequest.child_id)
             .where(ChangeRequest.state == "pending")
             .order_by(ChangeRequest.created_at, ChangeRequest.id).limit(QUEUE_LIMIT))
    if code in s.SECTIONS:
        query = query.where(ChangeRequest.section == code)
    return db.execute(query).all()


def _queue_page(code: str, errors: list[str], status: int = 200, reason: str = ""):
    services = _services()
    items = []
    for change, family, child in _queue_rows(code):
        sec = s.section(change.section)
        items.append(dict(change=change, family=family, child=child, section=sec,
                          lines=[] if sec.sensitive else display.changes(sec, change.old_values, change.new_values,
                                                                           services)))
    return render_template("records/staff_queue.html", items=items, code=code, sections=s.SECTIONS,
                           errors=errors, reason=reason), status


@bp.get("/modifications")
@staff_required()
def queue():
    return _queue_page(request.args.get("rubrique", ""), [])


@bp.get("/modifications/<int:request_id>")
@staff_required()
def change_detail(request_id: int):
    """One request with its values: for the sensitive ones, opening it is a journaled read."""
    change = db.get(ChangeRequest, request_id)
    if change is None:
        abort(404)
    sec = s.section(change.section)
    family = db.get(Family, change.family_id)
    child = db.get(Child, change.child_id) if change.child_id else None
    if sec.sensitive:
        changes.log_read(db, _agent_id(), change.family_id, change.child_id, change.section, clock.utcnow())
        db.commit()
    lines = display.changes(sec, change.old_values, change.new_values, _services())
    return render_template("records/staff_change.html", change=change, family=family, child=child, section=sec,
                           lines=lines)


@bp.post("/modifications/decision")
@staff_required()
def decide():
    code = request.form.get("rubrique", "")
    raw_ids = request.form.getlist("demande")
    ids = sorted(parse_ids(raw_ids))
    action = request.form.get("decision", "")
    reason = (request.form.get("raison") or "").strip()[:300]
    if action not in ("accepter", "refuser"):
        return _queue_page(code, [_("Choisissez « Accepter » ou « Refuser ».")], 400, reason)
    if not ids:
        return _queue_page(code, [_("Cochez au moins une demande.")], 400, reason)
    if action == "refuser" and not reason:
        return _queue_page(code, [_("Pour refuser, indiquez la raison : elle est transmise à la famille.")], 400,
                           reason)
    now = clock.utcnow()
    rows = db.execute(select(ChangeRequest, Family, Child).join(Family, Family.id == ChangeRequest.family_id)
                      .outerjoin(Child, Child.id == ChangeRequest.child_id)
                      .where(ChangeRequest.id.in_(ids)).order_by(ChangeRequest.id)).all()
    done, problems, mails = 0, [], 0
    for change, family, child in rows:
        try:
            with db.begin_nested():  # one request that cannot be applied leaves the others alone
                if action == "accepter":
                    changes.accept(db, change, _agent_id(), now)
                else:
                    changes.refuse(db, change, _agent_id(), reason, now)
        except changes.ChangeRefused as refused:
            who = f"{family.number} – {_(s.section(change.section).label)}"
            problems.append(f"{who} : {_(refused.message)}")
            continue
        done += 1
        mails += notify.queue_decision_mail(db, g.tenant, change, family, child, now)
    db.commit()
    if done:
        flash(ngettext("%(num)d demande traitée.", "%(num)d demandes traitées.", done), "success")
    for problem in problems:
        flash(problem, "error")
    if mails:
        flash(ngettext("%(num)d famille prévenue par courriel.", "%(num)d familles prévenues par courriel.", mails),
              "info")
    return redirect(url_for("records_staff.queue", rubrique=code or None), 303)


# --- the fiche famille ------------------------------------------------------------------------

def _family_or_404(family_id: int) -> Family:
    family = db.get(Family, family_id)
    if family is None:
        abort(404)
    return family


def _child_or_404(family: Family, child_id: int) -> Child:
    child = db.get(Child, child_id)
    if child is None or child.family_id != family.id:
        abort(404)
    return child


@bp.get("/familles/<int:family_id>")
@staff_required()
def family(family_id: int):
    """Every section of the family and its children; sensitive ones only on « Afficher » (journaled)."""
    fam = _family_or_404(family_id)
    shown_code = request.args.get("afficher", "")
    shown_child = request.args.get("enfant", "", type=str)
    kids = list(db.scalars(select(Child).where(Child.family_id == fam.id)
                           .options(selectinload(Child.authorised_persons)).order_by(Child.birth_date, Child.id)))
    now = clock.utcnow()
    opened = None
    if shown_code in s.SENSITIVE_SECTIONS:
        child = next((k for k in kids if str(k.id) == shown_child), None)
        if s.section(shown_code).per_child and child is None:
            abort(404)
        opened = (shown_code, child.id if child and s.section(shown_code).per_child else None)
        changes.log_read(db, _agent_id(), fam.id, opened[1], shown_code, now)
        db.commit()
    family_blocks = []
    for code in s.FAMILY_SECTIONS:
        sec = s.section(code)
        visible = not sec.sensitive or opened == (code, None)
        rows = display.rows(sec, s.current(sec, changes.target_of(db, sec, fam, None))) if visible else None
        family_blocks.append(dict(section=sec, rows=rows, hidden=not visible))
    health = {}
    if opened and opened[0] == "health":
        health = {h.child_id: h for h in db.scalars(select(ChildHealth).where(ChildHealth.child_id == opened[1]))}
    enrolled: dict[int, list[str]] = {}
    if kids:
        for child_id, name in db.execute(select(Enrolment.child_id, Service.name)
                                         .join(Service, Service.id == Enrolment.service_id)
                                         .where(Enrolment.child_id.in_([k.id for k in kids])).order_by(Service.name)):
            enrolled.setdefault(child_id, []).append(name)
    cards = []
    for kid in kids:
        blocks = []
        for code in s.CHILD_SECTIONS:
            sec = s.section(code)
            visible = not sec.sensitive or opened == (code, kid.id)
            target = {"child": kid, "child_health": health.get(kid.id),
                      "authorised_persons": kid.authorised_persons}[sec.target]
            values = s.current(sec, target) if visible else None
            blocks.append(dict(section=sec, rows=display.rows(sec, values) if visible and not sec.is_list else None,
                               persons=values["rows"] if visible and sec.is_list else [], hidden=not visible))
        cards.append(dict(child=kid, blocks=blocks, services=enrolled.get(kid.id, [])))
    pending = [dict(change=change, label=_(s.section(change.section).filter_label))
               for change in db.scalars(select(ChangeRequest).where(ChangeRequest.family_id == fam.id,
                                                                    ChangeRequest.state == "pending")
                                        .order_by(ChangeRequest.created_at, ChangeRequest.id))]
    names = {kid.id: kid.first_name for kid in kids}
    return render_template("records/staff_family.html", family=fam, family_blocks=family_blocks, cards=cards,
                           pending=pending, names=names, photos=photos_of(db, list(names)))


def _edit(fam: Family, child: Child | None, code: str):
    if code not in s.SECTIONS or s.section(code).target in ("new_child", "enrolment"):
        abort(404)
    sec = s.section(code)
    if sec.per_child != (child is not None):
        abort(404)
    back = url_for("records_staff.family", family_id=fam.id)
    now = clock.utcnow()
    if request.method == "GET" and sec.sensitive:
        changes.log_read(db, _agent_id(), fam.id, child.id if child else None, code, now)
        db.commit()
    old = changes.current_values(db, sec, fam, child)
    if request.method == "GET":
        return render_template("records/section_form.html", section=sec, values=s.form_values(sec, old), errors={},
                               child=child, back=back, alert=None, services={}, asks_password=False,
                               hints=secret_hints(sec, old), action=request.path)
    raw = request.form.to_dict()
    for field in sec.fields:
        if field.kind == "multichoice":
            raw[field.name] = request.form.getlist(field.name)
    raw = s.keep_unchanged_secrets(sec, raw, old)
    values, errors = s.clean(sec, raw)
    if errors:
        return render_template("records/section_form.html", section=sec, values=s.redisplay(sec, raw, errors),
                               errors=errors, child=child,
                               back=back, alert=_("Le formulaire contient des erreurs : rien n'a été enregistré."),
                               services={}, asks_password=False, hints=secret_hints(sec, old),
                               action=request.path), 400
    try:
        changed = changes.apply_directly(db, fam, code, values, _agent_id(), now, child=child)
    except changes.ChangeRefused as refused:
        flash(_(refused.message), "error")
        return redirect(back, 303)
    db.commit()
    if changed:
        flash(_("Modification enregistrée."), "success")
    else:
        flash(_("Aucune valeur n'a changé."), "info")
    return redirect(back, 303)


@bp.route("/familles/<int:family_id>/modifier/<code>", methods=["GET", "POST"])
@staff_required()
def edit_family_section(family_id: int, code: str):
    return _edit(_family_or_404(family_id), None, code)


@bp.route("/familles/<int:family_id>/enfants/<int:child_id>/modifier/<code>", methods=["GET", "POST"])
@staff_required()
def edit_child_section(family_id: int, child_id: int, code: str):
    fam = _family_or_404(family_id)
    return _edit(fam, _child_or_404(fam, child_id), code)
