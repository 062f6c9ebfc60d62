"""The typed form of `tenants.yaml`, validated once at start-up."""
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator, model_validator

from tenancy.hosts import normalise_host

SLUG_PATTERN = r"^[a-z][a-z0-9-]{0,40}[a-z0-9]$"


class TenantConfigError(Exception):
    """`tenants.yaml` is invalid; the message names the tenant, the field and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Village(_Strict):
    name: str = Field(min_length=1)
    postcode: str = Field(pattern=r"^\d{5}$")
    insee: str = Field(pattern=r"^(\d{5}|2[AB]\d{3})$")


class Contact(_Strict):
    """A mairie or office families can reach (the last page of the seed guides)."""

    name: str = Field(min_length=1)
    address: list[str] = Field(default_factory=list)
    phone: str | None = None
    email: str | None = None
    hours: str | None = None


class TenantConfig(_Strict):
    """One commune, RPI or SSI: who it is, where it answers, how it looks.

    `settings` holds the commune's rules; tenancy keeps them opaque and the
    application validates them with its own model (see `load_registry`).
    """

    slug: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1)
    kind: Literal["commune", "rpi", "ssi"]
    villages: list[Village] = Field(min_length=1)
    hosts: list[str] = Field(min_length=1)
    base_url: HttpUrl
    website: HttpUrl
    contacts: list[Contact] = Field(default_factory=list)
    theme: str = Field(default="default", pattern=r"^[a-z0-9-]+$")
    settings: Any = None

    @field_validator("hosts")
    @classmethod
    def _hosts_are_names(cls, hosts: list[str]) -> list[str]:
        normalised = []
        for host in hosts:
            name = normalise_host(host)
            if name is None or name != host:
                raise ValueError(f"« {host} » n'est pas un nom d'hôte normalisé (minuscules, sans port)")
            normalised.append(name)
        return normalised

    @model_validator(mode="after")
    def _base_url_is_served(self) -> "TenantConfig":
        """Links in e-mails must reach this portal: its base URL's host is one of its hosts."""
        if normalise_host(self.base_url.host) not in self.hosts:
            raise ValueError(f"base_url {self.base_url} : l'hôte n'est pas dans hosts")
        return self

    @property
    def schema(self) -> str:
        """PostgreSQL schema (and SQLite file stem) of this tenant."""
        return "t_" + self.slug.replace("-", "_")

    @property
    def base(self) -> str:
        """Canonical base URL without trailing slash, for absolute links."""
        return str(self.base_url).rstrip("/")


class PlatformConfig(_Strict):
    name: str = "Portail Famille"
    hosts: list[str] = Field(default_factory=lambda: ["localhost"])


def validate_tenant(
    raw: Any, index: int, settings_model: type[BaseModel] | None, production: bool = False
) -> TenantConfig:
    """Validate one entry of the file, naming it in every error."""
    label = raw.get("slug", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    try:
        tenant = TenantConfig.model_validate(raw)
    except ValidationError as exc:
        raise TenantConfigError(_describe(label, exc)) from None
    if production and tenant.website.scheme != "https":
        # The website is allowed in the commune's CSP `form-action` (« Déconnexion » leads there):
        # an http:// address would let a form's data leave in clear text.
        raise TenantConfigError(
            f"tenants.yaml: commune « {label} » invalide :\n  - champ website : en production, le site de "
            f"la commune doit être en https:// ({tenant.website})"
        )
    if settings_model is None:
        return tenant
    try:
        settings = settings_model.model_validate(tenant.settings or {})
    except ValidationError as exc:
        raise TenantConfigError(_describe(label, exc, prefix="settings.")) from None
    return tenant.model_copy(update={"settings": settings})


def _describe(label: str, exc: ValidationError, prefix: str = "") -> str:
    lines = [f"tenants.yaml: commune « {label} » invalide :"]
    for error in exc.errors():
        field = prefix + ".".join(str(part) for part in error["loc"]) or "(racine)"
        lines.append(f"  - champ {field} : {error['msg']}")
    return "\n".join(lines)


def check_schema_name(schema: str) -> None:
    """PostgreSQL identifiers are 63 bytes at most and `pg_` is reserved."""
    if len(schema) > 63 or schema.startswith("pg_") or not re.match(r"^[a-z][a-z0-9_]*$", schema):
        raise TenantConfigError(f"nom de schéma invalide : {schema}")
