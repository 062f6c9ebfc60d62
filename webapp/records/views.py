"""« Mon compte » and « Mes enfants »: the family reads its record and asks for changes.

Every section is shown read-only (IBAN masked); « Demander une modification » opens it as
a form, and saving creates a change request an agent decides on (webapp.records.changes).
Changing the e-mail or the bank details asks the current password again. Another family's
child or request answers 404, before anything is written.
"""
import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenancy.web import require_tenant
from webapp import clock
from webapp.auth.passwords import verify_password
from webapp.auth.users import own_child, owned, signed_in_family
from webapp.db import db
from webapp.families.models import Child, ChildHealth, Family
from webapp.photos.models import photos_of
from webapp.planning.models import Enrolment, Service
from webapp.records import changes, display
from webapp.records import sections as s
from webapp.records.models import ChangeRequest

bp = Blueprint("records", __name__)
bp.before_request(require_tenant)

CHILD_FORM_SECTIONS = ("child_identity", "authorisations", "complementary", "health", "enrolment")


def _now() -> dt.datetime:
    return clock.utcnow()


def _pending(family: Family) -> dict[tuple[str, int | None], list[ChangeRequest]]:
    """The family's pending requests by (section, child id): one query."""
    found: dict = {}
    for change in db.scalars(select(ChangeRequest).where(ChangeRequest.family_id == family.id,
                                                         ChangeRequest.state == "pending")
                             .order_by(ChangeRequest.created_at, ChangeRequest.id)):
        found.setdefault((change.section, change.child_id), []).append(change)
    return found


def _services() -> dict[int, str]:
    return {service.id: service.name for service in db.scalars(select(Service).order_by(Service.name))}


# --- pages ------------------------------------------------------------------------------------

@bp.get("/mon-compte")
@login_required
def account():
    family = signed_in_family()
    blocks = []
    for code in s.FAMILY_SECTIONS:
        sec = s.section(code)
        values = s.current(sec, changes.target_of(db, sec, family, None))
        blocks.append(dict(section=sec, rows=display.rows(sec, values)))
    return render_template("records/account.html", family=family, blocks=blocks, pending=_pending(family))


@bp.get("/mes-enfants")
@login_required
def children():
    family = signed_in_family()
    kids = list(db.scalars(select(Child).where(Child.family_id == family.id)
                           .options(selectinload(Child.authorised_persons))
                           .order_by(Child.birth_date, Child.id)))
    ids = [child.id for child in kids]
    health = {}
    if ids:
        health = {h.child_id: h for h in db.scalars(select(ChildHealth).where(ChildHealth.child_id.in_(ids)))}
    enrolled: dict[int, list[str]] = {}
    if ids:
        for child_id, name in db.execute(select(Enrolment.child_id, Service.name)
                                         .join(Service, Service.id == Enrolment.service_id)
                                         .where(Enrolment.child_id.in_(ids)).order_by(Service.name)):
            enrolled.setdefault(child_id, []).append(name)
    cards = []
    for child in kids:
        blocks = []
        for code in s.CHILD_SECTIONS:
            sec = s.section(code)
            target = {"child": child, "child_health": health.get(child.id),
                      "authorised_persons": child.authorised_persons}[sec.target]
            values = s.current(sec, target)
            blocks.append(dict(section=sec, rows=display.rows(sec, values) if not sec.is_list else [],
                               persons=values["rows"] if sec.is_list else []))
        cards.append(dict(child=child, blocks=blocks, services=enrolled.get(child.id, [])))
    return render_template("records/children.html", family=family, cards=cards, pending=_pending(family),
                           services_by_id=_services(), photos=photos_of(db, ids))


# --- forms ------------------------------------------------------------------------------------

def _raw_form(sec: s.Section) -> dict:
    raw = request.form.to_dict()
    for field in sec.fields:
        if field.kind == "multichoice":
            raw[field.name] = request.form.getlist(field.name)
    return raw


