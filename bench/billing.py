"""Billing's figure: invoicing a month (draft + issue) for a commune of 2,000 families, on PostgreSQL.

2,000 families (QF known for 4 in 5), 3,000 children, the 4 demo services with tariffs
(QF brackets, a late surcharge), a month of accepted reservations (~130,000 cells), some
excused and billed absences and a closure. Timed: `invoicing.compute_drafts` then
`invoicing.issue_month`, each committed, as an agent's two clicks would run them. Goal:
under 30 s. Bulk rows go in with executemany.

Run alone: `.venv/bin/python bench/billing.py` (fresh database `pf_bench_<hex>`, dropped);
`bench/run.py` calls `month_invoicing(app, commune, label)` in its PostgreSQL part.
"""
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[0] = str(ROOT)

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from webapp.billing import invoicing  # noqa: E402
from webapp.billing.models import Invoice, Regie, Tariff, TariffBracket  # noqa: E402
from webapp.demo.data import SERVICES  # noqa: E402
from webapp.families.models import Child, Family  # noqa: E402
from webapp.models import tenant_metadata  # noqa: E402
from webapp.planning.models import Closure, DayRequest, Service  # noqa: E402

FAMILIES = 2000
GOAL_S = 30.0
YEAR, MONTH = 2025, 11
BOOKED_SHARE = {"restauration": 0.85, "garderie_matin": 0.4, "garderie_midi": 0.3, "garderie_soir": 0.55}
NOW = dt.datetime(2025, 12, 1, 8, tzinfo=dt.UTC)

Figure = tuple[str, str, str, bool | None]


def say(message: str) -> None:
    print(f"· {message}", flush=True)


def prepare(db: Session) -> int:
    """The commune's families, services, tariffs and month of requests; returns the cells booked."""
    rng = random.Random("portail-famille-bench-billing")
    db.execute(insert(Regie), [dict(code="alsh", name="Régie garderie ALSH", invoice_prefix="AL", credit_prefix="AVAL",
                                    next_invoice_number=1, next_credit_number=1, next_receipt_number=1),
                               dict(code="resto", name="Régie restauration scolaire", invoice_prefix="RS",
                                    credit_prefix="AVRS", next_invoice_number=1, next_credit_number=1,
                                    next_receipt_number=1)])
    regies = {r.code: r.id for r in db.scalars(select(Regie))}
    db.execute(insert(Service), [dict(code=code, name=name, site="École du banc", regie=regie, weekdays="1101100",
                                      nature="meal" if code == "restauration" else "childcare")
                                 for code, name, regie in SERVICES])
    services = {s.code: s for s in db.scalars(select(Service))}
    for code, service in services.items():
        meal = code == "restauration"
        db.add(Tariff(service_id=service.id, regie_id=regies["resto" if meal else "alsh"],
                      nature="meal" if meal else "childcare", unit_label="repas" if meal else "séance",
                      late_surcharge_cents=0 if meal else 50,
                      brackets=[TariffBracket(qf_max=q, price_cents=p) for q, p in
                                ((500, 120), (900, 180), (None, 250))] if not meal else
                      [TariffBracket(qf_max=600, price_cents=290), TariffBracket(qf_max=None, price_cents=385)]))
    db.flush()
    db.execute(insert(Family), [dict(number=str(700000 + n), civility="Mme", last_name=f"BANC{n:04d}",
                                     first_name="Famille", email=None, village="", email_allowed=False,
                                     caf_quotient=rng.randrange(300, 1500) if rng.random() < 0.8 else None)
                                for n in range(FAMILIES)])
    family_ids = list(db.scalars(select(Family.id).order_by(Family.id)))
    children = [dict(family_id=f, last_name="BANC", first_name=f"Enfant{k}", birth_date=dt.date(2017 + k, 3, 1),
                     school="École du banc", school_class="")
                for i, f in enumerate(family_ids) for k in range(1 if i % 2 else 2)]
    db.execute(insert(Child), children)
    kids = db.execute(select(Child.id, Child.family_id)).all()
    start, end = invoicing.month_bounds(YEAR, MONTH)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    rows = []
    for child_id, family_id in kids:
        for code, service in services.items():
            for day in days:
                if service.runs_on(day) and rng.random() < BOOKED_SHARE[code]:
                    late = rng.random() < 0.02
                    rows.append(dict(family_id=family_id, child_id=child_id, service_id=service.id, day=day,
                                     kind="reservation", state="accepted", regular=False, comment="", late=late,
                                     created_at=NOW, reason=""))
                    if rng.random() < 0.03:
                        rows.append(dict(family_id=family_id, child_id=child_id, service_id=service.id, day=day,
                                         kind="absence", state="accepted", regular=False, comment="", late=False,
                                         billed=rng.random() < 0.3, motive="medical", created_at=NOW, reason=""))
    for offset in range(0, len(rows), 20000):
        db.execute(insert(DayRequest), rows[offset:offset + 20000])
    db.add(Closure(day=dt.date(2025, 11, 20), service_id=services["garderie_midi"].id, reason="Grève",
                   created_at=NOW))
    db.commit()
    return sum(1 for r in rows if r["kind"] == "reservation")


