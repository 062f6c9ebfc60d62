"""Per-commune branding: a logo and a few CSS colour variables, checked for WCAG AA contrast."""
import re
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("--color-primary", "--color-on-primary", "--color-text", "--color-background", "--color-link")
# (foreground, background) pairs that carry text; WCAG 2.1 AA asks 4.5:1 for normal text.
PAIRS = (
    ("--color-on-primary", "--color-primary"),
    ("--color-text", "--color-background"),
    ("--color-link", "--color-background"),
)
MIN_CONTRAST = 4.5
LOGO_NAMES = ("logo.svg", "logo.png")
_VARIABLE = re.compile(r"(--[a-z0-9-]+)\s*:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\s*;")


class ThemeError(Exception):
    """A theme is missing a colour or fails the contrast check."""


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    colours: dict[str, str]
    logo: str | None  # file name inside `folder`


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def load_theme(themes_path: Path, name: str) -> Theme:
    """Read `themes/<name>/theme.css`, falling back to the default theme for missing files."""
    folder = themes_path / name
    css = folder / "theme.css"
    if not css.is_file():
        raise ThemeError(f"thème « {name} » : fichier {css} introuvable")
    colours = dict(_VARIABLE.findall(css.read_text(encoding="utf-8")))
    missing = [v for v in REQUIRED if v not in colours]
    if missing:
        raise ThemeError(f"thème « {name} » : couleurs manquantes {', '.join(missing)}")
    for fg, bg in PAIRS:
        ratio = contrast(colours[fg], colours[bg])
        if ratio < MIN_CONTRAST:
            raise ThemeError(
                f"thème « {name} » : contraste {ratio:.2f}:1 entre {fg} ({colours[fg]}) "
                f"et {bg} ({colours[bg]}), il faut au moins {MIN_CONTRAST}:1 (WCAG AA)"
            )
    logo = next((n for n in LOGO_NAMES if (folder / n).is_file()), None)
    return Theme(name, folder, colours, logo)


def load_themes(themes_path: Path, names: set[str]) -> dict[str, Theme]:
    """Every theme the communes use, plus `default`; raises ThemeError on the first bad one."""
    return {name: load_theme(themes_path, name) for name in sorted(names | {"default"})}