def _password_needed(sec: s.Section, old: dict, new: dict) -> bool:
    return any(sec.field(name).needs_password for name in s.diff(old, new) if not sec.is_list)


def secret_hints(sec: s.Section, old: dict) -> dict[str, str]:
    """Under an IBAN field left empty: which account is on record, masked."""
    return {f.name: _("Laissez vide pour garder le compte actuel (%(iban)s).", iban=s.mask_iban(old.get(f.name)))
            for f in sec.fields if f.kind == "iban" and old.get(f.name)}


def _form_page(sec: s.Section, values: dict, errors: dict, *, child: Child | None, back: str, status: int = 200,
               alert: str | None = None, old: dict | None = None):
    return render_template("records/section_form.html", section=sec, values=values, errors=errors, child=child,
                           back=back, alert=alert, services=_services() if sec.target == "enrolment" else {},
                           asks_password=any(f.needs_password for f in sec.fields),
                           hints=secret_hints(sec, old or {}), action=request.path), status


def _handle(sec: s.Section, family: Family, child: Child | None, back: str):
    """GET: the prefilled form; POST: check, ask the password when needed, record the request."""
    old = changes.current_values(db, sec, family, child)
    if request.method == "GET":
        return _form_page(sec, s.form_values(sec, old), {}, child=child, back=back, old=old)
    raw = s.keep_unchanged_secrets(sec, _raw_form(sec), old)
    values, errors = s.clean(sec, raw)
    if not errors and _password_needed(sec, old, values) and not verify_password(
            family.password_hash, request.form.get("current_password", "")):
        errors["current_password"] = _("Mot de passe actuel incorrect : il est demandé pour changer le courriel "
                                     "ou les coordonnées bancaires.")
    if errors:
        return _form_page(sec, s.redisplay(sec, raw, errors), errors, child=child, back=back, status=400, old=old,
                          alert=_("Le formulaire contient des erreurs : rien n'a été transmis."))
    try:
        changes.request_change(db, family, sec.code, values, _now(), child=child)
    except changes.NothingChanged as nothing:
        flash(_(nothing.message), "info")
        return redirect(back, 303)
    except changes.ChangeRefused as refused:
        return _form_page(sec, s.form_values(sec, raw), {}, child=child, back=back, status=409, old=old,
                          alert=_(refused.message))
    db.commit()
    flash(_("Votre demande a été transmise à la mairie : elle l'acceptera ou la refusera, "
            "vous verrez sa réponse dans « Liste des demandes »."), "success")
    return redirect(back, 303)


@bp.route("/mon-compte/<code>", methods=["GET", "POST"])
@login_required
def family_section(code: str):
    family = signed_in_family()
    if code not in s.FAMILY_SECTIONS:
        abort(404)
    return _handle(s.section(code), family, None, url_for("records.account"))


@bp.route("/mes-enfants/<int:child_id>/<code>", methods=["GET", "POST"])
@login_required
def child_section(child_id: int, code: str):
    family = signed_in_family()
    child = own_child(child_id)
    if code not in CHILD_FORM_SECTIONS:
        abort(404)
    return _handle(s.section(code), family, child, url_for("records.children"))


@bp.route("/mes-enfants/ajouter", methods=["GET", "POST"])
@login_required
def add_child():
    family = signed_in_family()
    return _handle(s.section("add_child"), family, None, url_for("records.children"))


@bp.post("/mon-compte/demandes/<int:request_id>/retirer")
@login_required
def withdraw(request_id: int):
    family = signed_in_family()
    change = owned(ChangeRequest, request_id)
    try:
        changes.withdraw(db, change, family, _now())
    except changes.ChangeRefused as refused:
        flash(_(refused.message), "error")
    else:
        db.commit()
        flash(_("Votre demande a été retirée."), "success")
    about_children = s.section(change.section).per_child or change.section == "add_child"
    back = "records.children" if about_children else "records.account"
    return redirect(url_for(back), 303)
