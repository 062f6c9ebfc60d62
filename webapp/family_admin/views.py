"""The agents' family pages: search, « Nouvelle famille », CSV import, welcome e-mails, child records.

Every page needs an agent of this commune with the second factor done (`staff_required`);
a family's or another commune's session is sent to the agents' sign-in page. The work is
done by the plain modules of this package; the views parse, call and render.
"""
import csv
import io

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tenancy.web import require_tenant
from webapp import clock
from webapp.db import db
from webapp.families.models import Child, ChildHealth
from webapp.family_admin import creation, csv_import, pdfs, pending, search, values, welcome
from webapp.family_admin.forms import ConfirmImportForm, ImportForm, NewFamilyForm, WelcomeForm
from webapp.ids import parse_id
from webapp.pdf import pdf_response
from webapp.records import changes, sections
from webapp.staff.access import no_store, staff_required

bp = Blueprint("family_admin", __name__, url_prefix="/agent")
bp.before_request(require_tenant)
bp.after_request(no_store)

FAMILY_FIELDS = ("civility", "last_name", "first_name", "email", "phone_mobile", "address", "postcode", "city")
CHILD_FIELDS = ("first_name", "last_name", "birth_date", "sex", "school", "school_class")


def _agent_id() -> int:
    return current_user.account.id


def _ip() -> str:
    return request.remote_addr or ""


# --- search ----------------------------------------------------------------------------------
@bp.get("/familles")
@staff_required
def search_page():
    query = request.args.get("q", "")[:search.QUERY_MAX]
    page = parse_id(request.args.get("page")) or 1  # ASCII digits only: int() also reads « ١٢ »
    found = search.search_families(db, query, page)
    return render_template("family_admin/search.html", query=query, found=found)


# --- creation --------------------------------------------------------------------------------
def _clean_into(form_field, section_code: str, field_name: str, default: str = ""):
    """The record's rule for one field; an error is attached to the form field (translated)."""
    field = sections.section(section_code).field(field_name)
    value, error = sections.clean_field(field, (form_field.data or "").strip() or default)
    if error:
        form_field.errors = list(form_field.errors) + [_(error)]
    return value


def _family_values(form: NewFamilyForm) -> tuple[str, dict, list[dict]]:
    fields = {name: _clean_into(form[name], "responsable", name) for name in FAMILY_FIELDS}
    fields["email"] = fields["email"] or None
    number = ""
    try:
        number = values.family_number(form.number.data)
    except values.Invalid as error:
        form.number.errors = list(form.number.errors) + [_(error.message, **error.params)]
    children = []
    for block in form.children:
        if block.form.is_empty():
            continue
        child = {name: _clean_into(block.form[name], "child_identity", name,
                                   default=fields["last_name"] if name == "last_name" else "")
                 for name in CHILD_FIELDS if name != "birth_date"}
        child["birth_date"] = _birth_date(block.form.birth_date)
        children.append(child)
    return number, fields, children


def _birth_date(form_field):
    try:
        return values.birth_date(form_field.data or "", clock.paris_today())
    except values.Invalid as error:
        form_field.errors = list(form_field.errors) + [_(error.message, **error.params)]
        return None


def _has_errors(form) -> bool:
    return bool(form.errors) or any(f.errors for f in form) or any(
        sub.errors for block in form.children for sub in block.form)


@bp.route("/familles/nouvelle", methods=["GET", "POST"])
@staff_required
def create():
    form = NewFamilyForm()
    if request.method == "GET":
        return render_template("family_admin/create.html", form=form)
    if not form.validate_on_submit():
        return render_template("family_admin/create.html", form=form), 400
    number, fields, children = _family_values(form)
    if _has_errors(form):
        return render_template("family_admin/create.html", form=form), 400
    now = clock.utcnow()
    try:
        family = creation.create_family(db, fields, children, now=now, agent_id=_agent_id(), number=number,
                                        ip=_ip())
        db.commit()
    except (creation.NumberTaken, IntegrityError):
        db.rollback()
        form.number.errors = list(form.number.errors) + [
            _("Le numéro de famille %(number)s existe déjà dans la commune.", number=number or "")]
        return render_template("family_admin/create.html", form=form), 400
    flash(_("Famille n° %(number)s créée.", number=family.number), "success")
    return redirect(url_for("family_admin.created", familles=str(family.id)), 303)


def _ids(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",")[:csv_import.MAX_LINES]]
    return [value for value in map(parse_id, parts) if value is not None]


@bp.get("/familles/creees")
@staff_required
def created():
    """What was just created (by the form or an import), with « Envoyer le courriel de bienvenue »."""
    ids = _ids(request.args.get("familles", ""))
    families = search.families_by_id(db, ids)
    return render_template("family_admin/created.html", families=families, welcome_form=WelcomeForm())


@bp.post("/familles/bienvenue")
@staff_required
def send_welcome():
    form = WelcomeForm()
    if not form.validate_on_submit():
        abort(400)
    ids = _ids(request.form.get("familles", ""))
    result = welcome.queue_welcome_mails(db, g.tenant, ids, clock.utcnow(), _agent_id(), _ip())
    db.commit()
    return render_template("family_admin/welcome_sent.html", result=result)


