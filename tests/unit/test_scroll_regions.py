"""Wide tables scroll inside a region a keyboard can reach (axe: scrollable-region-focusable)."""
import re

from webapp.settings import ROOT

TEMPLATES = ROOT / "webapp" / "templates"
REGION = re.compile(r'<div class="table-scroll"[^>]*>')


def test_every_table_scroll_region_takes_the_focus_and_has_a_name():
    """Defect: on a phone, the journal, invoice and draft tables scrolled sideways in a region that
    nothing inside could focus, so a keyboard user could not scroll them."""
    regions = [(path.relative_to(TEMPLATES), tag) for path in TEMPLATES.rglob("*.html")
               for tag in REGION.findall(path.read_text(encoding="utf-8"))]
    assert len(regions) >= 30
    for path, tag in regions:
        assert 'role="region"' in tag and 'tabindex="0"' in tag and 'aria-label="{' in tag, (path, tag)
