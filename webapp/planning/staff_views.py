"""The agents' side of the planning: the queue of requests, the day's lists, closures, local days.

Every page needs an agent of this commune with the second factor done (`staff_required`).
Decisions and closures go through webapp.planning.booking; families are told in « Liste
des demandes » and, when they allow e-mails, by an e-mail queued with the change.
"""
import csv
import datetime as dt
import io

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tenancy.web import require_tenant
from webapp import clock
from webapp.dates import parse_day
from webapp.db import db
from webapp.families.models import Child, Family
from webapp.ids import parse_id, parse_ids
from webapp.planning import attendance, booking, daily, notify
from webapp.planning.models import Closure, DayRequest, LocalDay, Service
from webapp.staff.access import no_store, staff_required
from webapp.validators import DayField, PrintableText, select_choices

bp = Blueprint("staff_planning", __name__, url_prefix="/agent")
bp.before_request(require_tenant)
bp.after_request(no_store)

QUEUE_LIMIT = 500  # the oldest first; filters narrow it down
KIND_LABELS = {"reservation": _l("Réservation"), "absence": _l("Absence")}
BILLING_CHOICES = (("", _l("selon le motif")), ("oui", _l("oui")), ("non", _l("non")))


def _not_in_the_past(_form, field) -> None:
    if field.day is not None and field.day < clock.paris_today():
        raise ValidationError(_("Choisissez aujourd'hui ou une date à venir."))


# --- forms ------------------------------------------------------------------------------
class DecisionForm(FlaskForm):
    reason = StringField(
        _l("Raison"),
        validators=[Optional(), Length(max=300, message=_l("La raison ne doit pas dépasser 300 caractères.")),
                    PrintableText()],
    )


class ClosureForm(FlaskForm):
    day = DayField(_l("Date"), validators=[DataRequired(_l("Choisissez la date.")), _not_in_the_past])
    service = SelectField(_l("Service"), validate_choice=False)
    site = SelectField(_l("Site"), validate_choice=False)
    school_class = SelectField(_l("Classe"), validate_choice=False)
    reason = StringField(
        _l("Raison (transmise aux familles)"),
        validators=[DataRequired(_l("Indiquez la raison : grève, sortie, enseignant absent…")),
                    Length(max=200, message=_l("La raison ne doit pas dépasser 200 caractères.")), PrintableText()],
    )


class AttendanceForm(FlaskForm):
    """The register of one service: only the CSRF token is a form field, the ticks are read by hand."""


class LocalDayForm(FlaskForm):
    day = DayField(_l("Date"), validators=[DataRequired(_l("Choisissez la date.")), _not_in_the_past])
    label = StringField(
        _l("Libellé"),
        validators=[DataRequired(_l("Indiquez le libellé : pont, grève, fête locale…")),
                    Length(max=120, message=_l("Le libellé ne doit pas dépasser 120 caractères.")), PrintableText()],
    )


# --- the queue --------------------------------------------------------------------------
def _all_services() -> list[Service]:
    return list(db.scalars(select(Service).order_by(Service.site, Service.name, Service.id)))


def _sites(services: list[Service]) -> list[str]:
    return sorted({s.site for s in services if s.site})


def _filters(source) -> tuple[dict, list[str]]:
    """The queue's filters from GET parameters (or the decision form's hidden copies), and errors."""
    errors = []
    values = {"service": (source.get("service") or "").strip(), "site": (source.get("site") or "").strip()[:120],
              "from": (source.get("from") or "").strip()[:10], "to": (source.get("to") or "").strip()[:10],
              "famille": (source.get("famille") or "").strip()[:80]}
    if values["service"] and parse_id(values["service"]) is None:
        values["service"] = ""
    for key, label in (("from", _("Du")), ("to", _("Au"))):
        if values[key] and parse_day(values[key]) is None:
            errors.append(_("%(field)s : date invalide, filtre ignoré (format AAAA-MM-JJ).", field=label))
            values[key] = ""
    for key in ("famille", "site"):  # PostgreSQL refuses a NUL in a query: a 500 before
        if any(ch in values[key] for ch in "\x00\r\n"):
            values[key] = ""
    return values, errors


