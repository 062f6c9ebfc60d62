"""The family's month grid: each cell's state, what ticking it is for, and its HTML.

A month of 3 children × 4 services is 372 cells; each is decided by the FamilyPlanning
(the same rules the server applies on POST) and written by grid_html.CellRenderer.
"""
import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup


from webapp.i18n import long_day
from webapp.planning import booking
from webapp.planning.family_common import LATE, STATE_ICONS, STATE_LABELS, STATE_SHORT
from webapp.planning.grid_html import CellRenderer
from webapp.planning.rules import ABSENCE_POSSIBLE, BOOKABLE, STATES, WITHDRAWABLE, Cell


@dataclass
class GridCell:
    key: str
    day: dt.date
    state: str
    action: str | None = None  # "reservation", "absence" or "withdraw": what ticking it is for
    late: bool = False  # the deadline of that action is passed (« Hors délai »)
    request_id: int | None = None  # the pending request a withdrawal takes back
    weekend: bool = False  # visible, never interactive


@dataclass
class GridRow:
    service: object
    html: Markup  # the row's cells, rendered and joined once


@dataclass
class ChildBlock:
    child: booking.ChildRow
    rows: list[GridRow] = field(default_factory=list)


def legend() -> list[dict]:
    """The legend's lines, translated once (a lazy text would be translated each time it is written)."""
    items = [dict(state=s, label=str(STATE_LABELS[s]), icon=STATE_ICONS[s], short=str(STATE_SHORT[s])) for s in STATES]
    return items + [dict(state="late", label=str(LATE["label"]), icon=LATE["icon"], short=str(LATE["short"]))]


def _pending_request(planning: booking.FamilyPlanning, cell: Cell) -> booking.RequestRow | None:
    found = [r for r in planning.requests.get((cell.child_id, cell.service_id, cell.day), ()) if r.state == "pending"]
    return found[-1] if found else None


def grid_cell(planning, cell: Cell, now: dt.datetime, today: dt.date, late_motive: bool) -> GridCell:
    """One cell: its state, what it may be ticked for and whether that is past its deadline.

    The deadline is checked once per cell, for the one action the cell allows.
    """
    state = planning.state(cell)
    item = GridCell(cell.key(), cell.day, state, weekend=cell.day.weekday() >= 5)
    if item.weekend:
        pass
    elif state in BOOKABLE:
        item.late = planning.is_late(cell, "reservation", now)
        item.action = None if item.late else "reservation"
    elif state in ABSENCE_POSSIBLE:
        item.late = planning.is_late(cell, "absence", now)
        # Late, an absence is still accepted with a motive that allows it (illness…), until the day.
        item.action = "absence" if not item.late or (late_motive and cell.day >= today) else None
    elif state in WITHDRAWABLE:
        pending = _pending_request(planning, cell)
        if pending is not None:
            item.late = planning.is_late(cell, pending.kind, now)
            item.request_id = pending.id
            item.action = None if item.late else "withdraw"
    return item


def renderer(days: list[dt.date], selected: set[str], selected_requests: set[int]) -> CellRenderer:
    """Every text of the grid translated once for this request."""
    return CellRenderer(
        icons=STATE_ICONS, shorts={s: str(short) for s, short in STATE_SHORT.items()},
        state_texts={s: str(label).lower() for s, label in STATE_LABELS.items()},
        late_icon=LATE["icon"], late_short=str(LATE["short"]), late_text=_("%(state)s, hors délai"),
        # A box's name is these parts read in a row: « Léo, RESTAURATION, lundi 15 décembre : libre ».
        row_name=_("%(child)s, %(service)s,"), day_name=_("%(day)s :"),
        day_names={day: long_day(day) for day in days}, selected=selected, selected_requests=selected_requests)


def blocks(planning: booking.FamilyPlanning, days: list[dt.date], cells: CellRenderer,
           now: dt.datetime, today: dt.date) -> list[ChildBlock]:
    """A block per child, a row per enrolled service, a cell per day."""
    late_motive = any(m.late_allowed for m in planning.settings.absence_motives)
    found = []
    for child in planning.children:
        block = ChildBlock(child)
        for service in planning.rows.get(child.id, ()):
            row_id = cells.row_id(child.id, service.id)
            html = "".join(cells.render(grid_cell(planning, Cell(child.id, service.id, day), now, today, late_motive),
                                        row_id) for day in days)
            block.rows.append(GridRow(service, Markup(html)))
        found.append(block)
    return found
