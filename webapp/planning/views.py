"""The family's planning: a month grid per child, reservations, absences, withdrawals, « Régulier ».

Every page is the signed-in family's (an agent's session gets 404). Cells arrive as
"childId:serviceId:YYYY-MM-DD" and are parsed strictly (webapp.planning.forms); a child
of another family answers 404 for the whole request, before anything is written. The
rules themselves live in webapp.planning.booking: the grid shows what they say and the
server applies them again on every POST.
"""
import calendar as monthcal
import datetime as dt
from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.families.models import Child
from webapp.i18n import long_day
from webapp.planning import booking, deadlines
from webapp.planning.forms import (PATTERN_HORIZON, AbsenceForm, BadCells, PatternForm, ReserveForm, WithdrawForm,
                                   parse_month)
from webapp.planning.grid_html import CellRenderer
from webapp.planning.phrases import deadline_phrases, locale_name
from webapp.planning.models import DayRequest
from webapp.planning.rules import ABSENCE_POSSIBLE, BOOKABLE, STATES, WITHDRAWABLE, Cell

bp = Blueprint("planning", __name__)
bp.before_request(require_tenant)

# Legend and cells: an icon and a short text on screen, the full label for everyone (never colour alone).
STATE_LABELS = {
    "reserved": _l("Réservé"),
    "regular": _l("Régulier"),
    "pending_reservation": _l("Demande en attente (réservation en cours de traitement)"),
    "refused_reservation": _l("Réservation refusée"),
    "pending_absence": _l("Absence en cours de traitement"),
    "absent_excused": _l("Absent excusé"),
    "absent_billed": _l("Absent facturé"),
    "present": _l("Présent"),
    "absent": _l("Absent (non prévenu)"),
    "closed": _l("Fermeture"),
    "public_holiday": _l("Jour férié"),
    "small_holidays": _l("Petites vacances"),
    "summer_holidays": _l("Grandes vacances"),
    "not_enrolled": _l("Non inscrit"),
    "free": _l("Libre"),
    "not_running": _l("Pas de service ce jour-là"),
}
STATE_ICONS = {
    "reserved": "✓", "regular": "↻", "pending_reservation": "◔", "refused_reservation": "✗",
    "pending_absence": "◷", "absent_excused": "⊘", "absent_billed": "€", "present": "●",
    "absent": "⊖", "closed": "⊗", "public_holiday": "F",
    "small_holidays": "P", "summer_holidays": "G", "not_enrolled": "–", "free": "○", "not_running": "·",
}
STATE_SHORT = {
    "reserved": _l("Rés."), "regular": _l("Rég."), "pending_reservation": _l("Att."),
    "refused_reservation": _l("Ref."), "pending_absence": _l("Abs.?"), "absent_excused": _l("Exc."),
    "absent_billed": _l("Fac."), "present": _l("Prés."), "absent": _l("Non prév."), "closed": _l("Ferm."),
    "public_holiday": _l("Férié"),
    "small_holidays": _l("Vac."), "summer_holidays": _l("Vac."), "not_enrolled": _l("N.I."),
    "free": _l("Libre"), "not_running": "",
}
LATE = {"label": _l("Hors délai"), "icon": "⚠", "short": _l("H.D.")}
REASONS = {
    "not_enrolled": _l("Non inscrit à ce service ce jour-là"),
    "not_running": _l("Le service ne fonctionne pas ce jour-là"),
    "closed": _l("Service fermé ce jour-là (fermeture ou vacances)"),
    "state": _l("Cette case ne permet pas cette demande"),
    "motive": _l("Motif inconnu"),
}
WEEKDAY_SHORT = (_l("Lu"), _l("Ma"), _l("Me"), _l("Je"), _l("Ve"), _l("Sa"), _l("Di"))


def _legend() -> list[dict]:
    items = [dict(state=s, label=STATE_LABELS[s], icon=STATE_ICONS[s], short=STATE_SHORT[s]) for s in STATES]
    return items + [dict(state="late", **LATE)]


# --- who and when -------------------------------------------------------------------------
def _family():
    """The signed-in family; an agent (or anyone else) has no planning here."""
    family = getattr(current_user, "family", None)
    if family is None:
        abort(404)
    return family


def _now() -> dt.datetime:
    return clock.utcnow()


def _today() -> dt.date:
    return _now().astimezone(clock.PARIS).date()