def _queue_rows(filters: dict):
    query = (select(DayRequest, Child, Family, Service)
             .join(Child, Child.id == DayRequest.child_id)
             .join(Family, Family.id == DayRequest.family_id)
             .join(Service, Service.id == DayRequest.service_id)
             .where(DayRequest.state == "pending")
             .order_by(DayRequest.created_at, DayRequest.id)
             .limit(QUEUE_LIMIT + 1))
    if filters["service"]:
        query = query.where(DayRequest.service_id == int(filters["service"]))
    if filters["site"]:
        query = query.where(Service.site == filters["site"])
    if filters["from"]:
        query = query.where(DayRequest.day >= parse_day(filters["from"]))
    if filters["to"]:
        query = query.where(DayRequest.day <= parse_day(filters["to"]))
    if filters["famille"]:
        needle = filters["famille"].lower()
        query = query.where(or_(Family.number == filters["famille"],
                                func.lower(Family.last_name).contains(needle, autoescape=True),
                                func.lower(Family.first_name).contains(needle, autoescape=True)))
    rows = db.execute(query).all()
    days = {r.day for r, *_rest in rows}
    closed = _closed_days(days)
    return rows[:QUEUE_LIMIT], len(rows) > QUEUE_LIMIT, closed


def _closed_days(days: set[dt.date]) -> dict:
    """(day, service id) → why it is closed, for the queue's days: two queries."""
    if not days:
        return {}
    local = dict(db.execute(select(LocalDay.day, LocalDay.label).where(LocalDay.day.in_(days))).all())
    closures = list(db.scalars(select(Closure).where(Closure.day.in_(days))))
    return {"local": local, "closures": closures}


def _closed_reason(closed: dict, request_row: DayRequest, service: Service) -> str | None:
    if not closed:
        return None
    if request_row.day in closed["local"]:
        return closed["local"][request_row.day]
    found = next((c for c in closed["closures"] if c.day == request_row.day and c.applies_to(service)), None)
    return found.reason if found else None


def _queue_page(filters: dict, form: DecisionForm, errors: list[str], status: int = 200,
                checked: set[int] = frozenset(), billing: dict | None = None):
    services = _all_services()
    rows, truncated, closed = _queue_rows(filters)
    items = [dict(request=r, child=c, family=f, service=s, kind=KIND_LABELS.get(r.kind, r.kind),
                  motive=notify.motive_label(g.tenant, r.motive), closed=_closed_reason(closed, r, s))
             for r, c, f, s in rows]
    return render_template("planning/staff_queue.html", items=items, truncated=truncated, limit=QUEUE_LIMIT,
                           filters=filters, services=services, sites=_sites(services), form=form, errors=errors,
                           checked=checked, billing=billing or {}, billing_choices=BILLING_CHOICES), status


@bp.get("/demandes")
@staff_required()
def queue():
    filters, errors = _filters(request.args)
    return _queue_page(filters, DecisionForm(), errors)


