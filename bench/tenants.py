"""Generate `tenants.yaml` files of any size for the benchmarks.

The first communes are the repository's own (so the measured page is a real
commune's, with its theme); the rest are synthetic communes `bench-NNNN` on the
default theme, valid per tenancy/config.py and webapp/commune.py.
"""
from pathlib import Path

import yaml

from webapp.settings import ROOT


def synthetic(index: int) -> dict:
    """One valid, self-contained commune; `index` makes its slug, host and codes unique."""
    slug = f"bench-{index:04d}"
    code = f"{10000 + index:05d}"
    return {
        "slug": slug,
        "name": f"Commune de Banc {index}",
        "kind": "commune",
        "villages": [{"name": f"Banc-sur-Mesure {index}", "postcode": code, "insee": code}],
        "hosts": [f"{slug}.localhost"],
        "base_url": f"http://{slug}.localhost:5000",
        "website": f"https://www.{slug}.example/",
        "contacts": [{"name": f"Mairie de Banc {index}", "address": ["Place de la Mairie", f"{code} Banc"],
                      "phone": "04.00.00.00.00"}],
        "settings": {
            "reservation_deadline": {"kind": "rolling", "days_before": 2, "time": "23:59"},
            "absence_deadline": {"kind": "rolling", "days_before": 2, "time": "23:59"},
        },
    }


def communes(count: int, source: Path = ROOT / "tenants.yaml") -> tuple[dict, list[dict]]:
    """(platform section, `count` communes): the repository's first, then synthetic ones."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))  # ${PORT:-…} kept; the app expands it
    real = document["tenants"][:count]
    return document.get("platform") or {}, real + [synthetic(i) for i in range(len(real), count)]


def write(path: Path, count: int) -> list[dict]:
    """Write a tenants.yaml of `count` communes to `path`; returns the communes."""
    platform, tenants = communes(count)
    path.write_text(yaml.safe_dump({"platform": platform, "tenants": tenants}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return tenants