def _month_or_current(value: str | None) -> dt.date:
    return parse_month(value) or _today().replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=monthcal.monthrange(month.year, month.month)[1])


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- the grid -----------------------------------------------------------------------------
@dataclass
class GridCell:
    key: str
    day: dt.date
    state: str
    action: str | None = None  # "reservation", "absence" or "withdraw": what ticking it is for
    late: bool = False  # the deadline of that action is passed (« Hors délai »)
    request_id: int | None = None  # the pending request a withdrawal takes back
    label: str = ""  # the full sentence a screen reader gives
    html: str = ""  # the <td>, rendered by grid_html.CellRenderer

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class GridRow:
    service: object
    cells: list[GridCell]
    html: str = ""  # the row's cells, joined once


@dataclass
class ChildBlock:
    child: Child
    rows: list[GridRow] = field(default_factory=list)


def _pending_request(planning: booking.FamilyPlanning, cell: Cell) -> DayRequest | None:
    found = [r for r in planning.requests.get((cell.child_id, cell.service_id, cell.day), ()) if r.state == "pending"]
    return found[-1] if found else None


def _grid_cell(planning, cell: Cell, now: dt.datetime, today: dt.date, late_motive: bool) -> GridCell:
    """One cell: its state, what it may be ticked for and whether that is past its deadline.

    The deadline is checked once per cell, for the one action the cell allows.
    """
    state = planning.state(cell)
    item = GridCell(cell.key(), cell.day, state)
    if item.weekend:
        pass  # visible, never interactive
    elif state in BOOKABLE:
        item.late = planning.is_late(cell, "reservation", now)
        item.action = None if item.late else "reservation"
    elif state in ABSENCE_POSSIBLE:
        item.late = planning.is_late(cell, "absence", now)
        # Late, an absence is still accepted with a motive that allows it (illness…), until the day.
        item.action = "absence" if not item.late or (late_motive and cell.day >= today) else None
    elif state in WITHDRAWABLE:
        pending = _pending_request(planning, cell)
        if pending is not None:
            item.late = planning.is_late(cell, pending.kind, now)
            item.request_id = pending.id
            item.action = None if item.late else "withdraw"
    return item


def _renderer(days: list[dt.date], selected: set[str], selected_requests: set[int]) -> CellRenderer:
    """Every text of the grid translated once for this request."""
    return CellRenderer(
        icons=STATE_ICONS, shorts={s: str(short) for s, short in STATE_SHORT.items()},
        state_texts={s: str(label).lower() for s, label in STATE_LABELS.items()},
        late_icon=LATE["icon"], late_short=str(LATE["short"]), late_text=_("%(state)s, hors délai"),
        label_with_child=_("%(child)s, %(service)s, %(day)s : %(state)s"),
        label=_("%(service)s, %(day)s : %(state)s"), day_names={day: long_day(day) for day in days},
        selected=selected, selected_requests=selected_requests)


def _blocks(planning: booking.FamilyPlanning, days: list[dt.date], several: bool,
            renderer: CellRenderer) -> list[ChildBlock]:
    now, today = _now(), _today()
    late_motive = any(m.late_allowed for m in planning.settings.absence_motives)
    blocks = []
    for child in planning.children:
        block = ChildBlock(child)
        name = child.first_name if several else ""
        for service in planning.rows.get(child.id, ()):
            cells = []
            for day in days:
                item = _grid_cell(planning, Cell(child.id, service.id, day), now, today, late_motive)
                item.label = renderer.accessible_label(item, service.name, name)
                item.html = renderer.render(item, service.name, name)
                cells.append(item)
            block.rows.append(GridRow(service, cells, Markup("".join(c.html for c in cells))))
        blocks.append(block)
    return blocks


def _planning(family_id: int, start: dt.date, end: dt.date, child_ids: list[int] | None = None):
    """The family's planning over a period, its sentences in the visitor's language."""
    planning = booking.FamilyPlanning.load(db, g.tenant.settings, family_id, start, end, child_ids=child_ids)
    planning.locale, planning.phrases = locale_name(), deadline_phrases()
    return planning


def _deadline_rules(settings, services) -> list[dict]:
    """What the page says about the deadlines: the commune's rules, then services with their own."""
    phrases = deadline_phrases()
    def describe(reservation, absence, mode):
        return dict(reservation=deadlines.describe(reservation, locale_name(), phrases),
                    absence=deadlines.describe(absence, locale_name(), phrases),
                    reservation_table=_table(reservation), absence_table=_table(absence),
                    same=reservation == absence, automatic=mode == "automatic")

    found = [dict(name=None, **describe(settings.reservation_deadline, settings.absence_deadline,
                                       settings.validation_mode))]
    for service in services:
        rules = settings.rules_for(service.code)
        if rules != (settings.reservation_deadline, settings.absence_deadline, settings.validation_mode):
            found.append(dict(name=service.name, **describe(*rules)))
    return found


