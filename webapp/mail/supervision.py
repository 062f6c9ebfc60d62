"""Every outbox at once (each commune's and the platform's), for the federation: counts,
« failed » e-mails without their bodies, and queueing them again.

Used by `flask mail retry` and /federation/courriels. Each commune is read in its own
session; one whose database fails is reported, the others carry on.
"""
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tenancy.storage import PLATFORM_SCHEMA
from webapp.mail import outbox
from webapp.mail.models import OutboxMail, OutboxMailMixin, PlatformOutboxMail

log = logging.getLogger(__name__)

PLATFORM_SLUG = "plateforme"  # the platform outbox's name in commands and URLs (no commune may use it)
FAILED_LISTED = 50  # per outbox on the page


@dataclass(frozen=True)
class Outbox:
    slug: str
    name: str
    engine: Engine
    model: type[OutboxMailMixin]


@dataclass
class OutboxState:
    outbox: Outbox
    counts: dict[str, int] = field(default_factory=dict)
    failed: list = field(default_factory=list)
    error: bool = False


def outboxes(tenancy, slug: str | None = None) -> list[Outbox]:
    """The provisioned communes' outboxes, then the platform's; only `slug`'s when given."""
    storage, found = tenancy.storage, []
    existing = storage.existing_schemas()
    for tenant in tenancy.registry:
        if tenant.schema in existing and slug in (None, tenant.slug):
            found.append(Outbox(tenant.slug, tenant.name, storage.engine_for(tenant.schema), OutboxMail))
    if slug in (None, PLATFORM_SLUG) and storage.exists(PLATFORM_SCHEMA):
        found.append(Outbox(PLATFORM_SLUG, tenancy.registry.platform.name, storage.platform_engine,
                            PlatformOutboxMail))
    return found


def overview(tenancy) -> list[OutboxState]:
    """Counts per status and the latest « failed » e-mails of every outbox."""
    states = []
    for box in outboxes(tenancy):
        state = OutboxState(box)
        try:
            with Session(box.engine) as session:
                state.counts = outbox.count_by_status(session, box.model)
                if state.counts[outbox.FAILED]:  # most outboxes have none: one query for them, not two
                    state.failed = outbox.failed_mails(session, FAILED_LISTED, box.model)
                session.expunge_all()
        except Exception:  # noqa: BLE001  (one commune's database down: the page shows the others)
            log.exception("courriels de %s illisibles", box.slug)
            state.error = True
        states.append(state)
    return states


def retry(tenancy, now: datetime, *, slug: str | None = None, since: datetime | None = None,
          mail_id: int | None = None) -> dict[str, int]:
    """Queue « failed » e-mails again (of `slug` only, created since `since`, or one `mail_id`).

    Returns {slug: how many}; a commune whose database failed maps to -1.
    """
    done = {}
    for box in outboxes(tenancy, slug):
        try:
            with Session(box.engine) as session:
                done[box.slug] = outbox.retry_failed(session, now, since=since, mail_id=mail_id, model=box.model)
                session.commit()
        except Exception:  # noqa: BLE001
            log.exception("courriels de %s : nouvel essai impossible", box.slug)
            done[box.slug] = -1
    return done


def mask_address(address: str) -> str:
    """« j•••@example.org »: enough to recognise a mistyped domain, not to read who it is."""
    local, _, domain = (address or "").partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"
