"""What a family does on its planning (POST): reserve, declare an absence, withdraw a request.

Cells arrive as "childId:serviceId:YYYY-MM-DD" and are parsed strictly
(webapp.planning.forms); a child of another family answers 404 for the whole request,
before anything is written. The rules live in webapp.planning.booking: the server
applies them again on every POST, whatever the page showed.
"""
import datetime as dt

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy import select

from webapp.auth.users import own_child, signed_in_family
from webapp.db import db
from webapp.families.models import Child
from webapp.planning import booking
from webapp.planning.family_common import REASONS, STATE_LABELS, load_planning, month_or_current, now
from webapp.planning.family_pages import month_page
from webapp.planning.forms import AbsenceForm, BadCells, ReserveForm, WithdrawForm
from webapp.planning.models import DayRequest
from webapp.planning.rules import Cell
from webapp.planning.family_blueprint import bp


@bp.errorhandler(BadCells)
def _bad_cells(_error):
    return render_template("errors/error.html", code=400, title=_("Requête invalide"), text=_(
        "Un des jours envoyés n'existe pas dans votre planning. Rechargez la page et réessayez.")), 400


def _back(form) -> tuple[dt.date, Child | None]:
    """The month and the child page the form came from (a child of another family: 404)."""
    family = signed_in_family()
    child_id = form.child_id
    return month_or_current(form.mois.data), own_child(child_id) if child_id is not None else None


def back_url(month: dt.date, child: Child | None) -> str:
    mois = f"{month.year:04d}-{month.month:02d}"
    if child is not None:
        return url_for("planning.child_month", child_id=child.id, mois=mois)
    return url_for("planning.family_month", mois=mois)


def _family_requests(family, request_ids: list[int]) -> list[DayRequest]:
    """The requests behind ticked pending cells; one of another family answers 404."""
    if not request_ids:
        return []
    found = list(db.scalars(select(DayRequest).where(DayRequest.id.in_(request_ids))))
    if len(found) != len(request_ids) or any(r.family_id != family.id for r in found):
        abort(404)
    return found


def _load_for(family, cells: list[Cell], requests: list[DayRequest]) -> booking.FamilyPlanning:
    """The planning over the days asked; a child that is not this family's answers 404."""
    days = [c.day for c in cells] + [r.day for r in requests]
    planning = load_planning(family.id, min(days), max(days))
    mine = {c.id for c in planning.children}
    if any(c.child_id not in mine for c in cells):
        abort(404)
    return planning


def _invalid(form, family, month: dt.date, child: Child | None):
    """Nothing ticked, no motive…: the same month again, the selection kept, the errors said."""
    errors = [str(e) for errors in form.errors.values() for e in errors]
    absence_form = form if isinstance(form, AbsenceForm) else AbsenceForm(
        motives=g.tenant.settings.absence_motives, formdata=None)
    return month_page(family, month, child.id if child else None, form=absence_form, status=400, errors=errors,
                      selected={c.key() for c in form.cases.data or ()},
                      selected_requests=set(form.demande.data or ()))


def counts(outcomes: list[booking.Outcome]) -> tuple[int, int]:
    return sum(o.status == "accepted" for o in outcomes), sum(o.status == "pending" for o in outcomes)


def summary_lines(planning: booking.FamilyPlanning, outcomes: list[booking.Outcome]) -> dict:
    """Accepted, pending and refused days, each refusal with its sentence."""
    lines = dict(accepted=[], pending=[], refused=[])
    for outcome in sorted(outcomes, key=lambda o: (o.cell.day, o.cell.child_id, o.cell.service_id)):
        cell = outcome.cell
        child = planning.child(cell.child_id)
        service = planning.services.get(cell.service_id)
        text = ""
        if outcome.status == "refused":
            if outcome.reason == "deadline":
                text = outcome.detail
            elif outcome.reason == "state":
                text = _("%(reason)s (%(state)s)", reason=REASONS["state"], state=STATE_LABELS[planning.state(cell)])
            else:
                text = str(REASONS.get(outcome.reason, REASONS["state"]))
        lines[outcome.status].append(dict(child=child.first_name if child else "",
                                          service=service.name if service else "", day=cell.day, text=text))
    return lines


