"""The family grid read from a page's HTML as a browser and a screen reader would.

A box is named by aria-labelledby (the referenced texts joined by spaces, as the accessible
name computation does); a cell without a box is read with its row and column headers and its
hidden state text. Used by the page and cache tests: they assert on these names, not on markup.
"""
import html
import re

_PART = re.compile(r'<span id="(g-[^"]+)">([^<]*)</span>')
_BOX = re.compile(r'<input class="cell__box"[^>]*?aria-labelledby="([^"]+)"')
_SECTION = re.compile(r'<section class="child-block" aria-labelledby="enfant-(\d+)">(.*?)</section>', re.S)
_DAY = re.compile(r'<th scope="col" class="day[^"]*">.*?<span class="visually-hidden">([^<]*)</span></th>', re.S)
_ROW = re.compile(r'<tr>\s*<th scope="row" class="service">([^<]*)(?:<span class="service__site">[^<]*</span>)?</th>'
                  r'(.*?)</tr>', re.S)
_STATIC = re.compile(r'<span class="visually-hidden">([^<]*)</span></td>')


def _text(value: str) -> str:
    return html.unescape(value)


def rows(page: str) -> dict:
    """(child id, service name) → [(day name, <td> html)] for each grid of the page."""
    found = {}
    for child_id, section in _SECTION.findall(page):
        days = [_text(d) for d in _DAY.findall(section)]
        for service, cells in _ROW.findall(section):
            tds = re.findall(r"<td .*?</td>", cells, re.S)
            assert len(tds) == len(days), (service, len(tds), len(days))
            found[int(child_id), _text(service)] = list(zip(days, tds))
    return found


def names(page: str) -> list[str]:
    """Every box's accessible name (« Léo, RESTAURATION, lundi 15 décembre : libre ») and every other
    cell as its headers and text read it (« RESTAURATION, mercredi 17 décembre : pas de service… »)."""
    parts = {key: _text(value) for key, value in _PART.findall(page)}
    found = [" ".join(parts[key] for key in ids.split()) for ids in _BOX.findall(page)]
    for (_child, service), cells in rows(page).items():
        for day, td in cells:
            static = _STATIC.search(td)
            if "<input" not in td and static:
                found.append(f"{service}, {day} : {_text(static.group(1))}")
    return found


def cell(page: str, child, service, day) -> str:
    """The <td> of one cell."""
    return rows(page)[child.id, service.name][day.day - 1][1]
