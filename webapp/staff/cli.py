"""`flask agents …`: a town-hall agent's account from the command line (for scripts and the first admin).

- `add <commune> <e-mail> --name … --role agent|admin`: the password is typed twice, hidden, and
  must follow the agents' rules (12 characters at least, not common, not built on the e-mail,
  the name or the commune). The agent enrols an authenticator app at the first sign-in.
- `disable`, `enable`, `reset-2fa <commune> <e-mail>`: the « Équipe » page's actions, with the
  same rules (never the last active admin) and the same lines in the commune's journal.
"""
import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy.orm import Session

from tenancy.web import current_tenancy
from webapp import clock
from webapp.auth.models import Agent
from webapp.auth.password_policy import check_password
from webapp.auth.passwords import hash_password
from webapp.auth.rules_text import FAILURE_TEXTS
from webapp.staff import team

agents_cli = AppGroup("agents", help="Agents des communes : créer, désactiver, réactiver un compte, "
                                     "réinitialiser son second facteur.")
CLI_DETAILS = "source:cli"  # journal lines of the command line have no acting account

REFUSALS = {
    "self": "impossible sur son propre compte",
    "last_admin": "c'est le dernier administrateur actif : nommez d'abord un autre administrateur",
    "already": "le compte est déjà dans cet état",
}


def check_identity_or_fail(email: str, name: str) -> tuple[str, str]:
    email, name = email.strip().lower(), name.strip()
    wrong = team.check_identity(email, name)
    if "email" in wrong:
        raise click.ClickException(f"adresse électronique invalide : {email}")
    if "name" in wrong:
        raise click.ClickException("le nom est obligatoire (120 caractères au plus)")
    return email, name


def prompt_password(email: str, name: str, places: list[str]) -> str:
    """Typed twice, hidden, following the staff rules; the hash to store."""
    password = click.prompt("Mot de passe", hide_input=True)
    if click.prompt("Confirmez le mot de passe", hide_input=True) != password:
        raise click.ClickException("les deux mots de passe ne sont pas identiques")
    refused = check_password(password, identifiant=email, names=[name], commune_names=places, agent=True)
    if refused:
        with force_locale("fr"):
            reasons = "\n".join(f"  - {FAILURE_TEXTS[code]}" for code in refused)
        raise click.ClickException(f"mot de passe refusé :\n{reasons}")
    return hash_password(password)


def _commune(slug: str):
    tenancy = current_tenancy()
    tenant = tenancy.registry.get(slug)
    if tenant is None:
        raise click.ClickException(f"commune inconnue dans tenants.yaml : {slug}")
    return tenant, Session(tenancy.storage.engine_for(tenant.schema))


@agents_cli.command("add")
@click.argument("slug")
@click.argument("email")
@click.option("--name", required=True, help="Prénom et nom de l'agent.")
@click.option("--role", type=click.Choice(["agent", "admin"]), default="agent", show_default=True,
              help="« admin » gère les agents de la commune.")
def add_agent(slug: str, email: str, name: str, role: str) -> None:
    """Create an agent of the commune SLUG who signs in with EMAIL."""
    tenant, session = _commune(slug)
    email, name = check_identity_or_fail(email, name)
    with session:
        if team.find_by_email(session, team.AGENT_TEAM, email) is not None:
            raise click.ClickException(f"un agent de {slug} utilise déjà l'adresse {email}")
        password_hash = prompt_password(email, name, [tenant.name] + [v.name for v in tenant.villages])
        agent = Agent(email=email, name=name, role=role, password_hash=password_hash)
        session.add(agent)
        session.flush()
        team.AGENT_TEAM.journal(session, "team.created", now=clock.utcnow(), target_id=agent.id,
                                details=f"role:{role} {CLI_DETAILS}")
        session.commit()
    click.echo(f"Agent créé dans {tenant.name} : {email} ({role}).\n"
               f"À sa première connexion ({tenant.base}/agent/connexion), il activera une application "
               f"d'authentification (double facteur).")


def run_team_action(session: Session, which: team.Team, email: str, action: str) -> str:
    """`disable`, `enable` or `reset-2fa` on the account of EMAIL, journaled, committed: its name."""
    member = team.find_by_email(session, which, email)
    if member is None:
        raise click.ClickException(f"aucun compte pour l'adresse {email.strip().lower()}")
    now = clock.utcnow()
    try:
        if action == "disable":
            team.disable(session, which, None, member, now)
        elif action == "enable":
            team.enable(member)
        else:
            team.reset_second_factor(session, which, None, member)
    except team.TeamRefusal as refusal:
        raise click.ClickException(REFUSALS.get(refusal.code, refusal.code)) from None
    event = {"disable": "team.disabled", "enable": "team.enabled", "reset-2fa": "team.second_factor_reset"}[action]
    which.journal(session, event, now=now, target_id=member.id, details=CLI_DETAILS)
    session.commit()
    return member.name


DONE = {
    "disable": "compte désactivé, ses sessions sont fermées",
    "enable": "compte réactivé",
    "reset-2fa": "second facteur réinitialisé, sessions fermées : il activera une application à sa prochaine connexion",
}


def _agent_action(action: str):
    @click.argument("slug")
    @click.argument("email")
    def command(slug: str, email: str) -> None:
        _tenant, session = _commune(slug)
        with session:
            name = run_team_action(session, team.AGENT_TEAM, email, action)
        click.echo(f"{name} ({email.strip().lower()}) : {DONE[action]}.")

    return command


agents_cli.command("disable", help="Désactiver l'agent EMAIL de la commune SLUG : il ne peut plus se connecter, "
                                   "ses sessions sont fermées.")(_agent_action("disable"))
agents_cli.command("enable", help="Réactiver l'agent EMAIL de la commune SLUG.")(_agent_action("enable"))
agents_cli.command("reset-2fa", help="Réinitialiser le second facteur de l'agent EMAIL de la commune SLUG : "
                                     "il en activera un nouveau à sa prochaine connexion.")(_agent_action("reset-2fa"))
