"""The state of each planning cell and what a family may do with it.

Plain Python: the caller gives what is known of one cell (does the service run, is the
child enrolled, what the calendar says, the live requests) and gets the state code the
grid shows and the legend explains. The same function decides what the server accepts,
so the page and the server never disagree.
"""
import datetime as dt
from dataclasses import dataclass

# State codes, in the legend's order (labels and icons live with the templates).
STATES = (
    "reserved", "regular", "pending_reservation", "refused_reservation", "pending_absence",
    "absent_excused", "absent_billed", "present", "absent", "closed", "public_holiday", "small_holidays",
    "summer_holidays", "not_enrolled", "free", "not_running",
)
BOOKABLE = frozenset({"free", "refused_reservation"})
ABSENCE_POSSIBLE = frozenset({"reserved", "regular"})
WITHDRAWABLE = frozenset({"pending_reservation", "pending_absence"})
CALENDAR_STATES = {"public_holiday": "public_holiday", "local_closure": "closed",
                   "summer_holidays": "summer_holidays", "small_holidays": "small_holidays"}


@dataclass(frozen=True)
class Cell:
    """One child × service × day of the planning."""

    child_id: int
    service_id: int
    day: dt.date

    def key(self) -> str:
        return f"{self.child_id}:{self.service_id}:{self.day.isoformat()}"


def cell_state(*, runs: bool, enrolled: bool, calendar_kind: str | None, closed: bool,
               reservation=None, refused_reservation=None, absence=None,
               attendance: bool | None = None) -> str:
    """The state code of one cell.

    `reservation` and `absence` are the cell's live requests (pending or accepted),
    `refused_reservation` the latest refused one; each has `.state`, and `.regular`
    or `.billed`. `attendance` is what the register says of the cell (True present,
    False absent, None not taken): it only shows on a booked cell, where an absent child
    is an unannounced absence (one declared beforehand shows as an absence instead).
    """
    if not runs:
        return "not_running"
    if not enrolled:
        return "not_enrolled"
    if calendar_kind in CALENDAR_STATES:
        return CALENDAR_STATES[calendar_kind]
    if closed:
        return "closed"
    if absence is not None:
        if absence.state == "pending":
            return "pending_absence"
        return "absent_billed" if absence.billed else "absent_excused"
    if reservation is not None:
        if reservation.state == "pending":
            return "pending_reservation"
        if attendance is not None:
            return "present" if attendance else "absent"
        return "regular" if reservation.regular else "reserved"
    if refused_reservation is not None:
        return "refused_reservation"
    return "free"


def absence_billing(*, in_time: bool, motive_excused: bool) -> bool:
    """Whether an absence is billed: never when declared in time, else unless its motive excuses it."""
    return not in_time and not motive_excused