# --- import ----------------------------------------------------------------------------------
def _line_errors(plan: csv_import.ImportPlan) -> list[str]:
    return [_error_text(error) for error in plan.errors]


def _error_text(error: csv_import.LineError) -> str:
    params = {k: (_(v) if k == "error" else v) for k, v in error.params.items()}
    message = _(error.message, **params)
    if error.line == 0:
        return _("Fichier : %(message)s", message=message)
    return _("Ligne %(line)d : %(message)s", line=error.line, message=message)


@bp.get("/familles/import/modele.csv")
@staff_required
def import_template():
    response = Response(csv_import.template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="modele-import-familles.csv"'
    return response


@bp.route("/familles/import", methods=["GET", "POST"])
@staff_required
def import_file():
    """Step 1: send the file; everything is checked, nothing is written yet."""
    form = ImportForm()
    if request.method == "GET":
        return render_template("family_admin/import.html", form=form, columns=csv_import.COLUMNS)
    if not form.validate_on_submit() or not form.file.data:
        form.file.errors = [_("Choisissez un fichier CSV.")]
        return render_template("family_admin/import.html", form=form, columns=csv_import.COLUMNS), 400
    raw = form.file.data.read(csv_import.MAX_BYTES + 1)
    plan = csv_import.check(raw, db, clock.paris_today())
    if plan.errors:
        return _errors_page(plan, raw)
    confirm = ConfirmImportForm(token=pending.keep(_agent_id(), raw))
    return render_template("family_admin/import_preview.html", plan=plan, confirm=confirm)


def _errors_page(plan: csv_import.ImportPlan, raw: bytes):
    token = pending.keep(_agent_id(), raw) if len(raw) <= csv_import.MAX_BYTES else ""
    return render_template("family_admin/import.html", form=ImportForm(), columns=csv_import.COLUMNS,
                           errors=_line_errors(plan), report=ConfirmImportForm(token=token) if token else None), 400


@bp.post("/familles/import/confirmer")
@staff_required
def confirm_import():
    """Step 2: the kept file is checked again, then every family is created in one transaction."""
    form = ConfirmImportForm()
    raw = pending.claim(_agent_id(), form.token.data or "") if form.validate_on_submit() else None
    if raw is None:
        flash(_("Ce fichier n'est plus disponible : envoyez-le de nouveau."), "error")
        return redirect(url_for("family_admin.import_file"), 303)
    plan = csv_import.check(raw, db, clock.paris_today())
    if plan.errors:
        return _errors_page(plan, raw)
    try:
        families = csv_import.create(db, plan, now=clock.utcnow(), agent_id=_agent_id(), ip=_ip())
        db.commit()
    except IntegrityError:  # a family number taken meanwhile: nothing was written
        db.rollback()
        flash(_("Un numéro de famille du fichier vient d'être attribué : vérifiez le fichier de nouveau."), "error")
        return redirect(url_for("family_admin.import_file"), 303)
    flash(ngettext("%(num)d famille importée.", "%(num)d familles importées.", len(families)), "success")
    # Shown at once, not through a redirect: thousands of ids do not fit in a URL. Reloading the
    # page posts a token already used, which imports nothing.
    return render_template("family_admin/created.html", families=search.families_by_id(db, [f.id for f in families]),
                           welcome_form=WelcomeForm())


@bp.post("/familles/import/erreurs.csv")
@staff_required
def import_errors_csv():
    """The errors of a checked file as a spreadsheet; no cell can run as a formula."""
    form = ConfirmImportForm()
    raw = pending.read(_agent_id(), form.token.data or "") if form.validate_on_submit() else None
    if raw is None:
        abort(404)
    plan = csv_import.check(raw, db, clock.paris_today())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Ligne"), _("Erreur")])
    for error in plan.errors:
        params = {k: (_(v) if k == "error" else v) for k, v in error.params.items()}
        writer.writerow([error.line, csv_import.safe_cell(_(error.message, **params))])
    response = Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="erreurs-import-familles.csv"'
    return response


# --- child record ----------------------------------------------------------------------------
@bp.get("/enfants/<int:child_id>/fiche.pdf")
@staff_required
def child_record(child_id: int):
    """« Imprimer la fiche enfant »; the complete one shows health data: the read is journaled."""
    child = db.get(Child, child_id)
    if child is None:
        abort(404)
    complete = request.args.get("version") == "complete"
    now = clock.utcnow()
    health = None
    if complete:
        health = db.scalar(select(ChildHealth).where(ChildHealth.child_id == child.id))
        changes.log_read(db, _agent_id(), child.family_id, child.id, "health", now)
        db.commit()
    doc = pdfs.child_record_pdf(child, health, complete, now)
    name = "fiche-enfant-complete" if complete else "fiche-enfant"
    return pdf_response(doc, f"{name}-{child.id}.pdf")
