"""All tenants in memory, indexed by host and slug: resolution costs one dict lookup."""
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from tenancy.config import PlatformConfig, TenantConfig, TenantConfigError, Village, check_schema_name, validate_tenant
from tenancy.hosts import normalise_host


@dataclass(frozen=True)
class VillageEntry:
    """A village of the directory and the portal that serves it."""

    village: Village
    tenant: TenantConfig


_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def fold(text: str) -> str:
    """Lower-case, accent-free, hyphens as spaces, « St » as « Saint »: « st paul sur isere »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = plain.replace("-", " ").replace("'", " ").replace("’", " ").split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


class Registry:
    """The tenants of one deployment; built once, read-only afterwards."""

    def __init__(self, tenants: list[TenantConfig], platform: PlatformConfig | None = None):
        self.platform = platform or PlatformConfig()
        self.tenants = list(tenants)
        self._by_slug: dict[str, TenantConfig] = {}
        self._by_host: dict[str, TenantConfig] = {}
        for tenant in self.tenants:
            self._add(tenant)
        self.platform_hosts = frozenset(self.platform.hosts)
        clash = self.platform_hosts & self._by_host.keys()
        if clash:
            raise TenantConfigError(f"tenants.yaml: hôte de la plateforme utilisé par une commune : {sorted(clash)}")
        self._villages = sorted(
            (VillageEntry(v, t) for t in self.tenants for v in t.villages), key=lambda e: fold(e.village.name)
        )

    def _add(self, tenant: TenantConfig) -> None:
        check_schema_name(tenant.schema)
        if tenant.slug in self._by_slug:
            raise TenantConfigError(f"tenants.yaml: commune « {tenant.slug} » déclarée deux fois")
        self._by_slug[tenant.slug] = tenant
        for host in tenant.hosts:
            other = self._by_host.get(host)
            if other is not None:
                raise TenantConfigError(
                    f"tenants.yaml: commune « {tenant.slug} », champ hosts : « {host} » appartient déjà à « {other.slug} »"
                )
            self._by_host[host] = tenant

    def __len__(self) -> int:
        return len(self.tenants)

    def __iter__(self):
        return iter(self.tenants)

    def get(self, slug: str) -> TenantConfig | None:
        return self._by_slug.get(slug)

    def for_host(self, raw_host: str | None) -> TenantConfig | None:
        """The tenant answering on `raw_host`, or None: never a default tenant."""
        return self._by_host.get(normalise_host(raw_host) or "")

    def is_platform_host(self, raw_host: str | None) -> bool:
        return (normalise_host(raw_host) or "") in self.platform_hosts

    def find_villages(self, query: str, limit: int = 20) -> list[VillageEntry]:
        """Villages whose name contains `query` or whose postcode starts with it."""
        needle = fold(query)
        if not needle:
            return []
        if needle.isdigit():
            hits = [e for e in self._villages if e.village.postcode.startswith(needle)]
        else:
            hits = [e for e in self._villages if needle in fold(e.village.name)]
            hits.sort(key=lambda e: not fold(e.village.name).startswith(needle))
        return hits[:limit]


_ENV_VAR = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


def expand_env(text: str) -> str:
    """Replace `${NAME}` and `${NAME:-default}` from the environment."""
    return _ENV_VAR.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), text)


def load_registry(
    path: str | Path, settings_model: type[BaseModel] | None = None, *, production: bool = False
) -> Registry:
    """Read and validate `tenants.yaml`; any problem raises TenantConfigError naming it.
    `production` adds the rules of a public deployment (https websites)."""
    path = Path(path)
    try:
        document = yaml.safe_load(expand_env(path.read_text(encoding="utf-8"))) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TenantConfigError(f"{path}: illisible : {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("tenants"), list):
        raise TenantConfigError(f"{path}: une liste « tenants: » est attendue")
    try:
        platform = PlatformConfig.model_validate(document.get("platform") or {})
    except ValidationError as exc:
        raise TenantConfigError(f"{path}: section « platform » invalide : {exc}") from None
    tenants = [validate_tenant(raw, i, settings_model, production) for i, raw in enumerate(document["tenants"])]
    return Registry(tenants, platform)
