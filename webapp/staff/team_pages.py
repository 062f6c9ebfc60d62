"""« Équipe »: the pages where an admin manages the staff of their realm (a commune's agents,
or the federation admins), and the invitation link a new member opens.

Thin over webapp.staff.team (the rules) and webapp.staff.access (the sign-in steps): the
routes of webapp.staff.views and webapp.federation.views call these with their Realm.
Every action is a POST with its CSRF token, goes to the realm's journal and ends with a
redirect; a refusal shows the page again with a French message and changes nothing.
"""
import datetime as dt

from flask import abort, current_app, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from webapp import clock
from webapp.auth.forms import NewPasswordForm
from webapp.auth.password_policy import AGENT_RULES, check_password
from webapp.auth.passwords import hash_password
from webapp.auth.rules_text import FAILURE_TEXTS, RULE_TEXTS
from webapp.i18n import day_and_time
from webapp.staff import access, team
from webapp.staff.access import ROLES, Realm
from webapp.validators import PrintableText, select_choices

STATES = {"active": _l("actif"), "invited": _l("invité"), "disabled": _l("désactivé")}
REFUSALS = {
    "email_taken": _l("Un compte utilise déjà cette adresse électronique."),
    "self": _l("Vous ne pouvez pas faire cela sur votre propre compte."),
    "last_admin": _l("C'est le dernier administrateur actif : nommez d'abord un autre administrateur."),
    "unknown_role": _l("Choisissez un rôle dans la liste."),
    "already": _l("Ce compte est déjà dans cet état."),
    "not_invited": _l("Ce compte a déjà choisi son mot de passe : il n'y a pas d'invitation à renvoyer."),
}


class InviteForm(FlaskForm):
    name = StringField(_l("Prénom et nom"), validators=[
        DataRequired(_l("Saisissez le prénom et le nom.")),
        Length(max=team.NAME_MAX, message=_l("120 caractères au plus.")), PrintableText()])
    email = EmailField(_l("Adresse électronique"), validators=[
        DataRequired(_l("Saisissez l'adresse électronique.")),
        Length(max=team.EMAIL_MAX, message=_l("254 caractères au plus.")), PrintableText()])


def _role_field():
    return SelectField(_l("Rôle"), choices=select_choices(ROLES.items()),
                       validators=[DataRequired(_l("Choisissez un rôle dans la liste."))])


class InviteAgentForm(InviteForm):
    role = _role_field()


class RoleForm(FlaskForm):
    role = _role_field()


class ActionForm(FlaskForm):
    """The buttons (disable, reactivate, reset, resend): only the CSRF token."""


# --- the « Équipe » page ------------------------------------------------------------------------
def _actor():
    return current_user.account


def _member(realm: Realm, member_id: int):
    """A member of this realm's team; ids are per commune, so another commune's agent is a 404."""
    member = realm.db.get(realm.team.model, member_id)
    if member is None:
        abort(404)
    return member


def _invite_form(realm: Realm) -> InviteForm:
    return InviteAgentForm(prefix="invite") if realm.team.has_roles else InviteForm(prefix="invite")


def team_page(realm: Realm, form: InviteForm | None = None, error: str = "", status: int = 200):
    members = [{"account": m, "state": team.state(m), "is_admin": realm.team.is_admin(m)}
               for m in team.members(realm.db, realm.team)]
    return render_template("staff/team.html", realm=realm, members=members, states=STATES, roles=ROLES,
                           form=form or _invite_form(realm), error=error, me=_actor().id), status


def _refused(realm: Realm, refusal: team.TeamRefusal):
    realm.db.rollback()
    return team_page(realm, error=str(REFUSALS[refusal.code]), status=400)


def _valid_action(realm: Realm, form: FlaskForm):
    """None when the form (its CSRF token) is valid; else the page again with the reason."""
    if form.validate_on_submit():
        return None
    return team_page(realm, error=_("La demande n'a pas pu être vérifiée : rechargez la page et recommencez."),
                     status=400)


def _done(realm: Realm, message: str):
    realm.db.commit()
    flash(message, "success")
    return redirect(realm.url("team"), 303)


def _queue_invitation(realm: Realm, account, secret: str, now: dt.datetime) -> None:
    """The activation e-mail, queued in the same transaction as the invitation."""
    from webapp.mail import outbox

    expires_at = now + team.INVITATION_LIFETIME
    if realm.endpoint == "staff":
        place, link = g.tenant.name, f"{g.tenant.base}{realm.url('invitation', token=secret)}"
        queue = outbox.queue_mail
    else:
        place, link = access._platform_name(), realm.url("invitation", token=secret, _external=True)
        queue = outbox.queue_platform_mail
    body = render_template("staff/invitation_mail.txt", name=account.name, place=place, link=link,
                           space=realm.space_name, expires=day_and_time(expires_at), email=account.email)
    subject = _("%(place)s – Activez votre compte", place=place)
    queue(realm.db, to=account.email, subject=subject, body=body, now=now, expires_at=expires_at)


