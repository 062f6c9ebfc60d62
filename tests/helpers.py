"""Test helpers: a host-bound client, SQL recording, CSRF tokens from pages."""
import ast
import re
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import Engine, event


class HostClient(FlaskClient):
    """A test client that sends every request to one host (`client.host`)."""

    host = "portail.test"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


@contextmanager
def recorded_sql():
    """Every SQL statement run meanwhile, on any engine (tenant, platform or other)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def submission_key(html: str) -> str | None:
    """The page's first one-time submission key (forms that create money or numbers), if any."""
    match = SUBMISSION_KEY.search(html)
    return match.group(1) if match else None


def posted_form(html: str, data: dict | None = None) -> dict:
    """`data` with the page's CSRF token and, when the page has one, its first one-time submission key."""
    values = dict(data or {}, csrf_token=csrf_token(html))
    key = submission_key(html)
    if key:
        values["submission_key"] = key
    return values


def sign_in(client, number="100100", password="Famille2026"):
    """Post the family login form of the client's commune, CSRF token included."""
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post("/connexion", data={"identifiant": number, "password": password, "csrf_token": token})


def imported_modules(path) -> set[str]:
    """Top-level names a Python file imports ("." for relative imports): to keep domain modules Flask-free."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0] if node.level == 0 else ".")
    return imported
