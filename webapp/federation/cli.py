"""`flask federation admins …`: federation admins from the command line (the way in for the first one).

- `add <e-mail> --name …`: the password is typed twice, hidden, with the staff rules; the
  admin enrols an authenticator app at the first sign-in on the platform host;
- `disable`, `enable`, `reset-2fa <e-mail>`: as on « Équipe » (never the last active admin),
  in the platform's journal;
- `list`: every admin with its state and last sign-in.
"""
import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from tenancy.web import current_tenancy
from webapp.federation.models import FederationAdmin
from webapp.staff import team
from webapp.staff.cli import CLI_DETAILS, DONE, check_identity_or_fail, prompt_password, run_team_action
from webapp import clock

federation_cli = AppGroup("federation", help="Administration de la fédération.")
admins_cli = AppGroup("admins", help="Administrateurs de la fédération : créer, lister, désactiver, réactiver, "
                                     "réinitialiser le second facteur.")
federation_cli.add_command(admins_cli)
STATES = {"active": "actif", "invited": "invité", "disabled": "désactivé"}


def _platform() -> tuple[object, Session]:
    tenancy = current_tenancy()
    return tenancy.registry.platform, Session(tenancy.storage.platform_engine)


@admins_cli.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Prénom et nom de l'administrateur.")
def add_admin(email: str, name: str) -> None:
    """Create a federation admin who signs in with EMAIL on the platform host."""
    platform, session = _platform()
    email, name = check_identity_or_fail(email, name)
    with session:
        if team.find_by_email(session, team.ADMIN_TEAM, email) is not None:
            raise click.ClickException(f"un administrateur de la fédération utilise déjà l'adresse {email}")
        admin = FederationAdmin(email=email, name=name, password_hash=prompt_password(email, name, [platform.name]))
        session.add(admin)
        session.flush()
        team.ADMIN_TEAM.journal(session, "team.created", now=clock.utcnow(), target_id=admin.id, details=CLI_DETAILS)
        session.commit()
    click.echo(f"Administrateur de la fédération créé : {email}.\n"
               f"À sa première connexion (/federation/connexion sur l'adresse de la plateforme), il activera une "
               f"application d'authentification (double facteur).")


@admins_cli.command("list")
def list_admins() -> None:
    """Every federation admin: e-mail, name, state, last sign-in (UTC)."""
    _platform_config, session = _platform()
    with session:
        admins = team.members(session, team.ADMIN_TEAM)
        if not admins:
            click.echo("Aucun administrateur de la fédération : créez-en un avec « flask federation admins add ».")
        for admin in admins:
            last = clock.as_utc(admin.last_sign_in_at).strftime("%Y-%m-%d %H:%M UTC") if admin.last_sign_in_at \
                else "jamais connecté"
            click.echo(f"{admin.email}\t{admin.name}\t{STATES[team.state(admin)]}\t{last}")


def _admin_action(action: str):
    @click.argument("email")
    def command(email: str) -> None:
        _platform_config, session = _platform()
        with session:
            name = run_team_action(session, team.ADMIN_TEAM, email, action)
        click.echo(f"{name} ({email.strip().lower()}) : {DONE[action]}.")

    return command


admins_cli.command("disable", help="Désactiver l'administrateur EMAIL : il ne peut plus se connecter, ses sessions "
                                   "sont fermées.")(_admin_action("disable"))
admins_cli.command("enable", help="Réactiver l'administrateur EMAIL.")(_admin_action("enable"))
admins_cli.command("reset-2fa", help="Réinitialiser le second facteur de l'administrateur EMAIL.")(
    _admin_action("reset-2fa"))