@bp.post("/demandes/decision")
@staff_required()
def decide():
    form = DecisionForm()
    filters, _errors = _filters(request.form)
    raw_ids = request.form.getlist("demande")
    ids = sorted(parse_ids(raw_ids))
    action = request.form.get("decision", "")
    billing = {i: request.form.get(f"facturer-{i}", "") for i in ids}
    errors = []

    def refused(message: str):
        errors.append(message)
        return _queue_page(filters, form, errors, 400, set(ids), billing)

    if not form.validate_on_submit():
        return _queue_page(filters, form, errors, 400, set(ids), billing)
    if action not in ("accepter", "refuser"):
        return refused(_("Choisissez « Accepter » ou « Refuser »."))
    if not raw_ids:
        return refused(_("Cochez au moins une demande."))
    if len(ids) != len(set(raw_ids)):
        return refused(_("Sélection invalide : rechargez la page et cochez à nouveau les demandes."))
    if any(v not in ("", "oui", "non") for v in billing.values()):
        return refused(_("Facturation : choisissez « selon le motif », « oui » ou « non »."))
    reason = (form.reason.data or "").strip()
    accept = action == "accepter"
    if not accept and not reason:
        form.reason.errors = [_("Pour refuser, indiquez la raison : elle est transmise à la famille.")]
        return refused(_("Pour refuser, indiquez la raison : elle est transmise à la famille."))

    kinds = dict(db.execute(select(DayRequest.id, DayRequest.kind).where(DayRequest.id.in_(ids))).all())
    overrides = {i: billing[i] for i in ids if kinds.get(i) == "absence" and billing[i]} if accept else {}
    if overrides and not reason:
        form.reason.errors = [_("Pour changer la facturation d'une absence, indiquez la raison.")]
        return refused(_("Pour changer la facturation d'une absence, indiquez la raison."))

    now = clock.utcnow()
    agent_id = current_user.agent.id
    groups = {None: [i for i in ids if i not in overrides],
              True: [i for i, v in overrides.items() if v == "oui"],
              False: [i for i, v in overrides.items() if v == "non"]}
    decided: list[int] = []
    for billed, group in groups.items():
        if group:
            decided += booking.decide(db, group, accept=accept, reason=reason, agent_id=agent_id, now=now,
                                      billed=billed)
    mails = notify.queue_decision_mails(db, g.tenant, decided, now)
    db.commit()

    done = len(decided)
    if done and accept:
        flash(ngettext("%(num)d demande acceptée.", "%(num)d demandes acceptées.", done), "success")
    elif done:
        flash(ngettext("%(num)d demande refusée.", "%(num)d demandes refusées.", done), "success")
    others = len(ids) - done
    if others:
        flash(ngettext("%(num)d demande avait déjà été traitée (par un autre agent ou retirée par la famille) : "
                       "elle n'a pas changé.",
                       "%(num)d demandes avaient déjà été traitées (par un autre agent ou retirées par la "
                       "famille) : elles n'ont pas changé.", others), "info")
    if mails:
        flash(ngettext("%(num)d famille prévenue par courriel.", "%(num)d familles prévenues par courriel.", mails),
              "info")
    kept = {k: v for k, v in filters.items() if v}
    return redirect(url_for("staff_planning.queue", **kept), 303)


# --- the day ----------------------------------------------------------------------------
ENTRY_LABELS = {
    daily.BOOKED: _l("réservé"),
    daily.BOOKED_ABSENCE_PENDING: _l("réservé, absence demandée"),
    daily.PENDING_RESERVATION: _l("réservation en attente"),
    daily.ABSENT: _l("absent"),
    daily.CLOSED: _l("service fermé"),
}


def _day_from_args() -> tuple[dt.date, str | None]:
    raw = request.args.get("date")
    if not raw:
        return clock.paris_today(), None
    day = parse_day(raw)
    if day is None:
        return clock.paris_today(), _("Date invalide : la journée d'aujourd'hui est affichée (format AAAA-MM-JJ).")
    return day, None


def entry_state(entry: daily.Entry) -> str:
    """The state of one line, as the page and the CSV write it."""
    label = str(ENTRY_LABELS.get(entry.state, entry.state))
    if entry.state == daily.BOOKED_ABSENCE_PENDING and entry.motive:
        return f"{label} ({notify.motive_label(g.tenant, entry.motive)})"
    if entry.state == daily.ABSENT:
        motive = notify.motive_label(g.tenant, entry.motive)
        billed = _("facturée") if entry.billed else _("non facturée")
        return f"{label} ({motive}, {billed})" if motive else f"{label} ({billed})"
    return label


def _day_page(day: dt.date, error: str | None, status: int):
    rows = daily.daily_counts(db, day)
    return render_template("planning/staff_day.html", day=day, rows=rows, error=error, entry_state=entry_state,
                           previous=day - dt.timedelta(days=1), next=day + dt.timedelta(days=1), today=clock.paris_today(),
                           kinds=daily, register_form=AttendanceForm()), status


@bp.get("/journee")
@staff_required()
def day_view():
    day, error = _day_from_args()
    return _day_page(day, error, 400 if error else 200)