def _table(rule) -> list:
    if getattr(rule, "kind", None) != "rolling":
        return []
    return deadlines.weekday_table(rule, locale_name(), deadline_phrases())


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _month_page(family, month: dt.date, child_id: int | None = None, form=None, status: int = 200,
                errors: list[str] = (), selected: set[str] = frozenset(), selected_requests: set[int] = frozenset()):
    """The month of every child, or of one (another family's child: 404); the same few queries either way."""
    start, end = month, _month_end(month)
    planning = _planning(family.id, start, end,
                                           child_ids=[child_id] if child_id is not None else None)
    child = None
    if child_id is not None:
        child = planning.child(child_id)
        if child is None:
            abort(404)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    renderer = _renderer(days, selected, selected_requests)
    blocks = _blocks(planning, days, several=len(planning.children) > 1, renderer=renderer)
    services = {s.id: s for rows in planning.rows.values() for s in rows}.values()
    today = _today()
    return render_template(
        "planning/month.html", family=family, child=child, blocks=blocks, days=days, month=month,
        month_title=format_date(month, "MMMM y"), previous=_shift(month, -1), following=_shift(month, 1),
        current=today.replace(day=1), legend=_legend(), weekday_short=WEEKDAY_SHORT, today=today,
        ages={c.id: _age(c.birth_date, today) for c in planning.children},
        births={c.id: format_date(c.birth_date, "dd/MM/y") for c in planning.children},
        icons=STATE_ICONS, shorts=STATE_SHORT, late=LATE, day_names=renderer.day_names,
        rules=_deadline_rules(g.tenant.settings, services), motives=g.tenant.settings.absence_motives,
        form=form or AbsenceForm(motives=g.tenant.settings.absence_motives, formdata=None),
        errors=errors, selected=selected, selected_requests=selected_requests,
    ), status


@bp.get("/planning")
@login_required
def family_month():
    """Every child of the family, one block each, for one month."""
    family = _family()
    return _month_page(family, _month_or_current(request.args.get("mois")))


@bp.get("/enfants/<int:child_id>/planning")
@login_required
def child_month(child_id: int):
    """One child's month (« cliquez sur le nom ou prénom de l'enfant »)."""
    family = _family()
    return _month_page(family, _month_or_current(request.args.get("mois")), child_id=child_id)


def _child_or_404(family, child_id: int) -> Child:
    child = db.scalar(select(Child).where(Child.id == child_id, Child.family_id == family.id))
    if child is None:
        abort(404)
    return child


# --- requests -----------------------------------------------------------------------------
@bp.errorhandler(BadCells)
def _bad_cells(_error):
    return render_template("errors/error.html", code=400, title=_("Requête invalide"), text=_(
        "Un des jours envoyés n'existe pas dans votre planning. Rechargez la page et réessayez.")), 400


def _back(form) -> tuple[dt.date, Child | None]:
    """The month and the child page the form came from (a child of another family: 404)."""
    family = _family()
    child_id = form.child_id
    return _month_or_current(form.mois.data), _child_or_404(family, child_id) if child_id is not None else None


def _back_url(month: dt.date, child: Child | None) -> str:
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
    planning = _planning(family.id, min(days), max(days))
    mine = {c.id for c in planning.children}
    if any(c.child_id not in mine for c in cells):
        abort(404)
    return planning


def _invalid(form, family, month: dt.date, child: Child | None):
    """Nothing ticked, no motive…: the same month again, the selection kept, the errors said."""
    errors = [str(e) for errors in form.errors.values() for e in errors]
    absence_form = form if isinstance(form, AbsenceForm) else AbsenceForm(
        motives=g.tenant.settings.absence_motives, formdata=None)
    return _month_page(family, month, child.id if child else None, form=absence_form, status=400, errors=errors,
                       selected={c.key() for c in form.cases.data or ()},
                       selected_requests=set(form.demande.data or ()))


def _counts(outcomes: list[booking.Outcome]) -> tuple[int, int]:
    return sum(o.status == "accepted" for o in outcomes), sum(o.status == "pending" for o in outcomes)


def _summary_lines(planning: booking.FamilyPlanning, outcomes: list[booking.Outcome]) -> dict:
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


def _finish(planning, outcomes, kind: str, month: dt.date, child: Child | None, title: str):
    """Commit, then back to the month with a short message, or a page listing what was refused."""
    db.commit()
    messages = _messages(kind, *_counts(outcomes))
    if not any(o.status == "refused" for o in outcomes):
        for message in messages:
            flash(message, "success")
        if not messages:
            flash(_("Aucun changement : ces demandes étaient déjà traitées."), "info")
        return redirect(_back_url(month, child), 303)
    return render_template("planning/summary.html", title=title, lines=_summary_lines(planning, outcomes),
                           messages=messages, kind=kind, back=_back_url(month, child), month=month, child=child)


