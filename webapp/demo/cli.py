"""`flask demo load`: the demo communes' data, then where to go and how to sign in."""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from tenancy.web import current_tenancy
from webapp import clock
from webapp.billing.demo import load_billing
from webapp.demo import data
from webapp.records.demo import load_records

demo_cli = AppGroup("demo", help="Données de démonstration.")


@demo_cli.command("load")
def load() -> None:
    """Load the demo data into every commune (idempotent) and print URLs and logins."""
    tenancy = current_tenancy()
    with Session(tenancy.storage.platform_engine) as session:
        data.load_platform(session)
    platform_host = sorted(tenancy.registry.platform_hosts)[0]
    click.echo(f"\nAnnuaire des communes : http://{platform_host}:{os.environ.get('PORT', '5000')}/")
    for tenant in tenancy.registry:
        with Session(tenancy.storage.engine_for(tenant.schema)) as session:
            logins, wrote = data.load_commune(session, tenant.slug, [v.name for v in tenant.villages])
            data.load_planning(session, tenant, clock.paris_today())
            load_records(session, tenant, clock.utcnow())
            load_billing(session, tenant, clock.utcnow())
            data.load_infos_and_messages(session, tenant, Path(current_app.instance_path) / "uploads" / tenant.slug,
                                         clock.paris_today())
        state = "chargée" if wrote else "déjà chargée"
        click.echo(
            f"\n{tenant.name} ({state})\n"
            f"  Portail : {tenant.base}/\n"
            f"  Famille : identifiant {logins.family_number} ({logins.family_name}), mot de passe {data.FAMILY_PASSWORD}\n"
            f"  Agent   : {tenant.base}/agent/connexion — {logins.agent_email}, mot de passe {data.AGENT_PASSWORD}\n"
            f"            (la première connexion demande d'activer une application d'authentification)"
        )
    click.echo(f"\nFédération : http://{platform_host}:{os.environ.get('PORT', '5000')}/federation/connexion — "
               f"{data.ADMIN_EMAIL}, mot de passe {data.ADMIN_PASSWORD}\n"
               f"  (la première connexion demande d'activer une application d'authentification)\n")