@bp.post("/journee/pointage")
@staff_required()
def take_attendance():
    """The register of one service that day: every child listed gets a row, ticked present or not.

    Only today or a past day; children not listed for that service that day (another
    commune's, made up) are refused with nothing written.
    """
    day = parse_day(request.form.get("date"))
    shown = day or clock.paris_today()
    if not AttendanceForm().validate_on_submit():
        return _day_page(shown, _("Le formulaire a expiré : rechargez la page et pointez à nouveau."), 400)
    if day is None:
        return _day_page(shown, _("Date invalide : rechargez la page et pointez à nouveau."), 400)
    if day > clock.paris_today():
        return _day_page(day, _("Le pointage se fait le jour même ou après : pas pour un jour à venir."), 400)
    raw_service = request.form.get("service_id", "")
    row = next((r for r in daily.daily_counts(db, day)
                if r.service.id == parse_id(raw_service)), None)
    if row is None:
        return _day_page(day, _("Service inconnu ce jour-là : rechargez la page et pointez à nouveau."), 400)
    listed = {entry.child_id for entry, _ticked in row.register()}
    if not listed:
        return _day_page(day, _("Aucun enfant à pointer pour ce service ce jour-là."), 400)
    raw_ids = request.form.getlist("present")
    ids = parse_ids(raw_ids)
    if len(ids) != len(set(raw_ids)) or not ids <= listed:
        return _day_page(day, _("Enfant inconnu pour ce service ce jour-là : rechargez la page et pointez à "
                                "nouveau. Rien n'a été enregistré."), 400)
    expected = {e.child_id for e in row.booked} | set(row.attendance)
    attendance.record_attendance(db, day=day, service_id=row.service.id, present_child_ids=ids,
                                 expected_child_ids=expected, agent_id=current_user.agent.id, now=clock.utcnow())
    db.commit()
    flash(_("Pointage enregistré"), "success")
    return redirect(url_for("staff_planning.day_view", date=day.isoformat()) + f"#service-{row.service.id}", 303)


def _csv_cell(value: str) -> str:
    """A spreadsheet must not read a name as a formula (=, +, -, @ at the start)."""
    value = value or ""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@bp.get("/journee.csv")
@staff_required()
def day_csv():
    day, error = _day_from_args()
    if error:
        rows = daily.daily_counts(db, day)
        return render_template("planning/staff_day.html", day=day, rows=rows, error=error, entry_state=entry_state,
                               previous=day - dt.timedelta(days=1), next=day + dt.timedelta(days=1),
                               today=clock.paris_today(), kinds=daily), 400
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    # HEALTH DATA: the flags the page shows (PAI, « allergie », never the allergy itself; diets), same query.
    writer.writerow([_("site"), _("service"), _("nom"), _("prénom"), _("classe"), _("famille"), _("état"),
                     _("régimes"), _("allergie"), _("PAI")])
    yes = _("oui")
    for row in daily.daily_counts(db, day):
        entries = row.booked + [e for e in row.pending if e not in row.booked] + row.absences
        for entry in entries:
            writer.writerow([_csv_cell(row.site), _csv_cell(row.service.name), _csv_cell(entry.last_name),
                             _csv_cell(entry.first_name), _csv_cell(entry.school_class),
                             _csv_cell(entry.family_number), entry_state(entry),
                             _csv_cell(", ".join(_(diet) for diet in entry.diets)),
                             yes if entry.allergy else "", yes if entry.pai else ""])
    body = "\ufeff" + out.getvalue()
    return Response(body.encode("utf-8"), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="journee-{day.isoformat()}.csv"',
    })


# --- closures ---------------------------------------------------------------------------
def _closure_choices(form: ClosureForm, services: list[Service]) -> None:
    form.service.choices = select_choices([("", _("Tous les services"))] + [
        (str(s.id), f"{s.name} – {s.site}" if s.site else s.name) for s in services])
    form.site.choices = select_choices([("", _("Tous les sites"))] + [(site, site) for site in _sites(services)])
    form.school_class.choices = select_choices([("", _("Toutes les classes"))] + [(c, c) for c in _classes()])


def _classes() -> list[str]:
    return list(db.scalars(select(Child.school_class).where(Child.school_class != "").distinct()
                           .order_by(Child.school_class)))


def _upcoming_closures():
    return db.execute(select(Closure, Service).outerjoin(Service, Service.id == Closure.service_id)
                      .where(Closure.day >= clock.paris_today()).order_by(Closure.day, Closure.id)).all()