def invite(realm: Realm):
    form = _invite_form(realm)
    if not form.validate_on_submit():
        return team_page(realm, form=form, status=400)
    if "email" in team.check_identity(form.email.data, form.name.data):
        form.email.errors = [_("Saisissez une adresse électronique valide, par exemple prenom.nom@mairie.fr.")]
        return team_page(realm, form=form, status=400)
    now = clock.utcnow()
    role = form.role.data if realm.team.has_roles else ""
    try:
        account, secret = team.invite(realm.db, realm.team, email=form.email.data, name=form.name.data, role=role,
                                      now=now)
    except team.TeamRefusal as refusal:
        realm.db.rollback()
        form.email.errors = [str(REFUSALS[refusal.code])]
        return team_page(realm, form=form, status=400)
    _queue_invitation(realm, account, secret, now)
    realm.record("team.invited", now, _actor().id, f"role:{role}" if role else "", target_id=account.id)
    return _done(realm, _("Invitation envoyée à %(email)s.", email=account.email))


def resend(realm: Realm, member_id: int):
    member = _member(realm, member_id)
    if (page := _valid_action(realm, ActionForm())) is not None:
        return page
    now = clock.utcnow()
    try:
        secret = team.issue_invitation(realm.db, realm.team, member, now)
    except team.TeamRefusal as refusal:
        return _refused(realm, refusal)
    _queue_invitation(realm, member, secret, now)
    realm.record("team.invitation_resent", now, _actor().id, target_id=member.id)
    return _done(realm, _("Nouvelle invitation envoyée à %(email)s ; la précédente ne sert plus.",
                          email=member.email))


def change_role(realm: Realm, member_id: int):
    member = _member(realm, member_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return team_page(realm, error=str(REFUSALS["unknown_role"]), status=400)
    try:
        changed = team.change_role(realm.db, realm.team, _actor(), member, form.role.data)
    except team.TeamRefusal as refusal:
        return _refused(realm, refusal)
    if changed:
        realm.record("team.role_changed", clock.utcnow(), _actor().id, f"role:{member.role}", target_id=member.id)
    return _done(realm, _("Rôle de %(name)s : %(role)s.", name=member.name, role=ROLES[member.role]))


def disable(realm: Realm, member_id: int):
    member = _member(realm, member_id)
    if (page := _valid_action(realm, ActionForm())) is not None:
        return page
    now = clock.utcnow()
    try:
        team.disable(realm.db, realm.team, _actor(), member, now)
    except team.TeamRefusal as refusal:
        return _refused(realm, refusal)
    realm.record("team.disabled", now, _actor().id, target_id=member.id)
    return _done(realm, _("Le compte de %(name)s est désactivé : ses sessions sont fermées.", name=member.name))


def enable(realm: Realm, member_id: int):
    member = _member(realm, member_id)
    if (page := _valid_action(realm, ActionForm())) is not None:
        return page
    try:
        team.enable(member)
    except team.TeamRefusal as refusal:
        return _refused(realm, refusal)
    realm.record("team.enabled", clock.utcnow(), _actor().id, target_id=member.id)
    return _done(realm, _("Le compte de %(name)s est réactivé.", name=member.name))


def reset_second_factor(realm: Realm, member_id: int):
    member = _member(realm, member_id)
    if (page := _valid_action(realm, ActionForm())) is not None:
        return page
    try:
        team.reset_second_factor(realm.db, realm.team, _actor(), member)
    except team.TeamRefusal as refusal:
        return _refused(realm, refusal)
    realm.record("team.second_factor_reset", clock.utcnow(), _actor().id, target_id=member.id)
    return _done(realm, _("Second facteur de %(name)s réinitialisé : à sa prochaine connexion, il activera de "
                          "nouveau une application d'authentification.", name=member.name))


# --- the invitation link ---------------------------------------------------------------------
def _place_names(realm: Realm) -> list[str]:
    if realm.endpoint == "staff":
        return [g.tenant.name] + [v.name for v in g.tenant.villages]
    return [current_app.extensions["tenancy"].registry.platform.name]


def invitation(realm: Realm, token: str):
    """Choose a password from the e-mailed link, then enrol the authenticator app as at sign-in."""
    found = team.open_invitation(realm.db, realm.team, token[:100], clock.utcnow())
    if found is None:
        return render_template("staff/invitation_expired.html", realm=realm), 404
    invitation_row, account = found
    form = NewPasswordForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            codes = check_password(form.password.data, identifiant=account.email, names=[account.name],
                                   commune_names=_place_names(realm), agent=True)
            if not codes:
                now = clock.utcnow()
                team.accept_invitation(invitation_row, account, hash_password(form.password.data), now)
                realm.record("team.invitation_accepted", now, account.id, target_id=account.id)
                return access.open_pending_session(realm, account, now)
            form.password.errors = list(form.password.errors) + [str(FAILURE_TEXTS[c]) for c in codes]
    rules = [RULE_TEXTS[code] for code in AGENT_RULES]
    return render_template("staff/invitation.html", realm=realm, form=form, rules=rules, token=token,
                           account=account), status
