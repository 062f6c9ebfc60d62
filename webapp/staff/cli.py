"""`flask agents add <commune> <e-mail> --name … --role agent|admin`: a town-hall agent account.

The password is typed twice, hidden, and must follow the agents' rules (12 characters at
least, not common, not built on the e-mail, the name or the commune). The agent enrols an
authenticator app at the first sign-in.
"""
import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenancy.web import current_tenancy
from webapp.auth.models import Agent
from webapp.auth.password_policy import check_password
from webapp.auth.passwords import hash_password
from webapp.auth.rules_text import FAILURE_TEXTS

agents_cli = AppGroup("agents", help="Agents des communes : créer un compte.")


@agents_cli.command("add")
@click.argument("slug")
@click.argument("email")
@click.option("--name", required=True, help="Prénom et nom de l'agent.")
@click.option("--role", type=click.Choice(["agent", "admin"]), default="agent", show_default=True,
              help="« admin » gère les agents de la commune.")
def add_agent(slug: str, email: str, name: str, role: str) -> None:
    """Create an agent of the commune SLUG who signs in with EMAIL."""
    tenancy = current_tenancy()
    tenant = tenancy.registry.get(slug)
    if tenant is None:
        raise click.ClickException(f"commune inconnue dans tenants.yaml : {slug}")
    email = email.strip().lower()
    name = name.strip()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise click.ClickException(f"adresse électronique invalide : {email}")
    if not name or len(name) > 120:
        raise click.ClickException("le nom est obligatoire (120 caractères au plus)")
    with Session(tenancy.storage.engine_for(tenant.schema)) as session:
        if session.scalar(select(Agent.id).where(func.lower(Agent.email) == email)) is not None:
            raise click.ClickException(f"un agent de {slug} utilise déjà l'adresse {email}")
        password = click.prompt("Mot de passe", hide_input=True)
        if click.prompt("Confirmez le mot de passe", hide_input=True) != password:
            raise click.ClickException("les deux mots de passe ne sont pas identiques")
        refused = check_password(password, identifiant=email, names=[name],
                                 commune_names=[tenant.name] + [v.name for v in tenant.villages], agent=True)
        if refused:
            with force_locale("fr"):
                reasons = "\n".join(f"  - {FAILURE_TEXTS[code]}" for code in refused)
            raise click.ClickException(f"mot de passe refusé :\n{reasons}")
        session.add(Agent(email=email, name=name, role=role, password_hash=hash_password(password)))
        session.commit()
    click.echo(f"Agent créé dans {tenant.name} : {email} ({role}).\n"
               f"À sa première connexion ({tenant.base}/agent/connexion), il activera une application "
               f"d'authentification (double facteur).")
