"""Process settings, read from the environment (12-factor), with safe demo defaults."""
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgres://` spellings of hosting platforms; we speak psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _local_secret(instance: Path, name: str = "secret_key") -> str:
    """A random key kept in instance/, shared by every worker of a demo or dev server."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Settings:
    """Everything the deployment (not a commune) decides.

    DATABASE_URL: `postgresql+psycopg://…` (one schema per commune) or
    `sqlite:///<folder>` (one file per commune); the default is SQLite under instance/.
    """

    database_url: str = ""
    instance_path: Path = ROOT / "instance"
    tenants_file: Path = ROOT / "tenants.yaml"
    themes_path: Path = ROOT / "themes"
    migrations_path: Path = ROOT / "migrations"
    secret_key: str = ""
    # Encrypts sensitive fields at rest (webapp.crypto); apart from SECRET_KEY so that
    # rotating the session key never makes the stored IBANs unreadable.
    data_key: str = ""
    demo: bool = False
    production: bool = False
    redis_url: str | None = None
    trusted_proxies: int = 0
    citus: bool = False
    mail: dict = field(default_factory=dict)
    # PayFiP Régie web service and payment page (the DGFiP's; a local stand-in in the demo and tests).
    payfip_ws_url: str = "https://www.payfip.gouv.fr/tpa/services/securite"
    payfip_payment_url: str = "https://www.payfip.gouv.fr/tpa/paiementws.web"

    @classmethod
    def from_env(cls) -> "Settings":
        instance = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance")).resolve()
        demo = _bool("DEMO")
        production = _bool("PRODUCTION")
        secret = os.environ.get("SECRET_KEY", "")
        if not secret:
            if production:
                raise RuntimeError("SECRET_KEY est obligatoire en production")
            secret = _local_secret(instance)
        data_key = os.environ.get("DATA_KEY", "")
        if not data_key:
            if production:
                raise RuntimeError("DATA_KEY est obligatoire en production")
            data_key = _local_secret(instance, "data_key")
        redis_url = os.environ.get("REDIS_URL") or None
        if production and not redis_url:
            # Flask-Limiter's memory store is per process: with N gunicorn workers a client gets N times the limit.
            raise RuntimeError("REDIS_URL est obligatoire en production : sans stockage partagé, chaque worker "
                               "gunicorn compte à part les tentatives par adresse IP (limite multipliée par le "
                               "nombre de workers)")
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise RuntimeError("REDIS_URL doit commencer par redis://, rediss:// ou unix://")
        for name in ("PAYFIP_WS_URL", "PAYFIP_PAYMENT_URL"):  # PayFiP's answers are trusted: TLS only
            if production and not os.environ.get(name, "https:").startswith("https:"):
                raise RuntimeError(f"{name} doit être une adresse https en production")
        return cls(
            database_url=normalise_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'data'}"),
            instance_path=instance,
            tenants_file=Path(os.environ.get("TENANTS_FILE", ROOT / "tenants.yaml")),
            secret_key=secret,
            data_key=data_key,
            demo=demo,
            production=production,
            redis_url=redis_url,
            trusted_proxies=int(os.environ.get("TRUSTED_PROXIES", "0")),
            citus=_bool("CITUS"),
            payfip_ws_url=os.environ.get("PAYFIP_WS_URL") or cls.payfip_ws_url,
            payfip_payment_url=os.environ.get("PAYFIP_PAYMENT_URL") or cls.payfip_payment_url,
            mail={
                "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
                "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
                "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
                "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
                "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
                "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "portail-famille@localhost"),
                "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),
            },
        )
