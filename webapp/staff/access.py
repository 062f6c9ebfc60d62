"""How staff sign in and which pages they may open.

Two kinds of staff share one flow: a commune's agents (on its host, records in the
commune's schema) and federation admins (on the platform host, records in the platform
schema). A `Realm` says where each keeps its records; the views of webapp.staff.views and
webapp.federation.views are thin routes over the steps below:

1. e-mail and password (the same answer for an unknown e-mail): a session is opened on the
   server with `second_factor_done=False`, which is not signed in yet (SignedIn);
2. the authenticator app: enrolment (QR code, first code, recovery codes shown once) when
   the account has none yet, else a code of the app or a recovery code;
3. only then a new session, `second_factor_done=True`, replaces the first one.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.auth import accounts, second_factor
from webapp.auth.forms import PASSWORD_MAX
from webapp.auth.passwords import hash_password, needs_rehash
from webapp.auth.second_factor import StaffStore
from webapp.auth.users import PLATFORM_PREFIX, SignedIn, fresh_cookie_session
from webapp import clock
from webapp.i18n import time_of_day
from webapp.db import db, platform_db
from webapp.staff.team import ADMIN_TEAM, AGENT_TEAM, Team
from webapp.validators import PrintableText

ROLES = {"agent": _l("Agent"), "admin": _l("Administrateur de la commune")}


# --- forms ------------------------------------------------------------------------------
class StaffLoginForm(FlaskForm):
    email = EmailField(
        _l("Adresse électronique"),
        validators=[DataRequired(_l("Saisissez votre adresse électronique.")), Length(max=254), PrintableText()],
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Saisissez votre mot de passe.")), Length(max=PASSWORD_MAX), PrintableText()],
    )


class TotpForm(FlaskForm):
    code = StringField(
        _l("Code à 6 chiffres"),
        validators=[DataRequired(_l("Saisissez le code à 6 chiffres affiché par l'application.")), Length(max=20),
                    PrintableText()],
    )


class RecoveryCodeForm(FlaskForm):
    """Rendered with prefix "secours" next to a TotpForm on the same page."""

    code = StringField(
        _l("Code de secours"),
        validators=[DataRequired(_l("Saisissez un de vos codes de secours.")), Length(max=40), PrintableText()],
    )


# --- where each kind of staff lives -----------------------------------------------------
@dataclass(frozen=True)
class Realm:
    team: Team  # the accounts' tables and journal (webapp.staff.team)
    endpoint: str  # the blueprint: "staff" or "federation"
    db: object  # the request's session proxy holding the records: `db` or `platform_db`
    prefix: Callable[[], str]  # the user id's prefix (SignedIn.tenant_slug)
    issuer: Callable[[], str]  # the name the authenticator app shows
    space_name: object  # the signed-in space's name, e.g. « Espace agent »
    login_title: object
    login_intro: object

    @property
    def store(self) -> StaffStore:
        return self.team.staff

    def url(self, name: str, **values) -> str:
        return url_for(f"{self.endpoint}.{name}", **values)

    def record(self, event: str, now: dt.datetime, account_id: int | None = None, identifier: str = "",
               target_id: int | None = None) -> None:
        """A line of the commune's security journal (agents) or of the platform's (federation admins)."""
        self.team.journal(self.db, event, now=now, actor_id=account_id, target_id=target_id, details=identifier,
                          ip=request.remote_addr or "")


def _platform_name() -> str:
    return current_app.extensions["tenancy"].registry.platform.name


AGENTS = Realm(
    team=AGENT_TEAM,
    endpoint="staff",
    db=db,
    prefix=lambda: g.tenant.slug,
    issuer=lambda: g.tenant.name,
    space_name=_l("Espace agent"),
    login_title=_l("Accès agent"),
    login_intro=_l("Réservé aux agents de la commune. Après le mot de passe, un code de votre application "
                   "d'authentification vous sera demandé."),
)

FEDERATION_ADMINS = Realm(
    team=ADMIN_TEAM,
    endpoint="federation",
    db=platform_db,
    prefix=lambda: PLATFORM_PREFIX,
    issuer=_platform_name,
    space_name=_l("Administration de la fédération"),
    login_title=_l("Accès administration de la fédération"),
    login_intro=_l("Réservé aux administrateurs de la fédération. Après le mot de passe, un code de votre "
                   "application d'authentification vous sera demandé."),
)


# --- who is signed in -------------------------------------------------------------------
def _user_of(realm: Realm) -> SignedIn | None:
    """This realm's account behind the request's session, second factor done or not."""
    user = current_user._get_current_object()
    if isinstance(user, SignedIn) and user.kind == realm.store.kind and user.tenant_slug == realm.prefix():
        return user
    return None


def _signed_in(realm: Realm) -> SignedIn | None:
    user = _user_of(realm)
    return user if user is not None and user.second_factor_done else None


def _pending(realm: Realm) -> SignedIn | None:
    user = _user_of(realm)
    return user if user is not None and not user.second_factor_done else None


def _required(realm: Realm, role: str | None = None):
    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            user = _user_of(realm)
            if user is None:
                return redirect(realm.url("login"))
            if not user.second_factor_done:
                return redirect(realm.url("second_factor"))
            if user.account.disabled_at is not None:  # the loader refuses it too; never an open door
                return redirect(realm.url("login"))
            if role is not None and getattr(user.account, "role", None) != role:
                abort(404)
            return view(*args, **kwargs)

        return guarded

    return decorator


def staff_required(role: str | None = None):
    """An agent of this commune, second factor done (and of `role` when given: else 404).

    Anyone else (anonymous, a family, a session from another commune) goes to the agents'
    sign-in page. `@staff_required`, `@staff_required()` and `@staff_required("admin")`.
    """
    if callable(role):
        return _required(AGENTS)(role)
    return _required(AGENTS, role)


def federation_admin_required(view):
    """A federation admin on the platform host, second factor done."""
    return _required(FEDERATION_ADMINS)(view)


def no_store(response):
    """`after_request` of the staff blueprints: secrets and codes never stay in a cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# --- step 1: e-mail and password ----------------------------------------------------------
