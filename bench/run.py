"""`make bench`: the scaling figures of Portail Famille, in one run, against their goals.

1. A commune's login page against a trivial route (GET /sante) in the same gunicorn.
2. The same login page with 1,000 registered communes against 3 (host resolution is O(1)).
3. On PostgreSQL: the time to create one tenant, and to `migrate` 200 up-to-date tenants.
4. A web worker's resident memory after serving all 1,000 communes once, on SQLite and
   on PostgreSQL.
5. A family's planning month (3 children × 4 services × 31 days), signed in, against the
   trivial route in the same gunicorn (bench/planning.py prepares it).
6. The agents' day of a commune of 2,000 children: server time of the page and of its CSV,
   on SQLite and on PostgreSQL (bench/planning.py).
7. On PostgreSQL: invoicing a month (draft + issue) for a commune of 2,000 families
   (bench/billing.py).

Everything runs on 127.0.0.1 in a temporary folder (and a PostgreSQL database of its
own, always dropped); every server and client stops by itself. A missed goal is a
result, not a failure: the exit code is non-zero only when the benchmark cannot run.
PostgreSQL: BENCH_POSTGRES_URL (a server URL), else TEST_POSTGRES_URL, else
postgres@127.0.0.1:5432; its figures are skipped when it does not answer.
"""
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # `python bench/run.py` put bench/ there: import from the checkout instead

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy_utils import create_database, drop_database  # noqa: E402

from bench import billing, planning, tenants  # noqa: E402
from bench.load import Result, fetch, hammer, processes, request_bytes  # noqa: E402
from bench.server import gunicorn, rss_mb  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.settings import Settings  # noqa: E402

