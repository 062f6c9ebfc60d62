"""Deployment settings that change security behaviour: production cookies, the Redis rate-limit store."""
import pytest
import redis

from tests.conftest import make_settings
from tests.helpers import HostClient, csrf_token
from webapp import create_app
from webapp.extensions import limiter

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _limiter_back_on_the_suite_app(app):
    """Flask-Limiter keeps one store per Limiter: give the suite's app its own back afterwards."""
    yield
    limiter.init_app(app)


def app_with(tmp_path, app, **settings):
    made = create_app(make_settings(tmp_path, database_url=app.config["SETTINGS"].database_url, **settings))
    made.test_client_class = HostClient
    return made


def test_production_cookie_is_host_only_secure_httponly_lax(app, tmp_path):
    production = app_with(tmp_path, app, production=True)
    client = production.test_client()
    client.host = "alpha.test"
    answer = client.get("/", base_url="https://alpha.test")
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portail=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    production.extensions["tenancy"].storage.dispose()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    from webapp.settings import Settings

    monkeypatch.setenv("PRODUCTION", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings.from_env()


def test_per_ip_limit_is_shared_through_redis(app, tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.ConnectionError:
        pytest.skip("Redis injoignable sur 127.0.0.1:6379")
    first, second = app_with(tmp_path / "a", app, redis_url=REDIS_URL), app_with(tmp_path / "b", app, redis_url=REDIS_URL)
    statuses = []
    for attempt in range(31):  # two workers, one store: the 31st attempt of this minute is refused
        client = (first if attempt % 2 else second).test_client()
        client.host = "beta.test"
        token = csrf_token(client.get("/").get_data(as_text=True))
        answer = client.post("/connexion", data={"identifiant": f"9{attempt:05d}", "password": "x", "csrf_token": token})
        statuses.append(answer.status_code)
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_production_refuses_to_start_without_redis_since_memory_limits_are_per_worker(monkeypatch, tmp_path):
    """Defect: without REDIS_URL each gunicorn worker counted its own per-IP attempts (N workers, N × the limit)."""
    from webapp.settings import Settings

    for name, value in (("PRODUCTION", "1"), ("SECRET_KEY", "s" * 32), ("DATA_KEY", "d" * 32),
                        ("INSTANCE_PATH", str(tmp_path))):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL est obligatoire en production"):
        Settings.from_env()
    monkeypatch.setenv("REDIS_URL", "memory://")
    with pytest.raises(RuntimeError, match="REDIS_URL doit commencer par redis://"):
        Settings.from_env()
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert Settings.from_env().redis_url == REDIS_URL


def test_sign_in_still_answers_when_redis_is_down(app, tmp_path):
    """A Redis outage must not turn the sign-in page into a 500: the database throttle stays the first layer."""
    down = app_with(tmp_path, app, redis_url="redis://127.0.0.1:1/0")
    client = down.test_client()
    client.host = "beta.test"
    token = csrf_token(client.get("/").get_data(as_text=True))
    answer = client.post("/connexion", data={"identifiant": "900001", "password": "x", "csrf_token": token})
    assert answer.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in answer.get_data(as_text=True)
    down.extensions["tenancy"].storage.dispose()