def _sign_in(realm: Realm, email: str, password: str, now: dt.datetime):
    """("ok" | "refused" | "throttled", account or None, retry time)."""
    model = realm.store.account_model
    account = realm.db.scalars(select(model).where(func.lower(model.email) == email.lower())).first()
    status, retry = accounts.check_credentials(realm.db, realm.store.throttle_model, realm.store.password_key(email),
                                               account.password_hash if account else None, password, now)
    disabled = status == "ok" and account.disabled_at is not None
    if disabled:
        status = "refused"  # the same answer as a wrong password: a departed agent learns nothing more
    if status == "ok" and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    event = {"ok": "login.password_ok", "refused": "login.failure", "throttled": "login.throttled"}[status]
    event = "login.disabled" if disabled else event
    realm.record(event, now, account.id if account else None, email)
    return status, (account if status == "ok" else None), retry


def _retry_text(retry: dt.datetime) -> str:
    return time_of_day(retry)


def login(realm: Realm):
    if _signed_in(realm) is not None:
        return redirect(realm.url("home"))
    form = StaffLoginForm()

    def page(status: int = 200):
        return render_template("staff/login.html", realm=realm, form=form), status

    if request.method == "GET":
        return page()
    if not form.validate_on_submit():
        return page(400)
    now = clock.utcnow()
    email = form.email.data.strip().lower()
    status, account, retry = _sign_in(realm, email, form.password.data, now)
    realm.db.commit()
    if status == "throttled":
        form.form_errors.append(_("Trop de tentatives pour cet identifiant. Réessayez à partir de %(time)s.",
                                  time=_retry_text(retry)))
        return page(429)
    if status == "refused":
        # Same answer whether the address exists or not: no account enumeration.
        form.form_errors.append(_("Adresse électronique ou mot de passe incorrect."))
        return page()
    return open_pending_session(realm, account, now)


def open_pending_session(realm: Realm, account, now: dt.datetime):
    """Password done (at sign-in, or chosen from an invitation): a half-open session, then the
    authenticator app (enrolment when the account has none)."""
    previous = current_user._get_current_object()
    if isinstance(previous, SignedIn) and previous.tenant_slug == realm.prefix():
        # Whoever was signed in on this host before (a family, another agent) is signed out for good.
        accounts.end_session(realm.db, realm.store.session_model, previous.token)
    fresh_cookie_session()
    if account.totp_confirmed_at is None:
        second_factor.start_enrolment(account)
    token = accounts.open_session(realm.db, realm.store.session_model, realm.store.kind, account.id, now,
                                  second_factor_done=False)
    realm.db.commit()
    login_user(SignedIn(account, realm.store.kind, realm.prefix(), token, second_factor_done=False))
    return redirect(realm.url("second_factor" if account.totp_confirmed_at else "enrol"), 303)