def month_invoicing(app, commune: dict, label: str) -> list[Figure]:
    """Prepare the commune (its billing tables created if the migrations lack them), then time the month."""
    tenancy = app.extensions["tenancy"]
    tenant = tenancy.registry.get(commune["slug"])
    engine = tenancy.storage.engine_for(tenant.schema)
    tenant_metadata.create_all(engine, checkfirst=True)
    started = time.perf_counter()
    with Session(engine) as db:
        cells = prepare(db)
    say(f"{label}: {FAMILIES:,} families, {cells:,} booked cells prepared in {time.perf_counter() - started:.1f} s")
    with Session(engine) as db:
        started = time.perf_counter()
        summary = invoicing.compute_drafts(db, year=YEAR, month=MONTH, now=NOW, school_zone="A")
        db.commit()
        drafted = time.perf_counter() - started
        issued = invoicing.issue_month(db, year=YEAR, month=MONTH, now=NOW, agent_id=1)
        db.commit()
        total = time.perf_counter() - started
        count = db.scalar(select(func.count()).select_from(Invoice).where(Invoice.status == "issued"))
    if count != summary.drafts or len(issued) != count:
        raise RuntimeError(f"billing bench: {summary.drafts} drafts but {count} issued invoices")
    say(f"{label}: {summary.drafts:,} invoices drafted in {drafted:.1f} s, issued in {total - drafted:.1f} s "
        f"(total {summary.total_cents / 100:,.2f} €)")
    return [(f"invoice a month, {FAMILIES:,} families, draft + issue ({label})",
             f"{total:.1f} s  ({summary.drafts:,} invoices)", f"< {GOAL_S:.0f} s", total < GOAL_S)]


def main() -> int:
    import secrets
    import tempfile

    from sqlalchemy.engine import make_url
    from sqlalchemy_utils import create_database, drop_database

    from bench import run, tenants

    url = make_url(run.POSTGRES_SERVER).set(database=f"pf_bench_{secrets.token_hex(4)}")
    create_database(url)
    app = None
    try:
        with tempfile.TemporaryDirectory(prefix="pf-bench-billing-") as folder:
            communes = tenants.write(Path(folder) / "tenants.yaml", 3)
            env = run.environment(url.render_as_string(hide_password=False), Path(folder) / "tenants.yaml",
                                  Path(folder) / "instance", secrets.token_hex(32))
            app = run.migrated_app(env, f"PostgreSQL {url.database}")
            for figure in month_invoicing(app, communes[2], "PostgreSQL"):
                print("  ".join(str(part) for part in figure[:3]), "OK" if figure[3] else "NOT OK")
    finally:
        if app is not None:
            app.extensions["tenancy"].storage.dispose()
        drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
