"""Family sign-in and sign-out on a commune's host."""
from flask import Blueprint, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from tenancy.web import require_tenant
from webapp.auth.forms import LoginForm
from webapp.auth.passwords import verify_password
from webapp.auth.users import FamilyUser
from webapp.db import db
from webapp.families.models import Family

bp = Blueprint("auth", __name__)
bp.before_request(require_tenant)


@bp.post("/connexion")
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("portal/login.html", form=form), 400
    number = form.identifiant.data.strip()
    family = db.scalar(select(Family).where(Family.number == number))
    if not verify_password(family.password_hash if family else None, form.password.data):
        # Same answer whether the number exists or not: no account enumeration.
        form.form_errors.append(_("Identifiant ou mot de passe incorrect."))
        return render_template("portal/login.html", form=form), 200
    login_user(FamilyUser(family, g.tenant.slug))
    return redirect(url_for("portal.home"), 303)


@bp.post("/deconnexion")
def logout():
    """End the session and go back to the commune's website, as the seeds promise."""
    logout_user()
    return redirect(str(g.tenant.website), 303)