# --- step 2: the authenticator app ------------------------------------------------------
def _not_pending(realm: Realm):
    return redirect(realm.url("home" if _signed_in(realm) else "login"))


def _finish(realm: Realm, user: SignedIn, now: dt.datetime) -> None:
    """Second factor done: a new session id replaces the half-open one."""
    accounts.end_session(realm.db, realm.store.session_model, user.token)
    token = accounts.open_session(realm.db, realm.store.session_model, realm.store.kind, user.account.id, now,
                                  second_factor_done=True)
    user.account.last_sign_in_at = now
    realm.record("login.success", now, user.account.id)
    realm.db.commit()
    login_user(SignedIn(user.account, realm.store.kind, realm.prefix(), token, second_factor_done=True))


def _code_refused(result: second_factor.CodeCheck, field, message: str) -> int:
    if result.status == "throttled":
        field.errors = [_("Trop de tentatives. Réessayez à partir de %(time)s.", time=_retry_text(result.retry_at))]
        return 429
    field.errors = [message]
    return 200


def enrol(realm: Realm):
    """Scan the QR code (or type the secret), then type the first code to switch it on."""
    user = _pending(realm)
    if user is None:
        return _not_pending(realm)
    account = user.account
    if account.totp_confirmed_at is not None:
        return redirect(realm.url("second_factor"))
    if not account.totp_secret:
        second_factor.start_enrolment(account)
        realm.db.commit()
    form = TotpForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            now = clock.utcnow()
            result = second_factor.confirm_enrolment(realm.db, realm.store, account, form.code.data, now)
            if result.status == "ok":
                realm.record("second_factor.enrolled", now, account.id)
                _finish(realm, user, now)
                # Shown in this answer only: the codes exist nowhere else in clear.
                return render_template("staff/recovery_codes.html", realm=realm, codes=result.recovery_codes)
            realm.record("second_factor.failure", now, account.id)
            realm.db.commit()
            status = _code_refused(result, form.code, _("Code incorrect. Vérifiez l'heure de votre téléphone et "
                                                        "saisissez le code affiché maintenant."))
    uri = second_factor.provisioning_uri(account.totp_secret, account.email, realm.issuer())
    return render_template("staff/enrol.html", realm=realm, form=form, qr_code=second_factor.qr_code_data_uri(uri),
                           secret=second_factor.grouped(account.totp_secret), account_name=account.email,
                           issuer=realm.issuer()), status


def verify(realm: Realm):
    """A code of the app, or one of the recovery codes."""
    user = _pending(realm)
    if user is None:
        return _not_pending(realm)
    account = user.account
    if account.totp_confirmed_at is None:
        return redirect(realm.url("enrol"))
    form = TotpForm()
    recovery = RecoveryCodeForm(prefix="secours")
    status = 200
    if request.method == "POST":
        submitted = recovery if "secours-code" in request.form else form
        status = 400
        if submitted.validate_on_submit():
            now = clock.utcnow()
            typed = submitted.code.data
            result = second_factor.check_code(realm.db, realm.store, account, typed if submitted is form else "", now,
                                              recovery_code=typed if submitted is recovery else "")
            if result.status == "ok":
                if result.recovery_code_used:
                    realm.record("second_factor.recovery_code", now, account.id)
                    left = second_factor.remaining_recovery_codes(realm.db, realm.store, account.id)
                    flash(ngettext("Code de secours accepté : il ne servira plus. Il vous reste %(num)d code de "
                                   "secours.", "Code de secours accepté : il ne servira plus. Il vous reste %(num)d "
                                   "codes de secours.", left), "info")
                _finish(realm, user, now)
                return redirect(realm.url("home"), 303)
            realm.record("second_factor.failure", now, account.id)
            realm.db.commit()
            if submitted is form:
                message = _("Code incorrect. Vérifiez l'heure de votre téléphone et saisissez le code affiché "
                            "maintenant.")
            else:
                message = _("Ce code de secours n'est pas valable ou a déjà été utilisé.")
            status = _code_refused(result, submitted.code, message)
    return render_template("staff/second_factor.html", realm=realm, form=form, recovery=recovery), status


# --- signing out -------------------------------------------------------------------------
def logout(realm: Realm):
    """End the session on the server (second factor done or not), back to the sign-in page."""
    user = _user_of(realm)
    if user is not None:
        accounts.end_session(realm.db, realm.store.session_model, user.token)
        realm.db.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(realm.url("login"), 303)
