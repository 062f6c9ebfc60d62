"""`flask payfip reconcile` (attempts whose notification never came), `payfip client`, `payfip standin`.

`reconcile` asks PayFiP about every attempt still "created" after --older-than minutes, in
every PayFiP commune, each in its own short transaction; `--every N` repeats it until
SIGTERM (the `payfip` line of the Procfile). `client <commune>` checks a configured client number
with PayFiP. `standin` serves the local PayFiP stand-in.
"""
import datetime as dt
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from webapp import clock
from webapp.payfip import payments
from webapp.payfip.client import PayfipClient, PayfipError

log = logging.getLogger(__name__)

payfip_cli = AppGroup("payfip", help="Paiement en ligne PayFiP : rapprochement, simulateur local.")


def reconcile_all(app, older_than: dt.timedelta) -> dict[str, int]:
    """One pass over every PayFiP commune; counts by outcome. A failing commune is logged and skipped."""
    tenancy = app.extensions["tenancy"]
    client = PayfipClient(app.config["SETTINGS"].payfip_ws_url)
    counts = {"paid": 0, "refused": 0, "abandoned": 0, "pending": 0, "error": 0, "already": 0, "unknown": 0,
              "communes_failed": 0}
    for tenant in tenancy.registry:
        if tenant.settings.payment_mode != "payfip" or tenant.settings.payfip is None:
            continue
        commune = payments.Commune(tenant.slug, tenant.settings.payfip.client_id, tenant.settings.payfip.environment)
        try:
            with Session(tenancy.storage.engine_for(tenant.schema), expire_on_commit=False) as session:
                for id_op in payments.pending_id_ops(session, clock.utcnow(), older_than):
                    outcome = payments.check(session, id_op, commune, client, clock.utcnow(), source="rapprochement")
                    session.commit()
                    counts[outcome.status] = counts.get(outcome.status, 0) + 1
        except Exception:
            log.exception("rapprochement PayFiP en échec pour %s", tenant.slug)
            counts["communes_failed"] += 1
    return counts


@payfip_cli.command("reconcile")
@click.option("--older-than", type=click.IntRange(min=0), default=20, show_default=True,
              help="Minutes depuis la création de la tentative.")
@click.option("--every", type=click.IntRange(min=0), default=0,
              help="Recommencer toutes les N secondes jusqu'à SIGTERM (0 : une seule fois).")
def reconcile(older_than: int, every: int) -> None:
    """Ask PayFiP about pending attempts and record the verified payments."""
    app = current_app._get_current_object()
    stop = threading.Event()
    if every and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    while True:
        counts = reconcile_all(app, dt.timedelta(minutes=older_than))
        if not every or any(counts.values()):
            click.echo(f"{counts['paid']} payé(s), {counts['refused']} refusé(s), {counts['abandoned']} abandonné(s), "
                       f"{counts['pending']} en attente, {counts['error']} en anomalie, "
                       f"{counts['communes_failed']} commune(s) en erreur")
        if not every or stop.wait(every):
            break
    if counts["communes_failed"] and not every:
        raise click.ClickException("une ou plusieurs communes n'ont pas pu être traitées (voir le journal)")


@payfip_cli.command("client")
@click.argument("slug")
def client_detail(slug: str) -> None:
    """Ask PayFiP (recupererDetailClient) whether a commune's client number is known, and print its names."""
    tenant = current_app.extensions["tenancy"].registry.get(slug)
    if tenant is None or tenant.settings.payfip is None:
        raise click.ClickException(f"commune « {slug} » inconnue ou sans PayFiP")
    numcli = tenant.settings.payfip.client_id
    try:
        detail = PayfipClient(current_app.config["SETTINGS"].payfip_ws_url).client_detail(numcli)
    except PayfipError as exc:
        raise click.ClickException(f"PayFiP refuse le numéro client {numcli} : {exc}") from None
    names = " / ".join(v for k, v in sorted(detail.items()) if k.startswith("libelle") and v)
    click.echo(f"{detail.get('numcli', '')} : {names}")


@payfip_cli.command("standin")
@click.option("--port", type=click.IntRange(min=1, max=65535), default=5099, show_default=True)
def standin(port: int) -> None:
    """Serve the local PayFiP stand-in on 127.0.0.1 (demo and tests only; no real payment)."""
    from webapp.payfip.standin import PayfipStandin, serve

    server, url = serve(PayfipStandin(), port)
    click.echo(f"Simulateur PayFiP sur {url} (PAYFIP_WS_URL={url}/tpa/services/securite, "
               f"PAYFIP_PAYMENT_URL={url}/tpa/paiementws.web) ; Ctrl+C pour arrêter.")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
