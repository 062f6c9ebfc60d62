"""« Régulier »: a family books a weekly pattern (« tous les lundis, mardis et jeudis jusqu'au … »)."""
from flask import abort, g, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from webapp import clock
from webapp.auth.users import signed_in_family
from webapp.db import db
from webapp.planning import booking
from webapp.planning.family_actions import back_url, counts, messages, summary_lines
from webapp.planning.family_common import deadline_rules, load_planning, now
from webapp.planning.forms import PATTERN_HORIZON, PatternForm
from webapp.planning.rules import Cell
from webapp.planning.family_blueprint import bp


@bp.route("/planning/regulier", methods=["GET", "POST"])
@login_required
def pattern():
    """Each day of the pattern checked, then a summary.

    One planning is loaded from today to a year ahead (the most a pattern may cover): it gives
    the children, the services each is enrolled in, and checks every generated day.
    """
    family = signed_in_family()
    day = clock.paris_today()
    planning = load_planning(family.id, day, day + PATTERN_HORIZON)
    wanted = request.values.get("enfant", "")
    child = next((c for c in planning.children if str(c.id) == wanted), None)
    if wanted and child is None:
        abort(404)  # another family's child, or no child at all: nothing shown, nothing written
    child = child or (planning.children[0] if planning.children else None)
    services = planning.rows.get(child.id, []) if child else []
    form = PatternForm(children=planning.children, services=services, today=day)
    if request.method == "GET":
        form.enfant.data = str(child.id) if child else ""
        form.services.data = [str(s.id) for s in services]
        form.du.data = day.isoformat()
    elif form.validate_on_submit():
        days = booking.weekly_pattern(form.du.day, form.au.day, form.weekdays)
        if days:
            cells = [Cell(child.id, service_id, d) for service_id in form.service_ids for d in days]
            outcomes = booking.request_reservations(db, planning, family.id, cells, now(), regular=True)
            db.commit()
            month = form.du.day.replace(day=1)
            return render_template(
                "planning/summary.html", title=_("Réservation régulière"), kind="pattern",
                lines=summary_lines(planning, outcomes), messages=messages("reservation", *counts(outcomes)),
                back=back_url(month, child), month=month, child=child)
        form.jours.errors = [_("Aucun de ces jours ne tombe entre ces deux dates.")]
    status = 400 if request.method == "POST" else 200
    return render_template("planning/pattern.html", form=form, child=child, children=planning.children,
                           services=services, rules=deadline_rules(g.tenant.settings, services),
                           horizon=day + PATTERN_HORIZON), status