@bp.route("/fermetures", methods=["GET", "POST"])
@staff_required()
def closures():
    services = _all_services()
    form = ClosureForm()
    _closure_choices(form, services)

    def page(status: int = 200):
        return render_template("planning/staff_closures.html", form=form, closures=_upcoming_closures()), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(400)
    service_id = parse_id(form.service.data)
    if form.service.data and (service_id is None or service_id not in {s.id for s in services}):
        form.service.errors = [_("Choisissez un service de la liste.")]
        return page(400)
    site = form.site.data or None
    if site is not None and site not in _sites(services):
        form.site.errors = [_("Choisissez un site de la liste.")]
        return page(400)
    school_class = form.school_class.data or None
    if school_class is not None and school_class not in _classes():
        form.school_class.errors = [_("Choisissez une classe de la liste.")]
        return page(400)
    day = form.day.day
    same = select(Closure.id).where(
        Closure.day == day,
        Closure.service_id.is_(None) if service_id is None else Closure.service_id == service_id,
        Closure.site.is_(None) if site is None else Closure.site == site,
        Closure.school_class.is_(None) if school_class is None else Closure.school_class == school_class)
    if db.scalar(same) is not None:
        form.form_errors.append(_("Cette fermeture est déjà enregistrée pour ce jour."))
        return page(400)
    now = clock.utcnow()
    reason = form.reason.data.strip()
    booked = booking.close_day(db, day=day, service_id=service_id, site=site, reason=reason,
                               agent_id=current_user.agent.id, now=now, school_class=school_class)
    mails = notify.queue_closure_mails(db, g.tenant, booked, day=day, reason=reason, now=now)
    db.commit()
    flash(_("Fermeture enregistrée."), "success")
    flash(ngettext("%(num)d réservation devient une absence excusée.",
                   "%(num)d réservations deviennent des absences excusées.", len(booked)), "info")
    if mails:
        flash(ngettext("%(num)d famille prévenue par courriel.", "%(num)d familles prévenues par courriel.", mails),
              "info")
    return redirect(url_for("staff_planning.closures"), 303)


# --- local days -------------------------------------------------------------------------
@bp.route("/jours-locaux", methods=["GET", "POST"])
@staff_required()
def local_days():
    form = LocalDayForm()

    def page(status: int = 200):
        days = db.scalars(select(LocalDay).where(LocalDay.day >= clock.paris_today()).order_by(LocalDay.day)).all()
        return render_template("planning/staff_local_days.html", form=form, days=days), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(400)
    day, label = form.day.day, form.label.data.strip()

    def duplicate(existing: str):
        form.day.errors = [_("Ce jour est déjà un jour local : « %(label)s ».", label=existing)]
        return page(400)

    existing = db.scalar(select(LocalDay.label).where(LocalDay.day == day))
    if existing is not None:
        return duplicate(existing)
    now = clock.utcnow()
    db.add(LocalDay(day=day, label=label))
    try:
        db.flush()
    except IntegrityError:  # another agent added it meanwhile
        db.rollback()
        return duplicate(db.scalar(select(LocalDay.label).where(LocalDay.day == day)) or label)
    # Bookings already made for that day become excused absences, as for a closure.
    booked = booking.close_day(db, day=day, service_id=None, site=None, reason=label,
                               agent_id=current_user.agent.id, now=now) if _has_bookings(day) else []
    mails = notify.queue_closure_mails(db, g.tenant, booked, day=day, reason=label, now=now)
    db.commit()
    flash(_("Jour local enregistré : les familles ne peuvent plus réserver ce jour-là."), "success")
    if booked:
        flash(ngettext("%(num)d réservation devient une absence excusée.",
                       "%(num)d réservations deviennent des absences excusées.", len(booked)), "info")
    if mails:
        flash(ngettext("%(num)d famille prévenue par courriel.", "%(num)d familles prévenues par courriel.", mails),
              "info")
    return redirect(url_for("staff_planning.local_days"), 303)


def _has_bookings(day: dt.date) -> bool:
    return db.scalar(select(DayRequest.id).where(DayRequest.day == day, DayRequest.kind == "reservation",
                                                 DayRequest.state == "accepted").limit(1)) is not None
