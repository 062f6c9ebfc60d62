"""Family sign-in, sign-out and password screens on a commune's host."""
import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tenancy.web import require_tenant
from webapp.auth import accounts
from webapp.auth.forms import ChangePasswordForm, ForgottenPasswordForm, LoginForm, NewPasswordForm
from webapp.auth.demands import record_demand
from webapp.auth.mails import queue_password_changed
from webapp.auth.models import AuthSession
from webapp.auth.password_policy import FAMILY_RULES, check_password
from webapp.auth.passwords import verify_password
from webapp.auth.rules_text import FAILURE_TEXTS, RULE_TEXTS
from webapp.auth.users import SignedIn, fresh_cookie_session
from webapp import clock
from webapp.clock import as_utc
from webapp.i18n import time_of_day
from webapp.db import db
from webapp.extensions import limiter

bp = Blueprint("auth", __name__)
bp.before_request(require_tenant)

PENDING_CHANGE_LIFETIME = dt.timedelta(minutes=15)
PER_IP = "30 per minute; 300 per hour"  # second layer behind the per-account throttle


def _ip() -> str:
    return request.remote_addr or ""


def _login_page(form: LoginForm, status: int = 200):
    return render_template("portal/login.html", form=form), status


@bp.post("/connexion")
@limiter.limit(PER_IP)
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 400)
    now = clock.utcnow()
    result = accounts.sign_in_family(db, form.identifiant.data.strip(), form.password.data, now, _ip())
    db.commit()
    if result.status == "throttled":
        when = time_of_day(result.retry_at)
        form.form_errors.append(_("Trop de tentatives pour cet identifiant. Réessayez à partir de %(time)s.", time=when))
        return _login_page(form, 429)
    if result.status == "refused":
        # Same answer whether the number exists or not: no account enumeration.
        form.form_errors.append(_("Identifiant ou mot de passe incorrect."))
        return _login_page(form)
    fresh_cookie_session()
    if result.status == "must_change":
        session["password_change"] = {"tenant": g.tenant.slug, "family": result.family.id,
                                      "until": (now + PENDING_CHANGE_LIFETIME).isoformat()}
        return redirect(url_for("auth.forced_change"), 303)
    token = accounts.open_session(db, AuthSession, "family", result.family.id, now, second_factor_done=True)
    db.commit()
    login_user(SignedIn(result.family, "family", g.tenant.slug, token))
    return redirect(url_for("portal.home"), 303)


@bp.post("/deconnexion")
def logout():
    """End the session on the server and go to the commune's website, as the seeds promise."""
    if current_user.is_authenticated:
        accounts.end_session(db, AuthSession, current_user.token)
        db.commit()
    logout_user()
    session.clear()
    return redirect(str(g.tenant.website), 303)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def forgotten_password():
    """First activation or forgotten password: the answer never says whether the account exists.

    Nor does its timing: the request only stores the demand, the same row for every
    identifier; the mail worker (`webapp.auth.mails.answer_demands`) looks the account up.
    """
    form = ForgottenPasswordForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("auth/forgotten_password.html", form=form), 400 if request.method == "POST" else 200
    mode = g.tenant.settings.password_reset
    record_demand(db, form.identifiant.data.strip(), mode, clock.utcnow(), _ip())
    db.commit()
    return render_template("auth/request_sent.html", mode=mode)


def _pending_family():
    """The family that signed in with a temporary password and must now choose one."""
    pending = session.get("password_change")
    if not pending or pending.get("tenant") != g.tenant.slug:
        return None
    if clock.utcnow() >= as_utc(dt.datetime.fromisoformat(pending["until"])):
        session.pop("password_change", None)
        return None
    from webapp.families.models import Family

    return db.get(Family, pending["family"])


def _policy_errors(form: NewPasswordForm, family) -> list[str]:
    names = [family.last_name, family.first_name] + [c.first_name for c in family.children]
    communes = [g.tenant.name] + [v.name for v in g.tenant.villages]
    codes = check_password(form.password.data, identifiant=family.number, names=names, commune_names=communes)
    return [str(FAILURE_TEXTS[code]) for code in codes]


def _choose_password(form: NewPasswordForm, family, template: str, **context):
    """Validate and save a new password; the family signs in again afterwards (seed 000)."""
    if form.validate_on_submit():
        errors = _policy_errors(form, family)
        if not errors:
            return None
        form.password.errors = list(form.password.errors) + errors
    status = 400 if request.method == "POST" else 200
    rules = [RULE_TEXTS[code] for code in FAMILY_RULES]
    return render_template(template, form=form, rules=rules, **context), status


@bp.route("/mot-de-passe/nouveau", methods=["GET", "POST"])
def forced_change():
    """« Pour améliorer la sécurité de votre application… »: after a temporary password."""
    family = _pending_family()
    if family is None:
        flash(_("Votre demande a expiré : identifiez-vous de nouveau."), "info")
        return redirect(url_for("site.index"), 303)
    form = NewPasswordForm()
    page = _choose_password(form, family, "auth/forced_change.html")
    if page is not None:
        return page
    accounts.set_family_password(db, family, form.password.data, clock.utcnow(), ip=_ip())
    queue_password_changed(db, g.tenant, family, clock.utcnow())
    db.commit()
    session.clear()
    flash(_("Votre mot de passe est enregistré. Identifiez-vous avec votre nouveau mot de passe."), "success")
    return redirect(url_for("site.index"), 303)


@bp.route("/mot-de-passe/lien/<token>", methods=["GET", "POST"])
def password_link(token: str):
    """The single-use link of an activation or reset e-mail."""
    found = accounts.family_for_link(db, token[:100], clock.utcnow())
    if found is None:
        return render_template("auth/link_expired.html"), 404
    password_request, family = found
    form = NewPasswordForm()
    page = _choose_password(form, family, "auth/link_password.html", token=token)
    if page is not None:
        return page
    now = clock.utcnow()
    password_request.used_at = now
    accounts.set_family_password(db, family, form.password.data, now, ip=_ip())
    queue_password_changed(db, g.tenant, family, now)
    db.commit()
    logout_user()
    session.clear()
    flash(_("Votre mot de passe est enregistré. Identifiez-vous avec votre nouveau mot de passe."), "success")
    return redirect(url_for("site.index"), 303)


@bp.route("/mot-de-passe/changer", methods=["GET", "POST"])
@login_required
def change_password():
    """The padlock: current password, then a new one; every other session ends."""
    family = current_user.family
    if family is None:
        abort(404)
    form = ChangePasswordForm()
    if form.validate_on_submit() and not verify_password(family.password_hash, form.current.data):
        form.current.errors = [_("Le mot de passe actuel est incorrect.")]
        form.password.errors = []
        rules = [RULE_TEXTS[code] for code in FAMILY_RULES]
        return render_template("auth/change_password.html", form=form, rules=rules), 400
    page = _choose_password(form, family, "auth/change_password.html")
    if page is not None:
        return page
    now = clock.utcnow()
    accounts.set_family_password(db, family, form.password.data, now, keep_token=current_user.token, ip=_ip())
    queue_password_changed(db, g.tenant, family, now)
    db.commit()
    flash(_("Votre mot de passe a été modifié. Vos autres sessions ont été fermées."), "success")
    return redirect(url_for("portal.home"), 303)