MANY, FEW, MIGRATED = 1000, 3, 200
WORKERS = 2  # gunicorn workers for the throughput figures (the Makefile's default)
CONNECTIONS = 2  # concurrent clients: one per sync worker (more only adds CPU contention on 2 cores)
ROUNDS, SLICE = 5, 1.0  # throughput: rounds of interleaved slices of seconds (fair on a busy machine)
MIGRATION_PROCESSES = 4
POSTGRES_SERVER = (
    os.environ.get("BENCH_POSTGRES_URL")
    or os.environ.get("TEST_POSTGRES_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Row:
    """One line of the final table; `ok` is None when the figure was skipped."""

    metric: str
    value: str
    goal: str
    ok: bool | None


def say(message: str) -> None:
    print(f"· {message}", flush=True)


# --- set-up -------------------------------------------------------------------------------
def environment(database_url: str, tenants_file: Path, instance: Path, secret: str) -> dict[str, str]:
    """The variables webapp/settings.py reads, for gunicorn and for the in-process app."""
    return {"DATABASE_URL": database_url, "TENANTS_FILE": str(tenants_file),
            "INSTANCE_PATH": str(instance), "SECRET_KEY": secret}


def make_app(env: dict[str, str]):
    return create_app(Settings(database_url=env["DATABASE_URL"], tenants_file=Path(env["TENANTS_FILE"]),
                               instance_path=Path(env["INSTANCE_PATH"]), secret_key=env["SECRET_KEY"]))


def _migrate_share(env: dict[str, str], targets: list[tuple[str, str]]) -> list[str]:
    """In a child process: bring `targets` to head with the app's Migrator; the failures."""
    tenancy = make_app(env).extensions["tenancy"]
    try:
        outcomes = tenancy.migrator.migrate_all(targets)
    finally:
        tenancy.storage.dispose()
    return [f"{o.name}: {o.error}" for o in outcomes if o.failed]


def migrated_app(env: dict[str, str], label: str):
    """The app on `env`, with the platform and every commune migrated.

    Set-up, not a figure: the platform first, then the communes shared among a few
    processes (the app's own Migrator in each), which shortens the run by a third.
    """
    app = make_app(env)
    tenancy = app.extensions["tenancy"]
    started = time.perf_counter()
    failed = [f"{o.name}: {o.error}" for o in tenancy.migrator.migrate_all([]) if o.failed]
    tenancy.storage.dispose()  # no pooled connection crosses the fork
    targets = [(t.slug, t.schema) for t in tenancy.registry]
    shares = [targets[i::MIGRATION_PROCESSES] for i in range(MIGRATION_PROCESSES)]
    if not failed:
        with processes(MIGRATION_PROCESSES) as pool:
            failed = sum(pool.starmap(_migrate_share, [(env, share) for share in shares]), [])
    if failed:
        raise RuntimeError(f"migration failed on {label}: {failed[:3]}")
    say(f"{label}: platform + {len(targets):,} communes migrated in {time.perf_counter() - started:.1f} s")
    return app


# --- figures 1 and 2: throughput ----------------------------------------------------------
def throughput(env_few: dict, env_many: dict, host: str, logs: Path, family: planning.Target) -> list[Row]:
    """Login page vs /sante (3 communes), login page with 1,000 vs 3 communes, and a signed-in
    family's planning month vs /sante (3 communes).

    Both gunicorns run at once and the four targets are measured in short interleaved
    slices; each ratio is the median of its per-round ratios, so that a burst of other
    work on the machine spoils one round rather than one figure.
    """
    with gunicorn(env_few, WORKERS, logs / "gunicorn-few.log") as few, \
            gunicorn(env_many, WORKERS, logs / "gunicorn-many.log") as many:
        family = planning.checked(few.port, family, "family page")  # 200 and the child's name, or no figure
        targets = {"trivial": (few, host, "/sante", None), "login": (few, host, "/", None),
                   "login-many": (many, host, "/", None),
                   "planning": (few, family.host, family.path, family.cookie)}
        for server, on, path, cookie in targets.values():  # warm-up: every worker booted, templates compiled
            hammer(server.port, on, path, seconds=1.0, connections=CONNECTIONS, cookie=cookie)
        rounds = [{name: hammer(server.port, on, path, seconds=SLICE, connections=CONNECTIONS, cookie=cookie)
                   for name, (server, on, path, cookie) in targets.items()} for _ in range(ROUNDS)]
    totals = {name: sum((r[name] for r in rounds), Result(0, 0, 0.0)) for name in targets}
    for name, total in totals.items():
        say(f"{name:<11} {total.rate:6.0f} req/s ({total.requests} in {total.seconds:.1f} s, {total.errors} errors)")
        if total.errors > 0.01 * max(total.requests, 1):
            raise RuntimeError(f"{name}: {total.errors} failed requests out of {total.requests}")
    login_trivial = [r["login"].rate / r["trivial"].rate for r in rounds]
    many_few = [r["login-many"].rate / r["login"].rate for r in rounds]
    planning_trivial = [r["planning"].rate / r["trivial"].rate for r in rounds]
    say(f"per round: login/trivial {' '.join(f'{x:.2f}' for x in login_trivial)}; "
        f"{MANY:,}/{FEW} {' '.join(f'{x:.2f}' for x in many_few)}; "
        f"planning/trivial {' '.join(f'{x:.3f}' for x in planning_trivial)}")
    a, b, c = statistics.median(login_trivial), statistics.median(many_few), statistics.median(planning_trivial)
    trivial, login, login_many, month = (total.rate for total in totals.values())
    say(f"family planning page / trivial route: {c:.3f} ({month:.1f} / {trivial:.0f} req/s)")
    return [
        Row("login page / trivial route (throughput)", f"{a:.2f}  ({login:.0f} / {trivial:.0f} req/s)",
            "≥ 0.5", a >= 0.5),
        Row(f"login page, {MANY:,} / {FEW} communes (throughput)", f"{b:.2f}  ({login_many:.0f} / {login:.0f} req/s)",
            "≥ 0.9", b >= 0.9),
        Row("family planning page, 3 children × 4 services × 31 days / trivial route (throughput)",
            f"{c:.3f}  ({month:.1f} / {trivial:.0f} req/s)", f"≥ {planning.PAGE_GOAL}", c >= planning.PAGE_GOAL),
    ]


# --- figure 4: memory ---------------------------------------------------------------------
def memory(env: dict, communes: list[dict], app, label: str, logs: Path) -> Row:
    """RSS of a single worker after each commune's login page was served once.

    The login page alone touches no database, so each request also carries a signed
    session cookie naming a user of its commune (`<slug>:family:1`, which exists in no
    commune): the user loader opens that commune's engine and runs its query, finds
    nobody, and the page stays the login page. The per-commune engines are thus opened
    1,000 times, which is what the goal is about.
    """
    sign = app.session_interface.get_signing_serializer(app).dumps
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    with gunicorn(env, 1, logs / f"gunicorn-memory-{label}.log") as server:
        (worker,) = server.workers()
        before = rss_mb(worker)
        started = time.perf_counter()
        for commune in communes:
            cookie = f"{cookie_name}={sign({'_user_id': commune['slug'] + ':family:1'})}"
            status = fetch(server.port, request_bytes(commune["hosts"][0], "/", cookie))
            if status != 200:
                raise RuntimeError(f"{label}: GET / on {commune['hosts'][0]} answered {status}")
        after = rss_mb(worker)
    say(f"{label}: {len(communes):,} login pages in {time.perf_counter() - started:.1f} s, "
        f"worker RSS {before:.0f} MB → {after:.0f} MB")
    return Row(f"worker RSS after {len(communes):,} communes ({label})", f"{after:.0f} MB  (at start {before:.0f} MB)",
               "< 200 MB", after < 200)


# --- figure 3 (and 4 on PostgreSQL) -------------------------------------------------------
def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # noqa: BLE001 - any connection problem means "skip"
        say(f"PostgreSQL unreachable ({make_url(POSTGRES_SERVER).render_as_string()}): "
            f"{str(exc).strip().splitlines()[0]}")
        return False
    finally:
        engine.dispose()


def postgres(many_file: Path, communes: list[dict], instance: Path, secret: str, logs: Path) -> list[Row]:
    """Create, migrate and serve on a fresh database `pf_bench_<hex>`, dropped in any case."""
    url = make_url(POSTGRES_SERVER).set(database=f"pf_bench_{secrets.token_hex(4)}")
    create_database(url)
    app = None
    try:
        env = environment(url.render_as_string(hide_password=False), many_file, instance, secret)
        app = migrated_app(env, f"PostgreSQL {url.database}")
        migrator = app.extensions["tenancy"].migrator
        creations = []
        for n in range(3):  # fresh schemas, not in tenants.yaml: `flask tenants create`'s work
            started = time.perf_counter()
            migrator.create("tenant", f"t_bench_new_{n}")
            creations.append(time.perf_counter() - started)
        create = statistics.median(creations)
        registry = app.extensions["tenancy"].registry
        started = time.perf_counter()
        outcomes = migrator.migrate_all([(t.slug, t.schema) for t in list(registry)[:MIGRATED]])
        migrate = time.perf_counter() - started
        if {o.action for o in outcomes} != {"up to date"}:
            raise RuntimeError(f"migrate over {MIGRATED} tenants was expected to find them up to date")
        say(f"create one tenant: {', '.join(f'{s:.2f}' for s in creations)} s; "
            f"migrate {MIGRATED} up-to-date tenants: {migrate:.2f} s")
        app.extensions["tenancy"].storage.dispose()  # no idle connection left for the server
        return [
            Row("create one tenant (PostgreSQL, median of 3)", f"{create:.2f} s", "< 1 s", create < 1),
            Row(f"migrate {MIGRATED} up-to-date tenants (PostgreSQL)", f"{migrate:.2f} s", "< 10 s", migrate < 10),
            memory(env, communes, app, "PostgreSQL", logs),
            *(Row(*figure) for figure in planning.agent_day(app, env, communes[1], "PostgreSQL", logs)),
            *(Row(*figure) for figure in billing.month_invoicing(app, communes[2], "PostgreSQL")),
        ]
    finally:
        if app is not None:
            app.extensions["tenancy"].storage.dispose()
        drop_database(url)
        say(f"database {url.database} dropped")


def skipped_postgres() -> list[Row]:
    return [Row(metric, "skipped (PostgreSQL unreachable)", goal, None) for metric, goal in (
        ("create one tenant (PostgreSQL)", "< 1 s"),
        (f"migrate {MIGRATED} up-to-date tenants (PostgreSQL)", "< 10 s"),
        (f"worker RSS after {MANY:,} communes (PostgreSQL)", "< 200 MB"),
        (f"agents' day page, {planning.DAY_CHILDREN:,} children (PostgreSQL, server time)",
         f"< {planning.DAY_GOAL_MS} ms"),
        (f"agents' day CSV export, {planning.DAY_CHILDREN:,} children (PostgreSQL, server time)", planning.NO_GOAL),
        (f"invoice a month, {billing.FAMILIES:,} families, draft + issue (PostgreSQL)", f"< {billing.GOAL_S:.0f} s"),
    )]


# --- the run ------------------------------------------------------------------------------
def print_table(rows: list[Row]) -> None:
    header = Row("metric", "value", "goal", None)
    widths = [max(len(getattr(r, f)) for r in [header, *rows]) for f in ("metric", "value", "goal")]
    print()
    for row in [header, *rows]:
        status = "result" if row is header else {True: "OK", False: "NOT OK", None: "SKIPPED"}[row.ok]
        if row.ok is None and row.goal == planning.NO_GOAL and not row.value.startswith("skipped"):
            status = "info"  # a figure printed with no goal of its own
        print("  ".join(s.ljust(w) for s, w in zip((row.metric, row.value, row.goal), widths)), status)


def bench() -> list[Row]:
    load = os.getloadavg()[0]
    say(f"{os.cpu_count()} cores, load average {load:.2f} (other work on the machine skews throughput)")
    secret = secrets.token_hex(32)  # one key, so that every worker accepts the same sessions
    with tempfile.TemporaryDirectory(prefix="pf-bench-") as folder:
        tmp = Path(folder)
        tenants.write(tmp / f"tenants-{FEW}.yaml", FEW)
        communes = tenants.write(tmp / f"tenants-{MANY}.yaml", MANY)
        host = communes[0]["hosts"][0]
        sqlite = f"sqlite:///{tmp / 'sqlite'}"  # shared by both files: the 3 are the first of the 1,000
        env_few = environment(sqlite, tmp / f"tenants-{FEW}.yaml", tmp / "instance", secret)
        env_many = environment(sqlite, tmp / f"tenants-{MANY}.yaml", tmp / "instance", secret)
        app = migrated_app(env_many, "SQLite")
        app.extensions["tenancy"].storage.dispose()
        family = planning.family_page(app, communes[0])  # the first commune's; the agents' day is the second's
        say(f"throughput on {host}: {WORKERS} workers, {CONNECTIONS} connections, "
            f"{ROUNDS} rounds of interleaved {SLICE:.0f} s slices")
        rows = throughput(env_few, env_many, host, tmp, family)
        rows.append(memory(env_many, communes, app, "SQLite", tmp))
        rows += [Row(*figure) for figure in planning.agent_day(app, env_few, communes[1], "SQLite", tmp)]
        if postgres_reachable():
            rows += postgres(tmp / f"tenants-{MANY}.yaml", communes, tmp / "instance", secret, tmp)
        else:
            rows += skipped_postgres()
    return rows


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-ups on `kill`
    started = time.perf_counter()
    try:
        rows = bench()
    except Exception:  # noqa: BLE001 - the benchmark itself failed: say why, exit non-zero
        traceback.print_exc()
        print("\nbench failed (see above); servers, folders and databases were cleaned up.", file=sys.stderr)
        return 1
    print_table(rows)
    print(f"\n{time.perf_counter() - started:.0f} s in all; a missed goal is a result, not an error.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
