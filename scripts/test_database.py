"""Create or drop the PostgreSQL database of one test run (a unique name per run)."""
import secrets
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy_utils import create_database, drop_database


def create(server_url: str) -> str:
    url = make_url(server_url).set(database=f"pf_test_{secrets.token_hex(4)}")
    with create_engine(server_url, connect_args={"connect_timeout": 3}).connect() as conn:
        conn.execute(text("SELECT 1"))
    create_database(url)
    return url.render_as_string(hide_password=False)


def main() -> int:
    action, url = sys.argv[1], sys.argv[2]
    try:
        if action == "create":
            print(create(url))
        else:
            drop_database(url)
    except Exception as exc:  # noqa: BLE001 - report any connection problem to the shell script
        print(f"{action}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
