"""The mail commands.

- `flask mail send`: one pass (every commune, then the platform): « Mot de passe oublié »
  demands become e-mails, then due e-mails are sent; then stop.
- `flask mail worker [--interval 10]`: the same pass every INTERVAL seconds (`make run`
  runs it every 5 s); SIGTERM or Ctrl-C ends it after the current pass.
- `flask mail retry [--commune SLUG] [--since DATE]`: queue « failed » e-mails again
  (every commune and the platform, or one of them: `--commune plateforme` for the
  platform's own); they go out on the worker's next pass.
"""
import logging
import signal
import threading
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from webapp import clock
from webapp.clock import PARIS
from webapp.mail import supervision
from webapp.mail.sender import send_pending

log = logging.getLogger(__name__)

mail_cli = AppGroup("mail", help="Courriels : envoyer les files d'attente des communes et de la plateforme.")


def summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['sent']} envoyé(s), {counts['retry']} à réessayer, {counts['failed']} abandonné(s), "
        f"{counts['held']} en attente d'un serveur SMTP, {counts['errors']} commune(s) en erreur"
    )


@mail_cli.command("send")
def send_once() -> None:
    """Answer password demands and send every e-mail due now, in every commune and the platform, then stop."""
    counts = send_pending(current_app._get_current_object())
    click.echo(summary(counts))
    if counts["errors"]:
        raise click.ClickException("une ou plusieurs communes n'ont pas pu être traitées (voir le journal)")


@mail_cli.command("worker")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Secondes d'attente entre deux passages.")
def worker(interval: float) -> None:
    """Run `mail send`'s pass every INTERVAL seconds until SIGTERM or Ctrl-C (the current pass ends first)."""
    app = current_app._get_current_object()
    stop = threading.Event()

    def request_stop(_signum, _frame) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, request_stop)
    click.echo(f"Envoi des courriels toutes les {interval:g} s ; SIGTERM ou Ctrl-C pour arrêter.")
    try:
        while not stop.is_set():
            try:
                counts = send_pending(app)
            except Exception:  # the platform's database may be down: try again next time
                log.exception("passage d'envoi des courriels en échec")
            else:
                if any(counts.values()):
                    click.echo(summary(counts))
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Envoi des courriels arrêté.")


@mail_cli.command("retry")
@click.option("--commune", "slug", metavar="SLUG",
              help=f"Une seule commune (ou « {supervision.PLATFORM_SLUG} » pour les courriels de la plateforme).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), metavar="DATE",
              help="Seulement les courriels créés depuis DATE (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM, heure de Paris).")
def retry(slug: str | None, since: datetime | None) -> None:
    """Queue « failed » e-mails again; the worker sends them on its next pass.

    An e-mail whose link has expired in the meantime goes out as the « faites une
    nouvelle demande » notice instead.
    """
    tenancy = current_app.extensions["tenancy"]
    if slug is not None and slug != supervision.PLATFORM_SLUG and tenancy.registry.get(slug) is None:
        raise click.BadParameter(f"commune inconnue : {slug}", param_hint="--commune")
    since_utc = since.replace(tzinfo=PARIS).astimezone(UTC) if since is not None else None
    done = supervision.retry(tenancy, clock.utcnow(), slug=slug, since=since_utc)
    for name, count in done.items():
        if count:
            click.echo(f"{name} : {count} courriel(s) remis en file" if count > 0 else f"{name} : base injoignable")
    click.echo(f"{sum(c for c in done.values() if c > 0)} courriel(s) remis en file d'attente.")
    if any(c < 0 for c in done.values()):
        raise click.ClickException("une ou plusieurs communes n'ont pas pu être traitées (voir le journal)")
