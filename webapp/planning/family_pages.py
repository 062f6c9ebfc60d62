"""The family's planning pages (GET): every child's month, one child's month.

A month page is the same text as long as what it shows is the same, and most visits
are reloads of an unchanged month: the page body is kept in a PageCache keyed by the
planning's fingerprint, the deadline locks at this instant, the day, the language and
the commune's settings (see webapp.planning.page_cache). The data is loaded on every
visit either way, in the same few queries, so a booking made in another tab, an
agent's decision or a passed deadline shows on the next load. Most visits reuse the
whole page, base.html included (its key adds the language, the page, the commune's name
and theme, the menu's unread count): only the visitor's CSRF token is put in. A visit
with flash messages to show writes base.html around the stored body.
"""
import datetime as dt
import secrets

from flask import abort, g, render_template, request, session
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from webapp import clock
from webapp.auth.users import signed_in_family
from webapp.planning import family_grid
from webapp.planning.family_common import (WEEKDAY_SHORT, deadline_rules, load_planning, month_end, month_or_current,
                                           now, shift)
from webapp.planning.forms import AbsenceForm
from webapp.planning.page_cache import PageCache
from webapp.planning.phrases import locale_name
from webapp.planning.family_blueprint import bp

PAGES = PageCache()
# Where the page's CSRF field goes: the cached body is stored in two parts around it. Random,
# so that no text of the page (a child's name…) can be taken for it.
_CSRF_SLOT = f"\x00csrf-{secrets.token_hex(8)}\x00"


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def month_page(family, month: dt.date, child_id: int | None = None, form=None, status: int = 200,
               errors: list[str] = (), selected: set[str] = frozenset(), selected_requests: set[int] = frozenset()):
    """The month of every child, or of one (another family's child: 404); the same few queries either way."""
    start, end = month, month_end(month)
    planning = load_planning(family.id, start, end, child_ids=[child_id] if child_id is not None else None,
                             sentences=False)
    child = None
    if child_id is not None:
        child = planning.child(child_id)
        if child is None:
            abort(404)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    at, day = now(), clock.paris_today()
    settings = g.tenant.settings
    # A page showing a refused form (errors, ticked cells) is written for that answer only.
    key = None
    if form is None and not errors and not selected and not selected_requests:
        key = (g.tenant.slug, request.script_root, family.id, family.display_name, family.number, child_id, month,
               locale_name(), day, planning.first_open_days(days, at), planning.fingerprint())
    # Stored whole when base.html's part is known beforehand (most visits), else the body alone.
    frame = _frame_key() if key is not None else None
    whole = PAGES.get(key + frame, settings) if frame is not None else None
    if whole is None:
        page = PAGES.get(key, settings) if key is not None else None
        if page is None:
            page = _body(planning, family, child, month, days, at, day, form, errors, selected, selected_requests)
            if key is not None and frame is None:
                PAGES.put(key, settings, page, sum(len(part) for part in page if part is not None))
        title, head, tail = page
        if frame is None:
            return render_template("planning/month.html", page_title=title, head=head, tail=tail), status
        # Written with a slot wherever the visitor's CSRF token goes (form, menu, language switch).
        whole = tuple(render_template("planning/month.html", page_title=title, head=head, tail=tail,
                                      csrf_token=lambda: Markup(_CSRF_SLOT)).split(_CSRF_SLOT))
        PAGES.put(key + frame, settings, whole, sum(len(part) for part in whole))
    return str(escape(generate_csrf())).join(whole), status  # str: Markup.join would escape the page


def _frame_key() -> tuple | None:
    """What base.html writes around the body, when the page may be stored whole: the language,
    the page, the host and its commune's name and theme, the menu's unread count (read with the
    session, webapp.auth.users). None when something of this visit only is to be written: flash
    messages, or an unread count not known beforehand."""
    unread = getattr(current_user, "extras", {}).get("unread_messages")
    if session.get("_flashes") or unread is None:
        return None
    return (str(get_locale()), request.endpoint, request.host, g.tenant.name, g.tenant.theme, unread)


def _body(planning, family, child, month, days, at, day, form, errors, selected, selected_requests):
    """(title, body before the CSRF field, body after it or None when the page has no form)."""
    cells = family_grid.renderer(days, selected, selected_requests)
    blocks = family_grid.blocks(planning, days, cells, at, day)
    services = {s.id: s for rows in planning.rows.values() for s in rows}.values()
    month_title = format_date(month, "MMMM y")
    if child is not None:
        title = _("Planning de %(name)s – %(month)s", name=child.first_name + " " + child.last_name,
                  month=month_title.capitalize())
    else:
        title = _("Planning de mes enfants – %(month)s", month=month_title.capitalize())
    motives = g.tenant.settings.absence_motives
    body = render_template(
        "planning/_month_body.html", page_title=title, family=family, child=child, blocks=blocks, days=days,
        month=month, month_title=month_title, previous=shift(month, -1), following=shift(month, 1),
        current=day.replace(day=1), legend=family_grid.legend(), weekday_short=[str(w) for w in WEEKDAY_SHORT],
        today=day, ages={c.id: _age(c.birth_date, day) for c in planning.children},
        births={c.id: format_date(c.birth_date, "dd/MM/y") for c in planning.children}, day_names=cells.day_names,
        name_parts=cells.name_parts([(b.child, row.service) for b in blocks for row in b.rows]),
        rules=deadline_rules(g.tenant.settings, services), motives=motives,
        form=form or AbsenceForm(motives=motives, formdata=None),
        errors=errors, selected=selected, selected_requests=selected_requests, csrf_slot=Markup(_CSRF_SLOT),
    )
    head, found, tail = body.partition(_CSRF_SLOT)
    return title, Markup(head), Markup(tail) if found else None


@bp.get("/planning")
@login_required
def family_month():
    """Every child of the family, one block each, for one month."""
    family = signed_in_family()
    return month_page(family, month_or_current(request.args.get("mois")))


@bp.get("/enfants/<int:child_id>/planning")
@login_required
def child_month(child_id: int):
    """One child's month (« cliquez sur le nom ou prénom de l'enfant »)."""
    family = signed_in_family()
    return month_page(family, month_or_current(request.args.get("mois")), child_id=child_id)