def _messages(kind: str, accepted: int, pending: int) -> list[str]:
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


def _not_for(cells: list[Cell]) -> list[booking.Outcome]:
    """Ticked cells the action is not for (a pending cell with « Réserver »…): refused, and said so."""
    return [booking.Outcome(cell, "refused", "state") for cell in cells]


@bp.post("/planning/reserver")
@login_required
def reserve():
    family = _family()
    form = ReserveForm()
    month, child = _back(form)
    if not form.validate_on_submit():
        return _invalid(form, family, month, child)
    requests = _family_requests(family, form.demande.data)
    planning = _load_for(family, form.cases.data, requests)
    outcomes = booking.request_reservations(db, planning, family.id, form.cases.data, _now())
    outcomes += _not_for([_cell_of(r) for r in requests])
    return _finish(planning, outcomes, "reservation", month, child, _("Demande de réservation"))


@bp.post("/planning/absence")
@login_required
def absence():
    family = _family()
    form = AbsenceForm(motives=g.tenant.settings.absence_motives)
    month, child = _back(form)
    if not form.validate_on_submit():
        return _invalid(form, family, month, child)
    requests = _family_requests(family, form.demande.data)
    planning = _load_for(family, form.cases.data, requests)
    outcomes = booking.declare_absences(db, planning, family.id, form.cases.data, form.motif.data,
                                        (form.commentaire.data or "").strip(), _now())
    outcomes += _not_for([_cell_of(r) for r in requests])
    return _finish(planning, outcomes, "absence", month, child, _("Déclaration d'absence"))


@bp.post("/planning/retirer")
@login_required
def withdraw():
    family = _family()
    form = WithdrawForm()
    month, child = _back(form)
    if not form.validate_on_submit():
        return _invalid(form, family, month, child)
    requests = _family_requests(family, form.demande.data)
    planning = _load_for(family, form.cases.data, requests)
    # A request withdrawn meanwhile (another tab, a double click) gets no outcome: already done.
    outcomes = booking.withdraw(db, planning, family.id, form.demande.data, _now())
    outcomes += _not_for(form.cases.data)
    return _finish(planning, outcomes, "withdraw", month, child, _("Retrait de demandes"))


def _cell_of(row: DayRequest) -> Cell:
    return Cell(row.child_id, row.service_id, row.day)


# --- « Régulier » ---------------------------------------------------------------------------
@bp.route("/planning/regulier", methods=["GET", "POST"])
@login_required
def pattern():
    """« Réserver tous les lundis, mardis et jeudis jusqu'au … »: each day checked, then a summary.

    One planning is loaded from today to a year ahead (the most a pattern may cover): it gives
    the children, the services each is enrolled in, and checks every generated day.
    """
    family = _family()
    today = _today()
    planning = _planning(family.id, today, today + PATTERN_HORIZON)
    wanted = request.values.get("enfant", "")
    child = next((c for c in planning.children if str(c.id) == wanted), None)
    if wanted and child is None:
        abort(404)  # another family's child, or no child at all: nothing shown, nothing written
    child = child or (planning.children[0] if planning.children else None)
    services = planning.rows.get(child.id, []) if child else []
    form = PatternForm(children=planning.children, services=services, today=today)
    if request.method == "GET":
        form.enfant.data = str(child.id) if child else ""
        form.services.data = [str(s.id) for s in services]
        form.du.data = today.isoformat()
    elif form.validate_on_submit():
        days = booking.weekly_pattern(form.du.day, form.au.day, form.weekdays)
        if days:
            cells = [Cell(child.id, service_id, day) for service_id in form.service_ids for day in days]
            outcomes = booking.request_reservations(db, planning, family.id, cells, _now(), regular=True)
            db.commit()
            month = form.du.day.replace(day=1)
            return render_template(
                "planning/summary.html", title=_("Réservation régulière"), kind="pattern",
                lines=_summary_lines(planning, outcomes), messages=_messages("reservation", *_counts(outcomes)),
                back=_back_url(month, child), month=month, child=child)
        form.jours.errors = [_("Aucun de ces jours ne tombe entre ces deux dates.")]
    status = 400 if request.method == "POST" else 200
    return render_template("planning/pattern.html", form=form, child=child, children=planning.children,
                           services=services, rules=_deadline_rules(g.tenant.settings, services),
                           horizon=today + PATTERN_HORIZON), status
