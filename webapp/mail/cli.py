"""`flask mail send` (one pass over every commune) and `flask mail worker` (a pass every few seconds)."""
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.mail.sender import send_pending

log = logging.getLogger(__name__)

mail_cli = AppGroup("mail", help="Courriels : envoyer la file d'attente des communes.")


def summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['sent']} envoyé(s), {counts['retry']} à réessayer, {counts['failed']} abandonné(s), "
        f"{counts['held']} en attente d'un serveur SMTP, {counts['errors']} commune(s) en erreur"
    )


@mail_cli.command("send")
def send_once() -> None:
    """Send every e-mail due now, in every commune, then stop."""
    counts = send_pending(current_app._get_current_object())
    click.echo(summary(counts))
    if counts["errors"]:
        raise click.ClickException("une ou plusieurs communes n'ont pas pu être traitées (voir le journal)")


@mail_cli.command("worker")
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Secondes d'attente entre deux passages.")
def worker(interval: float) -> None:
    """Send due e-mails every INTERVAL seconds until SIGTERM or Ctrl-C (the current pass ends first)."""
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