def messages(kind: str, accepted: int, pending: int) -> list[str]:
    found = []
    if kind == "reservation":
        if accepted:
            found.append(ngettext("%(num)d jour réservé.", "%(num)d jours réservés.", accepted))
        if pending:
            found.append(ngettext("%(num)d demande de réservation envoyée : la mairie va la traiter.",
                                  "%(num)d demandes de réservation envoyées : la mairie va les traiter.", pending))
    elif kind == "absence":
        if accepted:
            found.append(ngettext("%(num)d absence enregistrée.", "%(num)d absences enregistrées.", accepted))
        if pending:
            found.append(ngettext("%(num)d déclaration d'absence envoyée : la mairie va la traiter.",
                                  "%(num)d déclarations d'absence envoyées : la mairie va les traiter.", pending))
    elif accepted:
        found.append(ngettext("%(num)d demande retirée.", "%(num)d demandes retirées.", accepted))
    return found


def _finish(planning, outcomes, kind: str, month: dt.date, child: Child | None, title: str):
    """Commit, then back to the month with a short message, or a page listing what was refused."""
    db.commit()
    said = messages(kind, *counts(outcomes))
    if not any(o.status == "refused" for o in outcomes):
        for message in said:
            flash(message, "success")
        if not said:
            flash(_("Aucun changement : ces demandes étaient déjà traitées."), "info")
        return redirect(back_url(month, child), 303)
    return render_template("planning/summary.html", title=title, lines=summary_lines(planning, outcomes),
                           messages=said, kind=kind, back=back_url(month, child), month=month, child=child)


def _not_for(cells: list[Cell]) -> list[booking.Outcome]:
    """Ticked cells the action is not for (a pending cell with « Réserver »…): refused, and said so."""
    return [booking.Outcome(cell, "refused", "state") for cell in cells]


def _cell_of(row: DayRequest) -> Cell:
    return Cell(row.child_id, row.service_id, row.day)


@bp.post("/planning/reserver")
@login_required
def reserve():
    family = signed_in_family()
    form = ReserveForm()
    month, child = _back(form)
    if not form.validate_on_submit():
        return _invalid(form, family, month, child)
    requests = _family_requests(family, form.demande.data)
    planning = _load_for(family, form.cases.data, requests)
    outcomes = booking.request_reservations(db, planning, family.id, form.cases.data, now())
    outcomes += _not_for([_cell_of(r) for r in requests])
    return _finish(planning, outcomes, "reservation", month, child, _("Demande de réservation"))


@bp.post("/planning/absence")
@login_required
def absence():
    family = signed_in_family()
    form = AbsenceForm(motives=g.tenant.settings.absence_motives)
    month, child = _back(form)
    if not form.validate_on_submit():
        return _invalid(form, family, month, child)
    requests = _family_requests(family, form.demande.data)
    planning = _load_for(family, form.cases.data, requests)
    outcomes = booking.declare_absences(db, planning, family.id, form.cases.data, form.motif.data,
                                        (form.commentaire.data or "").strip(), now())
    outcomes += _not_for([_cell_of(r) for r in requests])
    return _finish(planning, outcomes, "absence", month, child, _("Déclaration d'absence"))


@bp.post("/planning/retirer")
@login_required
def withdraw():
    family = signed_in_family()
    form = WithdrawForm()
    month, child = _back(form)
    if not form.validate_on_submit():
        return _invalid(form, family, month, child)
    requests = _family_requests(family, form.demande.data)
    planning = _load_for(family, form.cases.data, requests)
    # A request withdrawn meanwhile (another tab, a double click) gets no outcome: already done.
    outcomes = booking.withdraw(db, planning, family.id, form.demande.data, now())
    outcomes += _not_for(form.cases.data)
    return _finish(planning, outcomes, "withdraw", month, child, _("Retrait de demandes"))
