"""`flask tenants list | create | migrate | drop`."""
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tenancy.migrate import Outcome
from tenancy.web import current_tenancy

tenants_cli = AppGroup("tenants", help="Communes : lister, créer, migrer, supprimer.")


def _tenant_or_exit(slug: str):
    tenant = current_tenancy().registry.get(slug)
    if tenant is None:
        raise click.ClickException(f"commune inconnue dans tenants.yaml : {slug}")
    return tenant


@tenants_cli.command("list")
def list_tenants() -> None:
    """Each commune with its hosts and its migration state."""
    tenancy = current_tenancy()
    head = tenancy.migrator.head("tenant")
    revisions = tenancy.migrator.read_revisions([t.schema for t in tenancy.registry])
    for tenant in tenancy.registry:
        revision, exists = revisions[tenant.schema]
        state = "absent" if not exists else ("à jour" if revision == head else f"en retard ({revision})")
        click.echo(f"{tenant.slug:<28} {tenant.kind:<8} {state:<22} {', '.join(tenant.hosts)}")


@tenants_cli.command("create")
@click.argument("slug")
def create_tenant(slug: str) -> None:
    """Provision a commune declared in tenants.yaml (tables from the models, stamped at head)."""
    tenancy = current_tenancy()
    tenant = _tenant_or_exit(slug)
    if tenancy.storage.exists(tenant.schema) and tenancy.migrator.current(tenant.schema):
        raise click.ClickException(f"{slug} existe déjà ; utilisez « flask tenants migrate »")
    tenancy.migrator.create("tenant", tenant.schema)
    click.echo(f"{slug} créée ({tenant.schema}).")


@tenants_cli.command("migrate")
def migrate_all() -> None:
    """Platform, then every commune; skips those at head, carries on past failures."""
    tenancy = current_tenancy()
    targets = [(t.slug, t.schema) for t in tenancy.registry]
    outcomes: list[Outcome] = []
    with click.progressbar(length=len(targets) + 1, label="Migration", file=sys.stderr) as bar:
        def advance(outcome: Outcome) -> None:
            outcomes.append(outcome)
            bar.update(1)

        tenancy.migrator.migrate_all(targets, progress=advance)
    for outcome in outcomes:
        detail = outcome.error or outcome.revision or ""
        click.echo(f"{outcome.name:<28} {outcome.action:<11} {outcome.seconds:6.2f}s  {detail}")
    failed = [o.name for o in outcomes if o.failed]
    counts = {a: sum(o.action == a for o in outcomes) for a in ("created", "upgraded", "up to date", "failed")}
    click.echo(", ".join(f"{n} {a}" for a, n in counts.items()))
    if failed:
        raise click.ClickException(f"échec pour : {', '.join(failed)}")


@tenants_cli.command("drop")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def drop_tenant(slug: str, yes: bool) -> None:
    """Dump a commune's data to instance/dumps, then delete its schema or file."""
    tenancy = current_tenancy()
    tenant = _tenant_or_exit(slug)
    if not tenancy.storage.exists(tenant.schema):
        raise click.ClickException(f"{slug} n'a pas de données")
    if not yes:
        click.confirm(f"Supprimer toutes les données de « {tenant.name} » ?", abort=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(current_app.instance_path) / "dumps" / f"{slug}-{stamp}"
    dump = tenancy.storage.dump(tenant.schema, folder)
    tenancy.storage.drop(tenant.schema)
    click.echo(f"{slug} supprimée ; sauvegarde : {dump}")


@tenants_cli.command("revision")
@click.option("--kind", type=click.Choice(["tenant", "platform"]), default="tenant")
@click.option("-m", "--message", required=True)
def new_revision(kind: str, message: str) -> None:
    """Write a migration from the models' changes (developers)."""
    click.echo(current_tenancy().migrator.autogenerate(kind, message))
